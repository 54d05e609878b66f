//! The shop owner's answers: purchase frequency, revenue concentration,
//! loyalty stages and per-segment results. A tiny population booked by
//! hand gives every figure exactly; closed forms check them on simulated
//! customers; per-segment figures add up to the totals.

mod common;
use common::*;
use loyalsim::engine::answers::Life;
use loyalsim::engine::recorder::{Flow, Recorder};
use loyalsim::scenario::*;
use loyalsim::stats::metrics::{self, PERIOD_SERIES, RepMetrics, SEGMENT_METRICS};

/// One hand-made customer: segment, arrival, churn, purchases (time, basket).
struct Hand {
    segment: usize,
    arrived: f64,
    churned: Option<f64>,
    referred: bool,
    purchases: &'static [(f64, f64)],
}

/// Book customers as the engine does: arrival, purchases, the end.
fn book(rec: &mut Recorder, customers: &[Hand]) {
    for c in customers {
        let initial = c.arrived == 0.0;
        rec.add(Flow::Arrivals, c.arrived, 1.0);
        if !initial {
            rec.add(Flow::Acquired, c.arrived, 1.0);
        }
        if c.referred {
            rec.add(Flow::Referred, c.arrived, 1.0);
        }
        for &(t, basket) in c.purchases {
            rec.add_purchase(rec.moment(t), basket);
        }
        match c.churned {
            Some(t) => rec.add(Flow::Churned, t, 1.0),
            None => rec.add_at_end(Flow::ActiveAtEnd, 1.0),
        }
        rec.end_customer(&Life {
            segment: c.segment,
            arrived: c.arrived,
            churned: c.churned,
            initial,
            referred: c.referred,
        });
    }
}

/// Horizon 4 in periods of 1 (ends 1, 2, 3, 4); a regular buys 3 times
/// within 2 time units; "again within" is one period.
fn population() -> Vec<Hand> {
    vec![
        // A: four purchases, never two within a period of the first, never
        // three within 2 time units.
        Hand {
            segment: 0,
            arrived: 0.0,
            churned: None,
            referred: false,
            purchases: &[(0.5, 10.0), (1.6, 10.0), (2.2, 10.0), (3.9, 10.0)],
        },
        // B: one big purchase, leaves at 2.5.
        Hand {
            segment: 0,
            arrived: 0.0,
            churned: Some(2.5),
            referred: false,
            purchases: &[(0.3, 100.0)],
        },
        // C: referred, arrives at 1.2, buys twice in the same period.
        Hand {
            segment: 1,
            arrived: 1.2,
            churned: None,
            referred: true,
            purchases: &[(1.5, 20.0), (1.8, 20.0)],
        },
        // D: never buys, leaves at 3.5.
        Hand {
            segment: 1,
            arrived: 0.0,
            churned: Some(3.5),
            referred: false,
            purchases: &[],
        },
        // E: three purchases in the first period, leaves at 1.7.
        Hand {
            segment: 0,
            arrived: 0.0,
            churned: Some(1.7),
            referred: false,
            purchases: &[(0.1, 5.0), (0.2, 5.0), (0.4, 5.0)],
        },
        // F: three purchases late, a regular to the horizon.
        Hand {
            segment: 1,
            arrived: 0.0,
            churned: None,
            referred: false,
            purchases: &[(2.5, 7.0), (2.7, 7.0), (2.9, 7.0)],
        },
    ]
}

fn recorder() -> Recorder {
    Recorder::new(4.0, 1.0).with_regular_window(2.0)
}

fn total(m: &RepMetrics, name: &str) -> f64 {
    m.totals[metrics::index(name)]
}

fn series<'a>(m: &'a RepMetrics, name: &str) -> &'a [f64] {
    &m.series[PERIOD_SERIES.iter().position(|s| *s == name).unwrap()]
}

fn seg(m: &RepMetrics, k: usize, name: &str) -> f64 {
    m.segments[k][SEGMENT_METRICS.iter().position(|s| *s == name).unwrap()]
}

#[test]
fn a_hand_computed_population_gives_every_answer_exactly() {
    let mut rec = recorder();
    let people = population();
    book(&mut rec, &people[..1]);
    // A discount for A (segment 0) and a per-member cost for C (segment 1)
    // are theirs; a setup cost after everyone belongs to no segment.
    let mut rec2 = recorder();
    rec2.add(Flow::Discounts, 1.0, 2.0);
    book(&mut rec2, &people[1..2]);
    rec2.add(Flow::FixedCost, 1.2, 3.0);
    book(&mut rec2, &people[2..]);
    rec.merge(&rec2);
    rec.add(Flow::FixedCost, 0.0, 50.0);
    let m = metrics::compute(&rec, 0.5, 0.0);

    // Frequency: 5 buyers (D bought nothing), 13 purchases, 4 bought again;
    // all 5 first bought at least a period before the horizon, and C, E and F
    // bought again within a period (A's second came 1.1 after the first).
    assert_eq!(total(&m, "buyers"), 5.0);
    assert_eq!(total(&m, "purchases_per_buyer"), 13.0 / 5.0);
    assert_eq!(total(&m, "repeat_buyer_share"), 4.0 / 5.0);
    assert_eq!(total(&m, "bought_again_within_period"), 3.0 / 5.0);
    // Concentration: revenues 40, 100, 40, 15, 21 (216); the top 20% is
    // one buyer, B.
    assert_eq!(total(&m, "top20_revenue_share"), 100.0 / 216.0);
    assert_eq!(rec.answers().top_share(0.4), 140.0 / 216.0);
    assert_eq!(rec.answers().top_share(0.1), 50.0 / 216.0);

    // Stages at the ends of periods 1..4 (active customers only):
    // one-time: A and B at 1, B at 2 (B leaves at 2.5);
    // repeat: E at 1 (leaves at 1.7), A and C at 2, A, C and F at 3 and 4;
    // regulars (3 purchases within 2): E at 1, F at 3 and 4.
    assert_eq!(series(&m, "one_time_buyers"), &[2.0, 1.0, 0.0, 0.0]);
    assert_eq!(series(&m, "repeat_buyers"), &[1.0, 2.0, 3.0, 3.0]);
    assert_eq!(series(&m, "regulars"), &[1.0, 0.0, 1.0, 1.0]);
    assert_eq!(total(&m, "one_time_buyers_end"), 0.0);
    assert_eq!(total(&m, "repeat_buyers_end"), 3.0);
    assert_eq!(total(&m, "regulars_end"), 1.0);
    // Active: C arrives in period 2, E leaves in it, B in 3, D in 4.
    assert_eq!(series(&m, "active_customers"), &[5.0, 5.0, 4.0, 3.0]);

    // Segments: 0 = A, B, E; 1 = C, D, F.
    assert_eq!(m.segments.len(), 2);
    let s = |k, name| seg(&m, k, name);
    assert_eq!(s(0, "customers"), 3.0);
    assert_eq!(s(1, "customers"), 3.0);
    assert_eq!(s(1, "customers_initial"), 2.0);
    assert_eq!(s(1, "customers_acquired"), 1.0);
    assert_eq!(s(1, "customers_referred"), 1.0);
    assert_eq!(s(0, "customers_active_end"), 1.0);
    assert_eq!(s(1, "customers_active_end"), 2.0);
    assert_eq!(s(0, "retention"), 1.0 / 3.0);
    assert_eq!(s(1, "retention"), 1.0 / 2.0);
    assert_eq!(s(0, "buyers"), 3.0);
    assert_eq!(s(1, "buyers"), 2.0);
    assert_eq!(s(0, "purchases"), 8.0);
    assert_eq!(s(1, "purchases_per_buyer"), 2.5);
    assert_eq!(s(0, "revenue_gross"), 155.0);
    assert_eq!(s(1, "revenue_gross"), 61.0);
    assert_eq!(s(0, "revenue_net"), 153.0);
    assert_eq!(s(0, "program_cost"), 2.0);
    assert_eq!(s(1, "program_cost"), 3.0);
    // Margin 0.5: 153 - 77.5 and 61 - 30.5 - 3.
    assert_eq!(s(0, "profit"), 75.5);
    assert_eq!(s(1, "profit"), 27.5);
    assert_eq!(s(1, "profit_per_customer"), 27.5 / 3.0);
    // The totals: segment profits less the setup cost.
    assert_eq!(total(&m, "profit"), 75.5 + 27.5 - 50.0);
    assert_eq!(total(&m, "program_cost"), 55.0);
}

#[test]
fn merging_blocks_in_any_split_gives_the_same_answers() {
    let people = population();
    let mut whole = recorder();
    book(&mut whole, &people);
    let whole = metrics::compute(&whole, 0.5, 0.0);
    for split in 0..=people.len() {
        let (mut a, mut b) = (recorder(), recorder());
        book(&mut a, &people[..split]);
        book(&mut b, &people[split..]);
        a.merge(&b);
        assert_eq!(metrics::compute(&a, 0.5, 0.0), whole, "split at {split}");
    }
}

/// Three segments, word of mouth, and a program with every kind of cost.
fn segmented() -> Scenario {
    let mut sc = scenario(
        1500,
        Dist::Gamma {
            shape: 1.5,
            scale: 0.4,
        },
        Dropout::Hazard(0.03),
        Basket::Iid(Dist::lognormal_from_moments(40.0, 20.0)),
        30.0,
    );
    let base = sc.population.segments[0].clone();
    sc.population.segments = vec![
        Segment {
            name: "loyal".into(),
            share: 0.2,
            purchase_rate: Dist::Fixed(1.0),
            ..base.clone()
        },
        Segment {
            name: "casual".into(),
            share: 0.5,
            ..base.clone()
        },
        Segment {
            name: "drifting".into(),
            share: 0.3,
            dropout: Dropout::Hazard(0.1),
            ..base
        },
    ];
    sc.acquisition = Some(Acquisition {
        market_size: Some(6_000.0),
        innovation: 0.002,
        organic: 3.0,
        referral_rate: 0.1,
        referral_conversion: 0.3,
    });
    sc.simulation.replications = 4;
    let mut all = program("combined", 30.0);
    all.discount = Some(Discount {
        tiers: vec![Tier {
            from: 0.0,
            rate: 0.04,
        }],
        basis: TierBasis::Spend,
    });
    all.stamps = Some(Stamps {
        per_amount: None,
        carry_remainder: false,
        card_size: 8,
        reward_value: 20.0,
        prestamped: 0,
        min_basket: 0.0,
        card_expiry: None,
        reward_cost_ratio: 0.6,
    });
    all.referral = Some(Referral {
        referrer_reward: 10.0,
        referee_reward: 5.0,
        referral_boost: None,
    });
    all.enrolment = 0.7;
    all.start = 2.0;
    all.end = 26.0;
    all.costs = Costs {
        setup: 100.0,
        per_member: 2.0,
        per_member_per_unit: 0.1,
        per_unit: 5.0,
    };
    sc.programs = vec![all];
    sc
}

#[test]
fn segments_add_up_to_the_totals() {
    let sc = segmented();
    let m = run(&sc);
    // Costs no customer caused: setup, and 5 per time unit from 2 to 26.
    let unattributed = [0.0, 100.0 + 5.0 * 24.0];
    for (arm, reps) in m.iter().enumerate() {
        for r in reps {
            assert_eq!(r.segments.len(), 3);
            let sum = |name| -> f64 { (0..3).map(|k| seg(r, k, name)).sum() };
            // Counts are whole numbers: exact.
            let customers = total(r, "customers_initial") + total(r, "customers_acquired");
            assert_eq!(sum("customers"), customers);
            for (s, t) in [
                ("customers_initial", "customers_initial"),
                ("customers_acquired", "customers_acquired"),
                ("customers_referred", "customers_referred"),
                ("customers_active_end", "customers_active_end"),
                ("buyers", "buyers"),
                ("purchases", "purchases"),
            ] {
                assert_eq!(sum(s), total(r, t), "{s}");
            }
            assert!(total(r, "customers_referred") > 0.0);
            // Amounts are sums of the same numbers in another order
            // (customer by customer instead of period by period): equal up
            // to rounding, a few units in the last place of each addition.
            let close = |a: f64, b: f64, what: &str| {
                assert!(
                    (a - b).abs() <= 1e-10 * b.abs().max(1.0),
                    "{what}: {a} vs {b}"
                )
            };
            close(sum("revenue_gross"), total(r, "revenue_gross"), "revenue");
            close(sum("revenue_net"), total(r, "revenue_net"), "net");
            close(
                sum("program_cost") + unattributed[arm],
                total(r, "program_cost"),
                "cost",
            );
            close(
                sum("profit") - unattributed[arm],
                total(r, "profit"),
                "profit",
            );
            // Stages are of active customers, regulars among repeat buyers.
            let active = series(r, "active_customers");
            let (one, rep, reg) = (
                series(r, "one_time_buyers"),
                series(r, "repeat_buyers"),
                series(r, "regulars"),
            );
            for p in 0..active.len() {
                assert!(one[p] >= 0.0 && reg[p] >= 0.0);
                assert!(one[p] + rep[p] <= active[p], "period {p}");
                assert!(reg[p] <= rep[p], "period {p}");
            }
            assert!(reg[active.len() - 1] > 0.0);
        }
    }
    // The program's costs fall on its segments; the control has none.
    assert!(m[1][0].segments.iter().all(|s| s[11] > 0.0));
    assert!(m[0][0].segments.iter().all(|s| s[11] == 0.0));
}

/// Probability that a Poisson variable of mean `mu` is `k` or more.
fn poisson_at_least(mu: f64, k: u32) -> f64 {
    let mut term = (-mu).exp();
    let mut below = 0.0;
    for i in 0..k {
        below += term;
        term *= mu / f64::from(i + 1);
    }
    1.0 - below
}

#[test]
fn frequency_and_stages_match_the_poisson_closed_forms() {
    // Everyone buys at rate 0.05 a week for 104 weeks and never leaves:
    // purchases over the horizon are Poisson(5.2), in a year Poisson(0.05 ×
    // 365.25 / 7), within one week of the first Poisson(0.05).
    let rate = 0.05;
    let horizon = 104.0;
    let mut sc = scenario(
        4000,
        Dist::Fixed(rate),
        Dropout::None,
        Basket::Iid(Dist::Fixed(10.0)),
        horizon,
    );
    sc.simulation.replications = 10;
    let m = run(&sc);
    let n = 4000.0;
    let mu = rate * horizon;
    let year = rate * 365.25 / 7.0;
    let buy = poisson_at_least(mu, 1);
    let check = |name: &str, expected: f64, per: f64| {
        let xs = metric(&m, 0, name);
        let (mean, se) = mean_se(&xs);
        // Binomial standard error over every customer of every replication,
        // or the replications' own when larger.
        let p = expected / per;
        let se = se.max(per * (p * (1.0 - p) / (n * xs.len() as f64)).sqrt());
        assert!(
            (mean - expected).abs() < 4.0 * se,
            "{name}: {mean} vs {expected} (se {se})"
        );
    };
    check("buyers", n * buy, n);
    check("repeat_buyers_end", n * poisson_at_least(mu, 2), n);
    check("one_time_buyers_end", n * mu * (-mu).exp(), n);
    check("regulars_end", n * poisson_at_least(year, 3), n);
    check(
        "repeat_buyer_share",
        poisson_at_least(mu, 2) / buy,
        1.0 / buy,
    );
    // Within one week of the first purchase, for first purchases a week
    // or more before the horizon.
    check("bought_again_within_period", 1.0 - (-rate).exp(), 1.0);
    let ppb = metric(&m, 0, "purchases_per_buyer");
    let (mean, se) = mean_se(&ppb);
    let expected = mu / buy;
    assert!(
        (mean - expected).abs() < 4.0 * se.max(1e-3),
        "{mean} vs {expected}"
    );
    // Fixed baskets: every buyer in a bin spends the same, so the top 20%
    // figure is exact; with Poisson counts it lies well above 0.2.
    let top = metric(&m, 0, "top20_revenue_share");
    assert!(top.iter().all(|x| *x > 0.3 && *x < 0.6), "{top:?}");
}

#[test]
fn table_and_report_show_the_answers_and_segments_only_when_several() {
    let mut one = segmented();
    one.population.customers = 300;
    one.simulation.replications = 2;
    let mut single = one.clone();
    single.population.segments.truncate(1);
    single.population.segments[0].share = 1.0;
    for (sc, several) in [(one, true), (single, false)] {
        let out = loyalsim::engine::run(&sc, &|| {});
        let r = loyalsim::stats::build(&sc, &out);
        let table = loyalsim::report::table::render(&r);
        let html = loyalsim::report::html::render(&r, &[]);
        for text in [&table, &html] {
            assert!(text.contains("Referred"), "{text}");
            assert!(text.contains("Regulars"));
            assert!(text.contains("Retention: of the customers"));
            assert_eq!(text.contains("By segment"), several, "{text}");
        }
        // The customers block prints the document's means.
        let referred = r.programs[1].summary["customers_referred"].mean;
        let row = table
            .lines()
            .filter(|l| l.starts_with("combined"))
            .nth(1)
            .unwrap();
        assert!(
            row.split_whitespace()
                .any(|c| c == loyalsim::report::format::thousands(referred)),
            "{row}"
        );
    }
}
