//! The customer-base model against published closed forms. Every tolerance is
//! a multiple of the Monte Carlo standard error, estimated from independent
//! replications with a fixed seed.

mod common;
use common::*;
use loyalsim::scenario::*;
use loyalsim::stats::closed_form;

/// Cumulative value of period series `name` at the end of period `p`, per replication.
fn series_cum(
    m: &[Vec<loyalsim::stats::metrics::RepMetrics>],
    name: &str,
    upto: usize,
) -> Vec<f64> {
    let s = loyalsim::stats::metrics::PERIOD_SERIES
        .iter()
        .position(|x| *x == name)
        .unwrap();
    m[0].iter()
        .map(|r| r.series[s][..upto].iter().sum())
        .collect()
}

fn assert_within_se(what: &str, sim: &[f64], expected: f64, k: f64) {
    let (mean, se) = mean_se(sim);
    assert!(
        (mean - expected).abs() <= k * se,
        "{what}: simulated {mean:.5} ± {se:.5} (SE), expected {expected:.5}"
    );
}

/// Gamma(r, alpha) purchase rates with `dropout`, 20,000 customers, 78 weeks:
/// mean purchases per customer at weeks 13, 39 and 78 against `expected(t)`.
fn assert_purchases_track(
    model: &str,
    r: f64,
    alpha: f64,
    dropout: Dropout,
    expected: impl Fn(f64) -> f64,
) {
    let n = 20_000.0;
    let mut sc = scenario(
        n as u64,
        Dist::Gamma {
            shape: r,
            scale: 1.0 / alpha,
        },
        dropout,
        Basket::Iid(Dist::Fixed(1.0)),
        78.0,
    );
    sc.simulation.replications = 20;
    let m = run(&sc);
    for t in [13usize, 39, 78] {
        let per_customer: Vec<f64> = series_cum(&m, "purchases", t)
            .iter()
            .map(|x| x / n)
            .collect();
        assert_within_se(
            &format!("{model} E[X({t})]"),
            &per_customer,
            expected(t as f64),
            4.0,
        );
    }
}

#[test]
fn bgnbd_purchases_match_closed_form() {
    // Published CDNOW estimates, weeks (Fader, Hardie & Lee 2005).
    let (r, alpha, a, b) = (0.243, 4.414, 0.793, 2.426);
    assert_purchases_track("BG/NBD", r, alpha, Dropout::Bg { a, b }, |t| {
        closed_form::bgnbd_expected_purchases(r, alpha, a, b, t)
    });
}

#[test]
fn pareto_nbd_purchases_match_closed_form() {
    // Published CDNOW Pareto/NBD estimates (Fader, Hardie & Lee 2005a).
    let (r, alpha, s, beta) = (0.55, 10.58, 0.61, 11.67);
    let dropout = Dropout::Pareto {
        shape: s,
        rate: beta,
    };
    assert_purchases_track("Pareto/NBD", r, alpha, dropout, |t| {
        closed_form::pnbd_expected_purchases(r, alpha, s, beta, t)
    });
}

#[test]
fn constant_hazard_gives_exponential_retention_and_purchases() {
    let (lambda, h, t) = (2.0, 0.1, 10.0);
    let n = 10_000.0;
    let mut sc = scenario(
        n as u64,
        Dist::Fixed(lambda),
        Dropout::Hazard(h),
        Basket::Iid(Dist::Fixed(1.0)),
        t,
    );
    sc.simulation.replications = 20;
    let m = run(&sc);
    let retention = metric(&m, 0, "retention");
    assert_within_se("retention", &retention, (-h * t).exp(), 4.0);
    let per_customer: Vec<f64> = metric(&m, 0, "purchases").iter().map(|x| x / n).collect();
    assert_within_se(
        "E[X(t)]",
        &per_customer,
        lambda * (1.0 - (-h * t).exp()) / h,
        4.0,
    );
}

#[test]
fn gamma_gamma_mean_basket() {
    // Published CDNOW spend model: p 6.25, q 3.74, gamma 15.44.
    let (p, q, g) = (6.25, 3.74, 15.44);
    let mut sc = scenario(
        20_000,
        Dist::Fixed(1.0),
        Dropout::None,
        Basket::GammaGamma { p, q, gamma: g },
        10.0,
    );
    sc.simulation.replications = 20;
    let m = run(&sc);
    let gross = metric(&m, 0, "revenue_gross");
    let purchases = metric(&m, 0, "purchases");
    let per_purchase: Vec<f64> = gross.iter().zip(&purchases).map(|(g, n)| g / n).collect();
    assert_within_se(
        "Gamma-Gamma mean",
        &per_purchase,
        closed_form::gamma_gamma_mean(p, q, g),
        4.0,
    );
}

#[test]
fn bass_diffusion_matches_closed_form() {
    // No churn, no initial customers: cumulative adoption is Bass's F(t).
    let (market, p, q) = (20_000.0, 0.01, 0.4);
    let mut sc = scenario(
        0,
        Dist::Fixed(1.0),
        Dropout::None,
        Basket::Iid(Dist::Fixed(1.0)),
        20.0,
    );
    sc.acquisition = Some(Acquisition {
        market_size: Some(market),
        innovation: p,
        organic: 0.0,
        referral_rate: 0.5,
        referral_conversion: q / 0.5,
    });
    sc.simulation.replications = 20;
    let m = run(&sc);
    for t in [2usize, 5, 10, 15, 20] {
        let adopted: Vec<f64> = series_cum(&m, "new_customers", t)
            .iter()
            .map(|x| x / market)
            .collect();
        assert_within_se(
            &format!("Bass F({t})"),
            &adopted,
            closed_form::bass_cumulative(p, q, t as f64),
            4.0,
        );
    }
}

#[test]
fn coarse_reporting_does_not_change_the_model() {
    // Same scenario reported monthly vs weekly: identical totals, bit for bit,
    // because reporting only bins events.
    let mut sc = scenario(
        2_000,
        Dist::Gamma {
            shape: 1.0,
            scale: 1.0,
        },
        Dropout::Hazard(0.05),
        Basket::Iid(Dist::Fixed(10.0)),
        12.0,
    );
    sc.acquisition = Some(Acquisition {
        market_size: Some(10_000.0),
        innovation: 0.01,
        organic: 1.0,
        referral_rate: 0.3,
        referral_conversion: 0.5,
    });
    sc.simulation.replications = 3;
    let fine = run(&sc);
    sc.simulation.report_every = 4.0;
    let coarse = run(&sc);
    for name in ["purchases", "customers_acquired", "customers_churned"] {
        assert_eq!(metric(&fine, 0, name), metric(&coarse, 0, name), "{name}");
    }
}
