//! Where each program's extra profit comes from: the extra gross margin it
//! earns (gross margin × extra sales, against no program on the same
//! customers) to the right of zero, what it costs (discounts, rewards, fixed
//! costs, stacked) to the left, and the net — the extra profit — as a black
//! mark with its 90% range across runs. Margin minus costs equals the net
//! exactly (profit = margin × gross sales − program cost). Horizontal bars,
//! so long program names fit.

use super::palette::{Palette, compared};
use super::style::{self, HouseGrid, INK, Style, ZERO, in_currency, tint};
use super::{DrawResult, Figure};
use crate::report::format::{signed, thousands, units};
use crate::stats::Results;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Cost parts: paired-difference metric, legend label, grey shade.
const PARTS: [(&str, &str, f64); 3] = [
    ("discounts", "Discounts", 1.0),
    ("reward_cost", "Rewards", 0.62),
    ("fixed_cost", "Fixed costs", 0.34),
];
const COST_GREY: RGBColor = RGBColor(85, 88, 92);

/// One program's breakdown (means of paired differences over the horizon).
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    pub label: String,
    pub colour: RGBColor,
    /// Extra discounts, rewards and fixed costs (program cost against none).
    pub costs: [f64; 3],
    /// Extra profit: mean, p05, p95.
    pub net: (f64, f64, f64),
}

impl Breakdown {
    /// Extra gross margin: net plus costs (= gross margin × extra gross sales).
    pub fn margin(&self) -> f64 {
        self.net.0 + self.costs.iter().sum::<f64>()
    }
}

/// The margin-against-costs chart.
pub struct Costs<'a> {
    r: &'a Results,
    rows: Vec<Breakdown>,
}

impl<'a> Costs<'a> {
    pub fn new(r: &'a Results) -> Self {
        let palette = Palette::for_results(r);
        let rows = compared(r, 28)
            .into_iter()
            .filter_map(|(p, label)| {
                let v = p.vs_baseline.as_ref()?;
                let m = |k: &str| {
                    v.metrics
                        .get(k)
                        .map_or(0.0, |s| if s.mean.is_finite() { s.mean } else { 0.0 })
                };
                let profit = v.metrics.get("profit")?;
                Some(Breakdown {
                    label,
                    colour: palette.colour(&p.name),
                    costs: PARTS.map(|(k, _, _)| m(k)),
                    net: (profit.mean, profit.p05, profit.p95),
                })
            })
            .collect();
        Costs { r, rows }
    }

    /// The rows drawn, top to bottom.
    pub fn rows(&self) -> &[Breakdown] {
        &self.rows
    }

    /// Whether there is a program compared with no program.
    pub fn applies(&self) -> bool {
        !self.rows.is_empty()
    }
}

impl Figure for Costs<'_> {
    fn name(&self) -> &str {
        "costs"
    }

    fn title(&self) -> String {
        "Where the extra profit comes from: extra margin against program costs".to_string()
    }

    fn size(&self) -> (u32, u32) {
        (960, (196 + 72 * self.rows.len() as u32).max(330))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let r = self.r;
        let horizon = format!("{} {}", units(r.horizon), style::plural(&r.time_unit));
        let area = s.header(
            root,
            &self.title(),
            &format!(
                "Means over {horizon} and {} runs. Black mark: extra profit (margin minus \
                 costs); whisker: 90% of runs.",
                r.replications
            ),
        )?;
        let mut legend: Vec<(String, RGBColor)> = vec![(
            format!(
                "Extra gross margin ({} of extra sales)",
                crate::report::format::percent0(r.gross_margin)
            ),
            tint(RGBColor(78, 121, 167), 0.8),
        )];
        legend.extend(
            PARTS
                .iter()
                .map(|(_, label, f)| (label.to_string(), tint(COST_GREY, *f))),
        );
        let area = s.legend_boxes(&area, &legend)?;
        if self.rows.is_empty() {
            return s.empty_note(&area, "No program compared with no program");
        }
        let n = self.rows.len();
        let name_w = {
            let font = s.text(13.5);
            let mut m = 0;
            for row in &self.rows {
                m = m.max(area.estimate_text_size(&row.label, &font)?.0);
            }
            m + s.upx(36.0)
        };
        let y = |i: usize| (n - 1 - i) as f64;
        let (y0, y1) = (-0.6, n as f64 - 0.4);
        let half = 0.3;
        let values = self.rows.iter().flat_map(|row| {
            let cost: f64 = row.costs.iter().map(|c| c.max(0.0)).sum();
            let m = row.margin();
            [m, -cost, -cost + m.min(0.0), row.net.1, row.net.2]
        });
        let (x0, x1) = style::range(values, true, 0.1);
        let span = x1 - x0;
        let fmt = |v: &f64| style::tick_label(*v, span);
        let mut chart = ChartBuilder::on(&area)
            .margin_top(s.px(10.0))
            .margin_right(s.px(30.0))
            .margin_bottom(s.px(8.0))
            .x_label_area_size(s.upx(56.0))
            .y_label_area_size(name_w)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(9)
            .x_label_formatter(&fmt)
            .x_desc(format!(
                "Against no program, over {horizon}{}",
                in_currency(&r.currency)
            ))
            .house(s)
            .draw()?;
        let base = area.get_base_pixel();
        for (i, row) in self.rows.iter().enumerate() {
            let yc = y(i);
            let margin = row.margin();
            // Costs stack leftwards from zero; a margin below zero continues them.
            let mut acc = 0.0;
            for (part, (_, _, f)) in row.costs.iter().zip(PARTS) {
                if *part > 0.0 {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(acc - part, yc - half), (acc, yc + half)],
                        tint(COST_GREY, f).filled(),
                    )))?;
                    acc -= part;
                }
            }
            let cost_end = acc;
            let (m0, m1) = if margin >= 0.0 {
                (0.0, margin)
            } else {
                (acc + margin, acc)
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(m0, yc - half), (m1, yc + half)],
                tint(row.colour, 0.8).filled(),
            )))?;
            // Amounts at the bar ends.
            if margin > 0.0 {
                chart.draw_series(std::iter::once(Text::new(
                    signed(margin),
                    (margin + span * 0.006, yc),
                    s.text(12.0).pos(Pos::new(HPos::Left, VPos::Center)),
                )))?;
            }
            if cost_end < 0.0 {
                chart.draw_series(std::iter::once(Text::new(
                    format!("−{}", thousands(-cost_end)),
                    (cost_end.min(m0) - span * 0.006, yc),
                    s.text(12.0).pos(Pos::new(HPos::Right, VPos::Center)),
                )))?;
            }
            // Net: whisker over 90% of runs and a bold mark at the mean.
            let (net, lo, hi) = row.net;
            let cap = half * 0.5;
            let whisker = s.line(INK, 1.5);
            chart.draw_series([
                PathElement::new(vec![(lo, yc), (hi, yc)], whisker),
                PathElement::new(vec![(lo, yc - cap), (lo, yc + cap)], whisker),
                PathElement::new(vec![(hi, yc - cap), (hi, yc + cap)], whisker),
            ])?;
            let (nx, ny) = chart.backend_coord(&(net, yc));
            let (nx, ny) = (nx - base.0, ny - base.1);
            let d = s.px(7.0);
            area.draw(&Polygon::new(
                vec![(nx, ny - d), (nx + d, ny), (nx, ny + d), (nx - d, ny)],
                INK.filled(),
            ))?;
            // The net in words under the bar.
            chart.draw_series(std::iter::once(Text::new(
                format!("extra profit {}", signed(net)),
                (net, yc - half),
                s.text(12.5).pos(Pos::new(HPos::Center, VPos::Top)),
            )))?;
            // The program name left of the plot, after a swatch in its colour.
            let (px, py) = chart.backend_coord(&(x0, yc));
            let (lx, ly) = (px - base.0 - s.px(10.0), py - base.1);
            let font = s.text(13.5);
            let (tw, _) = area.estimate_text_size(&row.label, &font)?;
            area.draw(&Text::new(
                row.label.clone(),
                (lx, ly),
                font.pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            let sx = lx - tw as i32 - s.px(16.0);
            area.draw(&Rectangle::new(
                [(sx, ly - s.px(6.0)), (sx + s.px(10.0), ly + s.px(6.0))],
                row.colour.filled(),
            ))?;
        }
        if x0 < 0.0 && x1 > 0.0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, y0), (0.0, y1)],
                s.line(ZERO, 1.0),
            )))?;
        }
        Ok(())
    }
}
