//! Loyalty mechanisms: hand-checkable cases, conservation laws, and the
//! property that with every response parameter neutral a program is pure
//! accounting on the control's purchase stream.

mod common;
use common::*;
use loyalsim::engine::recorder::Flow;
use loyalsim::scenario::*;

fn stamps(card_size: u32, reward_value: f64, ratio: f64) -> Stamps {
    Stamps {
        per_amount: None,
        carry_remainder: false,
        card_size,
        reward_value,
        prestamped: 0,
        min_basket: 0.0,
        card_expiry: None,
        reward_cost_ratio: ratio,
    }
}

fn points(expiry: Option<f64>) -> Points {
    Points {
        earn: 1.0,
        point_value: 0.01,
        redeem_threshold: 500.0,
        expiry,
        welcome_points: 100.0,
        redeem_probability: 0.8,
        reward_cost_ratio: 1.0,
        catalog: vec![],
    }
}

fn flat(rate: f64) -> Discount {
    Discount {
        tiers: vec![Tier { from: 0.0, rate }],
        basis: TierBasis::Spend,
    }
}

fn referral() -> Referral {
    Referral {
        referrer_reward: 10.0,
        referee_reward: 5.0,
        referral_boost: None,
    }
}

/// A scenario with churn, heterogeneity and word of mouth, and one program per mechanism.
fn rich(horizon: f64) -> Scenario {
    let mut sc = scenario(
        800,
        Dist::Gamma {
            shape: 1.5,
            scale: 0.5,
        },
        Dropout::Hazard(0.05),
        Basket::Iid(Dist::lognormal_from_moments(60.0, 30.0)),
        horizon,
    );
    sc.acquisition = Some(Acquisition {
        market_size: Some(5_000.0),
        innovation: 0.002,
        organic: 2.0,
        referral_rate: 0.1,
        referral_conversion: 0.3,
    });
    sc.simulation.replications = 6;
    let mut d = program("discount", horizon);
    d.discount = Some(flat(0.05));
    let mut t = program("tiers", horizon);
    t.discount = Some(Discount {
        tiers: vec![
            Tier {
                from: 0.0,
                rate: 0.02,
            },
            Tier {
                from: 200.0,
                rate: 0.06,
            },
        ],
        basis: TierBasis::Spend,
    });
    let mut p = program("points", horizon);
    p.points = Some(points(Some(6.0)));
    let mut s = program("stamps", horizon);
    s.stamps = Some(Stamps {
        per_amount: None,
        carry_remainder: false,
        prestamped: 2,
        card_expiry: Some(8.0),
        min_basket: 20.0,
        ..stamps(10, 30.0, 0.6)
    });
    let mut r = program("referral", horizon);
    r.referral = Some(referral());
    let mut all = program("combined", horizon);
    all.discount = Some(flat(0.03));
    all.points = Some(points(None));
    all.stamps = Some(stamps(8, 20.0, 0.6));
    all.referral = Some(referral());
    all.enrolment = 0.6;
    all.start = 2.0;
    all.end = horizon - 4.0;
    all.costs = Costs {
        setup: 100.0,
        per_member: 2.0,
        per_member_per_unit: 0.1,
        per_unit: 5.0,
    };
    sc.programs = vec![d, t, p, s, r, all];
    sc
}

#[test]
fn conservation_laws_hold_in_every_replication() {
    let sc = rich(20.0);
    let m = run(&sc);
    for (arm, reps) in m.iter().enumerate() {
        for (rep, r) in reps.iter().enumerate() {
            let v = |n: &str| r.totals[loyalsim::stats::metrics::index(n)];
            assert_eq!(
                v("customers_initial") + v("customers_acquired"),
                v("customers_active_end") + v("customers_churned"),
                "customers, arm {arm} rep {rep}"
            );
            let flows = v("points_redeemed")
                + v("points_expired")
                + v("points_forfeited")
                + v("points_outstanding");
            assert!(
                (v("points_issued") - flows).abs() <= 1e-9 * v("points_issued").max(1.0),
                "points, arm {arm} rep {rep}: issued {} vs {}",
                v("points_issued"),
                flows
            );
            let cost = v("discounts") + v("reward_cost") + v("fixed_cost");
            assert!((v("program_cost") - cost).abs() < 1e-9);
            assert!(v("members_end") <= v("customers_active_end"));
        }
    }
    // The mechanisms did something: points were issued, stamps redeemed, referrals paid.
    let points = metric(&m, 3, "points_issued");
    assert!(points.iter().all(|x| *x > 0.0));
    assert!(metric(&m, 4, "rewards_redeemed").iter().all(|x| *x > 0.0));
    assert!(metric(&m, 5, "reward_cost").iter().all(|x| *x > 0.0));
}

/// The baskets the arms-equal-the-control tests run with: drawn ones, and
/// fixed ones (the control has a loop of its own for those), 0 included.
const BASKETS: [Dist; 3] = [
    Dist::LogNormal {
        mu: 4.0,
        sigma: 0.47,
    },
    Dist::Fixed(40.0),
    Dist::Fixed(0.0),
];

#[test]
fn neutral_response_gives_the_control_purchase_stream() {
    for basket in BASKETS {
        let mut sc = rich(20.0);
        sc.population.segments[0].basket = Basket::Iid(basket);
        set_response(&mut sc, Response::neutral());
        for p in &mut sc.programs {
            if let Some(r) = &mut p.referral {
                r.referral_boost = None;
            }
        }
        let m = run(&sc);
        assert_arms_buy_as_the_control(&sc, &m);
    }
}

/// Every program arm's purchases, revenue, churned and acquired customers,
/// and the customer answers the control tallies in a loop of its own,
/// equal the control's (arm 0), replication for replication.
fn assert_arms_buy_as_the_control(sc: &Scenario, m: &[Vec<loyalsim::stats::metrics::RepMetrics>]) {
    for arm in 1..m.len() {
        for name in [
            "purchases",
            "revenue_gross",
            "customers_churned",
            "customers_acquired",
            "buyers",
            "repeat_buyer_share",
            "bought_again_within_period",
            "top20_revenue_share",
            "one_time_buyers_end",
            "repeat_buyers_end",
            "regulars_end",
        ] {
            assert_eq!(
                metric(m, 0, name),
                metric(m, arm, name),
                "{name}, {}",
                sc.programs[arm - 1].name
            );
        }
    }
}

#[test]
fn customers_who_all_decline_live_exactly_as_in_the_control() {
    // Nobody joins (enrolment 0), under the default (strong) response and
    // with a win-back campaign that would bring everyone back: every
    // customer declines at their first purchase and lives on as in the
    // control, bit for bit (the engine's fast path for customers who
    // declined), with hazard and with BG/NBD churn after a purchase.
    for (dropout, basket) in [
        (Dropout::Hazard(0.05), BASKETS[0]),
        (Dropout::Bg { a: 0.8, b: 2.4 }, BASKETS[0]),
        (Dropout::Hazard(0.05), BASKETS[1]),
        (Dropout::Bg { a: 0.8, b: 2.4 }, BASKETS[2]),
    ] {
        let mut sc = rich(20.0);
        sc.population.segments[0].dropout = dropout;
        sc.population.segments[0].basket = Basket::Iid(basket);
        for p in &mut sc.programs {
            p.enrolment = 0.0;
            p.winback = Some(Winback {
                after: 1.0,
                every: 1.0,
                max_messages: 3,
                message_cost: 1.0,
                response: 1.0,
            });
        }
        let m = run(&sc);
        assert_arms_buy_as_the_control(&sc, &m);
        for arm in 1..m.len() {
            // Offered at their first purchase in the window, and declined.
            assert!(metric(&m, arm, "members_end").iter().all(|x| *x == 0.0));
            assert!(metric(&m, arm, "messages_sent").iter().all(|x| *x == 0.0));
        }
    }
}

#[test]
fn flat_discount_with_zero_response_is_rate_times_list_revenue() {
    let mut sc = rich(12.0);
    set_response(&mut sc, Response::neutral());
    sc.programs.truncate(1);
    let m = run(&sc);
    let gross = metric(&m, 1, "revenue_gross");
    let disc = metric(&m, 1, "discounts");
    for (g, d) in gross.iter().zip(&disc) {
        assert!((d - 0.05 * g).abs() <= 1e-9 * g, "{d} vs {}", 0.05 * g);
    }
    assert_eq!(metric(&m, 0, "purchases"), metric(&m, 1, "purchases"));
}

#[test]
fn stamp_card_reward_cost_is_exact_per_customer() {
    // One customer per replication, no churn, no response: every tenth
    // purchase earns a reward of 40 at cost ratio 0.5.
    let mut sc = scenario(
        1,
        Dist::Fixed(3.0),
        Dropout::None,
        Basket::Iid(Dist::Fixed(25.0)),
        20.0,
    );
    set_response(&mut sc, Response::neutral());
    sc.simulation.replications = 40;
    let mut s = program("stamps", 20.0);
    s.stamps = Some(stamps(10, 40.0, 0.5));
    sc.programs = vec![s];
    let m = run(&sc);
    let purchases = metric(&m, 1, "purchases");
    let cost = metric(&m, 1, "reward_cost");
    let rewards = metric(&m, 1, "rewards_redeemed");
    assert!(purchases.iter().any(|n| *n >= 50.0));
    for ((n, c), k) in purchases.iter().zip(&cost).zip(&rewards) {
        let expected = (n / 10.0).floor();
        assert_eq!(*k, expected);
        assert_eq!(*c, expected * 40.0 * 0.5);
    }
}

#[test]
fn per_amount_stamps_reward_cost_is_exact_per_customer() {
    // Baskets of 65 with one stamp per full 30: 2 stamps a purchase without
    // carrying the remainder (5 lost each time), 65/30 a purchase with it
    // (a third stamp every sixth purchase). A card of 10.
    for (carry, stamps_after) in [
        (false, (|n: f64| 2.0 * n) as fn(f64) -> f64),
        (true, |n: f64| (65.0 * n / 30.0).floor()),
    ] {
        let mut sc = scenario(
            1,
            Dist::Fixed(3.0),
            Dropout::None,
            Basket::Iid(Dist::Fixed(65.0)),
            20.0,
        );
        set_response(&mut sc, Response::neutral());
        sc.simulation.replications = 20;
        let mut s = program("stamps", 20.0);
        s.stamps = Some(Stamps {
            per_amount: Some(30.0),
            carry_remainder: carry,
            ..stamps(10, 40.0, 0.5)
        });
        sc.programs = vec![s];
        let m = run(&sc);
        let purchases = metric(&m, 1, "purchases");
        let cost = metric(&m, 1, "reward_cost");
        let rewards = metric(&m, 1, "rewards_redeemed");
        assert!(purchases.iter().any(|n| *n >= 50.0));
        for ((n, c), k) in purchases.iter().zip(&cost).zip(&rewards) {
            let expected = (stamps_after(*n) / 10.0).floor();
            assert_eq!(*k, expected, "carry {carry}, {n} purchases");
            assert_eq!(*c, expected * 40.0 * 0.5);
        }
    }
}

#[test]
fn fixed_costs_are_setup_plus_running_costs() {
    let mut sc = scenario(
        50,
        Dist::Fixed(1.0),
        Dropout::None,
        Basket::Iid(Dist::Fixed(10.0)),
        12.0,
    );
    sc.simulation.replications = 2;
    let mut p = program("costly", 12.0);
    p.start = 2.0;
    p.end = 8.0;
    p.enrolment = 0.0;
    p.costs = Costs {
        setup: 500.0,
        per_member: 3.0,
        per_member_per_unit: 1.0,
        per_unit: 20.0,
    };
    sc.programs = vec![p];
    let m = run(&sc);
    for c in metric(&m, 1, "fixed_cost") {
        assert_eq!(c, 500.0 + 20.0 * 6.0);
    }
}

#[test]
fn discount_profit_matches_the_exact_expectation() {
    // No heterogeneity, no churn, fixed basket, flat discount d at margin m.
    // A customer joins at their first purchase (which already gets the
    // discount) and buys at rate λ(1 + εd) from then on, so over a horizon T
    //   E[N] = (1 − e^{−λT}) + λ'·[T(1 − e^{−λT}) − (1 − e^{−λT}(1 + λT))/λ],
    // and profit per purchase is (m − d)·b instead of m·b. For large T the
    // profit ratio tends to docs/model.md's (m − d)(1 + εd)/m.
    let (lambda, t, d, m, eps, b) = (0.5, 40.0, 0.1, 0.4, 1.5, 50.0);
    let n = 4_000.0;
    let mut sc = scenario(
        n as u64,
        Dist::Fixed(lambda),
        Dropout::None,
        Basket::Iid(Dist::Fixed(b)),
        t,
    );
    sc.business.gross_margin = m;
    let mut r = Response::neutral();
    r.discount_elasticity = eps;
    set_response(&mut sc, r);
    sc.simulation.replications = 20;
    let mut p = program("discount", t);
    p.discount = Some(flat(d));
    sc.programs = vec![p];
    let res = run(&sc);
    let lp = lambda * (1.0 + eps * d);
    let e1 = (-lambda * t).exp();
    let expected_n = (1.0 - e1) + lp * (t * (1.0 - e1) - (1.0 - e1 * (1.0 + lambda * t)) / lambda);
    let expected_profit = (m - d) * b * expected_n;
    let per_customer: Vec<f64> = metric(&res, 1, "profit").iter().map(|x| x / n).collect();
    let (mean, se) = mean_se(&per_customer);
    assert!(
        (mean - expected_profit).abs() < 4.0 * se,
        "profit per customer {mean} ± {se}, expected {expected_profit}"
    );
    let control: Vec<f64> = metric(&res, 0, "profit").iter().map(|x| x / n).collect();
    let (cmean, cse) = mean_se(&control);
    assert!((cmean - m * b * lambda * t).abs() < 4.0 * cse);
    // The exact expectation approaches the ratio of docs/model.md as T grows.
    let ratio_limit = (m - d) * (1.0 + eps * d) / m;
    let big_t = 1e6;
    let en = 1.0 + lp * (big_t - 1.0 / lambda);
    assert!(((m - d) * en / (m * lambda * big_t) - ratio_limit).abs() < 1e-5);
}

#[test]
fn points_expire_exactly_one_expiry_span_after_they_are_earned() {
    // Customers who never leave and never redeem, on 4-week expiry with
    // weekly reports: every point earned in week k expires in week k + 4,
    // whatever the response does to the purchase times, and what was earned
    // in the last 4 weeks is still held at the horizon. All values are whole
    // numbers, so the sums are exact.
    let horizon = 20.0;
    let mut sc = scenario(
        500,
        Dist::Fixed(1.5),
        Dropout::None,
        Basket::Iid(Dist::Fixed(30.0)),
        horizon,
    );
    sc.simulation.replications = 3;
    let mut p = program("expiring points", horizon);
    p.points = Some(Points {
        earn: 2.0,
        expiry: Some(4.0),
        welcome_points: 0.0,
        redeem_probability: 0.0,
        ..points(None)
    });
    sc.programs = vec![p];
    let out = loyalsim::engine::run(&sc, &|| {});
    let arm = out.arms.last().expect("the program's arm");
    for rec in &arm.replications {
        let issued = rec.flow(Flow::PointsIssued);
        let expired = rec.flow(Flow::PointsExpired);
        let purchases = rec.flow(Flow::Purchases);
        assert_eq!(issued.len(), 20);
        for k in 0..issued.len() {
            assert_eq!(issued[k], 60.0 * purchases[k], "week {}", k + 1);
            let due = if k >= 4 { issued[k - 4] } else { 0.0 };
            assert_eq!(expired[k], due, "week {}", k + 1);
        }
        assert!(expired.iter().sum::<f64>() > 0.0);
        assert_eq!(
            rec.total(Flow::PointsHeldEnd),
            issued[16..].iter().sum::<f64>()
        );
        assert_eq!(rec.total(Flow::PointsRedeemed), 0.0);
        assert_eq!(rec.total(Flow::PointsForfeited), 0.0);
    }
}

#[test]
fn points_outside_the_window_are_forfeited_at_its_end() {
    let mut sc = rich(24.0);
    let mut p = program("one year of points", 24.0);
    p.points = Some(points(None));
    p.end = 12.0;
    sc.programs = vec![p];
    let m = run(&sc);
    assert!(metric(&m, 1, "members_end").iter().all(|x| *x == 0.0));
    assert!(
        metric(&m, 1, "points_outstanding")
            .iter()
            .all(|x| *x == 0.0)
    );
    assert!(metric(&m, 1, "points_expired").iter().all(|x| *x > 0.0));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let sc = two_segments(rich(12.0));
    let json = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let out = pool.install(|| loyalsim::engine::run(&sc, &|| {}));
        loyalsim::report::json(&loyalsim::stats::build(&sc, &out))
    };
    let one = json(1);
    assert_eq!(one, json(2));
    assert_eq!(one, json(5));
    // The comparison covers the per-segment results and the customer answers.
    for field in [
        "\"segments\"",
        "\"top20_revenue_share\"",
        "\"regulars\"",
        "\"bought_again_within_period\"",
    ] {
        assert!(one.contains(field), "{field}");
    }
}

/// The scenario's one segment split in two, the second buying less often.
fn two_segments(mut sc: Scenario) -> Scenario {
    let mut light = sc.population.segments[0].clone();
    light.name = "light".into();
    light.share = 0.4;
    light.purchase_rate = Dist::Fixed(0.2);
    sc.population.segments[0].share = 0.6;
    sc.population.segments.push(light);
    sc
}

#[test]
fn large_cohort_blocks_do_not_depend_on_the_thread_count() {
    // More customers than one parallel block, with word of mouth.
    let mut sc = two_segments(rich(6.0));
    sc.population.customers = 20_000;
    sc.simulation.replications = 2;
    let json = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let out = pool.install(|| loyalsim::engine::run(&sc, &|| {}));
        loyalsim::report::json(&loyalsim::stats::build(&sc, &out))
    };
    assert_eq!(json(1), json(2));
}

#[test]
fn cohort_members_joining_after_the_horizon_are_not_counted() {
    // Half the cohort joins after the horizon: they are not customers of
    // this simulation, and the head-count conservation law still holds.
    let mut sc = scenario(
        100,
        Dist::Fixed(1.0),
        Dropout::Hazard(0.02),
        Basket::Iid(Dist::Fixed(10.0)),
        12.0,
    );
    sc.population.cohort = Some((0..100).map(|i| if i < 50 { 0.0 } else { 30.0 }).collect());
    sc.simulation.replications = 4;
    let m = run(&sc);
    for r in &m[0] {
        let v = |n: &str| r.totals[loyalsim::stats::metrics::index(n)];
        assert_eq!(v("customers_initial"), 50.0);
        assert_eq!(
            v("customers_initial") + v("customers_acquired"),
            v("customers_active_end") + v("customers_churned")
        );
        assert!(v("retention") <= 1.0);
    }
}

#[test]
fn a_segment_referral_boost_applies_to_that_segment() {
    let mut sc = rich(12.0);
    sc.programs = vec![{
        let mut r = program("referral", 12.0);
        r.referral = Some(referral());
        r
    }];
    sc.simulation.replications = 4;
    let acquired = |sc: &Scenario| metric(&run(sc), 1, "customers_acquired");
    let mut seg_only = sc.clone();
    seg_only.population.segments[0].response.referral_boost = 5.0;
    let mut both = sc.clone();
    both.response.referral_boost = 5.0;
    both.population.segments[0].response.referral_boost = 5.0;
    let mut global_only = sc.clone();
    global_only.response.referral_boost = 5.0;
    global_only.population.segments[0].response.referral_boost = 1.0;
    let (a, b, c) = (acquired(&seg_only), acquired(&both), acquired(&global_only));
    assert_eq!(a, b, "the segment's value is the one in force");
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(
        mean(&a) > mean(&c),
        "boost 5 should bring more customers than 1: {a:?} vs {c:?}"
    );
}
