//! Which assumption decides a program's verdict: a tornado chart of its
//! extra profit against no program with each assumption at its 5th and 95th
//! percentile (the others as drawn), largest share of the variance on top,
//! zero in red, the mean as a dark line, break-even values written out.
//! Reads `vs_baseline.sensitivity`; drawn only when it is present.

use super::palette::display_name;
use super::style::{self, HouseGrid, INK, Style, ZERO, in_currency, tint};
use super::{DrawResult, Figure};
use crate::report::format::{percent0, signed};
use crate::stats::Results;
use crate::stats::results::{ProgramResult, Sensitivity};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// At most this many assumptions are drawn (the rest explain little).
const MAX_BARS: usize = 10;

/// The tornado chart of one program.
pub struct Tornado<'a> {
    r: &'a Results,
    p: &'a ProgramResult,
    /// File stem, unique among the report's charts.
    name: String,
    colour: RGBColor,
    bars: Vec<&'a Sensitivity>,
}

impl<'a> Tornado<'a> {
    /// `name`: the file stem (`tornado_<program>`); `colour`: the program's.
    pub fn new(r: &'a Results, p: &'a ProgramResult, name: String, colour: RGBColor) -> Self {
        let bars = p
            .vs_baseline
            .as_ref()
            .map(|v| {
                v.sensitivity
                    .iter()
                    .filter(|s| s.profit_at_p05.is_finite() && s.profit_at_p95.is_finite())
                    .take(MAX_BARS)
                    .collect()
            })
            .unwrap_or_default();
        Tornado {
            r,
            p,
            name,
            colour,
            bars,
        }
    }

    /// Whether the program has sensitivity figures.
    /// Not for a program that makes no difference: every bar would be 0.
    pub fn applies(&self) -> bool {
        !self.bars.is_empty()
            && !self
                .p
                .vs_baseline
                .as_ref()
                .is_some_and(|v| v.no_difference())
    }

    fn mean(&self) -> f64 {
        self.p
            .vs_baseline
            .as_ref()
            .and_then(|v| v.metrics.get("profit"))
            .map_or(0.0, |s| s.mean)
    }
}

/// `0.07`, `12`, `1.5`: a key's value without needless digits.
pub fn key_value(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let s = if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

impl Figure for Tornado<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn title(&self) -> String {
        format!(
            "What decides {}: extra profit by assumption",
            display_name(&self.p.name)
        )
    }

    fn size(&self) -> (u32, u32) {
        (960, (190 + 46 * self.bars.len() as u32).max(300))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let r = self.r;
        let split = self
            .p
            .vs_baseline
            .as_ref()
            .and_then(|v| v.variance_split)
            .map_or(String::new(), |v| {
                format!(
                    " Overall {} chance, {} assumptions.",
                    percent0(v.chance),
                    percent0(v.assumptions)
                )
            });
        let area = s.header(
            root,
            &self.title(),
            &format!(
                "One assumption at a time, 5th to 95th percentile, the others as drawn; (%): \
                 share of variance.{split}"
            ),
        )?;
        let area = s.legend_boxes(
            &area,
            &[
                (
                    "Assumption at its 5th percentile".to_string(),
                    tint(self.colour, 0.45),
                ),
                ("at its 95th percentile".to_string(), tint(self.colour, 1.0)),
                ("Mean".to_string(), INK),
            ],
        )?;
        if self.bars.is_empty() {
            return s.empty_note(&area, "No sensitivity figures");
        }
        let mean = self.mean();
        let n = self.bars.len();
        let labels: Vec<String> = self
            .bars
            .iter()
            .map(|b| format!("{} ({})", b.key, percent0(b.variance_share)))
            .collect();
        let name_w = {
            let font = s.text(13.5);
            let mut m = 0;
            for l in &labels {
                m = m.max(area.estimate_text_size(l, &font)?.0);
            }
            m + s.upx(20.0)
        };
        let (x0, x1) = style::range(
            self.bars
                .iter()
                .flat_map(|b| [b.profit_at_p05, b.profit_at_p95])
                .chain([mean]),
            true,
            0.14,
        );
        let span = x1 - x0;
        let fmt = |v: &f64| style::tick_label(*v, span);
        let y = |i: usize| (n - 1 - i) as f64;
        let half = 0.32;
        let mut chart = ChartBuilder::on(&area)
            .margin_top(s.px(6.0))
            .margin_right(s.px(30.0))
            .margin_bottom(s.px(8.0))
            .x_label_area_size(s.upx(56.0))
            .y_label_area_size(name_w)
            .build_cartesian_2d(x0..x1, -0.6..(n as f64 - 0.4))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(8)
            .x_label_formatter(&fmt)
            .x_desc(format!(
                "Extra profit against no program{}",
                in_currency(&r.currency)
            ))
            .house(s)
            .draw()?;
        let base = area.get_base_pixel();
        for (i, b) in self.bars.iter().enumerate() {
            let yc = y(i);
            for (v, f) in [(b.profit_at_p05, 0.45), (b.profit_at_p95, 1.0)] {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(mean.min(v), yc - half), (mean.max(v), yc + half)],
                    tint(self.colour, f).filled(),
                )))?;
            }
            for v in [b.profit_at_p05, b.profit_at_p95] {
                let right = v >= mean;
                chart.draw_series(std::iter::once(Text::new(
                    signed(v),
                    (
                        if right {
                            v + span * 0.006
                        } else {
                            v - span * 0.006
                        },
                        yc,
                    ),
                    s.text(12.0).pos(Pos::new(
                        if right { HPos::Left } else { HPos::Right },
                        VPos::Center,
                    )),
                )))?;
            }
            let (px, py) = chart.backend_coord(&(x0, yc));
            area.draw(&Text::new(
                labels[i].clone(),
                (px - base.0 - s.px(10.0), py - base.1),
                s.text(13.5).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            if let Some(be) = b.break_even {
                chart.draw_series(std::iter::once(Text::new(
                    format!("break-even at {}", key_value(be)),
                    (x1 - span * 0.005, yc + half),
                    s.muted(11.5).pos(Pos::new(HPos::Right, VPos::Bottom)),
                )))?;
            }
        }
        if x0 < 0.0 && x1 > 0.0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.6), (0.0, n as f64 - 0.4)],
                s.line(ZERO, 1.5),
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(mean, -0.6), (mean, n as f64 - 0.4)],
            s.line(INK, 1.5),
        )))?;
        Ok(())
    }
}
