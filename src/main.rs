//! The `loyalsim` command: run, print the error, map it to an exit code.

fn main() {
    if let Err(e) = loyalsim::cli::run() {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
