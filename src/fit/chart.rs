//! The fit chart: repeat transactions per time unit and cumulative, actual
//! against the fitted model, over calibration and holdout, with the
//! calibration end marked (the tracking plots of Fader, Hardie & Lee 2005,
//! figures 3-4). The one module in `fit` that writes files; it draws the same
//! picture to SVG and to PNG with the bundled DejaVu Sans font.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::PeriodRow;
use crate::error::{Error, Result};

const FONT: &str = "sans-serif";
const WIDTH: u32 = 1000;
const HEIGHT: u32 = 820;

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse; failure would only mean
        // text is missing, so it is ignored here rather than aborting.
        let _ = plotters::style::register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        );
    });
}

/// What the chart shows.
pub struct ChartInput<'a> {
    pub rows: &'a [PeriodRow],
    /// Calibration end, time units since the origin.
    pub cal_end: f64,
    /// "week", "day" or "month".
    pub unit: &'a str,
    /// "BG/NBD" or "Pareto/NBD".
    pub model_label: &'a str,
    /// The first date of the data (time 0), for the axis label.
    pub origin: &'a str,
}

fn err<E: std::fmt::Display>(e: E) -> Error {
    Error::other(format!("cannot draw the fit chart: {e}"))
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, c: &ChartInput) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let root = root
        .titled(
            &format!(
                "{} fit: repeat transactions, actual vs model",
                c.model_label
            ),
            (FONT, 26).into_font(),
        )
        .map_err(err)?;
    let (top, bottom) = root.split_vertically((HEIGHT as f64 * 0.47) as u32);
    let x_max = c.rows.last().map(|r| r.end).unwrap_or(1.0).max(1.0);
    let red = RGBColor(200, 40, 40);
    let blue = RGBColor(30, 80, 180);
    let unit_title = {
        let mut s = c.unit.to_string();
        if let Some(f) = s.get_mut(..1) {
            f.make_ascii_uppercase();
        }
        s
    };

    let panels: [(DrawingArea<DB, Shift>, bool); 2] = [(top, false), (bottom, true)];
    for (area, cumulative) in panels {
        let (actual, model): (Vec<(f64, f64)>, Vec<(f64, f64)>) = c
            .rows
            .iter()
            .map(|r| {
                if cumulative {
                    (
                        (r.end, r.cumulative_actual as f64),
                        (r.end, r.cumulative_expected),
                    )
                } else {
                    ((r.end, r.actual as f64), (r.end, r.expected))
                }
            })
            .unzip();
        let (mut actual, mut model) = (actual, model);
        if cumulative {
            actual.insert(0, (0.0, 0.0));
            model.insert(0, (0.0, 0.0));
        }
        let y_max = actual
            .iter()
            .chain(&model)
            .map(|p| p.1)
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.08;
        let caption = if cumulative {
            "Cumulative repeat transactions".to_string()
        } else {
            format!("{unit_title}ly repeat transactions")
        };
        let mut chart = ChartBuilder::on(&area)
            .caption(caption, (FONT, 20).into_font())
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(246, 246, 246))
            .x_desc(format!("{unit_title}s since {}", c.origin))
            .y_desc(if cumulative {
                "transactions (cumulative)"
            } else {
                "transactions"
            })
            .label_style((FONT, 15).into_font())
            .axis_desc_style((FONT, 16).into_font())
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .draw()
            .map_err(err)?;
        // Calibration end.
        chart
            .draw_series(DashedLineSeries::new(
                vec![(c.cal_end, 0.0), (c.cal_end, y_max)],
                8,
                6,
                RGBColor(90, 90, 90).stroke_width(2),
            ))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                " calibration end → holdout",
                (c.cal_end, y_max * 0.97),
                (FONT, 15).into_font().color(&RGBColor(70, 70, 70)),
            )))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(actual, blue.stroke_width(3)))
            .map_err(err)?
            .label("actual")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], blue.stroke_width(3))
            });
        chart
            .draw_series(DashedLineSeries::new(model, 10, 5, red.stroke_width(3)))
            .map_err(err)?
            .label(format!("{} (expected)", c.model_label))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], red.stroke_width(3)));
        chart
            .configure_series_labels()
            .position(if cumulative {
                SeriesLabelPosition::UpperLeft
            } else {
                SeriesLabelPosition::UpperRight
            })
            .margin(14)
            .label_font((FONT, 16).into_font())
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// Draw the chart as SVG to `svg` and as PNG to `png` (the PNG path must end in `.png`).
pub fn write(c: &ChartInput, svg: &Path, png: &Path) -> Result<()> {
    register_font();
    draw(SVGBackend::new(svg, (WIDTH, HEIGHT)).into_drawing_area(), c)?;
    draw(
        BitMapBackend::new(png, (WIDTH, HEIGHT)).into_drawing_area(),
        c,
    )?;
    Ok(())
}
