//! How the extra profit against the control varies across replications: one
//! histogram per program on a shared axis, with zero (break-even against no
//! program) marked. Reads `vs_baseline.replication_profit_delta`.

use super::palette::{Palette, display_name, is_control, short_names};
use super::style::{self, HouseGrid, MUTED, Style, ZERO, in_currency, tint};
use super::{DrawResult, Figure};
use crate::report::format::{signed, units};
use crate::stats::Results;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

struct Panel {
    label: String,
    colour: RGBColor,
    deltas: Vec<f64>,
    p_better: f64,
    mean: f64,
}

/// The distribution-of-incremental-profit chart.
pub struct ProfitDistribution<'a> {
    r: &'a Results,
    panels: Vec<Panel>,
}

const PANEL_H: u32 = 130;

impl<'a> ProfitDistribution<'a> {
    pub fn new(r: &'a Results) -> Self {
        let palette = Palette::for_results(r);
        let mut panels: Vec<Panel> = r
            .programs
            .iter()
            .filter(|p| !is_control(p))
            .filter_map(|p| {
                let v = p.vs_baseline.as_ref()?;
                let deltas: Vec<f64> = v
                    .replication_profit_delta
                    .iter()
                    .copied()
                    .filter(|d| d.is_finite())
                    .collect();
                (!deltas.is_empty()).then(|| Panel {
                    label: display_name(&p.name),
                    colour: palette.colour(&p.name),
                    mean: deltas.iter().sum::<f64>() / deltas.len() as f64,
                    deltas,
                    p_better: v.p_better,
                })
            })
            .collect();
        let labels = short_names(
            &panels.iter().map(|p| p.label.as_str()).collect::<Vec<_>>(),
            44,
        );
        for (p, l) in panels.iter_mut().zip(labels) {
            p.label = l;
        }
        ProfitDistribution { r, panels }
    }

    /// Whether any program has per-replication differences to show.
    pub fn applies(&self) -> bool {
        !self.panels.is_empty()
    }
}

impl Figure for ProfitDistribution<'_> {
    fn name(&self) -> &str {
        "profit_distribution"
    }

    fn title(&self) -> String {
        "Extra profit against no program, run by run".to_string()
    }

    fn size(&self) -> (u32, u32) {
        (960, 150 + PANEL_H * self.panels.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let r = self.r;
        let area = s.header(
            root,
            &self.title(),
            &format!(
                "Each bar counts runs (of {}) by the program's profit minus the profit without it, \
                 over {} {}. Red: break-even; grey: mean.",
                r.replications,
                units(r.horizon),
                style::plural(&r.time_unit)
            ),
        )?;
        let (x0, x1) = style::range(
            self.panels.iter().flat_map(|p| p.deltas.iter().copied()),
            true,
            0.04,
        );
        let span = x1 - x0;
        let fmt = |v: &f64| style::tick_label(*v, span);
        let bins = {
            let n = self
                .panels
                .iter()
                .map(|p| p.deltas.len())
                .max()
                .unwrap_or(1);
            ((n as f64).sqrt() * 2.5).round().clamp(10.0, 60.0) as usize
        };
        let width = span / bins as f64;
        let (_, h) = area.dim_in_pixel();
        let axis_h = s.upx(56.0);
        let panel_h = (h.saturating_sub(axis_h)) / self.panels.len().max(1) as u32;
        let label_w = s.upx(64.0);
        let mut rest = area.clone();
        for (k, p) in self.panels.iter().enumerate() {
            let last = k + 1 == self.panels.len();
            let (panel, below) = rest.split_vertically(panel_h + if last { axis_h } else { 0 });
            rest = below;
            let mut counts = vec![0u32; bins];
            for d in &p.deltas {
                let b = (((d - x0) / width).floor().max(0.0) as usize).min(bins - 1);
                counts[b] += 1;
            }
            let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.08;
            let mut chart = ChartBuilder::on(&panel)
                .margin_left(s.px(6.0))
                .margin_right(s.px(28.0))
                .margin_top(s.px(36.0))
                .x_label_area_size(if last { axis_h } else { 0 })
                .y_label_area_size(label_w)
                .build_cartesian_2d(x0..x1, 0.0..top)?;
            let mut mesh = chart.configure_mesh();
            mesh.x_label_formatter(&fmt)
                .y_label_formatter(&|v: &f64| format!("{v:.0}"))
                .y_labels(3)
                .x_labels(8)
                .house(s)
                .y_desc("Runs");
            if last {
                mesh.x_desc(format!(
                    "Profit with the program minus profit without it{}",
                    in_currency(&r.currency)
                ));
            }
            mesh.draw()?;
            chart.draw_series(counts.iter().enumerate().filter(|(_, c)| **c > 0).map(
                |(b, c)| {
                    let a = x0 + b as f64 * width;
                    Rectangle::new(
                        [(a + width * 0.04, 0.0), (a + width * 0.96, *c as f64)],
                        tint(p.colour, 0.85).filled(),
                    )
                },
            ))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, top)],
                s.line(ZERO, 2.0),
            )))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(p.mean, 0.0), (p.mean, top)],
                s.line(MUTED, 1.5),
            )))?;
            let base = panel.get_base_pixel();
            let (px, _) = chart.backend_coord(&(x0, top));
            panel.draw(&Text::new(
                format!(
                    "{} — mean {}, beats no program in {} of runs",
                    p.label,
                    signed(p.mean),
                    crate::report::verdict::share_of_runs(p.p_better)
                ),
                (px - base.0, s.px(12.0)),
                s.text(13.5).pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }
        Ok(())
    }
}
