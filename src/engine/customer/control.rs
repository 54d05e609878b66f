//! The control's customer: no program, so no multipliers and no scheduled
//! events.

use super::budget::{MAX_EVENTS_PER_CUSTOMER, runaway};
use super::{Arm, Arrival, Customer, Outcome, Streams, book_arrival, book_end};
use crate::engine::SimError;
use crate::engine::answers::{Life, Tally};
use crate::engine::clock::Clock;
use crate::engine::recorder::Recorder;
use crate::model::rng::CustomerKey;
use crate::model::sampling;
use crate::model::traits::{Churn, Traits};

/// Simulate the control's customer `a` (traits `tr`, streams from `key`).
/// The same draws in the same order and the same arithmetic as the member
/// loop with every multiplier at 1 (the mechanisms tests check that a
/// program with a neutral response reproduces this stream exactly); it
/// exists because the control is simulated in every run and this tight
/// loop is about twice as fast.
#[inline(always)]
pub(super) fn simulate(
    arm: &Arm<'_>,
    a: &Arrival,
    tr: &Traits,
    key: CustomerKey,
    rec: &mut Recorder,
) -> Result<Outcome, SimError> {
    // Most customers are in the initial cohort and came by no
    // recommendation: their own copy of the loop, where those facts are
    // constants and their bookings' branches fold away.
    let (left, events) = if a.initial && !a.referred {
        life::<true>(arm, a, tr, key, rec)
    } else {
        life::<false>(arm, a, tr, key, rec)
    };
    if events > MAX_EVENTS_PER_CUSTOMER {
        return Err(runaway(arm, a));
    }
    Ok(Outcome::left_at(left, events))
}

/// [`simulate`]'s customer, booked into `rec`: when they left (infinity if
/// active at the horizon or arriving after it) and the events simulated
/// (more than [`MAX_EVENTS_PER_CUSTOMER`]: stopped there, a runaway).
/// `COHORT`: `a` is of the initial cohort and not referred.
///
/// Out of line, with two scalars to return rather than a
/// `Result<Outcome, _>` in memory; the customer's answers are tallied on
/// the stack (in registers) and folded into the recorder's once, at the end.
#[inline(never)]
fn life<const COHORT: bool>(
    arm: &Arm<'_>,
    a: &Arrival,
    tr: &Traits,
    key: CustomerKey,
    rec: &mut Recorder,
) -> (f64, u64) {
    // For `COHORT`, a copy the compiler knows to be of the initial cohort
    // and not referred, so that the branches on those facts fold away.
    // (Tried for a program's member loop too: points 12 instructions a
    // customer cheaper, stamps 6 dearer, for twice the code; not kept.)
    let cohort;
    let a = if COHORT {
        debug_assert!(a.initial && !a.referred);
        cohort = Arrival {
            initial: true,
            referred: false,
            ..*a
        };
        &cohort
    } else {
        a
    };
    if a.t > arm.scenario.simulation.horizon {
        // A cohort member who joins after the horizon is not part of this
        // simulation: nothing to book, and they never refer anyone in it.
        return (f64::INFINITY, 0);
    }
    let c = Customer::new(arm, a, tr, key);
    let mut streams = c.streams();
    // The customer's answers, noted here rather than in the recorder's own
    // tally (the recorder folds them in at the end).
    let mut tally = Tally::default();
    book_arrival(a, &mut rec.booker_to(&mut tally));
    let exp = sampling::ExpSampler::get();
    let buy = Clock::start(a.t, exp.sample(&mut streams.purchases), tr.rate).at;
    let leave = match tr.churn {
        Churn::Rate(mu) => Clock::start(a.t, exp.sample(streams.churn()), mu * c.referred_churn).at,
        _ => f64::INFINITY,
    };
    // The loop comes in two copies: with fixed baskets (the value known,
    // no stream) and with drawn ones.
    match c.draws.fixed_basket() {
        Some(x) => purchases(&c, &mut streams, buy, leave, rec, tally, |_| x),
        None => purchases(&c, &mut streams, buy, leave, rec, tally, |s| {
            c.draws.basket(tr, s.basket.as_mut())
        }),
    }
}

/// [`life`] from the first purchase clock at `buy` and the lifetime's end
/// at `leave` (infinity for churn after a purchase), with the customer's
/// `tally` so far: the event loop, the end of the life and the fold into
/// the answers.
#[inline(always)]
fn purchases(
    c: &Customer<'_>,
    streams: &mut Streams,
    mut buy: f64,
    leave: f64,
    rec: &mut Recorder,
    mut tally: Tally,
    mut basket: impl FnMut(&mut Streams) -> f64,
) -> (f64, u64) {
    let (a, tr) = (c.a, c.tr);
    let exp = sampling::ExpSampler::get();
    let churn_after_purchase = c.churn_after_purchase();
    let mut events: u64 = 0;
    // One purchase: booked, the churn coin, the next purchase's time.
    macro_rules! purchase {
        ($life:lifetime) => {{
            let t = buy;
            let basket = basket(streams);
            rec.add_purchase_to(&mut tally, rec.moment(t), basket);
            if let Some(p) = churn_after_purchase
                && streams.churn().uniform() < p
            {
                break $life Some(t);
            }
            // The rate is positive (the customer bought): `Clock::start`'s
            // time without its test.
            buy = t + exp.sample(&mut streams.purchases) / tr.rate;
        }};
    }
    // The next event, if it is a purchase within the horizon. Neither
    // clock is ever NaN (a rate that is not positive gives infinity), so
    // plain comparisons decide as `min` would: the churn clock wins a tie.
    macro_rules! next_event {
        ($life:lifetime) => {{
            events += 1;
            if events > MAX_EVENTS_PER_CUSTOMER {
                return (f64::INFINITY, events);
            }
            if leave <= buy {
                break $life (leave <= c.horizon).then_some(leave);
            }
            if buy > c.horizon {
                break $life None;
            }
        }};
    }
    // The first event and purchase come before the loop (peeled), where
    // the compiler knows the customer's tally is still empty: the
    // control 15 instructions a customer cheaper (callgrind).
    let churned_at = 'life: {
        next_event!('life);
        purchase!('life);
        loop {
            next_event!('life);
            purchase!('life);
        }
    };
    book_end(a, churned_at, &mut rec.booker_to(&mut tally));
    rec.end_customer_with(
        &tally,
        &Life {
            segment: a.segment,
            arrived: a.t,
            churned: churned_at,
            initial: a.initial,
            referred: a.referred,
        },
    );
    (churned_at.unwrap_or(f64::INFINITY), events)
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
/// never joined. The loop is [`simulate`]'s in its earlier form (`Clock::start`
/// and `min` where [`purchases`] compares the clocks directly; the same
/// decisions, since neither clock is ever NaN), written out again rather
/// than shared: sharing it cost the control about 9 instructions per
/// customer (callgrind, before the control's loop moved into [`life`]).
/// Out of line, and entered from the member loop's offer (once
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
