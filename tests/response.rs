//! Customers respond to the incentive, not to the existence of a program:
//! a program that gives nothing changes nothing; more reward buys more
//! behaviour with diminishing returns; unreachable goals motivate nobody;
//! endowed progress; self-selection makes members look better than they
//! are; the café card's goal gradient.
//!
//! Statistical checks compare arms of one run on the same customers
//! (common random numbers) and use tolerances of a few standard errors of
//! the paired per-replication differences.

mod common;
use common::*;
use loyalsim::scenario::*;
use loyalsim::stats::metrics::RepMetrics;

fn points(earn: f64, point_value: f64) -> Points {
    Points {
        earn,
        point_value,
        redeem_threshold: 500.0,
        expiry: None,
        welcome_points: 0.0,
        redeem_probability: 1.0,
        reward_cost_ratio: 1.0,
        catalog: vec![],
    }
}

fn stamps(card_size: u32, prestamped: u32, reward_value: f64) -> Stamps {
    Stamps {
        per_amount: None,
        carry_remainder: false,
        card_size,
        reward_value,
        prestamped,
        min_basket: 0.0,
        card_expiry: None,
        reward_cost_ratio: 0.5,
    }
}

/// Heterogeneous customers who churn, with word of mouth, over 24 months.
fn shop(customers: u64) -> Scenario {
    let mut sc = scenario(
        customers,
        Dist::Gamma {
            shape: 1.5,
            scale: 0.4,
        },
        Dropout::Hazard(0.04),
        Basket::Iid(Dist::lognormal_from_moments(50.0, 25.0)),
        24.0,
    );
    sc.simulation.time_unit = TimeUnit::Month;
    sc.simulation.replications = 12;
    sc
}

fn with(name: &str, f: impl FnOnce(&mut ProgramSpec)) -> ProgramSpec {
    let mut p = program(name, 24.0);
    f(&mut p);
    p
}

fn column(m: &[Vec<RepMetrics>], arm: usize, name: &str) -> Vec<f64> {
    metric(m, arm, name)
}

/// Mean and standard error of per-replication values.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Relative purchase lift of arm `arm` over the control, per replication.
fn lift(m: &[Vec<RepMetrics>], arm: usize) -> Vec<f64> {
    column(m, arm, "purchases")
        .iter()
        .zip(column(m, 0, "purchases"))
        .map(|(p, c)| p / c - 1.0)
        .collect()
}

#[test]
fn a_program_that_gives_nothing_changes_nothing() {
    let mut sc = shop(3000);
    sc.acquisition = Some(Acquisition {
        market_size: Some(20_000.0),
        innovation: 0.002,
        organic: 1.0,
        referral_rate: 0.1,
        referral_conversion: 0.3,
    });
    sc.simulation.replications = 6;
    sc.programs = vec![
        with("worthless points", |p| p.points = Some(points(1.0, 0.0))),
        with("empty stamp card", |p| p.stamps = Some(stamps(8, 2, 0.0))),
        with("zero discount", |p| {
            p.discount = Some(Discount {
                tiers: vec![Tier {
                    from: 0.0,
                    rate: 0.0,
                }],
                basis: TierBasis::Spend,
            })
        }),
        with("unpaid referrals", |p| {
            p.referral = Some(Referral {
                referrer_reward: 0.0,
                referee_reward: 0.0,
                referral_boost: None,
            })
        }),
        with("all of it", |p| {
            p.points = Some(points(2.0, 0.0));
            p.stamps = Some(stamps(10, 0, 0.0));
            p.referral = Some(Referral {
                referrer_reward: 0.0,
                referee_reward: 0.0,
                referral_boost: Some(3.0),
            });
            p.enrolment = 0.4;
        }),
    ];
    // Every response parameter at its default (Response::default()).
    let m = run(&sc);
    for arm in 1..m.len() {
        for name in [
            "purchases",
            "revenue_gross",
            "customers_churned",
            "customers_referred",
            "customers_acquired",
            "customers_active_end",
        ] {
            assert_eq!(
                column(&m, 0, name),
                column(&m, arm, name),
                "{name}, {}",
                sc.programs[arm - 1].name
            );
        }
    }
    // The test can fail: a real reward does change purchases, and paid
    // referrals bring more referred customers than unpaid ones.
    sc.programs = vec![
        with("paid points", |p| p.points = Some(points(1.0, 0.05))),
        with("paid referrals", |p| {
            p.referral = Some(Referral {
                referrer_reward: 50.0,
                referee_reward: 0.0,
                referral_boost: None,
            })
        }),
    ];
    let m = run(&sc);
    assert_ne!(column(&m, 0, "purchases"), column(&m, 1, "purchases"));
    let more: Vec<f64> = column(&m, 2, "customers_referred")
        .iter()
        .zip(column(&m, 0, "customers_referred"))
        .map(|(a, b)| a - b)
        .collect();
    let (d, se) = mean_se(&more);
    assert!(
        d > 4.0 * se && d > 0.0,
        "extra referred customers: {d} ± {se}"
    );
}

#[test]
fn more_reward_buys_more_behaviour_with_diminishing_returns() {
    let mut sc = shop(4000);
    sc.programs = [1.0, 5.0, 10.0]
        .iter()
        .map(|earn| {
            with(&format!("{earn}% back"), |p| {
                p.points = Some(points(*earn, 0.01))
            })
        })
        .collect();
    let m = run(&sc);
    let l: Vec<Vec<f64>> = (1..=3).map(|a| lift(&m, a)).collect();
    let (l1, _) = mean_se(&l[0]);
    let (l10, _) = mean_se(&l[2]);
    let (l5, _) = mean_se(&l[1]);
    eprintln!("purchase lift at 1%, 5%, 10% back: {l1}, {l5}, {l10}");
    let (l10, _) = mean_se(&l[2]);
    let step = |a: usize, b: usize| {
        let d: Vec<f64> = l[b].iter().zip(&l[a]).map(|(x, y)| x - y).collect();
        mean_se(&d)
    };
    // Strictly growing: each step is many standard errors above zero.
    let (d15, se15) = step(0, 1);
    let (d510, se510) = step(1, 2);
    assert!(l1 > 0.0, "1% back: {l1}");
    assert!(d15 > 4.0 * se15, "5% vs 1%: {d15} ± {se15}");
    assert!(d510 > 4.0 * se510, "10% vs 5%: {d510} ± {se510}");
    // Diminishing returns: the lift per point of reward falls.
    let per_point_low = d15 / 4.0;
    let per_point_high = d510 / 5.0;
    let (dd, se) = mean_se(
        &l[0]
            .iter()
            .zip(&l[1])
            .zip(&l[2])
            .map(|((a, b), c)| (b - a) / 4.0 - (c - b) / 5.0)
            .collect::<Vec<_>>(),
    );
    assert!(
        dd > 4.0 * se,
        "per point of reward: {per_point_low} then {per_point_high} (difference {dd} ± {se})"
    );
    // A 1%-back program buys a small fraction of a 10%-back one's lift.
    assert!(l1 < 0.25 * l10, "1%: {l1}, 10%: {l10}");
}

/// Customers who all buy once a month and never leave, fixed baskets.
fn regulars() -> Scenario {
    let mut sc = scenario(
        2000,
        Dist::Fixed(1.0),
        Dropout::None,
        Basket::Iid(Dist::Fixed(40.0)),
        24.0,
    );
    sc.simulation.time_unit = TimeUnit::Month;
    sc.simulation.replications = 4;
    sc
}

/// Purchases of each program's arm under the default response, and under
/// the default response without the goal gradient.
fn with_and_without_goal_gradient(sc: &mut Scenario) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let purchases = |sc: &Scenario| {
        let m = run(sc);
        (1..m.len())
            .map(|a| column(&m, a, "purchases"))
            .collect::<Vec<_>>()
    };
    set_response(sc, Response::for_unit("month"));
    let on = purchases(sc);
    set_response(
        sc,
        Response {
            goal_gradient: 0.0,
            ..Response::for_unit("month")
        },
    );
    (on, purchases(sc))
}

#[test]
fn goals_out_of_reach_give_no_goal_gradient_lift() {
    let mut sc = regulars();
    sc.programs = vec![
        // 20 stamps at one purchase a month, but the card expires after 6.
        with("expiring card", |p| {
            p.stamps = Some(Stamps {
                per_amount: None,
                carry_remainder: false,
                card_expiry: Some(6.0),
                ..stamps(20, 0, 40.0)
            })
        }),
        // Points that expire after 3 months; a voucher needs 10 months.
        with("expiring points", |p| {
            p.points = Some(Points {
                expiry: Some(3.0),
                redeem_threshold: 400.0,
                ..points(1.0, 0.05)
            })
        }),
        // A program that ends at month 4 (a reward needs 12 purchases).
        with("short program", |p| {
            p.stamps = Some(stamps(12, 0, 40.0));
            p.end = 4.0;
        }),
        // Reachable: 5 stamps, no expiry.
        with("reachable card", |p| p.stamps = Some(stamps(5, 0, 40.0))),
    ];
    let (on, off) = with_and_without_goal_gradient(&mut sc);
    for arm in 0..3 {
        assert_eq!(on[arm], off[arm], "{}", sc.programs[arm].name);
    }
    assert_ne!(on[3], off[3], "a reachable goal does pull");

    // Beyond the planning horizon: a 10-stamp card whose reward is always
    // at least a month away gives no lift to members who look 0.5 ahead.
    let mut sc = regulars();
    sc.programs = vec![with("card", |p| p.stamps = Some(stamps(10, 0, 40.0)))];
    let purchases = |sc: &Scenario| column(&run(sc), 1, "purchases");
    let near = |gg: f64| Response {
        goal_horizon: 0.5,
        goal_gradient: gg,
        ..Response::for_unit("month")
    };
    set_response(&mut sc, near(0.2));
    let a = purchases(&sc);
    set_response(&mut sc, near(0.0));
    assert_eq!(a, purchases(&sc));
}

#[test]
fn endowed_progress_completes_more_cards() {
    // Nunes & Drèze (2006): car-wash cards needing 8 washes, one blank
    // 8-stamp card and one 10-stamp card with 2 stamps already printed.
    let mut sc = scenario(
        6000,
        Dist::Gamma {
            shape: 2.0,
            scale: 0.5,
        },
        Dropout::Hazard(0.05),
        Basket::Iid(Dist::Fixed(12.0)),
        9.0,
    );
    sc.simulation.time_unit = TimeUnit::Month;
    sc.simulation.replications = 10;
    sc.programs = vec![
        with("blank 8", |p| p.stamps = Some(stamps(8, 0, 12.0))),
        with("10 with 2 printed", |p| {
            p.stamps = Some(stamps(10, 2, 12.0))
        }),
    ];
    let m = run(&sc);
    let ratio: Vec<f64> = column(&m, 2, "rewards_redeemed")
        .iter()
        .zip(column(&m, 1, "rewards_redeemed"))
        .map(|(e, b)| e / b)
        .collect();
    let (r, se) = mean_se(&ratio);
    eprintln!("endowed / blank completions: {r} ± {se}");
    assert!(
        r - 3.0 * se >= 1.25,
        "endowed / blank completions: {r} ± {se}"
    );
}

#[test]
fn members_look_better_than_they_are() {
    let mut sc = shop(6000);
    let half = |name: &str, f: fn(&mut ProgramSpec)| {
        with(name, |p| {
            p.enrolment = 0.5;
            f(p)
        })
    };
    sc.programs = vec![
        // Gives nothing: members behave exactly as in the control, so
        // their revenue in this arm is their revenue without a program.
        half("nothing", |p| p.stamps = Some(stamps(10, 0, 0.0))),
        half("5% points", |p| p.points = Some(points(5.0, 0.01))),
    ];
    let m = run(&sc);
    let share: Vec<f64> = m[1]
        .iter()
        .zip(&m[0])
        .map(|(p, c)| p.members.member_revenue / c.totals[1])
        .collect();
    let (s, se) = mean_se(&share);
    eprintln!("members' share of the control's revenue: {s} ± {se}");
    assert!(s - 4.0 * se > 0.55, "members' share of revenue: {s} ± {se}");
    // Without self-selection the members are a random half of the buyers.
    set_response(
        &mut sc,
        Response {
            enrolment_selection: 0.0,
            ..Response::default()
        },
    );
    let m0 = run(&sc);
    let share0: Vec<f64> = m0[1]
        .iter()
        .zip(&m0[0])
        .map(|(p, c)| p.members.member_revenue / c.totals[1])
        .collect();
    let (s0, se0) = mean_se(&share0);
    assert!(
        (s0 - 0.5).abs() < 4.0 * se0 + 0.01,
        "random members: {s0} ± {se0}"
    );

    // The naive comparison overstates the true effect on members.
    let extra: Vec<f64> = lift(&m, 2);
    let d_purchases: Vec<f64> = column(&m, 2, "purchases")
        .iter()
        .zip(column(&m, 0, "purchases"))
        .map(|(p, c)| p - c)
        .collect();
    let naive: Vec<f64> = m[2]
        .iter()
        .map(|r| r.members.naive_lift().unwrap())
        .collect();
    let truth: Vec<f64> = m[2]
        .iter()
        .zip(&d_purchases)
        .map(|(r, d)| r.members.true_lift(*d).unwrap())
        .collect();
    let (n, _) = mean_se(&naive);
    let (t, _) = mean_se(&truth);
    let gap: Vec<f64> = naive.iter().zip(&truth).map(|(a, b)| a - b).collect();
    let (g, gse) = mean_se(&gap);
    assert!(t > 0.0 && extra.iter().all(|x| *x > 0.0), "true lift {t}");
    eprintln!("naive member lift {n}, true {t}");
    assert!(g > 4.0 * gse && n > 2.0 * t, "naive {n} vs true {t}");
}

#[test]
fn the_cafe_card_pulls_the_last_purchase_closer() {
    // Kivetz, Urminsky & Zheng (2006): buy ten coffees, get one free. The
    // expected gap between purchases is 1 / (rate × multiplier), so the
    // ratio of the last gap to the first is the ratio of the multipliers
    // after the first and after the ninth stamp.
    use loyalsim::model::habits::Habits;
    use loyalsim::programs::{Member, Who};
    let mut p = program("café", 1000.0);
    p.stamps = Some(Stamps {
        per_amount: None,
        carry_remainder: false,
        reward_cost_ratio: 0.3,
        ..stamps(10, 0, 3.0)
    });
    let r = Response::default();
    let who = Who {
        habits: Habits::fixed(20.0, 3.0),
        response: &r,
        program_end: f64::INFINITY,
    };
    let mut rec = loyalsim::engine::recorder::Recorder::new(1000.0, 1.0);
    let mut m = Member::outside(Default::default());
    m.join(&p, &who, 0.0, &mut rec);
    let mut after = Vec::new();
    for k in 0..9 {
        let t = k as f64 * 0.05;
        m.purchase(&p, &who, rec.moment(t), 3.0, 0.0, &mut |_| false, &mut rec);
        after.push(m.rates(&p, &who, t).buy.now());
    }
    let ratio = after[0] / after[8];
    // By hand: v = 3 / (10 × 3) = 0.1, S(0.1) = (0.1/0.2) / (0.07/0.17).
    let s = (0.1 / 0.2) / (0.07 / 0.17);
    let want = (1.0 + 0.2 * s * 0.1) / (1.0 + 0.2 * s * 0.9);
    assert!((ratio - want).abs() < 1e-12, "{ratio} vs {want}");
    // About 20% shorter (16% with the defaults).
    assert!((0.75..0.87).contains(&ratio), "{ratio}");
}

#[test]
fn the_membership_effect_fades_exactly() {
    // Everyone buys 20 times a month, leaves at hazard 0.3 and joins at
    // their first purchase; a 10% discount (no purchase lift) lowers a
    // member's hazard by A·e^{−tenure/F}, A = (1 − member_churn)·S(0.1).
    // The chance of being there at T is then, with τ the first purchase,
    //   e^{−(λ+μ)T} + ∫₀ᵀ λe^{−(λ+μ)τ} exp(−μ[(T−τ) − A·F(1 − e^{−(T−τ)/F})]) dτ.
    let (lambda, mu, horizon) = (20.0, 0.3, 6.0);
    let mut sc = scenario(
        20_000,
        Dist::Fixed(lambda),
        Dropout::Hazard(mu),
        Basket::Iid(Dist::Fixed(10.0)),
        horizon,
    );
    sc.simulation.time_unit = TimeUnit::Month;
    sc.simulation.replications = 4;
    sc.programs = vec![with("discount", |p| {
        p.discount = Some(Discount {
            tiers: vec![Tier {
                from: 0.0,
                rate: 0.1,
            }],
            basis: TierBasis::Spend,
        })
    })];
    let fade = 2.0;
    let r = Response {
        discount_elasticity: 0.0,
        member_churn: 0.5,
        effect_fade: fade,
        heavy_damping: 0.0,
        ..Response::default()
    };
    set_response(&mut sc, r);
    let a = 0.5 * r.strength(0.1);
    let survive = |tau: f64| {
        let s = horizon - tau;
        (-(lambda + mu) * tau).exp()
            * lambda
            * (-mu * (s - a * fade * (1.0 - (-s / fade).exp()))).exp()
    };
    // Simpson's rule on a fine grid.
    let n = 20_000;
    let h = horizon / n as f64;
    let integral = (0..=n)
        .map(|i| {
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            w * survive(i as f64 * h)
        })
        .sum::<f64>()
        * h
        / 3.0;
    let want = (-(lambda + mu) * horizon).exp() + integral;
    let m = run(&sc);
    let kept = column(&m, 1, "retention");
    let got = kept.iter().sum::<f64>() / kept.len() as f64;
    let n_customers = 20_000.0 * kept.len() as f64;
    let se = (want * (1.0 - want) / n_customers).sqrt();
    assert!(
        (got - want).abs() < 4.0 * se,
        "retention {got} vs {want} ± {se}"
    );
    // Without fading the members would keep far more: the test can fail.
    let no_fade = (-mu * horizon * (1.0 - a)).exp();
    assert!((no_fade - want).abs() > 20.0 * se, "{no_fade} vs {want}");
    // And the control keeps e^{−μT}.
    let control = column(&m, 0, "retention");
    let c = control.iter().sum::<f64>() / control.len() as f64;
    let pc = (-mu * horizon).exp();
    assert!((c - pc).abs() < 4.0 * (pc * (1.0 - pc) / n_customers).sqrt());
}
