//! Plausibility warnings: legal values that are almost surely unit
//! mistakes. Each warning's text is pinned by a snapshot; `--strict` turns
//! them into exit code 2 with nothing on stdout.

use assert_cmd::Command;
use loyalsim::scenario::{load_file, load_str};
use std::path::Path;

const SLIPS: &str = "tests/fixtures/warn/unit_slips.toml";

fn warnings() -> Vec<String> {
    let sc = load_file(Path::new(SLIPS)).expect("loads");
    sc.notes.warnings.iter().map(ToString::to_string).collect()
}

/// The warning whose key path contains `key`.
fn warning(key: &str) -> String {
    let all = warnings();
    let hits: Vec<&String> = all.iter().filter(|w| w.contains(key)).collect();
    assert_eq!(hits.len(), 1, "{key}: {all:#?}");
    hits[0].clone()
}

#[test]
fn every_slip_gets_one_warning() {
    assert_eq!(warnings().len(), 6, "{:#?}", warnings());
}

#[test]
fn warn_hazard_meant_as_percent() {
    insta::assert_snapshot!(warning("segment[0].dropout"));
}

#[test]
fn warn_hazard_below_one_but_too_high() {
    insta::assert_snapshot!(warning("segment[1].dropout"));
}

#[test]
fn warn_innovation() {
    insta::assert_snapshot!(warning("innovation"));
}

#[test]
fn warn_member_churn() {
    insta::assert_snapshot!(warning("member_churn"));
}

#[test]
fn warn_referred_churn_distribution() {
    insta::assert_snapshot!(warning("referred_churn"));
}

#[test]
fn warn_program_end_beyond_horizon() {
    insta::assert_snapshot!(warning("program[0].end"));
}

#[test]
fn margin_written_as_percent_is_an_error_with_the_fraction() {
    let src = std::fs::read_to_string(SLIPS)
        .expect("read")
        .replace("gross_margin = 0.45", "gross_margin = 45");
    let e = load_str(&src, Some(Path::new(SLIPS))).expect_err("out of range");
    insta::assert_snapshot!(e.message);
}

#[test]
fn the_bundled_scenarios_have_no_warnings() {
    for entry in std::fs::read_dir("scenarios").expect("scenarios/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let sc = load_file(&path).expect("loads");
            assert!(
                sc.notes.warnings.is_empty(),
                "{}: {:#?}",
                path.display(),
                sc.notes.warnings
            );
        }
    }
}

#[test]
fn hazards_per_week_are_judged_per_month() {
    // 0.15 a week is 0.65 a month: warned; 0.1 a week (0.43 a month) is not.
    let src = std::fs::read_to_string("tests/fixtures/good/boutique.toml").expect("read");
    let weekly = |h: &str| {
        let s = src
            .replace("time_unit = \"month\"", "time_unit = \"week\"")
            .replacen(
                "dropout = { hazard = 0.02 }",
                &format!("dropout = {{ hazard = {h} }}"),
                1,
            );
        load_str(&s, Some(Path::new("tests/fixtures/good/boutique.toml")))
            .expect("loads")
            .notes
            .warnings
    };
    assert_eq!(weekly("0.1"), Vec::new());
    assert_eq!(weekly("0.15").len(), 1);
}

fn loyalsim() -> Command {
    Command::cargo_bin("loyalsim").expect("binary")
}

#[test]
fn cli_prints_each_warning_once_on_stderr() {
    let out = loyalsim().args(["validate", SLIPS]).assert().success();
    let o = out.get_output();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.lines().count(), 6, "{stderr}");
    assert!(
        stderr.contains("warning: a hazard of 2 per month"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains(": ok ("));
}

#[test]
fn strict_turns_warnings_into_exit_2_without_output() {
    for args in [
        vec!["validate", "--strict", SLIPS],
        vec!["run", "--strict", "--replications", "1", SLIPS],
        vec![
            "sweep",
            "--strict",
            "--dry-run",
            SLIPS,
            "--set",
            "simulation.seed=1,2",
        ],
    ] {
        let out = loyalsim().args(&args).assert().code(2);
        let o = out.get_output();
        assert!(o.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains("--strict: the scenario has 6 warning(s)"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn strict_sweep_catches_a_warning_only_one_point_has() {
    let out = loyalsim()
        .args([
            "sweep",
            "--strict",
            "--dry-run",
            "tests/fixtures/good/boutique.toml",
            "--set",
            "acquisition.innovation=0,0.5",
            "--set",
            "acquisition.market_size=5000",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("warning: an innovation of 0.5"), "{stderr}");
    loyalsim()
        .args([
            "sweep",
            "--dry-run",
            "tests/fixtures/good/boutique.toml",
            "--set",
            "acquisition.innovation=0,0.05",
            "--set",
            "acquisition.market_size=5000",
        ])
        .assert()
        .success();
}
