//! The output files as other tools read them, checked without pandas: every
//! CSV has its documented header and no missing cell and agrees with the
//! JSON; results.xlsx read back with calamine holds the comparison table's
//! numbers; the JSON Schemas in docs/schema are the generated ones and the
//! bundled scenarios' outputs validate against them; rfm.csv on the CDNOW
//! sample equals the lifetimes package's summary; completions, man pages and
//! the examples in --help work.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

const CDNOW: &str = "tests/data/cdnow_sample.csv";

fn loyalsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_loyalsim"))
}

/// Run `loyalsim` with `args`; panics with its stderr unless it succeeds.
fn ok(args: &[&str]) -> String {
    let out = loyalsim().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "loyalsim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `loyalsim run SCENARIO --replications N --out DIR`.
fn run_to(dir: &Path, scenario: &str, reps: u32) {
    ok(&[
        "run",
        scenario,
        "--replications",
        &reps.to_string(),
        "--quiet",
        "--out",
        path(dir),
    ]);
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// A CSV file read strictly: the header must be `header` and written in
/// docs/outputs.md (or docs/fitting.md), every record as long as the
/// header, no cell empty, and every cell of `numeric` columns a finite number.
fn tidy_csv(file: &Path, header: &str, numeric: &[&str]) -> Vec<HashMap<String, String>> {
    let docs = std::fs::read_to_string("docs/outputs.md").unwrap()
        + std::fs::read_to_string("docs/fitting.md").unwrap().as_str();
    assert!(
        docs.contains(&format!("`{header}`")),
        "the header of {} is not documented: `{header}`",
        file.display()
    );
    let mut rd = csv::Reader::from_path(file).unwrap();
    let names: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(names.join(","), header, "{}", file.display());
    let mut rows = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let rec = rec.unwrap_or_else(|e| panic!("{}: record {i}: {e}", file.display()));
        let row: HashMap<String, String> = names
            .iter()
            .cloned()
            .zip(rec.iter().map(String::from))
            .collect();
        for (k, v) in &row {
            assert!(
                !v.is_empty(),
                "{}: record {i}: {k} is empty",
                file.display()
            );
            if numeric.contains(&k.as_str()) {
                let x: f64 = v
                    .parse()
                    .unwrap_or_else(|_| panic!("{}: {k} = {v:?}", file.display()));
                assert!(x.is_finite(), "{}: record {i}: {k} = {v}", file.display());
            }
        }
        rows.push(row);
    }
    assert!(!rows.is_empty(), "{} has no rows", file.display());
    rows
}

fn num(row: &HashMap<String, String>, k: &str) -> f64 {
    row[k].parse().unwrap()
}

#[test]
fn run_csvs_are_tidy_documented_and_agree_with_the_json() {
    let t = tempfile::tempdir().unwrap();
    run_to(t.path(), "scenarios/boutique.toml", 30);
    let doc = read_json(&t.path().join("results.json"));
    let summary = tidy_csv(
        &t.path().join("summary.csv"),
        "program,metric,statistic,value",
        &["value"],
    );
    let periods = tidy_csv(
        &t.path().join("periods.csv"),
        "program,end,metric,statistic,value",
        &["end", "value"],
    );
    let reps = tidy_csv(
        &t.path().join("replications.csv"),
        "program,replication,metric,value",
        &["replication", "value"],
    );

    let get = |program: &str, metric: &str, statistic: &str| -> Option<f64> {
        summary
            .iter()
            .find(|r| {
                r["program"] == program && r["metric"] == metric && r["statistic"] == statistic
            })
            .map(|r| num(r, "value"))
    };
    let programs = doc["programs"].as_array().unwrap();
    let metrics: Vec<&String> = programs[0]["summary"].as_object().unwrap().keys().collect();
    for p in programs {
        let name = p["name"].as_str().unwrap();
        // Every metric with every statistic of the JSON, unchanged.
        for m in &metrics {
            let s = &p["summary"][m.as_str()];
            for stat in ["mean", "sd", "p05", "p50", "p95"] {
                assert_eq!(get(name, m, stat), s[stat].as_f64(), "{name} {m} {stat}");
            }
            assert_eq!(get(name, m, "ci95_low"), s["ci95"][0].as_f64());
            assert_eq!(get(name, m, "ci95_high"), s["ci95"][1].as_f64());
        }
        let Some(v) = p.get("vs_baseline") else {
            assert_eq!(name, "baseline");
            assert!(get(name, "vs_baseline.profit", "mean").is_none());
            continue;
        };
        for m in &metrics {
            let key = format!("vs_baseline.{m}");
            assert_eq!(
                get(name, &key, "mean"),
                v[m.as_str()]["mean"].as_f64(),
                "{key}"
            );
        }
        assert_eq!(
            get(name, "vs_baseline.p_better", "value"),
            v["p_better"].as_f64()
        );
        for stat in ["mean", "p05", "p95"] {
            assert_eq!(
                get(name, "vs_baseline.roi", stat),
                v["roi"][stat].as_f64(),
                "roi {stat}"
            );
        }
        // `null` (never pays back) is a missing row, not an empty cell.
        assert_eq!(
            get(name, "vs_baseline.payback_period", "value"),
            v["payback_period"].as_f64()
        );
    }
    // The fixture covers both a payback and a "never".
    let paybacks: Vec<bool> = programs[1..]
        .iter()
        .map(|p| p["vs_baseline"]["payback_period"].is_null())
        .collect();
    assert!(
        paybacks.contains(&true) && paybacks.contains(&false),
        "{paybacks:?}"
    );

    // periods.csv: every period's bands.
    let n_periods = programs[0]["periods"].as_array().unwrap().len();
    let last = &programs[1]["periods"][n_periods - 1];
    let row = periods
        .iter()
        .find(|r| {
            r["program"] == programs[1]["name"].as_str().unwrap()
                && num(r, "end") == last["end"].as_f64().unwrap()
                && r["metric"] == "incremental_cumulative_profit"
                && r["statistic"] == "p95"
        })
        .unwrap();
    assert_eq!(
        num(row, "value"),
        last["incremental_cumulative_profit"]["p95"]
            .as_f64()
            .unwrap()
    );

    // replications.csv: each replication's totals, behind the summaries:
    // their mean is the summary's mean, and p_better is the share of
    // replications in which the program's profit beats the control's.
    let profit = |program: &str| -> Vec<f64> {
        let mut v: Vec<(u32, f64)> = reps
            .iter()
            .filter(|r| r["program"] == program && r["metric"] == "profit")
            .map(|r| (r["replication"].parse().unwrap(), num(r, "value")))
            .collect();
        v.sort_by_key(|x| x.0);
        assert_eq!(
            v.iter().map(|x| x.0).collect::<Vec<_>>(),
            (0..30).collect::<Vec<_>>()
        );
        v.into_iter().map(|x| x.1).collect()
    };
    let base = profit("baseline");
    for p in &programs[1..] {
        let name = p["name"].as_str().unwrap();
        let mine = profit(name);
        let mean = mine.iter().sum::<f64>() / mine.len() as f64;
        assert_eq!(
            mean,
            p["summary"]["profit"]["mean"].as_f64().unwrap(),
            "{name}"
        );
        let wins: f64 = mine
            .iter()
            .zip(&base)
            .map(|(a, b)| {
                if a > b {
                    1.0
                } else if a == b {
                    0.5
                } else {
                    0.0
                }
            })
            .sum();
        assert_eq!(
            wins / 30.0,
            p["vs_baseline"]["p_better"].as_f64().unwrap(),
            "{name}"
        );
        let deltas: Vec<f64> = mine.iter().zip(&base).map(|(a, b)| a - b).collect();
        let json_deltas: Vec<f64> = p["vs_baseline"]["replication_profit_delta"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(deltas, json_deltas, "{name}");
    }
    // Per segment: the summaries and differences of the JSON are rows of
    // summary.csv under `segments[NAME].METRIC`, and every replication's
    // value is a row of replications.csv.
    let segments = programs[1]["segments"].as_array().unwrap();
    assert_eq!(segments.len(), 3);
    for seg in segments {
        let name = seg["name"].as_str().unwrap();
        for m in loyalsim::stats::metrics::SEGMENT_METRICS {
            let key = format!("segments[{name}].{m}");
            let program = programs[1]["name"].as_str().unwrap();
            assert_eq!(get(program, &key, "mean"), seg[m]["mean"].as_f64(), "{key}");
            assert_eq!(
                get(program, &format!("segments[{name}].vs_baseline.{m}"), "p95"),
                seg["vs_baseline"][m]["p95"].as_f64(),
                "{key}"
            );
            let values: Vec<f64> = reps
                .iter()
                .filter(|r| r["program"] == program && r["metric"] == key.as_str())
                .map(|r| num(r, "value"))
                .collect();
            assert_eq!(values.len(), 30, "{key}");
            let mean = values.iter().sum::<f64>() / 30.0;
            let json = seg[m]["mean"].as_f64().unwrap();
            assert!((mean - json).abs() <= 1e-9 * json.abs().max(1.0), "{key}");
        }
    }
    let n_metrics =
        metrics.len() + segments.len() * loyalsim::stats::metrics::SEGMENT_METRICS.len();
    assert_eq!(reps.len(), programs.len() * 30 * n_metrics);
}

/// Splits sweep.csv-like text into (point columns, the rest) at `lead` columns.
fn strip_lead(text: &str, lead: usize) -> Vec<String> {
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(r.iter().skip(lead)).unwrap();
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        })
        .collect()
}

#[test]
fn sweep_csvs_are_the_run_tables_led_by_the_point() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("sweep");
    let key = "program[10-stamp card].stamps.card_size";
    ok(&[
        "sweep",
        "scenarios/cafe-stamps.toml",
        "--set",
        &format!("{key}=8,12"),
        "--replications",
        "4",
        "--quiet",
        "--out",
        path(&out),
    ]);
    let sweep = tidy_csv(
        &out.join("sweep.csv"),
        &format!("point,{key},program,metric,statistic,value"),
        &["point", "value"],
    );
    let reps = tidy_csv(
        &out.join("replications.csv"),
        &format!("point,{key},program,replication,metric,value"),
        &["point", "replication", "value"],
    );
    assert!(reps.iter().any(|r| r["point"] == "1" && r[key] == "12"));
    let doc = read_json(&out.join("sweep.json"));
    let text = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let body: Vec<&str> = text.lines().skip(1).collect();
    for (i, run) in doc["runs"].as_array().unwrap().iter().enumerate() {
        assert_eq!(run["index"], i);
        let results: loyalsim::stats::Results = serde_json::from_value(run.clone()).unwrap();
        // The run's summary.csv rows, in the same order, after the point's columns.
        let own = loyalsim::report::csv::summary(&results).unwrap();
        let expected: Vec<String> = strip_lead(&own, 0).into_iter().skip(1).collect();
        let mine: Vec<&str> = body
            .iter()
            .copied()
            .filter(|l| l.starts_with(&format!("{i},")))
            .collect();
        assert_eq!(strip_lead(&mine.join("\n"), 2), expected, "point {i}");
        let size = run["point"][key].as_i64().unwrap().to_string();
        assert!(
            sweep
                .iter()
                .filter(|r| r["point"] == i.to_string())
                .all(|r| r[key] == size)
        );
    }
}

/// The numbers of the terminal table's row for `program`, as printed.
fn table_row<'a>(table: &'a str, program: &str) -> Vec<&'a str> {
    let line = table
        .lines()
        .find(|l| l.starts_with(program))
        .unwrap_or_else(|| panic!("no row for {program} in\n{table}"));
    line[program.len()..]
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn cell_f64(c: &Data) -> Option<f64> {
    match c {
        Data::Float(x) => Some(*x),
        Data::Int(x) => Some(*x as f64),
        _ => None,
    }
}

fn cell_str(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[test]
fn xlsx_comparison_sheet_holds_the_table_numbers() {
    use loyalsim::report::format::{percent, percent0, signed, thousands};
    let t = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "scenarios/boutique.toml",
        "--replications",
        "20",
        "--quiet",
    ];
    let table = ok(&args);
    run_to(t.path(), "scenarios/boutique.toml", 20);
    let doc = read_json(&t.path().join("results.json"));
    let mut wb: Xlsx<_> = open_workbook(t.path().join("results.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Comparison", "Summary", "Periods", "Replications"]
    );
    let sheet = wb.worksheet_range("Comparison").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[0].iter().map(cell_str).collect();
    assert_eq!(
        header,
        [
            "Program",
            "Profit",
            "vs control",
            "95% interval low",
            "95% interval high",
            "Beats",
            "Cost",
            "Retention",
            "Payback (month)"
        ]
    );
    let programs = doc["programs"].as_array().unwrap();
    for (i, p) in programs.iter().enumerate() {
        let row = rows[i + 1];
        let name = p["name"].as_str().unwrap();
        assert_eq!(cell_str(&row[0]), name);
        let f = |c: usize| cell_f64(&row[c]);
        let mean = |m: &str| p["summary"][m]["mean"].as_f64();
        // The unrounded numbers of the results document...
        assert_eq!(f(1), mean("profit"));
        assert_eq!(f(6), mean("program_cost"));
        assert_eq!(f(7), mean("retention"));
        // ...which the terminal table prints rounded.
        let printed = table_row(&table, name);
        assert_eq!(printed[0], thousands(f(1).unwrap()), "{name}");
        match p.get("vs_baseline") {
            None => {
                assert!((2..=5).chain([8]).all(|c| row[c] == Data::Empty));
                assert_eq!(printed[1..4], ["-", "-", "-"]);
                assert_eq!(printed[4], thousands(f(6).unwrap()));
                assert_eq!(printed[5], percent(f(7).unwrap()));
            }
            Some(v) => {
                assert_eq!(f(2), v["profit"]["mean"].as_f64());
                assert_eq!(f(3), v["profit"]["ci95"][0].as_f64());
                assert_eq!(f(4), v["profit"]["ci95"][1].as_f64());
                assert_eq!(f(5), v["p_better"].as_f64());
                assert_eq!(printed[1], signed(f(2).unwrap()));
                assert_eq!(
                    printed[2],
                    format!("{} to {}", signed(f(3).unwrap()), signed(f(4).unwrap()))
                );
                assert_eq!(printed[3], percent0(f(5).unwrap()));
                assert_eq!(printed[4], thousands(f(6).unwrap()));
                assert_eq!(printed[5], percent(f(7).unwrap()));
                match v["payback_period"].as_f64() {
                    Some(t) => {
                        assert_eq!(f(8), Some(t));
                        assert_eq!(printed[6], format!("month {t}"));
                    }
                    None => {
                        assert_eq!(cell_str(&row[8]), "never");
                        assert_eq!(printed[6], "never");
                    }
                }
            }
        }
    }
    // Below the table: the table's title line.
    let title = table.lines().next().unwrap();
    assert!(
        rows.iter().any(|r| cell_str(&r[0]) == title),
        "no title line {title:?}"
    );

    // The tidy sheets hold the CSV tables, cell for cell.
    for (sheet, file) in [
        ("Summary", "summary.csv"),
        ("Periods", "periods.csv"),
        ("Replications", "replications.csv"),
    ] {
        let range = wb.worksheet_range(sheet).unwrap();
        let mut rd = csv::Reader::from_path(t.path().join(file)).unwrap();
        let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
        let records: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        let cells: Vec<&[Data]> = range.rows().collect();
        assert_eq!(cells.len(), records.len() + 1, "{sheet}");
        assert_eq!(cells[0].iter().map(cell_str).collect::<Vec<_>>(), head);
        for (rec, row) in records.iter().zip(&cells[1..]) {
            for (text, cell) in rec.iter().zip(row.iter()) {
                match cell_f64(cell) {
                    Some(x) => assert_eq!(text.parse::<f64>().unwrap(), x, "{sheet}"),
                    None => assert_eq!(text, cell_str(cell), "{sheet}"),
                }
            }
        }
    }
}

#[test]
fn xlsx_is_byte_identical_for_the_same_results() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        ok(&[
            "run",
            "scenarios/tiers.toml",
            "--replications",
            "4",
            "--threads",
            threads,
            "--quiet",
            "--out",
            path(dir),
        ]);
    }
    for f in [
        "results.xlsx",
        "summary.csv",
        "periods.csv",
        "replications.csv",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

// ---------------------------------------------------------------------------
// JSON Schemas

fn schema_dir() -> PathBuf {
    PathBuf::from("docs/schema")
}

/// The checked-in schemas are the generated ones. To update them after
/// changing a document's types: `LOYALSIM_WRITE_SCHEMAS=1 cargo test --release
/// --test outputs schemas`.
#[test]
fn schemas_in_docs_are_the_generated_ones() {
    let write = std::env::var_os("LOYALSIM_WRITE_SCHEMAS").is_some();
    for (name, text) in loyalsim::report::schema::all() {
        let file = schema_dir().join(name);
        if write {
            std::fs::create_dir_all(schema_dir()).unwrap();
            std::fs::write(&file, &text).unwrap();
        }
        // Users read the schemas: they cite the docs, not internal notes.
        assert!(!text.contains("SPEC") && !text.contains("[`"), "{name}");
        let kept = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            kept == text,
            "{} differs from the schema generated from the serde types; \
             rerun with LOYALSIM_WRITE_SCHEMAS=1 and commit it",
            file.display()
        );
    }
}

fn schema(name: &str) -> Value {
    read_json(&schema_dir().join(format!("{name}.schema.json")))
}

/// A stricter copy of a schema: objects that list their properties accept no
/// others. Validating against it checks that the schema describes every
/// field loyalsim writes (the published schema accepts added fields).
fn closed(mut s: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(o) => {
                if o.contains_key("properties") && !o.contains_key("additionalProperties") {
                    o.insert("additionalProperties".into(), Value::Bool(false));
                }
                o.values_mut().for_each(walk);
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut s);
    s
}

/// Validate `doc` against the schema `name`, open and closed.
fn validate(name: &str, doc: &Value, what: &str) {
    for s in [schema(name), closed(schema(name))] {
        let v = jsonschema::validator_for(&s).unwrap();
        let errors: Vec<String> = v
            .iter_errors(doc)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} against {name}.schema.json: {errors:#?}"
        );
    }
}

#[test]
fn bundled_scenarios_results_validate_against_the_schema() {
    let mut n = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for f in &files {
        let text = ok(&[
            "run",
            path(f),
            "--replications",
            "3",
            "--format",
            "json",
            "--quiet",
        ]);
        let doc: Value = serde_json::from_str(&text).unwrap();
        validate("results", &doc, &f.display().to_string());
        n += 1;
    }
    assert!(n >= 10, "{n} scenarios");
    // The validator does reject a document that breaks the schema.
    let text = ok(&[
        "run",
        "scenarios/tiers.toml",
        "--replications",
        "2",
        "--format",
        "json",
        "--quiet",
    ]);
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["programs"][1]["vs_baseline"]["p_better"] = Value::String("high".into());
    let v = jsonschema::validator_for(&schema("results")).unwrap();
    assert!(!v.is_valid(&doc));
    doc["programs"][1]["vs_baseline"]["p_better"] = 0.5.into();
    doc["programs"][0]
        .as_object_mut()
        .unwrap()
        .remove("summary");
    assert!(!v.is_valid(&doc));
}

#[test]
fn sweep_and_fit_documents_validate_against_their_schemas() {
    let t = tempfile::tempdir().unwrap();
    let sweep = t.path().join("sweep");
    ok(&[
        "sweep",
        "scenarios/cafe-stamps.toml",
        "--set",
        "program[10-stamp card].stamps.card_size=8,12",
        "--replications",
        "3",
        "--quiet",
        "--out",
        path(&sweep),
    ]);
    validate("sweep", &read_json(&sweep.join("sweep.json")), "sweep.json");
    // A shard's sweep.json, with its `shard` field.
    let shard = t.path().join("shard");
    ok(&[
        "sweep",
        "scenarios/cafe-stamps.toml",
        "--set",
        "program[10-stamp card].stamps.card_size=8,12",
        "--replications",
        "3",
        "--shard",
        "2/2",
        "--quiet",
        "--out",
        path(&shard),
    ]);
    let doc = read_json(&shard.join("sweep.json"));
    assert_eq!(doc["shard"], "2/2");
    validate("sweep", &doc, "a shard's sweep.json");

    for (i, extra) in [
        vec!["--calibration-end", "1997-09-30"],
        vec!["--model", "pnbd"],
    ]
    .into_iter()
    .enumerate()
    {
        let out = t.path().join(format!("fit{i}"));
        let mut args = vec!["fit", CDNOW, "--out", path(&out)];
        args.extend(extra);
        ok(&args);
        validate("fit", &read_json(&out.join("fit.json")), "CDNOW fit.json");
    }
    // Without amounts: no spend fields, and rfm.csv without monetary_value.
    let dates = t.path().join("dates.csv");
    let text = std::fs::read_to_string(CDNOW).unwrap();
    let cut: Vec<String> = text
        .lines()
        .map(|l| l.splitn(3, ',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    std::fs::write(&dates, cut.join("\n")).unwrap();
    let out = t.path().join("no_amounts");
    ok(&["fit", path(&dates), "--out", path(&out)]);
    let doc = read_json(&out.join("fit.json"));
    assert!(doc.get("spend").is_none());
    validate("fit", &doc, "fit.json without amounts");
    tidy_csv(
        &out.join("rfm.csv"),
        "customer_id,frequency,recency,T",
        &["frequency", "recency", "T"],
    );
}

// ---------------------------------------------------------------------------
// rfm.csv

#[test]
fn rfm_csv_matches_lifetimes_for_hand_checked_customers() {
    let t = tempfile::tempdir().unwrap();
    ok(&[
        "fit",
        CDNOW,
        "--calibration-end",
        "1997-09-30",
        "--out",
        path(t.path()),
    ]);
    let rows = tidy_csv(
        &t.path().join("rfm.csv"),
        "customer_id,frequency,recency,T,monetary_value",
        &["frequency", "recency", "T", "monetary_value"],
    );
    assert_eq!(rows.len(), 2357);
    // The published setup: 2,457 repeat transactions in the calibration period.
    let repeats: f64 = rows.iter().map(|r| num(r, "frequency")).sum();
    assert_eq!(repeats, 2457.0);
    let reference = tidy_csv(
        Path::new("tests/reference/rfm_cdnow.csv"),
        "customer_id,frequency,recency,T,monetary_value",
        &["frequency", "recency", "T", "monetary_value"],
    );
    assert!(reference.len() >= 8);
    for r in &reference {
        let id = &r["customer_id"];
        let mine = rows.iter().find(|m| &m["customer_id"] == id).unwrap();
        assert_eq!(mine["frequency"], r["frequency"], "{id}");
        // The reference is printed with 10 decimals.
        for k in ["recency", "T", "monetary_value"] {
            assert!(
                (num(mine, k) - num(r, k)).abs() < 1e-9,
                "{id} {k}: {} vs {}",
                mine[k],
                r[k]
            );
        }
    }
}

#[test]
fn a_european_export_fits_like_the_original() {
    // The CDNOW sample as a European spreadsheet would save it: `;` between
    // fields, decimal commas, dates as 18.01.1997.
    let t = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(CDNOW).unwrap();
    let mut eu = String::from("Kunde;Datum;Menge;Betrag\n");
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (y, m, d) = (&f[1][..4], &f[1][5..7], &f[1][8..10]);
        eu.push_str(&format!(
            "{};{d}.{m}.{y};{};{}\n",
            f[0],
            f[2],
            f[3].replace('.', ",")
        ));
    }
    let file = t.path().join("export.csv");
    std::fs::write(&file, eu).unwrap();
    let (plain, european) = (t.path().join("plain"), t.path().join("eu"));
    ok(&[
        "fit",
        CDNOW,
        "--calibration-end",
        "1997-09-30",
        "--out",
        path(&plain),
    ]);
    ok(&[
        "fit",
        path(&file),
        "--delimiter",
        ";",
        "--decimal-comma",
        "--customer",
        "Kunde",
        "--date",
        "Datum",
        "--amount",
        "Betrag",
        "--date-format",
        "%d.%m.%Y",
        "--calibration-end",
        "1997-09-30",
        "--out",
        path(&european),
    ]);
    for f in ["rfm.csv", "cohort.csv", "population.toml"] {
        let a = std::fs::read_to_string(plain.join(f)).unwrap();
        let b = std::fs::read_to_string(european.join(f)).unwrap();
        // population.toml names its input file in a comment.
        let strip = |s: &str| {
            s.lines()
                .skip_while(|l| l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&a), strip(&b), "{f}");
    }
    let (a, b) = (
        read_json(&plain.join("fit.json")),
        read_json(&european.join("fit.json")),
    );
    assert_eq!(a["params"], b["params"]);
    assert_eq!(a["spend"], b["spend"]);

    // Without the flags, the message says which to give.
    let out = loyalsim()
        .args(["fit", path(&file), "--out", path(&t.path().join("x"))])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("give --delimiter ';'"), "{err}");
    assert!(!t.path().join("x").exists());
}

// ---------------------------------------------------------------------------
// The CLI's manners

/// The arguments of a shell example line, up to a redirection, pipe or comment.
fn example_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    args.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            _ => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        args.push(cur);
    }
    let end = args
        .iter()
        .position(|a| matches!(a.as_str(), ">" | ">>" | "|" | "&&" | "#"))
        .unwrap_or(args.len());
    args.truncate(end);
    args
}

#[test]
fn every_help_example_parses_and_help_shows_them() {
    use clap::Parser;
    let mut seen = 0;
    for (verb, text) in loyalsim::cli::examples::ALL {
        let help = ok(&[verb, "--help"]);
        assert!(
            help.contains(text.lines().nth(1).unwrap()),
            "{verb} --help lacks its examples"
        );
        for line in text
            .lines()
            .filter(|l| l.trim_start().starts_with("loyalsim "))
        {
            let args = example_args(line.trim());
            assert_eq!(args[1], verb, "{line}");
            if let Err(e) = loyalsim::cli::Cli::try_parse_from(&args) {
                panic!("example `{line}` does not parse: {e}");
            }
            // Files the examples name exist in the repository.
            for a in &args {
                if a.starts_with("scenarios/") || a.starts_with("tests/") {
                    assert!(Path::new(a).exists(), "{line}: {a}");
                }
            }
            seen += 1;
        }
    }
    assert!(seen >= 20, "{seen} examples");
    // The example runs and fits the bundled files as written.
    ok(&[
        "sweep",
        "scenarios/cafe-stamps.toml",
        "--set",
        "business.gross_margin=0.5,0.6,0.7",
        "--dry-run",
    ]);
}

#[test]
fn every_metric_and_series_is_documented() {
    let docs = std::fs::read_to_string("docs/outputs.md").unwrap();
    for m in loyalsim::stats::metrics::METRICS
        .iter()
        .chain(&loyalsim::stats::metrics::PERIOD_SERIES)
        .chain(&["incremental_cumulative_profit"])
    {
        assert!(
            docs.contains(&format!("`{m}`")),
            "docs/outputs.md does not explain `{m}`"
        );
    }
}

#[test]
fn completions_and_man_pages() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let s = ok(&["completions", shell]);
        assert!(
            s.contains("decimal-comma") && s.contains("completions"),
            "{shell}"
        );
    }
    let out = loyalsim().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    let page = ok(&["man"]);
    assert!(page.contains(".TH loyalsim 1"), "{page}");
    assert!(page.contains("loyalsim\\-fit(1)"));
    let t = tempfile::tempdir().unwrap();
    ok(&["man", "--out", path(t.path())]);
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "loyalsim-completions.1",
            "loyalsim-fit.1",
            "loyalsim-init.1",
            "loyalsim-man.1",
            "loyalsim-merge.1",
            "loyalsim-report.1",
            "loyalsim-run.1",
            "loyalsim-sweep.1",
            "loyalsim-validate.1",
            "loyalsim.1"
        ]
    );
    let fit = std::fs::read_to_string(t.path().join("loyalsim-fit.1")).unwrap();
    assert!(fit.contains(".SH EXAMPLES\n.nf\n"));
    assert!(fit.contains("\\-\\-decimal\\-comma"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // More output than a pipe holds, read by a reader that stops at once.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} run scenarios/boutique.toml --replications 30 --format json --quiet | head -c 1",
            env!("CARGO_BIN_EXE_loyalsim")
        ))
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"{");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
