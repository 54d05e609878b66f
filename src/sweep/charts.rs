//! The sweep report: the numbers behind it, read back from a finished
//! output folder's point files (`points/NNNNN.json`, each a full results
//! document), the best point per program, and [`write`], which draws the
//! charts (`report::charts`) and `report.html` (`report::sweep_html`) into
//! the folder.
//!
//! What is compared is each program's extra profit against no program
//! (`vs_baseline.profit`) over the horizon; a sweep whose scenario runs
//! without the control compares profit. The control itself gets no chart.
//!
//! `driver::run` (unsharded runs only) and `merge::merge` call [`write`]
//! after every point is finished; the report depends only on the point
//! files, so a merged folder's report equals the unsharded run's byte for
//! byte. One point is parsed at a time, so memory does not grow with the
//! number of points beyond a few numbers per point and program.

use crate::error::{Error, Result};
use crate::report::charts::{self, SweepAxis, SweepGrid, SweepLine, SweepSeries, SweepSlices};
use crate::report::output::{OutputFolder, VISUALS};
use crate::stats::summary::{self, Band, Summary};
use crate::sweep::files;
use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The parts of a point file the report reads.
#[derive(Debug, Deserialize)]
struct PointDoc {
    point: IndexMap<String, serde_json::Value>,
    #[serde(default)]
    scenario: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    time_unit: String,
    #[serde(default)]
    horizon: f64,
    #[serde(default)]
    replications: u32,
    #[serde(default)]
    seed: u64,
    programs: Vec<PointProgram>,
}

#[derive(Debug, Deserialize)]
struct PointProgram {
    name: String,
    summary: PointSummary,
    #[serde(default)]
    vs_baseline: Option<PointVs>,
}

#[derive(Debug, Deserialize)]
struct PointSummary {
    profit: Summary,
}

#[derive(Debug, Deserialize)]
struct PointVs {
    profit: Summary,
    p_better: f64,
    #[serde(default)]
    replication_profit_delta: Vec<f64>,
}

/// One program at one point.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The point's index in the sweep.
    pub index: usize,
    /// `coords[k]` indexes `axes[k].labels`.
    pub coords: Vec<usize>,
    /// Extra profit against no program (profit without a control).
    pub value: Summary,
    /// Share of runs beating no program (`None` without a control).
    pub p_better: Option<f64>,
}

/// One program across the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramCells {
    pub name: String,
    /// Cells in point order.
    pub cells: Vec<Cell>,
    /// Per swept key, whether it changes this program's results (a key of
    /// another program does not).
    pub relevant: Vec<bool>,
}

impl ProgramCells {
    /// Whether the swept values leave this program's results unchanged
    /// (the keys belong to another program): every point is the same.
    pub fn unaffected(&self) -> bool {
        let Some(first) = self.cells.first() else {
            return true;
        };
        self.cells
            .iter()
            .all(|c| c.value == first.value && c.p_better == first.p_better)
    }
}

/// Everything the sweep report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepData {
    pub scenario: String,
    /// One axis per swept key, values in sweep order.
    pub axes: Vec<SweepAxis>,
    pub points: usize,
    pub currency: String,
    pub time_unit: String,
    pub horizon: f64,
    pub replications: u32,
    /// Seeds used (one unless `simulation.seed` is swept).
    pub seeds: Vec<u64>,
    /// Whether the scenario has the no-program control (values are extra
    /// profit against it); otherwise values are profit.
    pub control: bool,
    /// Every program but the control, in results-document order.
    pub programs: Vec<ProgramCells>,
}

/// The best point of one program and how close the next one is.
#[derive(Debug, Clone, PartialEq)]
pub struct Best {
    pub program: String,
    /// Highest expected extra profit.
    pub by_value: Cell,
    /// Most likely to beat no program (ties: higher expected extra profit).
    pub by_chance: Option<Cell>,
    /// The second highest expected extra profit.
    pub runner_up: Option<Cell>,
    /// The best minus the runner-up, run by run on the same customers:
    /// mean and 95% interval, and the share of runs in which the best is
    /// ahead. `None` without per-run data.
    pub lead: Option<Lead>,
}

/// A paired difference between two points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lead {
    pub difference: Summary,
    pub share_ahead: f64,
}

impl SweepData {
    /// Read the sweep in `dir` (its manifest and every point file).
    pub fn read(dir: &Path) -> Result<SweepData> {
        let m = files::read_manifest(dir)?.ok_or_else(|| {
            Error::input(format!(
                "{}: not a sweep output (no {})",
                dir.display(),
                files::MANIFEST
            ))
        })?;
        let mut labels: Vec<Vec<String>> = vec![Vec::new(); m.keys.len()];
        let mut data = SweepData {
            scenario: m.scenario.clone(),
            axes: Vec::new(),
            points: m.points,
            currency: String::new(),
            time_unit: String::new(),
            horizon: 0.0,
            replications: 0,
            seeds: Vec::new(),
            control: false,
            programs: Vec::new(),
        };
        for index in 0..m.points {
            let doc = read_point(dir, index)?;
            if index == 0 {
                data.scenario = doc.scenario.clone();
                data.currency = doc.currency.clone();
                data.time_unit = doc.time_unit.clone();
                data.horizon = doc.horizon;
                data.replications = doc.replications;
                data.control = doc.programs.iter().any(|p| p.vs_baseline.is_some());
            }
            if !data.seeds.contains(&doc.seed) {
                data.seeds.push(doc.seed);
            }
            let coords: Vec<usize> = m
                .keys
                .iter()
                .zip(labels.iter_mut())
                .map(|(k, ls)| {
                    let label = doc.point.get(k).map_or("?".to_string(), display);
                    match ls.iter().position(|l| *l == label) {
                        Some(i) => i,
                        None => {
                            ls.push(label);
                            ls.len() - 1
                        }
                    }
                })
                .collect();
            for p in &doc.programs {
                let (value, p_better) = match (&p.vs_baseline, data.control) {
                    (Some(v), true) => (v.profit, Some(v.p_better)),
                    (None, true) => continue, // the control: no chart, no best
                    (_, false) => (p.summary.profit, None),
                };
                let cell = Cell {
                    index,
                    coords: coords.clone(),
                    value,
                    p_better,
                };
                match data.programs.iter_mut().find(|c| c.name == p.name) {
                    Some(c) => c.cells.push(cell),
                    None => data.programs.push(ProgramCells {
                        name: p.name.clone(),
                        cells: vec![cell],
                        relevant: Vec::new(),
                    }),
                }
            }
        }
        data.axes = m
            .keys
            .iter()
            .zip(labels)
            .map(|(k, ls)| SweepAxis::new(k, ls))
            .collect();
        for p in &mut data.programs {
            p.relevant = relevant_keys(&p.cells, m.keys.len());
        }
        Ok(data)
    }

    /// The best point of every program (reads the two best points' files
    /// again for the run-by-run comparison).
    pub fn best(&self, dir: &Path) -> Result<Vec<Best>> {
        let mut out = Vec::new();
        for p in &self.programs {
            let mut ranked: Vec<&Cell> = p.cells.iter().collect();
            ranked.sort_by(|a, b| {
                b.value
                    .mean
                    .total_cmp(&a.value.mean)
                    .then(a.index.cmp(&b.index))
            });
            let Some(top) = ranked.first() else { continue };
            // The next best point that differs in a key that matters (points
            // differing only in other programs' keys are the same design).
            let same = |c: &Cell| c.value == top.value && c.p_better == top.p_better;
            let by_chance = self.control.then(|| {
                let mut c: Vec<&Cell> = p.cells.iter().collect();
                c.sort_by(|a, b| {
                    b.p_better
                        .unwrap_or(0.0)
                        .total_cmp(&a.p_better.unwrap_or(0.0))
                        .then(b.value.mean.total_cmp(&a.value.mean))
                        .then(a.index.cmp(&b.index))
                });
                (*c[0]).clone()
            });
            let runner_up = ranked.iter().find(|c| !same(c)).map(|c| (*c).clone());
            let lead = match (&runner_up, self.control) {
                (Some(r), true) => self.lead(dir, &p.name, top.index, r.index)?,
                _ => None,
            };
            out.push(Best {
                program: p.name.clone(),
                by_value: (*top).clone(),
                by_chance,
                runner_up,
                lead,
            });
        }
        Ok(out)
    }

    /// Point `a` minus point `b` for `program`, run by run.
    fn lead(&self, dir: &Path, program: &str, a: usize, b: usize) -> Result<Option<Lead>> {
        let deltas = |i: usize| -> Result<Vec<f64>> {
            Ok(read_point(dir, i)?
                .programs
                .into_iter()
                .find(|p| p.name == program)
                .and_then(|p| p.vs_baseline)
                .map(|v| v.replication_profit_delta)
                .unwrap_or_default())
        };
        let (da, db) = (deltas(a)?, deltas(b)?);
        let Some((difference, share_ahead)) = summary::paired(&da, &db) else {
            return Ok(None);
        };
        Ok(Some(Lead {
            difference,
            share_ahead,
        }))
    }

    /// The swept values of a cell as (key, value), only the keys that
    /// change `program` (all keys when it is not one of the sweep's programs).
    pub fn describe(&self, program: &str, c: &Cell) -> Vec<(String, String)> {
        let relevant = self
            .programs
            .iter()
            .find(|p| p.name == program)
            .map(|p| p.relevant.clone());
        self.axes
            .iter()
            .zip(&c.coords)
            .enumerate()
            .filter(|(k, _)| relevant.as_ref().is_none_or(|r| r.get(*k) != Some(&false)))
            .map(|(_, (a, &i))| (a.key.clone(), a.labels.get(i).cloned().unwrap_or_default()))
            .collect()
    }

    /// The charts: one key: lines; two: a heatmap per program; three or
    /// more: one panel per key through each program's best point.
    pub fn charts(&self, best: &[Best]) -> Result<Vec<charts::Chart>> {
        let (stem, what) = if self.control {
            (
                "sweep_vs_baseline_profit",
                "Extra profit against no program",
            )
        } else {
            ("sweep_profit", "Profit")
        };
        let value_label = format!(
            "{} over {}{}",
            if self.control {
                "extra profit vs no program"
            } else {
                "profit"
            },
            crate::report::verdict::horizon_of(self.horizon, &self.time_unit),
            charts::style::in_currency(&self.currency)
        );
        let y_label = format!(
            "{}{}",
            if self.control {
                "Extra profit vs no program"
            } else {
                "Profit"
            },
            charts::style::in_currency(&self.currency)
        );
        let best_of = |name: &str| best.iter().find(|b| b.program == name);
        // A program the swept keys do not change would draw a flat line or
        // a one-colour heatmap: the report says so instead.
        let programs: Vec<&ProgramCells> =
            self.programs.iter().filter(|p| !p.unaffected()).collect();
        if programs.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        match self.axes.len() {
            0 => {}
            1 => {
                let axis = self.axes[0].clone();
                let series = programs
                    .iter()
                    .map(|p| SweepSeries {
                        program: p.name.clone(),
                        values: self.slice(p, 0, &[]),
                        best: best_of(&p.name).map(|b| b.by_value.coords[0]),
                    })
                    .collect();
                out.push(charts::render(&SweepLine {
                    name: stem.to_string(),
                    title: format!("{what} by {}", axis.short()),
                    axis,
                    y_label,
                    series,
                })?);
            }
            2 => {
                let (ox, oy) = (self.axes[0].ascending(), self.axes[1].ascending());
                let reorder = |a: &SweepAxis, o: &[usize]| SweepAxis {
                    key: a.key.clone(),
                    labels: o.iter().map(|&i| a.labels[i].clone()).collect(),
                    numbers: a
                        .numbers
                        .as_ref()
                        .map(|v| o.iter().map(|&i| v[i]).collect()),
                };
                let (x, y) = (reorder(&self.axes[0], &ox), reorder(&self.axes[1], &oy));
                let mut stems: Vec<String> = Vec::new();
                for p in &programs {
                    let mut values = vec![vec![f64::NAN; ox.len()]; oy.len()];
                    let at = |c: &Cell| {
                        let xi = ox.iter().position(|&i| i == c.coords[0])?;
                        let yi = oy.iter().position(|&i| i == c.coords[1])?;
                        Some((xi, yi))
                    };
                    for c in &p.cells {
                        if let Some((xi, yi)) = at(c) {
                            values[yi][xi] = c.value.mean;
                        }
                    }
                    let name =
                        charts::unique_stem(&format!("{stem}_{}", charts::slug(&p.name)), &stems);
                    stems.push(name.clone());
                    out.push(charts::render(&SweepGrid {
                        name,
                        title: format!("{what}: {} by {} and {}", p.name, x.short(), y.short()),
                        program: p.name.clone(),
                        x: x.clone(),
                        y: y.clone(),
                        value_label: format!("mean {value_label}"),
                        values,
                        best: best_of(&p.name).and_then(|b| at(&b.by_value)),
                    })?);
                }
            }
            _ => {
                let panels = (0..self.axes.len())
                    .map(|k| {
                        let series = programs
                            .iter()
                            .map(|p| {
                                let b = best_of(&p.name).map(|b| b.by_value.coords.clone());
                                SweepSeries {
                                    program: p.name.clone(),
                                    values: self.slice(p, k, b.as_deref().unwrap_or(&[])),
                                    best: b.map(|c| c[k]),
                                }
                            })
                            .collect();
                        (self.axes[k].clone(), series)
                    })
                    .collect();
                out.push(charts::render(&SweepSlices {
                    name: stem.to_string(),
                    title: format!("{what}, key by key, through each program's best point"),
                    y_label,
                    panels,
                })?);
            }
        }
        Ok(out)
    }

    /// `p`'s values along key `k` (axis order), the other keys held at
    /// `fixed` (coordinates; empty when there is only one key).
    fn slice(&self, p: &ProgramCells, k: usize, fixed: &[usize]) -> Vec<Option<Band>> {
        let mut out = vec![None; self.axes[k].labels.len()];
        let on: HashMap<usize, &Cell> = p
            .cells
            .iter()
            .filter(|c| {
                fixed.is_empty()
                    || c.coords
                        .iter()
                        .zip(fixed)
                        .enumerate()
                        .all(|(j, (a, b))| j == k || a == b)
            })
            .map(|c| (c.coords[k], c))
            .collect();
        for (i, slot) in out.iter_mut().enumerate() {
            if let Some(c) = on.get(&i) {
                *slot = Some(Band {
                    mean: c.value.mean,
                    p05: c.value.p05,
                    p95: c.value.p95,
                });
            }
        }
        out
    }
}

/// Per key, whether two points differing only in that key give this program
/// different results.
fn relevant_keys(cells: &[Cell], keys: usize) -> Vec<bool> {
    let at: HashMap<&[usize], &Cell> = cells.iter().map(|c| (c.coords.as_slice(), c)).collect();
    (0..keys)
        .map(|k| {
            cells.iter().any(|c| {
                cells.iter().any(|o| {
                    o.coords[k] != c.coords[k]
                        && o.coords
                            .iter()
                            .zip(&c.coords)
                            .enumerate()
                            .all(|(j, (a, b))| j == k || a == b)
                        && at.contains_key(o.coords.as_slice())
                        && (o.value != c.value || o.p_better != c.p_better)
                })
            })
        })
        .collect()
}

/// Whether a point file's document holds what [`SweepData::read`] needs.
pub(crate) fn check_point(doc: &serde_json::Value) -> Result<(), serde_json::Error> {
    PointDoc::deserialize(doc).map(|_| ())
}

fn read_point(dir: &Path, index: usize) -> Result<PointDoc> {
    let path = dir
        .join(files::POINTS)
        .join(format!("{}.json", files::stem(index)));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::other(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::other(format!("{}: not a sweep point: {e}", path.display())))
}

/// A swept value as people read it: `10`, `0.25`, `week`, `{ hazard = 0.01 }`.
pub fn display(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(inner).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(o) => {
            let parts: Vec<String> = o
                .iter()
                .map(|(k, v)| format!("{k} = {}", inner(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

/// A value inside an array or table: strings quoted.
fn inner(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("{s:?}"),
        other => display(other),
    }
}

/// Draw the sweep report of a finished output folder into it: the charts
/// (SVG and PNG) and `report.html`. Removes charts an earlier run wrote into
/// the folder and this one did not. Returns the file names written.
pub fn write(dir: &Path, note: &dyn Fn(String)) -> Result<Vec<String>> {
    let data = SweepData::read(dir)?;
    let best = data.best(dir)?;
    let charts = data.charts(&best)?;
    let mut out = OutputFolder::open(dir, &[VISUALS])?;
    let mut written = Vec::new();
    for c in &charts {
        for (ext, bytes) in [("svg", c.svg.as_bytes()), ("png", c.png.as_slice())] {
            let name = format!("{}.{ext}", c.name);
            out.write(VISUALS, &name, bytes)?;
            written.push(name);
        }
    }
    let html = crate::report::sweep_html::render(&data, &best, &charts);
    out.write(VISUALS, "report.html", html.as_bytes())?;
    written.push("report.html".to_string());
    let removed = out.finish()?;
    if !removed.is_empty() {
        note(format!(
            "removed {} file(s) an earlier run wrote: {}",
            removed.len(),
            removed.join(", ")
        ));
    }
    Ok(written)
}

/// Remove the sweep charts and report an earlier run wrote into `dir`: a
/// shard's folder holds part of the grid and gets none.
pub fn clear(dir: &Path) -> Result<()> {
    OutputFolder::open(dir, &[VISUALS])?.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_written() {
        use serde_json::json;
        assert_eq!(display(&json!(8)), "8");
        assert_eq!(display(&json!(0.25)), "0.25");
        assert_eq!(display(&json!(8.0)), "8");
        assert_eq!(display(&json!("week")), "week");
        assert_eq!(display(&json!({"hazard": 0.01})), "{ hazard = 0.01 }");
        assert_eq!(display(&json!(["a", 1])), "[\"a\", 1]");
    }
}
