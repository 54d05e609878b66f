//! From a transaction log to a simulation: fit BG/NBD to the CDNOW sample,
//! load the fitted population (with its cohort of join times) into a
//! scenario, and check that the simulated repeat purchases track the fitted
//! model's closed-form expectation, sum over customers of E[X(t − s_i)].

use assert_cmd::Command;
use loyalsim::stats::closed_form::bgnbd_expected_purchases;

#[test]
fn simulated_cohort_tracks_the_fitted_closed_form() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("loyalsim")
        .unwrap()
        .args(["fit", "tests/data/cdnow_sample.csv", "--calibration-end", "1997-09-30", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let fit: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("fit.json")).unwrap()).unwrap();
    let p = |k: &str| fit["params"][k].as_f64().unwrap();
    let (r, alpha, a, b) = (p("r"), p("alpha"), p("a"), p("b"));

    let population = std::fs::read_to_string(dir.path().join("population.toml")).unwrap();
    let scenario = format!(
        "[simulation]\ntime_unit = \"week\"\nhorizon = 78\nreplications = 40\nseed = 3\n\
         [business]\ngross_margin = 0.3\n{population}"
    );
    let path = dir.path().join("cdnow.toml");
    std::fs::write(&path, scenario).unwrap();
    let sc = loyalsim::scenario::load_file(&path).unwrap();
    let starts = sc.population.cohort.clone().unwrap();
    assert_eq!(starts.len(), 2357);

    let out = loyalsim::engine::run(&sc, &|| {});
    let purchases = loyalsim::engine::recorder::Flow::Purchases;
    for t in [26usize, 39, 52, 78] {
        let sims: Vec<f64> = out.arms[0]
            .replications
            .iter()
            .map(|rec| rec.flow(purchases)[..t].iter().sum())
            .collect();
        let n = sims.len() as f64;
        let mean = sims.iter().sum::<f64>() / n;
        let se = (sims.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt();
        let expected: f64 = starts
            .iter()
            .map(|s| bgnbd_expected_purchases(r, alpha, a, b, (t as f64 - s).max(0.0)))
            .sum();
        assert!(
            (mean - expected).abs() < 4.0 * se,
            "week {t}: simulated {mean:.1} ± {se:.1}, closed form {expected:.1}"
        );
    }
}
