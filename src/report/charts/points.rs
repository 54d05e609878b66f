//! Points programs: the liability of outstanding points over time (what
//! redeeming them all would cost, with its 90% band), beside where the issued
//! points went by the horizon — redeemed, expired, forfeited by customers who
//! left, or still outstanding. Expired + forfeited is the breakage.

use super::palette::{Palette, display_name, is_control, short_names};
use super::style::{HouseGrid, Style, in_currency, plural, tint};
use super::{DrawResult, Figure, time_bands};
use crate::report::format::percent0;
use crate::stats::Results;
use crate::stats::results::ProgramResult;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const FLOWS: [(&str, &str, f64); 4] = [
    ("points_redeemed", "Redeemed", 1.0),
    ("points_expired", "Expired", 0.55),
    ("points_forfeited", "Forfeited", 0.3),
    ("points_outstanding", "Outstanding", 0.12),
];

/// Whether a program hands out points (built-in or scripted).
pub fn has_points(p: &ProgramResult) -> bool {
    !is_control(p)
        && (p.mechanisms.iter().any(|m| m == "points")
            || p.summary.get("points_issued").is_some_and(|s| s.mean > 0.0))
}

/// The points-liability chart.
pub struct PointsLiability<'a> {
    r: &'a Results,
}

impl<'a> PointsLiability<'a> {
    pub fn new(r: &'a Results) -> Self {
        PointsLiability { r }
    }

    /// Whether any program hands out points.
    pub fn applies(&self) -> bool {
        self.r.programs.iter().any(has_points)
    }
}

impl Figure for PointsLiability<'_> {
    fn name(&self) -> &str {
        "points"
    }

    fn title(&self) -> String {
        "Points: liability and breakage".to_string()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let r = self.r;
        let area = s.header(
            root,
            &self.title(),
            "Left: cost of redeeming all outstanding points (shaded: 90% of runs). \
             Right: where the issued points went.",
        )?;
        let (w, _) = area.dim_in_pixel();
        let (left, right) = area.split_horizontally((w as f64 * 0.5) as i32);
        let series = time_bands::from_results(r, "liability", Some(0.0), has_points);
        time_bands::draw(
            &left,
            s,
            &series,
            &format!("Time ({})", plural(&r.time_unit)),
            &format!("Points liability{}", in_currency(&r.currency)),
            true,
            usize::MAX,
        )?;

        // Right: shares of issued points, one bar per points program.
        let palette = Palette::for_results(r);
        let rows: Vec<(&ProgramResult, [f64; 4])> = r
            .programs
            .iter()
            .filter(|p| has_points(p))
            .map(|p| {
                let v = |k: &str| p.summary.get(k).map_or(0.0, |s| s.mean.max(0.0));
                let flows = FLOWS.map(|(k, _, _)| v(k));
                let total: f64 = flows.iter().sum();
                (p, flows.map(|f| if total > 0.0 { f / total } else { 0.0 }))
            })
            .collect();
        let grey = RGBColor(90, 90, 90);
        let legend: Vec<(String, RGBColor)> = FLOWS
            .iter()
            .map(|(_, label, f)| (label.to_string(), tint(grey, *f)))
            .collect();
        let right = s.legend_boxes(&right, &legend)?;
        // At least three slots, so a single program gets a bar, not a wall.
        let n = rows.len().max(3);
        let y = |i: usize| (n - 1 - i) as f64;
        let mut chart = ChartBuilder::on(&right)
            .margin_top(s.px(8.0))
            .margin_right(s.px(36.0))
            .margin_bottom(s.px(8.0))
            .x_label_area_size(s.upx(56.0))
            .y_label_area_size(s.upx(8.0))
            .build_cartesian_2d(0.0..1.0, -0.6..(n as f64 - 0.4))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&|v: &f64| percent0(*v))
            .x_desc("Share of points issued")
            .house(s)
            .draw()?;
        let half = 0.18;
        let names = short_names(
            &rows
                .iter()
                .map(|(p, _)| display_name(&p.name))
                .collect::<Vec<_>>(),
            30,
        );
        for (i, (p, shares)) in rows.iter().enumerate() {
            let colour = palette.colour(&p.name);
            let mut acc = 0.0;
            for (share, (_, _, f)) in shares.iter().zip(FLOWS) {
                if *share > 0.0 {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(acc, y(i) - half), (acc + share, y(i) + half)],
                        tint(colour, f).filled(),
                    )))?;
                    acc += share;
                }
            }
            let breakage = p.summary.get("breakage_rate").map_or(f64::NAN, |s| s.mean);
            chart.draw_series(std::iter::once(Text::new(
                format!(
                    "{} — breakage {}",
                    names[i],
                    if breakage.is_finite() {
                        percent0(breakage)
                    } else {
                        "n/a".to_string()
                    }
                ),
                (0.0, y(i) + half + 0.04),
                s.text(13.0).pos(Pos::new(HPos::Left, VPos::Bottom)),
            )))?;
            // The shares in words, two per line, under the bar.
            let words: Vec<String> = FLOWS
                .iter()
                .zip(shares)
                .map(|((_, label, _), share)| format!("{label} {}", percent0(*share)))
                .collect();
            for (k, pair) in words.chunks(2).enumerate() {
                let (_, py) = chart.backend_coord(&(0.0, y(i) - half));
                let (px, _) = chart.backend_coord(&(0.0, 0.0));
                let base = right.get_base_pixel();
                right.draw(&Text::new(
                    pair.join(" · "),
                    (px - base.0, py - base.1 + s.px(4.0 + 17.0 * k as f64)),
                    s.muted(12.0).pos(Pos::new(HPos::Left, VPos::Top)),
                ))?;
            }
        }
        Ok(())
    }
}
