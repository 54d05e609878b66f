//! `loyalsim man [--out DIR]`: the manual pages, from the same definitions
//! as `--help`: `loyalsim.1` on stdout, or it and one page per verb
//! (`loyalsim-run.1`, ...) written into a folder.

use crate::error::{Error, Result};
use crate::report::output;
use clap::CommandFactory;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write loyalsim.1 and a page per verb (loyalsim-run.1, ...) into this
    /// folder instead of printing loyalsim.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Every page: (file name, roff text), the main page first.
pub fn pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = vec![render(cmd.clone())?];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.push(render(sub.clone())?);
    }
    Ok(pages)
}

/// clap_mangen's page, with the `--help` examples as an EXAMPLES section
/// kept line by line (its own EXTRA section would fill them into paragraphs).
fn render(cmd: clap::Command) -> Result<(String, Vec<u8>)> {
    let examples = cmd.get_after_help().map(|s| s.to_string());
    let has_subcommands = cmd.has_subcommands();
    let has_version = cmd.get_version().is_some();
    let man = clap_mangen::Man::new(cmd).source(format!("loyalsim {}", crate::VERSION));
    let mut text = Vec::new();
    let fail = |e: std::io::Error| Error::other(format!("cannot render the manual page: {e}"));
    man.render_title(&mut text).map_err(fail)?;
    man.render_name_section(&mut text).map_err(fail)?;
    man.render_synopsis_section(&mut text).map_err(fail)?;
    man.render_description_section(&mut text).map_err(fail)?;
    man.render_options_section(&mut text).map_err(fail)?;
    if has_subcommands {
        man.render_subcommands_section(&mut text).map_err(fail)?;
    }
    if let Some(ex) = examples {
        text.extend_from_slice(examples_section(&ex).as_bytes());
    }
    if has_version {
        man.render_version_section(&mut text).map_err(fail)?;
    }
    Ok((man.get_filename(), text))
}

/// `.SH EXAMPLES` with the lines as written (no fill), roff-escaped.
fn examples_section(after_help: &str) -> String {
    let mut s = String::from(".SH EXAMPLES\n.nf\n");
    for line in after_help.lines() {
        if line.trim_end() == "Examples:" {
            continue;
        }
        let escaped = line.replace('\\', "\\e").replace('-', "\\-");
        if escaped.starts_with(['.', '\'']) {
            s.push_str("\\&");
        }
        s.push_str(&escaped);
        s.push('\n');
    }
    s.push_str(".fi\n");
    s
}

pub fn run(a: &ManArgs) -> Result<()> {
    let pages = pages()?;
    match &a.out {
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&pages[0].1)
                .map_err(|e| Error::other(format!("cannot write the manual page: {e}")))?;
        }
        Some(dir) => {
            output::ensure_dir(dir)?;
            for (name, text) in &pages {
                output::write_atomic(dir, name, text)?;
            }
            eprintln!("wrote {} manual pages into {}", pages.len(), dir.display());
        }
    }
    Ok(())
}
