//! The command line as a user meets it: exit codes, stdout carrying data
//! only, output files, and every bundled scenario running.

use assert_cmd::Command;
use std::path::Path;

fn loyalsim() -> Command {
    Command::cargo_bin("loyalsim").unwrap()
}

#[test]
fn every_bundled_scenario_runs() {
    let mut n = 0;
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let out = loyalsim()
                .args([
                    "run",
                    path.to_str().unwrap(),
                    "--replications",
                    "3",
                    "--quiet",
                ])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let table = String::from_utf8(out.stdout).unwrap();
            assert!(table.contains("baseline"), "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 6, "only {n} scenarios found");
}

#[test]
fn json_on_stdout_is_the_results_document_and_nothing_else() {
    let out = loyalsim()
        .args([
            "run",
            "scenarios/boutique.toml",
            "--replications",
            "4",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v["scenario"], "Olga's boutique");
    assert_eq!(v["replications"], 4);
    assert_eq!(v["time_unit"], "month");
    assert_eq!(v["currency"], "EUR");
    let programs = v["programs"].as_array().unwrap();
    assert_eq!(programs.len(), 4);
    assert_eq!(programs[0]["name"], "baseline");
    assert!(programs[0].get("vs_baseline").is_none());
    for p in &programs[1..] {
        for key in ["mean", "sd", "ci95"] {
            assert!(p["vs_baseline"]["profit"].get(key).is_some());
        }
        assert!(p["vs_baseline"]["roi"].get("mean").is_some());
        let pb = p["vs_baseline"]["p_better"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&pb));
    }
    for metric in loyalsim::stats::metrics::METRICS {
        let s = &programs[1]["summary"][metric];
        for key in ["mean", "sd", "ci95", "p05", "p50", "p95"] {
            assert!(s.get(key).is_some(), "{metric}.{key}");
        }
    }
    let periods = programs[1]["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 24);
    assert_eq!(periods[23]["end"], 24.0);
    for key in [
        "active_customers",
        "new_customers",
        "churned",
        "purchases",
        "revenue_net",
        "program_cost",
        "profit",
        "cumulative_profit",
    ] {
        assert!(periods[0][key].get("mean").is_some(), "{key}");
    }
}

#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let json = |threads: &str| {
        loyalsim()
            .args([
                "run",
                "scenarios/referral.toml",
                "--replications",
                "5",
                "--format",
                "json",
            ])
            .args(["--threads", threads, "--seed", "99"])
            .output()
            .unwrap()
            .stdout
    };
    let one = json("1");
    assert!(!one.is_empty());
    assert_eq!(one, json("2"));
    assert_eq!(one, json("3"));
}

#[test]
fn out_writes_the_result_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    loyalsim()
        .args([
            "run",
            "scenarios/one-year.toml",
            "--replications",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["programs"][1]["name"], "Bonus year");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with("program,metric,statistic,value\n"));
    assert!(summary.contains("\nBonus year,vs_baseline.profit,mean,"));
    let periods = std::fs::read_to_string(out.join("periods.csv")).unwrap();
    assert!(periods.contains("\nBonus year,12,members,mean,"));
    let reps = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    assert!(reps.contains("\nBonus year,2,profit,"));
    assert!(out.join("results.xlsx").exists());
    // No temporary files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn csv_format_prints_the_summary() {
    let out = loyalsim()
        .args([
            "run",
            "scenarios/tiers.toml",
            "--replications",
            "2",
            "--format",
            "csv",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("Flat 5%,vs_baseline.discounts,mean,"))
    );
}

#[test]
fn bad_input_exits_2_with_a_message_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[simulation]\ntime_unit = \"month\"\nhorizon = 12\n[business]\ngross_margin = 1.5\n\
         [population]\ncustomers = 10\n[[population.segment]]\nname = \"a\"\nshare = 1\n\
         purchase_rate = { fixed = 1 }\ndropout = \"none\"\nbasket = { fixed = 10 }\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = loyalsim()
        .arg("run")
        .arg(&bad)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.toml:5:"), "{err}");
    assert!(err.contains("gross_margin"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!Path::new(&out_dir).exists());
}

#[test]
fn missing_file_and_bad_arguments_exit_2() {
    let out = loyalsim()
        .args(["run", "no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.toml"));
    let out = loyalsim()
        .args(["run", "scenarios/boutique.toml", "--replications", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = loyalsim().args(["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn validate_accepts_every_bundled_scenario() {
    for name in [
        "boutique",
        "cafe-stamps",
        "online-points",
        "referral",
        "tiers",
        "one-year",
    ] {
        loyalsim()
            .args(["validate", &format!("scenarios/{name}.toml")])
            .assert()
            .success();
    }
}

#[test]
fn init_writes_a_template_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    loyalsim()
        .args(["init", "cafe-stamps", "--out"])
        .arg(&file)
        .assert()
        .success();
    loyalsim().arg("validate").arg(&file).assert().success();
    // Refuses to overwrite.
    let out = loyalsim()
        .args(["init", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = loyalsim().args(["init", "caffe-stamps"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `cafe-stamps`"));
}

/// Run a one-segment scenario (one purchase a month, fixed baskets of 10, no
/// dropout, 12 months) with `customers` and a 1-stamp card whose reward is
/// `reward`, from a file called `name`; the exit code and stderr.
fn run_one_stamp_card(name: &str, customers: u32, reward: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(
        &file,
        format!(
            "[simulation]\ntime_unit = \"month\"\nhorizon = 12\nreplications = 2\n\
             [business]\ngross_margin = 0.4\n[population]\ncustomers = {customers}\n\
             [[population.segment]]\nname = \"a\"\nshare = 1\npurchase_rate = {{ fixed = 1 }}\n\
             dropout = \"none\"\nbasket = {{ fixed = 10 }}\n\
             [[program]]\nname = \"Card\"\n[program.stamps]\ncard_size = 1\nreward_value = {reward}\n"
        ),
    )
    .unwrap();
    let out = loyalsim()
        .arg("run")
        .arg(&file)
        .arg("--quiet")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains(name), "{err}");
    assert!(err.contains("under program `Card`"), "{err}");
    assert!(err.contains("ran away"), "{err}");
    (out.status.code(), err)
}

#[test]
fn a_runaway_purchase_rate_stops_with_exit_2_instead_of_hanging() {
    // A card worth a fortune: the deferred-reward response drives the
    // purchase rate to about 1e11 per month.
    let (code, err) = run_one_stamp_card("runaway.toml", 10, "1e12");
    assert_eq!(code, Some(2));
    assert!(err.contains("had more than 5000000 events"), "{err}");
}

#[test]
fn customers_each_just_under_the_event_limit_stop_the_run_too() {
    // A card worth about 24,000 purchases' value: every member buys about
    // 200,000 times in the year, far under the per-customer limit of 5
    // million, but 2,000 of them would take minutes. The budget for many
    // customers together (1,000 × the 12 purchases an average customer makes)
    // stops the run after a few dozen.
    let (code, err) = run_one_stamp_card("steady-runaway.toml", 2000, "238000");
    assert_eq!(code, Some(2));
    assert!(err.contains("more than 12000 each on average"), "{err}");
}

/// A stamp card whose reward is worth nothing changes nothing: the table and
/// the verdict say so in words, instead of "beats no program in 50% of
/// runs" (ties count half) or an assumption it "depends on".
#[test]
fn a_program_that_changes_nothing_is_called_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zero.toml");
    std::fs::write(
        &path,
        r#"
[simulation]
name = "Zero reward"
time_unit = "week"
horizon = 26
replications = 20
seed = 3

[business]
gross_margin = 0.6

[population]
customers = 200

[[population.segment]]
name = "all"
share = 1.0
purchase_rate = { gamma = { shape = 1.5, mean = 1.0 } }
dropout = { hazard = 0.02 }
basket = { fixed = 10.0 }

[[program]]
name = "zero card"
[program.stamps]
card_size = 10
reward_value = 0.0

[[program]]
name = "real card"
[program.stamps]
card_size = 10
reward_value = 10.0
"#,
    )
    .unwrap();
    let run = |format: &str| {
        let out = loyalsim()
            .args(["run", path.to_str().unwrap(), "--format", format, "--quiet"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let table = run("table");
    let zero_row = table.lines().find(|l| l.starts_with("zero card")).unwrap();
    assert!(zero_row.contains("same in every run"), "{zero_row}");
    assert!(table.contains("zero card: makes no difference"), "{table}");
    assert!(!table.contains("zero card: depends"), "{table}");
    // The real card still gets its usual verdict.
    assert!(table.contains("real card: likely pays"), "{table}");
    let v: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let zero = &v["programs"][1]["vs_baseline"];
    assert!(
        zero["replication_profit_delta"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d.as_f64() == Some(0.0))
    );
    assert!(zero.get("deciding_key").is_none());
    // Its what-decides chart would be all zeros: not drawn.
    let out = dir.path().join("out");
    let status = loyalsim()
        .args(["run", path.to_str().unwrap(), "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(out.join("tornado_real_card.svg").exists());
    assert!(!out.join("tornado_zero_card.svg").exists());
}

/// Long program names give way in the many-columned Customers block, so
/// every line of the table stays within 100 characters.
#[test]
fn the_terminal_table_stays_within_100_columns_with_long_names() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = std::fs::read_to_string("scenarios/boutique.toml")
        .unwrap()
        .replace("\"5% discount card\"", "\"Discount card, 5%, plastic\"")
        .replace("\"Bonus points\"", "\"Bonus points, 12 months, cards\"");
    let path = dir.path().join("long.toml");
    std::fs::write(&path, scenario).unwrap();
    let out = loyalsim()
        .args(["run", "--replications", "4", "--quiet"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("Ambassadors"), "{table}");
    let wide: Vec<&str> = table.lines().filter(|l| l.chars().count() > 100).collect();
    assert!(
        wide.is_empty(),
        "lines over 100 characters:\n{}",
        wide.join("\n")
    );
}
