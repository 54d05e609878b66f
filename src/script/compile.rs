//! Loading a script: the sandboxed engine (what scripts may not do, the
//! limits, the objects hooks receive), the script's `params` as Rhai values,
//! and compiling the script once per run, checking the hooks it defines.

use super::budget;
use super::ctx;
use super::engine::{HOOKS, RhaiHooks};
use super::errors::ScriptError;
use super::limits::{Limits, MAX_SCRIPT_BYTES};
use super::member;
use super::purchase;
use crate::model::scenario::TimeUnit;
use crate::programs::hooks::HooksRef;
use rhai::{Array, Dynamic, Engine, INT, Map};
use std::path::Path;
use std::sync::Arc;

/// The sandboxed engine (module doc of `engine.rs`).
fn sandbox(lim: &Limits) -> Engine {
    // Built without modules (`no_module`): no `import`, and function
    // look-ups skip the imported-module search (about 2 % of a scripted run).
    let mut e = Engine::new();
    e.disable_symbol("eval");
    e.disable_symbol("import");
    e.disable_symbol("curry");
    e.on_print(|_| {});
    e.on_debug(|_, _, _| {});
    // Count every operation, comparators and other callbacks included.
    e.on_progress(|_| budget::tick().map(|_| Dynamic::UNIT));
    e.set_max_operations(lim.max_operations);
    e.set_max_call_levels(lim.max_call_levels);
    e.set_max_expr_depths(lim.max_expr_depth, lim.max_expr_depth);
    e.set_max_string_size(lim.max_string_size);
    e.set_max_array_size(lim.max_array_size);
    e.set_max_map_size(lim.max_map_size);
    member::register(&mut e);
    purchase::register(&mut e);
    ctx::register(&mut e);
    super::sort::register(&mut e);
    e
}

/// TOML `params` as a Rhai value.
fn to_dynamic(v: &toml::Value) -> Dynamic {
    match v {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => Dynamic::from(*i as INT),
        toml::Value::Float(f) => Dynamic::from_float(*f),
        toml::Value::Boolean(b) => Dynamic::from_bool(*b),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => Dynamic::from_array(a.iter().map(to_dynamic).collect::<Array>()),
        toml::Value::Table(t) => Dynamic::from_map(table(t)),
    }
}

fn table(t: &toml::Table) -> Map {
    t.iter()
        .map(|(k, v)| (k.as_str().into(), to_dynamic(v)))
        .collect()
}

/// Compile `source` (from `file`) with the default limits. Errors render
/// as `FILE:LINE:COL: ...`.
pub fn compile(
    file: &Path,
    source: &str,
    params: &toml::Table,
    time_unit: TimeUnit,
) -> Result<HooksRef, ScriptError> {
    RhaiHooks::new(file, source, params, time_unit, Limits::default())
        .map(|h| HooksRef(Arc::new(h)))
}

impl RhaiHooks {
    /// Compile a script; fails on a syntax error or a hook with the wrong
    /// number of parameters.
    pub fn new(
        file: &Path,
        source: &str,
        params: &toml::Table,
        time_unit: TimeUnit,
        limits: Limits,
    ) -> Result<RhaiHooks, ScriptError> {
        if source.len() > MAX_SCRIPT_BYTES {
            return Err(ScriptError::too_large(file, source.len(), MAX_SCRIPT_BYTES));
        }
        let mut engine = sandbox(&limits);
        let params = table(params);
        ctx::register_params(&mut engine, &params);
        let ast = engine
            .compile(source)
            .map_err(|e| ScriptError::syntax(file, source, &e, &limits))?;
        // The string interner is one lock shared by all threads; at run time
        // it only costs contention.
        engine.set_max_strings_interned(0);
        let mut has = [false; 6];
        let mut pos = [rhai::Position::NONE; 6];
        for f in ast.iter_functions() {
            if let Some(i) = HOOKS.iter().position(|h| h.0 == f.name) {
                if f.params.len() != HOOKS[i].1 {
                    let pos = find_fn(source, f.name);
                    return Err(ScriptError::definition(
                        file,
                        pos,
                        format!(
                            "hook `{}` takes {} parameters {}, found {}",
                            f.name,
                            HOOKS[i].1,
                            HOOKS[i].2,
                            f.params.len()
                        ),
                    ));
                }
                has[i] = true;
                pos[i] = find_fn(source, f.name);
            }
        }
        let direct =
            super::direct::Direct::new(&ast, &HOOKS.map(|h| h.0), &params, limits.max_map_size);
        Ok(RhaiHooks {
            engine,
            ast,
            direct,
            file: file.to_path_buf(),
            limits,
            has,
            pos,
            params,
            time_unit: time_unit.as_str().into(),
            memo: true,
        })
    }

    /// The same hooks without kept results: every hook runs at every
    /// event. Results are the same either way (tests/scripts.rs checks it);
    /// this is for that check and for measuring what keeping saves.
    pub fn without_memo(mut self) -> RhaiHooks {
        self.memo = false;
        self
    }

    /// The same hooks, all run in Rhai (none evaluated directly,
    /// `direct/mod.rs`). Results are the same either way (tests/scripts.rs
    /// checks it); this is for that check and for measuring.
    pub fn without_direct(mut self) -> RhaiHooks {
        self.direct = super::direct::Direct::default();
        self
    }

    /// The same hooks, every direct call checked against Rhai: a call whose
    /// answer, effects, inputs read or operations differ panics (tests).
    pub fn checking_direct(mut self) -> RhaiHooks {
        self.direct.check = true;
        self
    }

    /// The same hooks, where every direct call's first check counts as a
    /// disagreement with Rhai (tests of what a disagreement does).
    pub fn disagreeing_direct(mut self) -> RhaiHooks {
        self.direct.disagree = true;
        self
    }

    /// The hooks evaluated directly, by name (not those given up after a
    /// disagreement with Rhai).
    pub fn direct_hooks(&self) -> Vec<&'static str> {
        (0..6)
            .filter(|&i| self.direct.bodies[i].is_some() && !self.direct.paths[i].given_up())
            .map(|i| HOOKS[i].0)
            .collect()
    }
}

/// Position of `fn NAME` in the source, for definition errors.
fn find_fn(source: &str, name: &str) -> rhai::Position {
    let pat = format!("fn {name}");
    for (i, line) in source.lines().enumerate() {
        if let Some(c) = line.find(&pat)
            && !line[..c].contains("//")
            && line[c + pat.len()..].trim_start().starts_with('(')
        {
            let l = u16::try_from(i + 1).unwrap_or(u16::MAX);
            return rhai::Position::new(l, u16::try_from(c + 1).unwrap_or(u16::MAX));
        }
    }
    rhai::Position::NONE
}
