//! The bounds on a customer's events: one customer's
//! ([`MAX_EVENTS_PER_CUSTOMER`]) and a group's ([`EventBudget`], which also
//! keeps a program script's operations budget), so that a runaway purchase
//! rate stops the run with a message instead of looking like a hang.

use super::{Arm, Arrival, Outcome};
use crate::engine::SimError;
use crate::model::scenario::Scenario;
use crate::programs::hooks::{HookError, Usage};

/// Events one customer may have before the run is stopped. A real customer
/// has a few hundred at most; millions mean a runaway purchase rate (an
/// extreme reward value or elasticity, a script's multiplier, `on_period`
/// over an enormous horizon), which would otherwise look like a hang.
pub(super) const MAX_EVENTS_PER_CUSTOMER: u64 = 5_000_000;

pub(super) fn runaway(arm: &Arm<'_>, a: &Arrival) -> SimError {
    ran_away(
        arm,
        a,
        &format!("had more than {MAX_EVENTS_PER_CUSTOMER} events within the horizon"),
    )
}

/// The error for a run stopped at customer `a`, who `what`.
fn ran_away(arm: &Arm<'_>, a: &Arrival, what: &str) -> SimError {
    SimError::Runaway(format!(
        "{}: customer {} of replication {}{} {what}; the purchase rate ran away. check the \
         segments' purchase_rate, the [response] elasticities and reward values, and any script's \
         purchase_rate_multiplier or on_period",
        arm.scenario.origin(),
        a.id,
        arm.replication,
        arm.program
            .map_or(String::new(), |p| format!(" under program `{}`", p.name)),
    ))
}

/// A bound on the events of many customers together, so that a population
/// whose every customer stays just under [`MAX_EVENTS_PER_CUSTOMER`] cannot
/// keep a run going for days either; and the group-level operations budget
/// of a program's script (`script::budget`), so that a population whose
/// every member stays just within its own allowance is stopped too.
/// Customers are charged in a fixed order (a block's, or the arrival
/// process's), so where a run stops does not depend on threads. The event
/// allowance is a thousand times what an average customer of the scenario
/// buys without a program (a thousand events at the least): far above any
/// realistic response, and in aggregate customers cannot all be far above
/// the average.
#[derive(Debug, Clone)]
pub struct EventBudget {
    allowance: f64,
    customers: u64,
    events: u64,
    script: Usage,
}

impl EventBudget {
    pub fn new(sc: &Scenario) -> EventBudget {
        let mean_rate = sc.population.mean_purchase_rate();
        EventBudget {
            allowance: 1000.0 * (mean_rate * sc.simulation.horizon).max(1.0),
            customers: 0,
            events: 0,
            script: Usage::default(),
        }
    }

    /// Charge customer `a`'s outcome `o` in arm `arm`; fails once the
    /// customers charged so far have together had more events than their
    /// allowance (plus one customer's limit), or their hooks have used more
    /// operations than the script's budget allows for their calls.
    #[inline]
    pub fn charge(&mut self, arm: &Arm<'_>, a: &Arrival, o: &Outcome) -> Result<(), SimError> {
        self.customers += 1;
        self.events += o.events;
        // Through i64: the same values (counts stay far below 2^63) by one
        // conversion instruction instead of an unsigned one's several.
        if (self.events as i64 as f64)
            > MAX_EVENTS_PER_CUSTOMER as f64 + self.allowance * self.customers as i64 as f64
        {
            return Err(self.exceeded(arm, a));
        }
        if o.script.calls == 0 {
            return Ok(());
        }
        self.charge_script(arm, a, o)
    }

    /// The part of [`EventBudget::charge`] for customers whose hooks ran.
    #[inline(never)]
    fn charge_script(&mut self, arm: &Arm<'_>, a: &Arrival, o: &Outcome) -> Result<(), SimError> {
        self.script += o.script;
        let Some(hooks) = arm
            .program
            .and_then(|p| p.script.as_ref())
            .map(|s| &s.hooks.0)
        else {
            return Ok(());
        };
        match hooks.allowance(self.script.calls) {
            Some(max) if self.script.ops > max => {
                let reserve = hooks.allowance(0).unwrap_or(0);
                let per_call = hooks.allowance(1).unwrap_or(0) - reserve;
                Err(SimError::Hook(HookError(format!(
                    "{}: limit exceeded: operations budget: the hooks of the {} customers simulated \
                     so far in this group used {} operations in {} calls, more than {per_call} per \
                     call on average plus {reserve} (docs/scripting.md, \"Operations budget\"); \
                     stopped at customer {} of replication {}{}; does a loop do more work than it \
                     needs?",
                    hooks.source(),
                    self.customers,
                    self.script.ops,
                    self.script.calls,
                    a.id,
                    arm.replication,
                    arm.program
                        .map_or(String::new(), |p| format!(" under program `{}`", p.name)),
                ))))
            }
            _ => Ok(()),
        }
    }

    /// The error for a run stopped by the event bound at customer `a`.
    fn exceeded(&self, arm: &Arm<'_>, a: &Arrival) -> SimError {
        ran_away(
            arm,
            a,
            &format!(
                "brought the {} customers simulated so far to {} events, more than {:.0} each on \
                 average",
                self.customers, self.events, self.allowance
            ),
        )
    }
}
