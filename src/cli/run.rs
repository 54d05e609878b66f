//! `loyalsim run` (placeholder).
use crate::error::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
}

pub fn run(_args: &RunArgs) -> Result<()> {
    Ok(())
}
