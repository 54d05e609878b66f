//! The sandbox's limits and the bounds on what a script may hand back: types
//! shared by the engine (which applies them) and `errors.rs` (which names
//! them in messages), kept here so neither imports the other.

use super::budget::Budget;
use rhai::INT;

/// The largest script accepted, in bytes: compiling is superlinear in the
/// number of functions and variables (8,000 functions take about 0.4 s,
/// 40,000 over a minute), and no loyalty rule needs more.
pub const MAX_SCRIPT_BYTES: usize = crate::input::SCRIPT.max_bytes as usize;

/// The most stamps a script may put on a member's card: far above any card,
/// and far from the integer overflow a built-in card's next stamp would hit.
pub const MAX_STAMPS: INT = 1_000_000;
/// The largest points balance a script may set: far above any real
/// balance, and small enough that sums of many balances stay finite.
pub const MAX_POINTS: f64 = 1e12;

/// The sandbox limits (per hook call) and the operations budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_operations: u64,
    pub max_call_levels: usize,
    pub max_expr_depth: usize,
    pub max_string_size: usize,
    pub max_array_size: usize,
    pub max_map_size: usize,
    pub budget: Budget,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 1_000_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_string_size: 10_000,
            // Rhai walks a whole array or map (nested ones included) after
            // every function call that returns or changes it, so an
            // operation on one costs time in proportion to its size.
            max_array_size: 1_000,
            max_map_size: 1_000,
            budget: Budget::default(),
        }
    }
}
