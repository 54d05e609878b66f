//! The control's customer: no program, so no multipliers and no scheduled
//! events.

use super::budget::{MAX_EVENTS_PER_CUSTOMER, runaway};
use super::{Customer, Outcome, Streams, book_arrival, book_end};
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
    let churn_after_purchase = c.churn_after_purchase();
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

/// The rest of the life of a program's customer who declined to join at
/// their purchase at `t` of `basket` (drawn, not yet booked): [`simulate`]'s
/// event loop from that purchase on, with the lifetime ending at `leave`
/// (infinity for churn after a purchase) and `events` events simulated so
/// far, this purchase's included. Books every purchase and returns when the
/// customer churned (`None`: active at the horizon), the events simulated
/// in all and the purchases booked here.
///
/// Outside the program every multiplier is 1 and nothing is scheduled, so
/// the member loop would make the same draws in the same order with the
/// same arithmetic (its clocks keep their times bit for bit while the rate
/// does not change); a win-back campaign never contacts a customer who
/// never joined. The loop is [`simulate`]'s, written out again rather than
/// shared: sharing it cost the control about 9 instructions per customer
/// (callgrind). Out of line, and entered from the member loop's offer (once
/// per customer) rather than tested after each purchase, which cost a stamp
/// arm about 35 instructions per customer where nobody declines.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub(super) fn declined_life(
    c: &Customer<'_>,
    streams: &mut Streams,
    mut t: f64,
    mut basket: f64,
    leave: f64,
    mut events: u64,
    rec: &mut Recorder,
) -> Result<(Option<f64>, u64, f64), SimError> {
    let tr = c.tr;
    let exp = sampling::ExpSampler::get();
    let churn_after_purchase = c.churn_after_purchase();
    let mut purchases = 0.0;
    let churned_at = loop {
        rec.add_purchase(rec.moment(t), basket);
        purchases += 1.0;
        if let Some(p) = churn_after_purchase
            && streams.churn().uniform() < p
        {
            break Some(t);
        }
        let buy = Clock::start(t, exp.sample(&mut streams.purchases), tr.rate).at;
        events += 1;
        if events > MAX_EVENTS_PER_CUSTOMER {
            return Err(runaway(c.arm, c.a));
        }
        let next = buy.min(leave);
        if next > c.horizon {
            break None;
        }
        if leave == next {
            break Some(next);
        }
        t = buy;
        basket = c.draws.basket(tr, streams.basket.as_mut());
    };
    Ok((churned_at, events, purchases))
}
