//! The seam between a loyalty mechanism and the customers' response.
//!
//! A mechanism (discount, points, stamps, referral, a script) does two
//! things: it books what a member's purchases cost the business, and it
//! states its [`Incentive`]: what the member can get, how far along they
//! are, and whether the next reward is within reach. The response
//! (`programs::response`) reads only the incentive, never the mechanism, so
//! every mechanism gets the same behavioural treatment, and a program that
//! gives nothing changes nothing.
//!
//! Mechanisms are dispatched statically (a generic call per mechanism a
//! program has, see `Member`), so the member loop pays no virtual calls.
//! Adding a mechanism is one file implementing [`Mechanism`], its scenario
//! keys, and one line in the mechanism list of `programs::member`.

use crate::math::cdf;
use crate::model::habits::Habits;
use crate::model::response::Response;
use crate::record::recorder::{Moment, Recorder};

/// What a member could get from a mechanism at one moment (its incentive).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Incentive {
    /// Share of the list price taken off at the till on the next purchase.
    pub discount: f64,
    /// Value of deferred rewards given back per currency unit of list
    /// spend, as this member sees it (their chance of collecting included).
    pub deferred: f64,
    /// The next reward the member is working toward, if any.
    pub goal: Option<Goal>,
    /// Currency value the member would lose by leaving (points held, stamps).
    pub banked: f64,
    /// What the member earns for each customer they bring (referral).
    pub referral_reward: f64,
}

impl Incentive {
    /// Value given back per currency unit, immediate and deferred together.
    pub fn value(&self) -> f64 {
        self.discount + self.deferred
    }
}

/// The next reward a member is working toward.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goal {
    /// Progress k/K in [0, 1] (pre-printed stamps count in both k and K).
    pub progress: f64,
    /// Value per currency unit of the reward aimed at (sizes the goal's pull).
    pub value: f64,
    /// Expected time to the reward at the member's own purchase rate.
    pub time_to_goal: f64,
    /// Absolute time by which the reward must be reached before progress is
    /// lost (card expiry), infinity if none.
    pub deadline: f64,
    /// False when a whole reward cannot be collected within the life of
    /// the progress (points expiring before a member could ever reach the
    /// threshold at their rate): such a goal motivates nobody.
    pub feasible: bool,
}

/// What a mechanism may know about the member at a moment.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub t: f64,
    pub habits: &'a Habits,
    pub response: &'a Response,
    /// When the program really ends (its `end` when before the horizon,
    /// otherwise infinity: customers do not know the simulation's horizon).
    pub program_end: f64,
    /// The member's cumulative net spend and purchases as a member.
    pub spend: f64,
    pub purchases: u32,
}

/// One purchase at the till, as the mechanisms see it in turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Till {
    /// List value of the basket.
    pub basket: f64,
    /// Price reduction so far (mechanisms earlier in the list, a script).
    pub discount: f64,
}

impl Till {
    /// What the member pays so far.
    pub fn net(&self) -> f64 {
        self.basket - self.discount
    }
}

/// A loyalty mechanism: its rules for a member, and the incentive it states.
pub trait Mechanism {
    /// The mechanism's per-member state. The default is "not a member";
    /// a member's state is reused for the next customer (no allocation).
    type State: Default;

    /// Start the state of a customer who joins at `cx.t` (and book welcome
    /// gifts). `st` holds whatever the previous customer left: reset it.
    /// Mechanisms without per-member state (a discount, referral rewards)
    /// keep the default, which does nothing.
    fn join(&self, _st: &mut Self::State, _cx: &Ctx<'_>, _rec: &mut Recorder) {}

    /// Book a member's purchase; returns true when it earned a reward.
    /// The default books nothing and earns nothing.
    /// `chance(p)` decides an event of probability `p` from the program's
    /// own random stream (never the purchase or churn streams).
    fn purchase(
        &self,
        _st: &mut Self::State,
        _cx: &Ctx<'_>,
        _at: Moment,
        _till: &mut Till,
        _chance: &mut impl FnMut(f64) -> bool,
        _rec: &mut Recorder,
    ) -> bool {
        false
    }

    /// What the member could get now.
    fn incentive(&self, st: &Self::State, cx: &Ctx<'_>) -> Incentive;

    /// The next time a scheduled event (expiry) is due, infinity if none.
    fn next_event(&self, _st: &Self::State) -> f64 {
        f64::INFINITY
    }

    /// Handle the scheduled events due at `t`.
    fn on_scheduled(&self, _st: &mut Self::State, _t: f64, _rec: &mut Recorder) {}

    /// The membership ends at `t`; value still held is lost as `lost_as`.
    fn close(
        &self,
        _st: &mut Self::State,
        _t: f64,
        _lost_as: crate::record::recorder::Flow,
        _rec: &mut Recorder,
    ) {
    }

    /// The member is still there at the horizon: book what they hold.
    fn at_horizon(&self, _st: &Self::State, _horizon: f64, _rec: &mut Recorder) {}
}

/// The chance of collecting `needed` qualifying purchases within `window`
/// time units at `rate` qualifying purchases per time unit (Poisson), 1 for
/// an unlimited window. Mechanisms use it for "can this member get it?".
pub fn chance_within(needed: f64, rate: f64, window: f64) -> f64 {
    if needed <= 0.0 {
        return 1.0;
    }
    if rate <= 0.0 || !needed.is_finite() {
        return 0.0;
    }
    if window.is_infinite() {
        return 1.0;
    }
    cdf::poisson_at_least(needed.ceil(), rate * window.max(0.0))
}

/// Expected time to collect `needed` qualifying purchases at `rate`.
pub fn time_for(needed: f64, rate: f64) -> f64 {
    if needed <= 0.0 {
        0.0
    } else if rate > 0.0 {
        needed / rate
    } else {
        f64::INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chance_within_is_a_poisson_tail() {
        assert_eq!(chance_within(0.0, 0.0, 1.0), 1.0);
        assert_eq!(chance_within(3.0, 0.0, 10.0), 0.0);
        assert_eq!(chance_within(3.0, 1.0, f64::INFINITY), 1.0);
        // At least one purchase in a window with mean 1: 1 − e^{−1}.
        let p = chance_within(1.0, 0.5, 2.0);
        assert!((p - (1.0 - (-1.0f64).exp())).abs() < 1e-14);
        // More needed, less likely; a longer window, more likely.
        assert!(chance_within(5.0, 1.0, 4.0) < chance_within(4.0, 1.0, 4.0));
        assert!(chance_within(5.0, 1.0, 6.0) > chance_within(5.0, 1.0, 4.0));
        assert_eq!(time_for(4.0, 2.0), 2.0);
        assert!(time_for(1.0, 0.0).is_infinite());
    }
}
