//! Ambassadors: every customer won through word of mouth is attributed to
//! one customer who was referring at that moment, in proportion to their
//! contact rate. Conservation laws hold exactly in every replication; the
//! number of distinct referrers matches the random-recursive-tree closed
//! form; boosted referrers are picked in the ratio of their multipliers;
//! the thread count changes nothing.

mod common;
use common::*;
use loyalsim::engine::answers::Seg;
use loyalsim::engine::recorder::{Flow, Recorder};
use loyalsim::scenario::*;
use loyalsim::stats::metrics::{self, PERIOD_SERIES, RepMetrics, SEGMENT_METRICS};

fn total(m: &RepMetrics, name: &str) -> f64 {
    m.totals[metrics::index(name)]
}

fn series<'a>(m: &'a RepMetrics, name: &str) -> &'a [f64] {
    &m.series[PERIOD_SERIES.iter().position(|s| *s == name).unwrap()]
}

fn seg(m: &RepMetrics, k: usize, name: &str) -> f64 {
    m.segments[k][SEGMENT_METRICS.iter().position(|s| *s == name).unwrap()]
}

/// Recorders of every arm and replication.
fn recorders(sc: &Scenario) -> Vec<Vec<Recorder>> {
    let out = loyalsim::engine::run(sc, &|| {});
    out.arms.into_iter().map(|a| a.replications).collect()
}

/// Two segments, churn, word of mouth in a Bass market, and a referral
/// program with a win-back campaign (customers who leave and come back).
fn busy() -> Scenario {
    let mut sc = scenario(
        800,
        Dist::Gamma {
            shape: 1.5,
            scale: 0.4,
        },
        Dropout::Hazard(0.04),
        Basket::Iid(Dist::Fixed(20.0)),
        30.0,
    );
    let mut light = sc.population.segments[0].clone();
    light.name = "light".into();
    light.share = 0.4;
    light.purchase_rate = Dist::Fixed(0.2);
    sc.population.segments[0].share = 0.6;
    sc.population.segments.push(light);
    sc.acquisition = Some(Acquisition {
        market_size: Some(5_000.0),
        innovation: 0.002,
        organic: 2.0,
        referral_rate: 0.1,
        referral_conversion: 0.3,
    });
    sc.simulation.replications = 4;
    let mut p = program("referral", 30.0);
    p.referral = Some(Referral {
        referrer_reward: 20.0,
        referee_reward: 5.0,
        referral_boost: Some(3.0),
    });
    p.winback = Some(Winback {
        after: 4.0,
        every: 2.0,
        max_messages: 2,
        message_cost: 0.5,
        response: 0.3,
    });
    p.enrolment = 0.6;
    p.start = 3.0;
    p.end = 24.0;
    sc.programs = vec![p];
    sc
}

#[test]
fn every_referred_customer_has_exactly_one_referrer() {
    let sc = busy();
    let recs = recorders(&sc);
    let m = run(&sc);
    for (arm, reps) in recs.iter().enumerate() {
        for (rec, r) in reps.iter().zip(&m[arm]) {
            let (referrals, ambassadors) = rec.answers().referrals();
            if arm == 1 {
                assert!(rec.total(Flow::Reactivated) > 0.0);
            }
            let referred = rec.total(Flow::Referred);
            assert!(referred > 0.0);
            // Whole numbers: exact.
            assert_eq!(referrals, referred, "arm {arm}");
            assert!(ambassadors > 0.0 && ambassadors <= referred);
            let end = total(r, "ambassadors_end");
            assert!(end <= ambassadors && end <= total(r, "customers_active_end"));
            assert_eq!(
                total(r, "referrals_per_ambassador"),
                referrals / ambassadors
            );
            // Ambassadors are customers: never more than the active ones.
            let (amb, active) = (series(r, "ambassadors"), series(r, "active_customers"));
            for p in 0..active.len() {
                assert!(amb[p] >= 0.0 && amb[p] <= active[p], "period {p}");
            }
            assert_eq!(*amb.last().unwrap(), end);
            // The segments add up.
            let k = r.segments.len();
            assert_eq!(k, 2);
            let sum: f64 = (0..k).map(|s| seg(r, s, "ambassadors_end")).sum();
            assert_eq!(sum, end);
            let by_seg: f64 = (0..k)
                .map(|s| rec.answers().segment(s)[Seg::Referrals as usize])
                .sum();
            assert_eq!(by_seg, referred);
        }
    }
}

#[test]
fn no_word_of_mouth_no_ambassadors() {
    let mut sc = busy();
    sc.acquisition.as_mut().unwrap().referral_rate = 0.0;
    for (rec, r) in recorders(&sc)
        .iter()
        .flatten()
        .zip(run(&sc).iter().flatten())
    {
        assert_eq!(rec.total(Flow::Referred), 0.0);
        assert_eq!(rec.answers().referrals(), (0.0, 0.0));
        assert!(series(r, "ambassadors").iter().all(|x| *x == 0.0));
        assert_eq!(total(r, "referrals_per_ambassador"), 0.0);
        assert!(total(r, "customers_acquired") > 0.0);
    }
}

#[test]
fn distinct_referrers_match_the_random_recursive_tree() {
    // S customers who never leave and n customers won by word of mouth
    // alone, each of whom refers too: the j-th is attributed uniformly to
    // one of the S + j − 1 customers there. A customer there for the
    // referrals after the j-th (j = 0 for the first S) refers at least
    // once with chance 1 − Π (S + m − 2)/(S + m − 1) = (n − j)/(S + n − 1),
    // so E[ambassadors | n] = (S n + n (n − 1)/2) / (S + n − 1). The draws
    // of who referred do not change n, so the difference has mean 0.
    let s = 20.0;
    let mut sc = scenario(
        20,
        Dist::Fixed(0.5),
        Dropout::None,
        Basket::Iid(Dist::Fixed(10.0)),
        10.0,
    );
    sc.acquisition = Some(Acquisition {
        market_size: None,
        innovation: 0.0,
        organic: 0.0,
        referral_rate: 0.07,
        referral_conversion: 1.0,
    });
    sc.simulation.replications = 2000;
    let m = run(&sc);
    let diffs: Vec<f64> = m[0]
        .iter()
        .map(|r| {
            let n = total(r, "customers_referred");
            let expected = if n == 0.0 {
                0.0
            } else {
                (s * n + n * (n - 1.0) / 2.0) / (s + n - 1.0)
            };
            total(r, "ambassadors_end") - expected
        })
        .collect();
    let mean_n = metric(&m, 0, "customers_referred").iter().sum::<f64>() / 2000.0;
    assert!(mean_n > 15.0 && mean_n < 30.0, "{mean_n}");
    let (mean, se) = mean_se(&diffs);
    assert!(mean.abs() < 4.0 * se, "{mean} (se {se})");
    // Picking among the first S alone would give S (1 − (1 − 1/S)^n),
    // about 2.3 fewer at n = 20: far outside the tolerance.
    assert!(4.0 * se < 0.5, "se {se}");
}

#[test]
fn boosted_referrers_are_picked_by_their_multipliers() {
    // Two equal segments of members who refer 4 and 1 times as often as
    // a customer outside the program (the reward is one basket, so the
    // multiplier is the segment's referral_boost). Everyone joins at their
    // first purchase, within about 0.01 weeks; referrals over one week are
    // few against the 4,000 customers, so the mix of referrers hardly
    // moves: the first segment's share of the recommendations is 4/5 (the
    // referrals in the moments before customers join, split evenly, pull
    // it down by about 0.001, a fifth of the standard error). Without a program everyone
    // refers alike: one half.
    let mut sc = scenario(
        4000,
        Dist::Fixed(100.0),
        Dropout::None,
        Basket::Iid(Dist::Fixed(10.0)),
        1.0,
    );
    let mut eager = sc.population.segments[0].clone();
    eager.name = "eager".into();
    eager.share = 0.5;
    eager.response.referral_boost = 4.0;
    let mut quiet = eager.clone();
    quiet.name = "quiet".into();
    quiet.response.referral_boost = 1.0;
    sc.population.segments = vec![eager, quiet];
    sc.acquisition = Some(Acquisition {
        market_size: None,
        innovation: 0.0,
        organic: 0.0,
        referral_rate: 0.01,
        referral_conversion: 1.0,
    });
    sc.simulation.replications = 40;
    let mut p = program("referral", 1.0);
    p.referral = Some(Referral {
        referrer_reward: 10.0,
        referee_reward: 0.0,
        referral_boost: None,
    });
    p.enrolment = 1.0;
    sc.programs = vec![p];
    let recs = recorders(&sc);
    for (arm, expected) in [(0, 0.5), (1, 0.8)] {
        let (mut first, mut all) = (0.0, 0.0);
        for rec in &recs[arm] {
            let a = rec.answers();
            first += a.segment(0)[Seg::Referrals as usize];
            all += a.segment(0)[Seg::Referrals as usize] + a.segment(1)[Seg::Referrals as usize];
        }
        assert!(all > 1000.0, "{all}");
        let share = first / all;
        let se = (expected * (1.0 - expected) / all).sqrt();
        assert!(
            (share - expected).abs() < 4.0 * se,
            "arm {arm}: {share} vs {expected} (se {se})"
        );
    }
}

#[test]
fn ambassadors_do_not_depend_on_the_thread_count() {
    let mut sc = busy();
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
    let one = json(1);
    assert!(one.contains("\"ambassadors_end\""));
    assert_eq!(one, json(3));
}
