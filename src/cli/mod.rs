//! The command line: clap definitions and one file per verb. Verbs parse
//! their arguments, call the core, and hand results to `report`.

mod fit;
mod init;
mod merge;
mod report;
mod run;
mod sweep;
mod validate;

use crate::error::{Error, Result};
use clap::{Parser, Subcommand};

/// Try a customer-loyalty program before you launch it.
#[derive(Debug, Parser)]
#[command(name = "loyalsim", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate every program in a scenario against the no-program control.
    Run(run::RunArgs),
    /// Check a scenario (and its scripts) without running it.
    Validate(validate::ValidateArgs),
    /// Write an example scenario to start from.
    Init(init::InitArgs),
    /// Fit a customer base (BG/NBD or Pareto/NBD) to a transaction log.
    Fit(fit::FitArgs),
    /// Run a scenario over a grid of parameter values (optionally one shard of it).
    Sweep(sweep::SweepArgs),
    /// Combine the output folders of a sweep's shards.
    Merge(merge::MergeArgs),
    /// Rebuild the charts and report.html from a saved results.json.
    Report(report::ReportArgs),
}

/// Parse the process arguments and run the chosen verb.
pub fn run() -> Result<()> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                print!("{e}");
                return Ok(());
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
    }
}
