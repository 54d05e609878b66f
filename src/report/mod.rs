//! The shell's output side: the terminal table, JSON, the tidy CSV tables and
//! the spreadsheet, the JSON Schemas of the documents, charts (plotters, SVG
//! and PNG), the self-contained report.html with its plain-language
//! verdicts, and atomic file writing.

pub mod charts;
pub mod csv;
pub mod fit_html;
pub mod format;
pub mod html;
pub mod output;
pub mod schema;
pub mod table;
pub mod tidy;
pub mod verdict;
pub mod xlsx;

use crate::stats::Results;

/// The results document as pretty JSON (deterministic for identical results).
pub fn json(r: &Results) -> String {
    let mut s =
        serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Write every chart (`<name>.svg`, `<name>.png`) and `report.html` into
/// `dir`, each file atomically. Returns the chart names written.
pub fn write_visuals(dir: &std::path::Path, r: &Results) -> crate::error::Result<Vec<String>> {
    output::ensure_dir(dir)?;
    let charts = charts::all(r)?;
    for c in &charts {
        output::write_atomic(dir, &format!("{}.svg", c.name), c.svg.as_bytes())?;
        output::write_atomic(dir, &format!("{}.png", c.name), &c.png)?;
    }
    output::write_atomic(dir, "report.html", html::render(r, &charts).as_bytes())?;
    Ok(charts.into_iter().map(|c| c.name).collect())
}
