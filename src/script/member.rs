//! `member`: what a hook sees of a program member. Passed to hooks as one
//! shared handle per member (no allocation per call); `state` is a map the
//! script owns, kept with the member for its whole membership.

use super::memo::{self, Reads, Snap};
use crate::model::habits::Habits;
use rhai::{Dynamic, Engine, INT, ImmutableString};

/// The Rhai `member` object.
#[derive(Debug, Clone)]
pub struct MemberObj {
    /// Script-owned map (a shared value, so `member.state.x = 1` writes through).
    pub state: Dynamic,
    pub purchases: INT,
    pub spend: f64,
    pub segment: ImmutableString,
    pub tenure: f64,
    pub referred: bool,
    pub points: f64,
    pub stamps: INT,
    /// The customer's own buying habits (read-only).
    pub habits: Habits,
    /// What the running call read and whether it had an effect
    /// (`memo::PURCHASES`, ..., `memo::TAINT`), shared with the copies a
    /// script makes of the object; reset before each call.
    pub reads: Reads,
    /// Whether hook results are kept (`memo.rs`): then the first read of
    /// `state` in a call copies it, to see afterwards whether it changed.
    pub memo: bool,
    /// `state` as the running call first read it (`None` inside when it
    /// cannot be compared by value).
    pub state_at_read: Option<Option<Snap>>,
}

impl MemberObj {
    fn read(&mut self, bit: u16) {
        self.reads.add(bit);
    }
}

/// Register `member`'s type and properties. Getters of what changes during
/// a membership note the read, setters note the effect (`memo.rs`).
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<MemberObj>("Member")
        .register_get_set(
            "state",
            |m: &mut MemberObj| {
                if m.memo && m.state_at_read.is_none() {
                    m.state_at_read = Some(memo::snap_state(&m.state));
                }
                m.read(memo::STATE);
                m.state.clone()
            },
            |m: &mut MemberObj, v: Dynamic| {
                m.read(memo::TAINT);
                m.state = if v.is_shared() { v } else { v.into_shared() };
            },
        )
        .register_get("purchases", |m: &mut MemberObj| {
            m.read(memo::PURCHASES);
            m.purchases
        })
        .register_get("spend", |m: &mut MemberObj| {
            m.read(memo::SPEND);
            m.spend
        })
        .register_get("segment", |m: &mut MemberObj| m.segment.clone())
        .register_get("tenure", |m: &mut MemberObj| {
            m.read(memo::TENURE);
            m.tenure
        })
        .register_get("referred", |m: &mut MemberObj| m.referred)
        .register_get("rate", |m: &mut MemberObj| m.habits.rate())
        .register_get("mean_basket", |m: &mut MemberObj| m.habits.mean_basket())
        .register_fn("share_at_least", |m: &mut MemberObj, x: f64| {
            m.habits.share_at_least(x)
        })
        .register_fn("share_at_least", |m: &mut MemberObj, x: INT| {
            m.habits.share_at_least(x as f64)
        })
        .register_get_set(
            "points",
            |m: &mut MemberObj| {
                m.read(memo::POINTS);
                m.points
            },
            |m: &mut MemberObj, v: f64| {
                m.read(memo::TAINT);
                m.points = v
            },
        )
        .register_set("points", |m: &mut MemberObj, v: INT| {
            m.read(memo::TAINT);
            m.points = v as f64
        })
        .register_get_set(
            "stamps",
            |m: &mut MemberObj| {
                m.read(memo::STAMPS);
                m.stamps
            },
            |m: &mut MemberObj, v: INT| {
                m.read(memo::TAINT);
                m.stamps = v
            },
        );
}
