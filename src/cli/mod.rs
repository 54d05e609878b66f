//! The command line: clap definitions and one file per verb. Verbs parse
//! their arguments, call the core, and hand results to `report`.

mod completions;
pub mod examples;
mod fit;
mod init;
mod man;
mod merge;
mod report;
pub(crate) mod run;
mod sweep;
mod validate;

use crate::error::{Error, Result};
use crate::warnings::Warning;
use clap::{Parser, Subcommand};

/// Try a customer-loyalty program before you launch it.
#[derive(Debug, Parser)]
#[command(
    name = "loyalsim",
    version,
    about,
    max_term_width = 100,
    after_help = "Examples:\n  loyalsim init cafe-stamps --out my-cafe.toml\n  loyalsim run my-cafe.toml --out results\n\nSee `loyalsim help VERB` or `loyalsim VERB --help` for each verb."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate every program in a scenario against the no-program control.
    #[command(after_help = examples::RUN)]
    Run(run::RunArgs),
    /// Check a scenario (and its scripts) without running it.
    #[command(after_help = examples::VALIDATE)]
    Validate(validate::ValidateArgs),
    /// Write an example scenario to start from.
    Init(init::InitArgs),
    /// Fit a customer base (BG/NBD or Pareto/NBD) to a transaction log.
    #[command(after_help = examples::FIT)]
    Fit(fit::FitArgs),
    /// Run a scenario over a grid of parameter values (optionally one shard of it).
    #[command(after_help = examples::SWEEP)]
    Sweep(sweep::SweepArgs),
    /// Combine the output folders of a sweep's shards.
    #[command(after_help = examples::MERGE)]
    Merge(merge::MergeArgs),
    /// Rebuild the charts and report.html from a saved results.json.
    #[command(after_help = examples::REPORT)]
    Report(report::ReportArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = examples::COMPLETIONS)]
    Completions(completions::CompletionsArgs),
    /// Print the manual page, or write every page into a folder.
    #[command(after_help = examples::MAN)]
    Man(man::ManArgs),
}

/// Write `s` to standard output. A closed stdout (a pipe into `head`) is
/// [`Error::Closed`], never a panic.
pub(crate) fn emit(s: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::Closed,
            _ => Error::other(format!("cannot write to standard output: {e}")),
        })
}

/// Print a scenario's plausibility warnings once on stderr (not with
/// `quiet`), or, with `strict`, refuse the scenario: exit code 2 and nothing
/// on stdout.
pub(crate) fn warnings(warnings: &[Warning], strict: bool, quiet: bool) -> Result<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    if strict {
        return Err(Error::Input(format!(
            "{}
--strict: the scenario has {} warning(s); fix the values or leave out --strict",
            warnings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            warnings.len()
        )));
    }
    if !quiet {
        for w in warnings {
            eprintln!("{}", crate::input::for_terminal(&w.to_string()));
        }
    }
    Ok(())
}

/// Parse the process arguments and run the chosen verb.
pub fn run() -> Result<()> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                return emit(&e.to_string());
            }
            // clap's message already says what is wrong and how to get help.
            return Err(Error::input(
                e.to_string().trim_start_matches("error: ").trim_end(),
            ));
        }
    };
    match cli.command {
        Command::Run(a) => run::run(&a),
        Command::Validate(a) => validate::run(&a),
        Command::Fit(a) => fit::run(&a),
        Command::Init(a) => init::run(&a),
        Command::Sweep(a) => sweep::run(&a),
        Command::Merge(a) => merge::run(&a),
        Command::Report(a) => report::run(&a),
        Command::Completions(a) => completions::run(&a),
        Command::Man(a) => man::run(&a),
    }
}
