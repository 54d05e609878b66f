//! The sweep charts: the numbers behind them (a line chart of a metric
//! against one swept key, a heatmap over two keys), read back from a
//! finished output folder's `sweep.csv`, and [`write`], which hands them to
//! the renderers in `report::charts` and writes `sweep_<metric>.svg/.png`.
//!
//! `driver::run` (unsharded runs only) and `merge::merge` call [`write`]
//! after `sweep.csv` is complete; the charts depend only on `sweep.csv`, so
//! a merged folder's charts equal the unsharded run's byte for byte.

use crate::error::{Error, Result};
use std::path::Path;

/// One metric of a sweep, per program and point.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// The swept keys, in axis order.
    pub keys: Vec<String>,
    /// Per key, the labels of its values in sweep order.
    pub labels: Vec<Vec<String>>,
    /// Per key, the values as numbers when every value is numeric.
    pub numeric: Vec<Option<Vec<f64>>>,
    /// The metric, as named in `sweep.csv` (e.g. `profit`, `vs_baseline.profit`).
    pub metric: String,
    /// One series per program, in the order programs appear.
    pub series: Vec<Series>,
}

/// One program's values of the metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub program: String,
    pub cells: Vec<Cell>,
}

/// The metric at one point: `coords[i]` indexes `labels[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub coords: Vec<usize>,
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    /// 5th and 95th percentiles across replications.
    pub p05: f64,
    pub p95: f64,
}

/// Read `DIR/sweep.csv` and collect `metric` for every program and point.
/// A line chart uses `keys[0]` as x when there is one key; a heatmap uses
/// `keys[0]` × `keys[1]`.
pub fn chart_data(dir: &Path, metric: &str) -> Result<ChartData> {
    use crate::report::tidy::{POINT_COLUMN, SUMMARY_COLUMNS};
    let path = dir.join("sweep.csv");
    let bad = |e: &dyn std::fmt::Display| Error::other(format!("{}: {e}", path.display()));
    let mut rd = csv::Reader::from_path(&path).map_err(|e| bad(&e))?;
    let header = rd.headers().map_err(|e| bad(&e))?.clone();
    let names: Vec<&str> = header.iter().collect();
    // `point`, the swept keys, then program, metric, statistic, value.
    let nkeys = match names.len().checked_sub(SUMMARY_COLUMNS.len() + 1) {
        Some(n) if names[0] == POINT_COLUMN && names[n + 1..] == SUMMARY_COLUMNS => n,
        _ => return Err(bad(&"not a sweep.csv of this loyalsim version")),
    };
    let col = |name: &str| 1 + nkeys + SUMMARY_COLUMNS.iter().position(|c| *c == name).unwrap_or(0);
    let (c_program, c_metric, c_statistic, c_value) = (
        col("program"),
        col("metric"),
        col("statistic"),
        col("value"),
    );
    let keys: Vec<String> = names[1..=nkeys].iter().map(|s| s.to_string()).collect();
    let mut labels: Vec<Vec<String>> = vec![Vec::new(); nkeys];
    let mut series: Vec<Series> = Vec::new();
    // The (program, point) whose statistics are being collected.
    let mut current: Option<(String, String)> = None;
    for rec in rd.records() {
        let rec = rec.map_err(|e| bad(&e))?;
        if rec.get(c_metric) != Some(metric) {
            continue;
        }
        let program = rec.get(c_program).unwrap_or("");
        let at = (program.to_string(), rec.get(0).unwrap_or("").to_string());
        if current.as_ref() != Some(&at) {
            let coords = (0..nkeys)
                .map(|i| {
                    let v = rec.get(1 + i).unwrap_or("");
                    match labels[i].iter().position(|l| l == v) {
                        Some(p) => p,
                        None => {
                            labels[i].push(v.to_string());
                            labels[i].len() - 1
                        }
                    }
                })
                .collect();
            let cell = Cell {
                coords,
                mean: f64::NAN,
                ci95_low: f64::NAN,
                ci95_high: f64::NAN,
                p05: f64::NAN,
                p95: f64::NAN,
            };
            match series.iter_mut().find(|s| s.program == program) {
                Some(s) => s.cells.push(cell),
                None => series.push(Series {
                    program: program.to_string(),
                    cells: vec![cell],
                }),
            }
            current = Some(at);
        }
        let Some(cell) = series
            .iter_mut()
            .find(|s| s.program == program)
            .and_then(|s| s.cells.last_mut())
        else {
            continue;
        };
        let value = rec
            .get(c_value)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(f64::NAN);
        match rec.get(c_statistic).unwrap_or("") {
            "mean" => cell.mean = value,
            "ci95_low" => cell.ci95_low = value,
            "ci95_high" => cell.ci95_high = value,
            "p05" => cell.p05 = value,
            "p95" => cell.p95 = value,
            _ => {}
        }
    }
    let numeric = labels
        .iter()
        .map(|ls| ls.iter().map(|l| l.parse::<f64>().ok()).collect())
        .collect();
    Ok(ChartData {
        keys,
        labels,
        numeric,
        metric: metric.to_string(),
        series,
    })
}

/// The metrics charted after a sweep: file stem, `sweep.csv` metric, title
/// and value description (`{}` is the currency).
const CHARTED: [(&str, &str, &str, &str); 2] = [
    ("profit", "profit", "Profit", "Profit ({})"),
    (
        "vs_baseline_profit",
        "vs_baseline.profit",
        "Extra profit against no program",
        "Extra profit vs no program ({})",
    ),
];

/// Render the sweep charts of a finished output folder into it: for profit
/// and for the extra profit against the control (when the sweep has one), a
/// line per program when one key is swept (`sweep_<metric>.svg/.png`), a
/// heatmap per program when two are (`sweep_<metric>_<program>.svg/.png`).
/// With three or more keys, or non-numeric swept values, nothing is drawn and
/// `note` is told why. Returns the file names written, in order.
pub fn write(dir: &Path, note: &dyn Fn(String)) -> Result<Vec<String>> {
    use crate::report::charts::{self, SweepGrid, SweepLine, SweepPoint, SweepValue};
    use crate::report::output::write_atomic;
    let mut written = Vec::new();
    let mut save = |stem: String, chart: charts::Chart| -> Result<()> {
        write_atomic(dir, &format!("{stem}.svg"), chart.svg.as_bytes())?;
        write_atomic(dir, &format!("{stem}.png"), &chart.png)?;
        written.push(format!("{stem}.svg"));
        written.push(format!("{stem}.png"));
        Ok(())
    };
    for (stem, metric, title, what) in CHARTED {
        let d = chart_data(dir, metric)?;
        if d.series.is_empty() {
            continue;
        }
        let what = match currency(dir) {
            Some(c) => what.replace("{}", &c),
            None => what.replace(" ({})", ""),
        };
        match d.keys.len() {
            1 => {
                let Some(xs) = &d.numeric[0] else {
                    note(format!(
                        "no sweep chart: the values of {} are not all numbers",
                        d.keys[0]
                    ));
                    return Ok(written);
                };
                let points = xs
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| SweepPoint {
                        x,
                        values: d
                            .series
                            .iter()
                            .filter_map(|s| {
                                let c = s.cells.iter().find(|c| c.coords[0] == i)?;
                                Some(SweepValue {
                                    program: s.program.clone(),
                                    mean: c.mean,
                                    p05: c.p05,
                                    p95: c.p95,
                                })
                            })
                            .collect(),
                    })
                    .collect();
                let line = SweepLine {
                    title: format!("{title} by {}", short_key(&d.keys[0])),
                    x_label: d.keys[0].clone(),
                    y_label: what.clone(),
                    points,
                };
                save(format!("sweep_{stem}"), charts::render(&line)?)?;
            }
            2 => {
                let (Some(xs), Some(ys)) = (&d.numeric[0], &d.numeric[1]) else {
                    note(format!(
                        "no sweep heatmap: the values of {} or {} are not all numbers",
                        d.keys[0], d.keys[1]
                    ));
                    return Ok(written);
                };
                // Axes in ascending order, whatever order the sweep used.
                let order = |v: &[f64]| {
                    let mut o: Vec<usize> = (0..v.len()).collect();
                    o.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
                    o
                };
                let (ox, oy) = (order(xs), order(ys));
                let mut stems: Vec<String> = Vec::new();
                for s in &d.series {
                    let mut values = vec![vec![f64::NAN; ox.len()]; oy.len()];
                    for c in &s.cells {
                        let xi = ox.iter().position(|&i| i == c.coords[0]);
                        let yi = oy.iter().position(|&i| i == c.coords[1]);
                        if let (Some(xi), Some(yi)) = (xi, yi) {
                            values[yi][xi] = c.mean;
                        }
                    }
                    let mut name = format!("sweep_{stem}_{}", slug(&s.program));
                    while stems.contains(&name) {
                        name.push('_');
                    }
                    stems.push(name.clone());
                    let grid = SweepGrid {
                        title: format!(
                            "{title} by {} and {}",
                            short_key(&d.keys[0]),
                            short_key(&d.keys[1])
                        ),
                        program: s.program.clone(),
                        x_label: d.keys[0].clone(),
                        xs: ox.iter().map(|&i| xs[i]).collect(),
                        y_label: d.keys[1].clone(),
                        ys: oy.iter().map(|&i| ys[i]).collect(),
                        value_label: format!("mean {}", lower_first(&what)),
                        values,
                    };
                    save(name, charts::render(&grid)?)?;
                }
            }
            n => {
                note(format!(
                    "no sweep charts: {n} keys are swept (charts show one key as lines or two as a heatmap)"
                ));
                return Ok(written);
            }
        }
    }
    Ok(written)
}

/// The currency of the sweep, from its first point's results.
fn currency(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(super::files::POINTS).join("00000.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let c = v.get("currency")?.as_str()?;
    (!c.is_empty()).then(|| c.to_string())
}

/// `Extra profit (EUR)` → `extra profit (EUR)`.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The last part of a swept key, for titles: `program[Stamp card].stamps.card_size`
/// → `card_size`.
fn short_key(key: &str) -> String {
    let tail = match key.rfind(']') {
        Some(i) => &key[i + 1..],
        None => key,
    };
    let last = tail.rsplit('.').find(|s| !s.is_empty()).unwrap_or(key);
    last.replace('_', " ")
}

/// A program name as part of a file name: lower-case letters, digits and `_`.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_matches('_').to_string();
    if s.is_empty() { "program".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_metric_per_program_and_point() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("sweep.csv"),
            "point,a,b,program,metric,statistic,value\n\
             0,6,x,baseline,profit,mean,1\n0,6,x,baseline,profit,p05,0\n\
             0,6,x,baseline,revenue_net,mean,9\n\
             1,6,y,baseline,profit,mean,2\n2,8,x,baseline,profit,mean,3\n\
             2,8,x,Stamp card,profit,mean,4\n2,8,x,Stamp card,profit,ci95_high,5\n",
        )
        .unwrap();
        let d = chart_data(dir.path(), "profit").unwrap();
        assert_eq!(d.keys, ["a", "b"]);
        assert_eq!(d.labels, [vec!["6", "8"], vec!["x", "y"]]);
        assert_eq!(d.numeric[0], Some(vec![6.0, 8.0]));
        assert_eq!(d.numeric[1], None);
        assert_eq!(d.series.len(), 2);
        assert_eq!(d.series[0].cells.len(), 3);
        assert_eq!(d.series[0].cells[2].coords, [1, 0]);
        assert_eq!(d.series[0].cells[0].mean, 1.0);
        assert_eq!(d.series[0].cells[0].p05, 0.0);
        assert_eq!(d.series[1].cells[0].mean, 4.0);
        assert_eq!(d.series[1].cells[0].ci95_high, 5.0);
        assert!(d.series[1].cells[0].p95.is_nan());
        std::fs::write(dir.path().join("sweep.csv"), "a,program,metric,mean\n").unwrap();
        assert!(chart_data(dir.path(), "profit").is_err());
    }
}
