//! The hook-call layer: one member's handles, loading the member's facts
//! into them before a call and storing what the script changed after it,
//! the metered call itself (the operations budget of `budget.rs`), and the
//! kept answers of `memo.rs`.

use super::budget::{self, Trip};
use super::ctx::{CtxObj, Params, ResponseObj};
use super::direct::{self, Fixed, Outcome};
use super::engine::{HOOKS, ON_PURCHASE, RhaiHooks};
use super::errors::{self, Limit, ScriptError};
use super::limits::{MAX_POINTS, MAX_STAMPS};
use super::member::MemberObj;
use super::memo::{self, Answer, Entry, Memo, Seen};
use super::purchase::PurchaseObj;
use crate::programs::hooks::{HookState, MemberFacts};
use rhai::{CallFnOptions, Dynamic, FuncArgs, INT, Map, Scope};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

/// One member's handles: the `member`, `purchase` and `ctx` objects as
/// shared values, created once when the member joins and refreshed before
/// each call, so a call allocates nothing beyond Rhai's own.
pub(super) struct MemberHandles {
    pub(super) member: Dynamic,
    pub(super) purchase: Dynamic,
    pub(super) ctx: Dynamic,
    /// The member's `ctx.params`, to check that no script replaced it
    /// through a shared handle (`memo.rs`).
    pub(super) params: Arc<Map>,
    /// Operations and hook calls used so far (one thread at a time touches
    /// a member; atomics and the mutex only make the handles `Sync`).
    pub(super) ops: AtomicU64,
    pub(super) calls: AtomicU64,
    pub(super) memo: Mutex<Memo>,
    /// What hooks see of the member that does not change, for direct calls.
    pub(super) fixed: Fixed,
    /// Set for good when a hook run in Rhai left the member's or the ctx's
    /// handle replaced (`member = 5;`): later calls then all run in Rhai,
    /// which sees what the script left. Set from the start for a member
    /// whose segment name Rhai would refuse as too long a string.
    pub(super) broken: AtomicBool,
}

/// Whether `member.state` now holds what it held before a call (`before`)
/// with a direct call's writes made (the call in Rhai made them).
fn same_state(
    h: &MemberHandles,
    before: &Option<memo::Snap>,
    writes: &[(rhai::ImmutableString, direct::V)],
) -> bool {
    let Some(memo::Snap::Map(mut want)) = before.clone() else {
        return false;
    };
    for (k, v) in writes {
        let Some(s) = v.to_dynamic().and_then(|d| memo::snap(&d)) else {
            return false;
        };
        match want.binary_search_by(|(w, _)| w.as_str().cmp(k.as_str())) {
            Ok(at) => want[at].1 = s,
            Err(at) => want.insert(at, (k.as_str().into(), s)),
        }
    }
    h.member
        .read_lock::<MemberObj>()
        .and_then(|m| memo::snap_state(&m.state))
        == Some(memo::Snap::Map(want))
}

/// What trying a hook directly gave.
pub(super) enum Tried {
    /// The answer, and the operations Rhai counts on its path.
    Ready(Outcome, u64),
    /// An answer to be checked against Rhai's (a path not seen before, or
    /// every call when checking): the operations of its path if known, and
    /// `member.state` before the call (hooks that use it).
    Check(Outcome, Option<u64>, Option<memo::Snap>),
    /// Rhai decides.
    No,
}

thread_local! {
    /// The scope of the hook calls on this thread, emptied after each call:
    /// its storage is allocated once instead of at every call.
    static SCOPE: RefCell<Scope<'static>> = RefCell::new(Scope::new());
}

/// Run `f` with this thread's empty call scope (a fresh one if a call is
/// already using it), and empty it afterwards: every call starts from an
/// empty scope, as with a new one.
fn with_scope<T>(f: impl FnOnce(&mut Scope<'static>) -> T) -> T {
    SCOPE.with(|s| match s.try_borrow_mut() {
        Ok(mut scope) => {
            scope.clear();
            let r = f(&mut scope);
            scope.clear();
            r
        }
        Err(_) => f(&mut Scope::new()),
    })
}

impl RhaiHooks {
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
    pub(super) fn recall(&self, i: usize, h: &MemberHandles, seen: &Seen) -> Option<Answer> {
        if !self.memo {
            return None;
        }
        let mut memo = h.memo.lock().ok()?;
        if memo.off || memo.entries[i].is_empty() {
            return None;
        }
        let state = h.member.read_lock::<MemberObj>()?.state.clone();
        let (ops, answer) = memo.find(i, seen, &state).map(|e| (e.ops, e.answer))?;
        let calls = h.calls.load(Relaxed) + 1;
        let used = h.ops.load(Relaxed);
        let (limit, _) = self.call_limit(calls, used);
        if ops > limit {
            return None;
        }
        h.calls.store(calls, Relaxed);
        h.ops.store(used + ops, Relaxed);
        memo.kept_answers += 1;
        Some(answer)
    }

    /// After a call of hook `i` that ran, used `ops` operations and
    /// returned `answer`: keep it when it changed nothing and drew no
    /// random number, and check that the member's handles are intact.
    /// `direct`: the inputs a direct call read (it did not touch the
    /// handles but for what it set in `member.state`, which it notes as an
    /// effect, `TAINT`, as the `state` setter Rhai calls back does).
    pub(super) fn keep(
        &self,
        i: usize,
        h: &MemberHandles,
        seen: Seen,
        answer: Answer,
        ops: u64,
        direct: Option<u16>,
    ) {
        if !self.memo {
            return;
        }
        let Ok(mut memo) = h.memo.lock() else {
            return;
        };
        let (reads, state, state_changed) = if let Some(reads) = direct {
            if memo.off {
                return;
            }
            // As for a call in Rhai: `member.state` copied when the call
            // read it and changed nothing, unless the hook's last call had
            // an effect; a state that cannot be copied counts as changed.
            let mut state = None;
            let mut uncopied = false;
            if reads & (memo::TAINT | memo::STATE) == memo::STATE && !memo.wrote[i] {
                state = h
                    .member
                    .read_lock::<MemberObj>()
                    .and_then(|m| memo::snap_state(&m.state));
                uncopied = state.is_none();
            }
            (reads, state, uncopied)
        } else {
            // What the objects noted: the inputs read, and TAINT for a setter,
            // a method with an effect or a random draw.
            let mut reads = memo::TAINT;
            let mut state = None;
            let mut state_changed = false;
            let mut intact = false;
            let mut d = h.member.clone();
            if let Some(mut w) = d.write_lock::<MemberObj>() {
                reads = w.reads.get();
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
                    reads |= c.reads.get();
                    intact = c
                        .params
                        .read_lock::<Params>()
                        .is_some_and(|p| Arc::ptr_eq(&p.0, &h.params))
                        && c.response.is::<ResponseObj>();
                }
            }
            if i == ON_PURCHASE {
                match h.purchase.read_lock::<PurchaseObj>() {
                    Some(p) => reads |= p.reads.get(),
                    None => intact = false,
                }
            }
            if !intact {
                memo.wrote[i] = reads & memo::TAINT != 0 || state_changed;
                memo.off = true;
                memo.entries = Default::default();
                return;
            }
            (reads, state, state_changed)
        };
        memo.wrote[i] = reads & memo::TAINT != 0 || state_changed;
        let keepable = reads & memo::TAINT == 0 && (reads & memo::STATE == 0 || state.is_some());
        // Earlier entries stay: each one holds for the inputs it read,
        // whatever calls came since. But only the newest call that read
        // `member.state` is kept, and none once a later call could not be
        // (comparing states is the costly part of a look-up).
        let entry = Entry {
            reads,
            seen,
            state,
            answer,
            ops,
        };
        memo.settle(i, keepable.then_some(entry));
    }

    /// Evaluate hook `i` directly for a member showing `m` at time `t`
    /// (`purchase`: amount and time), if it is one evaluated directly and
    /// the member's handles are intact.
    pub(super) fn try_direct(
        &self,
        i: usize,
        h: &MemberHandles,
        m: &MemberFacts,
        t: f64,
        purchase: Option<(f64, f64)>,
    ) -> Tried {
        let Some(body) = &self.direct.bodies[i] else {
            return Tried::No;
        };
        if h.broken.load(Relaxed) || self.direct.paths[i].given_up() {
            return Tried::No;
        }
        // `member.state`, read-locked for the call (hooks that use it).
        let mo = body
            .state
            .then(|| h.member.read_lock::<MemberObj>())
            .flatten();
        let st = mo.as_ref().and_then(|m| m.state.read_lock::<Map>());
        if body.state && st.is_none() {
            return Tried::No;
        }
        let inputs = direct::Inputs {
            member: m,
            time: t,
            purchase,
            fixed: &h.fixed,
            state: st.as_deref(),
        };
        let Some(o) = direct::run(body, inputs) else {
            return Tried::No;
        };
        let known = self.direct.paths[i].ops(o.path);
        let before = || st.as_deref().and_then(memo::snap_map);
        match known {
            None => Tried::Check(o, None, before()),
            // A call that would pass the budget, or reach the wall-clock
            // guard's first look, runs in Rhai to be stopped as usual.
            Some(ops) if ops >= budget::WALL_EVERY => Tried::No,
            Some(ops) => {
                let calls = h.calls.load(Relaxed) + 1;
                let (limit, _) = self.call_limit(calls, h.ops.load(Relaxed));
                if ops > limit {
                    Tried::No
                } else if self.direct.check {
                    Tried::Check(o, known, before())
                } else {
                    Tried::Ready(o, ops)
                }
            }
        }
    }

    /// Charge a direct call as the call it stands for.
    pub(super) fn charge(&self, h: &MemberHandles, ops: u64) {
        h.calls.fetch_add(1, Relaxed);
        h.ops.fetch_add(ops, Relaxed);
    }

    /// A call of hook `i` evaluated directly, which read `reads` and
    /// answered `answer` on a path of `ops` operations: charged, and kept
    /// as [`RhaiHooks::keep`] decides.
    pub(super) fn took_direct(
        &self,
        i: usize,
        h: &MemberHandles,
        seen: Seen,
        answer: Answer,
        ops: u64,
        reads: u16,
    ) {
        self.charge(h, ops);
        self.keep(i, h, seen, answer, ops, Some(reads));
    }

    /// After hook `i` ran in Rhai in place of the direct call `o`: keep the
    /// operations of `o`'s path when Rhai's answer, effects and inputs read
    /// were the same (`same`) and, if the path was known, its operations.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn settle(
        &self,
        i: usize,
        h: &MemberHandles,
        o: &Outcome,
        known: Option<u64>,
        before: &Option<memo::Snap>,
        same: bool,
        ops: u64,
    ) {
        let same = same
            && !self.direct.disagree
            && known.is_none_or(|k| k == ops)
            && (o.state_writes.is_empty() && before.is_none()
                || same_state(h, before, &o.state_writes));
        if same {
            self.direct.paths[i].add(o.path, ops);
        } else if self.direct.check {
            panic!(
                "{}: `{}` evaluated directly differs from Rhai ({ops} operations; direct: {o:?}, {known:?})",
                self.file.display(),
                HOOKS[i].0
            );
        } else {
            // Not one of the paths seen so far can be trusted either.
            self.direct.paths[i].give_up();
        }
    }

    /// The inputs the last Rhai call of hook `i` read, as the handles noted
    /// them.
    pub(super) fn rhai_reads(&self, h: &MemberHandles, i: usize) -> u16 {
        let mut reads = h
            .member
            .read_lock::<MemberObj>()
            .map_or(0, |m| m.reads.get());
        reads |= h.ctx.read_lock::<CtxObj>().map_or(0, |c| c.reads.get());
        if i == ON_PURCHASE {
            reads |= h
                .purchase
                .read_lock::<PurchaseObj>()
                .map_or(0, |p| p.reads.get());
        }
        reads
    }

    /// Whether the member's and the ctx's handles still hold what the
    /// member joined with.
    fn intact(&self, h: &MemberHandles) -> bool {
        h.member.read_lock::<MemberObj>().is_some()
            && h.ctx.read_lock::<CtxObj>().is_some_and(|c| {
                c.params
                    .read_lock::<Params>()
                    .is_some_and(|p| Arc::ptr_eq(&p.0, &h.params))
                    && c.response.is::<ResponseObj>()
            })
    }

    /// The operations a call may use, and which bound that is, for a member
    /// who has made `calls` calls (this one included) using `used`.
    pub(super) fn call_limit(&self, calls: u64, used: u64) -> (u64, Trip) {
        let left = self.limits.budget.allowance(calls).saturating_sub(used);
        if left < self.limits.max_operations {
            (left, Trip::Member)
        } else {
            (self.limits.max_operations, Trip::Call)
        }
    }

    /// Call hook `i` for the member `h` within its operations budget;
    /// returns what it returned and the operations it used.
    pub(super) fn call(
        &self,
        h: &MemberHandles,
        i: usize,
        args: impl FuncArgs,
    ) -> Result<(Dynamic, u64), ScriptError> {
        let name = HOOKS[i].0;
        let b = &self.limits.budget;
        let calls = h.calls.load(Relaxed) + 1;
        let used = h.ops.load(Relaxed);
        let (limit, bound) = self.call_limit(calls, used);
        let (r, u) = budget::metered(limit, bound, b.wall_per_call, || {
            with_scope(|scope| {
                self.engine.call_fn_with_options::<Dynamic>(
                    CallFnOptions::new().eval_ast(false).rewind_scope(false),
                    scope,
                    &self.ast,
                    name,
                    args,
                )
            })
        });
        h.calls.store(calls, Relaxed);
        h.ops.store(used + u.ops, Relaxed);
        if self.direct.any() && !h.broken.load(Relaxed) && !self.intact(h) {
            h.broken.store(true, Relaxed);
        }
        let at = self.pos[i];
        if let Some(trip) = u.tripped {
            // Also when the call returned normally: the trip may have been
            // inside a callback whose error Rhai dropped.
            let pos = r.as_ref().err().map_or(at, |e| errors::position(e, at));
            let why = match trip {
                Trip::Call => Limit::Operations {
                    max: self.limits.max_operations,
                },
                Trip::Member => Limit::MemberBudget {
                    ops: used + u.ops,
                    calls,
                    budget: *b,
                },
                Trip::Wall => Limit::Wall(b.wall_per_call),
            };
            return Err(ScriptError::stopped(&self.file, name, pos, why));
        }
        r.map(|v| (v, u.ops))
            .map_err(|e| ScriptError::runtime(&self.file, name, at, &e, &self.limits))
    }

    pub(super) fn handles<'a>(&self, s: &'a HookState) -> Result<&'a MemberHandles, ScriptError> {
        s.0.downcast_ref::<MemberHandles>()
            .ok_or_else(|| ScriptError::foreign_state(&self.file))
    }

    /// Refresh the member handle from `m` and the ctx's time, and clear
    /// what the last call read.
    pub(super) fn load(&self, h: &MemberHandles, m: &MemberFacts, t: f64) {
        self.load_for(None, h, m, t)
    }

    /// [`RhaiHooks::load`] before a call of hook `i`: the call copies
    /// `member.state` when it first reads it (to keep its result) unless the
    /// hook's last call had an effect, which hooks that write keep having
    /// (the copy would be wasted).
    pub(super) fn load_for(&self, i: Option<usize>, h: &MemberHandles, m: &MemberFacts, t: f64) {
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
            w.reads.clear();
            w.state_at_read = None;
        }
        let mut c = h.ctx.clone();
        if let Some(mut w) = c.write_lock::<CtxObj>() {
            w.time = t;
            w.reads.clear();
        }
    }

    /// Copy what the script may change back into `m`, refusing values the
    /// engine cannot book (see [`MAX_STAMPS`], [`MAX_POINTS`]) and a
    /// `member.state` grown past `max_map_size` (Rhai checks a map's size
    /// when it is next passed to a function, not when it is indexed into).
    pub(super) fn store(
        &self,
        h: &MemberHandles,
        m: &mut MemberFacts,
        hook: &'static str,
    ) -> Result<(), ScriptError> {
        if let Some(r) = h.member.read_lock::<MemberObj>() {
            let bad = |msg: String| Err(ScriptError::bad_value(&self.file, hook, msg));
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
    pub(super) fn check_wallet(
        &self,
        points: f64,
        stamps: INT,
        hook: &'static str,
    ) -> Result<(), ScriptError> {
        let bad = |msg: String| Err(ScriptError::bad_value(&self.file, hook, msg));
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
}
