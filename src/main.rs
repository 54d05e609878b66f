//! The `loyalsim` command: run, print the error, map it to an exit code.

fn main() {
    restore_sigpipe();
    if let Err(e) = loyalsim::cli::run() {
        // A closed stdout (`loyalsim run --format json | head -1`) is not
        // an error to report: whoever closed it has what they wanted.
        if !matches!(e, loyalsim::error::Error::Closed) {
            eprintln!("error: {}", loyalsim::input::for_terminal(&e.to_string()));
        }
        std::process::exit(e.exit_code());
    }
}

/// End quietly when the reader of stdout goes away (`loyalsim run ... | head`),
/// as other command-line tools do, instead of panicking on the failed write:
/// the Rust runtime ignores SIGPIPE, so restore the default action.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists;
    // SIG_DFL is a valid action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
