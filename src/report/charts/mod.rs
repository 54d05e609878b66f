//! Charts for people: each chart is one file implementing [`Figure`], drawn
//! once into an SVG string (for report.html and `<name>.svg`) and once into
//! a bitmap at twice the size (for `<name>.png`, crisp on slides).
//!
//! Text is measured with the bundled DejaVu Sans (registered once, no system
//! font library needed at build or run time). Every program keeps one colour
//! across all charts ([`palette`]); the control is always grey.
//!
//! This module belongs to the shell: the core never sees plotters. Drawing
//! never panics on odd data (empty series, equal values, huge numbers): ranges
//! are sanitised in [`style`], and [`render`] turns any failure into an error.

pub mod costs;
pub mod extra_over_time;
pub mod fit_tracking;
pub mod palette;
mod png;
pub mod points;
pub mod profit_distribution;
pub mod style;
pub mod sweep;
mod sweep_grid;
mod time_bands;
pub mod tornado;

use crate::error::{Error, Result};
use crate::stats::Results;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::Once;

pub use style::Style;
pub use sweep::{Scale, SweepAxis, SweepGrid, SweepLine, SweepSeries, SweepSlices};

/// What a drawing call returns for backend `DB`.
pub type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// One chart: something that can draw itself on any plotters backend.
pub trait Figure {
    /// File stem: the chart is written as `<name>.svg` and `<name>.png`.
    fn name(&self) -> &str;
    /// The title drawn on top of the chart (plain text, not escaped).
    fn title(&self) -> String;
    /// Size in CSS pixels for the SVG; the PNG is twice as large.
    fn size(&self) -> (u32, u32) {
        (960, 540)
    }
    /// Draw on `root` (already filled white), scaling every length by `s`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB>;
}

/// A rendered chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem (`cumulative_profit`, ...).
    pub name: String,
    /// The chart's title, for headings and alt text.
    pub title: String,
    /// A standalone SVG document (also fit to inline in HTML).
    pub svg: String,
    /// A PNG file.
    pub png: Vec<u8>,
}

/// How much larger the PNG is drawn than the SVG.
pub const PNG_SCALE: f64 = 2.0;

static FONT: Once = Once::new();

/// The bundled DejaVu Sans.
const FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Register the bundled font as "sans-serif" (once per process).
pub fn ensure_font() {
    FONT.call_once(|| {
        // The font is compiled in and known to be valid; a failure here would
        // only make text measurement fall back to an error at draw time.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_BYTES);
    });
}

/// Draw `fig` as SVG text and PNG bytes.
pub fn render<F: Figure>(fig: &F) -> Result<Chart> {
    ensure_font();
    let name = fig.name().to_string();
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Error::other(format!("cannot draw the {name} chart ({what}): {e}"))
    };
    // plotters may panic on data it cannot lay out; never let that escape.
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || -> Result<(String, Vec<u8>)> {
            let (w, h) = fig.size();
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
                root.fill(&WHITE).map_err(|e| fail("svg", &e))?;
                fig.draw(&root, &Style::new(1.0))
                    .map_err(|e| fail("svg", &e))?;
                root.present().map_err(|e| fail("svg", &e))?;
            }
            let (pw, ph) = ((w as f64 * PNG_SCALE) as u32, (h as f64 * PNG_SCALE) as u32);
            let mut buf = vec![0u8; pw as usize * ph as usize * 3];
            {
                let root = png::PngBackend::with_buffer(&mut buf, (pw, ph)).into_drawing_area();
                root.fill(&WHITE).map_err(|e| fail("png", &e))?;
                fig.draw(&root, &Style::new(PNG_SCALE))
                    .map_err(|e| fail("png", &e))?;
                root.present().map_err(|e| fail("png", &e))?;
            }
            let png = encode_png(&buf, pw, ph).map_err(|e| fail("png encoding", &e))?;
            Ok((svg, png))
        },
    ));
    match drawn {
        Ok(Ok((svg, png))) => Ok(Chart {
            title: fig.title(),
            name,
            svg,
            png,
        }),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(Error::other(format!(
            "cannot draw the {name} chart: the chart library failed on this data"
        ))),
    }
}

/// Encode an RGB buffer as PNG.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> std::result::Result<Vec<u8>, image::ImageError> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(rgb, w, h, image::ColorType::Rgb8)?;
    Ok(out)
}

/// Every chart that applies to a results document, in report order. Each
/// one shows a difference a decision rests on:
///
/// - `extra_profit`: extra cumulative profit against no program over time,
///   a panel per program with its 90% band;
/// - `costs`: extra gross margin against the program's costs, with the net;
/// - `tornado_<program>`: which assumption moves the extra profit most
///   (when the results carry sensitivity figures);
/// - `extra_customers`: extra active customers over time;
/// - `profit_distribution`: run-by-run extra profit (with per-replication data);
/// - `points`: liability and breakage (with a points program).
///
/// Without a control only `points` applies: every other chart is a
/// difference against no program.
pub fn all(r: &Results) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let extra = extra_over_time::ExtraOverTime::profit(r);
    if extra.applies() {
        out.push(render(&extra)?);
    }
    let costs = costs::Costs::new(r);
    if costs.applies() {
        out.push(render(&costs)?);
    }
    let palette = palette::Palette::for_results(r);
    let mut stems: Vec<String> = Vec::new();
    for p in &r.programs {
        let stem = unique_stem(&format!("tornado_{}", slug(&p.name)), &stems);
        let t = tornado::Tornado::new(r, p, stem.clone(), palette.colour(&p.name));
        if t.applies() {
            stems.push(stem);
            out.push(render(&t)?);
        }
    }
    let customers = extra_over_time::ExtraOverTime::active_customers(r);
    if customers.applies() {
        out.push(render(&customers)?);
    }
    let dist = profit_distribution::ProfitDistribution::new(r);
    if dist.applies() {
        out.push(render(&dist)?);
    }
    let points = points::PointsLiability::new(r);
    if points.applies() && r.programs.iter().any(|p| !p.periods.is_empty()) {
        out.push(render(&points)?);
    }
    Ok(out)
}

/// A name as part of a file name: lower-case ASCII letters, digits and `_`.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    let s = s.trim_matches('_').to_string();
    if s.is_empty() { "program".into() } else { s }
}

/// `stem`, or `stem_2`, `stem_3`, ... when taken.
pub fn unique_stem(stem: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == stem) {
        return stem.to_string();
    }
    (2..)
        .map(|k| format!("{stem}_{k}"))
        .find(|c| !taken.contains(c))
        .unwrap_or_default()
}
