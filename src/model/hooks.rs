//! The hooks a scripted program may define (docs/scripting.md), as a trait the
//! engine calls. The core never sees Rhai: `script::RhaiHooks` implements this
//! trait, and core tests can use a native stub. The trait lives in the model
//! because a resolved scenario holds each script's compiled hooks
//! ([`HooksRef`]); how a stated [`ScriptIncentive`] becomes a mechanism's
//! incentive is in `programs::hooks`.
//!
//! Every hook has a cheap `has_*` check so that hooks a script does not define
//! cost nothing. Hook state per member (a script's `member.state` and its
//! random stream) is an opaque [`HookState`] kept in the member
//! (`programs::Member`).
//!
//! Points and stamps seen by hooks map onto the member's own wallet and card:
//! `member.points` is the member's points wallet (the built-in one when the
//! program has `points`, otherwise a script-owned wallet of the same kind), so
//! every point a script creates is booked as issued and every point it removes
//! as redeemed, and what is left is forfeited, expired or held at the horizon
//! like built-in points: points conservation holds for scripts too.
//! `member.stamps` is the built-in card's stamp count when the program has
//! `stamps`, otherwise a script-owned counter (no money attached).

use crate::model::habits::Habits;
use crate::model::response::Response;
use crate::model::rng::Stream;
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A hook failed (a script error, already rendered as `FILE:LINE:COL: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookError(pub String);

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HookError {}

/// What a hook sees of a member; `points` and `stamps` may be changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberFacts {
    /// Purchases made as a member before now.
    pub purchases: u32,
    /// Cumulative net spend as a member.
    pub spend: f64,
    /// Index of the customer's segment.
    pub segment: usize,
    /// Time units since joining.
    pub tenure: f64,
    /// The customer came through word of mouth.
    pub referred: bool,
    /// Points balance.
    pub points: f64,
    /// Stamps on the card.
    pub stamps: i64,
}

/// One purchase as `on_purchase` sees it, and what the hook decided.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PurchaseFacts {
    /// List value of the basket.
    pub amount: f64,
    pub time: f64,
    /// Price reduction set by the script (currency, in [0, amount]).
    pub discount: f64,
    /// Sum of the reward costs booked with `reward(cost)`.
    pub reward_cost: f64,
    /// Number of `reward(cost)` calls.
    pub rewards: u32,
    /// Points awarded with `award_points(n)`.
    pub points_awarded: f64,
}

/// What a member's hooks have used of the operations budget
/// (`script::budget`): Rhai operations and hook calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub ops: u64,
    pub calls: u64,
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, o: Usage) {
        self.ops = self.ops.saturating_add(o.ops);
        self.calls = self.calls.saturating_add(o.calls);
    }
}

/// Constants about the customer a hook state is created for.
#[derive(Debug, Clone, Copy)]
pub struct CustomerInfo<'a> {
    pub segment: usize,
    pub segment_name: &'a str,
    pub response: &'a Response,
    pub mean_basket: f64,
    pub referred: bool,
    /// The customer's own buying habits (`member.rate`, `member.mean_basket`).
    pub habits: &'a Habits,
}

/// What a script's `incentive` hook states the member can get, in the
/// terms of a built-in mechanism (see docs/scripting.md). Every field is
/// optional in the script; absent ones are zero or "no goal".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScriptIncentive {
    /// Share of the price off the next purchase.
    pub discount: f64,
    /// Deferred value per currency unit of list spend, as the member sees it.
    pub value: f64,
    /// Progress toward the next reward in [0, 1]; `None`: no goal.
    pub progress: Option<f64>,
    /// The goal reward's value per currency unit (default: `value`).
    pub goal_value: Option<f64>,
    /// Qualifying purchases still needed for the next reward.
    pub to_goal: f64,
    /// Or the expected time to the next reward, stated directly.
    pub time_to_goal: Option<f64>,
    /// Smallest basket that counts toward the goal.
    pub min_basket: f64,
    /// Absolute time by which the reward must be reached (infinity: none).
    pub deadline: f64,
    /// False when the member can never collect a whole reward in time.
    pub feasible: bool,
    /// Currency the member would lose by leaving.
    pub banked: f64,
}

impl Default for ScriptIncentive {
    fn default() -> Self {
        ScriptIncentive {
            discount: 0.0,
            value: 0.0,
            progress: None,
            goal_value: None,
            to_goal: 0.0,
            time_to_goal: None,
            min_basket: 0.0,
            deadline: f64::INFINITY,
            feasible: true,
            banked: 0.0,
        }
    }
}

/// Opaque per-member hook state (a Rhai map and handles for a script).
#[derive(Clone)]
pub struct HookState(pub Arc<dyn Any + Send + Sync>);

impl fmt::Debug for HookState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HookState")
    }
}

/// The hooks of a scripted program. Implementations are shared by all worker
/// threads of a run.
pub trait Hooks: Send + Sync {
    fn has_on_enrol(&self) -> bool;
    fn has_on_purchase(&self) -> bool;
    fn has_on_period(&self) -> bool;
    fn has_purchase_rate_multiplier(&self) -> bool;
    fn has_churn_multiplier(&self) -> bool;
    fn has_incentive(&self) -> bool;
    /// Whether a hook state is needed at all (any hook defined).
    fn any(&self) -> bool {
        self.has_on_enrol()
            || self.has_on_purchase()
            || self.has_on_period()
            || self.has_purchase_rate_multiplier()
            || self.has_churn_multiplier()
            || self.has_incentive()
    }
    /// A fresh state for a customer who joins; `rng` is the customer's
    /// `Purpose::Script` stream.
    fn new_state(&self, who: &CustomerInfo<'_>, rng: Stream) -> HookState;
    fn on_enrol(&self, s: &HookState, m: &mut MemberFacts, t: f64) -> Result<(), HookError>;
    fn on_purchase(
        &self,
        s: &HookState,
        m: &mut MemberFacts,
        p: &mut PurchaseFacts,
    ) -> Result<(), HookError>;
    fn on_period(&self, s: &HookState, m: &mut MemberFacts, t: f64) -> Result<(), HookError>;
    fn purchase_rate_multiplier(
        &self,
        s: &HookState,
        m: &MemberFacts,
        t: f64,
    ) -> Result<f64, HookError>;
    fn churn_multiplier(&self, s: &HookState, m: &MemberFacts, t: f64) -> Result<f64, HookError>;
    /// What the program offers the member now (the `incentive` hook).
    fn incentive(
        &self,
        s: &HookState,
        m: &MemberFacts,
        t: f64,
    ) -> Result<ScriptIncentive, HookError>;
    /// What the hooks of the member with state `s` have used so far.
    fn usage(&self, _s: &HookState) -> Usage {
        Usage::default()
    }
    /// The group-level operations budget: operations allowed to hooks that
    /// made `calls` calls in all (`None`: no budget).
    fn allowance(&self, _calls: u64) -> Option<u64> {
        None
    }
    /// Where the hooks come from, for messages (a script's path).
    fn source(&self) -> String {
        String::new()
    }
    /// How the hooks are evaluated, for `validate` (a script: which hooks
    /// loyalsim evaluates itself and why the others run in Rhai).
    fn evaluation(&self) -> Option<String> {
        None
    }
}

/// A shared handle to a program's hooks, kept in the scenario.
#[derive(Clone)]
pub struct HooksRef(pub Arc<dyn Hooks>);

impl fmt::Debug for HooksRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hooks")
    }
}

impl PartialEq for HooksRef {
    fn eq(&self, o: &Self) -> bool {
        Arc::ptr_eq(&self.0, &o.0)
    }
}
