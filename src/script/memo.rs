//! Hook results kept per member, so that a hook is run again only when
//! something it read may have changed (docs/scripting.md, "When hooks are
//! called").
//!
//! A hook is a deterministic function of what it reads: the script cannot
//! see the clock, files or anything outside its arguments. Every property a
//! hook can read that changes during a membership is instrumented: its
//! getter sets a bit in the object it belongs to (`member.purchases`,
//! `spend`, `tenure`, `points`, `stamps`, `state`; `ctx.time`;
//! `purchase.amount`, `time`, `discount`). The rest of what a hook can see
//! is fixed for the member (`member.segment`, `referred`, `rate`,
//! `mean_basket`, `share_at_least(x)`; `ctx.params`, `response`,
//! `time_unit`, `mean_basket`) and is checked to be intact after every call.
//!
//! After a call that changed nothing — no setter or method with an effect
//! was called (`member.points = ..`, `purchase.reward(..)`, ...), no
//! `ctx.random()` was drawn, `member.state` is unchanged — its result is
//! kept with the values of the inputs it read. A later call of the same hook
//! for the same member whose read inputs all hold the same values (floats
//! compared bit for bit, `member.state` compared deeply by value) would take
//! the same path through the script, read the same values and return the
//! same result: it is answered from the entry instead. Such a call is still
//! charged to the operations budget as if it ran (the same operations and
//! one call), so budgets pass or fail exactly as without the entries, and
//! one that would trip the budget runs for real to report it.
//!
//! A call that drew `ctx.random()`, changed anything, or left `member.state`
//! holding something that cannot be compared by value (a function pointer,
//! a shared handle, a custom type) is never kept.

use crate::programs::hooks::{MemberFacts, ScriptIncentive};
use rhai::{Dynamic, ImmutableString, Map};

/// The key type of a Rhai map (a short string kept inline).
pub trait KeyOf {
    type K;
}
impl<K, V> KeyOf for std::collections::BTreeMap<K, V> {
    type K = K;
}
pub type Identifier = <Map as KeyOf>::K;

/// Bits of the inputs a hook read.
pub const PURCHASES: u16 = 1 << 0;
pub const SPEND: u16 = 1 << 1;
pub const TENURE: u16 = 1 << 2;
pub const POINTS: u16 = 1 << 3;
pub const STAMPS: u16 = 1 << 4;
pub const STATE: u16 = 1 << 5;
pub const TIME: u16 = 1 << 6;
pub const P_AMOUNT: u16 = 1 << 7;
pub const P_TIME: u16 = 1 << 8;
pub const P_DISCOUNT: u16 = 1 << 9;
/// The call drew a random number or had an effect: not to be kept.
pub const TAINT: u16 = 1 << 15;

/// The bits of what a call read, held by an object (`member`, `ctx`,
/// `purchase`) and shared with every copy Rhai makes of it: `let m =
/// member;` copies the object, and what the call then reads through `m`
/// must count as read too.
#[derive(Debug, Clone, Default)]
pub struct Reads(std::sync::Arc<std::sync::atomic::AtomicU16>);

impl Reads {
    /// Note `bit`.
    pub fn add(&self, bit: u16) {
        self.0.fetch_or(bit, std::sync::atomic::Ordering::Relaxed);
    }
    /// The bits noted since the last [`Reads::clear`].
    pub fn get(&self) -> u16 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
    pub fn clear(&self) {
        self.0.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A value of `member.state` copied for comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Snap {
    Unit,
    Bool(bool),
    Int(rhai::INT),
    /// Compared bit for bit.
    Float(u64),
    Char(char),
    Str(ImmutableString),
    Array(Vec<Snap>),
    Map(Vec<(Identifier, Snap)>),
}

/// A copy of `d` by value, or `None` when it holds something that cannot be
/// compared by value (a shared handle, a function pointer, a custom type).
pub fn snap(d: &Dynamic) -> Option<Snap> {
    if d.is_shared() {
        return None;
    }
    if d.is_unit() {
        return Some(Snap::Unit);
    }
    if let Ok(b) = d.as_bool() {
        return Some(Snap::Bool(b));
    }
    if let Ok(i) = d.as_int() {
        return Some(Snap::Int(i));
    }
    if let Ok(f) = d.as_float() {
        return Some(Snap::Float(f.to_bits()));
    }
    if let Ok(c) = d.as_char() {
        return Some(Snap::Char(c));
    }
    if let Ok(s) = d.as_immutable_string_ref() {
        return Some(Snap::Str(s.clone()));
    }
    if d.is_array() {
        let a = d.as_array_ref().ok()?;
        return a
            .iter()
            .map(snap)
            .collect::<Option<Vec<_>>>()
            .map(Snap::Array);
    }
    if d.is_map() {
        let m = d.as_map_ref().ok()?;
        return snap_map(&m);
    }
    None
}

/// [`snap`] of a map.
pub fn snap_map(m: &Map) -> Option<Snap> {
    m.iter()
        .map(|(k, v)| Some((k.clone(), snap(v)?)))
        .collect::<Option<Vec<_>>>()
        .map(Snap::Map)
}

/// `member.state` (a shared map) as a [`Snap`].
pub fn snap_state(state: &Dynamic) -> Option<Snap> {
    let m = state.read_lock::<Map>()?;
    snap_map(&m)
}

/// Whether the shared map `state` equals `s` by value.
pub fn state_is(state: &Dynamic, s: &Snap) -> bool {
    let Snap::Map(v) = s else {
        return false;
    };
    state.read_lock::<Map>().is_some_and(|m| map_is(&m, v))
}

/// Whether `d` equals `s` by value (what [`snap`] of `d` would compare
/// equal to, without building it).
fn is(d: &Dynamic, s: &Snap) -> bool {
    if d.is_shared() {
        return false;
    }
    match s {
        Snap::Unit => d.is_unit(),
        Snap::Bool(b) => d.as_bool().ok() == Some(*b),
        Snap::Int(i) => d.as_int().ok() == Some(*i),
        Snap::Float(f) => d.as_float().ok().map(f64::to_bits) == Some(*f),
        Snap::Char(c) => d.as_char().ok() == Some(*c),
        Snap::Str(x) => d.as_immutable_string_ref().is_ok_and(|y| *y == *x),
        Snap::Array(v) => {
            d.is_array()
                && d.as_array_ref()
                    .is_ok_and(|a| a.len() == v.len() && a.iter().zip(v).all(|(x, y)| is(x, y)))
        }
        Snap::Map(v) => d.is_map() && d.as_map_ref().is_ok_and(|m| map_is(&m, v)),
    }
}

fn map_is(m: &Map, v: &[(Identifier, Snap)]) -> bool {
    m.len() == v.len() && m.iter().zip(v).all(|((k, x), (k2, y))| k == k2 && is(x, y))
}

/// What a kept call returned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// `on_purchase`, `on_period` (which changed nothing).
    Unit,
    /// A multiplier.
    Number(f64),
    Incentive(ScriptIncentive),
}

/// The inputs a kept call saw.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Seen {
    pub purchases: u32,
    pub spend: u64,
    pub tenure: u64,
    pub points: u64,
    pub stamps: i64,
    pub time: u64,
    pub amount: u64,
    pub p_time: u64,
    pub discount: u64,
}

impl Seen {
    pub fn new(m: &MemberFacts, t: f64, purchase: Option<(f64, f64, f64)>) -> Seen {
        let (amount, p_time, discount) = purchase.unwrap_or((0.0, 0.0, 0.0));
        Seen {
            purchases: m.purchases,
            spend: m.spend.to_bits(),
            tenure: m.tenure.to_bits(),
            points: m.points.to_bits(),
            stamps: m.stamps,
            time: t.to_bits(),
            amount: amount.to_bits(),
            p_time: p_time.to_bits(),
            discount: discount.to_bits(),
        }
    }

    /// Whether every input in `reads` holds the same value in `self` and `o`.
    pub fn same_as(&self, o: &Seen, reads: u16) -> bool {
        let f = |bit: u16, a: u64, b: u64| reads & bit == 0 || a == b;
        f(PURCHASES, self.purchases.into(), o.purchases.into())
            && f(SPEND, self.spend, o.spend)
            && f(TENURE, self.tenure, o.tenure)
            && f(POINTS, self.points, o.points)
            && f(STAMPS, self.stamps as u64, o.stamps as u64)
            && f(TIME, self.time, o.time)
            && f(P_AMOUNT, self.amount, o.amount)
            && f(P_TIME, self.p_time, o.p_time)
            && f(P_DISCOUNT, self.discount, o.discount)
    }
}

/// One kept call of a hook.
#[derive(Debug, Clone)]
pub struct Entry {
    pub reads: u16,
    pub seen: Seen,
    /// `member.state` as the call saw it, when it read it.
    pub state: Option<Snap>,
    pub answer: Answer,
    /// Operations the call used (charged again at each use).
    pub ops: u64,
}

impl Entry {
    /// Whether a call seeing `seen` and `state` would go exactly as this one.
    pub fn fits(&self, seen: &Seen, state: &Dynamic) -> bool {
        self.seen.same_as(seen, self.reads)
            && match &self.state {
                None => true,
                Some(s) => state_is(state, s),
            }
    }
}

/// The most calls kept per hook and member. A kept call stays valid for the
/// whole membership (it depends only on what it read, compared when it is
/// used), so several are kept: a member who comes back to earlier inputs (a
/// stamp card that restarts) finds its answer. The oldest goes first. Of
/// the calls that read `member.state` only the newest is kept, and only
/// until a call of the hook that cannot be kept: comparing the state with
/// copies at every call costs more than it saves (measured on
/// `scripts/tiered.rhai`).
pub const KEPT_PER_HOOK: usize = 16;

/// A member's kept calls, up to [`KEPT_PER_HOOK`] per hook, and whether
/// keeping is still safe.
#[derive(Debug, Default)]
pub struct Memo {
    /// Per hook, oldest first.
    pub entries: [Vec<Entry>; 6],
    /// Set for good when a call left the member's handles in a state the
    /// entries cannot vouch for (a script replaced `member`, `ctx`,
    /// `ctx.params` or `ctx.response` through a shared handle).
    pub off: bool,
    /// Whether the last call of each hook had an effect (then the next one
    /// does not copy `member.state` to keep its result).
    pub wrote: [bool; 6],
    /// Calls answered from the entries so far.
    pub kept_answers: u64,
}

impl Memo {
    /// The kept call of hook `i` that a call seeing `seen` and `state` would
    /// repeat, if there is one (the newest first).
    pub fn find(&self, i: usize, seen: &Seen, state: &Dynamic) -> Option<&Entry> {
        if self.off {
            return None;
        }
        self.entries[i].iter().rev().find(|e| e.fits(seen, state))
    }

    /// After a call of hook `i`: keep its entry if it can be kept;
    /// otherwise drop the entries that read `member.state` (none is kept
    /// once a later call could not be).
    pub fn settle(&mut self, i: usize, e: Option<Entry>) {
        match e {
            Some(e) => self.add(i, e),
            None => self.entries[i].retain(|k| k.state.is_none()),
        }
    }

    /// Keep `e` for hook `i`, dropping the oldest entry past
    /// [`KEPT_PER_HOOK`] (and any other that read `member.state`, if `e`
    /// did).
    pub fn add(&mut self, i: usize, e: Entry) {
        let v = &mut self.entries[i];
        if e.state.is_some() {
            v.retain(|k| k.state.is_none());
        }
        if v.len() == KEPT_PER_HOOK {
            v.remove(0);
        }
        v.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_compare_by_value_and_refuse_shared_handles() {
        let mut m = Map::new();
        m.insert("tier".into(), Dynamic::from("gold"));
        m.insert(
            "ring".into(),
            Dynamic::from_array(vec![1.0.into(), 2.into()]),
        );
        m.insert("flag".into(), true.into());
        let state = Dynamic::from_map(m.clone()).into_shared();
        let s = snap_state(&state).unwrap();
        assert!(state_is(&state, &s));
        // -0.0 and 0.0 differ bit for bit.
        let mut m2 = m.clone();
        m2.insert(
            "ring".into(),
            Dynamic::from_array(vec![1.0.into(), 2.into()]),
        );
        assert!(state_is(&Dynamic::from_map(m2.clone()).into_shared(), &s));
        m2.insert("x".into(), 0.0.into());
        let s0 = snap_map(&m2).unwrap();
        m2.insert("x".into(), (-0.0).into());
        assert!(!state_is(&Dynamic::from_map(m2.clone()).into_shared(), &s0));
        // An int is not a float of the same value.
        m2.insert("x".into(), 0.into());
        assert!(!state_is(&Dynamic::from_map(m2.clone()).into_shared(), &s0));
        m2.insert("x".into(), 0.0.into());
        assert!(state_is(&Dynamic::from_map(m2.clone()).into_shared(), &s0));
        assert!(!state_is(&Dynamic::from_map(m.clone()).into_shared(), &s0));
        // A shared value inside the state cannot be vouched for.
        m2.insert("h".into(), Dynamic::from(1).into_shared());
        assert_eq!(snap_map(&m2), None);
        // Nor a custom type.
        m2.remove("h");
        m2.insert("c".into(), Dynamic::from(std::time::Duration::ZERO));
        assert_eq!(snap_map(&m2), None);
    }

    #[test]
    fn seen_compares_only_what_was_read() {
        let f = MemberFacts {
            purchases: 3,
            spend: 10.0,
            segment: 0,
            tenure: 1.5,
            referred: false,
            points: 4.0,
            stamps: 2,
        };
        let a = Seen::new(&f, 7.0, None);
        let b = Seen::new(&MemberFacts { stamps: 3, ..f }, 8.0, None);
        assert!(a.same_as(&b, PURCHASES | SPEND | POINTS));
        assert!(!a.same_as(&b, STAMPS));
        assert!(!a.same_as(&b, TIME));
        assert!(a.same_as(&b, 0));
    }
}
