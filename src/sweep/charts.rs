//! HOOK(charts): the numbers behind the sweep charts (a line chart of a
//! metric against one swept key, a heatmap over two keys), read back from a
//! finished output folder's `sweep.csv`.
//!
//! The chart renderers live in `report::charts` (written separately). This
//! module only prepares their data; `driver::run` and `merge::merge` mark the
//! place where the rendering call belongs with `HOOK(charts)`. It must not
//! draw anything itself.

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
}

/// Read `DIR/sweep.csv` and collect `metric` for every program and point.
/// A line chart uses `keys[0]` as x when there is one key; a heatmap uses
/// `keys[0]` × `keys[1]`.
pub fn chart_data(dir: &Path, metric: &str) -> Result<ChartData> {
    let path = dir.join("sweep.csv");
    let bad = |e: &dyn std::fmt::Display| Error::other(format!("{}: {e}", path.display()));
    let mut rd = csv::Reader::from_path(&path).map_err(|e| bad(&e))?;
    let header = rd.headers().map_err(|e| bad(&e))?.clone();
    let nkeys = header
        .len()
        .checked_sub(7)
        .ok_or_else(|| bad(&"not a sweep.csv"))?;
    let keys: Vec<String> = header.iter().take(nkeys).map(str::to_string).collect();
    let mut labels: Vec<Vec<String>> = vec![Vec::new(); nkeys];
    let mut series: Vec<Series> = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| bad(&e))?;
        if rec.get(nkeys + 1) != Some(metric) {
            continue;
        }
        let coords = (0..nkeys)
            .map(|i| {
                let v = rec.get(i).unwrap_or("");
                match labels[i].iter().position(|l| l == v) {
                    Some(p) => p,
                    None => {
                        labels[i].push(v.to_string());
                        labels[i].len() - 1
                    }
                }
            })
            .collect();
        let num = |i: usize| {
            rec.get(i)
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let program = rec.get(nkeys).unwrap_or("").to_string();
        let cell = Cell {
            coords,
            mean: num(nkeys + 2),
            ci95_low: num(nkeys + 3),
            ci95_high: num(nkeys + 4),
        };
        match series.iter_mut().find(|s| s.program == program) {
            Some(s) => s.cells.push(cell),
            None => series.push(Series {
                program,
                cells: vec![cell],
            }),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_metric_per_program_and_point() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("sweep.csv"),
            "a,b,program,metric,mean,ci95_low,ci95_high,p05,p95\n\
             6,x,baseline,profit,1,0,2,0,2\n6,x,baseline,revenue_net,9,9,9,9,9\n\
             6,y,baseline,profit,2,1,3,0,2\n8,x,baseline,profit,3,2,4,0,2\n\
             8,x,Stamp card,profit,4,3,5,0,2\n",
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
        assert_eq!(d.series[1].cells[0].mean, 4.0);
    }
}
