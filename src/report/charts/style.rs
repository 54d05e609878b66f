//! The look shared by every chart: text sizes, line widths, greys, axis
//! number formats, and range helpers that keep plotters away from empty,
//! inverted or non-finite ranges.

use super::palette::{Look, short_names};
use crate::report::format::thousands;
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Text colour.
pub const INK: RGBColor = RGBColor(33, 37, 41);
/// Secondary text (subtitles, notes).
pub const MUTED: RGBColor = RGBColor(96, 102, 110);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(226, 229, 233);
/// plotters' font size per CSS pixel of em.
const EM: f64 = 1.24;

/// Axis lines.
pub const AXIS: RGBColor = RGBColor(150, 150, 150);

/// The zero / break-even line.
pub const ZERO: RGBColor = RGBColor(200, 30, 30);

/// The house look of a chart's axes, chained into plotters' mesh builder
/// (`chart.configure_mesh().x_labels(8).house(s).draw()`): tick and
/// axis-title text, grid lines at the labelled ticks only, a grey axis
/// line. Ticks, titles and number formats stay with each chart.
pub trait HouseGrid {
    fn house(&mut self, s: &Style) -> &mut Self;
}

impl<X: Ranged, Y: Ranged, DB: DrawingBackend> HouseGrid for MeshStyle<'_, '_, X, Y, DB> {
    fn house(&mut self, s: &Style) -> &mut Self {
        self.label_style(s.tick())
            .axis_desc_style(s.axis())
            .bold_line_style(s.line(GRID, 1.0))
            .light_line_style(TRANSPARENT)
            .axis_style(s.line(AXIS, 1.0))
    }
}

/// Sizes for one rendering: every length is multiplied by `scale`, so the
/// same drawing code makes the SVG (scale 1) and a sharper PNG (scale 2).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub scale: f64,
}

impl Style {
    pub fn new(scale: f64) -> Self {
        Style { scale }
    }

    /// A length in backend pixels.
    pub fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    /// A length in backend pixels, unsigned (label areas, widths).
    pub fn upx(&self, v: f64) -> u32 {
        (v * self.scale).round().max(0.0) as u32
    }

    /// Body text with an em of `size` CSS pixels. (plotters' "size" is the
    /// font's full height, about 1.24 em: the SVG backend writes
    /// `font-size = size / 1.24`.)
    pub fn text(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * EM * self.scale)
            .into_font()
            .color(&INK)
    }

    /// Muted text with an em of `size` CSS pixels.
    pub fn muted(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", size * EM * self.scale)
            .into_font()
            .color(&MUTED)
    }

    /// Tick labels.
    pub fn tick(&self) -> TextStyle<'static> {
        self.text(13.0)
    }

    /// Axis descriptions.
    pub fn axis(&self) -> TextStyle<'static> {
        self.text(14.0)
    }

    /// Legend entries.
    pub fn legend(&self) -> TextStyle<'static> {
        self.text(13.5)
    }

    /// A line of `width` CSS pixels.
    pub fn line(&self, c: RGBColor, width: f64) -> ShapeStyle {
        c.stroke_width(self.upx(width).max(1))
    }

    /// Draw the title and a one-line subtitle; return the area below them.
    pub fn header<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        title: &str,
        subtitle: &str,
    ) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
        let left = self.px(16.0);
        let room = root.dim_in_pixel().0.saturating_sub(2 * left as u32);
        let size = self.fit(root, title, 18.0, room)?;
        root.draw(&Text::new(
            title.to_string(),
            (left, self.px(12.0)),
            self.text(size).pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
        let mut top = 46.0;
        if !subtitle.is_empty() {
            let size = self.fit(root, subtitle, 13.0, room)?;
            root.draw(&Text::new(
                subtitle.to_string(),
                (left, self.px(42.0)),
                self.muted(size).pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
            top = 70.0;
        }
        Ok(root.split_vertically(self.px(top)).1)
    }

    /// The text size (CSS pixels, at most `size`) at which `text` fits in
    /// `room` backend pixels, so a long title or program name shrinks rather
    /// than runs off the chart.
    fn fit<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        text: &str,
        size: f64,
        room: u32,
    ) -> Result<f64, DrawingAreaErrorKind<DB::ErrorType>> {
        let (w, _) = area.estimate_text_size(text, &self.text(size))?;
        Ok(if w > room && w > 0 {
            size * room as f64 / w as f64
        } else {
            size
        })
    }

    /// A legend row (wrapping) of line swatches, each in its series' look.
    /// Labels are shortened only as far as they stay distinct. Returns the
    /// area below the legend.
    pub fn legend_lines<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        items: &[(String, Look)],
    ) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
        let items: Vec<(String, Swatch)> = items
            .iter()
            .map(|(l, look)| (l.clone(), Swatch::Line(*look)))
            .collect();
        self.legend_items(area, &items)
    }

    /// A legend row (wrapping) of filled boxes. Returns the area below it.
    pub fn legend_boxes<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        items: &[(String, RGBColor)],
    ) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
        let items: Vec<(String, Swatch)> = items
            .iter()
            .map(|(l, c)| (l.clone(), Swatch::Box(*c)))
            .collect();
        self.legend_items(area, &items)
    }

    fn legend_items<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        items: &[(String, Swatch)],
    ) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
        if items.is_empty() {
            return Ok(area.clone());
        }
        let (w, _) = area.dim_in_pixel();
        let font = self.legend();
        let labels = short_names(
            &items.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
            48,
        );
        let (left, row_h, gap) = (self.px(16.0), self.px(22.0), self.px(22.0));
        let (mut x, mut y) = (left, self.px(4.0));
        for ((_, swatch), label) in items.iter().zip(labels) {
            let sw = match swatch {
                // Long enough to show two repeats of the longest dash.
                Swatch::Line(_) => self.px(SWATCH_LINE),
                Swatch::Box(_) => self.px(18.0),
            };
            let (tw, _) = area.estimate_text_size(&label, &font)?;
            let item_w = sw + self.px(6.0) + tw as i32;
            if x > left && x + item_w > w as i32 - left {
                x = left;
                y += row_h;
            }
            let cy = y + row_h / 2;
            match swatch {
                Swatch::Line(look) => {
                    self.path(area, vec![(x, cy), (x + sw, cy)], *look, 3.0)?;
                }
                Swatch::Box(c) => {
                    let h = self.px(6.0);
                    area.draw(&Rectangle::new([(x, cy - h), (x + sw, cy + h)], c.filled()))?;
                }
            }
            area.draw(&Text::new(
                label,
                (x + sw + self.px(6.0), cy),
                font.pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += item_w + gap;
        }
        Ok(area.split_vertically(y + row_h + self.px(6.0)).1)
    }

    /// Stroke `points` (pixels of `area`) in `look`, `width` CSS pixels wide.
    pub fn path<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        points: Vec<(i32, i32)>,
        look: Look,
        width: f64,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let style = self.line(look.colour, width);
        match look.dash.pattern() {
            None => area.draw(&PathElement::new(points, style)),
            Some((on, off)) => area.draw(&DashedPathElement::new(
                points,
                self.px(on),
                self.px(off),
                style,
            )),
        }
    }

    /// The break-even line at zero, when the y range crosses it.
    pub fn zero_line<DB: DrawingBackend>(
        &self,
        chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        (x0, x1): (f64, f64),
        (y0, y1): (f64, f64),
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        if y0 < 0.0 && y1 > 0.0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x0, 0.0), (x1, 0.0)],
                self.line(ZERO, 1.0),
            )))?;
        }
        Ok(())
    }

    /// Draw a program's line through `points` (data coordinates) in its look.
    pub fn series<DB: DrawingBackend>(
        &self,
        chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
        points: &[(f64, f64)],
        look: Look,
        width: f64,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let style = self.line(look.colour, width);
        match look.dash.pattern() {
            None => {
                chart.draw_series(LineSeries::new(points.to_vec(), style))?;
            }
            Some((on, off)) => {
                chart.draw_series(std::iter::once(DashedPathElement::new(
                    points.to_vec(),
                    self.px(on),
                    self.px(off),
                    style,
                )))?;
            }
        }
        Ok(())
    }

    /// A centred note in an otherwise empty area.
    pub fn empty_note<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        note: &str,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let (w, h) = area.dim_in_pixel();
        area.draw(&Text::new(
            note.to_string(),
            (w as i32 / 2, h as i32 / 2),
            self.muted(15.0).pos(Pos::new(HPos::Center, VPos::Center)),
        ))
    }

    /// Width in CSS pixels (unscaled) reserved for y tick labels like `labels`.
    pub fn label_width(&self, labels: &[String]) -> u32 {
        let chars = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
        self.upx(14.0 + chars as f64 * 9.0)
    }
}

/// Length of a line swatch in a legend, in CSS pixels.
pub const SWATCH_LINE: f64 = 30.0;

/// What a legend entry shows.
enum Swatch {
    Line(Look),
    Box(RGBColor),
}

/// Mix `c` with white: `f` = 1 gives `c`, 0 gives white.
pub fn tint(c: RGBColor, f: f64) -> RGBColor {
    let m = |v: u8| (v as f64 * f + 255.0 * (1.0 - f)).round().clamp(0.0, 255.0) as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// `#rrggbb` for HTML.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A finite, non-empty range covering `values` (non-finite values ignored),
/// padded by `pad` of its width on both ends; `include_zero` stretches it to 0.
pub fn range(values: impl IntoIterator<Item = f64>, include_zero: bool, pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values
        .into_iter()
        .filter(|v| v.is_finite() && v.abs() < 1e15)
    {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    let width = hi - lo;
    if width < 1e-9 {
        let d = (lo.abs() * 0.1).max(1.0);
        return (lo - d, hi + d);
    }
    let (mut a, mut b) = (lo - width * pad, hi + width * pad);
    // Do not pad across zero: a range starting at 0 stays at 0.
    if lo >= 0.0 && a < 0.0 {
        a = 0.0;
    }
    if hi <= 0.0 && b > 0.0 {
        b = 0.0;
    }
    (a, b)
}

/// Tick label for an axis spanning `span`: thousands separators for large
/// values, up to two decimals for small ones.
pub fn tick_label(v: f64, span: f64) -> String {
    if span.abs() >= 20.0 {
        thousands(v)
    } else if span.abs() >= 2.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Tick labels the axis would likely show, for sizing the label area.
pub fn sample_labels(lo: f64, hi: f64) -> Vec<String> {
    let span = hi - lo;
    (0..=4)
        .map(|i| tick_label(lo + span * i as f64 / 4.0, span))
        .collect()
}

/// A time unit in the plural: `month` → `months`.
pub fn plural(unit: &str) -> String {
    if unit.ends_with('s') || unit.is_empty() {
        unit.to_string()
    } else {
        format!("{unit}s")
    }
}

/// `EUR` → ` (EUR)`, empty currency → empty.
pub fn in_currency(currency: &str) -> String {
    if currency.trim().is_empty() {
        String::new()
    } else {
        format!(" ({currency})")
    }
}

/// Shorten a label to `n` characters with an ellipsis.
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_never_empty_or_inverted() {
        assert_eq!(range([], false, 0.05), (0.0, 1.0));
        assert_eq!(range([f64::NAN, f64::INFINITY], false, 0.05), (0.0, 1.0));
        let (a, b) = range([5.0, 5.0], false, 0.05);
        assert!(a < 5.0 && b > 5.0);
        assert_eq!(range([0.0, 10.0], false, 0.1), (0.0, 11.0));
        let (a, b) = range([3.0, 10.0], true, 0.0);
        assert_eq!((a, b), (0.0, 10.0));
    }

    #[test]
    fn ticks_and_names() {
        assert_eq!(tick_label(12345.0, 50000.0), "12,345");
        assert_eq!(tick_label(0.25, 1.0), "0.25");
        assert_eq!(plural("month"), "months");
        assert_eq!(in_currency("EUR"), " (EUR)");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(tint(RGBColor(0, 0, 0), 0.5), RGBColor(128, 128, 128));
    }
}
