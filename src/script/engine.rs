//! One sandboxed `rhai::Engine` and the compiled AST of one script, shared by
//! all worker threads of a run (rhai's `sync` feature): no module resolver,
//! no `eval`, no `curry` (each curried argument copies all earlier ones: a
//! quadratic cost the operation count does not see), no clock (`no_time`),
//! `print`/`debug` discarded, limits on call depth, expression depth and
//! string, array and map sizes, a cap on the script's size (compiling costs
//! more than linear time), and the operations budget of `budget.rs`.
//!
//! Hooks are called with `call_fn_with_options(eval_ast(false))`, so the
//! script's top-level statements never run. A member's `member`, `purchase`
//! and `ctx` objects are shared handles created once when the member joins
//! and refreshed before each call: no allocation per call beyond Rhai's own.
//!
//! Speed (docs/scripting.md, "Speed"; `examples/hookcost.rs`): a call costs
//! 0.3–0.6 µs before the script does anything and each property read or
//! operator 0.2–0.4 µs, so the scripted stamp card (three calls per
//! purchase: about 2.5 + 5 + 2.5 µs) runs about 100× slower than the built-in one.
//! About 10 % of that is function resolution: every property read is a
//! native getter call, and `call_fn_with_options` starts each call with an
//! empty resolution cache that Rhai's public API does not let us keep. One
//! engine per thread (core-local reference counts) was measured and gave
//! nothing; skipping multiplier calls when nothing changed is not exact (a
//! hook may draw `ctx.random()` or change `member.state`).

use super::budget::{self, Budget, Trip};
use super::ctx::{self, CtxObj, Params, ResponseObj};
use super::errors;
use super::member::{self, MemberObj};
use super::memo::{self, Answer, Entry, Memo, Seen};
use super::purchase::{self, PurchaseObj};
use crate::model::rng::Stream;
use crate::model::scenario::TimeUnit;
use crate::programs::hooks::{
    CustomerInfo, HookError, HookState, Hooks, HooksRef, MemberFacts, PurchaseFacts,
    ScriptIncentive, Usage,
};
use rhai::{AST, Array, CallFnOptions, Dynamic, Engine, FuncArgs, INT, Map, Scope};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

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

const HOOKS: [(&str, usize, &str); 6] = [
    ("on_enrol", 2, "(member, ctx)"),
    ("on_purchase", 3, "(member, purchase, ctx)"),
    ("on_period", 2, "(member, ctx)"),
    ("purchase_rate_multiplier", 2, "(member, ctx)"),
    ("churn_multiplier", 2, "(member, ctx)"),
    ("incentive", 2, "(member, ctx)"),
];

/// A compiled script and its engine.
pub struct RhaiHooks {
    engine: Engine,
    ast: AST,
    file: PathBuf,
    limits: Limits,
    has: [bool; 6],
    /// Where each hook is defined (for errors without a position).
    pos: [rhai::Position; 6],
    /// `params`, copied into each member's `ctx` (a value shared across
    /// threads would make every access contend on one lock).
    params: Map,
    time_unit: rhai::ImmutableString,
    /// Whether hook results are kept per member and reused while what the
    /// hook read is unchanged (`memo.rs`; on unless switched off to check
    /// that it changes nothing).
    memo: bool,
}

/// Hook indices into [`HOOKS`].
const ON_ENROL: usize = 0;
const ON_PURCHASE: usize = 1;
const ON_PERIOD: usize = 2;
const RATE: usize = 3;
const CHURN: usize = 4;
const INCENTIVE: usize = 5;

/// One member's handles (see the module doc).
struct MemberHandles {
    member: Dynamic,
    purchase: Dynamic,
    ctx: Dynamic,
    /// The member's `ctx.params`, to check that no script replaced it
    /// through a shared handle (`memo.rs`).
    params: Arc<Map>,
    /// Operations and hook calls used so far (one thread at a time touches
    /// a member; atomics and the mutex only make the handles `Sync`).
    ops: AtomicU64,
    calls: AtomicU64,
    memo: Mutex<Memo>,
}

fn sandbox(lim: &Limits) -> Engine {
    let mut e = Engine::new();
    e.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
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

/// Compile `source` (from `file`) with the default limits. Errors are
/// rendered as `FILE:LINE:COL: ...`.
pub fn compile(
    file: &Path,
    source: &str,
    params: &toml::Table,
    time_unit: TimeUnit,
) -> Result<HooksRef, String> {
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
    ) -> Result<RhaiHooks, String> {
        if source.len() > MAX_SCRIPT_BYTES {
            return Err(format!(
                "{}: the script is {} bytes; scripts are limited to {} (compiling a larger one \
                 could take minutes)",
                file.display(),
                source.len(),
                crate::input::bytes(MAX_SCRIPT_BYTES as u64)
            ));
        }
        let mut engine = sandbox(&limits);
        let params = table(params);
        ctx::register_params(&mut engine, &params);
        let ast = engine
            .compile(source)
            .map_err(|e| errors::syntax(file, source, &e, &limits))?;
        // The string interner is one lock shared by all threads; at run time
        // it only costs contention.
        engine.set_max_strings_interned(0);
        let mut has = [false; 6];
        let mut pos = [rhai::Position::NONE; 6];
        for f in ast.iter_functions() {
            if let Some(i) = HOOKS.iter().position(|h| h.0 == f.name) {
                if f.params.len() != HOOKS[i].1 {
                    let pos = find_fn(source, f.name);
                    return Err(errors::definition(
                        file,
                        pos,
                        &format!(
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
        Ok(RhaiHooks {
            engine,
            ast,
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

    /// How many hook calls of the member with state `s` were answered from
    /// kept results (for tests and measurements).
    pub fn kept_answers(&self, s: &HookState) -> u64 {
        self.handles(s)
            .ok()
            .and_then(|h| h.memo.lock().ok().map(|m| m.kept_answers))
            .unwrap_or(0)
    }

    /// The kept answer of hook `i` for a member who now shows `seen`, if
    /// there is one that fits and its operations fit the budget (a call
    /// that would trip the budget runs for real, to report it). The answer
    /// is charged as the call it stands for: its operations and one call.
    fn recall(&self, i: usize, h: &MemberHandles, seen: &Seen) -> Option<Answer> {
        if !self.memo {
            return None;
        }
        let mut memo = h.memo.lock().ok()?;
        let e = memo.entries[i].as_ref().filter(|_| !memo.off)?;
        let state = h.member.read_lock::<MemberObj>()?.state.clone();
        if !e.fits(seen, &state) {
            return None;
        }
        let calls = h.calls.load(Relaxed) + 1;
        let used = h.ops.load(Relaxed);
        let (limit, _) = self.call_limit(calls, used);
        if e.ops > limit {
            return None;
        }
        let answer = e.answer;
        h.calls.store(calls, Relaxed);
        h.ops.store(used + e.ops, Relaxed);
        memo.kept_answers += 1;
        Some(answer)
    }

    /// After a call of hook `i` that ran, used `ops` operations and
    /// returned `answer`: keep it when it changed nothing and drew no
    /// random number, and check that the member's handles are intact.
    fn keep(&self, i: usize, h: &MemberHandles, seen: Seen, answer: Answer, ops: u64) {
        if !self.memo {
            return;
        }
        let Ok(mut memo) = h.memo.lock() else {
            return;
        };
        // What the objects noted: the inputs read, and TAINT for a setter,
        // a method with an effect or a random draw.
        let mut reads = memo::TAINT;
        let mut state = None;
        let mut state_changed = false;
        let mut intact = false;
        let mut d = h.member.clone();
        if let Some(mut w) = d.write_lock::<MemberObj>() {
            reads = w.reads;
            if reads & memo::STATE != 0 {
                // Copied at the first read (unless the hook's last call had
                // an effect), and unchanged by the call.
                match w.state_at_read.take() {
                    Some(Some(s)) if memo::state_is(&w.state, &s) => state = Some(s),
                    Some(_) => state_changed = true,
                    None => {}
                }
            }
            w.state_at_read = None;
            if let Some(c) = h.ctx.read_lock::<CtxObj>() {
                reads |= c.reads;
                intact = c
                    .params
                    .read_lock::<Params>()
                    .is_some_and(|p| Arc::ptr_eq(&p.0, &h.params))
                    && c.response.is::<ResponseObj>();
            }
        }
        if i == ON_PURCHASE {
            match h.purchase.read_lock::<PurchaseObj>() {
                Some(p) => reads |= p.reads,
                None => intact = false,
            }
        }
        memo.wrote[i] = reads & memo::TAINT != 0 || state_changed;
        if !intact {
            memo.off = true;
            memo.entries = Default::default();
            return;
        }
        let keepable = reads & memo::TAINT == 0 && (reads & memo::STATE == 0 || state.is_some());
        memo.entries[i] = keepable.then_some(Entry {
            reads,
            seen,
            state,
            answer,
            ops,
        });
    }

    /// The operations a call may use, and which bound that is, for a member
    /// who has made `calls` calls (this one included) using `used`.
    fn call_limit(&self, calls: u64, used: u64) -> (u64, Trip) {
        let left = self.limits.budget.allowance(calls).saturating_sub(used);
        if left < self.limits.max_operations {
            (left, Trip::Member)
        } else {
            (self.limits.max_operations, Trip::Call)
        }
    }

    /// Call hook `i` for the member `h` within its operations budget;
    /// returns what it returned and the operations it used.
    fn call(
        &self,
        h: &MemberHandles,
        i: usize,
        args: impl FuncArgs,
    ) -> Result<(Dynamic, u64), HookError> {
        let name = HOOKS[i].0;
        let b = &self.limits.budget;
        let calls = h.calls.load(Relaxed) + 1;
        let used = h.ops.load(Relaxed);
        let (limit, bound) = self.call_limit(calls, used);
        let mut scope = Scope::new();
        let (r, u) = budget::metered(limit, bound, b.wall_per_call, || {
            self.engine.call_fn_with_options::<Dynamic>(
                CallFnOptions::new().eval_ast(false).rewind_scope(false),
                &mut scope,
                &self.ast,
                name,
                args,
            )
        });
        h.calls.store(calls, Relaxed);
        h.ops.store(used + u.ops, Relaxed);
        let at = self.pos[i];
        if let Some(trip) = u.tripped {
            // Also when the call returned normally: the trip may have been
            // inside a callback whose error Rhai dropped.
            let pos = r.as_ref().err().map_or(at, |e| errors::position(e, at));
            let why = match trip {
                Trip::Call => errors::Stop::Call(self.limits.max_operations),
                Trip::Member => errors::Stop::Member {
                    ops: used + u.ops,
                    calls,
                    budget: *b,
                },
                Trip::Wall => errors::Stop::Wall(b.wall_per_call),
            };
            return Err(HookError(errors::stopped(&self.file, name, pos, why)));
        }
        r.map(|v| (v, u.ops))
            .map_err(|e| HookError(errors::runtime(&self.file, name, at, &e, &self.limits)))
    }

    fn handles<'a>(&self, s: &'a HookState) -> Result<&'a MemberHandles, HookError> {
        s.0.downcast_ref::<MemberHandles>()
            .ok_or_else(|| HookError("internal error: foreign hook state".into()))
    }

    /// Refresh the member handle from `m` and the ctx's time, and clear
    /// what the last call read.
    fn load(&self, h: &MemberHandles, m: &MemberFacts, t: f64) {
        self.load_for(None, h, m, t)
    }

    /// [`RhaiHooks::load`] before a call of hook `i`: the call copies
    /// `member.state` when it first reads it (to keep its result) unless the
    /// hook's last call had an effect, which hooks that write keep having
    /// (the copy would be wasted).
    fn load_for(&self, i: Option<usize>, h: &MemberHandles, m: &MemberFacts, t: f64) {
        let copy_state = self.memo
            && i.is_some_and(|i| h.memo.lock().is_ok_and(|memo| !memo.wrote[i] && !memo.off));
        let mut d = h.member.clone();
        if let Some(mut w) = d.write_lock::<MemberObj>() {
            w.memo = copy_state;
            w.purchases = m.purchases as INT;
            w.spend = m.spend;
            w.tenure = m.tenure;
            w.points = m.points;
            w.stamps = m.stamps;
            w.reads = 0;
            w.state_at_read = None;
        }
        let mut c = h.ctx.clone();
        if let Some(mut w) = c.write_lock::<CtxObj>() {
            w.time = t;
            w.reads = 0;
        }
    }

    /// Copy what the script may change back into `m`, refusing values the
    /// engine cannot book (see [`MAX_STAMPS`], [`MAX_POINTS`]) and a
    /// `member.state` grown past `max_map_size` (Rhai checks a map's size
    /// when it is next passed to a function, not when it is indexed into).
    fn store(&self, h: &MemberHandles, m: &mut MemberFacts, hook: &str) -> Result<(), HookError> {
        if let Some(r) = h.member.read_lock::<MemberObj>() {
            let bad = |msg: String| Err(HookError(errors::bad_value(&self.file, hook, &msg)));
            self.check_wallet(r.points, r.stamps, hook)?;
            let entries = r.state.read_lock::<Map>().map_or(0, |st| st.len());
            if entries > self.limits.max_map_size {
                return bad(format!(
                    "member.state holds {entries} entries; the limit is {} (max_map_size)",
                    self.limits.max_map_size
                ));
            }
            m.points = r.points;
            m.stamps = r.stamps;
        }
        Ok(())
    }

    /// The check of [`RhaiHooks::store`] on the points and stamps a hook
    /// leaves (also made for a kept call, which leaves what it was given).
    fn check_wallet(&self, points: f64, stamps: INT, hook: &str) -> Result<(), HookError> {
        let bad = |msg: String| Err(HookError(errors::bad_value(&self.file, hook, &msg)));
        if !(points.is_finite() && (0.0..=MAX_POINTS).contains(&points)) {
            return bad(format!(
                "member.points set to {}; expected a number from 0 to {MAX_POINTS:e}",
                crate::input::excerpt(&points.to_string(), 24)
            ));
        }
        if !(0..=MAX_STAMPS).contains(&stamps) {
            return bad(format!(
                "member.stamps set to {stamps}; expected a whole number from 0 to {MAX_STAMPS}"
            ));
        }
        Ok(())
    }

    fn multiplier(
        &self,
        i: usize,
        s: &HookState,
        m: &MemberFacts,
        t: f64,
    ) -> Result<f64, HookError> {
        let h = self.handles(s)?;
        let seen = Seen::new(m, t, None);
        if let Some(Answer::Number(x)) = self.recall(i, h, &seen) {
            return Ok(x);
        }
        self.load_for(Some(i), h, m, t);
        let name = HOOKS[i].0;
        let (v, ops) = self.call(h, i, (h.member.clone(), h.ctx.clone()))?;
        let x = v
            .as_float()
            .or_else(|_| v.as_int().map(|i| i as f64))
            .map_err(|_| {
                HookError(errors::bad_value(
                    &self.file,
                    name,
                    &format!("returned a {}; expected a number", v.type_name()),
                ))
            })?;
        if x.is_finite() && x >= 0.0 {
            self.keep(i, h, seen, Answer::Number(x), ops);
            Ok(x)
        } else {
            Err(HookError(errors::bad_value(
                &self.file,
                name,
                &format!("returned {x}; expected a finite number >= 0"),
            )))
        }
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

impl Hooks for RhaiHooks {
    fn has_on_enrol(&self) -> bool {
        self.has[0]
    }
    fn has_on_purchase(&self) -> bool {
        self.has[1]
    }
    fn has_on_period(&self) -> bool {
        self.has[2]
    }
    fn has_purchase_rate_multiplier(&self) -> bool {
        self.has[3]
    }
    fn has_churn_multiplier(&self) -> bool {
        self.has[4]
    }
    fn has_incentive(&self) -> bool {
        self.has[5]
    }

    fn new_state(&self, who: &CustomerInfo<'_>, rng: Stream) -> HookState {
        let member = MemberObj {
            state: Dynamic::from_map(Map::new()).into_shared(),
            purchases: 0,
            spend: 0.0,
            segment: who.segment_name.into(),
            tenure: 0.0,
            referred: who.referred,
            points: 0.0,
            stamps: 0,
            habits: *who.habits,
            reads: 0,
            memo: self.memo,
            state_at_read: None,
        };
        let params = Arc::new(self.params.clone());
        let ctx = CtxObj {
            params: Dynamic::from(Params(params.clone())).into_shared(),
            response: Dynamic::from(ResponseObj(*who.response)).into_shared(),
            time: 0.0,
            time_unit: self.time_unit.clone(),
            mean_basket: who.mean_basket,
            rng,
            reads: 0,
        };
        HookState(Arc::new(MemberHandles {
            member: Dynamic::from(member).into_shared(),
            purchase: Dynamic::from(PurchaseObj::default()).into_shared(),
            ctx: Dynamic::from(ctx).into_shared(),
            params,
            ops: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            memo: Mutex::new(Memo::default()),
        }))
    }

    fn allowance(&self, calls: u64) -> Option<u64> {
        Some(self.limits.budget.allowance(calls))
    }

    fn source(&self) -> String {
        self.file.display().to_string()
    }

    fn usage(&self, s: &HookState) -> Usage {
        self.handles(s).map_or(Usage::default(), |h| Usage {
            ops: h.ops.load(Relaxed),
            calls: h.calls.load(Relaxed),
        })
    }

    fn on_enrol(&self, s: &HookState, m: &mut MemberFacts, t: f64) -> Result<(), HookError> {
        // Once per member: nothing to keep.
        let h = self.handles(s)?;
        self.load(h, m, t);
        let _ = self.call(h, ON_ENROL, (h.member.clone(), h.ctx.clone()))?;
        self.store(h, m, "on_enrol")
    }

    fn on_purchase(
        &self,
        s: &HookState,
        m: &mut MemberFacts,
        p: &mut PurchaseFacts,
    ) -> Result<(), HookError> {
        let h = self.handles(s)?;
        let seen = Seen::new(m, p.time, Some((p.amount, p.time, 0.0)));
        if self.recall(ON_PURCHASE, h, &seen).is_some() {
            // A kept call changed nothing: the purchase as a call that sets
            // nothing leaves it, and the check `store` makes.
            self.check_wallet(m.points, m.stamps, "on_purchase")?;
            p.discount = 0.0;
            p.reward_cost = 0.0;
            p.rewards = 0;
            p.points_awarded = 0.0;
            return Ok(());
        }
        self.load_for(Some(ON_PURCHASE), h, m, p.time);
        let mut pd = h.purchase.clone();
        if let Some(mut w) = pd.write_lock::<PurchaseObj>() {
            *w = PurchaseObj {
                amount: p.amount,
                time: p.time,
                ..PurchaseObj::default()
            };
        }
        let (_, ops) = self.call(
            h,
            ON_PURCHASE,
            (h.member.clone(), h.purchase.clone(), h.ctx.clone()),
        )?;
        self.store(h, m, "on_purchase")?;
        if let Some(r) = h.purchase.read_lock::<PurchaseObj>() {
            if !(r.discount >= 0.0 && r.discount <= p.amount) {
                return Err(HookError(errors::bad_value(
                    &self.file,
                    "on_purchase",
                    &format!(
                        "purchase.discount set to {}; expected between 0 and the amount {}",
                        r.discount, p.amount
                    ),
                )));
            }
            let ok = |x: f64| x.is_finite() && (0.0..=MAX_POINTS).contains(&x);
            if !ok(r.reward_cost) || !ok(r.points_awarded) {
                return Err(HookError(errors::bad_value(
                    &self.file,
                    "on_purchase",
                    &format!(
                        "reward(cost) and award_points(n) need numbers from 0 to {MAX_POINTS:e}"
                    ),
                )));
            }
            p.discount = r.discount;
            p.reward_cost = r.reward_cost;
            p.rewards = r.rewards;
            p.points_awarded = r.points_awarded;
        }
        self.keep(ON_PURCHASE, h, seen, Answer::Unit, ops);
        Ok(())
    }

    fn on_period(&self, s: &HookState, m: &mut MemberFacts, t: f64) -> Result<(), HookError> {
        let h = self.handles(s)?;
        let seen = Seen::new(m, t, None);
        if self.recall(ON_PERIOD, h, &seen).is_some() {
            return self.check_wallet(m.points, m.stamps, "on_period");
        }
        self.load_for(Some(ON_PERIOD), h, m, t);
        let (_, ops) = self.call(h, ON_PERIOD, (h.member.clone(), h.ctx.clone()))?;
        self.store(h, m, "on_period")?;
        self.keep(ON_PERIOD, h, seen, Answer::Unit, ops);
        Ok(())
    }

    fn purchase_rate_multiplier(
        &self,
        s: &HookState,
        m: &MemberFacts,
        t: f64,
    ) -> Result<f64, HookError> {
        self.multiplier(RATE, s, m, t)
    }

    fn churn_multiplier(&self, s: &HookState, m: &MemberFacts, t: f64) -> Result<f64, HookError> {
        self.multiplier(CHURN, s, m, t)
    }

    fn incentive(
        &self,
        s: &HookState,
        m: &MemberFacts,
        t: f64,
    ) -> Result<ScriptIncentive, HookError> {
        let h = self.handles(s)?;
        let seen = Seen::new(m, t, None);
        if let Some(Answer::Incentive(x)) = self.recall(INCENTIVE, h, &seen) {
            return Ok(x);
        }
        self.load_for(Some(INCENTIVE), h, m, t);
        let (v, ops) = self.call(h, INCENTIVE, (h.member.clone(), h.ctx.clone()))?;
        let bad = |what: String| HookError(errors::bad_value(&self.file, "incentive", &what));
        let Some(map) = v.read_lock::<Map>() else {
            return Err(bad(format!(
                "returned a {}; expected a map such as #{{ value: 0.05, progress: 0.3, to_goal: 7 }}",
                v.type_name()
            )));
        };
        let mut out = ScriptIncentive::default();
        for (k, x) in map.iter() {
            let num = || {
                x.as_float()
                    .or_else(|_| x.as_int().map(|i| i as f64))
                    .ok()
                    .filter(|f| !f.is_nan())
                    .ok_or_else(|| bad(format!("`{k}` is a {}; expected a number", x.type_name())))
            };
            match k.as_str() {
                "discount" => out.discount = unit(num()?, k, &bad)?,
                "value" => out.value = non_neg(num()?, k, &bad)?,
                "progress" => out.progress = Some(unit(num()?, k, &bad)?),
                "goal_value" => out.goal_value = Some(non_neg(num()?, k, &bad)?),
                "to_goal" => out.to_goal = non_neg(num()?, k, &bad)?,
                "time_to_goal" => out.time_to_goal = Some(num()?.max(0.0)),
                "min_basket" => out.min_basket = non_neg(num()?, k, &bad)?,
                "deadline" => out.deadline = num()?,
                "banked" => out.banked = non_neg(num()?, k, &bad)?,
                "feasible" => {
                    out.feasible = x.as_bool().map_err(|_| {
                        bad(format!(
                            "`feasible` is a {}; expected true or false",
                            x.type_name()
                        ))
                    })?
                }
                other => {
                    return Err(bad(format!(
                        "unknown key `{other}`; expected {}",
                        INCENTIVE_KEYS.join(", ")
                    )));
                }
            }
        }
        drop(map);
        self.keep(INCENTIVE, h, seen, Answer::Incentive(out), ops);
        Ok(out)
    }
}

/// The keys an `incentive` hook's map may hold.
const INCENTIVE_KEYS: [&str; 10] = [
    "discount",
    "value",
    "progress",
    "goal_value",
    "to_goal",
    "time_to_goal",
    "min_basket",
    "deadline",
    "feasible",
    "banked",
];

fn unit(x: f64, k: &str, bad: &dyn Fn(String) -> HookError) -> Result<f64, HookError> {
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(bad(format!("`{k}` is {x}; expected a number in [0, 1]")))
    }
}

fn non_neg(x: f64, k: &str, bad: &dyn Fn(String) -> HookError) -> Result<f64, HookError> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(bad(format!("`{k}` is {x}; expected a finite number >= 0")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::response::Response;
    use std::time::Duration;

    fn hooks(src: &str, limits: Limits) -> RhaiHooks {
        RhaiHooks::new(
            Path::new("t.rhai"),
            src,
            &toml::Table::new(),
            TimeUnit::Week,
            limits,
        )
        .unwrap()
    }

    fn enrol(h: &RhaiHooks) -> (HookState, Result<(), HookError>) {
        let response = Response::default();
        let habits = crate::model::habits::Habits::fixed(1.0, 10.0);
        let who = CustomerInfo {
            segment: 0,
            segment_name: "all",
            response: &response,
            mean_basket: 10.0,
            referred: false,
            habits: &habits,
        };
        let st = h.new_state(
            &who,
            Stream::new(1, 0, 0, crate::model::rng::Purpose::Script),
        );
        let mut m = MemberFacts {
            purchases: 0,
            spend: 0.0,
            segment: 0,
            tenure: 0.0,
            referred: false,
            points: 0.0,
            stamps: 0,
        };
        let r = h.on_enrol(&st, &mut m, 0.0);
        (st, r)
    }

    /// Drive a member through a fixed sequence of events with and without
    /// kept results: every answer, every change to the member and the
    /// operations used must be the same. Returns how many calls were
    /// answered from kept results.
    fn same_with_and_without_memo(src: &str) -> u64 {
        let run = |h: RhaiHooks| {
            let (st, r) = enrol(&h);
            if h.has_on_enrol() {
                r.unwrap();
            }
            let mut m = MemberFacts {
                purchases: 0,
                spend: 0.0,
                segment: 0,
                tenure: 0.0,
                referred: false,
                points: 0.0,
                stamps: 0,
            };
            let mut log = Vec::new();
            for i in 0..40 {
                let t = f64::from(i / 3);
                m.tenure = t;
                if h.has_on_purchase() && i % 3 == 0 {
                    let mut p = PurchaseFacts {
                        amount: if i % 2 == 0 { 10.0 } else { 20.0 },
                        time: t,
                        ..PurchaseFacts::default()
                    };
                    h.on_purchase(&st, &mut m, &mut p).unwrap();
                    m.purchases += 1;
                    m.spend += p.amount - p.discount;
                    log.push(format!("{p:?}"));
                }
                if h.has_on_period() && i % 3 == 1 {
                    h.on_period(&st, &mut m, t).unwrap();
                }
                if h.has_incentive() {
                    log.push(format!("{:?}", h.incentive(&st, &m, t).unwrap()));
                }
                if h.has_purchase_rate_multiplier() {
                    log.push(format!("{:?}", h.purchase_rate_multiplier(&st, &m, t)));
                }
                log.push(format!("{m:?} {:?}", h.usage(&st)));
            }
            (log, h.kept_answers(&st))
        };
        let (with, kept) = run(hooks(src, Limits::default()));
        let (without, none) = run(hooks(src, Limits::default()).without_memo());
        assert_eq!(none, 0);
        assert_eq!(with, without, "{src}");
        kept
    }

    #[test]
    fn kept_results_change_nothing() {
        // Reads only the stamps, which change every third step.
        let k = same_with_and_without_memo(
            "fn on_purchase(member, purchase, ctx) { member.stamps = (member.stamps + 1) % 4; }
             fn incentive(member, ctx) { #{ progress: member.stamps / 4.0 } }",
        );
        assert!(k >= 20, "{k}");
        // Reads the time: kept within a time unit only.
        let k = same_with_and_without_memo(
            "fn purchase_rate_multiplier(member, ctx) { 1.0 + ctx.time / 100.0 }",
        );
        assert!(k > 0 && k < 40, "{k}");
        // A random draw is never kept.
        let k = same_with_and_without_memo(
            "fn purchase_rate_multiplier(member, ctx) { 1.0 + ctx.random() }",
        );
        assert_eq!(k, 0);
        // State written by one hook and read by another; an on_period that
        // changes nothing once the coupon is out is kept.
        let k = same_with_and_without_memo(
            "fn on_enrol(member, ctx) { member.state.n = 0; member.state.coupon = false; }
             fn on_purchase(member, purchase, ctx) {
                 member.state.n += 1; if purchase.amount > 15.0 { purchase.discount = 1.0; }
             }
             fn on_period(member, ctx) {
                 if !member.state.coupon && member.state.n > 3 { member.state.coupon = true; }
             }
             fn incentive(member, ctx) { #{ discount: if member.state.coupon { 0.1 } else { 0.0 } } }",
        );
        assert!(k > 0, "{k}");
        // State changed through a handle, without the setter.
        same_with_and_without_memo(
            "fn on_enrol(member, ctx) { member.state.x = 1; }
             fn on_period(member, ctx) { let s = member.state; s.x += 1; }
             fn incentive(member, ctx) { #{ value: member.state.x / 100.0 } }",
        );
        // Handles replaced through shared variables.
        same_with_and_without_memo(
            "fn on_period(member, ctx) { let p = ctx.params; p = 5; }
             fn incentive(member, ctx) { #{ value: if type_of(ctx.params) == \"i64\" { 0.5 } else { 0.1 } } }",
        );
        same_with_and_without_memo(
            "fn on_period(member, ctx) { ctx = 5; member = 6; }
             fn incentive(member, ctx) { #{ value: if type_of(ctx) == \"i64\" { 0.5 } else { 0.1 } } }",
        );
        // State holding something that cannot be compared by value.
        same_with_and_without_memo(
            "fn on_enrol(member, ctx) { member.state.f = Fn(\"abs\"); member.state.k = 0; }
             fn on_period(member, ctx) { member.state.k += 1; }
             fn incentive(member, ctx) { #{ value: member.state.k / 100.0 } }",
        );
    }

    #[test]
    fn the_wall_clock_guard_stops_a_slow_call_and_says_it_is_a_last_resort() {
        let limits = Limits {
            budget: Budget {
                wall_per_call: Duration::ZERO,
                ..Budget::default()
            },
            ..Limits::default()
        };
        let h = hooks(
            "fn on_enrol(member, ctx) { let n = 0; while n < 100000 { n += 1; } }",
            limits,
        );
        let e = enrol(&h).1.unwrap_err().0;
        assert!(e.starts_with("t.rhai:1:"), "{e}");
        assert!(
            e.contains("stopped by the wall-clock guard") && e.contains("last resort"),
            "{e}"
        );
    }

    #[test]
    fn a_member_budget_counts_calls_and_operations_exactly() {
        let limits = Limits {
            budget: Budget {
                reserve: 100,
                per_call: 10,
                ..Budget::default()
            },
            ..Limits::default()
        };
        // A short hook: well within the allowance, counted per call.
        let h = hooks("fn on_enrol(member, ctx) { let x = 1; }", limits);
        let (st, r) = enrol(&h);
        r.unwrap();
        let u = h.usage(&st);
        assert_eq!(u.calls, 1);
        assert!(u.ops > 0 && u.ops < 10, "{u:?}");
        // A loop of ~300 operations passes 100 + 10.
        let h = hooks(
            "fn on_enrol(member, ctx) { let n = 0; while n < 100 { n += 1; } }",
            limits,
        );
        let (st, r) = enrol(&h);
        let e = r.unwrap_err().0;
        assert!(e.contains("operations budget"), "{e}");
        assert_eq!(
            h.usage(&st).ops,
            111,
            "stopped at the first operation past 110"
        );
    }
}
