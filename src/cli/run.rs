//! `loyalsim run`: simulate a scenario and print or write the results.

use crate::error::{Error, Result};
use crate::provenance::Provenance;
use crate::report::{self, output};
use crate::scenario::Scenario;
use crate::stats::{Replications, Results};
use crate::warnings::Warning;
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
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Random seed (overrides simulation.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Never changes a result.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Write results.json, the CSVs (summary, periods, replications), results.xlsx,
    /// charts and report.html into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Print nothing on stderr (no progress, no notes).
    #[arg(long)]
    pub quiet: bool,
    /// What-if: set one scenario key for this run (the sweep's key syntax, one
    /// value), e.g. --set response.goal_gradient=0.1. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Treat plausibility warnings as errors (exit code 2, no output).
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &RunArgs) -> Result<()> {
    let overrides = what_ifs(&args.set)?;
    let (mut sc, text) = crate::scenario::load_file_with_overrides(&args.scenario, &overrides)?;
    super::warnings(&sc.notes.warnings, args.strict, args.quiet)?;
    if let Some(n) = args.replications {
        sc.simulation.replications = n;
    }
    if let Some(s) = args.seed {
        sc.simulation.seed = s;
    }
    let (mut results, reps) = simulate(&sc, args.threads, args.quiet)?;
    results.provenance = Some(provenance(&sc, &args.scenario, &text, &args.set));
    if let Some(dir) = &args.out {
        write_outputs(dir, &results, &reps)?;
        if !args.quiet {
            eprintln!("wrote results to {}", dir.display());
        }
    }
    super::emit(&match args.format {
        Format::Table => report::table::render(&results),
        Format::Json => report::json(&results),
        Format::Csv => report::csv::summary(&results)?,
    })
}

/// Parse the `--set KEY=VALUE` what-ifs of `run` and `validate`.
pub fn what_ifs(set: &[String]) -> Result<Vec<crate::scenario::Override>> {
    set.iter()
        .map(|a| crate::sweep::expand::parse_what_if(a))
        .collect()
}

/// The provenance of a run of `sc` (loaded from `file`, text `text`, with
/// `--set` overrides `set`): its re-run command names the seed and
/// replications in force.
pub fn provenance(sc: &Scenario, file: &Path, text: &str, set: &[String]) -> Provenance {
    let q = crate::provenance::shell_quote;
    let mut command = format!(
        "loyalsim run {} --seed {} --replications {}",
        q(&file.display().to_string()),
        sc.simulation.seed,
        sc.simulation.replications
    );
    for s in set {
        command.push_str(&format!(" --set {}", q(s)));
    }
    sc.provenance(&file.display().to_string(), text, set.to_vec(), command)
}

/// Run the scenario on a pool of `threads` workers and summarise; also
/// returns each replication's totals.
pub fn simulate(
    sc: &Scenario,
    threads: Option<u32>,
    quiet: bool,
) -> Result<(Results, Replications)> {
    let pool = pool(threads)?;
    if let Some(note) = few_replications(sc.simulation.replications).filter(|_| !quiet) {
        eprintln!("{note}");
    }
    let arms = sc.programs.len() as u64 + u64::from(sc.simulation.baseline);
    let progress = Progress::new(arms * u64::from(sc.simulation.replications), quiet);
    let out = pool.install(|| compute(sc, &|| progress.tick()));
    progress.finish();
    out
}

/// The one way `run` and every sweep point simulate a scenario: the engine,
/// then the statistics (`tick` is called after each replication of an arm).
/// Call it inside the pool that should do the work.
pub fn compute(sc: &Scenario, tick: &(dyn Fn() + Sync)) -> Result<(Results, Replications)> {
    let out = crate::engine::try_run(sc, tick)?;
    Ok(crate::stats::build_with_replications(sc, &out))
}

/// A pool of `threads` workers (default: one per core).
pub fn pool(threads: Option<u32>) -> Result<rayon::ThreadPool> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        pool = pool.num_threads(t as usize);
    }
    pool.build()
        .map_err(|e| Error::other(format!("cannot start worker threads: {e}")))
}

/// The note for runs with too few replications for useful intervals.
pub fn few_replications(replications: u32) -> Option<Warning> {
    Warning::few_replications(replications)
}

/// A progress bar on stderr that shows up only once a run has taken about a
/// second, and never with `--quiet` or when stderr is not a terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: std::time::Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    const DELAY: std::time::Duration = std::time::Duration::from_secs(1);

    fn new(total: u64, quiet: bool) -> Self {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::hidden(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} simulating [{bar:40}] {pos}/{len} replications, {eta} left",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            start: std::time::Instant::now(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// One replication finished (called from worker threads).
    fn tick(&self) {
        use std::sync::atomic::Ordering;
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.shown.load(Ordering::Relaxed)
            && self.start.elapsed() >= Self::DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Write results.json, summary.csv, periods.csv, replications.csv,
/// results.xlsx, the charts (SVG and PNG) and report.html, each atomically,
/// and remove the files an earlier run wrote into `dir` that this one does
/// not (see `report::output`).
pub fn write_outputs(dir: &Path, r: &Results, reps: &Replications) -> Result<()> {
    use output::{DATA, VISUALS};
    let mut out = output::OutputFolder::open(dir, &[DATA, VISUALS])?;
    out.write(DATA, "results.json", report::json(r).as_bytes())?;
    out.write(DATA, "summary.csv", report::csv::summary(r)?.as_bytes())?;
    out.write(DATA, "periods.csv", report::csv::periods(r)?.as_bytes())?;
    out.write(
        DATA,
        "replications.csv",
        report::csv::replications(reps)?.as_bytes(),
    )?;
    out.write(
        DATA,
        "results.xlsx",
        &report::xlsx::workbook(r, Some(reps))?,
    )?;
    report::write_visuals_into(&mut out, r)?;
    out.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_progress_has_no_bar_and_ticks_from_threads() {
        let p = Progress::new(100, true);
        assert!(p.bar.is_none());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..25).for_each(|_| p.tick()));
            }
        });
        p.finish();
    }

    #[test]
    fn progress_counts_every_replication() {
        // Under `cargo test` stderr is usually not a terminal: no bar at all.
        let p = Progress::new(10, false);
        (0..10).for_each(|_| p.tick());
        if let Some(bar) = &p.bar {
            assert_eq!(bar.position(), 10);
        }
        p.finish();
    }
}
