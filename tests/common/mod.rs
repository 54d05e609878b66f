//! Builders for scenarios in tests, so engine tests do not depend on TOML.
#![allow(dead_code)]

use loyalsim::scenario::*;

/// One segment, no programs, no acquisition.
pub fn scenario(
    customers: u64,
    rate: Dist,
    dropout: Dropout,
    basket: Basket,
    horizon: f64,
) -> Scenario {
    Scenario {
        name: "test".into(),
        path: None,
        simulation: Simulation {
            time_unit: TimeUnit::Week,
            horizon,
            replications: 10,
            seed: 1,
            report_every: 1.0,
            baseline: true,
        },
        business: Business {
            currency: "EUR".into(),
            gross_margin: 0.4,
        },
        population: Population {
            cohort_source: None,
            customers,
            segments: vec![Segment {
                name: "all".into(),
                share: 1.0,
                purchase_rate: rate,
                dropout,
                basket,
                response: Response::default(),
            }],
            cohort: None,
        },
        acquisition: None,
        response: Response::default(),
        assumptions: vec![],
        programs: vec![],
        notes: Default::default(),
    }
}

/// A program with no mechanism yet, open to everyone for the whole horizon.
pub fn program(name: &str, horizon: f64) -> ProgramSpec {
    ProgramSpec::open(name, horizon)
}

/// Set the response of every segment (and the global one).
pub fn set_response(sc: &mut Scenario, r: Response) {
    sc.response = r;
    for s in &mut sc.population.segments {
        s.response = r;
    }
}

/// Run and return the per-arm, per-replication metrics.
pub fn run(sc: &Scenario) -> Vec<Vec<loyalsim::stats::metrics::RepMetrics>> {
    let out = loyalsim::engine::run(sc, &|| {});
    out.arms
        .iter()
        .map(|arm| {
            let lpp =
                loyalsim::stats::metrics::liability_per_point(arm.program.map(|i| &sc.programs[i]));
            arm.replications
                .iter()
                .map(|r| loyalsim::stats::metrics::compute(r, sc.business.gross_margin, lpp))
                .collect()
        })
        .collect()
}

/// Metric `name` of every replication of arm `arm`.
pub fn metric(m: &[Vec<loyalsim::stats::metrics::RepMetrics>], arm: usize, name: &str) -> Vec<f64> {
    let i = loyalsim::stats::metrics::index(name);
    m[arm].iter().map(|r| r.totals[i]).collect()
}

/// Mean and standard error of the mean.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// A scenario from TOML text with `--set KEY=NUMBER` overrides applied.
pub fn load(src: &str, set: &[(&str, f64)]) -> Scenario {
    let set: Vec<Override> = set
        .iter()
        .map(|(k, v)| Override {
            key: (*k).to_string(),
            value: toml::Value::Float(*v),
        })
        .collect();
    load_str_with_overrides(src, None, &set).unwrap()
}

/// Run a scenario and build its results document.
pub fn results(sc: &Scenario) -> loyalsim::stats::Results {
    let out = loyalsim::engine::run(sc, &|| {});
    loyalsim::stats::build(sc, &out)
}
