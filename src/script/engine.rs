//! The script bridge's entry point: [`RhaiHooks`], one sandboxed
//! `rhai::Engine` and the compiled AST of one script, shared by all worker
//! threads of a run (rhai's `sync` feature), implementing the core's
//! [`Hooks`] trait.
//!
//! - `compile.rs`: the sandbox (no modules (`no_module`), no `eval`, no `curry`
//!   (each curried argument copies all earlier ones: a quadratic cost the
//!   operation count does not see), no clock (`no_time`), `print`/`debug`
//!   discarded, the limits of `limits.rs`, a cap on the script's size) and
//!   compiling a script once per run.
//! - `call.rs`: the hook-call layer: a member's handles, the metered call
//!   and the kept answers.
//! - this file: each hook of the [`Hooks`] trait, and the checks on what
//!   the hooks return.
//!
//! Hooks are called with `call_fn_with_options(eval_ast(false))`, so the
//! script's top-level statements never run. A member's `member`, `purchase`
//! and `ctx` objects are shared handles created once when the member joins
//! and refreshed before each call: no allocation per call beyond Rhai's own.
//!
//! Speed (docs/scripting.md, "Speed"; `examples/hookcost.rs`): a hook
//! within the part of Rhai that `direct/` reproduces is evaluated there,
//! without Rhai's interpreter (the scripted stamp card: about 5,400
//! instructions an `incentive` call instead of 40,800, 8.6× the built-in
//! card per customer instead of 51×); other hooks run in Rhai, where every
//! property read is a native getter call of 1,000–2,000 instructions.
//! `params` getters hold their value and calls reuse one scope per thread.
//! One engine per thread (core-local reference counts) was measured and
//! gave nothing, nor did Rhai's bytecode VM (`grain`: 16 % more
//! instructions).

use super::call::{MemberHandles, Tried};
use super::ctx::{CtxObj, Params, ResponseObj};
use super::direct::{self, V};
use super::errors::ScriptError;
use super::limits::{Limits, MAX_POINTS};
use super::member::MemberObj;
use super::memo::{Answer, Memo, Seen};
use super::purchase::PurchaseObj;
use crate::model::rng::Stream;
use crate::programs::hooks::{
    CustomerInfo, HookError, HookState, Hooks, MemberFacts, PurchaseFacts, ScriptIncentive, Usage,
};
use rhai::{AST, Dynamic, Engine, Map};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

/// The hooks a script may define: name, parameter count, parameters.
pub(super) const HOOKS: [(&str, usize, &str); 6] = [
    ("on_enrol", 2, "(member, ctx)"),
    ("on_purchase", 3, "(member, purchase, ctx)"),
    ("on_period", 2, "(member, ctx)"),
    ("purchase_rate_multiplier", 2, "(member, ctx)"),
    ("churn_multiplier", 2, "(member, ctx)"),
    ("incentive", 2, "(member, ctx)"),
];

/// A compiled script and its engine.
pub struct RhaiHooks {
    pub(super) engine: Engine,
    pub(super) ast: AST,
    /// The hooks evaluated directly (`direct/mod.rs`).
    pub(super) direct: super::direct::Direct,
    pub(super) file: PathBuf,
    pub(super) limits: Limits,
    pub(super) has: [bool; 6],
    /// Where each hook is defined (for errors without a position).
    pub(super) pos: [rhai::Position; 6],
    /// `params`, copied into each member's `ctx` (a value shared across
    /// threads would make every access contend on one lock).
    pub(super) params: Map,
    pub(super) time_unit: rhai::ImmutableString,
    /// Whether hook results are kept per member and reused while what the
    /// hook read is unchanged (`memo.rs`; on unless switched off to check
    /// that it changes nothing).
    pub(super) memo: bool,
}

/// Hook indices into [`HOOKS`].
const ON_ENROL: usize = 0;
pub(super) const ON_PURCHASE: usize = 1;
const ON_PERIOD: usize = 2;
const RATE: usize = 3;
const CHURN: usize = 4;
const INCENTIVE: usize = 5;

impl RhaiHooks {
    fn multiplier(
        &self,
        i: usize,
        s: &HookState,
        m: &MemberFacts,
        t: f64,
    ) -> Result<f64, ScriptError> {
        let h = self.handles(s)?;
        let seen = Seen::new(m, t, None);
        if let Some(Answer::Number(x)) = self.recall(i, h, &seen) {
            return Ok(x);
        }
        let tried = self.try_direct(i, h, m, t, None);
        if let Tried::Ready(o, ops) = &tried
            && let Some(x) = direct_number(&o.value)
        {
            self.took_direct(i, h, seen, Answer::Number(x), *ops, o.reads);
            return Ok(x);
        }
        self.load_for(Some(i), h, m, t);
        let name = HOOKS[i].0;
        let (v, ops) = self.call(h, i, (h.member.clone(), h.ctx.clone()))?;
        let x = v
            .as_float()
            .or_else(|_| v.as_int().map(|i| i as f64))
            .map_err(|_| {
                ScriptError::bad_value(
                    &self.file,
                    name,
                    format!("returned a {}; expected a number", v.type_name()),
                )
            })?;
        if let Tried::Check(o, known, before) = &tried {
            let same = direct_number(&o.value).map(f64::to_bits) == Some(x.to_bits())
                && o.reads == self.rhai_reads(h, i);
            self.settle(i, h, o, *known, before, same, ops);
        }
        if x.is_finite() && x >= 0.0 {
            self.keep(i, h, seen, Answer::Number(x), ops, None);
            Ok(x)
        } else {
            Err(ScriptError::bad_value(
                &self.file,
                name,
                format!(
                    "returned {}; expected a finite number >= 0",
                    crate::input::number(x)
                ),
            ))
        }
    }
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
            reads: Default::default(),
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
            reads: Default::default(),
        };
        HookState(Arc::new(MemberHandles {
            member: Dynamic::from(member).into_shared(),
            purchase: Dynamic::from(PurchaseObj::default()).into_shared(),
            ctx: Dynamic::from(ctx).into_shared(),
            params,
            ops: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            memo: Mutex::new(Memo::default()),
            fixed: direct::Fixed {
                segment: who.segment_name.into(),
                referred: who.referred,
                habits: *who.habits,
                response: *who.response,
                mean_basket: who.mean_basket,
                time_unit: self.time_unit.clone(),
            },
            // Rhai refuses a string past `max_string_size` when a getter
            // returns it: a member whose segment name is longer runs in Rhai.
            broken: std::sync::atomic::AtomicBool::new(
                self.limits.max_string_size > 0
                    && who.segment_name.len() > self.limits.max_string_size,
            ),
        }))
    }

    fn allowance(&self, calls: u64) -> Option<u64> {
        Some(self.limits.budget.allowance(calls))
    }

    fn source(&self) -> String {
        self.file.display().to_string()
    }

    fn evaluation(&self) -> Option<String> {
        Some(
            self.direct
                .summary(&self.ast, &HOOKS.map(|h| h.0), &self.has),
        )
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
        let tried = self.try_direct(ON_ENROL, h, m, t, None);
        if let Tried::Ready(o, ops) = &tried
            && self.apply_direct(h, o, m, None)
        {
            self.charge(h, *ops);
            return Ok(());
        }
        self.load(h, m, t);
        let (_, ops) = self.call(h, ON_ENROL, (h.member.clone(), h.ctx.clone()))?;
        self.store(h, m, "on_enrol")?;
        if let Tried::Check(o, known, before) = &tried {
            let same = same_member(o, m) && o.reads == self.rhai_reads(h, ON_ENROL);
            self.settle(ON_ENROL, h, o, *known, before, same, ops);
        }
        Ok(())
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
        let tried = self.try_direct(ON_PURCHASE, h, m, p.time, Some((p.amount, p.time)));
        if let Tried::Ready(o, ops) = &tried
            && self.apply_direct(h, o, m, Some(p))
        {
            self.took_direct(ON_PURCHASE, h, seen, Answer::Unit, *ops, o.reads);
            return Ok(());
        }
        self.load_for(Some(ON_PURCHASE), h, m, p.time);
        let mut pd = h.purchase.clone();
        if let Some(mut w) = pd.write_lock::<PurchaseObj>() {
            // Field by field: the reads cell stays the object's.
            w.amount = p.amount;
            w.time = p.time;
            w.discount = 0.0;
            w.reward_cost = 0.0;
            w.rewards = 0;
            w.points_awarded = 0.0;
            w.reads.clear();
        }
        let (_, ops) = self.call(
            h,
            ON_PURCHASE,
            (h.member.clone(), h.purchase.clone(), h.ctx.clone()),
        )?;
        self.store(h, m, "on_purchase")?;
        if let Some(r) = h.purchase.read_lock::<PurchaseObj>() {
            if !(r.discount >= 0.0 && r.discount <= p.amount) {
                return Err(ScriptError::bad_value(
                    &self.file,
                    "on_purchase",
                    format!(
                        "purchase.discount set to {}; expected between 0 and the amount {}",
                        r.discount, p.amount
                    ),
                )
                .into());
            }
            let ok = |x: f64| x.is_finite() && (0.0..=MAX_POINTS).contains(&x);
            if !ok(r.reward_cost) || !ok(r.points_awarded) {
                return Err(ScriptError::bad_value(
                    &self.file,
                    "on_purchase",
                    format!(
                        "reward(cost) and award_points(n) need numbers from 0 to {MAX_POINTS:e}"
                    ),
                )
                .into());
            }
            p.discount = r.discount;
            p.reward_cost = r.reward_cost;
            p.rewards = r.rewards;
            p.points_awarded = r.points_awarded;
        }
        if let Tried::Check(o, known, before) = &tried {
            let e = &o.effects;
            let same = same_member(o, m)
                && format!(
                    "{:?}",
                    (e.discount, e.reward_cost, e.rewards, e.points_awarded)
                ) == format!(
                    "{:?}",
                    (p.discount, p.reward_cost, p.rewards, p.points_awarded)
                )
                && o.reads == self.rhai_reads(h, ON_PURCHASE);
            self.settle(ON_PURCHASE, h, o, *known, before, same, ops);
        }
        self.keep(ON_PURCHASE, h, seen, Answer::Unit, ops, None);
        Ok(())
    }

    fn on_period(&self, s: &HookState, m: &mut MemberFacts, t: f64) -> Result<(), HookError> {
        let h = self.handles(s)?;
        let seen = Seen::new(m, t, None);
        if self.recall(ON_PERIOD, h, &seen).is_some() {
            return Ok(self.check_wallet(m.points, m.stamps, "on_period")?);
        }
        let tried = self.try_direct(ON_PERIOD, h, m, t, None);
        if let Tried::Ready(o, ops) = &tried
            && self.apply_direct(h, o, m, None)
        {
            self.took_direct(ON_PERIOD, h, seen, Answer::Unit, *ops, o.reads);
            return Ok(());
        }
        self.load_for(Some(ON_PERIOD), h, m, t);
        let (_, ops) = self.call(h, ON_PERIOD, (h.member.clone(), h.ctx.clone()))?;
        self.store(h, m, "on_period")?;
        if let Tried::Check(o, known, before) = &tried {
            let same = same_member(o, m) && o.reads == self.rhai_reads(h, ON_PERIOD);
            self.settle(ON_PERIOD, h, o, *known, before, same, ops);
        }
        self.keep(ON_PERIOD, h, seen, Answer::Unit, ops, None);
        Ok(())
    }

    fn purchase_rate_multiplier(
        &self,
        s: &HookState,
        m: &MemberFacts,
        t: f64,
    ) -> Result<f64, HookError> {
        Ok(self.multiplier(RATE, s, m, t)?)
    }

    fn churn_multiplier(&self, s: &HookState, m: &MemberFacts, t: f64) -> Result<f64, HookError> {
        Ok(self.multiplier(CHURN, s, m, t)?)
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
        let tried = self.try_direct(INCENTIVE, h, m, t, None);
        if let Tried::Ready(o, ops) = &tried
            && let Some(out) = direct_incentive(&o.value)
        {
            self.took_direct(INCENTIVE, h, seen, Answer::Incentive(out), *ops, o.reads);
            return Ok(out);
        }
        self.load_for(Some(INCENTIVE), h, m, t);
        let (v, ops) = self.call(h, INCENTIVE, (h.member.clone(), h.ctx.clone()))?;
        let out = read_incentive(&v, &|what| {
            ScriptError::bad_value(&self.file, "incentive", what)
        })?;
        if let Tried::Check(o, known, before) = &tried {
            let same = format!("{:?}", direct_incentive(&o.value)) == format!("{:?}", Some(out))
                && o.reads == self.rhai_reads(h, INCENTIVE);
            self.settle(INCENTIVE, h, o, *known, before, same, ops);
        }
        self.keep(INCENTIVE, h, seen, Answer::Incentive(out), ops, None);
        Ok(out)
    }
}

impl RhaiHooks {
    /// Apply a direct call's effects to the member (and the purchase), if
    /// they pass the checks a call in Rhai must pass (`store`, and those of
    /// `on_purchase`); otherwise leave everything and say so (the call then
    /// runs in Rhai, which reports the error).
    fn apply_direct(
        &self,
        h: &MemberHandles,
        o: &direct::Outcome,
        m: &mut MemberFacts,
        p: Option<&mut PurchaseFacts>,
    ) -> bool {
        let e = &o.effects;
        if self.check_wallet(e.points, e.stamps, "").is_err() {
            return false;
        }
        if let Some(p) = &p {
            let ok = |x: f64| x.is_finite() && (0.0..=MAX_POINTS).contains(&x);
            // Written so that NaN fails.
            let discount_ok = e.discount >= 0.0 && e.discount <= p.amount;
            if !discount_ok || !ok(e.reward_cost) || !ok(e.points_awarded) {
                return false;
            }
        }
        if !o.state_writes.is_empty() && !self.write_state(h, &o.state_writes) {
            return false;
        }
        if let Some(p) = p {
            p.discount = e.discount;
            p.reward_cost = e.reward_cost;
            p.rewards = e.rewards;
            p.points_awarded = e.points_awarded;
        }
        m.points = e.points;
        m.stamps = e.stamps;
        true
    }

    /// Set what a direct call set in `member.state`, unless the map would
    /// then hold more entries than `max_map_size` (the check `store` makes
    /// after a call in Rhai; the call is then handed to Rhai).
    fn write_state(&self, h: &MemberHandles, writes: &[(rhai::ImmutableString, V)]) -> bool {
        let Some(mut st) = h.member.read_lock::<MemberObj>().map(|m| m.state.clone()) else {
            return false;
        };
        let Some(mut map) = st.write_lock::<Map>() else {
            return false;
        };
        let mut added: Vec<&str> = Vec::new();
        for (k, _) in writes {
            if !map.contains_key(k.as_str()) && !added.contains(&k.as_str()) {
                added.push(k.as_str());
            }
        }
        if map.len() + added.len() > self.limits.max_map_size {
            return false;
        }
        let values = writes
            .iter()
            .map(|(k, v)| Some((k, v.to_dynamic()?)))
            .collect::<Option<Vec<_>>>();
        let Some(values) = values else { return false };
        for (k, d) in values {
            map.insert(k.as_str().into(), d);
        }
        true
    }
}

/// Whether a direct call left the member's points and stamps as the call in
/// Rhai did (bit for bit).
fn same_member(o: &direct::Outcome, m: &MemberFacts) -> bool {
    o.effects.points.to_bits() == m.points.to_bits() && o.effects.stamps == m.stamps
}

/// A multiplier hook's direct answer, if it is a number.
fn direct_number(v: &V) -> Option<f64> {
    match v {
        V::Float(x) => Some(*x),
        V::Int(i) => Some(*i as f64),
        _ => None,
    }
    .filter(|x| x.is_finite() && *x >= 0.0)
}

/// The `incentive` hook's direct answer, if it is a map the engine can use.
fn direct_incentive(v: &V) -> Option<ScriptIncentive> {
    let V::Map(entries) = v else { return None };
    read_entries(entries.iter().map(|(k, x)| (*k, x)), &|_| {
        ScriptError::bad_value(std::path::Path::new(""), "incentive", String::new())
    })
    .ok()
}

/// A value of the map `incentive` returns, in Rhai or direct form.
trait IncentiveValue {
    fn number(&self) -> Option<f64>;
    fn boolean(&self) -> Option<bool>;
    fn type_name(&self) -> &str;
}

impl IncentiveValue for Dynamic {
    fn number(&self) -> Option<f64> {
        self.as_float()
            .or_else(|_| self.as_int().map(|i| i as f64))
            .ok()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool().ok()
    }
    fn type_name(&self) -> &str {
        Dynamic::type_name(self)
    }
}

impl IncentiveValue for V {
    fn number(&self) -> Option<f64> {
        match self {
            V::Float(x) => Some(*x),
            V::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    fn boolean(&self) -> Option<bool> {
        match self {
            V::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn type_name(&self) -> &str {
        "value"
    }
}

/// The `incentive` hook's answer from the map it returned (`bad` makes the
/// error for a map the engine cannot use).
fn read_incentive(
    v: &Dynamic,
    bad: &dyn Fn(String) -> ScriptError,
) -> Result<ScriptIncentive, ScriptError> {
    let Some(map) = v.read_lock::<Map>() else {
        return Err(bad(format!(
            "returned a {}; expected a map such as #{{ value: 0.05, progress: 0.3, to_goal: 7 }}",
            v.type_name()
        )));
    };
    read_entries(map.iter().map(|(k, x)| (k.as_str(), x)), bad)
}

/// [`read_incentive`] of a map's entries, in the map's order.
fn read_entries<'a, X: IncentiveValue + 'a>(
    entries: impl Iterator<Item = (&'a str, &'a X)>,
    bad: &dyn Fn(String) -> ScriptError,
) -> Result<ScriptIncentive, ScriptError> {
    let mut out = ScriptIncentive::default();
    for (k, x) in entries {
        let num = || match x.number() {
            Some(f) if f.is_nan() => Err(bad(format!("`{k}` is NaN; expected a number"))),
            Some(f) => Ok(f),
            None => Err(bad(format!(
                "`{k}` is a {}; expected a number",
                x.type_name()
            ))),
        };
        match k {
            "discount" => out.discount = unit(num()?, k, bad)?,
            "value" => out.value = non_neg(num()?, k, bad)?,
            "progress" => out.progress = Some(unit(num()?, k, bad)?),
            "goal_value" => out.goal_value = Some(non_neg(num()?, k, bad)?),
            "to_goal" => out.to_goal = non_neg(num()?, k, bad)?,
            "time_to_goal" => out.time_to_goal = Some(num()?.max(0.0)),
            "min_basket" => out.min_basket = non_neg(num()?, k, bad)?,
            "deadline" => out.deadline = num()?,
            "banked" => out.banked = non_neg(num()?, k, bad)?,
            "feasible" => {
                out.feasible = x.boolean().ok_or_else(|| {
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
    Ok(out)
}

/// The keys an `incentive` hook's map may hold.
pub(crate) const INCENTIVE_KEYS: [&str; 10] = [
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

fn unit(x: f64, k: &str, bad: &dyn Fn(String) -> ScriptError) -> Result<f64, ScriptError> {
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(bad(format!(
            "`{k}` is {}; expected a number in [0, 1]",
            crate::input::number(x)
        )))
    }
}

fn non_neg(x: f64, k: &str, bad: &dyn Fn(String) -> ScriptError) -> Result<f64, ScriptError> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(bad(format!(
            "`{k}` is {}; expected a finite number >= 0",
            crate::input::number(x)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::TimeUnit;
    use crate::script::budget::Budget;
    use crate::script::probe;
    use std::path::Path;
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
        let (st, mut m) = probe::member(h, 10.0);
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
            // Fresh facts: what on_enrol set is not carried over.
            let mut m = probe::member(&h, 10.0).1;
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
    fn a_member_back_in_an_earlier_state_gets_its_kept_answer() {
        // The stamps run 0, 1, 2, 3, 0, 1, ...: only the first visit of each
        // count runs the hook; the answers are those of a call.
        let src = "fn incentive(member, ctx) { #{ progress: member.stamps / 4.0 } }";
        let run = |h: RhaiHooks| {
            let (st, mut m) = probe::member(&h, 10.0);
            let got: Vec<_> = (0..40_i32)
                .map(|i| {
                    m.stamps = (i % 4).into();
                    let x = h.incentive(&st, &m, f64::from(i)).unwrap();
                    (x.progress, h.usage(&st))
                })
                .collect();
            (got, h.kept_answers(&st))
        };
        let (with, kept) = run(hooks(src, Limits::default()));
        let (without, _) = run(hooks(src, Limits::default()).without_memo());
        assert_eq!(with, without);
        assert_eq!(with[6].0, Some(0.5));
        assert_eq!(kept, 36);
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
    fn reads_through_a_copy_of_an_object_count() {
        // `let m = member;` copies the object in Rhai: what the call reads
        // through the copy must count as read, or its answer would be kept
        // for members it does not fit (the value stayed 0 for every count).
        for src in [
            "fn incentive(member, ctx) { let m = member; #{ value: m.stamps } }",
            "fn incentive(member, ctx) { let c = ctx; #{ value: c.time } }",
            "fn incentive(member, ctx) { #{ value: f(member) } } fn f(m) { m.stamps }",
        ] {
            let run = |h: RhaiHooks| {
                let (st, mut m) = probe::member(&h, 10.0);
                (0..8_i32)
                    .map(|i| {
                        m.stamps = (i % 4).into();
                        let r = h.incentive(&st, &m, f64::from(i % 3)).unwrap();
                        (r.value, h.usage(&st))
                    })
                    .collect::<Vec<_>>()
            };
            let with = run(hooks(src, Limits::default()));
            assert_eq!(
                with,
                run(hooks(src, Limits::default()).without_memo()),
                "{src}"
            );
            assert!(with.iter().any(|x| x.0 > 0.0), "{src}");
        }
        same_with_and_without_memo(
            "fn on_purchase(member, purchase, ctx) { let p = purchase; if p.amount > 15.0 { member.stamps += 1; } }
             fn incentive(member, ctx) { let m = member; #{ progress: m.stamps % 4 / 4.0 } }",
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
