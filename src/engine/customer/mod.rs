//! One customer's life, simulated exactly in continuous time.
//!
//! Purchases are a Poisson process with rate λ·m(t), where the multiplier m
//! changes only at events. Each process keeps an exponential "budget" on a
//! [`Clock`](crate::engine::clock::Clock): when m changes, the remaining
//! budget is rescaled to the new rate (memorylessness makes this exact).
//! With m = 1 the same budgets give the same times as the control, bit for
//! bit, which is what common random numbers and the "zero response =
//! control" property rely on.
//!
//! A customer's life depends on the rest of the population only through their
//! arrival time and how they were referred, so it can be simulated in one go.
//!
//! The pieces: [`budget`] bounds a customer's and a group's events;
//! `control` is the plain path (no program); `member` the program path,
//! with `scripted` the calls into a program's script hooks and `lapse` a
//! win-back campaign's dormant customers. Every path reads the customer
//! through one [`Customer`] context, worked out once on arrival.

mod budget;
mod control;
mod lapse;
mod member;
mod scripted;

pub use budget::EventBudget;

use crate::engine::SimError;
use crate::engine::answers::Life;
use crate::engine::recorder::{Booker, Flow, Recorder};
use crate::model::response::Response;
use crate::model::rng::{CustomerKey, Purpose, ReplicationKey, Stream};
use crate::model::scenario::{ProgramSpec, Scenario};
use crate::model::traits::{Churn, SegmentDraws, Traits};
use crate::programs::hooks::Usage;
use crate::programs::points::PointsState;

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
    /// The key of this replication's customer streams, from `seed` and
    /// `replication` (`ReplicationKey::new`), hashed once per replication.
    pub keys: ReplicationKey,
}

/// Buffers handed from one customer to the next, so that simulating a
/// member costs no allocation (one per block of customers instead).
#[derive(Debug, Default)]
pub struct Scratch {
    points: PointsState,
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

/// One customer in one arm: what every step of their simulation reads,
/// worked out once when they arrive.
struct Customer<'c> {
    arm: &'c Arm<'c>,
    a: &'c Arrival,
    tr: &'c Traits,
    /// The customer's segment's samplers.
    draws: &'c SegmentDraws,
    /// The key of the customer's random streams.
    key: CustomerKey,
    horizon: f64,
    /// The churn multiplier of a customer who came through a recommendation
    /// (1 otherwise), under any program or none.
    referred_churn: f64,
}

impl<'c> Customer<'c> {
    #[inline(always)]
    fn new(arm: &'c Arm<'c>, a: &'c Arrival, tr: &'c Traits, key: CustomerKey) -> Customer<'c> {
        Customer {
            arm,
            a,
            tr,
            draws: &arm.draws[a.segment],
            key,
            horizon: arm.scenario.simulation.horizon,
            referred_churn: if a.referred {
                arm.responses[a.segment].referred_churn
            } else {
                1.0
            },
        }
    }

    /// Outside any program, the chance of leaving right after a purchase
    /// (BG/NBD churn, with a referred customer's multiplier); `None` for
    /// other churn models.
    #[inline(always)]
    fn churn_after_purchase(&self) -> Option<f64> {
        match self.tr.churn {
            Churn::AfterPurchase(prob) => Some((prob * self.referred_churn).min(1.0)),
            _ => None,
        }
    }

    /// The customer's purchase, churn and basket streams.
    #[inline(always)]
    fn streams(&self) -> Streams {
        Streams {
            purchases: self.key.stream(Purpose::Purchases),
            churn: None,
            // Fixed baskets need no stream of their own.
            basket: self
                .draws
                .basket_is_random()
                .then(|| self.key.stream(Purpose::Basket)),
            key: self.key,
        }
    }
}

/// A customer's purchase, churn and basket streams.
struct Streams {
    /// Unit-exponential budgets of the purchase clock.
    purchases: Stream,
    /// Derived when first needed: for BG/NBD churn at the first purchase,
    /// which many customers never make.
    churn: Option<Stream>,
    basket: Option<Stream>,
    key: CustomerKey,
}

impl Streams {
    /// The churn stream (derived on first use).
    #[inline(always)]
    fn churn(&mut self) -> &mut Stream {
        let key = self.key;
        self.churn.get_or_insert_with(|| key.stream(Purpose::Churn))
    }
}

/// A customer's traits, from their own stream: the same in every arm of a
/// replication, so the caller may draw them once for all arms.
#[inline(always)]
pub fn traits(arm: &Arm<'_>, a: &Arrival) -> Traits {
    keyed_traits(arm, a).0
}

/// [`traits`] and the key of the customer's streams, which is the same in
/// every arm of a replication: hand it to [`simulate_keyed`] instead of
/// deriving it again in each arm.
#[inline(always)]
pub fn keyed_traits(arm: &Arm<'_>, a: &Arrival) -> (Traits, CustomerKey) {
    let key = arm.keys.customer(a.id);
    (
        arm.draws[a.segment].traits(&mut key.stream(Purpose::Traits)),
        key,
    )
}

/// Simulate one customer with traits `tr` (see [`traits`]) from arrival to
/// churn or the horizon, booking every event into `rec`. Fails when a
/// program's script hook fails or the customer's purchases run away.
#[inline]
pub fn simulate(
    arm: &Arm<'_>,
    a: &Arrival,
    tr: &Traits,
    rec: &mut Recorder,
    scratch: &mut Scratch,
) -> Result<Outcome, SimError> {
    simulate_keyed(arm, a, tr, arm.keys.customer(a.id), rec, scratch)
}

/// [`simulate`] with the customer's key from [`keyed_traits`] (the key of
/// `arm`'s replication and `a.id`).
///
/// Inlined into the callers' customer loops: the control's customer is
/// simulated by one call that returns its end in registers, and its
/// [`Outcome`] is put together here, where the caller reads only a few of
/// its fields.
#[inline(always)]
pub fn simulate_keyed(
    arm: &Arm<'_>,
    a: &Arrival,
    tr: &Traits,
    key: CustomerKey,
    rec: &mut Recorder,
    scratch: &mut Scratch,
) -> Result<Outcome, SimError> {
    debug_assert!(key == arm.keys.customer(a.id));
    match arm.program {
        None => control::simulate(arm, a, tr, key, rec),
        Some(program) => simulate_member(arm, program, a, tr, key, rec, scratch),
    }
}

/// [`simulate_keyed`] under a program.
fn simulate_member(
    arm: &Arm<'_>,
    program: &ProgramSpec,
    a: &Arrival,
    tr: &Traits,
    key: CustomerKey,
    rec: &mut Recorder,
    scratch: &mut Scratch,
) -> Result<Outcome, SimError> {
    let horizon = arm.scenario.simulation.horizon;
    if a.t > horizon {
        return Ok(Outcome::absent());
    }
    let c = Customer::new(arm, a, tr, key);
    let hooks = program
        .script
        .as_ref()
        .map(|s| &*s.hooks.0)
        .filter(|h| h.any());
    let o = match hooks {
        None => member::simulate::<false>(&c, program, None, rec, scratch)?,
        Some(h) => member::simulate::<true>(&c, program, Some(h), rec, scratch)?,
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

impl Outcome {
    /// A cohort member who joins after the horizon is not part of the
    /// simulation: nothing to book, and they never refer anyone in it.
    #[inline(always)]
    fn absent() -> Outcome {
        Outcome::left_at(f64::INFINITY, 0)
    }

    /// The outcome of a customer who never joined a program (or left it
    /// for good) and left at `t` (infinity: active at the horizon) after
    /// `events` events.
    #[inline(always)]
    fn left_at(t: f64, events: u64) -> Outcome {
        Outcome {
            churn_at: t,
            gone_at: t,
            boosted: None,
            events,
            script: Usage::default(),
        }
    }
}

/// Book a customer's arrival (and how they came) into `rec` (the
/// recorder's flows with the customer's tally).
#[inline(always)]
fn book_arrival(a: &Arrival, rec: &mut Booker<'_>) {
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

/// Book how a customer's life ends: churned at a time, or active at the
/// horizon (into `rec` as [`book_arrival`]).
#[inline(always)]
fn book_end(a: &Arrival, churned_at: Option<f64>, rec: &mut Booker<'_>) {
    match churned_at {
        Some(t) => {
            // Within the horizon (a life ends there), so both bookings share
            // one look-up of the period.
            let at = rec.moment(t);
            rec.book(Flow::Churned, at, 1.0);
            if a.initial {
                rec.book(Flow::InitialChurned, at, 1.0);
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
