//! Sweeps end to end, each shard a separate process: sharded runs merged are
//! byte-identical to the unsharded run (report.html included), the report
//! names the best point, a rerun resumes without recomputing finished
//! points, merge refuses wrong inputs with exact messages, and bad `--set`
//! values stop the sweep before anything runs.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const SCENARIO: &str = "tests/fixtures/sweep/tiny.toml";
/// With the file's `[sweep]` card_size = [6, 8, 10]: 3 × 3 = 9 points.
const SET: &str = "program[Stamp card].stamps.prestamped=0..2:1";

fn loyalsim() -> Command {
    Command::cargo_bin("loyalsim").unwrap()
}

/// Run `loyalsim ARGS`, returning (exit code, stderr).
fn run(args: &[&str]) -> (i32, String) {
    let out = loyalsim().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn sweep(out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "sweep",
        SCENARIO,
        "--set",
        SET,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    err
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn assert_same_tree(a: &Path, b: &Path) {
    let fa = files(a);
    assert_eq!(fa, files(b), "the same files");
    for f in &fa {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{} differs",
            f.display()
        );
    }
}

#[test]
fn shards_merged_equal_the_unsharded_run_byte_for_byte() {
    let t = tempfile::tempdir().unwrap();
    let full = t.path().join("full");
    sweep(&full, &["--quiet"]);
    let shards: Vec<PathBuf> = (1..=4)
        .map(|k| t.path().join(format!("shard{k}")))
        .collect();
    // Separate processes, started together; shard 4/4 has 2 of the 9 points.
    let children: Vec<_> = shards
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("loyalsim"))
                .args(["sweep", SCENARIO, "--set", SET, "--quiet", "--threads", "1"])
                .args(["--shard", &format!("{}/4", i + 1), "--out"])
                .arg(dir)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let merged = t.path().join("merged");
    let mut args = vec!["merge"];
    // Inputs in any order; a file inside a shard folder stands for the folder.
    let s4 = shards[3].join("shard.json");
    args.extend([s4.to_str().unwrap(), shards[1].to_str().unwrap()]);
    args.extend([shards[0].to_str().unwrap(), shards[2].to_str().unwrap()]);
    args.extend(["--out", merged.to_str().unwrap()]);
    let (code, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert_same_tree(&full, &merged);
    // Two swept keys: a heatmap per program and report.html, written by the
    // merge (equal to those of the unsharded run, checked above); no chart
    // for the control; a shard alone writes none.
    let charts: Vec<PathBuf> = files(&merged)
        .into_iter()
        .filter(|f| {
            let f = f.to_string_lossy();
            f.ends_with(".svg") || f.ends_with(".png")
        })
        .collect();
    assert_eq!(
        charts,
        [
            PathBuf::from("sweep_vs_baseline_profit_stamp_card.png"),
            PathBuf::from("sweep_vs_baseline_profit_stamp_card.svg")
        ]
    );
    let svg =
        std::fs::read_to_string(merged.join("sweep_vs_baseline_profit_stamp_card.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("Stamp card"));
    let html = std::fs::read_to_string(merged.join("report.html")).unwrap();
    assert!(html.contains("Best design per program"));
    assert!(html.contains("<figure id=\"sweep_vs_baseline_profit_stamp_card\">"));
    for dir in &shards {
        let visuals: Vec<PathBuf> = files(dir)
            .into_iter()
            .filter(|f| {
                let f = f.to_string_lossy();
                f.starts_with("sweep_") || f == "report.html"
            })
            .collect();
        assert!(visuals.is_empty(), "a shard draws no charts: {visuals:?}");
    }

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(full.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["points"], 9);
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 9);
    assert_eq!(runs[5]["index"], 5);
    assert_eq!(
        runs[5]["point"],
        serde_json::json!({
            "program[Stamp card].stamps.card_size": 8,
            "program[Stamp card].stamps.prestamped": 2
        })
    );
    let csv = std::fs::read_to_string(full.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "point,program[Stamp card].stamps.card_size,program[Stamp card].stamps.prestamped,program,metric,statistic,value"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("0,6,0,baseline,purchases,mean,")
    );
    assert!(csv.contains("\n8,10,2,Stamp card,vs_baseline.profit,mean,"));
    assert!(csv.contains("\n8,10,2,Stamp card,vs_baseline.p_better,value,"));
}

#[test]
fn one_key_draws_lines_and_three_keys_draw_small_multiples() {
    let t = tempfile::tempdir().unwrap();
    let one = t.path().join("one");
    let out = one.to_str().unwrap();
    let (code, err) = run(&["sweep", SCENARIO, "--out", out, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let svg = std::fs::read_to_string(one.join("sweep_vs_baseline_profit.svg")).unwrap();
    assert!(svg.contains("Stamp card"), "the line names the program");
    assert!(!svg.contains("No program"), "no line for the control");
    assert!(one.join("sweep_vs_baseline_profit.png").exists());
    let three = t.path().join("three");
    sweep(&three, &["--set", "simulation.seed=1,2", "--quiet"]);
    let svg = std::fs::read_to_string(three.join("sweep_vs_baseline_profit.svg")).unwrap();
    for key in [
        "program[Stamp card].stamps.card_size",
        "program[Stamp card].stamps.prestamped",
        "simulation.seed",
    ] {
        assert!(svg.contains(key), "a panel for {key}");
    }
    let html = std::fs::read_to_string(three.join("report.html")).unwrap();
    assert!(html.contains("Every point"));
}

/// The sweep report's best point is the point with the highest mean extra
/// profit in sweep.csv, and its interval is that row's.
#[test]
fn the_report_names_the_best_point_with_its_interval() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("s");
    sweep(&out, &["--quiet"]);
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    // Tidy rows: point, card_size, prestamped, program, metric, statistic, value.
    let stat = |point: &str, s: &str| {
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| {
                f[0] == point && f[3] == "Stamp card" && f[4] == "vs_baseline.profit" && f[5] == s
            })
            .map(|f| f[6].parse::<f64>().unwrap())
            .unwrap()
    };
    let best = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[3] == "Stamp card" && f[4] == "vs_baseline.profit" && f[5] == "mean")
        .max_by(|a, b| {
            let m = |f: &Vec<&str>| f[6].parse::<f64>().unwrap();
            m(a).total_cmp(&m(b))
        })
        .unwrap();
    let data = loyalsim::sweep::charts::SweepData::read(&out).unwrap();
    let b = &data.best(&out).unwrap()[0];
    assert_eq!(b.program, "Stamp card");
    let d = data.describe("Stamp card", &b.by_value);
    assert_eq!(d[0].1, best[1], "card_size");
    assert_eq!(d[1].1, best[2], "prestamped");
    assert_eq!(b.by_value.value.mean, best[6].parse::<f64>().unwrap());
    assert_eq!(
        b.by_value.value.ci95,
        [stat(best[0], "ci95_low"), stat(best[0], "ci95_high")]
    );
    // The runner-up is a different point with a lower mean, and the lead is
    // the run-by-run difference of the two.
    let r = b.runner_up.as_ref().unwrap();
    assert_ne!(r.index, b.by_value.index);
    assert!(r.value.mean <= b.by_value.value.mean);
    let lead = b.lead.unwrap();
    let want = b.by_value.value.mean - r.value.mean;
    assert!((lead.difference.mean - want).abs() < 1e-6 * (1.0 + want.abs()));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let signed = loyalsim::report::format::signed;
    assert!(html.contains(&format!("<b>{}</b>", signed(b.by_value.value.mean))));
    assert!(html.contains(&format!(
        "{} to {}",
        signed(b.by_value.value.ci95[0]),
        signed(b.by_value.value.ci95[1])
    )));
}

#[test]
fn a_point_equals_a_plain_run_with_those_values() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("s");
    sweep(&out, &["--quiet"]);
    let src = std::fs::read_to_string(SCENARIO)
        .unwrap()
        .replace("card_size = 10", "card_size = 8\nprestamped = 1");
    let single = t.path().join("single.toml");
    std::fs::write(&single, src).unwrap();
    let plain = loyalsim()
        .args([
            "run",
            single.to_str().unwrap(),
            "--format",
            "json",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(plain.status.success());
    let mut plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    // A run carries its provenance; a sweep's runs share sweep.json's.
    assert!(
        plain
            .as_object_mut()
            .unwrap()
            .shift_remove("provenance")
            .is_some()
    );
    // Point 4 is card_size = 8, prestamped = 1.
    let mut point: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("points/00004.json")).unwrap()).unwrap();
    let obj = point.as_object_mut().unwrap();
    for k in ["sweep", "index", "point"] {
        assert!(obj.shift_remove(k).is_some(), "{k}");
    }
    assert_eq!(point, plain);
}

#[test]
fn a_rerun_skips_finished_points_and_recomputes_only_the_missing_one() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("s");
    let first = sweep(&out, &[]);
    assert!(first.contains("[9/9] point 8:"), "{first}");
    assert!(!first.contains("skipping"), "{first}");
    let before = std::fs::read(out.join("sweep.json")).unwrap();
    let csv_before = std::fs::read(out.join("sweep.csv")).unwrap();

    std::fs::remove_file(out.join("points/00004.json")).unwrap();
    let second = sweep(&out, &[]);
    assert!(second.contains("skipping 8 finished points"), "{second}");
    let computed: Vec<&str> = second.lines().filter(|l| l.contains("] point ")).collect();
    assert_eq!(computed.len(), 1, "{second}");
    assert!(computed[0].starts_with("[5/9] point 4: "), "{second}");
    assert_eq!(std::fs::read(out.join("sweep.json")).unwrap(), before);
    assert_eq!(std::fs::read(out.join("sweep.csv")).unwrap(), csv_before);

    let third = sweep(&out, &[]);
    assert!(third.contains("skipping 9 finished points"), "{third}");
    assert!(!third.contains("] point "), "{third}");

    // The same folder with other values is another sweep: refused.
    let (code, err) = run(&[
        "sweep",
        SCENARIO,
        "--set",
        "program[Stamp card].stamps.prestamped=0,1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        format!(
            "error: {} holds a different sweep (the scenario text, --set values, --replications, or a script or cohort file it reads changed); choose another --out or delete it",
            out.display()
        )
    );
}

#[test]
fn editing_a_script_the_sweep_reads_makes_it_another_sweep() {
    // The tiny scenario with a scripted stamp card next to it: a resumed
    // sweep must not reuse points computed with the old script.
    let t = tempfile::tempdir().unwrap();
    let script = t.path().join("stamps.rhai");
    std::fs::write(&script, include_str!("../scripts/stamps.rhai")).unwrap();
    let scenario = t.path().join("tiny.toml");
    let tiny = std::fs::read_to_string(SCENARIO).unwrap();
    let sweep_table = tiny.find("[sweep]").unwrap();
    std::fs::write(
        &scenario,
        format!(
            "{}[[program]]\nname = \"Scripted card\"\n[program.script]\nfile = \"stamps.rhai\"\n\
             params = {{ card_size = 10, reward_value = 4.0, prestamped = 0, min_basket = 0.0, reward_cost_ratio = 0.5 }}\n\n{}",
            &tiny[..sweep_table],
            &tiny[sweep_table..]
        ),
    )
    .unwrap();
    let out = t.path().join("s");
    let args = [
        "sweep",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let (code, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let (code, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("skipping 3 finished points"), "{err}");

    let edited = format!("// edited\n{}", std::fs::read_to_string(&script).unwrap());
    std::fs::write(&script, edited).unwrap();
    let (code, err) = run(&args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds a different sweep"), "{err}");
    assert!(err.contains("a script or cohort file"), "{err}");
}

#[test]
fn merge_refuses_mismatched_missing_duplicate_and_unfinished_shards() {
    let t = tempfile::tempdir().unwrap();
    let p = |n: &str| t.path().join(n);
    let s = |n: &str| p(n).to_str().unwrap().to_string();
    for k in 1..=3 {
        sweep(
            &p(&format!("s{k}")),
            &["--shard", &format!("{k}/3"), "--quiet"],
        );
    }
    let merge = |inputs: &[String]| {
        let mut args: Vec<&str> = vec!["merge"];
        args.extend(inputs.iter().map(String::as_str));
        let out = s("merged");
        args.extend(["--out", out.as_str()]);
        let (code, err) = run(&args);
        assert_eq!(code, 2, "{err}");
        err.trim_end().to_string()
    };

    assert_eq!(
        merge(&[s("s1"), s("s3")]),
        "error: missing shard 2/3: run `loyalsim sweep ... --shard 2/3` and merge again"
    );
    assert_eq!(
        merge(&[s("s1"), s("s2"), s("s2"), s("s3")]),
        format!(
            "error: shard 2/3 is given twice: {} and {}",
            s("s2"),
            s("s2")
        )
    );

    // Another sweep (other --set values) in the shard 2 position.
    let (code, err) = run(&[
        "sweep",
        SCENARIO,
        "--set",
        "program[Stamp card].stamps.prestamped=0,1",
        "--shard",
        "2/3",
        "--quiet",
        "--out",
        &s("other"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        merge(&[s("s1"), s("other"), s("s3")]),
        format!(
            "error: cannot merge shards of different sweeps: {} and {} differ in the scenario text, the --set values, --replications, or a script or cohort file they read",
            s("s1"),
            s("other")
        )
    );

    // A split into 2 mixed with a split into 3.
    sweep(&p("half"), &["--shard", "2/2", "--quiet"]);
    assert_eq!(
        merge(&[s("s1"), s("half")]),
        format!(
            "error: cannot merge shards of different splits: {} is shard 1/3, {} is shard 2/2",
            s("s1"),
            s("half")
        )
    );

    // An edited manifest (here: another loyalsim version written into it)
    // no longer matches its checksum. Genuine outputs of different versions
    // are refused by `merge::check` (unit tests in src/sweep/merge.rs).
    let manifest = p("s3").join("shard.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let version = format!("\"loyalsim_version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    std::fs::write(
        &manifest,
        text.replace(&version, "\"loyalsim_version\": \"0.0.1\""),
    )
    .unwrap();
    assert_eq!(
        merge(&[s("s1"), s("s2"), s("s3")]),
        format!(
            "error: {}: the manifest was changed after loyalsim wrote it (its checksum does not match); rerun the sweep into a new folder",
            manifest.display()
        )
    );
    std::fs::write(&manifest, text).unwrap();

    // A shard that was interrupted.
    std::fs::remove_file(p("s2").join("points/00004.json")).unwrap();
    assert_eq!(
        merge(&[s("s1"), s("s2"), s("s3")]),
        format!(
            "error: {} (shard 2/3) is unfinished: 1 of its 3 points are missing (first: point 4); rerun that shard to finish it",
            s("s2")
        )
    );
    assert!(!p("merged").exists(), "nothing written on refusal");

    assert_eq!(
        merge(&[s("nowhere")]),
        format!(
            "error: {}: cannot read: No such file or directory (os error 2)",
            s("nowhere")
        )
    );
}

#[test]
fn bad_set_values_stop_the_sweep_before_anything_runs() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("s");
    let o = out.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["--set", "program[Stamp card].stamps.card_size=8,0"],
            "program[Stamp card].stamps.card_size=0",
        ),
        (
            &["--set", "program[Stamp card].stamps.card_sise=8"],
            "card_sise",
        ),
        (&["--set", "program[Nope].stamps.card_size=8"], "Nope"),
        (
            &["--set", "business.gross_margin=0.5..0.1:0.1"],
            "--set business.gross_margin: bad range '0.5..0.1:0.1': the end is smaller than the start",
        ),
        (
            &["--set", "business.gross_margin=0.1..0.5:0"],
            "the step must be greater than 0",
        ),
        (
            &["--set", "business.gross_margin="],
            "--set business.gross_margin: no values given",
        ),
    ];
    for (args, expect) in cases {
        let mut all = vec!["sweep", SCENARIO, "--out", o];
        all.extend_from_slice(args);
        let (code, err) = run(&all);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "{args:?}: nothing may be written");
    }
    let (code, err) = run(&["sweep", SCENARIO, "--shard", "4/3", "--out", o]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--shard 4/3: K must be between 1 and N"),
        "{err}"
    );
}
