//! The control's customer: no program, so no multipliers and no scheduled
//! events.

use super::budget::{MAX_EVENTS_PER_CUSTOMER, runaway};
use super::{Customer, Outcome, book_arrival, book_end};
use crate::engine::SimError;
use crate::engine::clock::Clock;
use crate::engine::recorder::Recorder;
use crate::model::sampling;
use crate::model::traits::Churn;
use crate::programs::hooks::Usage;

/// Simulate the control's customer `c`. The same draws in the same order
/// and the same arithmetic as the member loop with every multiplier at 1
/// (the mechanisms tests check that a program with a neutral response
/// reproduces this stream exactly); it exists because the control is
/// simulated in every run and this tight loop is about twice as fast.
#[inline(always)]
pub(super) fn simulate(c: &Customer<'_>, rec: &mut Recorder) -> Result<Outcome, SimError> {
    let (a, tr) = (c.a, c.tr);
    let mut streams = c.streams();
    book_arrival(a, rec);
    let exp = sampling::ExpSampler::get();
    let mut buy = Clock::start(a.t, exp.sample(&mut streams.purchases), tr.rate).at;
    let leave = match tr.churn {
        Churn::Rate(mu) => Clock::start(a.t, exp.sample(streams.churn()), mu * c.referred_churn).at,
        _ => f64::INFINITY,
    };
    let churn_after_purchase = match tr.churn {
        Churn::AfterPurchase(prob) => Some((prob * c.referred_churn).min(1.0)),
        _ => None,
    };
    let mut events: u64 = 0;
    let churned_at = loop {
        events += 1;
        if events > MAX_EVENTS_PER_CUSTOMER {
            return Err(runaway(c.arm, a));
        }
        let next = buy.min(leave);
        if next > c.horizon {
            break None;
        }
        if leave == next {
            break Some(next);
        }
        let t = buy;
        let basket = c.draws.basket(tr, streams.basket.as_mut());
        rec.add_purchase(rec.moment(t), basket);
        if let Some(p) = churn_after_purchase
            && streams.churn().uniform() < p
        {
            break Some(t);
        }
        buy = Clock::start(t, exp.sample(&mut streams.purchases), tr.rate).at;
    };
    book_end(a, churned_at, rec);
    Ok(Outcome {
        churn_at: churned_at.unwrap_or(f64::INFINITY),
        gone_at: churned_at.unwrap_or(f64::INFINITY),
        boosted: None,
        events,
        script: Usage::default(),
    })
}
