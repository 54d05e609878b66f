//! `loyalsim validate SCENARIO`: load and check, print a one-line verdict.

use crate::error::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// What-if: set one scenario key before checking (as `run --set`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

pub fn run(args: &ValidateArgs) -> Result<()> {
    let overrides = super::run::what_ifs(&args.set)?;
    let (s, _) = crate::scenario::load_file_with_overrides(&args.scenario, &overrides)?;
    super::emit(&format!(
        "{}: ok ({} customers, {} segment(s), {} program(s), {} {}s)\n",
        args.scenario.display(),
        s.population.customers,
        s.population.segments.len(),
        s.programs.len(),
        s.simulation.horizon,
        s.simulation.time_unit.as_str()
    ))
}
