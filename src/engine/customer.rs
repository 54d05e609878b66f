//! One customer's life, simulated exactly in continuous time.
//!
//! Purchases are a Poisson process with rate λ·m(t), where the multiplier m
//! changes only at events. Each process keeps an exponential "budget" on a
//! [`Clock`]: when m changes, the remaining budget is rescaled to the new rate
//! (memorylessness makes this exact). With m = 1 the same budgets give the
//! same times as the control, bit for bit, which is what common random
//! numbers and the "zero response = control" property rely on.
//!
//! A customer's life depends on the rest of the population only through their
//! arrival time and how they were referred, so it can be simulated in one go.

use crate::engine::SimError;
use crate::engine::clock::Clock;
use crate::engine::recorder::{Flow, Recorder};
use crate::model::rng::{CustomerKey, Purpose, Stream};
use crate::model::sampling;
use crate::model::traits::{self, Churn, Traits};
use crate::programs::hooks::{CustomerInfo, HookError, Hooks, PurchaseFacts};
use crate::programs::{Member, SegmentView, earliest, points, referral};
use crate::scenario::{Basket, Dist, ProgramSpec, Scenario, Segment};

/// Replication-wide constants for one arm (a program, or the control).
#[derive(Debug, Clone, Copy)]
pub struct Arm<'a> {
    pub scenario: &'a Scenario,
    /// `None`: the no-program control.
    pub program: Option<&'a ProgramSpec>,
    /// Mean basket per segment (precomputed).
    pub mean_basket: &'a [f64],
    pub seed: u64,
    pub replication: u64,
}

/// Buffers handed from one customer to the next, so that simulating a
/// member costs no allocation (one per block of customers instead).
#[derive(Debug, Default)]
pub struct Scratch {
    lots: Vec<points::Lot>,
}

/// The program's random stream (enrolment and redemption coins), derived on
/// first use: with certain enrolment and redemption it is never needed, and
/// deriving a stream costs as much as a purchase event.
struct ProgramDraws {
    key: CustomerKey,
    rng: Option<Stream>,
}

impl ProgramDraws {
    /// True with probability `p`; no draw when the outcome is certain.
    fn chance(&mut self, p: f64) -> bool {
        if p >= 1.0 {
            true
        } else if p <= 0.0 {
            false
        } else {
            let key = self.key;
            self.rng
                .get_or_insert_with(|| key.stream(Purpose::Program))
                .uniform()
                < p
        }
    }
}

/// How and when a customer comes in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrival {
    /// Index for random streams: initial customers first, then arrivals in order.
    pub id: u64,
    pub t: f64,
    pub segment: usize,
    /// Part of the initial cohort (counts toward retention).
    pub initial: bool,
    /// Came through word of mouth.
    pub referred: bool,
    /// Referred by a member of a program with referral rewards.
    pub via_member: bool,
}

/// What the population-level processes need to know about a customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// When the customer left (infinity if still active at the horizon).
    pub churn_at: f64,
    /// Interval in which the customer referred at the member's boosted rate,
    /// and that rate's multiplier (their segment's `referral_boost`, or the
    /// program's own).
    pub boosted: Option<Boost>,
    /// Events simulated (purchases and scheduled events), for [`EventBudget`].
    pub events: u64,
}

/// A member's boosted word of mouth: from, to, and the multiplier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Boost {
    pub from: f64,
    pub to: f64,
    pub factor: f64,
}

/// The control's customer: no program, so no multipliers and no scheduled
/// events. The same draws in the same order and the same arithmetic as the
/// general loop below with every multiplier at 1 (the mechanisms tests check
/// that a program with a neutral response reproduces this stream exactly);
/// it exists because the control is simulated in every run and this tight
/// loop is about twice as fast.
fn simulate_control(
    arm: &Arm<'_>,
    a: &Arrival,
    tr: &Traits,
    rec: &mut Recorder,
) -> Result<Outcome, SimError> {
    let sc = arm.scenario;
    let horizon = sc.simulation.horizon;
    let seg = &sc.population.segments[a.segment];
    let key = CustomerKey::new(arm.seed, arm.replication, a.id);
    let mut purchases_rng = key.stream(Purpose::Purchases);
    let mut churn_rng = key.stream(Purpose::Churn);
    let mut basket_rng = basket_stream(seg, key);
    book_arrival(a, rec);
    let referred_churn = if a.via_member {
        seg.response.referred_churn
    } else {
        1.0
    };
    let exp = sampling::ExpSampler::get();
    let mut buy = Clock::start(a.t, exp.sample(&mut purchases_rng), tr.rate).at;
    let leave = match tr.churn {
        Churn::Rate(mu) => Clock::start(a.t, exp.sample(&mut churn_rng), mu * referred_churn).at,
        _ => f64::INFINITY,
    };
    let churn_after_purchase = match tr.churn {
        Churn::AfterPurchase(prob) => Some((prob * referred_churn).min(1.0)),
        _ => None,
    };
    let mut events: u64 = 0;
    let churned_at = loop {
        events += 1;
        if events > MAX_EVENTS_PER_CUSTOMER {
            return Err(runaway(arm, a));
        }
        let next = buy.min(leave);
        if next > horizon {
            break None;
        }
        if leave == next {
            break Some(next);
        }
        let t = buy;
        let basket = traits::basket(seg, tr, basket_rng.as_mut());
        rec.add_purchase(rec.moment(t), basket);
        if let Some(p) = churn_after_purchase
            && churn_rng.uniform() < p
        {
            break Some(t);
        }
        buy = Clock::start(t, exp.sample(&mut purchases_rng), tr.rate).at;
    };
    book_end(a, churned_at, horizon, rec);
    Ok(Outcome {
        churn_at: churned_at.unwrap_or(f64::INFINITY),
        boosted: None,
        events,
    })
}

/// Fixed baskets need no stream of their own.
#[inline]
fn basket_stream(seg: &Segment, key: CustomerKey) -> Option<Stream> {
    match seg.basket {
        Basket::Iid(Dist::Fixed(_)) => None,
        _ => Some(key.stream(Purpose::Basket)),
    }
}

/// Book a customer's arrival (and how they came).
#[inline]
fn book_arrival(a: &Arrival, rec: &mut Recorder) {
    rec.add(Flow::Arrivals, a.t, 1.0);
    if !a.initial {
        rec.add(Flow::Acquired, a.t, 1.0);
    }
    if a.referred {
        rec.add(Flow::Referred, a.t, 1.0);
    }
}

/// Book how a customer's life ends: churned at a time, or active at the horizon.
#[inline]
fn book_end(a: &Arrival, churned_at: Option<f64>, horizon: f64, rec: &mut Recorder) {
    match churned_at {
        Some(t) => {
            rec.add(Flow::Churned, t, 1.0);
            if a.initial {
                rec.add(Flow::InitialChurned, t, 1.0);
            }
        }
        None => {
            rec.add(Flow::ActiveAtEnd, horizon, 1.0);
            if a.initial {
                rec.add(Flow::InitialActiveAtEnd, horizon, 1.0);
            }
        }
    }
}

/// Events one customer may have before the run is stopped. A real customer
/// has a few hundred at most; millions mean a runaway purchase rate (an
/// extreme reward value or elasticity, a script's multiplier, `on_period`
/// over an enormous horizon), which would otherwise look like a hang.
const MAX_EVENTS_PER_CUSTOMER: u64 = 5_000_000;

fn runaway(arm: &Arm<'_>, a: &Arrival) -> SimError {
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
        arm.scenario
            .path
            .as_ref()
            .map_or_else(|| arm.scenario.name.clone(), |p| p.display().to_string()),
        a.id,
        arm.replication,
        arm.program
            .map_or(String::new(), |p| format!(" under program `{}`", p.name)),
    ))
}

/// A bound on the events of many customers together, so that a population
/// whose every customer stays just under [`MAX_EVENTS_PER_CUSTOMER`] cannot
/// keep a run going for days either. Customers are charged in a fixed order
/// (a block's, or the arrival process's), so where a run stops does not
/// depend on threads. The allowance is a thousand times what an average
/// customer of the scenario buys without a program (a thousand events at the
/// least): far above any realistic response, and in aggregate customers
/// cannot all be far above the average.
#[derive(Debug, Clone)]
pub struct EventBudget {
    allowance: f64,
    customers: u64,
    events: u64,
}

impl EventBudget {
    pub fn new(sc: &Scenario) -> EventBudget {
        let mean_rate = sc.population.mean_purchase_rate();
        EventBudget {
            allowance: 1000.0 * (mean_rate * sc.simulation.horizon).max(1.0),
            customers: 0,
            events: 0,
        }
    }

    /// Charge one customer's events; false once the customers charged so far
    /// have together had more than their allowance (plus one customer's limit).
    pub fn charge(&mut self, o: &Outcome) -> bool {
        self.customers += 1;
        self.events += o.events;
        (self.events as f64)
            <= MAX_EVENTS_PER_CUSTOMER as f64 + self.allowance * self.customers as f64
    }

    /// The error for a run stopped by this budget at customer `a`.
    pub fn exceeded(&self, arm: &Arm<'_>, a: &Arrival) -> SimError {
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

/// A customer's traits, from their own stream: the same in every arm of a
/// replication, so the caller may draw them once for all arms.
#[inline(always)]
pub fn traits(arm: &Arm<'_>, a: &Arrival) -> Traits {
    let seg = &arm.scenario.population.segments[a.segment];
    let key = CustomerKey::new(arm.seed, arm.replication, a.id);
    traits::draw(seg, &mut key.stream(Purpose::Traits))
}

/// Simulate one customer with traits `tr` (see [`traits`]) from arrival to
/// churn or the horizon, booking every event into `rec`. Fails when a
/// program's script hook fails or the customer's purchases run away.
pub fn simulate(
    arm: &Arm<'_>,
    a: &Arrival,
    tr: &Traits,
    rec: &mut Recorder,
    scratch: &mut Scratch,
) -> Result<Outcome, SimError> {
    let sc = arm.scenario;
    let horizon = sc.simulation.horizon;
    if a.t > horizon {
        // A cohort member who joins after the horizon is not part of this
        // simulation: nothing to book, and they never refer anyone in it.
        return Ok(Outcome {
            churn_at: f64::INFINITY,
            boosted: None,
            events: 0,
        });
    }
    let Some(program) = arm.program else {
        return simulate_control(arm, a, tr, rec);
    };
    let hooks = program
        .script
        .as_ref()
        .map(|s| &*s.hooks.0)
        .filter(|h| h.any());
    match hooks {
        None => simulate_member::<false>(arm, program, a, tr, rec, scratch, None),
        Some(h) => simulate_member::<true>(arm, program, a, tr, rec, scratch, Some(h)),
    }
}

/// A customer in a program's arm. `SCRIPTED` is false for programs without
/// hooks, so that their (common, and hot) instantiation carries none of the
/// script calls.
fn simulate_member<const SCRIPTED: bool>(
    arm: &Arm<'_>,
    p: &ProgramSpec,
    a: &Arrival,
    tr: &Traits,
    rec: &mut Recorder,
    scratch: &mut Scratch,
    hooks: Option<&dyn Hooks>,
) -> Result<Outcome, SimError> {
    // A constant `None` when not scripted, so that the compiler drops every
    // script call from that instantiation.
    let hooks = if SCRIPTED { hooks } else { None };
    let sc = arm.scenario;
    let horizon = sc.simulation.horizon;
    let seg = &sc.population.segments[a.segment];
    let view = SegmentView {
        response: &seg.response,
        mean_basket: arm.mean_basket[a.segment],
    };
    let key = CustomerKey::new(arm.seed, arm.replication, a.id);
    let mut purchases_rng = key.stream(Purpose::Purchases);
    let mut churn_rng = key.stream(Purpose::Churn);
    let mut basket_rng = basket_stream(seg, key);
    let mut draws = ProgramDraws { key, rng: None };

    book_arrival(a, rec);

    let referral = p.referral.as_ref();
    let referred_churn = if a.via_member {
        seg.response.referred_churn
    } else {
        1.0
    };
    // Not a member until the first purchase in the program's window (and
    // then only if they enrol); an inactive member is simply a customer.
    let mut m = Member::outside(points::Wallet::with_buffer(std::mem::take(
        &mut scratch.lots,
    )));
    let mut offered = false;
    let mut first_purchase = true;
    let exp = sampling::ExpSampler::get();
    let mut buy = Clock::start(a.t, exp.sample(&mut purchases_rng), tr.rate);
    let mut leave = match tr.churn {
        Churn::Rate(mu) => Clock::start(a.t, exp.sample(&mut churn_rng), mu * referred_churn),
        _ => Clock::start(a.t, f64::INFINITY, 0.0),
    };
    let mut boosted: Option<Boost> = None;

    let mut events: u64 = 0;
    let churned_at = loop {
        events += 1;
        if events > MAX_EVENTS_PER_CUSTOMER {
            return Err(runaway(arm, a));
        }
        let mut sched = m.next_event(p, horizon);
        if SCRIPTED && m.active {
            sched = earliest(sched, m.next_period);
        }
        let t = earliest(earliest(buy.at, leave.at), sched);
        if t > horizon {
            break None;
        }
        if leave.at == t {
            break Some(t);
        }
        // After each event the member's state may have changed, and with it
        // the multipliers. The two kinds of event are handled in separate
        // branches to the end, so the hard-to-predict test is made once.
        if sched == t {
            if SCRIPTED && m.next_period == t {
                m.next_period += 1.0;
                if let Some(h) = hooks {
                    run_period(h, p, &mut m, a, t, rec)?;
                }
            }
            // Points or card expiry, and the program's end (nothing happens
            // if none is due).
            m.on_scheduled(p, t, horizon, rec);
            if !m.active
                && let Some(b) = boosted.as_mut()
            {
                b.to = b.to.min(t);
            }
            let (mult_p, mult_c) = multipliers(&m, p, hooks, a, referred_churn, t)?;
            buy.set_rate(t, tr.rate * mult_p);
            if let Churn::Rate(mu) = tr.churn {
                leave.set_rate(t, mu * mult_c);
            }
        } else {
            let basket = traits::basket(seg, tr, basket_rng.as_mut());
            let at = rec.moment(t);
            let mut discount = 0.0;
            if !offered && t >= p.start && t < p.end {
                offered = true;
                if draws.chance(p.enrolment) {
                    m.join(p, view, t, rec);
                    if let Some(h) = hooks {
                        scripted_enrol(h, p, &mut m, a, seg, view, key, t, rec)?;
                    }
                    if let Some(r) = referral {
                        boosted = Some(Boost {
                            from: t,
                            to: p.end.min(horizon),
                            factor: referral::boost(r, &seg.response),
                        });
                    }
                }
            }
            if m.active {
                let mut extra = 0.0;
                if let Some(h) = hooks.filter(|h| h.has_on_purchase()) {
                    extra = scripted_purchase(h, p, &mut m, a, t, basket, rec)?;
                }
                discount += m
                    .purchase_with(p, view, at, basket, extra, &mut |q| draws.chance(q), rec)
                    .discount;
            }
            if first_purchase
                && a.via_member
                && let Some(r) = referral
            {
                discount += referral::referee_discount(r, (basket - discount).max(0.0));
                rec.book(Flow::RewardCost, at, r.referrer_reward);
            }
            first_purchase = false;
            rec.add_purchase(at, basket);
            if discount > 0.0 {
                rec.book(Flow::Discounts, at, discount);
            }
            let (mult_p, mult_c) = multipliers(&m, p, hooks, a, referred_churn, t)?;
            if let Churn::AfterPurchase(prob) = tr.churn
                && churn_rng.uniform() < (prob * mult_c).min(1.0)
            {
                break Some(t);
            }
            buy = Clock::start(t, exp.sample(&mut purchases_rng), tr.rate * mult_p);
            if let Churn::Rate(mu) = tr.churn {
                leave.set_rate(t, mu * mult_c);
            }
        }
    };

    book_end(a, churned_at, horizon, rec);
    match churned_at {
        Some(t) => {
            m.on_churn(p, t, rec);
            if let Some(b) = boosted.as_mut() {
                b.to = b.to.min(t);
            }
        }
        None => m.at_horizon(p, horizon, rec),
    }
    scratch.lots = m.wallet.into_buffer();
    Ok(Outcome {
        churn_at: churned_at.unwrap_or(f64::INFINITY),
        boosted: boosted.filter(|b| b.to > b.from),
        events,
    })
}

/// The purchase-rate and churn multipliers after an event at `t`: the
/// member's response, any script's multipliers, and for a customer referred
/// by a member, `referred_churn` (which applies whether they joined or not).
#[inline(always)]
fn multipliers(
    m: &Member,
    p: &ProgramSpec,
    hooks: Option<&dyn Hooks>,
    a: &Arrival,
    referred_churn: f64,
    t: f64,
) -> Result<(f64, f64), HookError> {
    let (mut mp, mut mc) = m.multipliers(p);
    if m.active
        && let (Some(h), Some(st)) = (hooks, m.hook.as_ref())
    {
        let f = m.facts(a.segment, a.referred, t);
        if h.has_purchase_rate_multiplier() {
            mp *= h.purchase_rate_multiplier(st, &f, t)?;
        }
        if h.has_churn_multiplier() {
            mc *= h.churn_multiplier(st, &f, t)?;
        }
    }
    Ok((mp, mc * referred_churn))
}

/// Give a member who just joined their script state and run `on_enrol`.
#[allow(clippy::too_many_arguments)]
fn scripted_enrol(
    h: &dyn Hooks,
    p: &ProgramSpec,
    m: &mut Member,
    a: &Arrival,
    seg: &Segment,
    view: SegmentView<'_>,
    key: CustomerKey,
    t: f64,
    rec: &mut Recorder,
) -> Result<(), HookError> {
    let who = CustomerInfo {
        segment: a.segment,
        segment_name: &seg.name,
        response: &seg.response,
        mean_basket: view.mean_basket,
        referred: a.referred,
    };
    let st = h.new_state(&who, key.stream(Purpose::Script));
    if h.has_on_period() {
        m.next_period = t.floor() + 1.0;
    }
    if h.has_on_enrol() {
        let before = m.facts(a.segment, a.referred, t);
        let mut after = before;
        h.on_enrol(&st, &mut after, t)?;
        m.apply(p, &before, &after, t, rec);
    }
    m.hook = Some(st);
    Ok(())
}

/// Run `on_purchase` for a member's purchase (before it is booked) and book
/// what the script decided; returns the script's discount.
fn scripted_purchase(
    h: &dyn Hooks,
    p: &ProgramSpec,
    m: &mut Member,
    a: &Arrival,
    t: f64,
    basket: f64,
    rec: &mut Recorder,
) -> Result<f64, HookError> {
    let Some(st) = m.hook.take() else {
        return Ok(0.0);
    };
    let before = m.facts(a.segment, a.referred, t);
    let mut after = before;
    let mut pf = PurchaseFacts {
        amount: basket,
        time: t,
        ..PurchaseFacts::default()
    };
    let r = h.on_purchase(&st, &mut after, &mut pf);
    m.hook = Some(st);
    r?;
    m.apply(p, &before, &after, t, rec);
    if pf.rewards > 0 {
        rec.add(Flow::RewardCost, t, pf.reward_cost);
        rec.add(Flow::RewardsRedeemed, t, pf.rewards as f64);
    }
    m.award_points(p, pf.points_awarded, t, rec);
    Ok(pf.discount)
}

/// Run `on_period` for a member at the integer time `t`.
fn run_period(
    h: &dyn Hooks,
    p: &ProgramSpec,
    m: &mut Member,
    a: &Arrival,
    t: f64,
    rec: &mut Recorder,
) -> Result<(), HookError> {
    let Some(st) = m.hook.take() else {
        return Ok(());
    };
    let before = m.facts(a.segment, a.referred, t);
    let mut after = before;
    let r = h.on_period(&st, &mut after, t);
    m.hook = Some(st);
    r?;
    m.apply(p, &before, &after, t, rec);
    Ok(())
}
