//! Charts and report.html from a real run of the sample scenario: valid SVG
//! (well-formed XML, every program's series present by its legend text),
//! valid PNG (decodable, expected size), a self-contained, escaped HTML page
//! that leads with the decision, the `report` verb, loading documents written
//! before `replication_profit_delta` existed, programs that stay
//! distinguishable (looks, names), heatmaps whose colours follow their
//! values, the assumption-uncertainty fields of the results document, and
//! output folders that hold only what the last run wrote.

mod common;
mod sample;

use assert_cmd::Command;
use loyalsim::report::charts::{self, SweepAxis, SweepGrid, SweepLine, SweepSeries};
use loyalsim::stats::Results;
use loyalsim::stats::summary::Band;
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
            "extra_profit",
            "costs",
            "extra_customers",
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
    for p in r.programs.iter().filter(|p| p.name != "baseline") {
        let label = xml_text(&p.name);
        for chart in [
            "extra_profit",
            "costs",
            "extra_customers",
            "profit_distribution",
        ] {
            assert!(svg(chart).contains(&label), "{label} missing in {chart}");
        }
    }
    // No chart draws the control: every one is a difference against it.
    for c in &list {
        assert!(
            !c.svg.contains(">No program<"),
            "{} draws the control",
            c.name
        );
    }
    assert!(svg("points").contains("Bonus points"));
    assert!(
        !svg("points").contains("Stamp card"),
        "only points programs in the points chart"
    );
    assert!(svg("extra_profit").contains("Extra profit (EUR)"));
    assert!(svg("extra_profit").contains("Time (months)"));
    assert!(svg("extra_customers").contains("Extra active customers"));
    assert!(svg("costs").contains("over 24 months (EUR)"));
}

/// A one-key and a two-key sweep, as the sweep report builds them.
fn sweep_examples() -> (SweepLine, SweepGrid) {
    let v = |mean: f64| {
        Some(Band {
            mean,
            p05: mean - 500.0,
            p95: mean + 700.0,
        })
    };
    let xs = [8.0, 10.0, 12.0, 14.0];
    let line = SweepLine {
        name: "sweep_vs_baseline_profit".into(),
        title: "Extra profit by card size".into(),
        axis: SweepAxis::new(
            "program[Stamp card].stamps.card_size",
            xs.iter().map(|x| x.to_string()).collect(),
        ),
        y_label: "Extra profit vs no program (EUR)".into(),
        series: vec![
            SweepSeries {
                program: "Stamp card".into(),
                values: xs.iter().map(|x| v(3000.0 - 150.0 * x)).collect(),
                best: Some(0),
            },
            SweepSeries {
                program: "Bonus points".into(),
                values: xs.iter().map(|x| v(1000.0 + 10.0 * x)).collect(),
                best: Some(3),
            },
        ],
    };
    let grid = SweepGrid {
        name: "sweep_vs_baseline_profit_stamp_card".into(),
        title: "Extra profit by card size and reward".into(),
        program: "Stamp card".into(),
        x: SweepAxis::new("card_size", vec!["8".into(), "10".into(), "12".into()]),
        y: SweepAxis::new(
            "reward_value",
            ["20", "30", "40", "50"].map(String::from).to_vec(),
        ),
        value_label: "mean extra profit vs no program (EUR)".into(),
        values: (0..4)
            .map(|y| (0..3).map(|x| 1000.0 * (x as f64 - y as f64)).collect())
            .collect(),
        best: Some((2, 0)),
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
    check_png(&c.png, (1920, 1200));

    // Values that are not numbers sit in sweep order.
    let mut words = line.clone();
    words.axis = SweepAxis::new(
        "population.segment[0].dropout",
        [
            "none",
            "{ hazard = 0.01 }",
            "{ hazard = 0.02 }",
            "{ hazard = 0.05 }",
        ]
        .map(String::from)
        .to_vec(),
    );
    let c = charts::render(&words).unwrap();
    assert!(c.svg.contains("{ hazard = 0.01 }"));

    // Degenerate input never panics.
    let empty = SweepLine {
        name: "e".into(),
        title: String::new(),
        axis: SweepAxis::new("k", vec![]),
        y_label: String::new(),
        series: vec![],
    };
    assert!(charts::render(&empty).is_ok());
    let ragged = SweepGrid {
        values: vec![vec![f64::NAN]],
        best: Some((7, 7)),
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
    // The decision comes first: the best program in a sentence, then the
    // verdict table with every program, before any chart.
    let decision = html.find("<h2>Decision</h2>").unwrap();
    let first_chart = html.find("<figure").unwrap();
    let headline = loyalsim::report::verdict::headline(r).unwrap();
    let at = html
        .find(&loyalsim::report::html::escape(&headline))
        .expect("headline");
    assert!(decision < at && at < first_chart);
    for p in r.programs.iter().filter(|p| p.name != "baseline") {
        let d = &p.vs_baseline.as_ref().unwrap().metrics["profit"];
        let row = format!("<b>{}</b>", loyalsim::report::format::signed(d.mean));
        let i = html.find(&row).unwrap_or_else(|| panic!("{row} missing"));
        assert!(i < first_chart, "{} in the verdict table", p.name);
    }
    assert!(html.find("How sure?").unwrap() < first_chart);
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
        "extra_profit.svg",
        "extra_profit.png",
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
    hollow.segment_response.clear();
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
        ("example_sweep_line", charts::render(&line)),
        ("example_sweep_grid", charts::render(&grid)),
    ] {
        let c = c.unwrap();
        std::fs::write(dir.join(format!("{name}.svg")), &c.svg).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), &c.png).unwrap();
    }
}

/// The sample's results with `n` programs: its programs repeated under new
/// names (same series, different looks).
fn with_programs(n: usize, name: impl Fn(usize) -> String) -> Results {
    let mut r = results().clone();
    let programs: Vec<_> = r
        .programs
        .iter()
        .filter(|p| p.name != "baseline")
        .cloned()
        .collect();
    r.programs.retain(|p| p.name == "baseline");
    for i in 0..n {
        let mut p = programs[i % programs.len()].clone();
        p.name = name(i);
        r.programs.push(p);
    }
    r
}

/// Every `<tag ...>` element's attributes as (name, value) pairs.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<Vec<(&'a str, &'a str)>> {
    let open = format!("<{tag} ");
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find(&open) {
        let body = &rest[i + open.len()..];
        let end = body.find('>').unwrap_or(body.len());
        let mut attrs = Vec::new();
        let mut a = &body[..end];
        while let Some(eq) = a.find("=\"") {
            let name = a[..eq].trim();
            let v = &a[eq + 2..];
            let close = v.find('"').unwrap_or(v.len());
            attrs.push((name, &v[..close]));
            a = &v[(close + 1).min(v.len())..];
        }
        out.push(attrs);
        rest = &body[end..];
    }
    out
}

fn attr<'a>(e: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    e.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// How the series lines of an SVG look: (stroke colour, dash) of every
/// stroke 3 px wide (series lines and their legend swatches; grid, axes,
/// zero lines and grey comparison lines are thinner). Dashes are told apart
/// by the length of their pieces (see `palette::Dash::pattern`); a look
/// counts once it shows a whole line or at least two whole dashes.
fn series_looks(svg: &str) -> std::collections::HashSet<(String, &'static str)> {
    let mut counts = std::collections::HashMap::<(String, &'static str), usize>::new();
    for e in elements(svg, "polyline") {
        if attr(&e, "stroke-width") != Some("3") {
            continue;
        }
        let pts: Vec<(f64, f64)> = attr(&e, "points")
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|p| {
                let (x, y) = p.split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect();
        let len: f64 = pts
            .windows(2)
            .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
            .sum();
        let class = if (len - 3.0).abs() <= 1.0 {
            "dotted"
        } else if (len - 9.0).abs() <= 1.5 {
            "dashed"
        } else if (len - 22.0).abs() <= 1.5 {
            "long"
        } else if len > 28.0 {
            "solid"
        } else {
            continue; // the last, partial piece of a dashed line
        };
        *counts
            .entry((attr(&e, "stroke").unwrap_or("").to_string(), class))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|((_, class), n)| *class == "solid" || *n >= 2)
        .map(|(k, _)| k)
        .collect()
}

#[test]
fn many_programs_are_drawn_distinguishably() {
    // Twelve programs: more than the nine colours.
    let n = 12;
    let r = with_programs(n, |i| format!("Program {i}"));
    let (line, _) = sweep_examples();
    let mut many = line.clone();
    many.series = (0..n)
        .map(|i| SweepSeries {
            program: format!("Program {i}"),
            values: line.series[0]
                .values
                .iter()
                .map(|v| {
                    v.map(|b| Band {
                        mean: b.mean + 400.0 * i as f64,
                        ..b
                    })
                })
                .collect(),
            best: None,
        })
        .collect();
    let c = charts::render(&many).unwrap();
    let looks = series_looks(&c.svg);
    assert!(
        looks.len() >= n,
        "{n} programs in one sweep chart, {} looks: {looks:?}",
        looks.len()
    );
    // Twelve points programs in one liability chart.
    let points = charts::render(&charts::points::PointsLiability::new(&with_programs(
        n,
        |i| format!("Points {i}"),
    )))
    .unwrap();
    let looks = series_looks(&points.svg);
    // Only every fourth sample program hands out points.
    assert!(looks.len() >= n / 4, "{looks:?}");
    // The run report's charts: every program keeps its own look.
    let palette = charts::palette::Palette::for_results(&r);
    let all: std::collections::HashSet<_> =
        r.programs.iter().map(|p| palette.look(&p.name)).collect();
    assert_eq!(all.len(), r.programs.len());
    for c in charts::all(&r).unwrap() {
        assert_eq!(check_xml(&c.svg), Ok("svg".to_string()), "{}", c.name);
    }
}

/// Fill colours of the cells of a heatmap SVG (filled rectangles larger
/// than the colour bar's steps).
fn cell_fills(svg: &str) -> Vec<(u8, u8, u8)> {
    elements(svg, "rect")
        .iter()
        .filter(|e| {
            let n = |k| {
                attr(e, k)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            n("width") >= 40.0 && n("height") >= 40.0 && n("width") < 900.0
        })
        .filter_map(|e| {
            let f = attr(e, "fill")?.strip_prefix('#')?;
            let h = |i: usize| u8::from_str_radix(&f[i..i + 2], 16).ok();
            Some((h(0)?, h(2)?, h(4)?))
        })
        .collect()
}

#[test]
fn heatmap_colours_follow_the_values() {
    let (_, grid) = sweep_examples();
    let spread = |fills: &[(u8, u8, u8)]| {
        let mut m = 0;
        for a in fills {
            for b in fills {
                let d = (a.0 as i32 - b.0 as i32).abs()
                    + (a.1 as i32 - b.1 as i32).abs()
                    + (a.2 as i32 - b.2 as i32).abs();
                m = m.max(d);
            }
        }
        m
    };
    // Every cell well above zero and close together: the case where a
    // scale from minus to plus the largest value paints one colour.
    let mut close = grid.clone();
    close.values = (0..4)
        .map(|y| {
            (0..3)
                .map(|x| 20_000.0 + 90.0 * (x + 3 * y) as f64)
                .collect()
        })
        .collect();
    let mixed = grid.clone();
    let mut flat = grid.clone();
    flat.values = vec![vec![5_000.0; 3]; 4];
    for (what, g, differ) in [
        ("close", &close, true),
        ("mixed", &mixed, true),
        ("flat", &flat, false),
    ] {
        let svg = charts::render(g).unwrap().svg;
        let fills = cell_fills(&svg);
        assert_eq!(fills.len(), 12, "{what}: 12 cells");
        let distinct: std::collections::HashSet<_> = fills.iter().collect();
        if differ {
            assert!(
                distinct.len() >= 6 && spread(&fills) >= 150,
                "{what}: cells with different values look alike: {distinct:?}"
            );
        } else {
            assert_eq!(distinct.len(), 1, "{what}: equal values, one colour");
        }
    }
}

#[test]
fn long_names_never_collide_in_charts() {
    let names = [
        "Bonus points with a 12-month expiry and a welcome gift of 50 points",
        "Bonus points with a 12-month expiry and a welcome gift of 100 points",
        "Bonus points with a 12-month expiry and no welcome gift",
        "Bonus points with a 24-month expiry and a welcome gift of 50 points",
    ];
    let r = with_programs(names.len(), |i| names[i].to_string());
    // A label refers to a name when it is the name or a cut of it (head …
    // tail); the part before " — " is the label in panel titles.
    let refers = |text: &str, name: &str| {
        let label = text.split(" — ").next().unwrap_or(text);
        if text.contains(name) || label == name {
            return true;
        }
        match label.split_once('…') {
            Some((head, tail)) => {
                name.starts_with(head)
                    && name.ends_with(tail)
                    && name.len() > head.len() + tail.len()
            }
            None => false,
        }
    };
    let mut seen = 0;
    for c in charts::all(&r).unwrap() {
        for e in c.svg.split("<text").skip(1) {
            let Some(start) = e.find('>') else { continue };
            let text = e[start + 1..e.find("</text>").unwrap_or(e.len())].trim();
            if !text.contains("Bonus points") {
                continue;
            }
            seen += 1;
            let n = names.iter().filter(|n| refers(text, n)).count();
            assert_eq!(n, 1, "{}: \"{text}\" refers to {n} programs", c.name);
        }
    }
    assert!(seen >= 4 * 4, "labels found: {seen}");
    // The terminal table too.
    let table = loyalsim::report::table::render(&r);
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("Bonus points"))
        .collect();
    // Each block of the table (comparison, customers, segments) lists
    // every program once.
    assert!(rows.len() >= 4 && rows.len().is_multiple_of(4), "{table}");
    for row in rows {
        let n = names
            .iter()
            .filter(|n| refers(row.split("  ").next().unwrap(), n))
            .count();
        assert_eq!(n, 1, "{row}");
    }
}

#[test]
fn margin_minus_costs_is_the_extra_profit() {
    // Profit = gross margin × gross sales − program cost, so the costs
    // chart's margin bar (net + costs) equals the margin on the extra sales.
    let r = results();
    let costs = charts::costs::Costs::new(r);
    let programs: Vec<_> = r.programs.iter().filter(|p| p.name != "baseline").collect();
    assert_eq!(costs.rows().len(), programs.len());
    for (row, p) in costs.rows().iter().zip(programs) {
        let v = p.vs_baseline.as_ref().unwrap();
        let from_sales = r.gross_margin * v.metrics["revenue_gross"].mean;
        let tol = 1e-6 * (1.0 + from_sales.abs());
        assert!(
            (row.margin() - from_sales).abs() < tol,
            "{}: {} vs {from_sales}",
            p.name,
            row.margin()
        );
        assert_eq!(row.net.0, v.metrics["profit"].mean);
    }
}

#[test]
fn per_period_differences_are_paired_differences() {
    let r = results();
    let base = r.baseline().unwrap();
    for p in r.programs.iter().filter(|p| p.name != "baseline") {
        for (per, b) in p.periods.iter().zip(&base.periods) {
            for (inc, of) in loyalsim::stats::results::INCREMENTAL_SERIES {
                let want = per.series[of].mean - b.series[of].mean;
                let got = per.series[inc];
                assert!((got.mean - want).abs() < 1e-6 * (1.0 + want.abs()), "{inc}");
                // A mean may lie outside the 90% range of a skewed sample;
                // the range itself must be ordered.
                assert!(got.p05 <= got.p95, "{inc}");
            }
        }
    }
}

/// The sample's results as the assumption-uncertainty analysis will fill
/// them: verdict words, the deciding assumption, sensitivity, the variance
/// split and the value of information.
fn with_sensitivity() -> Results {
    use loyalsim::stats::results::{Sensitivity, ValueOfInformation, VarianceSplit};
    let mut r = results().clone();
    let s = |key: &str, share: f64, lo: f64, hi: f64, be: Option<f64>| Sensitivity {
        key: key.into(),
        variance_share: share,
        profit_at_p05: lo,
        profit_at_p95: hi,
        break_even: be,
        pays_above: be.map(|_| hi > lo),
    };
    for p in r.programs.iter_mut() {
        let Some(v) = p.vs_baseline.as_mut() else {
            continue;
        };
        if p.name == "Bonus points" {
            v.verdict = Some("depends".into());
            v.deciding_key = Some("goal_gradient".into());
            v.sensitivity = vec![
                s("goal_gradient", 0.62, -7_554.0, 36_909.0, Some(0.07)),
                s("reward_perceived", 0.21, 2_000.0, 15_000.0, None),
                s("member_churn", 0.05, 9_000.0, 7_000.0, None),
            ];
            v.variance_split = Some(VarianceSplit {
                chance: 0.1,
                assumptions: 0.9,
            });
        } else {
            v.verdict = Some("likely_loses".into());
            v.sensitivity = vec![s("discount_elasticity", 0.7, -4_000.0, -1_000.0, None)];
        }
    }
    r.value_of_information = Some(ValueOfInformation {
        evpi: 5_200.0,
        evppi: [
            ("goal_gradient".to_string(), 4_100.0),
            ("member_churn".into(), 300.0),
        ]
        .into_iter()
        .collect(),
        evppi_se: Default::default(),
        caution: None,
        replications_needed: None,
    });
    r
}

#[test]
fn assumption_uncertainty_fields_fill_the_report() {
    // Documents without the fields keep their shape.
    let mut plain = results().clone();
    plain.value_of_information = None;
    for p in &mut plain.programs {
        if let Some(v) = p.vs_baseline.as_mut() {
            v.verdict = None;
            v.deciding_key = None;
            v.sensitivity.clear();
            v.variance_split = None;
        }
    }
    let plain = loyalsim::report::json(&plain);
    for field in [
        "\"verdict\"",
        "deciding_key",
        "sensitivity",
        "variance_split",
        "value_of_information",
    ] {
        assert!(!plain.contains(field), "{field} written while empty");
    }
    // With them: they round-trip and the report shows them.
    let r = with_sensitivity();
    let json = loyalsim::report::json(&r);
    assert!(json.contains("\"deciding_key\": \"goal_gradient\""));
    // (Numbers may differ in the last bit: serde_json's float parsing is
    // not exact; compare the new fields.)
    let back: Results = serde_json::from_str(&json).unwrap();
    assert_eq!(back.value_of_information, r.value_of_information);
    for (a, b) in back.programs.iter().zip(&r.programs) {
        let (a, b) = (a.vs_baseline.as_ref(), b.vs_baseline.as_ref());
        assert_eq!(a.map(|v| &v.verdict), b.map(|v| &v.verdict));
        assert_eq!(a.map(|v| &v.deciding_key), b.map(|v| &v.deciding_key));
        assert_eq!(a.map(|v| &v.sensitivity), b.map(|v| &v.sensitivity));
        assert_eq!(a.map(|v| v.variance_split), b.map(|v| v.variance_split));
    }

    let list = charts::all(&r).unwrap();
    let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
    for t in [
        "tornado_5_discount_card",
        "tornado_bonus_points",
        "tornado_stamp_card",
        "tornado_referral_bonus",
    ] {
        assert!(names.contains(&t), "{t} in {names:?}");
    }
    let tornado = &list
        .iter()
        .find(|c| c.name == "tornado_bonus_points")
        .unwrap()
        .svg;
    assert_eq!(check_xml(tornado), Ok("svg".to_string()));
    for text in [
        "goal_gradient (62%)",
        "break-even at 0.07",
        "-7,554",
        "+36,909",
        "90% assumptions",
    ] {
        assert!(tornado.contains(text), "{text} in the tornado chart");
    }
    let html = loyalsim::report::html::render(&r, &list);
    let first_chart = html.find("<figure").unwrap();
    for text in [
        ">Deciding assumption</th>",
        "depends on goal_gradient: pays if it is above 0.07",
        "most sensitive to discount_elasticity",
        ">Depends<",
        ">Likely loses<",
        "What to test in a pilot: goal_gradient",
        "EUR 4,100",
        "The intervals include what is not known",
    ] {
        let at = html.find(text).unwrap_or_else(|| panic!("{text} missing"));
        assert!(at < first_chart, "{text} before the charts");
    }
    // Nothing to learn: no pilot.
    let mut sure = r.clone();
    sure.value_of_information.as_mut().unwrap().evpi = 0.0;
    let html = loyalsim::report::html::render(&sure, &list);
    assert!(html.contains("No pilot needed"));
}

fn run_cli(args: &[&str]) {
    let out = Command::cargo_bin("loyalsim")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn an_output_folder_holds_what_the_last_run_wrote() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("out");
    let ds = d.to_str().unwrap();
    let quick = ["--replications", "2", "--quiet", "--out", ds];
    run_cli(&[&["run", "scenarios/boutique.toml"][..], &quick].concat());
    assert!(
        d.join("points.svg").is_file(),
        "boutique has a points program"
    );
    std::fs::write(d.join("notes.txt"), "the user's own").unwrap();
    // Files of an older version, written before the record existed, are
    // recognised by name once the record is gone.
    std::fs::remove_file(d.join(".loyalsim-files")).unwrap();
    // (Those versions drew no tornado charts.)
    for n in names_in(&d) {
        if n.starts_with("tornado_") {
            std::fs::remove_file(d.join(n)).unwrap();
        }
    }
    std::fs::write(d.join("cumulative_profit.svg"), "<svg/>").unwrap();

    run_cli(&[&["run", "scenarios/cafe-stamps.toml"][..], &quick].concat());
    let names = names_in(&d);
    for gone in ["points.svg", "points.png", "cumulative_profit.svg"] {
        assert!(
            !names.contains(&gone.to_string()),
            "{gone} left behind: {names:?}"
        );
    }
    assert!(names.contains(&"notes.txt".to_string()), "user files stay");
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    let figures = html.matches("<figure id=\"").count();
    let charts = names.iter().filter(|n| n.ends_with(".svg")).count();
    assert_eq!(
        figures, charts,
        "every chart in the folder is in the report"
    );

    // `report` into the run's folder keeps the run's results and tables.
    let json = d.join("results.json");
    run_cli(&["report", json.to_str().unwrap(), "--out", ds, "--quiet"]);
    assert_eq!(names_in(&d), names);
}

#[test]
fn a_horizon_shorter_than_the_default_report_period_reports_and_resumes() {
    // `report_every` defaults to 1 time unit, also for a horizon of half a
    // week: loyalsim writes such results, so it must read them back (the
    // report, and a resumed sweep, which recomputed every point).
    let t = tempfile::tempdir().unwrap();
    let scenario = "tests/fixtures/sweep/tiny.toml";
    let bin = || Command::cargo_bin("loyalsim").unwrap();
    let out = t.path().join("run");
    let o = bin()
        .args([
            "run",
            scenario,
            "--set",
            "simulation.horizon=0.5",
            "--quiet",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = bin()
        .arg("report")
        .arg(out.join("results.json"))
        .arg("--out")
        .arg(t.path().join("report"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let sweep = t.path().join("sweep");
    let args = ["sweep", scenario, "--set", "simulation.horizon=0.5,0.25"];
    for _ in 0..2 {
        let o = bin().args(args).arg("--out").arg(&sweep).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = bin().args(args).arg("--out").arg(&sweep).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("(6 points: 0 run, 6 reused)"), "{err}");
}
