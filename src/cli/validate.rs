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
    /// Treat plausibility warnings as errors (exit code 2, no output).
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &ValidateArgs) -> Result<()> {
    let overrides = super::run::what_ifs(&args.set)?;
    let (s, _) = crate::scenario::load_file_with_overrides(&args.scenario, &overrides)?;
    // Each script's hooks, once on a sample member: a runtime error in a
    // hook (a missing `params` entry, a type mismatch) is found now.
    crate::engine::rehearse(&s).map_err(|e| crate::error::Error::input(e.to_string()))?;
    super::warnings(&s.notes.warnings, args.strict, false)?;
    let mut out = format!(
        "{}: ok ({} customers, {} segment(s), {} program(s), {} {}s)\n",
        args.scenario.display(),
        s.population.customers,
        s.population.segments.len(),
        s.programs.len(),
        s.simulation.horizon,
        s.simulation.time_unit.as_str()
    );
    // Inputs in business terms and the model they were resolved to.
    for line in &s.notes.resolved {
        out.push_str(&format!("  {line}\n"));
    }
    // How each script's hooks run (docs/scripting.md, "Speed").
    for p in &s.programs {
        if let Some(sc) = &p.script
            && let Some(how) = sc.hooks.0.evaluation()
            && !how.is_empty()
        {
            out.push_str(&format!(
                "  program `{}`, {}: {how}\n",
                p.name,
                sc.file.display()
            ));
        }
    }
    // File names come from the scenario, which may be someone else's.
    super::emit(&crate::input::for_terminal(&out))
}
