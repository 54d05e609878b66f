//! `loyalsim fit`'s chart: repeat transactions per time unit and cumulative,
//! actual against the fitted model, over calibration and holdout, with the
//! calibration end marked (the tracking plots of Fader, Hardie & Lee 2005,
//! figures 3-4).

use super::style::{self, HouseGrid, Style};
use super::{DrawResult, Figure};
use crate::fit::PeriodRow;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

const ACTUAL: RGBColor = RGBColor(30, 80, 180);
const MODEL: RGBColor = RGBColor(200, 40, 40);
const MARK: RGBColor = RGBColor(90, 90, 90);

/// A line's (time, value) points.
type Line = Vec<(f64, f64)>;

/// The fit chart.
pub struct FitTracking<'a> {
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

impl Figure for FitTracking<'_> {
    fn name(&self) -> &str {
        "fit"
    }

    fn title(&self) -> String {
        format!(
            "{} fit: repeat transactions, actual vs model",
            self.model_label
        )
    }

    fn size(&self) -> (u32, u32) {
        (1000, 820)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let subtitle = if self.has_holdout() {
            "Blue: what the customers did. Red, dashed: what the fitted model expects. \
             Right of the dashed grey line: the holdout the model did not see."
        } else {
            "Blue: what the customers did. Red, dashed: what the fitted model expects."
        };
        let area = s.header(root, &self.title(), subtitle)?;
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically((h as f64 * 0.5) as i32);
        self.panel(&top, s, false)?;
        self.panel(&bottom, s, true)
    }
}

impl FitTracking<'_> {
    /// Whether some periods lie after the calibration end.
    fn has_holdout(&self) -> bool {
        self.rows.iter().any(|r| !r.calibration)
    }

    /// "Week" for "week".
    fn unit_title(&self) -> String {
        let mut u = self.unit.to_string();
        if let Some(f) = u.get_mut(..1) {
            f.make_ascii_uppercase();
        }
        u
    }

    /// (actual, expected) points per period, or cumulative from (0, 0).
    fn lines(&self, cumulative: bool) -> (Line, Line) {
        let mut actual = Vec::with_capacity(self.rows.len() + 1);
        let mut model = Vec::with_capacity(self.rows.len() + 1);
        if cumulative {
            actual.push((0.0, 0.0));
            model.push((0.0, 0.0));
        }
        for r in self.rows.iter().filter(|r| r.end.is_finite()) {
            if cumulative {
                actual.push((r.end, r.cumulative_actual as f64));
                model.push((r.end, r.cumulative_expected));
            } else {
                actual.push((r.end, r.actual as f64));
                model.push((r.end, r.expected));
            }
        }
        (actual, model)
    }

    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: &Style,
        cumulative: bool,
    ) -> DrawResult<DB> {
        let (actual, model) = self.lines(cumulative);
        let x_max = self
            .rows
            .last()
            .map(|r| r.end)
            .filter(|e| e.is_finite())
            .unwrap_or(1.0)
            .max(1.0);
        let (_, y_max) = style::range(
            actual.iter().chain(&model).map(|p| p.1).chain([1.0]),
            true,
            0.08,
        );
        let unit = self.unit_title();
        let caption = if cumulative {
            "Cumulative repeat transactions".to_string()
        } else {
            format!("{unit}ly repeat transactions")
        };
        let y_fmt = |v: &f64| style::tick_label(*v, y_max);
        let x_fmt = |v: &f64| style::tick_label(*v, x_max.max(20.0));
        let mut chart = ChartBuilder::on(area)
            .caption(caption, s.text(15.0))
            .margin(s.px(12.0))
            .x_label_area_size(s.upx(44.0))
            .y_label_area_size(s.label_width(&style::sample_labels(0.0, y_max)) + s.upx(30.0))
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
        chart
            .configure_mesh()
            .x_desc(format!("{unit}s since {}", self.origin))
            .y_desc(if cumulative {
                "transactions (cumulative)"
            } else {
                "transactions"
            })
            .house(s)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .draw()?;
        if self.has_holdout() {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(self.cal_end, 0.0), (self.cal_end, y_max)],
                s.px(8.0),
                s.px(6.0),
                s.line(MARK, 2.0),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                " calibration end → holdout",
                (self.cal_end, y_max * 0.97),
                s.muted(12.0),
            )))?;
        }
        let (a_style, m_style) = (s.line(ACTUAL, 3.0), s.line(MODEL, 3.0));
        let swatch = s.px(24.0);
        chart
            .draw_series(LineSeries::new(actual, a_style))?
            .label("actual")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + swatch, y)], a_style));
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                model,
                s.px(10.0),
                s.px(5.0),
                m_style,
            )))?
            .label(format!("{} (expected)", self.model_label))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + swatch, y)], m_style));
        chart
            .configure_series_labels()
            .position(if cumulative {
                SeriesLabelPosition::UpperLeft
            } else {
                SeriesLabelPosition::UpperRight
            })
            .margin(s.px(14.0))
            .legend_area_size(s.upx(34.0))
            .label_font(s.legend())
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(180, 180, 180))
            .draw()?;
        Ok(())
    }
}
