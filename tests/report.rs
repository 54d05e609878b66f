//! Charts and report.html from a real run of the sample scenario: valid SVG
//! (well-formed XML, every program's series present by its legend text),
//! valid PNG (decodable, expected size), a self-contained, escaped HTML page,
//! the `report` verb, and loading documents written before
//! `replication_profit_delta` existed.

mod common;
mod sample;

use assert_cmd::Command;
use loyalsim::report::charts::{self, SweepGrid, SweepLine, SweepPoint, SweepValue};
use loyalsim::stats::Results;
use std::sync::OnceLock;

fn results() -> &'static Results {
    static R: OnceLock<Results> = OnceLock::new();
    R.get_or_init(|| sample::results(40))
}

/// A small well-formedness check: tags balance, attributes are quoted, no
/// stray `<` or `&` in text. Returns the root element's name.
fn check_xml(doc: &str) -> Result<String, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut root = None;
    let mut rest = doc;
    while let Some(i) = rest.find(['<', '&']) {
        let (text, tail) = rest.split_at(i);
        if stack.is_empty() && !text.trim().is_empty() && root.is_some() {
            return Err(format!("text after the root element: {text:?}"));
        }
        if tail.starts_with('&') {
            let end = tail.find(';').ok_or("unterminated entity")?;
            let ent = &tail[1..end];
            let ok = matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos")
                || ent.starts_with('#') && ent.len() > 1;
            if !ok {
                return Err(format!("bad entity &{ent};"));
            }
            rest = &tail[end + 1..];
            continue;
        }
        if let Some(t) = tail.strip_prefix("<?") {
            rest = &t[t.find("?>").ok_or("unterminated <?")? + 2..];
            continue;
        }
        if let Some(t) = tail.strip_prefix("<!--") {
            rest = &t[t.find("-->").ok_or("unterminated comment")? + 3..];
            continue;
        }
        // Find the end of the tag, skipping quoted attribute values.
        let mut quote = None;
        let mut end = None;
        for (k, c) in tail.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '<') => return Err("'<' inside a tag".into()),
                (None, '>') => {
                    end = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or("unterminated tag")?;
        let tag = &tail[1..end];
        rest = &tail[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("unexpected </{name}>"))?;
            if open != name.trim() {
                return Err(format!("<{open}> closed by </{name}>"));
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        if name.is_empty() {
            return Err(format!("empty tag <{tag}>"));
        }
        if root.is_none() {
            root = Some(name.clone());
        } else if stack.is_empty() {
            return Err(format!("second root element <{name}>"));
        }
        if !tag.ends_with('/') {
            stack.push(name);
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> never closed"));
    }
    root.ok_or_else(|| "no element".to_string())
}

fn check_png(png: &[u8], expect: (u32, u32)) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG magic bytes");
    let img =
        image::load_from_memory_with_format(png, image::ImageFormat::Png).expect("PNG decodes");
    assert_eq!((img.width(), img.height()), expect);
    // Not blank: many pixels differ from white.
    let rgb = img.to_rgb8();
    let inked = rgb.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    assert!(inked > 1000, "PNG is nearly blank ({inked} pixels drawn)");
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn xml_checker_catches_broken_documents() {
    assert_eq!(
        check_xml("<?xml?><svg a=\"1>\"><g/><text>a &amp; b</text></svg>").unwrap(),
        "svg"
    );
    assert!(check_xml("<svg><g></svg>").is_err());
    assert!(check_xml("<svg>a & b</svg>").is_err());
    assert!(check_xml("<svg></svg><svg></svg>").is_err());
}

#[test]
fn every_chart_is_valid_svg_and_png_with_every_program() {
    let r = results();
    let list = charts::all(r).expect("charts render");
    let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "cumulative_profit",
            "active_customers",
            "costs",
            "profit_distribution",
            "points"
        ]
    );
    for c in &list {
        assert_eq!(check_xml(&c.svg), Ok("svg".to_string()), "{}", c.name);
        let (w, h) = {
            let i = c.svg.find("width=\"").unwrap() + 7;
            let w: u32 = c.svg[i..].split('"').next().unwrap().parse().unwrap();
            let i = c.svg.find("height=\"").unwrap() + 8;
            let h: u32 = c.svg[i..].split('"').next().unwrap().parse().unwrap();
            (w, h)
        };
        check_png(&c.png, (w * 2, h * 2));
    }
    // Every program's series appears (by its legend or label text).
    let svg = |n: &str| &list.iter().find(|c| c.name == n).unwrap().svg;
    for p in &r.programs {
        let label = if p.name == "baseline" {
            "No program"
        } else {
            p.name.as_str()
        };
        let label = xml_text(label);
        for chart in ["cumulative_profit", "active_customers"] {
            assert!(svg(chart).contains(&label), "{label} missing in {chart}");
        }
        if p.name != "baseline" {
            assert!(svg("costs").contains(&label), "{label} missing in costs");
            assert!(
                svg("profit_distribution").contains(&label),
                "{label} missing in distribution"
            );
        }
    }
    assert!(svg("points").contains("Bonus points"));
    assert!(
        !svg("points").contains("Stamp card"),
        "only points programs in the points chart"
    );
    assert!(svg("cumulative_profit").contains("Cumulative profit (EUR)"));
}

/// A one-key and a two-key sweep, as the sweeps issue would build them.
fn sweep_examples() -> (SweepLine, SweepGrid) {
    let v = |program: &str, mean: f64| SweepValue {
        program: program.into(),
        mean,
        p05: mean - 500.0,
        p95: mean + 700.0,
    };
    let line = SweepLine {
        title: "Extra profit by card size".into(),
        x_label: "program[Stamp card].stamps.card_size".into(),
        y_label: "Extra profit vs no program (EUR)".into(),
        points: [8.0, 10.0, 12.0, 14.0]
            .iter()
            .map(|&x| SweepPoint {
                x,
                values: vec![
                    v("Stamp card", 3000.0 - 150.0 * x),
                    v("Bonus points", 1000.0 + 10.0 * x),
                ],
            })
            .collect(),
    };
    let grid = SweepGrid {
        title: "Extra profit by card size and reward".into(),
        program: "Stamp card".into(),
        x_label: "card_size".into(),
        xs: vec![8.0, 10.0, 12.0],
        y_label: "reward_value (EUR)".into(),
        ys: vec![20.0, 30.0, 40.0, 50.0],
        value_label: "mean extra profit vs no program (EUR)".into(),
        values: (0..4)
            .map(|y| (0..3).map(|x| 1000.0 * (x as f64 - y as f64)).collect())
            .collect(),
    };
    (line, grid)
}

#[test]
fn sweep_charts_render() {
    let (line, grid) = sweep_examples();
    let c = charts::render(&line).unwrap();
    assert_eq!(check_xml(&c.svg), Ok("svg".to_string()));
    assert!(c.svg.contains("Stamp card") && c.svg.contains("Bonus points"));
    check_png(&c.png, (1920, 1080));

    let c = charts::render(&grid).unwrap();
    assert_eq!(check_xml(&c.svg), Ok("svg".to_string()));
    check_png(&c.png, (1920, 1240));

    // Degenerate input never panics.
    let empty = SweepLine {
        title: String::new(),
        x_label: String::new(),
        y_label: String::new(),
        points: vec![],
    };
    assert!(charts::render(&empty).is_ok());
    let ragged = SweepGrid {
        values: vec![vec![f64::NAN]],
        ..grid
    };
    assert!(charts::render(&ragged).is_ok());
}

#[test]
fn report_html_is_self_contained_and_escaped() {
    let r = results();
    let list = charts::all(r).unwrap();
    let html = loyalsim::report::html::render(r, &list);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for bad in ["<script", "<link", "src=", "url(", "@import", "https://"] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
    // The only absolute URL is the SVG namespace, which is never fetched.
    assert_eq!(
        html.matches("http://").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    assert!(html.contains("Olga&#39;s boutique &lt;test &amp; co&gt;"));
    assert!(!html.contains("<test & co>"));
    assert_eq!(html.matches("<svg").count(), list.len());
    for v in loyalsim::report::verdict::verdicts(r) {
        assert!(
            html.contains(&loyalsim::report::html::escape(&v)),
            "verdict {v}"
        );
    }
    // Every response parameter is listed with what it does and its source.
    for k in loyalsim::model::response::KEYS {
        let source = loyalsim::report::html::escape(k.source);
        assert!(html.contains(&source), "{}: {source} missing", k.name);
        let meaning = loyalsim::report::html::escape(k.meaning);
        assert!(html.contains(&meaning), "{}: {meaning} missing", k.name);
    }
    assert!(html.contains("Drèze &amp; Nunes 2011"));
    assert!(html.contains("occasional") && html.contains("regulars"));
}

#[test]
fn run_results_carry_replication_deltas() {
    let r = results();
    for p in r.programs.iter().filter(|p| p.name != "baseline") {
        let v = p.vs_baseline.as_ref().unwrap();
        assert_eq!(v.replication_profit_delta.len(), r.replications as usize);
        let mean = v.replication_profit_delta.iter().sum::<f64>() / r.replications as f64;
        assert!((mean - v.metrics["profit"].mean).abs() < 1e-6 * (1.0 + mean.abs()));
    }
}

#[test]
fn documents_without_replication_deltas_still_load_and_report() {
    let r = results();
    let mut json: serde_json::Value = serde_json::from_str(&loyalsim::report::json(r)).unwrap();
    for p in json["programs"].as_array_mut().unwrap() {
        if let Some(v) = p.get_mut("vs_baseline").and_then(|v| v.as_object_mut()) {
            v.remove("replication_profit_delta");
        }
    }
    let old: Results = serde_json::from_value(json).expect("old documents load");
    let names: Vec<String> = charts::all(&old)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(!names.contains(&"profit_distribution".to_string()));
}

#[test]
fn report_verb_rebuilds_charts_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("results.json");
    std::fs::write(&json, loyalsim::report::json(results())).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("loyalsim")
        .unwrap()
        .args([
            "report",
            json.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .assert()
        .success();
    for f in [
        "report.html",
        "cumulative_profit.svg",
        "cumulative_profit.png",
        "points.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn report_verb_names_file_line_and_column_of_bad_json() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, "{\n  \"scenario\": \"x\",\n  oops\n}\n").unwrap();
    let out = Command::cargo_bin("loyalsim")
        .unwrap()
        .args([
            "report",
            bad.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json"), "{err}");
    assert!(err.contains("line 3 column 3"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let missing = dir.path().join("nope.json");
    Command::cargo_bin("loyalsim")
        .unwrap()
        .args([
            "report",
            missing.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(2);

    // Valid JSON, wrong shape.
    std::fs::write(&bad, "{\"programs\": 3}").unwrap();
    Command::cargo_bin("loyalsim")
        .unwrap()
        .args([
            "report",
            bad.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .assert()
        .code(2);
}

#[test]
fn odd_results_never_panic() {
    // No control, a single replication.
    let mut sc = sample::scenario(1);
    sc.simulation.baseline = false;
    let out = loyalsim::engine::run(&sc, &|| {});
    let r = loyalsim::stats::build(&sc, &out);
    let list = charts::all(&r).expect("charts without a control");
    assert!(list.iter().all(|c| c.name != "profit_distribution"));
    let html = loyalsim::report::html::render(&r, &list);
    assert!(html.contains("without the control"));

    // No programs at all, and programs without periods.
    let mut empty = results().clone();
    empty.programs.clear();
    assert!(charts::all(&empty).unwrap().is_empty());
    let _ = loyalsim::report::html::render(&empty, &[]);
    let mut hollow = results().clone();
    for p in &mut hollow.programs {
        p.periods.clear();
        p.summary.clear();
    }
    hollow.assumptions.clear();
    hollow.currency = String::new();
    let list = charts::all(&hollow).expect("charts of hollow results");
    let _ = loyalsim::report::html::render(&hollow, &list);

    // Extreme values.
    let mut wild = results().clone();
    for p in &mut wild.programs {
        for per in &mut p.periods {
            for b in per.series.values_mut() {
                b.mean = 1e300;
                b.p95 = f64::MAX;
            }
        }
    }
    assert!(charts::all(&wild).is_ok());
}

/// Writes the sample's outputs to `$LOYALSIM_SAMPLE_OUT` when it is set
/// (used by tests/browser/check_report.sh and for looking at the charts).
#[test]
fn write_sample_outputs_when_asked() {
    let Some(dir) = std::env::var_os("LOYALSIM_SAMPLE_OUT") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let r = sample::results(200);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("results.json"), loyalsim::report::json(&r)).unwrap();
    loyalsim::report::write_visuals(&dir, &r).unwrap();
    let (line, grid) = sweep_examples();
    for (name, c) in [
        ("sweep_line", charts::render(&line)),
        ("sweep_grid", charts::render(&grid)),
    ] {
        let c = c.unwrap();
        std::fs::write(dir.join(format!("{name}.svg")), &c.svg).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), &c.png).unwrap();
    }
}
