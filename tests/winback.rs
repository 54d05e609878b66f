//! Welcome offers and win-back campaigns (docs/model.md, "Welcome offers"
//! and "Reminders and win-back"): hand-computed cases, the "nothing
//! offered changes nothing" property bit for bit, and statistical checks
//! against closed forms with Monte Carlo standard errors.

mod common;
use common::*;
use loyalsim::engine::recorder::Flow;
use loyalsim::scenario::*;
use loyalsim::stats::metrics::{METRICS, PERIOD_SERIES, RepMetrics, index};

fn flat(rate: f64) -> Discount {
    Discount {
        tiers: vec![Tier { from: 0.0, rate }],
        basis: TierBasis::Spend,
    }
}

fn points() -> Points {
    Points {
        earn: 1.0,
        point_value: 0.01,
        redeem_threshold: 200.0,
        expiry: Some(6.0),
        welcome_points: 50.0,
        redeem_probability: 0.8,
        reward_cost_ratio: 1.0,
        catalog: vec![],
    }
}

fn stamps() -> Stamps {
    Stamps {
        per_amount: None,
        carry_remainder: false,
        card_size: 6,
        reward_value: 20.0,
        prestamped: 1,
        min_basket: 0.0,
        card_expiry: Some(10.0),
        reward_cost_ratio: 0.6,
    }
}

/// Customers buying at a fixed rate with a fixed basket of 50.
fn plain(customers: u64, rate: f64, dropout: Dropout, horizon: f64) -> Scenario {
    scenario(
        customers,
        Dist::Fixed(rate),
        dropout,
        Basket::Iid(Dist::Fixed(50.0)),
        horizon,
    )
}

/// Customers as in the bundled scenarios: heterogeneous rates and baskets.
fn varied(customers: u64, dropout: Dropout, horizon: f64) -> Scenario {
    let mut sc = scenario(
        customers,
        Dist::Gamma {
            shape: 1.5,
            scale: 0.4,
        },
        dropout,
        Basket::Iid(Dist::lognormal_from_moments(60.0, 30.0)),
        horizon,
    );
    sc.acquisition = Some(Acquisition {
        market_size: Some(4_000.0),
        innovation: 0.002,
        organic: 1.0,
        referral_rate: 0.1,
        referral_conversion: 0.3,
    });
    sc.simulation.replications = 4;
    sc
}

fn m(r: &RepMetrics, name: &str) -> f64 {
    r.totals[index(name)]
}

/// Every metric and period series of two arms, bit for bit, except `skip`.
fn assert_same(a: &[RepMetrics], b: &[RepMetrics], skip: &[&str], what: &str) {
    assert_eq!(a.len(), b.len());
    for (rep, (x, y)) in a.iter().zip(b).enumerate() {
        for (i, name) in METRICS.iter().enumerate() {
            if skip.contains(name) {
                continue;
            }
            assert_eq!(
                x.totals[i].to_bits(),
                y.totals[i].to_bits(),
                "{what}: {name} differs in replication {rep}: {} vs {}",
                x.totals[i],
                y.totals[i]
            );
        }
        for (s, (u, v)) in x.series.iter().zip(&y.series).enumerate() {
            let u: Vec<u64> = u.iter().map(|z| z.to_bits()).collect();
            let v: Vec<u64> = v.iter().map(|z| z.to_bits()).collect();
            assert_eq!(
                u, v,
                "{what}: period series {s} differs in replication {rep}"
            );
        }
        assert_eq!(x.members, y.members, "{what}: members, replication {rep}");
    }
}

// ---------------------------------------------------------------- welcome

#[test]
fn a_welcome_gift_costs_gift_times_joiners_and_changes_nothing_else() {
    let mut sc = varied(600, Dropout::Hazard(0.05), 20.0);
    let mut without = program("points", 20.0);
    without.points = Some(points());
    without.enrolment = 0.6;
    let mut with = without.clone();
    with.name = "points + gift".into();
    with.welcome_gift = 5.0;
    sc.programs = vec![without, with];
    let r = run(&sc);
    for (rep, (a, b)) in r[1].iter().zip(&r[2]).enumerate() {
        let joined = b.members.joined;
        assert!(joined > 100.0, "rep {rep}: {joined} joined");
        assert_eq!(a.members, b.members);
        assert_eq!(m(a, "purchases"), m(b, "purchases"));
        assert_eq!(m(a, "discounts"), m(b, "discounts"));
        assert_eq!(m(a, "points_issued"), m(b, "points_issued"));
        let extra = m(b, "reward_cost") - m(a, "reward_cost");
        assert!(
            (extra - 5.0 * joined).abs() < 1e-9 * m(b, "reward_cost"),
            "rep {rep}: extra reward cost {extra} vs 5 × {joined}"
        );
        let lost = m(a, "profit") - m(b, "profit");
        assert!((lost - 5.0 * joined).abs() < 1e-6, "rep {rep}: {lost}");
        assert_eq!(m(a, "rewards_redeemed"), m(b, "rewards_redeemed"));
    }
}

#[test]
fn a_welcome_discount_applies_to_the_first_member_purchase_only() {
    // Fixed baskets of 50: the welcome discount is exactly 0.1 × 50 per
    // joiner; with a 5% card on top, the card's 5% of every member purchase.
    let mut sc = plain(400, 1.0, Dropout::Hazard(0.1), 12.0);
    sc.simulation.replications = 3;
    let mut only = program("welcome only", 12.0);
    only.welcome_discount = 0.1;
    only.enrolment = 0.5;
    let mut card = program("card + welcome", 12.0);
    card.discount = Some(flat(0.05));
    card.welcome_discount = 0.1;
    sc.programs = vec![only, card];
    let r = run(&sc);
    for (rep, (base, only)) in r[0].iter().zip(&r[1]).enumerate() {
        let joined = only.members.joined;
        assert!(joined > 100.0 && joined < 300.0, "{joined}");
        assert_eq!(m(only, "discounts"), 0.1 * 50.0 * joined);
        // Nothing else changes: the customer was buying anyway.
        assert_eq!(m(base, "purchases"), m(only, "purchases"));
        assert_eq!(m(base, "customers_churned"), m(only, "customers_churned"));
        let card = &r[2][rep];
        let want = 0.05 * card.members.member_revenue + 0.1 * 50.0 * card.members.joined;
        assert!(
            (m(card, "discounts") - want).abs() < 1e-9 * want,
            "rep {rep}: {} vs {want}",
            m(card, "discounts")
        );
    }
}

const WELCOME_TOML: &str = r#"
[simulation]
time_unit = "month"
horizon = 12
replications = 5
seed = 3
[business]
gross_margin = 0.4
[population]
customers = 300
[[population.segment]]
name = "all"
share = 1
purchase_rate = { gamma = { shape = 2, mean = 1.2 } }
dropout = { bg = { a = 1, b = 6 } }
basket = { lognormal = { mean = 40, sd = 20 } }
[acquisition]
organic = 3
referral_rate = 0.1
referral_conversion = 0.2
[[program]]
name = "stamps"
enrolment = 0.7
WELCOME
[program.stamps]
card_size = 8
reward_value = 15
[[program]]
name = "referral"
WELCOME
[program.referral]
referrer_reward = 10
referee_reward = 5
[[program]]
name = "scripted"
WELCOME
[program.script]
file = "SCRIPT"
params = { card_size = 10, reward_value = 10.0, prestamped = 0, min_basket = 0.0, reward_cost_ratio = 0.6 }
"#;

fn load(welcome: &str) -> Scenario {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/stamps.rhai");
    let src = WELCOME_TOML
        .replace("WELCOME", welcome)
        .replace("SCRIPT", script);
    load_str(&src, None).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn welcome_offers_of_zero_are_no_offer_bit_for_bit() {
    let a = run(&load(""));
    let b = run(&load("welcome_gift = 0\nwelcome_discount = 0"));
    for arm in 0..a.len() {
        assert_same(&a[arm], &b[arm], &[], &format!("arm {arm}"));
    }
    // And a gift that is not zero does show, in every mechanism.
    let c = run(&load("welcome_gift = 2\nwelcome_discount = 0.1"));
    for arm in 1..a.len() {
        let (x, y) = (&a[arm][0], &c[arm][0]);
        assert!(m(y, "reward_cost") > m(x, "reward_cost"), "arm {arm}");
        assert!(m(y, "discounts") > m(x, "discounts"), "arm {arm}");
    }
}

// ---------------------------------------------------------------- win-back

fn campaign(after: f64, max_messages: u32, cost: f64, response: f64) -> Winback {
    Winback {
        after,
        every: after,
        max_messages,
        message_cost: cost,
        response,
    }
}

#[test]
fn a_campaign_that_brings_nobody_back_at_no_cost_changes_nothing() {
    for dropout in [
        Dropout::Hazard(0.08),
        Dropout::Bg { a: 1.0, b: 4.0 },
        Dropout::Pareto {
            shape: 2.0,
            rate: 20.0,
        },
    ] {
        let mut sc = varied(500, dropout, 24.0);
        let mut rich = program("points + stamps", 24.0);
        rich.points = Some(points());
        rich.stamps = Some(stamps());
        rich.enrolment = 0.7;
        rich.start = 1.0;
        rich.end = 20.0;
        rich.costs.per_member_per_unit = 0.2;
        rich.referral = Some(Referral {
            referrer_reward: 10.0,
            referee_reward: 5.0,
            referral_boost: None,
        });
        let mut quiet = rich.clone();
        quiet.name = "with a silent campaign".into();
        quiet.winback = Some(Winback {
            after: 2.0,
            every: 1.5,
            max_messages: 4,
            message_cost: 0.0,
            response: 0.0,
        });
        sc.programs = vec![rich, quiet];
        let r = run(&sc);
        assert_same(&r[1], &r[2], &["messages_sent"], &format!("{dropout:?}"));
        assert!(m(&r[2][0], "messages_sent") > 0.0);
        assert_eq!(m(&r[2][0], "customers_reactivated"), 0.0);
    }
}

/// A program that is only a silent reminder campaign (nothing offered,
/// nobody brought back, messages free) is the control, bit for bit, apart
/// from the messages it counts and its membership.
#[test]
fn a_silent_campaign_alone_equals_the_control() {
    for dropout in [Dropout::Hazard(0.08), Dropout::Bg { a: 1.0, b: 4.0 }] {
        let mut sc = varied(500, dropout, 24.0);
        let mut only = program("reminders only", 24.0);
        only.winback = Some(campaign(2.0, 3, 0.0, 0.0));
        sc.programs = vec![only];
        let mut r = run(&sc);
        // Membership is the program's own: blank it before comparing.
        let members = PERIOD_SERIES.iter().position(|s| *s == "members").unwrap();
        for rep in &mut r[1] {
            assert!(rep.series[members].iter().any(|x| *x > 0.0));
            rep.series[members].fill(0.0);
            rep.members = Default::default();
        }
        assert_same(
            &r[0],
            &r[1],
            &["messages_sent", "members_end"],
            &format!("{dropout:?}"),
        );
        assert!(m(&r[1][0], "messages_sent") > 0.0);
    }
}

#[test]
fn each_quiet_spell_longer_than_after_gets_one_message() {
    // Nobody leaves, so every message goes to a quiet customer: with
    // purchases a Poisson process of rate λ from time 0 (everyone joins at
    // their first purchase), a message is sent for each purchase before
    // H − A followed by A time units without one: λ(H − A)e^{−λA} per
    // customer on average.
    let (lambda, after, horizon, n) = (0.5, 3.0, 30.0, 2000u64);
    let mut sc = plain(n, lambda, Dropout::None, horizon);
    sc.simulation.replications = 8;
    let mut p = program("reminders", horizon);
    p.winback = Some(campaign(after, 1, 0.25, 0.7));
    sc.programs = vec![p];
    let r = run(&sc);
    let sent = metric(&r, 1, "messages_sent");
    let (mean, se) = mean_se(&sent);
    let want = n as f64 * lambda * (horizon - after) * (-lambda * after).exp();
    assert!(
        (mean - want).abs() < 4.0 * se,
        "{mean} ± {se} vs {want} messages"
    );
    for rep in &r[1] {
        // Each message costs 0.25, booked as a fixed cost; nobody had
        // dropped out, so nobody came back and nothing else changed.
        assert_eq!(m(rep, "fixed_cost"), 0.25 * m(rep, "messages_sent"));
        assert_eq!(m(rep, "customers_reactivated"), 0.0);
    }
    for (x, y) in r[0].iter().zip(&r[1]) {
        assert_eq!(m(x, "purchases"), m(y, "purchases"));
        assert_eq!(m(x, "revenue_gross"), m(y, "revenue_gross"));
    }
}

#[test]
fn messages_to_lapsed_customers_bring_back_response_times_as_many() {
    // Every message to a customer who has dropped out is a fresh coin with
    // chance `response` (its own stream), so reactivations are a binomial
    // count around response × messages to lapsed customers (a martingale:
    // the number of coins may depend on earlier outcomes).
    let response = 0.3;
    for dropout in [Dropout::Hazard(0.1), Dropout::Bg { a: 2.0, b: 6.0 }] {
        let mut sc = varied(1500, dropout, 24.0);
        sc.simulation.replications = 6;
        let mut p = program("win-back", 24.0);
        p.winback = Some(Winback {
            after: 2.0,
            every: 2.0,
            max_messages: 3,
            message_cost: 0.5,
            response,
        });
        sc.programs = vec![p];
        let out = loyalsim::engine::run(&sc, &|| {});
        let (mut back, mut lapsed) = (0.0, 0.0);
        for rec in &out.arms[1].replications {
            back += rec.total(Flow::Reactivated);
            lapsed += rec.total(Flow::MessagesToLapsed);
        }
        let se = (lapsed * response * (1.0 - response)).sqrt();
        assert!(lapsed > 1000.0, "{lapsed}");
        assert!(
            (back - response * lapsed).abs() < 4.0 * se,
            "{dropout:?}: {back} back from {lapsed} messages to lapsed customers (± {se})"
        );
        // Customers come back: fewer are gone at the end, more purchases,
        // and the head counts still add up.
        let r = run(&sc);
        let (gone0, _) = mean_se(&metric(&r, 0, "customers_churned"));
        let (gone1, _) = mean_se(&metric(&r, 1, "customers_churned"));
        assert!(gone1 < gone0, "{gone1} vs {gone0}");
        let (buy0, _) = mean_se(&metric(&r, 0, "purchases"));
        let (buy1, _) = mean_se(&metric(&r, 1, "purchases"));
        assert!(buy1 > buy0, "{buy1} vs {buy0}");
        for rep in &r[1] {
            assert_eq!(
                m(rep, "customers_initial") + m(rep, "customers_acquired"),
                m(rep, "customers_active_end") + m(rep, "customers_churned")
            );
            assert!(m(rep, "fixed_cost") == 0.5 * m(rep, "messages_sent"));
            assert!(m(rep, "members_end") <= m(rep, "customers_active_end"));
        }
    }
}

#[test]
fn everyone_lapsed_and_messaged_comes_back_with_response_one() {
    // BG/NBD with a dropout chance near 1: customers leave right after their
    // first purchase. With response 1 and a message 1 time unit after the
    // last purchase, everyone whose message falls before the horizon
    // comes back.
    let mut sc = plain(300, 0.4, Dropout::Bg { a: 200.0, b: 1e-3 }, 12.0);
    sc.simulation.replications = 2;
    let mut p = program("win-back", 12.0);
    p.winback = Some(campaign(1.0, 1, 1.0, 1.0));
    sc.programs = vec![p];
    let out = loyalsim::engine::run(&sc, &|| {});
    for rec in &out.arms[1].replications {
        assert_eq!(
            rec.total(Flow::Reactivated),
            rec.total(Flow::MessagesToLapsed)
        );
        assert!(rec.total(Flow::Reactivated) > 100.0);
    }
}

#[test]
fn the_bundled_win_back_scenario_does_not_depend_on_the_thread_count() {
    let json = |threads: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_loyalsim"))
            .args([
                "run",
                "scenarios/script-winback.toml",
                "--replications",
                "2",
                "--format",
                "json",
                "--quiet",
                "--threads",
                threads,
            ])
            .output()
            .expect("loyalsim runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = json("1");
    let text = String::from_utf8_lossy(&one);
    assert!(text.contains("\"customers_reactivated\""), "{text}");
    assert_eq!(one, json("2"));
    assert_eq!(one, json("3"));
}

#[test]
fn conservation_laws_hold_with_customers_coming_back() {
    // Members who come back keep their points and cards; what they hold is
    // booked as anywhere else, and the head counts add up.
    for dropout in [
        Dropout::Hazard(0.1),
        Dropout::Bg { a: 2.0, b: 6.0 },
        Dropout::Pareto {
            shape: 2.0,
            rate: 15.0,
        },
    ] {
        let mut sc = varied(600, dropout, 24.0);
        let mut p = program("points + stamps + win-back", 24.0);
        p.points = Some(points());
        p.stamps = Some(stamps());
        p.enrolment = 0.7;
        p.end = 20.0;
        p.costs.per_member_per_unit = 0.1;
        p.winback = Some(Winback {
            after: 1.5,
            every: 1.0,
            max_messages: 3,
            message_cost: 0.3,
            response: 0.5,
        });
        sc.programs = vec![p];
        let r = run(&sc);
        for (rep, x) in r[1].iter().enumerate() {
            assert!(
                m(x, "customers_reactivated") > 10.0,
                "{dropout:?} rep {rep}"
            );
            assert_eq!(
                m(x, "customers_initial") + m(x, "customers_acquired"),
                m(x, "customers_active_end") + m(x, "customers_churned"),
                "{dropout:?} rep {rep}"
            );
            let flows = m(x, "points_redeemed")
                + m(x, "points_expired")
                + m(x, "points_forfeited")
                + m(x, "points_outstanding");
            assert!(
                (m(x, "points_issued") - flows).abs() <= 1e-9 * m(x, "points_issued"),
                "{dropout:?} rep {rep}"
            );
            assert!(m(x, "members_end") <= m(x, "customers_active_end"));
            // The last period's active customers are those active at the end.
            let active = &x.series[0];
            assert_eq!(
                *active.last().expect("periods"),
                m(x, "customers_active_end"),
                "{dropout:?} rep {rep}"
            );
        }
    }
}
