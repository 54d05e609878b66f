//! `loyalsim sweep`: run every point of a parameter grid (or one shard of
//! it), resuming a previous run into the same folder.

use crate::error::Result;
use crate::sweep::{Shard, driver};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file (TOML); its [sweep] table, if any, adds keys.
    pub scenario: PathBuf,
    /// KEY=VALUES: a dotted key and a comma list or start..end:step, e.g.
    /// 'program[Stamp card].stamps.card_size=6..14:2'. Repeat for a grid.
    #[arg(long = "set", value_name = "KEY=VALUES")]
    pub sets: Vec<String>,
    /// Run only shard K of N (points whose index mod N is K-1).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Output folder (default: sweep-<scenario file stem>). Rerunning into it
    /// skips finished points.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Number of replications per point (overrides simulation.replications).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Worker threads (default: all cores). Never changes a result.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print nothing on stderr (no progress, no notes).
    #[arg(long)]
    pub quiet: bool,
    /// Check every point and print the grid size; run and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Treat plausibility warnings (of any point) as errors (exit code 2, no output).
    #[arg(long)]
    pub strict: bool,
}

pub fn run(a: &SweepArgs) -> Result<()> {
    let shard = match &a.shard {
        Some(s) => Shard::parse(s)?,
        None => Shard::ALL,
    };
    let out = a.out.clone().unwrap_or_else(|| {
        let stem = a
            .scenario
            .file_stem()
            .map_or("scenario".into(), |s| s.to_string_lossy());
        PathBuf::from(format!("sweep-{stem}"))
    });
    if a.dry_run {
        let plan = driver::Plan::new(&a.scenario, &a.sets, a.replications)?;
        super::warnings(&plan.warnings, a.strict, a.quiet)?;
        let total = plan.grid.len();
        let part = if shard.n > 1 {
            format!("; shard {shard} runs {} of them", shard.count(total))
        } else {
            String::new()
        };
        return super::emit(&format!(
            "{}: ok, {total} points over {}{part}\n",
            a.scenario.display(),
            plan.grid.keys().join(", ")
        ));
    }
    driver::run(&driver::Options {
        scenario: a.scenario.clone(),
        sets: a.sets.clone(),
        shard,
        out,
        replications: a.replications,
        threads: a.threads,
        quiet: a.quiet,
        strict: a.strict,
    })?;
    Ok(())
}
