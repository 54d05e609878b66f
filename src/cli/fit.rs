//! `loyalsim fit`: placeholder until the fitting issue lands.

use crate::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// The transaction log (CSV with a header).
    pub transactions: PathBuf,
}

pub fn run(_args: &FitArgs) -> Result<()> {
    Err(Error::other("fit is not available yet"))
}
