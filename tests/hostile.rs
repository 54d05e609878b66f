//! Hostile and broken inputs (issue 15): scripts that would hang a run
//! through sort comparators, prints, curry, map growth or many members each
//! within their own allowance; files that never end (/dev/zero) or are far
//! too large; tampered or truncated sweep shards; impossible results
//! documents; a closed stdout. Each must stop quickly with exit code 2 (or,
//! for a closed pipe, quietly) and a message naming the file.
//!
//! The inputs are kept under tests/fixtures/hostile/; those too large to
//! keep (a 680 KB script, a 20 MB CSV field) are generated here.

use assert_cmd::Command;
use std::path::Path;
use std::time::{Duration, Instant};

const FIX: &str = "tests/fixtures/hostile";

fn loyalsim() -> Command {
    let mut c = Command::cargo_bin("loyalsim").unwrap();
    c.env("NO_COLOR", "1");
    // Every case here must stop within seconds; before the fixes most ran
    // for minutes or hours.
    c.timeout(Duration::from_secs(60));
    c
}

/// Run `args`; expect exit code 2, nothing on stdout, and return stderr.
fn fails(args: &[&str]) -> String {
    let out = loyalsim().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}");
    err
}

/// Run the hostile script fixture `name`; expect exit 2 naming the script.
fn script_fails(name: &str) -> String {
    let t = Instant::now();
    let err = fails(&["run", &format!("{FIX}/{name}.toml"), "--quiet"]);
    assert!(err.contains(&format!("{FIX}/{name}.rhai")), "{name}: {err}");
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "{name} took {:?}",
        t.elapsed()
    );
    err
}

#[test]
fn a_looping_sort_comparator_is_stopped() {
    for name in ["sort_comparator_loop", "order_comparator_loop"] {
        let err = script_fails(name);
        assert!(err.contains("max_operations = 1000000"), "{name}: {err}");
        assert!(err.contains("(in on_purchase)"), "{err}");
    }
}

#[test]
fn a_throw_in_a_sort_comparator_stops_the_run() {
    let err = script_fails("sort_comparator_throw");
    assert!(
        err.contains("sort_comparator_throw.rhai:4:21: script error (throw): no sorting here"),
        "{err}"
    );
}

#[test]
fn prints_map_growth_and_many_members_meet_the_operations_budget() {
    let err = script_fails("prints_per_purchase");
    assert!(
        err.contains("operations budget: this member's hooks used"),
        "{err}"
    );
    assert!(
        err.contains("10000 per call on average plus 2000000"),
        "{err}"
    );

    let err = script_fails("map_index_assign");
    assert!(err.contains("max_operations"), "{err}");

    let err = script_fails("many_members");
    assert!(
        err.contains("operations budget: the hooks of the") && err.contains("in this group"),
        "{err}"
    );
    assert!(err.contains("under program `scripted`"), "{err}");
}

#[test]
fn curry_is_refused_at_load_time() {
    let err = fails(&["validate", &format!("{FIX}/curry.toml")]);
    assert!(
        err.contains("curry.rhai:6:30: syntax error: `curry` is not available"),
        "{err}"
    );
}

#[test]
fn member_state_cannot_grow_past_the_map_limit() {
    let err = script_fails("state_entries");
    assert!(err.contains("max_map_size = 1000"), "{err}");
    assert!(err.contains("(in on_enrol)"), "{err}");
}

#[test]
fn scripts_cannot_set_impossible_stamps_or_points() {
    let err = script_fails("stamps_negative");
    assert!(
        err.contains("member.stamps set to -5; expected a whole number from 0 to 1000000"),
        "{err}"
    );
    let err = script_fails("stamps_max");
    assert!(
        err.contains("member.stamps set to 9223372036854775807"),
        "{err}"
    );
    let err = script_fails("points_huge");
    assert!(err.contains("member.points set to"), "{err}");
    assert!(err.contains("expected a number from 0 to 1e12"), "{err}");
}

#[test]
fn hook_answers_out_of_range_are_named_in_short() {
    // Were echoed with 309 digits, and NaN as "a f64; expected a number".
    let err = script_fails("incentive_huge");
    assert!(
        err.contains("`discount` is 1e308; expected a number in [0, 1] (in incentive)"),
        "{err}"
    );
    let err = script_fails("incentive_nan");
    assert!(
        err.contains("`value` is NaN; expected a number (in incentive)"),
        "{err}"
    );
    let err = script_fails("multiplier_huge");
    assert!(
        err.contains("returned -1e308; expected a finite number >= 0 (in churn_multiplier)"),
        "{err}"
    );
}

#[test]
fn a_script_with_40000_functions_fails_fast() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::from("fn on_purchase(member, purchase, ctx) { }\n");
    for i in 0..40_000 {
        src.push_str(&format!("fn f{i}(x) {{ x + {i} }}\n"));
    }
    assert!(src.len() > 600_000);
    std::fs::write(dir.path().join("many.rhai"), &src).unwrap();
    let toml = std::fs::read_to_string(format!("{FIX}/curry.toml"))
        .unwrap()
        .replace("curry.rhai", "many.rhai");
    let scenario = dir.path().join("many.toml");
    std::fs::write(&scenario, toml).unwrap();
    let t = Instant::now();
    let err = fails(&["validate", scenario.to_str().unwrap()]);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(err.contains("many.rhai"), "{err}");
    assert!(err.contains("the script is larger than 64 KiB"), "{err}");
}

#[test]
fn a_script_that_fails_stops_a_long_run_after_one_replication() {
    // 200 replications of a failing script: the replications after the
    // first failed one are skipped, and the error is the same with 1 or 2
    // threads.
    let err1 = fails(&[
        "run",
        &format!("{FIX}/sort_comparator_throw.toml"),
        "--threads",
        "1",
        "--replications",
        "200",
    ]);
    let err2 = fails(&[
        "run",
        &format!("{FIX}/sort_comparator_throw.toml"),
        "--threads",
        "2",
        "--replications",
        "200",
    ]);
    assert_eq!(err1, err2);
    assert!(Path::new(FIX).exists());
}

#[test]
fn endless_files_fail_at_once_naming_the_file() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let t = Instant::now();
    for dev in ["/dev/zero", "/dev/urandom"] {
        let err = fails(&["validate", dev]);
        assert!(
            err.contains(&format!("{dev}: the scenario is larger than 1 MiB")),
            "{err}"
        );
        let err = fails(&["report", dev, "--out", "target/hostile-report"]);
        assert!(err.starts_with(&format!("error: {dev}: ")), "{err}");
        let err = fails(&["fit", dev, "--out", "target/hostile-fit"]);
        assert!(err.starts_with(&format!("error: {dev}: ")), "{err}");
    }
    let err = fails(&["fit", "/dev/zero", "--out", "target/hostile-fit"]);
    assert!(err.contains("line 1 is longer than 1 MiB"), "{err}");
    for name in ["script_dev_zero", "script_dev_urandom"] {
        let err = fails(&["validate", &format!("{FIX}/{name}.toml")]);
        assert!(
            err.contains("program[0].script.file: script file `/dev/"),
            "{err}"
        );
        assert!(err.contains("larger than 64 KiB"), "{err}");
    }
    let err = fails(&["validate", &format!("{FIX}/cohort_dev_zero.toml")]);
    assert!(
        err.contains("population.cohort: cannot read cohort file `/dev/zero`"),
        "{err}"
    );
    // Random bytes sometimes make a short first line of valid UTF-8 (about
    // 3 runs in 400): then the header is what is wrong, and said so.
    let err = fails(&["validate", &format!("{FIX}/cohort_dev_urandom.toml")]);
    assert!(
        err.contains("population.cohort: cannot read cohort file `/dev/urandom`")
            || err.contains("population.cohort: cohort file `/dev/urandom` needs the header"),
        "{err}"
    );
    assert!(!Path::new("target/hostile-fit/fit.json").exists());
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

#[test]
fn terminal_escapes_in_a_scenario_never_reach_the_terminal() {
    // Quoted back in an error: escaped.
    let err = fails(&["validate", &format!("{FIX}/escape_key.toml")]);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(
        err.contains("simulation.hor\\u{1b}[2Jizon: unknown key"),
        "{err}"
    );
    // In a name, which tables, charts and the report show: refused.
    let err = fails(&["validate", &format!("{FIX}/escape_name.toml")]);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(
        err.contains(
            "program[0].name: `Stamp\\u{1b}[31m card` contains the control character U+001B"
        ),
        "{err}"
    );
}

#[test]
fn a_scenario_file_named_with_terminal_escapes_runs_and_reports() {
    // Without `simulation.name` the title is the file's name, which may hold
    // control characters: shown escaped, and the results stay a document
    // `report` reads back.
    let t = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(SWEEP).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("name = \"Tiny") && !l.starts_with('"'))
        .map(|l| format!("{l}\n"))
        .collect();
    let scenario = t.path().join("t\u{1b}[1m.toml");
    std::fs::write(&scenario, text).unwrap();
    let out = t.path().join("r");
    let o = loyalsim()
        .arg("run")
        .arg(&scenario)
        .arg("--quiet")
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!table.contains('\u{1b}'), "{table:?}");
    assert!(table.starts_with("t\\u{1b}[1m"), "{table}");
    let o = loyalsim()
        .arg("report")
        .arg(out.join("results.json"))
        .arg("--quiet")
        .arg("--out")
        .arg(t.path().join("report"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn validate_shows_a_script_file_name_with_terminal_escapes_escaped() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("s\u{1b}[2J.rhai"),
        include_str!("../scripts/stamps.rhai"),
    )
    .unwrap();
    let scenario = t.path().join("s.toml");
    std::fs::write(
        &scenario,
        "[simulation]\ntime_unit = \"week\"\nhorizon = 4\nreplications = 2\n\
         [business]\ngross_margin = 0.5\n[population]\ncustomers = 5\n\
         [[population.segment]]\nname = \"a\"\nshare = 1\npurchase_rate = { fixed = 1 }\n\
         dropout = \"none\"\nbasket = { fixed = 5 }\n\
         [[program]]\nname = \"Card\"\n[program.script]\nfile = \"s\\u001b[2J.rhai\"\n\
         params = { card_size = 5, reward_value = 5.0, prestamped = 0, min_basket = 0.0, reward_cost_ratio = 0.5 }\n",
    )
    .unwrap();
    let o = loyalsim().arg("validate").arg(&scenario).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("s\\u{1b}[2J.rhai: evaluated"), "{text}");
}

#[test]
fn fit_memory_does_not_grow_with_the_date_span() {
    // Four rows, one dated 9999-12-31, fitted by day: 3.96 GB and 45 s before.
    let out = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let o = loyalsim()
        .args([
            "fit",
            &format!("{FIX}/fit_date_9999.csv"),
            "--time-unit",
            "day",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("fit.json")).unwrap()).unwrap();
    let periods = doc["periods"].as_array().unwrap().len();
    assert!(periods <= 2000, "{periods} tracking periods");
    assert!(doc["tracking_period_units"].as_f64().unwrap() > 1.0);
    assert!(String::from_utf8_lossy(&o.stderr).contains("group them by"));
}

#[test]
fn fit_refuses_amounts_that_would_overflow() {
    let out = tempfile::tempdir().unwrap();
    let err = fails(&[
        "fit",
        &format!("{FIX}/fit_amount_1e308.csv"),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(err.contains("line 2: the amount 1e308"), "{err}");
    assert!(err.contains("larger than 1e12"), "{err}");
    assert!(!out.path().join("population.toml").exists());
}

#[test]
fn fit_messages_do_not_echo_huge_fields_or_numbers() {
    let dir = tempfile::tempdir().unwrap();
    // A 500 KB date and a 300-digit amount: quoted in part, with their length.
    let csv = dir.path().join("t.csv");
    let date = "9".repeat(500_000);
    std::fs::write(&csv, format!("customer,date,amount\na,{date},1\n")).unwrap();
    let err = fails(&[
        "fit",
        csv.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        err.contains("(500000 characters)"),
        "{}",
        &err[..err.len().min(300)]
    );
    assert!(err.len() < 600, "{} bytes of message", err.len());
    let amount = "9".repeat(300);
    std::fs::write(
        &csv,
        format!("customer,date,amount\na,2020-01-01,{amount}\n"),
    )
    .unwrap();
    let err = fails(&[
        "fit",
        csv.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(err.contains("(300 characters)"), "{err}");
    assert!(err.len() < 400, "{err}");
    // A 30 MB field: the line cap stops the read, naming the line.
    let mut big = String::from("customer,date,amount\na,2020-01-01,1\nb,");
    big.push_str(&"x".repeat(30 << 20));
    std::fs::write(&csv, big).unwrap();
    let err = fails(&[
        "fit",
        csv.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(err.contains("line 3 is longer than 1 MiB"), "{err}");
    assert!(err.len() < 400, "{err}");
}

// --- Sweeps: tampered, truncated and killed shards ------------------------

const SWEEP: &str = "tests/fixtures/sweep/tiny.toml";

/// Run the tiny sweep (9 points) into `out`, as shard `shard`.
fn sweep(out: &Path, shard: &str) -> String {
    let o = loyalsim()
        .args([
            "sweep",
            SWEEP,
            "--set",
            "program[Stamp card].stamps.prestamped=0..2:1",
            "--shard",
            shard,
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    err
}

fn merge_fails(inputs: &[&Path], out: &Path) -> String {
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), out.display().to_string()]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    fails(&a)
}

/// Rewrite a manifest through the library, so that its checksum matches
/// (a manifest that is wrong but consistent, as a bug could write it).
fn rewrite_manifest(dir: &Path, f: impl FnOnce(&mut loyalsim::sweep::files::Manifest)) {
    let mut m = loyalsim::sweep::files::read_manifest(dir).unwrap().unwrap();
    f(&mut m);
    loyalsim::sweep::files::write_manifest(dir, &m).unwrap();
}

#[test]
fn merge_verifies_the_point_count() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    sweep(&a, "1/2");
    sweep(&b, "2/2");
    let out = t.path().join("merged");

    // 100,000,000 points claimed: refused at the first missing point.
    for d in [&a, &b] {
        rewrite_manifest(d, |m| m.points = 100_000_000);
    }
    let t0 = Instant::now();
    let err = merge_fails(&[&a, &b], &out);
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(
        err.contains("is unfinished: 49999995 of its 50000000 points are missing"),
        "{err}"
    );

    // 0 points: refused (was exit 0 with a header-only sweep.csv).
    for d in [&a, &b] {
        rewrite_manifest(d, |m| m.points = 0);
    }
    let err = merge_fails(&[&a, &b], &out);
    assert!(err.contains("the sweep has 0 points"), "{err}");

    // A plain edit of the count breaks the manifest's checksum.
    rewrite_manifest(&a, |m| m.points = 9);
    rewrite_manifest(&b, |m| m.points = 9);
    let manifest = a.join("shard.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"points\": 9", "\"points\": 8")).unwrap();
    let err = merge_fails(&[&a, &b], &out);
    assert!(
        err.contains("the manifest was changed after loyalsim wrote it"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_truncated_or_edited_point_is_refused_and_nothing_is_written() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    sweep(&a, "1/2");
    sweep(&b, "2/2");
    // The output folder exists (empty) before the merge, as a user may make it.
    let out = t.path().join("merged");
    std::fs::create_dir(&out).unwrap();

    // A point's CSV cut short (was exit 1 with a partial sweep.csv,
    // sweep.json and shard.json in the output folder).
    let csv = b.join("points/00003.csv");
    let full = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, &full[..full.len() / 2]).unwrap();
    let err = merge_fails(&[&a, &b], &out);
    assert!(err.contains("point 3 cannot be merged"), "{err}");
    assert!(err.contains("changed or cut short"), "{err}");
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing written"
    );
    std::fs::write(&csv, &full).unwrap();

    // An edited number in a point's JSON.
    let json = a.join("points/00002.json");
    let full = std::fs::read_to_string(&json).unwrap();
    let edited = full.replacen("\"mean\": ", "\"mean\": 1", 1);
    assert_ne!(edited, full);
    std::fs::write(&json, &edited).unwrap();
    let err = merge_fails(&[&a, &b], &out);
    assert!(err.contains("point 2 cannot be merged"), "{err}");
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing written"
    );
    // No temporary folder is left beside it either.
    let left: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // Resume rejects the edited point: it is recomputed, and the result
    // is the file as first written.
    let err = sweep(&a, "1/2");
    assert!(err.contains("recomputing point 2"), "{err}");
    assert_eq!(std::fs::read_to_string(&json).unwrap(), full);

    // Now the merge succeeds and fills the folder.
    loyalsim()
        .args(["merge"])
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    for f in [
        "shard.json",
        "sweep.json",
        "sweep.csv",
        "points/00008.sha256",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
}

#[test]
fn a_point_with_matching_checksums_but_no_results_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    sweep(&a, "1/2");
    sweep(&b, "2/2");
    let out = t.path().join("merged");

    // Point 3's JSON without its programs, its checksums rewritten to
    // match (as a bug or a hand edit could leave it): the header names the
    // right sweep and point, the rest is no results document. Was exit 1
    // from drawing the charts, naming a file in the merge's temporary
    // folder; a resumed sweep reused the point and failed the same way.
    let points = b.join("points");
    let read = |f: &str| std::fs::read_to_string(points.join(f)).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&read("00003.json")).unwrap();
    doc.as_object_mut().unwrap().remove("programs");
    let damaged = loyalsim::sweep::files::PointText {
        json: serde_json::to_string_pretty(&doc).unwrap(),
        csv: read("00003.csv"),
        replications: read("00003.replications.csv"),
    };
    loyalsim::sweep::files::write_point(&b, 3, &damaged).unwrap();

    let err = merge_fails(&[&a, &b], &out);
    let file = points.join("00003.json");
    assert!(
        err.contains(&format!(
            "point 3 cannot be merged: {} is damaged: missing field `programs`",
            file.display()
        )),
        "{err}"
    );
    assert!(!err.contains(".merge-"), "{err}");
    assert!(!out.exists(), "nothing written");

    // Resuming the shard recomputes the point instead of reusing it.
    let err = sweep(&b, "2/2");
    assert!(err.contains("recomputing point 3"), "{err}");
    loyalsim()
        .args(["merge"])
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn merging_one_shard_of_a_billion_fails_at_once() {
    // Was a list of all 999,999,999 missing shards: gigabytes of memory
    // within seconds, and no end.
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    sweep(&a, "1/1000000000");
    let out = t.path().join("merged");
    let t0 = Instant::now();
    let err = merge_fails(&[&a], &out);
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(
        err.contains(
            "missing shards 2/1000000000, 3/1000000000, 4/1000000000, 5/1000000000, \
             6/1000000000 and 999999994 more: run `loyalsim sweep ... --shard 2/1000000000`"
        ),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_resumed_sweep_removes_what_a_killed_one_left() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("s");
    sweep(&out, "1/1");
    // What a sweep killed while writing leaves behind.
    let stale = [
        out.join(".sweep.json.4242.tmp"),
        out.join(".sweep.csv.4242.tmp"),
        out.join("points/.00004.json.4242.tmp"),
    ];
    for f in &stale {
        std::fs::write(f, "partial").unwrap();
    }
    std::fs::remove_file(out.join("points/00004.sha256")).unwrap();
    let err = sweep(&out, "1/1");
    assert!(err.contains("recomputing point 4"), "{err}");
    for f in &stale {
        assert!(!f.exists(), "{} left", f.display());
    }
}

#[test]
fn a_resumed_sweep_quotes_a_tampered_point_without_terminal_escapes() {
    // A sweep folder from someone else: a point whose header and a summary
    // key hold terminal escapes, with checksums to match.
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("s");
    sweep(&out, "1/1");
    let points = out.join("points");
    let text = std::fs::read_to_string(points.join("00004.json")).unwrap();
    let sweep_id = text.split('"').nth(3).unwrap().to_string();
    let tampered = [
        (4, text.replacen(&sweep_id, "\\u001b[2Jevil", 1)),
        (
            5,
            std::fs::read_to_string(points.join("00005.json"))
                .unwrap()
                .replacen(
                    "\"summary\": {",
                    "\"summary\": {\"x\\u001b[31m\": {\"mean\": 1, \"sd\": -1, \"ci95\": [0, 1], \
                     \"p05\": 0, \"p50\": 0, \"p95\": 0},",
                    1,
                ),
        ),
    ];
    for (i, json) in tampered {
        let sums_path = points.join(format!("{i:05}.sha256"));
        let sums = std::fs::read_to_string(&sums_path).unwrap();
        let (_, rest) = sums.split_once("  ").unwrap();
        let sums = format!(
            "{}  {rest}",
            loyalsim::provenance::sha256_hex(json.as_bytes())
        );
        std::fs::write(points.join(format!("{i:05}.json")), json).unwrap();
        std::fs::write(sums_path, sums).unwrap();
    }
    let err = sweep(&out, "1/1");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(
        err.contains("belongs to another sweep (\\u{1b}[2Jevil)"),
        "{err}"
    );
    assert!(err.contains("summary.x\\u{1b}[31m: sd -1"), "{err}");
}

#[test]
fn sweep_json_carries_provenance() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("s");
    sweep(&out, "1/1");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(doc["format_version"], loyalsim::provenance::FORMAT_VERSION);
    let p = &doc["provenance"];
    let text = std::fs::read_to_string(SWEEP).unwrap();
    assert_eq!(p["scenario_text"], text.as_str());
    assert_eq!(
        p["scenario_sha256"],
        loyalsim::provenance::sha256_hex(text.as_bytes()).as_str()
    );
    assert_eq!(p["set"][0], "program[Stamp card].stamps.prestamped=0..2:1");
    assert_eq!(
        p["command"],
        "loyalsim sweep tests/fixtures/sweep/tiny.toml --set 'program[Stamp card].stamps.prestamped=0..2:1'"
    );
    assert_eq!(p["seed"], 3);
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    // `loyalsim run --format json | head -1`: was a panic, exit code 101.
    use std::process::{Command as Std, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("loyalsim");
    let mut child = Std::new(bin)
        .args([
            "run",
            "scenarios/boutique.toml",
            "--replications",
            "20",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before loyalsim writes anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // Ended by SIGPIPE (the default action, restored at start), or by an
    // exit with the shell's code for it.
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert!(
            out.status.signal() == Some(13) || out.status.code() == Some(141),
            "{:?}: {err}",
            out.status
        );
    }
    assert!(!err.contains("panicked") && !err.contains("error"), "{err}");
}

#[test]
fn whole_scenario_checks_name_the_key_and_numbers_stay_short() {
    let err = fails(&["validate", &format!("{FIX}/workload_1e303.toml")]);
    assert!(
        err.contains("workload_1e303.toml:16:17: population.segment[0].purchase_rate: this scenario would simulate about 1.0e303 purchases"),
        "{err}"
    );
    // An estimate beyond the largest number (was "about inf purchases").
    let err = fails(&["validate", &format!("{FIX}/workload_inf.toml")]);
    assert!(
        err.contains("workload_inf.toml:21:11: acquisition.organic: this scenario would simulate an unbounded number of purchases per replication"),
        "{err}"
    );
    let err = fails(&["validate", &format!("{FIX}/horizon_1e300.toml")]);
    assert!(!err.contains("0000000000"), "{err}");
    assert!(
        err.contains("horizon_1e300.toml:4:11: simulation.horizon: 1e300 / 1 gives 1e300"),
        "{err}"
    );
    let err = fails(&["validate", &format!("{FIX}/margin_neg_1e300.toml")]);
    assert!(err.contains("`-1e300` is out of range"), "{err}");
    // The bundled bad fixtures' whole-scenario checks point at a key too.
    let err = fails(&[
        "validate",
        "tests/fixtures/bad/unbounded_word_of_mouth.toml",
    ]);
    assert!(
        err.contains(": acquisition.referral_rate: word of mouth"),
        "{err}"
    );
}

#[test]
fn report_refuses_impossible_documents() {
    let out = tempfile::tempdir().unwrap();
    for (name, problem) in [
        (
            "report_horizon_negative",
            "horizon: -5 is not a positive number",
        ),
        (
            "report_inverted_interval",
            "programs[1] (Stamp card).summary.profit: ci95",
        ),
        (
            "report_period_past_horizon",
            "programs[0] (baseline).periods[2].end: 1000000000",
        ),
        (
            "report_p_better_7",
            "programs[1] (Stamp card).vs_baseline.p_better: 7 is not a share",
        ),
        (
            "report_escape_name",
            "programs[1].name: contains the control character U+001B",
        ),
    ] {
        let file = format!("{FIX}/{name}.json");
        let err = fails(&["report", &file, "--out", out.path().to_str().unwrap()]);
        assert!(
            err.contains(&format!(
                "{file}: not a results document loyalsim could have written: {problem}"
            )),
            "{name}: {err}"
        );
    }
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing written"
    );
}
