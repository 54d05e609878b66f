//! `loyalsim merge`: combine sweep shards into the unsharded sweep's output.

use crate::error::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' output folders (or a file inside each, e.g. its shard.json).
    #[arg(required = true, value_name = "DIR_OR_FILE")]
    pub inputs: Vec<PathBuf>,
    /// Folder for the merged sweep.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print nothing on stderr.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(a: &MergeArgs) -> Result<()> {
    let n = crate::sweep::merge::merge(&a.inputs, &a.out)?;
    if !a.quiet {
        eprintln!(
            "merged {} shard folder(s), {n} points, into {}",
            a.inputs.len(),
            a.out.display()
        );
    }
    Ok(())
}
