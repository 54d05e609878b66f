//! Hooks evaluated directly, without Rhai's interpreter, when they stay
//! within a part of the language whose meaning is reproduced here exactly:
//! numbers, booleans and strings; `let`, assignment, `if`/`else`,
//! `return`; the arithmetic and comparison operators; `&&`, `||`, `!`; the
//! members' and purchases' properties and methods, `ctx.time`,
//! `ctx.params.*`, `ctx.response.*`; a map literal of the keys an
//! `incentive` map may hold as the result; and
//! `to_float`, `to_int`, `floor`, `ceiling`, `round`, `int`, `fraction`,
//! `sqrt`, `exp`, `ln`; `member.state` entries, read and set. A hook using
//! anything else (loops, `member.state` as a whole, `ctx.random()`,
//! functions of its own, arrays, ...) runs in Rhai as before.
//!
//! Why this is exact:
//! - Values: integers with Rhai's checked arithmetic, floats with Rhai's
//!   operators, including its comparisons of floats within a relative
//!   epsilon (copied from Rhai's built-ins, `eval.rs`). Any case Rhai
//!   reports as an error (an overflow, a division by zero, a type Rhai has
//!   no built-in operator for, a missing `params` entry, `throw`) is not
//!   decided here: the call is handed to Rhai ([`Outcome`] is `None`),
//!   which reports it as usual. Nothing is written to the member before a
//!   direct call has finished, so handing it over leaves no trace.
//! - Operations: the budget counts Rhai's operations, which depend only on
//!   the path a call takes through the hook (every input a hook can read
//!   has a fixed type, so the types at each step follow from the path).
//!   The first call taking a path runs in Rhai, which counts its
//!   operations; they are kept with the path ([`Paths`]) and charged to
//!   every later call taking it. That first call also compares what Rhai
//!   returned and changed with what direct evaluation gave, and the path
//!   is only kept when they agree. Should they ever disagree (a defect of
//!   this module: the tests check every construct against Rhai), the hook
//!   is evaluated in Rhai alone from then on, so that no later call can
//!   take a direct answer that might be wrong.
//! - Results are the same bit for bit whether hooks are evaluated directly
//!   or not: tests/scripts.rs runs the bundled scripted scenarios both ways,
//!   and with every direct call checked against Rhai.

mod eval;
mod ir;
mod lower;

pub use eval::{Fixed, Inputs, Outcome, Path, run};
pub use ir::{Hook, V};

use rhai::{AST, Map};
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// The hooks of a script that are evaluated directly, and the operations
/// each path through them costs.
#[derive(Debug, Default)]
pub struct Direct {
    /// Per hook (in the order of `engine::HOOKS`).
    pub bodies: [Option<Hook>; 6],
    pub paths: [Paths; 6],
    /// Check every direct call against Rhai (tests).
    pub check: bool,
    /// Count every direct call's first check as a disagreement (tests of
    /// what a disagreement does).
    pub disagree: bool,
}

impl Direct {
    /// Lower every hook of `ast` that direct evaluation handles.
    pub fn new(ast: &AST, names: &[&str; 6], params: &Map, max_map_size: usize) -> Direct {
        Direct {
            bodies: names.map(|n| lower::hook(ast, n, params, max_map_size)),
            ..Direct::default()
        }
    }

    /// Which of the hooks `has` (by index) are evaluated directly, and why
    /// the others are not, in words for `validate`.
    pub fn summary(&self, ast: &AST, names: &[&str; 6], has: &[bool; 6]) -> String {
        let direct: Vec<&str> = (0..6)
            .filter(|&i| has[i] && self.bodies[i].is_some())
            .map(|i| names[i])
            .collect();
        let rhai: Vec<String> = (0..6)
            .filter(|&i| has[i] && self.bodies[i].is_none())
            .map(|i| format!("{} ({})", names[i], lower::why_not(ast, names[i])))
            .collect();
        let mut out = String::new();
        if !direct.is_empty() {
            out.push_str(&format!("evaluated directly: {}", direct.join(", ")));
        }
        if !rhai.is_empty() {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(&format!("run in Rhai: {}", rhai.join(", ")));
        }
        out
    }

    /// Whether any hook is evaluated directly.
    pub fn any(&self) -> bool {
        self.bodies.iter().any(Option::is_some)
    }
}

/// The paths through one hook seen so far, with the operations Rhai counted
/// on each (the same on every call taking the path); or none for good, once
/// a direct call and Rhai disagreed ([`Paths::give_up`]).
#[derive(Debug, Default)]
pub struct Paths {
    known: RwLock<Vec<(Path, u64)>>,
    given_up: AtomicBool,
}

impl Paths {
    /// The operations of path `p`, if a call has taken it in Rhai.
    pub fn ops(&self, p: Path) -> Option<u64> {
        let v = self.known.read().ok()?;
        v.iter().find(|(q, _)| *q == p).map(|(_, ops)| *ops)
    }

    /// Keep the operations Rhai counted on path `p`.
    pub fn add(&self, p: Path, ops: u64) {
        if let Ok(mut v) = self.known.write()
            && !v.iter().any(|(q, _)| *q == p)
        {
            v.push((p, ops));
        }
    }

    /// A direct call and Rhai disagreed: the hook runs in Rhai from now on.
    pub fn give_up(&self) {
        self.given_up.store(true, Relaxed);
    }

    /// Whether the hook runs in Rhai alone ([`Paths::give_up`]).
    pub fn given_up(&self) -> bool {
        self.given_up.load(Relaxed)
    }
}

#[cfg(test)]
mod tests;
