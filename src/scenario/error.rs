//! Scenario errors: each names the file, the line and column, the key path,
//! what is allowed and, for a misspelt key, the likely intended one.

use std::fmt;

/// A scenario that cannot be used, with a message ready for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The complete, rendered message (file:line:col: key: problem; hint).
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl From<ScenarioError> for crate::error::Error {
    fn from(e: ScenarioError) -> Self {
        crate::error::Error::Input(e.message)
    }
}
