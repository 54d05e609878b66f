//! Stage two of loading: raw TOML → resolved [`Scenario`] (placeholder).

use super::{Scenario, ScenarioError};
use std::path::Path;

/// A `--set KEY=VALUE` override applied to the parsed document before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted key path, e.g. `program[Stamp card].stamps.card_size`.
    pub key: String,
    pub value: toml::Value,
}

/// Load and validate a scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let src = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        message: format!("{}: cannot read scenario: {e}", path.display()),
    })?;
    load_str(&src, Some(path))
}

/// Load and validate scenario text; `path` is used in messages and to resolve relative files.
pub fn load_str(src: &str, path: Option<&Path>) -> Result<Scenario, ScenarioError> {
    load_str_with_overrides(src, path, &[])
}

/// Load with `--set` overrides applied before validation.
pub fn load_str_with_overrides(
    _src: &str,
    _path: Option<&Path>,
    _overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    todo!("scenario loader")
}
