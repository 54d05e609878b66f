//! Provenance (docs/provenance.md): results.json, sweep.json (tests/hostile.rs) and
//! fit.json record the format version, the tool version, the SHA-256 of the
//! scenario text and of every script and cohort file it read (of the
//! transaction file for fit), the scenario text, the overrides, the seed,
//! and a command that re-runs the output exactly.

use assert_cmd::Command;
use loyalsim::provenance::sha256_hex;
use serde_json::Value;

fn loyalsim() -> Command {
    Command::cargo_bin("loyalsim").unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = loyalsim().args(args).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sha_of(path: &str) -> String {
    sha256_hex(&std::fs::read(path).unwrap())
}

#[test]
fn results_name_every_file_read_and_rerun_identically() {
    let file = "tests/fixtures/good/full.toml";
    let first = json(&[
        "run",
        file,
        "--replications",
        "3",
        "--seed",
        "11",
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(
        first["format_version"],
        loyalsim::provenance::FORMAT_VERSION
    );
    let p = &first["provenance"];
    assert_eq!(p["loyalsim_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["scenario_file"], file);
    assert_eq!(p["scenario_sha256"], sha_of(file).as_str());
    assert_eq!(
        p["scenario_text"],
        std::fs::read_to_string(file).unwrap().as_str()
    );
    assert_eq!(p["seed"], 11);
    assert_eq!(p["replications"], 3);
    let files = p["files"].as_array().unwrap();
    let digest = |role: &str| {
        files
            .iter()
            .find(|f| f["role"] == role)
            .unwrap_or_else(|| panic!("no {role} in {files:?}"))
    };
    assert_eq!(digest("script")["path"], "tests/fixtures/good/tiered.rhai");
    assert_eq!(
        digest("script")["sha256"],
        sha_of("tests/fixtures/good/tiered.rhai").as_str()
    );
    assert_eq!(
        digest("cohort")["sha256"],
        sha_of("tests/fixtures/good/cohort.csv").as_str()
    );
    // The recorded command gives the same document, byte for byte.
    let command = p["command"].as_str().unwrap();
    assert_eq!(
        command,
        "loyalsim run tests/fixtures/good/full.toml --seed 11 --replications 3"
    );
    let mut args: Vec<&str> = command.split(' ').skip(1).collect();
    args.extend(["--format", "json", "--quiet"]);
    assert_eq!(json(&args), first);
}

#[test]
fn fit_json_records_the_transaction_file_and_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fit");
    let file = "tests/data/cdnow_sample.csv";
    loyalsim()
        .args(["fit", file, "--time-unit", "month", "--out"])
        .arg(&out)
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&std::fs::read(out.join("fit.json")).unwrap()).unwrap();
    assert_eq!(doc["format_version"], loyalsim::provenance::FORMAT_VERSION);
    let p = &doc["provenance"];
    assert_eq!(p["files"][0]["role"], "transactions");
    assert_eq!(p["files"][0]["sha256"], sha_of(file).as_str());
    assert_eq!(
        p["command"].as_str().unwrap(),
        format!(
            "loyalsim fit {file} --customer customer --date date --time-unit month --model bgnbd --out {}",
            out.display()
        )
    );
}
