//! Sweep charts, fed by plain data so the sweep code needs no plotters:
//!
//! - [`SweepLine`]: one swept key on the x axis, one line per program with
//!   its 90% band (for example extra profit against the stamp-card size),
//!   each program's best point ringed.
//! - [`SweepGrid`]: two swept keys, a heatmap of one value for one program,
//!   on a diverging scale (blue above zero, red below, white at zero; each
//!   side stretched to its own robust limit, so cells that differ look
//!   different even when all are on one side of zero), the best cell
//!   outlined.
//! - [`SweepSlices`]: three or more keys, small multiples: one panel per
//!   key, each program's line through its best point with the other keys
//!   held at that point's values.
//!
//! Axes take numbers (placed by value) or any other values (placed in sweep
//! order). Program looks follow the order of the series, so pass programs in
//! results-document order to match the run report's charts.
//!
//! ```no_run
//! use loyalsim::report::charts::{self, SweepAxis, SweepLine, SweepSeries};
//! use loyalsim::stats::summary::Band;
//! let line = SweepLine {
//!     name: "sweep_vs_baseline_profit".into(),
//!     title: "Extra profit by card size".into(),
//!     axis: SweepAxis::new("program[Stamp card].stamps.card_size", vec!["8".into(), "10".into()]),
//!     y_label: "Extra profit vs no program (EUR)".into(),
//!     series: vec![SweepSeries {
//!         program: "Stamp card".into(),
//!         values: vec![
//!             Some(Band { mean: 1200.0, p05: 300.0, p95: 2100.0 }),
//!             Some(Band { mean: 1500.0, p05: 600.0, p95: 2400.0 }),
//!         ],
//!         best: Some(1),
//!     }],
//! };
//! let chart = charts::render(&line)?; // chart.svg, chart.png
//! # Ok::<(), loyalsim::error::Error>(())
//! ```

use super::palette::{Look, Palette, display_name};
use super::style::{self, HouseGrid, INK, Style, tint};
use super::{DrawResult, Figure};
use crate::stats::summary::Band;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use super::sweep_grid::{Scale, SweepGrid};

/// One swept key and its values, in the order they are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepAxis {
    /// The key as the user wrote it.
    pub key: String,
    /// The values as shown.
    pub labels: Vec<String>,
    /// The values as numbers, when every one is a number (placed by value);
    /// `None` places them evenly in the given order.
    pub numbers: Option<Vec<f64>>,
}

impl SweepAxis {
    /// An axis from value labels; numeric when every label parses as a
    /// finite number.
    pub fn new(key: &str, labels: Vec<String>) -> Self {
        let numbers: Option<Vec<f64>> = labels
            .iter()
            .map(|l| l.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        SweepAxis {
            key: key.to_string(),
            labels,
            numbers,
        }
    }

    /// Where value `i` sits on the axis.
    pub fn position(&self, i: usize) -> f64 {
        match &self.numbers {
            Some(v) => v.get(i).copied().unwrap_or(i as f64),
            None => i as f64,
        }
    }

    /// The order that sorts numeric values ascending (sweep order otherwise).
    pub fn ascending(&self) -> Vec<usize> {
        let mut o: Vec<usize> = (0..self.labels.len()).collect();
        if let Some(v) = &self.numbers {
            o.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        }
        o
    }

    /// `program[Stamp card].stamps.card_size` → `card size`, for titles.
    pub fn short(&self) -> String {
        short_key(&self.key)
    }
}

/// One program's values along an axis (`None`: no value at that point).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSeries {
    pub program: String,
    /// Mean and 90% range across runs, per axis value (axis order).
    pub values: Vec<Option<Band>>,
    /// The program's best value on this axis, ringed.
    pub best: Option<usize>,
}

/// A sweep over one key: a line per program.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepLine {
    /// File stem.
    pub name: String,
    pub title: String,
    pub axis: SweepAxis,
    /// What the values are, with the currency (y axis description).
    pub y_label: String,
    pub series: Vec<SweepSeries>,
}

impl Figure for SweepLine {
    fn name(&self) -> &str {
        &self.name
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let area = s.header(
            root,
            &self.title,
            "Lines: mean across runs; shaded: 90% of runs; ring: each program's best value.",
        )?;
        let palette = palette_of(&self.series);
        let legend = legend_of(&self.series, &palette);
        let area = s.legend_lines(&area, &legend)?;
        let (y0, y1) = value_range(std::iter::once(self.series.as_slice()));
        line_panel(
            &area,
            s,
            &self.axis,
            &self.series,
            &palette,
            (y0, y1),
            &self.y_label,
            true,
        )
    }
}

/// Three or more swept keys: one line panel per key.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSlices {
    /// File stem.
    pub name: String,
    pub title: String,
    /// What the values are, with the currency.
    pub y_label: String,
    /// Per key: its axis and each program's values along it, the other keys
    /// held at that program's best point.
    pub panels: Vec<(SweepAxis, Vec<SweepSeries>)>,
}

impl SweepSlices {
    fn columns(&self) -> usize {
        if self.panels.len() <= 2 {
            self.panels.len().max(1)
        } else {
            2
        }
    }
    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.columns()).max(1)
    }
}

impl Figure for SweepSlices {
    fn name(&self) -> &str {
        &self.name
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn size(&self) -> (u32, u32) {
        (960, 130 + 300 * self.rows() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let area = s.header(
            root,
            &self.title,
            "One panel per swept key; each program's line holds the other keys at its best \
             point (ringed). Shaded: 90% of runs.",
        )?;
        let first = self
            .panels
            .first()
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[]);
        let palette = palette_of(first);
        let legend = legend_of(first, &palette);
        let area = s.legend_lines(&area, &legend)?;
        if self.panels.is_empty() {
            return s.empty_note(&area, "No sweep points to show");
        }
        let range = value_range(self.panels.iter().map(|(_, v)| v.as_slice()));
        let cells = area.split_evenly((self.rows(), self.columns()));
        for ((axis, series), cell) in self.panels.iter().zip(cells.iter()) {
            line_panel(cell, s, axis, series, &palette, range, &self.y_label, false)?;
        }
        Ok(())
    }
}

/// Looks of the series' programs, in series order.
fn palette_of(series: &[SweepSeries]) -> Palette {
    Palette::for_names(
        &series
            .iter()
            .map(|s| s.program.as_str())
            .collect::<Vec<_>>(),
    )
}

fn legend_of(series: &[SweepSeries], palette: &Palette) -> Vec<(String, Look)> {
    series
        .iter()
        .map(|v| (display_name(&v.program), palette.look(&v.program)))
        .collect()
}

/// A y range covering every finite mean and band of `groups`.
fn value_range<'a>(groups: impl Iterator<Item = &'a [SweepSeries]>) -> (f64, f64) {
    let mut all = Vec::new();
    for g in groups {
        for v in g.iter().flat_map(|s| s.values.iter().flatten()) {
            all.extend([v.mean, v.p05, v.p95]);
        }
    }
    style::range(all, false, 0.06)
}

/// One line chart: the axis across, a band and a line per series, the best
/// values ringed.
#[allow(clippy::too_many_arguments)]
fn line_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &Style,
    axis: &SweepAxis,
    series: &[SweepSeries],
    palette: &Palette,
    (y0, y1): (f64, f64),
    y_label: &str,
    full: bool,
) -> DrawResult<DB> {
    let n = axis.labels.len();
    if n == 0 {
        return s.empty_note(area, "No sweep points to show");
    }
    let xs: Vec<f64> = (0..n).map(|i| axis.position(i)).collect();
    let (x0, x1) = if axis.numbers.is_some() {
        style::range(xs.iter().copied(), false, 0.04)
    } else {
        (-0.5, n as f64 - 0.5)
    };
    let (xs_span, ys_span) = (x1 - x0, y1 - y0);
    let whole = axis.numbers.is_some() && xs.iter().all(|x| (x - x.round()).abs() < 1e-9);
    let categorical = axis.numbers.is_none();
    let x_ticks = if categorical {
        0
    } else if whole && xs_span < 20.0 {
        (xs_span.floor() as usize + 1).clamp(2, 12)
    } else {
        8
    };
    let xf = |v: &f64| {
        if whole && (v - v.round()).abs() > 1e-6 {
            String::new()
        } else if xs_span >= 20.0 {
            style::tick_label(*v, xs_span)
        } else {
            axis_value(*v)
        }
    };
    let yf = |v: &f64| style::tick_label(*v, ys_span);
    let mut chart = ChartBuilder::on(area)
        .margin_left(s.px(8.0))
        .margin_right(s.px(24.0))
        .margin_top(s.px(if full { 8.0 } else { 14.0 }))
        .margin_bottom(s.px(6.0))
        .x_label_area_size(s.upx(52.0))
        .y_label_area_size(s.label_width(&style::sample_labels(y0, y1)) + s.upx(26.0))
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let x_desc = if full { axis.key.clone() } else { axis.short() };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_label)
        .x_labels(x_ticks)
        .y_labels(if full { 8 } else { 5 })
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .house(s)
        .draw()?;
    if categorical {
        let base = area.get_base_pixel();
        for (i, l) in axis.labels.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64, y0));
            area.draw(&Text::new(
                style::truncate(l, 18),
                (px - base.0, py - base.1 + s.px(6.0)),
                s.tick().pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
    }
    s.zero_line(&mut chart, (x0, x1), (y0, y1))?;
    // Points in axis order, by position; every band first, then every line,
    // so no band covers a line.
    let order = axis.ascending();
    /// A program's look, its points (position, value) and its best point.
    type Line = (Look, Vec<(f64, Band)>, Option<(f64, Band)>);
    let lines: Vec<Line> = series
        .iter()
        .map(|v| {
            let pts: Vec<(f64, Band)> = order
                .iter()
                .filter_map(|&i| {
                    let b = v.values.get(i).copied().flatten()?;
                    (b.mean.is_finite() && b.p05.is_finite() && b.p95.is_finite())
                        .then_some((xs[i], b))
                })
                .collect();
            let best = v
                .best
                .and_then(|i| v.values.get(i).copied().flatten().map(|b| (xs[i], b)));
            (palette.look(&v.program), pts, best)
        })
        .collect();
    for (look, pts, _) in &lines {
        if pts.len() >= 2 {
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|(x, b)| (*x, b.p95)).collect();
            poly.extend(pts.iter().rev().map(|(x, b)| (*x, b.p05)));
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                tint(look.colour, 0.22).mix(0.5).filled(),
            )))?;
        }
    }
    for (look, pts, best) in &lines {
        let line: Vec<(f64, f64)> = pts.iter().map(|(x, b)| (*x, b.mean)).collect();
        s.series(&mut chart, &line, *look, 2.5)?;
        chart.draw_series(
            line.iter()
                .map(|p| Circle::new(*p, s.upx(3.5), look.colour.filled())),
        )?;
        if let Some((x, b)) = best {
            chart.draw_series(std::iter::once(Circle::new(
                (*x, b.mean),
                s.upx(9.0),
                s.line(INK, 2.0),
            )))?;
        }
    }
    if !full {
        // The key's name over the panel.
        area.draw(&Text::new(
            axis.key.clone(),
            (s.px(12.0), s.px(2.0)),
            s.muted(12.0).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// A swept value on an axis: integers without decimals, others with up to 3.
fn axis_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        style::tick_label(v, 1e9)
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').to_string()
    }
}

/// The last part of a swept key, for titles: `program[Stamp card].stamps.card_size`
/// → `card size`.
pub fn short_key(key: &str) -> String {
    let tail = match key.rfind(']') {
        Some(i) => &key[i + 1..],
        None => key,
    };
    let last = tail.rsplit('.').find(|s| !s.is_empty()).unwrap_or(key);
    last.replace('_', " ")
}
