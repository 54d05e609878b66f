//! The two classes of failure the shell distinguishes: bad input (exit code 2)
//! and everything else (exit code 1). Every module's error converts into
//! [`Error`] so `main` can map it to an exit code in one place.

use std::fmt;

/// A failure, classified by who has to fix it.
#[derive(Debug)]
pub enum Error {
    /// The user's input (scenario, script, arguments, data file) is wrong.
    /// The message already names the file, position, key and the fix.
    Input(String),
    /// Anything else: I/O on output files, internal failures.
    Other(String),
    /// Standard output was closed before everything was written (a pipe
    /// into `head`): stop quietly with [`CLOSED_EXIT_CODE`].
    Closed,
}

/// Exit code when stdout is closed early: 128 + SIGPIPE, what a shell
/// reports for a program stopped by a closed pipe.
pub const CLOSED_EXIT_CODE: i32 = 141;

impl Error {
    /// A bad-input error with a ready message.
    pub fn input(msg: impl Into<String>) -> Self {
        Error::Input(msg.into())
    }
    /// Any other error with a ready message.
    pub fn other(msg: impl Into<String>) -> Self {
        Error::Other(msg.into())
    }
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Other(_) => 1,
            Error::Closed => CLOSED_EXIT_CODE,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) | Error::Other(m) => f.write_str(m),
            Error::Closed => f.write_str("standard output was closed"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Other(e.to_string())
    }
}

/// A simulation stops only for reasons in the scenario (a failing script
/// hook, a runaway purchase rate, an uncertain value drawn beyond the
/// largest number): bad input.
impl From<crate::engine::SimError> for Error {
    fn from(e: crate::engine::SimError) -> Self {
        Error::Input(e.to_string())
    }
}

/// Result alias used across the shell.
pub type Result<T, E = Error> = std::result::Result<T, E>;
