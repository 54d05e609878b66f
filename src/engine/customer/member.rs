//! A customer in a program's arm: joining, a member's purchases and
//! scheduled events, the response's multipliers after every event, and a
//! win-back campaign's dormant spells.

use super::budget::{MAX_EVENTS_PER_CUSTOMER, runaway};
use super::lapse::Lapses;
use super::{
    Boost, Customer, Outcome, Scratch, Streams, book_arrival, book_end, control, scripted,
};
use crate::engine::SimError;
use crate::engine::clock::Clock;
use crate::engine::recorder::{Flow, Recorder};
use crate::model::habits::Habits;
use crate::model::rng::{LazyCoin, Purpose};
use crate::model::sampling::{self, ExpSampler};
use crate::model::scenario::ProgramSpec;
use crate::model::traits::Churn;
use crate::programs::hooks::{HookError, Hooks, MemberFacts, Usage};
use crate::programs::mechanism::Till;
use crate::programs::response::Rates;
use crate::programs::{Member, Who, earliest, referral};

/// A customer in a program's arm: the customer, the program, and what the
/// member's response reads of them.
pub(super) struct Participant<'c> {
    pub c: &'c Customer<'c>,
    pub p: &'c ProgramSpec,
    pub who: Who<'c>,
}

impl Participant<'_> {
    /// What a script sees of member `m` at `t`.
    #[inline]
    pub fn facts(&self, m: &Member, t: f64) -> MemberFacts {
        m.facts(self.p, self.c.a.segment, self.c.a.referred, t)
    }
}

/// What one customer did in a program's arm, for the comparison a shop
/// would make after launch (members against customers who declined).
#[derive(Debug, Default)]
struct ArmTally {
    purchases: f64,
    revenue: f64,
    offered: bool,
    joined: bool,
}

impl ArmTally {
    /// Book the tally at `at` (within the horizon: the end of the life).
    fn book(&self, at: f64, rec: &mut Recorder) {
        if self.joined {
            let at = rec.moment(at);
            rec.book(Flow::MemberPurchases, at, self.purchases);
            rec.book(Flow::MemberRevenue, at, self.revenue);
        } else if self.offered {
            let at = rec.moment(at);
            rec.book(Flow::Declined, at, 1.0);
            rec.book(Flow::DeclinedPurchases, at, self.purchases);
        }
    }
}

/// Simulate customer `c` in the arm of program `p`. `SCRIPTED` is false for
/// programs without hooks, so that their (common, and hot) instantiation
/// carries none of the script calls.
#[inline(always)]
pub(super) fn simulate<const SCRIPTED: bool>(
    c: &Customer<'_>,
    p: &ProgramSpec,
    hooks: Option<&dyn Hooks>,
    rec: &mut Recorder,
    scratch: &mut Scratch,
) -> Result<Outcome, SimError> {
    // A constant `None` when not scripted, so that the compiler drops every
    // script call from that instantiation.
    let hooks = if SCRIPTED { hooks } else { None };
    let (a, tr, horizon) = (c.a, c.tr, c.horizon);
    let arm = c.arm;
    let mut streams = c.streams();
    book_arrival(a, &mut rec.booker());
    let exp = sampling::ExpSampler::get();
    let mut buy = Clock::start(a.t, exp.sample(&mut streams.purchases), tr.rate);
    let mut leave = match tr.churn {
        Churn::Rate(mu) => Clock::start(a.t, exp.sample(streams.churn()), mu * c.referred_churn),
        _ => Clock::start(a.t, f64::INFINITY, 0.0),
    };
    if !SCRIPTED {
        // A customer whose first event is not a purchase never meets the
        // program (it is offered at a purchase) and lives as in the
        // control: the loop's first step below, with nothing scheduled
        // for a customer outside the program, decided here without setting
        // up the member (about half the customers of a BG/NBD population
        // never buy).
        let t = earliest(earliest(buy.at, leave.at), f64::INFINITY);
        if t > horizon || leave.at == t {
            let churned_at = (t <= horizon).then_some(t);
            book_end(a, churned_at, &mut rec.booker());
            let gone = churned_at.unwrap_or(f64::INFINITY);
            return Ok(Outcome {
                churn_at: gone,
                gone_at: gone,
                boosted: None,
                events: 1,
                script: Usage::default(),
            });
        }
    }
    let pc = Participant {
        c,
        p,
        who: Who {
            habits: Habits::new(
                &arm.scenario.population.segments[a.segment],
                tr,
                arm.mean_rate,
            ),
            response: &arm.responses[a.segment],
            program_end: if p.end < horizon {
                p.end
            } else {
                f64::INFINITY
            },
        },
    };
    let who = &pc.who;
    // The program's enrolment and redemption coins.
    let mut coin = LazyCoin::new(c.key, Purpose::Program);

    let referral = p.referral.as_ref();
    // Not a member until the first purchase in the program's window (and
    // then only if they enrol); an inactive member is simply a customer.
    let mut m = Member::outside(std::mem::take(&mut scratch.points));
    let mut tally = ArmTally::default();
    let mut first_purchase = true;
    let mut boosted: Option<Boost> = None;
    // A win-back campaign: a customer who drops out may come back (`wake`,
    // infinity unless dormant until then).
    let mut lapses = Lapses::new(p, horizon, c.key);
    let mut wake = f64::INFINITY;

    let mut events: u64 = 0;
    // A customer who declines to join at a purchase: when and what.
    let mut declined: Option<(f64, f64)> = None;
    let churned_at = loop {
        events += 1;
        if events > MAX_EVENTS_PER_CUSTOMER {
            return Err(runaway(arm, a));
        }
        let mut sched = m.next_event(p, horizon);
        if SCRIPTED && m.active {
            sched = earliest(sched, m.next_period);
        }
        sched = earliest(sched, wake);
        let t = earliest(earliest(buy.at, leave.at), sched);
        if t > horizon {
            break None;
        }
        if leave.at == t {
            match lapses.lapse(a, &mut boosted, t, rec) {
                None => break Some(t),
                Some(back) => {
                    (wake, buy, leave) = (back, Clock::dormant(t), Clock::dormant(t));
                    continue;
                }
            }
        }
        // After each event the member's state may have changed, and with it
        // the multipliers. The two kinds of event are handled in separate
        // branches to the end, so the hard-to-predict test is made once.
        if sched == t {
            if SCRIPTED && m.next_period == t {
                m.next_period += 1.0;
                if let Some(h) = hooks {
                    scripted::period(h, &pc, &mut m, t, rec)?;
                }
            }
            // Expiry, the program's end, a fading effect changing form
            // (nothing happens if none is due).
            m.on_scheduled(p, t, horizon, rec);
            if !m.active
                && let Some(b) = boosted.as_mut()
            {
                b.to = b.to.min(t);
            }
            let x = rates(&mut m, &pc, hooks, t)?;
            if wake == t {
                // Won back: purchases and a lifetime start afresh.
                wake = f64::INFINITY;
                buy = restart_purchases(t, tr.rate, &x, &mut streams, exp);
                if let Churn::Rate(mu) = tr.churn {
                    let l = x.churn.scaled(mu);
                    leave = Clock::start_fading(
                        t,
                        exp.sample(streams.churn()),
                        l.base,
                        l.excess,
                        l.tau,
                    );
                }
            } else if wake == f64::INFINITY {
                let b = x.buy.scaled(tr.rate);
                buy.set_fading(t, b.base, b.excess, b.tau);
                rescale_churn(&mut leave, t, tr.churn, &x);
            }
        } else {
            let basket = c.draws.basket(tr, streams.basket.as_mut());
            let at = rec.moment(t);
            if !tally.offered && t >= p.start && t < p.end {
                tally.offered = true;
                let chance = crate::programs::response::join_chance(
                    p.enrolment,
                    who.response.enrolment_selection,
                    who.habits.relative_rate(),
                );
                if coin.chance(chance) {
                    tally.joined = true;
                    m.join(p, who, t, rec);
                    if let Some(h) = hooks {
                        scripted::enrol(h, &pc, &mut m, t, rec)?;
                    }
                    if referral.is_some() {
                        boosted = Some(Boost {
                            from: t,
                            to: p.end.min(horizon),
                            factor: m.referral_factor(p, who),
                        });
                    }
                } else if !(first_purchase && a.via_member && referral.is_some()) {
                    // Declined (a first purchase that brings a referral's
                    // reward stays here, for that reward's booking).
                    declined = Some((t, basket));
                    break None;
                }
            }
            let mut till = Till {
                basket,
                discount: 0.0,
            };
            if m.active {
                let mut extra = 0.0;
                if let Some(h) = hooks.filter(|h| h.has_on_purchase()) {
                    extra = scripted::purchase(h, &pc, &mut m, t, basket, rec)?;
                }
                till.discount = m.purchase(p, who, at, basket, extra, &mut |q| coin.chance(q), rec);
            }
            if first_purchase
                && a.via_member
                && let Some(r) = referral
            {
                referral::first_purchase(r, at, &mut till, rec);
            }
            first_purchase = false;
            lapses.purchase(t, tally.joined, rec);
            tally.purchases += 1.0;
            tally.revenue += basket;
            rec.add_purchase(at, basket);
            if till.discount > 0.0 {
                rec.book(Flow::Discounts, at, till.discount);
            }
            let x = rates(&mut m, &pc, hooks, t)?;
            if let Churn::AfterPurchase(prob) = tr.churn
                && streams.churn().uniform() < (prob * x.churn.now()).min(1.0)
            {
                match lapses.lapse(a, &mut boosted, t, rec) {
                    None => break Some(t),
                    Some(back) => {
                        (wake, buy) = (back, Clock::dormant(t));
                        continue;
                    }
                }
            }
            buy = restart_purchases(t, tr.rate, &x, &mut streams, exp);
            rescale_churn(&mut leave, t, tr.churn, &x);
        }
    };
    let churned_at = if let Some((t, basket)) = declined {
        // Every multiplier 1, nothing scheduled, and a win-back campaign
        // never contacts a customer who never joined: the rest of their
        // life, from the purchase at which they declined, is the control's,
        // in its tight loop.
        let (churned_at, n, bought) =
            control::declined_life(c, &mut streams, t, basket, leave.at, events, rec)?;
        tally.purchases += bought;
        events = n;
        churned_at
    } else {
        churned_at
    };

    book_end(a, churned_at, &mut rec.booker());
    tally.book(churned_at.unwrap_or(horizon), rec);
    match churned_at {
        Some(t) => {
            m.on_churn(p, t, rec);
            if let Some(b) = boosted.as_mut() {
                b.to = b.to.min(t);
            }
        }
        None => {
            lapses.at_horizon(horizon, rec);
            m.at_horizon(p, horizon, rec);
        }
    }
    let script = match (hooks, m.hook.as_ref()) {
        (Some(h), Some(st)) => h.usage(st),
        _ => Usage::default(),
    };
    scratch.points = std::mem::take(&mut m.points);
    Ok(Outcome {
        // A customer won back does not recommend the shop again (their
        // first dropout ends their word of mouth).
        churn_at: churned_at.unwrap_or(f64::INFINITY).min(lapses.first_gone),
        gone_at: churned_at.unwrap_or(f64::INFINITY),
        boosted: boosted.filter(|b| b.to > b.from),
        events,
        script,
    })
}

/// The purchase clock started afresh at `t`, after a purchase or a return:
/// a new budget from the purchase stream, at the customer's `rate` scaled by
/// the multipliers `x`.
#[inline(always)]
fn restart_purchases(
    t: f64,
    rate: f64,
    x: &Rates,
    streams: &mut Streams,
    exp: ExpSampler,
) -> Clock {
    let b = x.buy.scaled(rate);
    Clock::start_fading(
        t,
        exp.sample(&mut streams.purchases),
        b.base,
        b.excess,
        b.tau,
    )
}

/// Bring a lifetime clock (churn at a rate) to the churn multipliers `x`
/// at `t`, keeping its unused budget; churn after a purchase has no clock.
#[inline(always)]
fn rescale_churn(leave: &mut Clock, t: f64, churn: Churn, x: &Rates) {
    if let Churn::Rate(mu) = churn {
        let l = x.churn.scaled(mu);
        leave.set_fading(t, l.base, l.excess, l.tau);
    }
}

/// The purchase-rate and churn multipliers after an event at `t`: the
/// member's response, any script's multipliers, and for a customer who came
/// through a recommendation, `referred_churn` (member or not).
#[inline(always)]
fn rates(
    m: &mut Member,
    pc: &Participant<'_>,
    hooks: Option<&dyn Hooks>,
    t: f64,
) -> Result<Rates, HookError> {
    let mut x = m.rates(pc.p, &pc.who, t);
    if m.active
        && let (Some(h), Some(st)) = (hooks, m.hook.as_ref())
    {
        let f = pc.facts(m, t);
        if h.has_purchase_rate_multiplier() {
            x.buy = x.buy.scaled(h.purchase_rate_multiplier(st, &f, t)?);
        }
        if h.has_churn_multiplier() {
            x.churn = x.churn.scaled(h.churn_multiplier(st, &f, t)?);
        }
    }
    if pc.c.referred_churn != 1.0 {
        x.churn = x.churn.scaled(pc.c.referred_churn);
    }
    Ok(x)
}
