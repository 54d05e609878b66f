//! What we do not know about customers, end to end: response parameters
//! given as distributions are drawn once per replication and the results
//! say how the verdict moves with them.
//!
//! - The one-way figures (extra profit at a key's 5th and 95th percentile,
//!   its break-even value) agree with separate runs that fix the key at
//!   those values, within a tolerance from the Monte Carlo standard errors.
//! - A key no program reads changes no profit (exactly) and its EVPPI is
//!   zero within its error.
//! - Fixing every key at its default is the same run as `uncertainty = false`.
//! - The verdict word follows p_better and the break-even rule, and
//!   `run --set` equals editing the file.

use assert_cmd::Command;
mod common;

use common::{load, results};
use loyalsim::scenario::load_str;
use loyalsim::stats::Results;

/// A 5% card in a shop whose only unknown is how strongly customers answer
/// a discount (`discount_elasticity` uniform on 0..3): at 0.15 it loses
/// about EUR 7,400, at 2.85 it earns about EUR 800.
const DISCOUNT: &str = r#"
[simulation]
name = "Discount, one unknown"
time_unit = "month"
horizon = 12
replications = 300
seed = 11

[business]
currency = "EUR"
gross_margin = 0.5

[population]
customers = 400

[[population.segment]]
name = "all"
share = 1.0
purchase_rate = { gamma = { shape = 2.0, mean = 1.0 } }
dropout = { hazard = 0.03 }
basket = { fixed = 40.0 }

[response]
uncertainty = false
discount_elasticity = { uniform = { min = 0.0, max = 3.0 } }

[[program]]
name = "Five percent off"
[program.discount]
rate = 0.05
"#;

/// The program's extra profit: (mean, its standard error, sd).
fn extra(r: &Results) -> (f64, f64, f64) {
    let d = &r.programs[1].vs_baseline.as_ref().unwrap().metrics["profit"];
    (d.mean, d.sd / f64::from(r.replications).sqrt(), d.sd)
}

#[test]
fn one_way_figures_match_runs_with_the_key_fixed() {
    let r = results(&load(DISCOUNT, &[]));
    let v = r.programs[1].vs_baseline.as_ref().unwrap();
    let s = &v.sensitivity[0];
    assert_eq!(s.key, "discount_elasticity");
    let a = &r.assumptions[0];
    assert_eq!(
        a.distribution, "{ uniform = { min = 0.0, max = 3.0 } }",
        "{a:?}"
    );
    assert!((a.p05 - 0.15).abs() < 1e-12 && (a.p95 - 2.85).abs() < 1e-12);
    // The curve's error at a point: the chance part of the spread over the
    // replications, times sqrt(degrees of freedom / replications); a smooth
    // one-input curve uses well under 10 degrees of freedom.
    let (_, _, sd) = extra(&r);
    let chance_sd = sd * v.variance_split.unwrap().chance.sqrt();
    let curve_se = chance_sd * (10.0 / f64::from(r.replications)).sqrt();
    let fixed_at = |x: f64| {
        let mut sc = load(DISCOUNT, &[("response.discount_elasticity", x)]);
        sc.simulation.replications = 400;
        extra(&results(&sc))
    };
    for (x, curve) in [(a.p05, s.profit_at_p05), (a.p95, s.profit_at_p95)] {
        let (mean, se, _) = fixed_at(x);
        let tol = 4.0 * (se * se + curve_se * curve_se).sqrt();
        assert!(
            (curve - mean).abs() < tol,
            "at {x}: curve {curve}, fixed run {mean} ± {se}, tolerance {tol}"
        );
    }
    // The spread of outcomes is far wider than the tolerance: the test can fail.
    assert!(s.profit_at_p95 - s.profit_at_p05 > 20.0 * curve_se);
    // It pays above the break-even value, and at that value it is even.
    let be = s
        .break_even
        .expect("the card pays for responsive customers only");
    assert_eq!(v.verdict.as_deref(), Some("depends"));
    assert_eq!(v.deciding_key.as_deref(), Some("discount_elasticity"));
    assert_eq!((v.break_even, v.pays_above), (Some(be), Some(true)));
    let (mean, se, _) = fixed_at(be);
    let tol = 4.0 * (se * se + curve_se * curve_se).sqrt();
    assert!(mean.abs() < tol, "at the break-even {be}: {mean} ± {se}");
}

#[test]
fn a_key_no_program_reads_changes_nothing_and_is_worth_nothing() {
    let with = DISCOUNT.replace(
        "[[program]]",
        "goal_gradient = { uniform = { min = 0.0, max = 0.4 } }\n\n[[program]]",
    );
    let a = results(&load(DISCOUNT, &[]));
    let b = results(&load(&with, &[]));
    // A discount card sets no goal: every replication's profits are the same.
    let delta = |r: &Results| {
        r.programs[1]
            .vs_baseline
            .as_ref()
            .unwrap()
            .replication_profit_delta
            .clone()
    };
    assert_eq!(delta(&a), delta(&b));
    assert_eq!(b.assumptions[1].key, "goal_gradient");
    let voi = b.value_of_information.as_ref().unwrap();
    let (evppi, se) = (voi.evppi["goal_gradient"], voi.evppi_se["goal_gradient"]);
    assert!(evppi <= 3.0 * se, "EVPPI {evppi} ± {se}");
    assert!(voi.evppi["discount_elasticity"] > 3.0 * voi.evppi_se["discount_elasticity"]);
    let v = b.programs[1].vs_baseline.as_ref().unwrap();
    let share = |k: &str| {
        v.sensitivity
            .iter()
            .find(|s| s.key == k)
            .unwrap()
            .variance_share
    };
    assert!(share("goal_gradient") < 0.05, "{:?}", v.sensitivity);
    assert!(share("discount_elasticity") > 0.9);
}

#[test]
fn fixing_every_key_at_its_default_is_the_point_default_run() {
    let point = DISCOUNT.replace(
        "discount_elasticity = { uniform = { min = 0.0, max = 3.0 } }",
        "",
    );
    // Every key written out at its documented default, uncertainty left on.
    let defaults = loyalsim::model::response::Response::for_unit("month");
    let written: String = defaults
        .entries()
        .iter()
        .map(|(k, v)| format!("{k} = {v:?}\n"))
        .collect();
    let explicit = point.replace("uncertainty = false\n", &written);
    let a = results(&load(&point, &[]));
    let b = results(&load(&explicit, &[]));
    assert_eq!(loyalsim::report::json(&a), loyalsim::report::json(&b));
    assert!(a.value_of_information.is_none());
    assert!(a.assumptions.iter().all(|x| x.fixed && x.documented));
    let v = a.programs[1].vs_baseline.as_ref().unwrap();
    assert!(v.sensitivity.is_empty());
    assert_eq!(v.variance_split.unwrap().chance, 1.0);
}

#[test]
fn absent_keys_take_their_documented_range() {
    let sc = load_str(&DISCOUNT.replace("uncertainty = false\n", ""), None).unwrap();
    let r = results(&sc);
    let n = loyalsim::model::response::KEYS.len();
    assert_eq!(r.assumptions.len(), n);
    assert!(r.assumptions.iter().all(|a| !a.fixed));
    // Only the key the scenario gives is not the documented range.
    let given: Vec<_> = r.assumptions.iter().filter(|a| !a.documented).collect();
    assert_eq!(given.len(), 1);
    assert_eq!(given[0].key, "discount_elasticity");
    assert_eq!(r.value_of_information.as_ref().unwrap().evppi.len(), n);
}

#[test]
fn the_verdict_word_follows_p_better_and_the_break_even() {
    let r = results(&load(&DISCOUNT.replace("uncertainty = false\n", ""), &[]));
    for p in &r.programs[1..] {
        let v = p.vs_baseline.as_ref().unwrap();
        let flips = v.sensitivity.iter().any(|s| s.break_even.is_some());
        match v.verdict.as_deref() {
            Some("likely_pays") => assert!(v.p_better >= 0.9 && !flips),
            Some("likely_loses") => assert!(v.p_better <= 0.1 && !flips),
            Some("depends") => assert!(flips || (0.1 < v.p_better && v.p_better < 0.9)),
            other => panic!("verdict {other:?}"),
        }
    }
    let table = loyalsim::report::table::render(&r);
    let v = r.programs[1].vs_baseline.as_ref().unwrap();
    if v.verdict.as_deref() == Some("depends") {
        let key = v.deciding_key.as_deref().unwrap();
        assert!(table.contains(&format!("depends on {key}")), "{table}");
        assert!(!table.contains("likely pays"), "{table}");
    }
}

fn loyalsim() -> Command {
    Command::cargo_bin("loyalsim").unwrap()
}

fn without_provenance(json: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(json).unwrap();
    v.as_object_mut().unwrap().remove("provenance");
    v
}

#[test]
fn run_set_is_the_same_as_editing_the_file() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("d.toml");
    let edited = t.path().join("e.toml");
    std::fs::write(&file, DISCOUNT).unwrap();
    std::fs::write(
        &edited,
        DISCOUNT.replace(
            "discount_elasticity = { uniform = { min = 0.0, max = 3.0 } }",
            "discount_elasticity = 1.5",
        ),
    )
    .unwrap();
    let json = |path: &std::path::Path, set: &[&str]| {
        let mut c = loyalsim();
        c.args(["run", path.to_str().unwrap(), "--replications", "20"]);
        for s in set {
            c.args(["--set", s]);
        }
        let out = c.args(["--format", "json", "--quiet"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let set = json(&file, &["response.discount_elasticity=1.5"]);
    assert_eq!(
        without_provenance(&set),
        without_provenance(&json(&edited, &[]))
    );
    // The re-run command in the provenance carries the what-if.
    let v: serde_json::Value = serde_json::from_slice(&set).unwrap();
    let cmd = v["provenance"]["command"].as_str().unwrap();
    assert!(
        cmd.contains("--set response.discount_elasticity=1.5"),
        "{cmd}"
    );
    // One value per key; a sweep's list is refused before anything runs.
    let out = loyalsim()
        .args([
            "run",
            file.to_str().unwrap(),
            "--set",
            "response.goal_gradient=0.1,0.2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("loyalsim sweep"), "{err}");
    let out = loyalsim()
        .args([
            "validate",
            file.to_str().unwrap(),
            "--set",
            "response.goal_gradint=0.1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `goal_gradient`"));
}

/// A draw beyond the largest number stops the run with a message naming
/// the value and the first replication (in replication order, whatever the
/// thread count) that drew it, rather than running with a response key of
/// infinity. Loading rejects such distributions
/// (`tests/fixtures/bad/response_draws_overflow.toml`), so the scenario's
/// distribution is replaced after loading.
#[test]
fn a_draw_beyond_the_largest_number_stops_the_run() {
    use loyalsim::model::assumptions;
    use loyalsim::scenario::Dist;
    let mut sc = load_str(DISCOUNT, None).unwrap();
    sc.simulation.replications = 8;
    sc.population.customers = 20;
    // Exponential draws above 1 overflow: about a third of the replications.
    // Of a key the discount does not read, so that the huge draws that do
    // not overflow change nothing.
    sc.assumptions[0] = assumptions::Assumption {
        target: assumptions::Target::Response {
            key: "goal_gradient",
            segments: vec![0],
        },
        label: "goal_gradient".into(),
        dist: Dist::Exponential { mean: f64::MAX },
        documented: false,
    };
    let base = vec![sc.population.segments[0].response; 1];
    let first = (0..8)
        .find(|&r| assumptions::draw(&sc.assumptions, &base, sc.simulation.seed, r).is_err())
        .expect("some replication overflows");
    let err = loyalsim::engine::try_run(&sc, &|| {}).unwrap_err();
    assert!(
        matches!(err, loyalsim::engine::SimError::Draw(_)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains(&format!("replication {first} drew inf for goal_gradient")),
        "{err}"
    );
}
