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
use crate::engine::answers::Life;
use crate::engine::clock::Clock;
use crate::engine::recorder::{Flow, Recorder};
use crate::model::habits::Habits;
use crate::model::response::Response;
use crate::model::rng::{CustomerKey, Purpose, Stream};
use crate::model::sampling;
use crate::model::scenario::{ProgramSpec, Scenario, Segment};
use crate::model::traits::{Churn, SegmentDraws, Traits};
use crate::programs::hooks::{CustomerInfo, HookError, Hooks, PurchaseFacts, Usage};
use crate::programs::mechanism::Till;
use crate::programs::points::PointsState;
use crate::programs::response::Rates;
use crate::programs::winback::Campaign;
use crate::programs::{Member, Who, earliest, referral};

/// Replication-wide constants for one arm (a program, or the control).
#[derive(Debug, Clone, Copy)]
pub struct Arm<'a> {
    pub scenario: &'a Scenario,
    /// `None`: the no-program control.
    pub program: Option<&'a ProgramSpec>,
    /// Mean basket per segment (precomputed).
    pub mean_basket: &'a [f64],
    /// The population's mean purchase rate without a program (λ̄).
    pub mean_rate: f64,
    /// Each segment's trait and basket samplers, prepared once per run.
    pub draws: &'a [SegmentDraws],
    /// Each segment's response in this replication (the scenario's, or
    /// this replication's draw of the uncertain assumptions): the same for
    /// every arm of a replication.
    pub responses: &'a [Response],
    pub seed: u64,
    pub replication: u64,
}

/// Buffers handed from one customer to the next, so that simulating a
/// member costs no allocation (one per block of customers instead).
#[derive(Debug, Default)]
pub struct Scratch {
    points: PointsState,
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
    /// When the customer's word of mouth ended: their first dropout, even if a
    /// win-back message brought them back (infinity if never gone).
    pub churn_at: f64,
    /// When the customer left for good (infinity if active at the horizon):
    /// later than `churn_at` for a customer won back.
    pub gone_at: f64,
    /// Interval in which the customer referred at the member's boosted rate,
    /// and that rate's multiplier (their segment's `referral_boost`, or the
    /// program's own).
    pub boosted: Option<Boost>,
    /// Events simulated (purchases and scheduled events), for [`EventBudget`].
    pub events: u64,
    /// What the customer's script hooks used, for [`EventBudget`].
    pub script: Usage,
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
    let draws = &arm.draws[a.segment];
    let key = CustomerKey::new(arm.seed, arm.replication, a.id);
    let mut purchases_rng = key.stream(Purpose::Purchases);
    // Derived when first needed: for BG/NBD churn at the first purchase,
    // which many customers never make.
    let mut churn_rng: Option<Stream> = None;
    let mut basket_rng = basket_stream(draws, key);
    book_arrival(a, rec);
    let referred_churn = referred_churn(arm, a);
    let exp = sampling::ExpSampler::get();
    let mut buy = Clock::start(a.t, exp.sample(&mut purchases_rng), tr.rate).at;
    let leave = match tr.churn {
        Churn::Rate(mu) => {
            let rng = churn_rng.insert(key.stream(Purpose::Churn));
            Clock::start(a.t, exp.sample(rng), mu * referred_churn).at
        }
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
        let basket = draws.basket(tr, basket_rng.as_mut());
        rec.add_purchase(rec.moment(t), basket);
        if let Some(p) = churn_after_purchase
            && churn_rng
                .get_or_insert_with(|| key.stream(Purpose::Churn))
                .uniform()
                < p
        {
            break Some(t);
        }
        buy = Clock::start(t, exp.sample(&mut purchases_rng), tr.rate).at;
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

/// Customers who came through a recommendation leave less often
/// (`referred_churn`), under any program or none.
#[inline]
fn referred_churn(arm: &Arm<'_>, a: &Arrival) -> f64 {
    if a.referred {
        arm.responses[a.segment].referred_churn
    } else {
        1.0
    }
}

/// Fixed baskets need no stream of their own.
#[inline]
fn basket_stream(draws: &SegmentDraws, key: CustomerKey) -> Option<Stream> {
    draws
        .basket_is_random()
        .then(|| key.stream(Purpose::Basket))
}

/// Book a customer's arrival (and how they came).
#[inline]
fn book_arrival(a: &Arrival, rec: &mut Recorder) {
    if a.t == 0.0 {
        rec.add_at_start(Flow::Arrivals, 1.0);
    } else {
        rec.add(Flow::Arrivals, a.t, 1.0);
    }
    if !a.initial {
        rec.add(Flow::Acquired, a.t, 1.0);
    }
    if a.referred {
        rec.add(Flow::Referred, a.t, 1.0);
    }
}

/// Book how a customer's life ends: churned at a time, or active at the horizon.
#[inline]
fn book_end(a: &Arrival, churned_at: Option<f64>, rec: &mut Recorder) {
    match churned_at {
        Some(t) => {
            rec.add(Flow::Churned, t, 1.0);
            if a.initial {
                rec.add(Flow::InitialChurned, t, 1.0);
            }
        }
        None => {
            rec.add_at_end(Flow::ActiveAtEnd, 1.0);
            if a.initial {
                rec.add_at_end(Flow::InitialActiveAtEnd, 1.0);
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
        if (self.events as f64)
            > MAX_EVENTS_PER_CUSTOMER as f64 + self.allowance * self.customers as f64
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

/// A customer's traits, from their own stream: the same in every arm of a
/// replication, so the caller may draw them once for all arms.
#[inline(always)]
pub fn traits(arm: &Arm<'_>, a: &Arrival) -> Traits {
    let key = CustomerKey::new(arm.seed, arm.replication, a.id);
    arm.draws[a.segment].traits(&mut key.stream(Purpose::Traits))
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
            gone_at: f64::INFINITY,
            boosted: None,
            events: 0,
            script: Usage::default(),
        });
    }
    let o = match arm.program {
        None => simulate_control(arm, a, tr, rec)?,
        Some(program) => {
            let hooks = program
                .script
                .as_ref()
                .map(|s| &*s.hooks.0)
                .filter(|h| h.any());
            match hooks {
                None => simulate_member::<false>(arm, program, a, tr, rec, scratch, None)?,
                Some(h) => simulate_member::<true>(arm, program, a, tr, rec, scratch, Some(h))?,
            }
        }
    };
    rec.end_customer(&Life {
        segment: a.segment,
        arrived: a.t,
        // A customer away between a dropout and a win-back counts as a
        // customer throughout: only leaving for good ends their stages.
        churned: (o.gone_at <= horizon).then_some(o.gone_at),
        initial: a.initial,
        referred: a.referred,
    });
    Ok(o)
}

/// What one customer did in a program's arm, for the comparison a shop
/// would make after launch (members against customers who declined).
#[derive(Debug, Default)]
struct Tally {
    purchases: f64,
    revenue: f64,
    offered: bool,
    joined: bool,
}

impl Tally {
    fn book(&self, at: f64, rec: &mut Recorder) {
        if self.joined {
            rec.add(Flow::MemberPurchases, at, self.purchases);
            rec.add(Flow::MemberRevenue, at, self.revenue);
        } else if self.offered {
            rec.add(Flow::Declined, at, 1.0);
            rec.add(Flow::DeclinedPurchases, at, self.purchases);
        }
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
    let who = Who {
        habits: Habits::new(seg, tr, arm.mean_rate),
        response: &arm.responses[a.segment],
        program_end: if p.end < horizon {
            p.end
        } else {
            f64::INFINITY
        },
    };
    let seg_draws = &arm.draws[a.segment];
    let key = CustomerKey::new(arm.seed, arm.replication, a.id);
    let mut purchases_rng = key.stream(Purpose::Purchases);
    // Derived when first needed, as in the control.
    let mut churn_rng: Option<Stream> = None;
    let mut basket_rng = basket_stream(seg_draws, key);
    let mut draws = ProgramDraws { key, rng: None };

    book_arrival(a, rec);

    let referral = p.referral.as_ref();
    let referred_churn = referred_churn(arm, a);
    // Not a member until the first purchase in the program's window (and
    // then only if they enrol); an inactive member is simply a customer.
    let mut m = Member::outside(std::mem::take(&mut scratch.points));
    let mut tally = Tally::default();
    let mut first_purchase = true;
    let exp = sampling::ExpSampler::get();
    let mut buy = Clock::start(a.t, exp.sample(&mut purchases_rng), tr.rate);
    let mut leave = match tr.churn {
        Churn::Rate(mu) => {
            let rng = churn_rng.insert(key.stream(Purpose::Churn));
            Clock::start(a.t, exp.sample(rng), mu * referred_churn)
        }
        _ => Clock::start(a.t, f64::INFINITY, 0.0),
    };
    let mut boosted: Option<Boost> = None;
    // A win-back campaign: a customer who drops out may come back (`wake`,
    // infinity unless dormant until then).
    let mut campaign = Campaign::new(p, horizon, key);
    let mut wake = f64::INFINITY;
    let mut first_gone = f64::INFINITY;

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
        sched = earliest(sched, wake);
        let t = earliest(earliest(buy.at, leave.at), sched);
        if t > horizon {
            break None;
        }
        if leave.at == t {
            match lapse(&mut campaign, a, &mut boosted, &mut first_gone, t, rec) {
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
                    run_period(h, p, &mut m, &who, a, t, rec)?;
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
            let x = rates(&mut m, p, &who, hooks, a, referred_churn, t)?;
            let buy_rate = x.buy.scaled(tr.rate);
            if wake == t {
                // Won back: purchases and a lifetime start afresh.
                wake = f64::INFINITY;
                buy = Clock::start_fading(
                    t,
                    exp.sample(&mut purchases_rng),
                    buy_rate.base,
                    buy_rate.excess,
                    buy_rate.tau,
                );
                if let Churn::Rate(mu) = tr.churn {
                    let c = x.churn.scaled(mu);
                    let rng = churn_rng.get_or_insert_with(|| key.stream(Purpose::Churn));
                    leave = Clock::start_fading(t, exp.sample(rng), c.base, c.excess, c.tau);
                }
            } else if wake == f64::INFINITY {
                buy.set_fading(t, buy_rate.base, buy_rate.excess, buy_rate.tau);
                if let Churn::Rate(mu) = tr.churn {
                    let c = x.churn.scaled(mu);
                    leave.set_fading(t, c.base, c.excess, c.tau);
                }
            }
        } else {
            let basket = seg_draws.basket(tr, basket_rng.as_mut());
            let at = rec.moment(t);
            if !tally.offered && t >= p.start && t < p.end {
                tally.offered = true;
                let chance = crate::programs::response::join_chance(
                    p.enrolment,
                    who.response.enrolment_selection,
                    who.habits.relative_rate(),
                );
                if draws.chance(chance) {
                    tally.joined = true;
                    m.join(p, &who, t, rec);
                    if let Some(h) = hooks {
                        scripted_enrol(h, p, &mut m, &who, a, seg, arm, key, t, rec)?;
                    }
                    if referral.is_some() {
                        boosted = Some(Boost {
                            from: t,
                            to: p.end.min(horizon),
                            factor: m.referral_factor(p, &who),
                        });
                    }
                }
            }
            let mut till = Till {
                basket,
                discount: 0.0,
            };
            if m.active {
                let mut extra = 0.0;
                if let Some(h) = hooks.filter(|h| h.has_on_purchase()) {
                    extra = scripted_purchase(h, p, &mut m, &who, a, t, basket, rec)?;
                }
                till.discount =
                    m.purchase(p, &who, at, basket, extra, &mut |q| draws.chance(q), rec);
            }
            if first_purchase
                && a.via_member
                && let Some(r) = referral
            {
                referral::first_purchase(r, at, &mut till, rec);
            }
            first_purchase = false;
            campaign.purchase(t, tally.joined, rec);
            tally.purchases += 1.0;
            tally.revenue += basket;
            rec.add_purchase(at, basket);
            if till.discount > 0.0 {
                rec.book(Flow::Discounts, at, till.discount);
            }
            let x = rates(&mut m, p, &who, hooks, a, referred_churn, t)?;
            if let Churn::AfterPurchase(prob) = tr.churn
                && churn_rng
                    .get_or_insert_with(|| key.stream(Purpose::Churn))
                    .uniform()
                    < (prob * x.churn.now()).min(1.0)
            {
                match lapse(&mut campaign, a, &mut boosted, &mut first_gone, t, rec) {
                    None => break Some(t),
                    Some(back) => {
                        (wake, buy) = (back, Clock::dormant(t));
                        continue;
                    }
                }
            }
            let buy_rate = x.buy.scaled(tr.rate);
            buy = Clock::start_fading(
                t,
                exp.sample(&mut purchases_rng),
                buy_rate.base,
                buy_rate.excess,
                buy_rate.tau,
            );
            if let Churn::Rate(mu) = tr.churn {
                let c = x.churn.scaled(mu);
                leave.set_fading(t, c.base, c.excess, c.tau);
            }
        }
    };

    book_end(a, churned_at, rec);
    tally.book(churned_at.unwrap_or(horizon), rec);
    match churned_at {
        Some(t) => {
            m.on_churn(p, t, rec);
            if let Some(b) = boosted.as_mut() {
                b.to = b.to.min(t);
            }
        }
        None => {
            campaign.at_horizon(horizon, rec);
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
        churn_at: churned_at.unwrap_or(f64::INFINITY).min(first_gone),
        gone_at: churned_at.unwrap_or(f64::INFINITY),
        boosted: boosted.filter(|b| b.to > b.from),
        events,
        script,
    })
}

/// The customer drops out at `t`. With a win-back campaign (programs::winback)
/// they are dormant and may come back: returns when (their dropout is then
/// booked here, their return by the campaign), `None` if they are gone.
#[inline(never)]
fn lapse(
    campaign: &mut Campaign<'_>,
    a: &Arrival,
    boosted: &mut Option<Boost>,
    first_gone: &mut f64,
    t: f64,
    rec: &mut Recorder,
) -> Option<f64> {
    if !campaign.runs() {
        return None;
    }
    let back = campaign.dropout(t, rec)?;
    rec.add(Flow::Churned, t, 1.0);
    if a.initial {
        rec.add(Flow::InitialChurned, t, 1.0);
    }
    *first_gone = first_gone.min(t);
    if let Some(b) = boosted.as_mut() {
        b.to = b.to.min(t);
    }
    Some(back)
}

/// The purchase-rate and churn multipliers after an event at `t`: the
/// member's response, any script's multipliers, and for a customer who came
/// through a recommendation, `referred_churn` (member or not).
#[inline(always)]
fn rates(
    m: &mut Member,
    p: &ProgramSpec,
    who: &Who<'_>,
    hooks: Option<&dyn Hooks>,
    a: &Arrival,
    referred_churn: f64,
    t: f64,
) -> Result<Rates, HookError> {
    let mut x = m.rates(p, who, t);
    if m.active
        && let (Some(h), Some(st)) = (hooks, m.hook.as_ref())
    {
        let f = m.facts(p, a.segment, a.referred, t);
        if h.has_purchase_rate_multiplier() {
            x.buy = x.buy.scaled(h.purchase_rate_multiplier(st, &f, t)?);
        }
        if h.has_churn_multiplier() {
            x.churn = x.churn.scaled(h.churn_multiplier(st, &f, t)?);
        }
    }
    if referred_churn != 1.0 {
        x.churn = x.churn.scaled(referred_churn);
    }
    Ok(x)
}

/// Ask a script what it offers the member now (its `incentive` hook), so
/// the engine applies the same response as to a built-in mechanism.
fn script_incentive(
    h: &dyn Hooks,
    p: &ProgramSpec,
    m: &mut Member,
    who: &Who<'_>,
    a: &Arrival,
    t: f64,
) -> Result<(), HookError> {
    if !h.has_incentive() {
        return Ok(());
    }
    let Some(st) = m.hook.as_ref() else {
        return Ok(());
    };
    let f = m.facts(p, a.segment, a.referred, t);
    let stated = h.incentive(st, &f, t)?;
    m.script_incentive = stated.resolve(&who.habits);
    Ok(())
}

/// Give a member who just joined their script state and run `on_enrol`.
#[allow(clippy::too_many_arguments)]
fn scripted_enrol(
    h: &dyn Hooks,
    p: &ProgramSpec,
    m: &mut Member,
    who: &Who<'_>,
    a: &Arrival,
    seg: &Segment,
    arm: &Arm<'_>,
    key: CustomerKey,
    t: f64,
    rec: &mut Recorder,
) -> Result<(), HookError> {
    let info = CustomerInfo {
        segment: a.segment,
        segment_name: &seg.name,
        response: who.response,
        mean_basket: arm.mean_basket[a.segment],
        referred: a.referred,
        habits: &who.habits,
    };
    let st = h.new_state(&info, key.stream(Purpose::Script));
    if h.has_on_period() {
        m.next_period = t.floor() + 1.0;
    }
    if h.has_on_enrol() {
        let before = m.facts(p, a.segment, a.referred, t);
        let mut after = before;
        h.on_enrol(&st, &mut after, t)?;
        m.apply(p, &before, &after, t, rec);
    }
    m.hook = Some(st);
    script_incentive(h, p, m, who, a, t)
}

/// Run `on_purchase` for a member's purchase (before it is booked) and book
/// what the script decided; returns the script's discount.
#[allow(clippy::too_many_arguments)]
fn scripted_purchase(
    h: &dyn Hooks,
    p: &ProgramSpec,
    m: &mut Member,
    who: &Who<'_>,
    a: &Arrival,
    t: f64,
    basket: f64,
    rec: &mut Recorder,
) -> Result<f64, HookError> {
    let Some(st) = m.hook.take() else {
        return Ok(0.0);
    };
    let before = m.facts(p, a.segment, a.referred, t);
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
        m.rewarded(who.response, t);
    }
    m.award_points(p, pf.points_awarded, t, rec);
    script_incentive(h, p, m, who, a, t)?;
    Ok(pf.discount)
}

/// Run `on_period` for a member at the integer time `t`.
fn run_period(
    h: &dyn Hooks,
    p: &ProgramSpec,
    m: &mut Member,
    who: &Who<'_>,
    a: &Arrival,
    t: f64,
    rec: &mut Recorder,
) -> Result<(), HookError> {
    let Some(st) = m.hook.take() else {
        return Ok(());
    };
    let before = m.facts(p, a.segment, a.referred, t);
    let mut after = before;
    let r = h.on_period(&st, &mut after, t);
    m.hook = Some(st);
    r?;
    m.apply(p, &before, &after, t, rec);
    script_incentive(h, p, m, who, a, t)
}
