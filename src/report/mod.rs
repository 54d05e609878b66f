//! The shell's output side: the terminal table, JSON, the tidy CSV tables and
//! the spreadsheet, the JSON Schemas of the documents, charts (plotters, SVG
//! and PNG), the self-contained report.html with its plain-language
//! verdicts, and atomic file writing.

pub mod answers_html;
pub mod assumptions_html;
pub mod charts;
pub mod csv;
pub mod figures;
pub mod fit;
pub mod fit_html;
pub mod format;
pub mod html;
pub mod output;
pub mod schema;
pub mod sweep_html;
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
/// `dir`, each file atomically, removing the charts an earlier run wrote
/// there and this one does not (see [`output`]). Returns the chart names
/// written.
pub fn write_visuals(dir: &std::path::Path, r: &Results) -> crate::error::Result<Vec<String>> {
    let mut out = output::OutputFolder::open(dir, &[output::VISUALS])?;
    let names = write_visuals_into(&mut out, r)?;
    out.finish()?;
    Ok(names)
}

/// Write the charts and `report.html` into an open output folder.
pub fn write_visuals_into(
    out: &mut output::OutputFolder,
    r: &Results,
) -> crate::error::Result<Vec<String>> {
    let charts = charts::all(r)?;
    for c in &charts {
        out.write(
            output::VISUALS,
            &format!("{}.svg", c.name),
            c.svg.as_bytes(),
        )?;
        out.write(output::VISUALS, &format!("{}.png", c.name), &c.png)?;
    }
    out.write(
        output::VISUALS,
        "report.html",
        html::render(r, &charts).as_bytes(),
    )?;
    Ok(charts.into_iter().map(|c| c.name).collect())
}
