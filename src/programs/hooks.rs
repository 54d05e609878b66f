//! A scripted program's hooks, as the mechanisms see them. The hook contract
//! (the [`Hooks`] trait, the facts a hook sees, [`HooksRef`]) is in
//! [`crate::model::hooks`], because a resolved scenario holds each script's
//! compiled hooks; it is re-exported here so `programs::hooks::…` keeps
//! working. This file adds what needs the mechanisms: turning the incentive a
//! script states into a built-in mechanism's [`Incentive`].

use crate::model::habits::Habits;
use crate::programs::mechanism::{self, Goal, Incentive};

pub use crate::model::hooks::*;

impl ScriptIncentive {
    /// The incentive as a built-in mechanism states it: the time to the
    /// goal from the member's own rate of qualifying purchases.
    pub fn resolve(&self, habits: &Habits) -> Incentive {
        let rate = habits.rate() * habits.share_at_least(self.min_basket);
        Incentive {
            discount: self.discount.clamp(0.0, 1.0),
            deferred: self.value.max(0.0),
            goal: self.progress.map(|k| Goal {
                progress: k.clamp(0.0, 1.0),
                value: self.goal_value.unwrap_or(self.value).max(0.0),
                time_to_goal: self
                    .time_to_goal
                    .unwrap_or_else(|| mechanism::time_for(self.to_goal, rate)),
                deadline: self.deadline,
                feasible: self.feasible,
            }),
            banked: self.banked.max(0.0),
            referral_reward: 0.0,
        }
    }
}
