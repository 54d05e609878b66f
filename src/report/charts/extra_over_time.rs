//! What a program adds over time against no program, on the same customers:
//! one panel per program (small multiples on a shared scale), its mean
//! paired difference as a line with the 90% band across runs, the other
//! programs' means as thin grey lines for comparison, and zero (no
//! difference) in red. Two instances: extra cumulative profit and extra
//! active customers (`incremental_*` period series of the results document).

use super::palette::{Look, Palette, compared};
use super::style::{self, HouseGrid, INK, Style, in_currency, plural, tint};
use super::{DrawResult, Figure};
use crate::report::format::signed;
use crate::stats::Results;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One program's paired difference over time.
struct Panel {
    label: String,
    look: Look,
    /// (time, mean, p05, p95), starting at (0, 0, 0, 0).
    points: Vec<(f64, f64, f64, f64)>,
    /// When the extra profit pays back (marked on the profit chart).
    payback: Option<f64>,
}

/// A small-multiples chart of one paired-difference series.
pub struct ExtraOverTime<'a> {
    r: &'a Results,
    name: &'static str,
    title: &'static str,
    /// Money (profit) or a head count (customers).
    money: bool,
    panels: Vec<Panel>,
}

/// Height of one panel in CSS pixels.
const PANEL_H: f64 = 215.0;

impl<'a> ExtraOverTime<'a> {
    /// Extra cumulative profit against no program.
    pub fn profit(r: &'a Results) -> Self {
        Self::new(
            r,
            "extra_profit",
            "Extra profit against no program, over time",
            "incremental_cumulative_profit",
            true,
        )
    }

    /// Extra active customers against no program.
    pub fn active_customers(r: &'a Results) -> Self {
        Self::new(
            r,
            "extra_customers",
            "Extra active customers against no program, over time",
            "incremental_active_customers",
            false,
        )
    }

    fn new(
        r: &'a Results,
        name: &'static str,
        title: &'static str,
        series: &str,
        money: bool,
    ) -> Self {
        let palette = Palette::for_results(r);
        let panels = compared(r, 44)
            .into_iter()
            .filter_map(|(p, label)| {
                let mut points = vec![(0.0, 0.0, 0.0, 0.0)];
                points.extend(p.periods.iter().filter_map(|per| {
                    let b = per.series.get(series)?;
                    [per.end, b.mean, b.p05, b.p95]
                        .iter()
                        .all(|v| v.is_finite())
                        .then_some((per.end, b.mean, b.p05, b.p95))
                }));
                (points.len() > 1).then(|| Panel {
                    label,
                    look: palette.look(&p.name),
                    points,
                    payback: p
                        .vs_baseline
                        .as_ref()
                        .and_then(|v| v.payback_period)
                        .filter(|_| money),
                })
            })
            .collect();
        ExtraOverTime {
            r,
            name,
            title,
            money,
            panels,
        }
    }

    /// Whether any program has the series (a control and periods are needed).
    pub fn applies(&self) -> bool {
        !self.panels.is_empty()
    }

    fn columns(&self) -> usize {
        if self.panels.len() <= 1 { 1 } else { 2 }
    }

    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.columns()).max(1)
    }
}

impl Figure for ExtraOverTime<'_> {
    fn name(&self) -> &str {
        self.name
    }

    fn title(&self) -> String {
        self.title.to_string()
    }

    fn size(&self) -> (u32, u32) {
        let panel = if self.columns() == 1 {
            340.0
        } else {
            PANEL_H + 16.0
        };
        (960, (92.0 + panel * self.rows() as f64 + 30.0) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let r = self.r;
        let others = if self.panels.len() > 1 {
            " Grey: the other programs."
        } else {
            ""
        };
        let area = s.header(
            root,
            &self.title(),
            &format!(
                "Line: mean of {} runs. Shaded: 90% of runs. Red: no difference.{others}",
                r.replications
            ),
        )?;
        if self.panels.is_empty() {
            return s.empty_note(&area, "No program compared with no program");
        }
        let (x0, x1) = style::range(
            self.panels
                .iter()
                .flat_map(|p| p.points.iter().map(|q| q.0)),
            false,
            0.0,
        );
        let (y0, y1) = style::range(
            self.panels
                .iter()
                .flat_map(|p| p.points.iter().flat_map(|q| [q.1, q.2, q.3])),
            true,
            0.06,
        );
        let (cols, rows) = (self.columns(), self.rows());
        let cells = area.split_evenly((rows, cols));
        let unit = plural(&r.time_unit);
        let x_desc = format!("Time ({unit})");
        let y_desc = if self.money {
            format!("Extra profit{}", in_currency(&r.currency))
        } else {
            "Extra active customers".to_string()
        };
        let y_span = y1 - y0;
        // Head counts in whole customers once the axis spans a few.
        let whole = !self.money && y_span >= 4.0;
        let yf = |v: &f64| {
            if whole {
                crate::report::format::thousands(*v)
            } else {
                style::tick_label(*v, y_span)
            }
        };
        let xf = |v: &f64| style::tick_label(*v, (x1 - x0).max(20.0));
        let y_label_w = s.label_width(&style::sample_labels(y0, y1)) + s.upx(26.0);
        for (k, cell) in cells.iter().enumerate() {
            let Some(p) = self.panels.get(k) else {
                continue;
            };
            let (row, col) = (k / cols, k % cols);
            let bottom = row + 1 == rows || k + cols >= self.panels.len();
            let last = p.points.last().copied().unwrap_or_default();
            let headline = format!(
                "{} by {} {}; 90% of runs {} to {}",
                signed(last.1),
                r.time_unit,
                crate::report::format::units(last.0),
                signed(last.2),
                signed(last.3)
            );
            let mut chart = ChartBuilder::on(cell)
                .margin_left(s.px(6.0))
                .margin_right(s.px(22.0))
                .margin_top(s.px(46.0))
                .margin_bottom(s.px(4.0))
                .x_label_area_size(s.upx(if bottom { 50.0 } else { 24.0 }))
                .y_label_area_size(y_label_w)
                .build_cartesian_2d(x0..x1, y0..y1)?;
            let mut mesh = chart.configure_mesh();
            mesh.x_label_formatter(&xf)
                .y_label_formatter(&yf)
                .x_labels(8)
                .y_labels(5)
                .house(s);
            if bottom {
                mesh.x_desc(x_desc.as_str());
            }
            if col == 0 {
                mesh.y_desc(y_desc.as_str());
            }
            mesh.draw()?;
            // Band, the others' means, zero, then this program's mean on top.
            let mut poly: Vec<(f64, f64)> = p.points.iter().map(|q| (q.0, q.3)).collect();
            poly.extend(p.points.iter().rev().map(|q| (q.0, q.2)));
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                tint(p.look.colour, 0.3).filled(),
            )))?;
            for (j, other) in self.panels.iter().enumerate() {
                if j != k {
                    chart.draw_series(LineSeries::new(
                        other.points.iter().map(|q| (q.0, q.1)),
                        s.line(RGBColor(175, 179, 184), 1.25),
                    ))?;
                }
            }
            s.zero_line(&mut chart, (x0, x1), (y0, y1))?;
            let line: Vec<(f64, f64)> = p.points.iter().map(|q| (q.0, q.1)).collect();
            s.series(&mut chart, &line, p.look, 2.5)?;
            if let Some(t) = p.payback.filter(|t| *t > x0 && *t <= x1) {
                // Where the program has paid back for good.
                chart.draw_series(std::iter::once(Circle::new(
                    (t, 0.0),
                    s.upx(5.0),
                    s.line(INK, 2.0),
                )))?;
                // The label just under the zero line, clear of the circle.
                let base = cell.get_base_pixel();
                let (px, py) = chart.backend_coord(&(t, 0.0));
                let right = t > x0 + (x1 - x0) * 0.7;
                cell.draw(&Text::new(
                    format!(
                        "pays back, {} {}",
                        r.time_unit,
                        crate::report::format::units(t)
                    ),
                    (
                        px - base.0 + if right { -s.px(9.0) } else { s.px(9.0) },
                        py - base.1 + s.px(7.0),
                    ),
                    s.text(12.0).pos(Pos::new(
                        if right { HPos::Right } else { HPos::Left },
                        VPos::Top,
                    )),
                ))?;
            }
            // The headline over the panel, after a swatch in the program's look.
            let base = cell.get_base_pixel();
            let (px, _) = chart.backend_coord(&(x0, y1));
            let x = px - base.0;
            let sw = s.px(style::SWATCH_LINE);
            s.path(
                cell,
                vec![(x, s.px(14.0)), (x + sw, s.px(14.0))],
                p.look,
                3.0,
            )?;
            cell.draw(&Text::new(
                p.label.clone(),
                (x + sw + s.px(8.0), s.px(14.0)),
                s.text(14.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            cell.draw(&Text::new(
                headline,
                (x, s.px(33.0)),
                s.muted(12.5).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}
