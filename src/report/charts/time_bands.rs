//! The "one line per program over time, with its 90% band" layout of the
//! points-liability chart.

use super::DrawResult;
use super::palette::{Look, Palette, display_name, is_control};
use super::style::{self, HouseGrid, Style, tint};
use crate::stats::Results;
use crate::stats::summary::Band;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One program's series over time.
pub struct BandSeries {
    pub label: String,
    pub look: Look,
    /// Whether this is the no-program control.
    pub control: bool,
    /// (time, band) in time order.
    pub points: Vec<(f64, Band)>,
}

/// Pick `series` of every program in `r` that `keep` accepts, control first
/// drawn underneath. `origin`: a value at time 0 to start every line from.
pub fn from_results(
    r: &Results,
    series: &str,
    origin: Option<f64>,
    keep: impl Fn(&crate::stats::results::ProgramResult) -> bool,
) -> Vec<BandSeries> {
    let palette = Palette::for_results(r);
    let mut out: Vec<(bool, BandSeries)> = r
        .programs
        .iter()
        .filter(|p| keep(p))
        .map(|p| {
            let mut points: Vec<(f64, Band)> = Vec::new();
            if let Some(v) = origin {
                let b = Band {
                    mean: v,
                    p05: v,
                    p95: v,
                };
                points.push((0.0, b));
            }
            points.extend(
                p.periods
                    .iter()
                    .filter_map(|per| per.series.get(series).map(|b| (per.end, *b)))
                    .filter(|(t, b)| {
                        t.is_finite()
                            && b.mean.is_finite()
                            && b.p05.is_finite()
                            && b.p95.is_finite()
                    }),
            );
            let b = BandSeries {
                label: display_name(&p.name),
                look: palette.look(&p.name),
                control: is_control(p),
                points,
            };
            (is_control(p), b)
        })
        .collect();
    // The control first, so it is drawn underneath the programs (stable sort).
    out.sort_by_key(|(control, _)| !control);
    out.into_iter().map(|(_, b)| b).collect()
}

/// Draw lines with shaded bands. `x_desc`/`y_desc` name the axes (with
/// units). With more than `max_bands` series only the control keeps its band
/// (overlapping bands turn to mud).
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &Style,
    series: &[BandSeries],
    x_desc: &str,
    y_desc: &str,
    include_zero: bool,
    max_bands: usize,
) -> DrawResult<DB> {
    let area = s.legend_lines(
        area,
        &series
            .iter()
            .map(|b| (b.label.clone(), b.look))
            .collect::<Vec<_>>(),
    )?;
    if series.iter().all(|b| b.points.is_empty()) {
        return s.empty_note(&area, "No periods to show");
    }
    let (x0, x1) = style::range(
        series.iter().flat_map(|b| b.points.iter().map(|(t, _)| *t)),
        false,
        0.0,
    );
    let crowded = series.len() > max_bands;
    let banded = |b: &BandSeries| !crowded || b.control;
    let (y0, y1) = style::range(
        series.iter().flat_map(|b| {
            let band = banded(b);
            b.points.iter().flat_map(move |(_, v)| {
                if band {
                    [v.p05, v.p95, v.mean]
                } else {
                    [v.mean; 3]
                }
            })
        }),
        include_zero,
        0.05,
    );
    let y_span = y1 - y0;
    let x_span = x1 - x0;
    let y_fmt = |v: &f64| style::tick_label(*v, y_span);
    let x_fmt = |v: &f64| style::tick_label(*v, x_span.max(20.0));
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
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .house(s)
        .x_labels(12)
        .y_labels(8)
        .draw()?;
    s.zero_line(&mut chart, (x0, x1), (y0, y1))?;
    for b in series {
        if b.points.len() < 2 || !banded(b) {
            continue;
        }
        let mut poly: Vec<(f64, f64)> = b.points.iter().map(|(t, v)| (*t, v.p95)).collect();
        poly.extend(b.points.iter().rev().map(|(t, v)| (*t, v.p05)));
        chart.draw_series(std::iter::once(Polygon::new(
            poly,
            tint(b.look.colour, 0.22).mix(0.55).filled(),
        )))?;
    }
    for b in series {
        let line: Vec<(f64, f64)> = b.points.iter().map(|(t, v)| (*t, v.mean)).collect();
        s.series(&mut chart, &line, b.look, 2.5)?;
        if line.len() == 1 {
            chart.draw_series(
                line.iter()
                    .map(|p| Circle::new(*p, s.upx(4.0), b.look.colour.filled())),
            )?;
        }
    }
    Ok(())
}
