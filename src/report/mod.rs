//! The shell's output side: the terminal table, JSON and CSV exports, and
//! atomic file writing.

pub mod csv;
pub mod format;
pub mod output;
pub mod table;

use crate::stats::Results;

/// The results document as pretty JSON (deterministic for identical results).
pub fn json(r: &Results) -> String {
    let mut s =
        serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
