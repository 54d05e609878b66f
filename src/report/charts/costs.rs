//! What each program costs (discounts, rewards, fixed costs, stacked) beside
//! what it brings in (net revenue against the control, with the 90% range of
//! the paired difference). Horizontal bars, so long program names fit.

use super::palette::{Palette, display_name, is_control};
use super::style::{self, GRID, INK, MUTED, Style, in_currency, tint, truncate};
use super::{DrawResult, Figure};
use crate::report::format::{thousands, units};
use crate::stats::Results;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Shades of a program's colour for the cost parts (discounts, rewards, fixed).
const SHADES: [f64; 3] = [1.0, 0.6, 0.3];
const PARTS: [(&str, &str); 3] = [
    ("discounts", "Discounts"),
    ("reward_cost", "Rewards"),
    ("fixed_cost", "Fixed costs"),
];

struct Row {
    label: String,
    colour: RGBColor,
    parts: [f64; 3],
    /// Mean, p05, p95 of revenue_net minus the control's.
    incremental: Option<(f64, f64, f64)>,
}

/// The cost-breakdown chart.
pub struct Costs<'a> {
    r: &'a Results,
    rows: Vec<Row>,
}

impl<'a> Costs<'a> {
    pub fn new(r: &'a Results) -> Self {
        let palette = Palette::for_results(r);
        let rows = r
            .programs
            .iter()
            .filter(|p| !is_control(p))
            .map(|p| {
                let m = |k: &str| {
                    p.summary
                        .get(k)
                        .map_or(0.0, |s| if s.mean.is_finite() { s.mean } else { 0.0 })
                };
                Row {
                    label: display_name(&p.name),
                    colour: palette.colour(&p.name),
                    parts: [m(PARTS[0].0), m(PARTS[1].0), m(PARTS[2].0)],
                    incremental: p
                        .vs_baseline
                        .as_ref()
                        .and_then(|v| v.metrics.get("revenue_net"))
                        .map(|s| (s.mean, s.p05, s.p95)),
                }
            })
            .collect();
        Costs { r, rows }
    }

    /// Whether there is a program to show.
    pub fn applies(&self) -> bool {
        !self.rows.is_empty()
    }
}

impl Figure for Costs<'_> {
    fn name(&self) -> &str {
        "costs"
    }

    fn title(&self) -> String {
        "What each program costs, and what it brings in".to_string()
    }

    fn size(&self) -> (u32, u32) {
        (960, (190 + 64 * self.rows.len() as u32).max(360))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let r = self.r;
        let horizon = format!("{} {}", units(r.horizon), style::plural(&r.time_unit));
        let area = s.header(
            root,
            &self.title(),
            &format!(
                "Means over {horizon} and {} runs. Cost parts in shades of each program's colour; \
                 whiskers: 90% of runs.",
                r.replications
            ),
        )?;
        let grey = RGBColor(90, 90, 90);
        let legend: Vec<(String, RGBColor)> = PARTS
            .iter()
            .zip(SHADES)
            .map(|((_, label), f)| (label.to_string(), tint(grey, f)))
            .collect();
        let area = s.legend_row(&area, &legend, false)?;
        let n = self.rows.len();
        let with_revenue = self.rows.iter().any(|row| row.incremental.is_some());
        let (w, _) = area.dim_in_pixel();
        let (left, right) = if with_revenue {
            area.split_horizontally((w as f64 * 0.58) as i32)
        } else {
            (area.clone(), area.clone())
        };
        let names: Vec<String> = self
            .rows
            .iter()
            .map(|row| truncate(&row.label, 26))
            .collect();
        let name_w = {
            let font = s.text(13.5);
            let mut m = 0;
            for name in &names {
                m = m.max(area.estimate_text_size(name, &font)?.0);
            }
            m + s.upx(40.0)
        };
        let y = |i: usize| (n - 1 - i) as f64;
        let (y0, y1) = (-0.6, n as f64 - 0.4);
        let half = 0.32;

        // Left: stacked costs.
        let totals: Vec<f64> = self.rows.iter().map(|row| row.parts.iter().sum()).collect();
        let (x0, x1) = style::range(totals.iter().copied(), true, 0.12);
        let span = x1 - x0;
        let fmt = |v: &f64| style::tick_label(*v, span);
        let mut chart = ChartBuilder::on(&left)
            .margin_top(s.px(26.0))
            .margin_right(s.px(24.0))
            .margin_bottom(s.px(8.0))
            .x_label_area_size(s.upx(56.0))
            .y_label_area_size(name_w)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&fmt)
            .x_desc(format!("Program cost{}", in_currency(&r.currency)))
            .label_style(s.tick())
            .axis_desc_style(s.axis())
            .bold_line_style(s.line(GRID, 1.0))
            .light_line_style(TRANSPARENT)
            .axis_style(s.line(RGBColor(150, 150, 150), 1.0))
            .draw()?;
        let base = left.get_base_pixel();
        for (i, row) in self.rows.iter().enumerate() {
            let mut acc = 0.0;
            for (part, f) in row.parts.iter().zip(SHADES) {
                if *part > 0.0 {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(acc, y(i) - half), (acc + part, y(i) + half)],
                        tint(row.colour, f).filled(),
                    )))?;
                    acc += part;
                }
            }
            chart.draw_series(std::iter::once(Text::new(
                thousands(totals[i]),
                (totals[i].max(0.0) + span * 0.01, y(i)),
                s.text(13.0).pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
            // The program name left of the plot, after a swatch in its colour.
            let (px, py) = chart.backend_coord(&(x0, y(i)));
            let (nx, ny) = (px - base.0 - s.px(10.0), py - base.1);
            let font = s.text(13.5);
            let (tw, _) = left.estimate_text_size(&names[i], &font)?;
            left.draw(&Text::new(
                names[i].clone(),
                (nx, ny),
                font.pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            let sx = nx - tw as i32 - s.px(16.0);
            left.draw(&Rectangle::new(
                [(sx, ny - s.px(6.0)), (sx + s.px(10.0), ny + s.px(6.0))],
                row.colour.filled(),
            ))?;
        }
        left.draw(&Text::new(
            "Cost to the business".to_string(),
            (name_w as i32, s.px(4.0)),
            s.text(14.5).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        if !with_revenue {
            return Ok(());
        }

        // Right: incremental net revenue against the control.
        let values = self
            .rows
            .iter()
            .filter_map(|row| row.incremental)
            .flat_map(|(m, a, b)| [m, a, b]);
        let (x0, x1) = style::range(values, true, 0.12);
        let span = x1 - x0;
        let fmt = |v: &f64| style::tick_label(*v, span);
        let mut chart = ChartBuilder::on(&right)
            .margin_top(s.px(26.0))
            .margin_right(s.px(28.0))
            .margin_bottom(s.px(8.0))
            .x_label_area_size(s.upx(56.0))
            .y_label_area_size(s.upx(12.0))
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(5)
            .x_label_formatter(&fmt)
            .x_desc(format!("Extra net revenue{}", in_currency(&r.currency)))
            .label_style(s.tick())
            .axis_desc_style(s.axis())
            .bold_line_style(s.line(GRID, 1.0))
            .light_line_style(TRANSPARENT)
            .axis_style(s.line(RGBColor(150, 150, 150), 1.0))
            .draw()?;
        if x0 < 0.0 && x1 > 0.0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, y0), (0.0, y1)],
                s.line(INK, 1.0),
            )))?;
        }
        for (i, row) in self.rows.iter().enumerate() {
            let Some((m, lo, hi)) = row.incremental else {
                continue;
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y(i) - half), (m, y(i) + half)],
                tint(row.colour, 0.85).filled(),
            )))?;
            let cap = half * 0.45;
            let whisker = s.line(MUTED, 1.5);
            chart.draw_series([
                PathElement::new(vec![(lo, y(i)), (hi, y(i))], whisker),
                PathElement::new(vec![(lo, y(i) - cap), (lo, y(i) + cap)], whisker),
                PathElement::new(vec![(hi, y(i) - cap), (hi, y(i) + cap)], whisker),
            ])?;
            // Label above the bar: inside its length when the bar is long,
            // otherwise starting just clear of the zero line.
            let long = m.abs() > span * 0.25;
            let (lx, anchor) = match (m >= 0.0, long) {
                (true, true) => (m, HPos::Right),
                (true, false) => (span * 0.01, HPos::Left),
                (false, true) => (m, HPos::Left),
                (false, false) => (-span * 0.01, HPos::Right),
            };
            chart.draw_series(std::iter::once(Text::new(
                crate::report::format::signed(m),
                (lx, y(i) + half),
                s.text(12.5).pos(Pos::new(anchor, VPos::Bottom)),
            )))?;
        }
        right.draw(&Text::new(
            "Extra net revenue vs no program".to_string(),
            (s.px(12.0), s.px(4.0)),
            s.text(14.5).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        Ok(())
    }
}
