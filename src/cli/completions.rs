//! `loyalsim completions SHELL`: print a tab-completion script for the shell.

use crate::error::Result;
use clap::CommandFactory;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(a: &CompletionsArgs) -> Result<()> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "loyalsim", &mut std::io::stdout());
    Ok(())
}
