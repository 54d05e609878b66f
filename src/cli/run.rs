//! `loyalsim run`: simulate a scenario and print or write the results.

use crate::error::{Error, Result};
use crate::report::{self, output};
use crate::scenario::Scenario;
use crate::stats::Results;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Number of replications (overrides simulation.replications).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub replications: Option<u32>,
    /// Random seed (overrides simulation.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Never changes a result.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Write results.json, summary.csv and periods.csv into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print nothing on stderr (no progress, no notes).
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: &RunArgs) -> Result<()> {
    let mut sc = crate::scenario::load_file(&args.scenario)?;
    if let Some(n) = args.replications {
        sc.simulation.replications = n;
    }
    if let Some(s) = args.seed {
        sc.simulation.seed = s;
    }
    let results = simulate(&sc, args.threads, args.quiet)?;
    if let Some(dir) = &args.out {
        write_outputs(dir, &results)?;
        if !args.quiet {
            eprintln!("wrote results to {}", dir.display());
        }
    }
    match args.format {
        Format::Table => print!("{}", report::table::render(&results)),
        Format::Json => print!("{}", report::json(&results)),
        Format::Csv => print!("{}", report::csv::summary(&results)),
    }
    Ok(())
}

/// Run the scenario on a pool of `threads` workers and summarise.
pub fn simulate(sc: &Scenario, threads: Option<u32>, quiet: bool) -> Result<Results> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        pool = pool.num_threads(t as usize);
    }
    let pool = pool
        .build()
        .map_err(|e| Error::other(format!("cannot start worker threads: {e}")))?;
    if !quiet && sc.simulation.replications < 30 {
        eprintln!(
            "note: {} replications give wide intervals; 100 or more are recommended",
            sc.simulation.replications
        );
    }
    let out = pool
        .install(|| crate::engine::try_run(sc, &|| {}))
        .map_err(|e| Error::input(e.0))?;
    Ok(crate::stats::build(sc, &out))
}

/// Write results.json, summary.csv and periods.csv, each atomically.
pub fn write_outputs(dir: &Path, r: &Results) -> Result<()> {
    output::ensure_dir(dir)?;
    output::write_atomic(dir, "results.json", report::json(r).as_bytes())?;
    output::write_atomic(dir, "summary.csv", report::csv::summary(r).as_bytes())?;
    output::write_atomic(dir, "periods.csv", report::csv::periods(r).as_bytes())?;
    Ok(())
}
