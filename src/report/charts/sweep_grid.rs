//! The sweep over two keys: a heatmap of one value for one program on a
//! diverging scale (blue above zero, red below, white at zero; each side
//! stretched to its own robust limit, so cells that differ look different
//! even when all are on one side of zero), the best cell outlined.

use super::palette::display_name;
use super::style::{self, INK, Style};
use super::sweep::SweepAxis;
use super::{DrawResult, Figure};
use crate::stats::summary::quantile;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A sweep over two keys: one value per (x, y) cell for one program.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepGrid {
    /// File stem.
    pub name: String,
    pub title: String,
    /// The program the values belong to (shown in the subtitle).
    pub program: String,
    /// Columns, left to right.
    pub x: SweepAxis,
    /// Rows, bottom to top.
    pub y: SweepAxis,
    /// What the cell values are, with the currency (colour scale caption).
    pub value_label: String,
    /// `values[row][column]`, i.e. `values[yi][xi]` in axis order; NaN marks
    /// a missing cell.
    pub values: Vec<Vec<f64>>,
    /// The best cell `(xi, yi)`, outlined.
    pub best: Option<(usize, usize)>,
}

impl SweepGrid {
    fn value(&self, yi: usize, xi: usize) -> f64 {
        self.values
            .get(yi)
            .and_then(|row| row.get(xi))
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// Every finite cell value.
    fn finite(&self) -> Vec<f64> {
        self.values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .collect()
    }

    /// The colour scale of this grid.
    pub fn scale(&self) -> Scale {
        Scale::robust(&self.finite())
    }
}

/// A diverging colour scale centred on zero (white), blue above and red
/// below, each side stretched to its own limit. When every value is on one
/// side of zero the scale runs from the smallest to the largest value in
/// that side's colour, light to dark, so differences stay visible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Robust limits: values beyond them take the end colours.
    pub lo: f64,
    pub hi: f64,
}

/// ColorBrewer RdBu (11 classes), from dark red through white to dark blue.
const RDBU: [(u8, u8, u8); 11] = [
    (0x67, 0x00, 0x1f),
    (0xb2, 0x18, 0x2b),
    (0xd6, 0x60, 0x4d),
    (0xf4, 0xa5, 0x82),
    (0xfd, 0xdb, 0xc7),
    (0xf7, 0xf7, 0xf7),
    (0xd1, 0xe5, 0xf0),
    (0x92, 0xc5, 0xde),
    (0x43, 0x93, 0xc3),
    (0x21, 0x66, 0xac),
    (0x05, 0x30, 0x61),
];

/// Lightest shade used for the smallest value of a one-sided scale.
const ONE_SIDED_START: f64 = 0.15;

impl Scale {
    /// Robust limits: when the values lie on both sides of zero, the 5th
    /// percentile of the negative ones and the 95th of the positive ones
    /// (each side of zero stretched to its own range); otherwise the 5th and
    /// 95th percentiles of all. One extreme cell does not wash out the rest.
    pub fn robust(values: &[f64]) -> Scale {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Scale { lo: 0.0, hi: 0.0 };
        }
        v.sort_by(f64::total_cmp);
        let (min, max) = (v[0], v[v.len() - 1]);
        if min < 0.0 && max > 0.0 {
            let neg: Vec<f64> = v.iter().copied().filter(|x| *x < 0.0).collect();
            let pos: Vec<f64> = v.iter().copied().filter(|x| *x > 0.0).collect();
            Scale {
                lo: quantile(&neg, 0.05),
                hi: quantile(&pos, 0.95),
            }
        } else {
            Scale {
                lo: quantile(&v, 0.05),
                hi: quantile(&v, 0.95),
            }
        }
    }

    /// Position on the diverging ramp, -1 (dark red) .. 0 (white) .. 1 (dark
    /// blue). A one-sided scale keeps every value on its side, the smallest
    /// magnitude lightest.
    pub fn t(&self, v: f64) -> f64 {
        if !v.is_finite() {
            return 0.0;
        }
        let (lo, hi) = (self.lo, self.hi);
        let shade = |f: f64| ONE_SIDED_START + (1.0 - ONE_SIDED_START) * f.clamp(0.0, 1.0);
        let t = if lo < 0.0 && hi > 0.0 {
            if v >= 0.0 { v / hi } else { v / -lo }
        } else if lo >= 0.0 {
            if hi > lo {
                shade((v - lo) / (hi - lo))
            } else if hi > 0.0 {
                0.6
            } else {
                0.0
            }
        } else if hi > lo {
            -shade((hi - v) / (hi - lo))
        } else {
            -0.6
        };
        t.clamp(-1.0, 1.0)
    }

    /// The colour of `v`.
    pub fn colour(&self, v: f64) -> RGBColor {
        ramp(self.t(v))
    }

    /// Whether the scale straddles zero (white in the middle).
    pub fn two_sided(&self) -> bool {
        self.lo < 0.0 && self.hi > 0.0
    }
}

/// The RdBu ramp at `t` in [-1, 1].
fn ramp(t: f64) -> RGBColor {
    let x = (t.clamp(-1.0, 1.0) + 1.0) * 5.0;
    let i = (x.floor() as usize).min(9);
    let f = x - i as f64;
    let (a, b) = (RDBU[i], RDBU[i + 1]);
    let m = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Relative luminance (0 black .. 1 white), for choosing the label colour.
fn luminance(c: RGBColor) -> f64 {
    (0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64) / 255.0
}

impl Figure for SweepGrid {
    fn name(&self) -> &str {
        &self.name
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn size(&self) -> (u32, u32) {
        (960, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let scale = self.scale();
        let finite = self.finite();
        let above = finite.iter().all(|v| *v >= 0.0);
        let below = finite.iter().all(|v| *v <= 0.0);
        let how = if !above && !below {
            "Blue: above zero, red: below, white: zero; darker: further from zero"
        } else if above {
            "Every cell is at or above zero; darker blue: more"
        } else {
            "Every cell is at or below zero; darker red: less"
        };
        let area = s.header(
            root,
            &self.title,
            &format!(
                "{}: {}. {how}. Outlined: best.",
                display_name(&self.program),
                self.value_label
            ),
        )?;
        let (nx, ny) = (self.x.labels.len(), self.y.labels.len());
        if nx == 0 || ny == 0 {
            return s.empty_note(&area, "No sweep points to show");
        }
        let (w, _) = area.dim_in_pixel();
        let (plot, bar) = area.split_horizontally(w as i32 - s.px(120.0));
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(s.px(8.0))
            .margin_right(s.px(16.0))
            .margin_top(s.px(8.0))
            .margin_bottom(s.px(8.0))
            .x_label_area_size(s.upx(52.0))
            .y_label_area_size(s.label_width(&self.y.labels) + s.upx(30.0))
            .build_cartesian_2d(-0.5..(nx as f64 - 0.5), -0.5..(ny as f64 - 0.5))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.x.key.as_str())
            .y_desc(self.y.key.as_str())
            .x_labels(0)
            .y_labels(0)
            .axis_desc_style(s.axis())
            .draw()?;
        // Swept values under the columns and left of the rows (at most 20
        // labels per axis; every other one beyond that).
        let base = plot.get_base_pixel();
        let x_step = nx.div_ceil(20).max(1);
        for (xi, v) in self.x.labels.iter().enumerate().step_by(x_step) {
            let (px, py) = chart.backend_coord(&(xi as f64, -0.5));
            plot.draw(&Text::new(
                style::truncate(v, 14),
                (px - base.0, py - base.1 + s.px(8.0)),
                s.tick().pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        let y_step = ny.div_ceil(20).max(1);
        for (yi, v) in self.y.labels.iter().enumerate().step_by(y_step) {
            let (px, py) = chart.backend_coord(&(-0.5, yi as f64));
            plot.draw(&Text::new(
                v.clone(),
                (px - base.0 - s.px(8.0), py - base.1),
                s.tick().pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        let label_cells = nx <= 12 && ny <= 12;
        let span = scale.hi.abs().max(scale.lo.abs());
        for yi in 0..ny {
            for xi in 0..nx {
                let v = self.value(yi, xi);
                let (x, y) = (xi as f64, yi as f64);
                let fill = if v.is_finite() {
                    scale.colour(v)
                } else {
                    RGBColor(235, 235, 235)
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    fill.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    s.line(WHITE, 1.0),
                )))?;
                if label_cells {
                    let text = if v.is_finite() {
                        style::tick_label(v, span)
                    } else {
                        "n/a".to_string()
                    };
                    let colour = if luminance(fill) < 0.5 { WHITE } else { INK };
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
        if let Some((bx, by)) = self.best.filter(|(x, y)| *x < nx && *y < ny) {
            let (x, y) = (bx as f64, by as f64);
            let (a, b) = (
                chart.backend_coord(&(x - 0.5, y + 0.5)),
                chart.backend_coord(&(x + 0.5, y - 0.5)),
            );
            let (a, b) = ((a.0 - base.0, a.1 - base.1), (b.0 - base.0, b.1 - base.1));
            let k = s.px(2.0);
            plot.draw(&Rectangle::new(
                [(a.0 + k, a.1 + k), (b.0 - k, b.1 - k)],
                s.line(INK, 3.5),
            ))?;
            plot.draw(&Rectangle::new(
                [
                    (a.0 + 2 * k + 1, a.1 + 2 * k + 1),
                    (b.0 - 2 * k - 1, b.1 - 2 * k - 1),
                ],
                s.line(WHITE, 1.5),
            ))?;
        }
        colour_bar(&bar, s, &scale)
    }
}

/// The colour scale beside a heatmap, with its limits (a `≥`/`≤` mark
/// where values beyond them are clipped).
fn colour_bar<DB: DrawingBackend>(
    bar: &DrawingArea<DB, Shift>,
    s: &Style,
    scale: &Scale,
) -> DrawResult<DB> {
    let (_, bh) = bar.dim_in_pixel();
    let (top, bottom) = (s.px(24.0), bh as i32 - s.px(70.0));
    let (bx, bw) = (s.px(14.0), s.px(22.0));
    let steps = 60;
    let (lo, hi) = (scale.lo, scale.hi);
    let at = |k: i32| hi - (hi - lo) * k as f64 / (steps - 1) as f64;
    for k in 0..steps {
        let y = top + (bottom - top) * k / steps;
        let y2 = top + (bottom - top) * (k + 1) / steps;
        bar.draw(&Rectangle::new(
            [(bx, y), (bx + bw, y2)],
            scale.colour(at(k)).filled(),
        ))?;
    }
    let span = hi.abs().max(lo.abs()).max(1e-9);
    let mut marks = vec![(format!("≥ {}", style::tick_label(hi, span)), top)];
    if scale.two_sided() {
        let z = top + ((bottom - top) as f64 * hi / (hi - lo)).round() as i32;
        marks.push(("0".to_string(), z));
    }
    marks.push((format!("≤ {}", style::tick_label(lo, span)), bottom));
    for (label, y) in marks {
        bar.draw(&PathElement::new(
            vec![(bx + bw, y), (bx + bw + s.px(4.0), y)],
            s.line(INK, 1.0),
        ))?;
        bar.draw(&Text::new(
            label,
            (bx + bw + s.px(6.0), y),
            s.text(12.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_separates_values_on_one_side_of_zero() {
        // Extra profit of 20,000 ± 500 in every cell: the old scale (± the
        // largest value) gave every cell the same dark blue.
        let v: Vec<f64> = (0..15).map(|i| 19_500.0 + 70.0 * i as f64).collect();
        let sc = Scale::robust(&v);
        assert!(!sc.two_sided());
        let (a, b) = (sc.colour(v[0]), sc.colour(v[14]));
        let dist = (a.0 as i32 - b.0 as i32).abs()
            + (a.1 as i32 - b.1 as i32).abs()
            + (a.2 as i32 - b.2 as i32).abs();
        assert!(dist > 200, "{a:?} vs {b:?}");
        // A cell below the robust limit keeps its side's colour.
        let mut with_low = v.clone();
        with_low.push(15_000.0);
        let sc = Scale::robust(&with_low);
        let c = sc.colour(15_000.0);
        assert!(c.2 > c.0, "still blue: {c:?}");
        assert_eq!(sc.t(15_000.0), ONE_SIDED_START);
        // Below zero: reds, darker for lower values.
        let neg: Vec<f64> = v.iter().map(|x| -x).collect();
        let sc = Scale::robust(&neg);
        assert!(sc.t(-20_480.0) < sc.t(-19_500.0));
        assert!(sc.colour(-19_600.0).0 > sc.colour(-19_600.0).2, "red");
    }

    #[test]
    fn scale_is_white_at_zero_and_clips_outliers() {
        let mut v: Vec<f64> = (-5..=15).map(|i| 100.0 * i as f64).collect();
        v.push(1e7); // one wild cell
        let sc = Scale::robust(&v);
        assert!(sc.two_sided());
        assert_eq!(sc.colour(0.0), RGBColor(0xf7, 0xf7, 0xf7));
        assert!(sc.hi < 1e7, "the outlier does not set the limit");
        assert_eq!(sc.colour(1e7), ramp(1.0));
        // Both sides use their full range.
        assert_eq!(sc.t(sc.hi), 1.0);
        assert_eq!(sc.t(sc.lo), -1.0);
        assert!(sc.colour(sc.hi / 2.0) != sc.colour(sc.hi));
    }

    #[test]
    fn axes() {
        let a = SweepAxis::new(
            "program[Stamp card].stamps.card_size",
            vec!["10".into(), "8".into()],
        );
        assert_eq!(a.ascending(), [1, 0]);
        assert_eq!(a.short(), "card size");
        let c = SweepAxis::new("x", vec!["none".into(), "0.1".into()]);
        assert!(c.numbers.is_none());
        assert_eq!(c.ascending(), [0, 1]);
        assert_eq!(c.position(1), 1.0);
    }
}
