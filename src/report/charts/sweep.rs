//! Sweep charts, fed by plain data so the sweep code needs no plotters:
//!
//! - [`SweepLine`]: one swept key on the x axis, one line per program with
//!   its 90% band (for example mean extra profit against the stamp-card size).
//! - [`SweepGrid`]: two swept keys, a heatmap of one value for one program
//!   (diverging colours around zero, each cell labelled when the grid is small).
//!
//! ```no_run
//! use loyalsim::report::charts::{self, SweepLine, SweepPoint, SweepValue};
//! let line = SweepLine {
//!     title: "Extra profit by card size".into(),
//!     x_label: "program[Stamp card].stamps.card_size".into(),
//!     y_label: "Extra profit vs no program (EUR)".into(),
//!     points: vec![SweepPoint {
//!         x: 8.0,
//!         values: vec![SweepValue { program: "Stamp card".into(), mean: 1200.0, p05: 300.0, p95: 2100.0 }],
//!     }],
//! };
//! let chart = charts::render(&line)?; // chart.svg, chart.png
//! # Ok::<(), loyalsim::error::Error>(())
//! ```
//!
//! Program colours follow the order in which program names first appear
//! (`baseline` is grey), so pass programs in results-document order to match
//! the other charts.

use super::palette::{Palette, display_name};
use super::style::{self, GRID, INK, Style, ZERO, tint, truncate};
use super::{DrawResult, Figure};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One program's value at one sweep point: the mean and 90% range across
/// replications (p05..p95).
#[derive(Debug, Clone, PartialEq)]
pub struct SweepValue {
    pub program: String,
    pub mean: f64,
    pub p05: f64,
    pub p95: f64,
}

/// All programs at one value `x` of the swept key.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    pub x: f64,
    pub values: Vec<SweepValue>,
}

/// A sweep over one key: a line per program. Points may come in any order
/// (they are sorted by `x`); a program missing at a point leaves a gap-free
/// line through the points where it exists.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepLine {
    /// Chart title.
    pub title: String,
    /// The swept key, as the user wrote it (x axis description).
    pub x_label: String,
    /// What the values are, with the currency (y axis description).
    pub y_label: String,
    pub points: Vec<SweepPoint>,
}

impl SweepLine {
    fn programs(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for v in self.points.iter().flat_map(|p| &p.values) {
            if !names.contains(&v.program) {
                names.push(v.program.clone());
            }
        }
        names
    }
}

impl Figure for SweepLine {
    fn name(&self) -> &str {
        "sweep"
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let area = s.header(
            root,
            &self.title,
            "Lines: mean across runs; shaded: 90% of runs.",
        )?;
        let names = self.programs();
        let palette = Palette::for_names(&names);
        let legend: Vec<(String, RGBColor)> = names
            .iter()
            .map(|n| (display_name(n), palette.colour(n)))
            .collect();
        let area = s.legend_row(&area, &legend, true)?;
        let mut pts: Vec<&SweepPoint> = self.points.iter().filter(|p| p.x.is_finite()).collect();
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        if pts.is_empty() {
            return s.empty_note(&area, "No sweep points to show");
        }
        let (x0, x1) = style::range(pts.iter().map(|p| p.x), false, 0.03);
        let (y0, y1) = style::range(
            pts.iter()
                .flat_map(|p| p.values.iter().flat_map(|v| [v.mean, v.p05, v.p95])),
            false,
            0.05,
        );
        let (xs, ys) = (x1 - x0, y1 - y0);
        // Whole-number sweeps (card sizes, stamps) get whole-number ticks only.
        let whole = pts.iter().all(|p| (p.x - p.x.round()).abs() < 1e-9);
        let x_ticks = if whole && xs < 20.0 {
            (xs.floor() as usize + 1).clamp(2, 12)
        } else {
            10
        };
        let xf = |v: &f64| {
            if whole && (v - v.round()).abs() > 1e-6 {
                String::new()
            } else if xs >= 20.0 {
                style::tick_label(*v, xs)
            } else {
                axis_value(*v)
            }
        };
        let yf = |v: &f64| style::tick_label(*v, ys);
        let mut chart = ChartBuilder::on(&area)
            .margin_left(s.px(8.0))
            .margin_right(s.px(28.0))
            .margin_top(s.px(8.0))
            .margin_bottom(s.px(8.0))
            .x_label_area_size(s.upx(56.0))
            .y_label_area_size(s.label_width(&style::sample_labels(y0, y1)) + s.upx(26.0))
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(x_ticks)
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .label_style(s.tick())
            .axis_desc_style(s.axis())
            .bold_line_style(s.line(GRID, 1.0))
            .light_line_style(TRANSPARENT)
            .axis_style(s.line(RGBColor(150, 150, 150), 1.0))
            .draw()?;
        if y0 < 0.0 && y1 > 0.0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x0, 0.0), (x1, 0.0)],
                s.line(ZERO, 1.0),
            )))?;
        }
        let finite = |v: &&SweepValue| v.mean.is_finite() && v.p05.is_finite() && v.p95.is_finite();
        let lines: Vec<(RGBColor, Vec<(f64, &SweepValue)>)> = names
            .iter()
            .map(|name| {
                let vals = pts
                    .iter()
                    .filter_map(|p| {
                        p.values
                            .iter()
                            .find(|v| &v.program == name)
                            .filter(finite)
                            .map(|v| (p.x, v))
                    })
                    .collect();
                (palette.colour(name), vals)
            })
            .collect();
        // Every band first, then every line, so no band covers a line.
        for (c, vals) in &lines {
            if vals.len() >= 2 {
                let mut poly: Vec<(f64, f64)> = vals.iter().map(|(x, v)| (*x, v.p95)).collect();
                poly.extend(vals.iter().rev().map(|(x, v)| (*x, v.p05)));
                chart.draw_series(std::iter::once(Polygon::new(
                    poly,
                    tint(*c, 0.22).mix(0.55).filled(),
                )))?;
            }
        }
        for (c, vals) in &lines {
            chart.draw_series(LineSeries::new(
                vals.iter().map(|(x, v)| (*x, v.mean)),
                s.line(*c, 2.5),
            ))?;
            chart.draw_series(
                vals.iter()
                    .map(|(x, v)| Circle::new((*x, v.mean), s.upx(4.0), c.filled())),
            )?;
        }
        Ok(())
    }
}

/// A sweep over two keys: one value per (x, y) cell for one program.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepGrid {
    /// Chart title.
    pub title: String,
    /// The program the values belong to (shown in the subtitle).
    pub program: String,
    /// First swept key (columns) and its values, left to right.
    pub x_label: String,
    pub xs: Vec<f64>,
    /// Second swept key (rows) and its values, bottom to top.
    pub y_label: String,
    pub ys: Vec<f64>,
    /// What the cell values are, with the currency (colour scale caption).
    pub value_label: String,
    /// `values[row][column]`, i.e. `values[yi][xi]`; NaN marks a missing cell.
    pub values: Vec<Vec<f64>>,
}

impl SweepGrid {
    fn value(&self, yi: usize, xi: usize) -> f64 {
        self.values
            .get(yi)
            .and_then(|row| row.get(xi))
            .copied()
            .unwrap_or(f64::NAN)
    }
}

/// Diverging colour: red below zero, white at zero, blue above; `t` in [-1, 1].
fn diverging(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let (end, f) = if t < 0.0 {
        (RGBColor(0xc0, 0x39, 0x2b), -t)
    } else {
        (RGBColor(0x21, 0x66, 0xac), t)
    };
    tint(end, f)
}

impl Figure for SweepGrid {
    fn name(&self) -> &str {
        "sweep_grid"
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn size(&self) -> (u32, u32) {
        (960, 620)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let area = s.header(
            root,
            &self.title,
            &format!(
                "{}: {}. Blue: above zero, red: below, white: zero.",
                truncate(&display_name(&self.program), 40),
                self.value_label
            ),
        )?;
        let (nx, ny) = (self.xs.len(), self.ys.len());
        if nx == 0 || ny == 0 {
            return s.empty_note(&area, "No sweep points to show");
        }
        let max_abs = (0..ny)
            .flat_map(|yi| (0..nx).map(move |xi| (yi, xi)))
            .map(|(yi, xi)| self.value(yi, xi))
            .filter(|v| v.is_finite())
            .fold(0.0_f64, |m, v| m.max(v.abs()));
        let scale = if max_abs > 0.0 { max_abs } else { 1.0 };
        let (w, _) = area.dim_in_pixel();
        let (plot, bar) = area.split_horizontally(w as i32 - s.px(110.0));
        let ylabels: Vec<String> = self.ys.iter().map(|v| axis_value(*v)).collect();
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(s.px(8.0))
            .margin_right(s.px(16.0))
            .margin_top(s.px(8.0))
            .margin_bottom(s.px(8.0))
            .x_label_area_size(s.upx(52.0))
            .y_label_area_size(s.label_width(&ylabels) + s.upx(30.0))
            .build_cartesian_2d(-0.5..(nx as f64 - 0.5), -0.5..(ny as f64 - 0.5))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(0)
            .y_labels(0)
            .axis_desc_style(s.axis())
            .draw()?;
        // Swept values under the columns and left of the rows (at most 20
        // labels per axis; every other one beyond that).
        let base = plot.get_base_pixel();
        let x_step = nx.div_ceil(20);
        for (xi, v) in self.xs.iter().enumerate().step_by(x_step.max(1)) {
            let (px, py) = chart.backend_coord(&(xi as f64, -0.5));
            plot.draw(&Text::new(
                axis_value(*v),
                (px - base.0, py - base.1 + s.px(8.0)),
                s.tick().pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        let y_step = ny.div_ceil(20);
        for (yi, v) in self.ys.iter().enumerate().step_by(y_step.max(1)) {
            let (px, py) = chart.backend_coord(&(-0.5, yi as f64));
            plot.draw(&Text::new(
                axis_value(*v),
                (px - base.0 - s.px(8.0), py - base.1),
                s.tick().pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        let label_cells = nx <= 12 && ny <= 12;
        for yi in 0..ny {
            for xi in 0..nx {
                let v = self.value(yi, xi);
                let (x, y) = (xi as f64, yi as f64);
                let fill = if v.is_finite() {
                    diverging(v / scale).filled()
                } else {
                    RGBColor(235, 235, 235).filled()
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    fill,
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    s.line(RGBColor(225, 228, 232), 1.0),
                )))?;
                if label_cells {
                    let text = if v.is_finite() {
                        style::tick_label(v, max_abs)
                    } else {
                        "n/a".to_string()
                    };
                    let colour = if v.is_finite() && (v / scale).abs() > 0.6 {
                        WHITE
                    } else {
                        INK
                    };
                    chart.draw_series(std::iter::once(Text::new(
                        text,
                        (x, y),
                        s.text(12.5)
                            .color(&colour)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))?;
                }
            }
        }
        // Colour scale.
        let (_, bh) = bar.dim_in_pixel();
        let (top, bottom) = (s.px(24.0), bh as i32 - s.px(70.0));
        let (bx, bw) = (s.px(16.0), s.px(22.0));
        let steps = 60;
        for k in 0..steps {
            let t = 1.0 - 2.0 * k as f64 / (steps - 1) as f64;
            let y = top + (bottom - top) * k / steps;
            let y2 = top + (bottom - top) * (k + 1) / steps;
            bar.draw(&Rectangle::new(
                [(bx, y), (bx + bw, y2)],
                diverging(t).filled(),
            ))?;
        }
        for (t, y) in [(1.0, top), (0.0, (top + bottom) / 2), (-1.0, bottom)] {
            bar.draw(&Text::new(
                style::tick_label(t * scale, scale),
                (bx + bw + s.px(6.0), y),
                s.text(12.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
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
