//! The examples each verb's `--help` ends with (and the man pages carry).
//! Kept together so a test can check that every one of them parses.

pub const RUN: &str = "\
Examples:
  loyalsim run scenarios/boutique.toml
  loyalsim run scenarios/boutique.toml --replications 1000 --out results
  loyalsim run scenarios/boutique.toml --format csv > summary.csv
  loyalsim run scenarios/boutique.toml --format json --quiet > results.json
  loyalsim run scenarios/boutique.toml --set response.goal_gradient=0.1

--out DIR writes results.json, summary.csv, periods.csv, replications.csv,
results.xlsx, the charts and report.html (docs/outputs.md).";

pub const VALIDATE: &str = "\
Examples:
  loyalsim validate scenarios/boutique.toml
  loyalsim validate my-shop.toml && loyalsim run my-shop.toml
  loyalsim validate scenarios/boutique.toml --set simulation.horizon=36";

pub const INIT: &str = "\
Examples:
  loyalsim init cafe-stamps --out my-cafe.toml
  loyalsim init > my-shop.toml";

pub const FIT: &str = "\
Examples:
  loyalsim fit tests/data/cdnow_sample.csv --calibration-end 1997-09-30 --out cdnow-fit
  loyalsim fit sales.csv --customer client_id --date day --amount total --time-unit month --out fit
  loyalsim fit export.csv --delimiter ';' --decimal-comma --date-format %d.%m.%Y --out fit

Writes population.toml and cohort.csv for a scenario, rfm.csv for lifetimes,
PyMC-Marketing or CLVTools, fit.json and a report (docs/fitting.md).";

pub const SWEEP: &str = "\
Examples:
  loyalsim sweep scenarios/cafe-stamps.toml --set 'program[10-stamp card].stamps.card_size=6..14:2'
  loyalsim sweep scenarios/cafe-stamps.toml --set business.gross_margin=0.5,0.6,0.7 --dry-run
  loyalsim sweep scenarios/cafe-stamps.toml --set simulation.seed=1,2,3,4 --shard 2/4 --out part-2

Writes sweep.json, sweep.csv, replications.csv and the sweep charts (docs/sweeps.md).";

pub const MERGE: &str = "\
Examples:
  loyalsim merge part-1 part-2 part-3 part-4 --out sweep";

pub const REPORT: &str = "\
Examples:
  loyalsim report results/results.json --out results";

pub const COMPLETIONS: &str = "\
Examples:
  loyalsim completions bash > ~/.local/share/bash-completion/completions/loyalsim
  loyalsim completions zsh > ~/.zfunc/_loyalsim     # with fpath+=~/.zfunc in ~/.zshrc
  loyalsim completions fish > ~/.config/fish/completions/loyalsim.fish
  loyalsim completions powershell >> $PROFILE";

pub const MAN: &str = "\
Examples:
  loyalsim man | man -l -
  loyalsim man --out ~/.local/share/man/man1 && man loyalsim-run";

/// Every verb's examples, by verb.
pub const ALL: [(&str, &str); 9] = [
    ("run", RUN),
    ("validate", VALIDATE),
    ("init", INIT),
    ("fit", FIT),
    ("sweep", SWEEP),
    ("merge", MERGE),
    ("report", REPORT),
    ("completions", COMPLETIONS),
    ("man", MAN),
];
