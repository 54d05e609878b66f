//! Script errors, classified and rendered as `FILE:LINE:COL: kind: detail`:
//! a syntax error (at load time), the script's own `throw`, a limit exceeded
//! (naming the limit and its value), or any other runtime error (type
//! mismatch, missing property or function, arithmetic error).

use super::budget::Budget;
use super::engine::Limits;
use rhai::{EvalAltResult, ParseError, Position};
use std::path::Path;
use std::time::Duration;

fn at(file: &Path, pos: Position) -> String {
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", file.display()),
        (Some(l), None) => format!("{}:{l}:1", file.display()),
        _ => format!("{}:1:1", file.display()),
    }
}

/// A syntax error found when compiling `source`.
pub fn syntax(file: &Path, source: &str, e: &ParseError, lim: &Limits) -> String {
    let word = |w: &str| {
        let (Some(l), Some(c)) = (e.position().line(), e.position().position()) else {
            return false;
        };
        source
            .lines()
            .nth(l - 1)
            .and_then(|line| line.get(c - 1..))
            .is_some_and(|rest| rest.starts_with(w))
    };
    let detail = match e.err_type() {
        _ if word("curry") => "`curry` is not available in loyalsim scripts: each curried value \
                               copies all the earlier ones, a cost the operations budget cannot \
                               see; pass the values as function arguments instead"
            .to_string(),
        rhai::ParseErrorType::ExprTooDeep => format!(
            "expression nested too deeply (limit max_expr_depth = {})",
            lim.max_expr_depth
        ),
        t => t.to_string(),
    };
    format!("{}: syntax error: {detail}", at(file, e.position()))
}

/// A hook definition problem found when compiling (wrong parameter count).
pub fn definition(file: &Path, pos: Position, msg: &str) -> String {
    format!("{}: {msg}", at(file, pos))
}

/// An error raised while running hook `hook`.
///
/// Rhai reports limit errors at the position of the outermost call, which a
/// host call does not have; those are reported at the hook's `fn` line
/// (`hook_pos`).
pub fn runtime(
    file: &Path,
    hook: &str,
    hook_pos: Position,
    e: &EvalAltResult,
    lim: &Limits,
) -> String {
    let (e, mut pos) = innermost(e);
    let detail = match e {
        EvalAltResult::ErrorRuntime(v, _) => format!("script error (throw): {v}"),
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "limit exceeded: too many operations in one hook call (max_operations = {}); is there a loop that never ends?",
            lim.max_operations
        ),
        EvalAltResult::ErrorStackOverflow(_) => format!(
            "limit exceeded: function calls nested too deeply (max_call_levels = {}); is there a recursion that never ends?",
            lim.max_call_levels
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => {
            let (name, v) = if what.contains("string") || what.contains("String") {
                ("max_string_size", lim.max_string_size)
            } else if what.contains("rray") {
                ("max_array_size", lim.max_array_size)
            } else if what.contains("map") || what.contains("Map") {
                ("max_map_size", lim.max_map_size)
            } else {
                ("size", 0)
            };
            format!("limit exceeded: {what} too large ({name} = {v})")
        }
        EvalAltResult::ErrorFunctionNotFound(f, _) if f.contains('(') => {
            format!("runtime error: type mismatch or unknown function: no `{f}`")
        }
        EvalAltResult::ErrorTooManyVariables(_) => {
            "limit exceeded: too many variables (max_variables)".to_string()
        }
        other => format!("runtime error: {}", flat(other)),
    };
    if pos.is_none() {
        pos = hook_pos;
    }
    format!("{}: {detail} (in {hook})", at(file, pos))
}

/// The innermost error of a chain of function calls, and the position
/// inside the script closest to it.
fn innermost(e: &EvalAltResult) -> (&EvalAltResult, Position) {
    let mut e = e;
    let mut pos = e.position();
    while let EvalAltResult::ErrorInFunctionCall(_, _, inner, p) = e {
        if !p.is_none() {
            pos = *p;
        }
        e = inner;
        if !e.position().is_none() {
            pos = e.position();
        }
    }
    (e, pos)
}

/// Where in the script `e` happened (`fallback` if Rhai does not say).
pub fn position(e: &EvalAltResult, fallback: Position) -> Position {
    let (_, pos) = innermost(e);
    if pos.is_none() { fallback } else { pos }
}

/// Why a hook call was stopped by loyalsim's own meter (`budget.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// More than `max_operations` in one call (callbacks included).
    Call(u64),
    /// The member's hooks used more than their allowance.
    Member {
        ops: u64,
        calls: u64,
        budget: Budget,
    },
    /// The wall-clock guard.
    Wall(Duration),
}

/// A hook call stopped at `pos` for `why`.
pub fn stopped(file: &Path, hook: &str, pos: Position, why: Stop) -> String {
    let detail = match why {
        Stop::Call(max) => format!(
            "limit exceeded: too many operations in one hook call (max_operations = {max}); \
             is there a loop that never ends?"
        ),
        Stop::Member { ops, calls, budget } => format!(
            "limit exceeded: operations budget: this member's hooks used {ops} operations in \
             {calls} calls, more than {} per call on average plus {} (docs/scripting.md, \
             \"Operations budget\"); does a loop do more work than it needs?",
            budget.per_call, budget.reserve
        ),
        Stop::Wall(d) => format!(
            "stopped by the wall-clock guard: one hook call ran for more than {} s. this guard \
             is a last resort and depends on this machine's speed; the operations budget did not \
             stop the call, so it probably spends its time on large arrays, maps or strings",
            d.as_secs_f64()
        ),
    };
    format!("{}: {detail} (in {hook})", at(file, pos))
}

/// Rhai's message without its trailing position.
fn flat(e: &EvalAltResult) -> String {
    let s = e.to_string();
    match s.rfind(" (line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// A value a hook returned or set that the engine cannot use.
pub fn bad_value(file: &Path, hook: &str, msg: &str) -> String {
    format!("{}: {msg} (in {hook})", file.display())
}
