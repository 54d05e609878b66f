//! `loyalsim init [TEMPLATE] [--out FILE]`: start from a bundled example.

use crate::error::{Error, Result};
use std::path::PathBuf;

/// The bundled templates: (name, one-line story, file text).
pub const TEMPLATES: [(&str, &str, &str); 6] = [
    (
        "boutique",
        "a small boutique: paper coupons, a 5% card or bonus points",
        include_str!("../../scenarios/boutique.toml"),
    ),
    (
        "cafe-stamps",
        "a café stamp card: card sizes and pre-stamped cards",
        include_str!("../../scenarios/cafe-stamps.toml"),
    ),
    (
        "online-points",
        "an online shop with expiring points: breakage and liability",
        include_str!("../../scenarios/online-points.toml"),
    ),
    (
        "referral",
        "a referral (ambassador) program with word of mouth",
        include_str!("../../scenarios/referral.toml"),
    ),
    (
        "tiers",
        "cumulative discount tiers against a flat discount",
        include_str!("../../scenarios/tiers.toml"),
    ),
    (
        "one-year",
        "a bonus program limited to one year",
        include_str!("../../scenarios/one-year.toml"),
    ),
];

#[derive(Debug, clap::Args)]
#[command(after_help = templates_help())]
pub struct InitArgs {
    /// Which example to start from (default: boutique).
    pub template: Option<String>,
    /// Write the scenario to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn templates_help() -> String {
    let mut s = String::from("Templates:\n");
    for (name, story, _) in TEMPLATES {
        s.push_str(&format!("  {name:<14} {story}\n"));
    }
    s.push('\n');
    s.push_str(super::examples::INIT);
    s
}

pub fn run(args: &InitArgs) -> Result<()> {
    let name = args.template.as_deref().unwrap_or("boutique");
    let Some((_, _, text)) = TEMPLATES.iter().find(|(n, _, _)| *n == name) else {
        let names: Vec<&str> = TEMPLATES.iter().map(|t| t.0).collect();
        let hint = crate::scenario::did_you_mean(name, names.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(Error::input(format!(
            "unknown template `{name}`{hint} allowed: {}",
            names.join(", ")
        )));
    };
    match &args.out {
        None => super::emit(text)?,
        Some(path) => {
            if path.exists() {
                return Err(Error::input(format!(
                    "{} already exists; choose another --out or remove it first",
                    path.display()
                )));
            }
            std::fs::write(path, text)
                .map_err(|e| Error::other(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "wrote {} — edit it, then: loyalsim run {}",
                path.display(),
                path.display()
            );
        }
    }
    Ok(())
}
