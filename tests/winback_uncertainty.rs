//! A win-back campaign's `response` given as a distribution (docs/uncertainty.md,
//! docs/scenario-format.md "[program.winback]"): drawn once per replication
//! from its own stream, labelled `program[NAME].winback.response`, the same
//! value for every customer of that replication.
//!
//! - A distribution of zero width is the plain number, result for result.
//! - The draws lie in the range and have the distribution's mean (within
//!   Monte Carlo standard errors, fixed seed); adding the uncertain value
//!   leaves every other assumption's draws as they were.
//! - Replication r of the uncertain run is, flow for flow, replication r of
//!   a run with the plain number set to that replication's draw: the draw
//!   is what the campaign uses, and nothing else moves.
//! - The results list it among the assumptions, rank it in the sensitivity
//!   list (first when it is the only unknown), name it in the verdict and
//!   give it an EVPPI.
//! - Bad input (a range outside [0, 1], a misspelt kind) exits 2 with a
//!   clear message and no output.

mod common;

use common::{load, results};
use loyalsim::stats::Results;

const LABEL: &str = "program[Letters].winback.response";

/// A shop whose customers leave at 3% a month, a program of win-back
/// letters alone; `RESPONSE` is replaced by the campaign's response and
/// `UNCERTAINTY` by the `[response]` table's `uncertainty` line.
const SHOP: &str = r#"
[simulation]
name = "Letters"
time_unit = "month"
horizon = 24
replications = 200
seed = 5

[business]
currency = "EUR"
gross_margin = 0.45

[population]
customers = 300

[[population.segment]]
name = "all"
share = 1.0
purchase_rate = { gamma = { shape = 2.0, mean = 1.0 } }
dropout = { hazard = 0.03 }
basket = { lognormal = { mean = 40.0, sd = 20.0 } }

[response]
UNCERTAINTY

[[program]]
name = "Letters"
costs = { setup = 100.0 }
[program.winback]
after = 2
every = 1
max_messages = 2
message_cost = 0.8
response = RESPONSE
"#;

fn shop(response: &str, uncertainty: bool) -> String {
    SHOP.replace("RESPONSE", response).replace(
        "UNCERTAINTY",
        if uncertainty {
            ""
        } else {
            "uncertainty = false"
        },
    )
}

fn json(r: &Results) -> String {
    serde_json::to_string(r).unwrap()
}

#[test]
fn a_distribution_of_zero_width_is_the_plain_number() {
    for uncertainty in [false, true] {
        let mut plain = load(&shop("0.05", uncertainty), &[]);
        plain.simulation.replications = 20;
        let expected = json(&results(&plain));
        for degenerate in [
            "{ uniform = { min = 0.05, max = 0.05 } }",
            "{ triangular = { min = 0.05, mode = 0.05, max = 0.05 } }",
            "{ fixed = 0.05 }",
            "{ lognormal = { mean = 0.05, sd = 0 } }",
        ] {
            let mut sc = load(&shop(degenerate, uncertainty), &[]);
            sc.simulation.replications = 20;
            assert_eq!(sc, plain, "{degenerate}");
            assert_eq!(json(&results(&sc)), expected, "{degenerate}");
        }
    }
}

#[test]
fn the_draws_lie_in_the_range_with_the_right_mean() {
    // Only the draws matter here: a tiny shop, many replications.
    for (dist, lo, hi, mean, var) in [
        (
            "{ uniform = { min = 0.02, max = 0.12 } }",
            0.02,
            0.12,
            0.07,
            0.01 / 12.0,
        ),
        (
            // Triangular: mean (a + b + c) / 3, variance (a² + b² + c² − ab − ac − bc) / 18.
            "{ triangular = { min = 0.0, mode = 0.03, max = 0.15 } }",
            0.0,
            0.15,
            0.06,
            (0.03f64.powi(2) + 0.15f64.powi(2) - 0.03 * 0.15) / 18.0,
        ),
        (
            // Beta(2, 30): mean 1/16, variance ab / ((a + b)²(a + b + 1)).
            "{ beta = { a = 2, b = 30 } }",
            0.0,
            1.0,
            2.0 / 32.0,
            60.0 / (32.0f64.powi(2) * 33.0),
        ),
    ] {
        let mut sc = load(&shop(dist, true), &[]);
        sc.population.customers = 2;
        sc.simulation.horizon = 2.0;
        sc.simulation.replications = 4000;
        let k = sc
            .assumptions
            .iter()
            .position(|a| a.label == LABEL)
            .expect("the win-back response is an assumption");
        let out = loyalsim::engine::run(&sc, &|| {});
        let xs: Vec<f64> = out.draws.iter().map(|d| d[k]).collect();
        assert!(xs.iter().all(|x| (lo..=hi).contains(x)), "{dist}");
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let se = (var / n).sqrt();
        assert!(
            (m - mean).abs() < 4.0 * se,
            "{dist}: mean {m} vs {mean} ± {se}"
        );
        // Not one value for all: a fresh draw per replication.
        assert!(xs.windows(2).any(|w| w[0] != w[1]), "{dist}");
        // The other assumptions draw as they did without it.
        let mut plain = load(&shop("0.05", true), &[]);
        plain.population.customers = 2;
        plain.simulation.horizon = 2.0;
        plain.simulation.replications = 50;
        let without = loyalsim::engine::run(&plain, &|| {});
        for (r, d) in without.draws.iter().enumerate() {
            let mut others = out.draws[r].clone();
            others.remove(k);
            assert_eq!(&others, d, "{dist}, replication {r}");
        }
    }
}

#[test]
fn each_replication_runs_the_campaign_with_its_draw() {
    // With the documented response ranges as well: their draws must not
    // move either.
    let mut sc = load(&shop("{ uniform = { min = 0.0, max = 0.5 } }", true), &[]);
    sc.simulation.replications = 4;
    let k = sc
        .assumptions
        .iter()
        .position(|a| a.label == LABEL)
        .unwrap();
    let out = loyalsim::engine::run(&sc, &|| {});
    for r in 0..4 {
        let x = out.draws[r][k];
        let mut plain = load(
            &shop("0.05", true),
            &[("program[Letters].winback.response", x)],
        );
        assert_eq!(plain.programs[0].winback.unwrap().response, x);
        plain.simulation.replications = r as u32 + 1;
        let fixed = loyalsim::engine::run(&plain, &|| {});
        for (a, b) in out.arms.iter().zip(&fixed.arms) {
            // Debug text: every float in full, and NaN (an empty mean) equal to NaN.
            assert_eq!(
                format!("{:?}", a.replications[r]),
                format!("{:?}", b.replications[r]),
                "arm {}, replication {r}",
                a.name
            );
        }
        // Customers did come back (the draw is not a no-op).
        if x > 0.05 {
            let back =
                out.arms[1].replications[r].total(loyalsim::engine::recorder::Flow::Reactivated);
            assert!(back > 0.0, "replication {r}: response {x}");
        }
    }
}

#[test]
fn the_results_rank_it_and_name_it_when_it_decides() {
    // The only unknown: it explains nearly all the spread of the extra
    // profit that is not chance, and it is the verdict's deciding key.
    let sc = load(&shop("{ uniform = { min = 0.0, max = 0.6 } }", false), &[]);
    assert_eq!(sc.assumptions.len(), 1);
    // The point value is the median, as for a response key.
    assert_eq!(sc.programs[0].winback.unwrap().response, 0.3);
    let r = results(&sc);
    let a: Vec<_> = r.assumptions.iter().filter(|a| !a.fixed).collect();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].key, LABEL);
    assert_eq!(a[0].distribution, "{ uniform = { min = 0.0, max = 0.6 } }");
    assert!(!a[0].documented);
    assert!((a[0].p05 - 0.03).abs() < 1e-12 && (a[0].p95 - 0.57).abs() < 1e-12);
    let v = r.programs[1].vs_baseline.as_ref().unwrap();
    assert_eq!(v.sensitivity.len(), 1);
    let s = &v.sensitivity[0];
    assert_eq!(s.key, LABEL);
    // More customers back, more profit: the curve rises.
    assert!(s.profit_at_p95 > s.profit_at_p05, "{s:?}");
    assert!(s.variance_share > 0.5, "{s:?}");
    let split = v.variance_split.as_ref().unwrap();
    assert!(split.assumptions > 0.5, "{split:?}");
    let voi = r.value_of_information.as_ref().unwrap();
    assert!(voi.evppi.contains_key(LABEL));
    assert_eq!(voi.evppi.len(), 1);

    // Among the documented response ranges, which a campaign alone barely
    // reads, it still ranks first.
    let sc = load(&shop("{ uniform = { min = 0.0, max = 0.6 } }", true), &[]);
    assert!(sc.assumptions.len() > 10);
    let r = results(&sc);
    let v = r.programs[1].vs_baseline.as_ref().unwrap();
    assert_eq!(v.sensitivity[0].key, LABEL, "{:?}", v.sensitivity);
    if v.verdict.as_deref() == Some("depends") {
        assert_eq!(v.deciding_key.as_deref(), Some(LABEL));
    }
    assert!(r.assumptions.iter().any(|a| a.key == LABEL && !a.fixed));
}

#[test]
fn uncertainty_false_keeps_a_given_distribution_as_for_response_keys() {
    // `uncertainty = false` fixes only what the scenario does not give;
    // a distribution written in the file stays uncertain.
    let sc = load(&shop("{ uniform = { min = 0.0, max = 0.2 } }", false), &[]);
    assert_eq!(
        sc.assumptions
            .iter()
            .map(|a| a.label.as_str())
            .collect::<Vec<_>>(),
        [LABEL]
    );
    // A plain number adds no assumption, and the results list no such key.
    let mut sc = load(&shop("0.05", true), &[]);
    assert!(sc.assumptions.iter().all(|a| a.label != LABEL));
    sc.simulation.replications = 3;
    assert!(results(&sc).assumptions.iter().all(|a| a.key != LABEL));
}

#[test]
fn bad_ranges_and_kinds_exit_2_with_a_message_and_no_output() {
    for (value, says) in [
        (
            "{ uniform = { min = 0.5, max = 1.5 } }",
            "this distribution reaches from 0.5 to 1.5, outside the range of response: \
             expected a chance that one message brings a lapsed customer back in [0, 1]",
        ),
        (
            "{ lognormal = { mean = 0.1, sd = 0.05 } }",
            "outside the range of response",
        ),
        (
            "{ unifrom = { min = 0.01, max = 0.1 } }",
            "unknown kind `unifrom`; did you mean `uniform`?",
        ),
        (
            "{ uniform = { min = 0.1, max = 0.01 } }",
            "`0.01` is below min = 0.1. expected max >= min",
        ),
        (
            "\"often\"",
            "expected a number or a distribution table such as",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, shop(value, true)).unwrap();
        let out_dir = dir.path().join("out");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_loyalsim"))
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value}: {err}");
        assert!(out.stdout.is_empty(), "{value}");
        assert!(!out_dir.exists(), "{value}");
        assert!(
            err.contains("program[0].winback.response"),
            "{value}: {err}"
        );
        assert!(err.contains(says), "{value}: {err}");
        assert!(!err.contains("panicked"), "{value}: {err}");
    }
}
