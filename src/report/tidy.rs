//! The tidy tables behind every CSV and the spreadsheet: one number per row,
//! named by (program, metric, statistic). They are read off the serde form
//! of the results document rather than its Rust fields, so a field added to
//! the document (a new metric, a new entry of `vs_baseline`) appears in every
//! table without an edit here.
//!
//! How a document becomes rows ([`flatten`]):
//! - an object whose entries are all numbers, `null`s, two-number intervals
//!   or labels (strings) is one metric: each number is a statistic (`mean`,
//!   `sd`, `p05`, ...), an interval `ci95: [lo, hi]` gives `ci95_low` and
//!   `ci95_high`, `null`s and labels are left out;
//! - a bare number is a metric with the single statistic `value`;
//! - other objects are walked, their keys joined with `.` into the metric
//!   name (`vs_baseline.profit`);
//! - a list of objects is walked element by element, each named by its
//!   string `key` (or `name`) entry, or its position: `sensitivity[price]`;
//! - lists of numbers (per-replication values, which `replications.csv`
//!   holds) and text (names, labels, verdict words) are left out.

use crate::stats::{Replications, Results};
use serde_json::{Map, Value};

/// One number of the tidy tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub metric: String,
    pub statistic: String,
    pub value: f64,
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow<'a> {
    pub program: &'a str,
    pub stat: Stat,
}

/// One row of `periods.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow<'a> {
    pub program: &'a str,
    pub end: f64,
    pub stat: Stat,
}

/// Column names of `summary.csv` (and of `sweep.csv` after the point columns).
pub const SUMMARY_COLUMNS: [&str; 4] = ["program", "metric", "statistic", "value"];
/// Column names of `periods.csv`.
pub const PERIOD_COLUMNS: [&str; 5] = ["program", "end", "metric", "statistic", "value"];
/// Column names of `replications.csv` (and of the sweep's, after the point columns).
pub const REPLICATION_COLUMNS: [&str; 4] = ["program", "replication", "metric", "value"];
/// The column before a sweep's swept keys: the point's index in the grid.
pub const POINT_COLUMN: &str = "point";

/// Every program's summaries and comparisons with the control: per program,
/// the metrics of `summary` under their own names, then every other entry
/// of the program (`vs_baseline.*`) under its path. Periods are left to
/// [`period_rows`].
pub fn summary_rows(r: &Results) -> Vec<SummaryRow<'_>> {
    let mut rows = Vec::new();
    for p in &r.programs {
        let Ok(Value::Object(mut obj)) = serde_json::to_value(p) else {
            continue;
        };
        obj.shift_remove("periods");
        let mut stats = Vec::new();
        if let Some(summary) = obj.shift_remove("summary") {
            flatten("", &summary, &mut stats);
        }
        flatten_object("", &obj, &mut stats);
        rows.extend(stats.into_iter().map(|stat| SummaryRow {
            program: &p.name,
            stat,
        }));
    }
    rows
}

/// Every program's per-period bands, period by period.
pub fn period_rows(r: &Results) -> Vec<PeriodRow<'_>> {
    let mut rows = Vec::new();
    for p in &r.programs {
        for period in &p.periods {
            let Ok(Value::Object(mut obj)) = serde_json::to_value(period) else {
                continue;
            };
            obj.shift_remove("end");
            let mut stats = Vec::new();
            flatten_object("", &obj, &mut stats);
            rows.extend(stats.into_iter().map(|stat| PeriodRow {
                program: &p.name,
                end: period.end,
                stat,
            }));
        }
    }
    rows
}

/// Every (program, replication, metric, value), program by program, then
/// replication by replication.
pub fn replication_rows(
    reps: &Replications,
) -> impl Iterator<Item = (&str, usize, &str, f64)> + '_ {
    reps.arms.iter().flat_map(move |arm| {
        arm.totals.iter().enumerate().flat_map(move |(i, row)| {
            reps.metrics
                .iter()
                .zip(row)
                .map(move |(m, v)| (arm.program.as_str(), i, m.as_str(), *v))
        })
    })
}

/// Append the rows of `v`, named under `metric`, to `out` (rules in the
/// module documentation).
pub fn flatten(metric: &str, v: &Value, out: &mut Vec<Stat>) {
    match v {
        Value::Number(n) => push(out, metric, "value", n.as_f64()),
        Value::Bool(b) => push(out, metric, "value", Some(f64::from(u8::from(*b)))),
        Value::Object(obj) if is_statistics(obj) => {
            for (k, x) in obj {
                match x {
                    Value::Number(n) => push(out, metric, k, n.as_f64()),
                    Value::Array(pair) => {
                        push(out, metric, &format!("{k}_low"), pair[0].as_f64());
                        push(out, metric, &format!("{k}_high"), pair[1].as_f64());
                    }
                    _ => {}
                }
            }
        }
        Value::Object(obj) => flatten_object(metric, obj, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Value::Object(obj) = item {
                    let label = ["key", "name"]
                        .iter()
                        .find_map(|k| obj.get(*k).and_then(Value::as_str))
                        .map_or_else(|| i.to_string(), str::to_string);
                    flatten(&format!("{metric}[{label}]"), item, out);
                }
            }
        }
        Value::Null | Value::String(_) => {}
    }
}

fn flatten_object(metric: &str, obj: &Map<String, Value>, out: &mut Vec<Stat>) {
    for (k, x) in obj {
        let name = if metric.is_empty() {
            k.clone()
        } else {
            format!("{metric}.{k}")
        };
        flatten(&name, x, out);
    }
}

/// Whether an object is one metric's statistics: at least one number, and
/// nothing but numbers, nulls, labels and two-number intervals.
fn is_statistics(obj: &Map<String, Value>) -> bool {
    let interval = |a: &Vec<Value>| a.len() == 2 && a.iter().all(|x| x.is_number() || x.is_null());
    obj.values().any(Value::is_number)
        && obj.values().all(|x| match x {
            Value::Number(_) | Value::Null | Value::String(_) => true,
            Value::Array(a) => interval(a),
            _ => false,
        })
}

fn push(out: &mut Vec<Stat>, metric: &str, statistic: &str, value: Option<f64>) {
    // serde_json writes non-finite numbers as null: they never get here.
    if let Some(value) = value {
        out.push(Stat {
            metric: metric.to_string(),
            statistic: statistic.to_string(),
            value,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(v: Value) -> Vec<(String, String, f64)> {
        let mut out = Vec::new();
        flatten("", &v, &mut out);
        out.into_iter()
            .map(|s| (s.metric, s.statistic, s.value))
            .collect()
    }

    fn row(m: &str, s: &str, v: f64) -> (String, String, f64) {
        (m.into(), s.into(), v)
    }

    #[test]
    fn statistics_objects_numbers_and_paths() {
        let v = json!({
            "vs_baseline": {
                "profit": { "mean": 1.0, "sd": 2.0, "ci95": [0.5, 1.5], "p50": 1.0 },
                "roi": { "mean": null, "p05": 0.1, "p95": 0.2 },
                "p_better": 0.75,
                "payback_period": null,
                "replication_profit_delta": [1.0, 2.0],
                "verdict": "depends",
            }
        });
        assert_eq!(
            rows(v),
            vec![
                row("vs_baseline.profit", "mean", 1.0),
                row("vs_baseline.profit", "sd", 2.0),
                row("vs_baseline.profit", "ci95_low", 0.5),
                row("vs_baseline.profit", "ci95_high", 1.5),
                row("vs_baseline.profit", "p50", 1.0),
                row("vs_baseline.roi", "p05", 0.1),
                row("vs_baseline.roi", "p95", 0.2),
                row("vs_baseline.p_better", "value", 0.75),
            ]
        );
    }

    #[test]
    fn lists_of_objects_are_named_by_their_key() {
        let v = json!({ "sensitivity": [
            { "key": "price", "variance_share": 0.6, "break_even": null },
            { "variance_share": 0.4 },
        ]});
        assert_eq!(
            rows(v),
            vec![
                row("sensitivity[price]", "variance_share", 0.6),
                row("sensitivity[1]", "variance_share", 0.4),
            ]
        );
    }
}
