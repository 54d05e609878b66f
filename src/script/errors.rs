//! Script errors, typed by class and rendered as `FILE:LINE:COL: kind: detail`:
//! the script too large, a syntax error or a hook defined with the wrong
//! parameters (at load time); the script's own `throw`, a limit exceeded
//! (naming the limit and its value), any other runtime error (type mismatch,
//! missing property or function, arithmetic error), or a value a hook
//! returned or set that the engine cannot use (at run time).
//!
//! [`ScriptError`] is what the script bridge produces; the core sees it as a
//! [`HookError`] holding the rendered message.

use super::budget::Budget;
use super::limits::Limits;
use crate::programs::hooks::HookError;
use rhai::{EvalAltResult, ParseError, Position};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A script error: where it happened and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptError {
    /// The script file.
    pub file: PathBuf,
    /// Line and column (1-based) of the cause, when the class has one: a
    /// position Rhai does not give is shown as `1:1`.
    pub at: Option<(usize, usize)>,
    /// The hook that was running (run-time errors).
    pub hook: Option<&'static str>,
    pub kind: ErrorKind,
}

/// The classes of script error.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// The script is larger than scripts may be (bytes, limit).
    TooLarge { bytes: usize, max: usize },
    /// The script does not parse.
    Syntax(String),
    /// A hook is defined with the wrong parameters.
    Definition(String),
    /// The script's own `throw`, with the thrown value.
    Throw(String),
    /// A limit of the sandbox or the operations budget was exceeded.
    Limit(Limit),
    /// Any other error raised while a hook ran.
    Runtime(String),
    /// A hook returned or set a value the engine cannot use.
    BadValue(String),
    /// A hook state that this script's hooks did not create.
    ForeignState,
}

/// Which limit stopped a hook call.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// Too many operations in one call (`max_operations`).
    Operations { max: u64 },
    /// Calls nested too deeply (`max_call_levels`).
    CallLevels { max: usize },
    /// A string, array or map grew too large: what Rhai said, the limit's
    /// name and value.
    DataSize {
        what: String,
        name: &'static str,
        max: usize,
    },
    /// Too many variables (`max_variables`).
    Variables,
    /// The member's hooks used more than their operations allowance.
    MemberBudget {
        ops: u64,
        calls: u64,
        budget: Budget,
    },
    /// The wall-clock guard (the last resort).
    Wall(Duration),
}

/// Line and column of `pos`, as they are rendered (`1:1` when Rhai gives
/// none, column 1 when it gives only the line).
fn line_col(pos: Position) -> (usize, usize) {
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => (l, c),
        (Some(l), None) => (l, 1),
        _ => (1, 1),
    }
}

impl ScriptError {
    fn new(
        file: &Path,
        pos: Option<Position>,
        hook: Option<&'static str>,
        kind: ErrorKind,
    ) -> Self {
        ScriptError {
            file: file.to_path_buf(),
            at: pos.map(line_col),
            hook,
            kind,
        }
    }

    /// A script of `bytes` bytes, over the limit of `max`.
    pub fn too_large(file: &Path, bytes: usize, max: usize) -> Self {
        Self::new(file, None, None, ErrorKind::TooLarge { bytes, max })
    }

    /// A syntax error found when compiling `source`.
    pub fn syntax(file: &Path, source: &str, e: &ParseError, lim: &Limits) -> Self {
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
            _ if word("curry") => "`curry` is not available in loyalsim scripts: each curried \
                                   value copies all the earlier ones, a cost the operations \
                                   budget cannot see; pass the values as function arguments \
                                   instead"
                .to_string(),
            rhai::ParseErrorType::ExprTooDeep => format!(
                "expression nested too deeply (limit max_expr_depth = {})",
                lim.max_expr_depth
            ),
            t => t.to_string(),
        };
        Self::new(file, Some(e.position()), None, ErrorKind::Syntax(detail))
    }

    /// A hook definition problem found when compiling (wrong parameter count).
    pub fn definition(file: &Path, pos: Position, msg: String) -> Self {
        Self::new(file, Some(pos), None, ErrorKind::Definition(msg))
    }

    /// An error raised while running hook `hook`.
    ///
    /// Rhai reports limit errors at the position of the outermost call, which a
    /// host call does not have; those are reported at the hook's `fn` line
    /// (`hook_pos`).
    pub fn runtime(
        file: &Path,
        hook: &'static str,
        hook_pos: Position,
        e: &EvalAltResult,
        lim: &Limits,
    ) -> Self {
        let (e, mut pos) = innermost(e);
        let kind = match e {
            EvalAltResult::ErrorRuntime(v, _) => ErrorKind::Throw(v.to_string()),
            EvalAltResult::ErrorTooManyOperations(_) => ErrorKind::Limit(Limit::Operations {
                max: lim.max_operations,
            }),
            EvalAltResult::ErrorStackOverflow(_) => ErrorKind::Limit(Limit::CallLevels {
                max: lim.max_call_levels,
            }),
            EvalAltResult::ErrorDataTooLarge(what, _) => {
                let (name, max) = if what.contains("string") || what.contains("String") {
                    ("max_string_size", lim.max_string_size)
                } else if what.contains("rray") {
                    ("max_array_size", lim.max_array_size)
                } else if what.contains("map") || what.contains("Map") {
                    ("max_map_size", lim.max_map_size)
                } else {
                    ("size", 0)
                };
                ErrorKind::Limit(Limit::DataSize {
                    what: what.clone(),
                    name,
                    max,
                })
            }
            EvalAltResult::ErrorFunctionNotFound(f, _) if f.contains('(') => {
                ErrorKind::Runtime(format!("type mismatch or unknown function: no `{f}`"))
            }
            EvalAltResult::ErrorTooManyVariables(_) => ErrorKind::Limit(Limit::Variables),
            other => ErrorKind::Runtime(flat(other)),
        };
        if pos.is_none() {
            pos = hook_pos;
        }
        Self::new(file, Some(pos), Some(hook), kind)
    }

    /// A hook call stopped at `pos` by loyalsim's own meter (`budget.rs`).
    pub fn stopped(file: &Path, hook: &'static str, pos: Position, why: Limit) -> Self {
        Self::new(file, Some(pos), Some(hook), ErrorKind::Limit(why))
    }

    /// A value hook `hook` returned or set that the engine cannot use.
    pub fn bad_value(file: &Path, hook: &'static str, msg: String) -> Self {
        Self::new(file, None, Some(hook), ErrorKind::BadValue(msg))
    }

    /// A hook state this script's hooks did not create.
    pub fn foreign_state(file: &Path) -> Self {
        Self::new(file, None, None, ErrorKind::ForeignState)
    }
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

/// Rhai's message without its trailing position.
fn flat(e: &EvalAltResult) -> String {
    let s = e.to_string();
    match s.rfind(" (line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Operations { max } => write!(
                f,
                "limit exceeded: too many operations in one hook call (max_operations = {max}); \
                 is there a loop that never ends?"
            ),
            Limit::CallLevels { max } => write!(
                f,
                "limit exceeded: function calls nested too deeply (max_call_levels = {max}); is \
                 there a recursion that never ends?"
            ),
            Limit::DataSize { what, name, max } => {
                write!(f, "limit exceeded: {what} too large ({name} = {max})")
            }
            Limit::Variables => f.write_str("limit exceeded: too many variables (max_variables)"),
            Limit::MemberBudget { ops, calls, budget } => write!(
                f,
                "limit exceeded: operations budget: this member's hooks used {ops} operations in \
                 {calls} calls, more than {} per call on average plus {} (docs/scripting.md, \
                 \"Operations budget\"); does a loop do more work than it needs?",
                budget.per_call, budget.reserve
            ),
            Limit::Wall(d) => write!(
                f,
                "stopped by the wall-clock guard: one hook call ran for more than {} s. this \
                 guard is a last resort and depends on this machine's speed; the operations \
                 budget did not stop the call, so it probably spends its time on large arrays, \
                 maps or strings",
                d.as_secs_f64()
            ),
        }
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ErrorKind::ForeignState = self.kind {
            return f.write_str("internal error: foreign hook state");
        }
        write!(f, "{}", self.file.display())?;
        if let Some((l, c)) = self.at {
            write!(f, ":{l}:{c}")?;
        }
        match &self.kind {
            ErrorKind::TooLarge { bytes, max } => write!(
                f,
                ": the script is {bytes} bytes; scripts are limited to {} (compiling a larger \
                 one could take minutes)",
                crate::input::bytes(*max as u64)
            )?,
            ErrorKind::Syntax(d) => write!(f, ": syntax error: {d}")?,
            ErrorKind::Definition(d) | ErrorKind::BadValue(d) => write!(f, ": {d}")?,
            ErrorKind::Throw(v) => write!(f, ": script error (throw): {v}")?,
            ErrorKind::Limit(l) => write!(f, ": {l}")?,
            ErrorKind::Runtime(d) => write!(f, ": runtime error: {d}")?,
            ErrorKind::ForeignState => {}
        }
        match self.hook {
            Some(h) => write!(f, " (in {h})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for ScriptError {}

/// The core sees a script error as its rendered message.
impl From<ScriptError> for HookError {
    fn from(e: ScriptError) -> Self {
        HookError(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::TimeUnit;
    use crate::script::RhaiHooks;
    use crate::script::limits::MAX_SCRIPT_BYTES;

    fn load(src: &str) -> ScriptError {
        let table = toml::Table::new();
        let lim = Limits::default();
        match RhaiHooks::new(Path::new("t.rhai"), src, &table, TimeUnit::Week, lim) {
            Ok(_) => panic!("{src} loaded"),
            Err(e) => e,
        }
    }

    #[test]
    fn load_time_errors_are_typed_and_rendered_at_their_position() {
        let e = load("\n  fn incentive(member) { 1 }");
        let msg = "hook `incentive` takes 2 parameters (member, ctx), found 1";
        assert_eq!(e.kind, ErrorKind::Definition(msg.into()));
        assert_eq!((e.at, e.hook), (Some((2, 3)), None));
        assert_eq!(e.to_string(), format!("t.rhai:2:3: {msg}"));

        let e = load("fn on_enrol(member, ctx) {\n let x = ; }");
        assert!(matches!(e.kind, ErrorKind::Syntax(_)), "{e:?}");
        assert_eq!(e.at.map(|a| a.0), Some(2));
        assert!(e.to_string().starts_with("t.rhai:2:"), "{e}");
        assert!(e.to_string().contains(": syntax error: "), "{e}");

        // No modules in the language (Rhai is built without them): `import`
        // and `::` paths are refused when the script is loaded.
        let e = load("import \"x\" as x;\nfn on_enrol(member, ctx) { }");
        assert_eq!(
            e.to_string(),
            "t.rhai:1:1: syntax error: reserved keyword 'import' is disabled"
        );
        let e = load("fn on_enrol(member, ctx) {\n member.stamps = global::X; }");
        assert!(matches!(e.kind, ErrorKind::Syntax(_)), "{e:?}");
        assert!(e.to_string().starts_with("t.rhai:2:"), "{e}");

        let e = load(&" ".repeat(MAX_SCRIPT_BYTES + 1));
        let bytes = MAX_SCRIPT_BYTES + 1;
        assert_eq!(
            e.kind,
            ErrorKind::TooLarge {
                bytes,
                max: MAX_SCRIPT_BYTES
            }
        );
        assert_eq!(e.at, None);
        assert!(
            e.to_string()
                .starts_with(&format!("t.rhai: the script is {bytes} bytes;")),
            "{e}"
        );
    }

    #[test]
    fn run_time_errors_are_typed_by_class() {
        let file = Path::new("t.rhai");
        let lim = Limits::default();
        let fn_line = Position::new(7, 1);
        let run = |e: EvalAltResult| ScriptError::runtime(file, "on_enrol", fn_line, &e, &lim);

        let e = run(EvalAltResult::ErrorRuntime(
            "no".into(),
            Position::new(3, 5),
        ));
        assert_eq!(e.kind, ErrorKind::Throw("no".into()));
        assert_eq!((e.at, e.hook), (Some((3, 5)), Some("on_enrol")));
        assert_eq!(
            e.to_string(),
            "t.rhai:3:5: script error (throw): no (in on_enrol)"
        );

        // Limits without a position are reported at the hook's `fn` line.
        let e = run(EvalAltResult::ErrorTooManyOperations(Position::NONE));
        assert_eq!(
            e.kind,
            ErrorKind::Limit(Limit::Operations {
                max: lim.max_operations
            })
        );
        assert_eq!(e.at, Some((7, 1)));

        let e = run(EvalAltResult::ErrorDataTooLarge(
            "Size of string".into(),
            Position::new(2, 9),
        ));
        assert!(
            matches!(
                e.kind,
                ErrorKind::Limit(Limit::DataSize {
                    name: "max_string_size",
                    ..
                })
            ),
            "{e:?}"
        );

        let e = run(EvalAltResult::ErrorArithmetic(
            "Division by zero".into(),
            Position::new(4, 2),
        ));
        assert!(matches!(e.kind, ErrorKind::Runtime(_)), "{e:?}");
        assert!(
            e.to_string().starts_with("t.rhai:4:2: runtime error: "),
            "{e}"
        );

        let e = ScriptError::bad_value(file, "incentive", "returned a string".into());
        assert_eq!(e.at, None);
        assert_eq!(e.to_string(), "t.rhai: returned a string (in incentive)");
        let e: HookError = e.into();
        assert_eq!(e.0, "t.rhai: returned a string (in incentive)");
    }
}
