//! `loyalsim report RESULTS.json --out DIR`: rebuild the charts and
//! report.html from a saved results document, without simulating again.

use crate::error::{Error, Result};
use crate::stats::Results;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A results document written by `loyalsim run --out` (results.json).
    pub results: PathBuf,
    /// Folder for the charts (SVG and PNG) and report.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print nothing on stderr.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: &ReportArgs) -> Result<()> {
    let results = load(&args.results)?;
    crate::report::write_visuals(&args.out, &results)?;
    if !args.quiet {
        eprintln!(
            "wrote {} for {}",
            args.out.join("report.html").display(),
            args.results.display()
        );
    }
    Ok(())
}

/// Read and parse a results document; a bad file is an input error naming
/// the file and serde's line and column.
pub fn load(path: &Path) -> Result<Results> {
    let text = crate::input::read_text(path, crate::input::RESULTS)
        .map_err(|e| Error::input(e.message(path)))?;
    let r: Results = serde_json::from_str(&text).map_err(|e| {
        Error::input(format!(
            "{}: not a loyalsim results document: {e} \
             (expected the results.json written by `loyalsim run --out DIR`)",
            path.display()
        ))
    })?;
    r.check().map_err(|e| {
        Error::input(format!(
            "{}: not a results document loyalsim could have written: {e}",
            path.display()
        ))
    })?;
    Ok(r)
}
