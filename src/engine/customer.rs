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

use crate::engine::clock::Clock;
use crate::engine::recorder::{Flow, Recorder};
use crate::model::rng::{CustomerKey, Purpose};
use crate::model::sampling;
use crate::model::traits::{self, Churn};
use crate::programs::{Member, SegmentView, referral};
use crate::scenario::{Basket, Dist, ProgramSpec, Scenario};

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
    /// Interval in which the customer referred at the member's boosted rate.
    pub boosted: Option<(f64, f64)>,
}

/// Simulate one customer from arrival to churn or the horizon, booking every
/// event into `rec`.
pub fn simulate(arm: &Arm<'_>, a: &Arrival, rec: &mut Recorder) -> Outcome {
    let sc = arm.scenario;
    let horizon = sc.simulation.horizon;
    let seg = &sc.population.segments[a.segment];
    let view = SegmentView {
        response: &seg.response,
        mean_basket: arm.mean_basket[a.segment],
    };
    let key = CustomerKey::new(arm.seed, arm.replication, a.id);
    let tr = traits::draw(seg, &mut key.stream(Purpose::Traits));
    let mut purchases_rng = key.stream(Purpose::Purchases);
    let mut churn_rng = key.stream(Purpose::Churn);
    // Fixed baskets and the control need no stream of their own.
    let mut basket_rng = match seg.basket {
        Basket::Iid(Dist::Fixed(_)) => None,
        _ => Some(key.stream(Purpose::Basket)),
    };
    let mut program_rng = arm.program.map(|_| key.stream(Purpose::Program));

    rec.add(Flow::Arrivals, a.t, 1.0);
    if !a.initial {
        rec.add(Flow::Acquired, a.t, 1.0);
    }
    if a.referred {
        rec.add(Flow::Referred, a.t, 1.0);
    }

    let program = arm.program;
    let referral = program.and_then(|p| p.referral.as_ref());
    let referred_churn = if a.via_member {
        seg.response.referred_churn
    } else {
        1.0
    };
    let mut member: Option<Member> = None;
    let mut offered = false;
    let mut first_purchase = true;
    let mut buy = Clock::start(a.t, sampling::exponential(&mut purchases_rng), tr.rate);
    let mut leave = match tr.churn {
        Churn::Rate(mu) => Clock::start(
            a.t,
            sampling::exponential(&mut churn_rng),
            mu * referred_churn,
        ),
        _ => Clock::start(a.t, f64::INFINITY, 0.0),
    };
    let mut boosted: Option<(f64, f64)> = None;

    let churned_at = loop {
        let sched = match (program, &member) {
            (Some(p), Some(m)) => m.next_event(p, horizon),
            _ => f64::INFINITY,
        };
        let next = buy.at.min(leave.at).min(sched);
        if next > horizon {
            break None;
        }
        let t = next;
        if leave.at == t {
            break Some(t);
        }
        if sched == t {
            let (p, m) = (
                program.expect("scheduled"),
                member.as_mut().expect("scheduled"),
            );
            m.on_scheduled(p, t, horizon, rec);
            if !m.active
                && let Some(b) = boosted.as_mut()
            {
                b.1 = b.1.min(t);
            }
        } else {
            let basket = traits::basket(seg, &tr, basket_rng.as_mut());
            let mut discount = 0.0;
            if let Some(p) = program {
                if !offered && t >= p.start && t < p.end {
                    offered = true;
                    if program_rng.as_mut().is_some_and(|r| r.chance(p.enrolment)) {
                        member = Some(Member::join(p, t, rec));
                        if referral.is_some() {
                            boosted = Some((t, p.end.min(horizon)));
                        }
                    }
                }
                if let Some(m) = member.as_mut().filter(|m| m.active) {
                    let coin = if p.points.is_some() {
                        program_rng.as_mut().map_or(0.0, |r| r.uniform())
                    } else {
                        0.0
                    };
                    discount += m.purchase(p, view, t, basket, coin, rec).discount;
                }
                if first_purchase
                    && a.via_member
                    && let Some(r) = referral
                {
                    discount += referral::referee_discount(r, basket - discount);
                    rec.add(Flow::RewardCost, t, r.referrer_reward);
                }
            }
            first_purchase = false;
            rec.add(Flow::Purchases, t, 1.0);
            rec.add(Flow::RevenueGross, t, basket);
            if discount > 0.0 {
                rec.add(Flow::Discounts, t, discount);
            }
        }
        let purchased = sched != t;
        // The state may have changed: update the multipliers.
        let (mult_p, mult_c) = match (program, &member) {
            (Some(p), Some(m)) if m.active => (
                m.purchase_multiplier(p, view),
                m.churn_multiplier(p, view) * referred_churn,
            ),
            _ => (1.0, referred_churn),
        };
        if purchased {
            if let Churn::AfterPurchase(prob) = tr.churn
                && churn_rng.uniform() < (prob * mult_c).min(1.0)
            {
                break Some(t);
            }
            buy = Clock::start(
                t,
                sampling::exponential(&mut purchases_rng),
                tr.rate * mult_p,
            );
        } else {
            buy.set_rate(t, tr.rate * mult_p);
        }
        if let Churn::Rate(mu) = tr.churn {
            leave.set_rate(t, mu * mult_c);
        }
    };

    match churned_at {
        Some(t) => {
            rec.add(Flow::Churned, t, 1.0);
            if a.initial {
                rec.add(Flow::InitialChurned, t, 1.0);
            }
            if let (Some(p), Some(m)) = (program, member.as_mut()) {
                m.on_churn(p, t, rec);
            }
            if let Some(b) = boosted.as_mut() {
                b.1 = b.1.min(t);
            }
        }
        None => {
            rec.add(Flow::ActiveAtEnd, horizon, 1.0);
            if a.initial {
                rec.add(Flow::InitialActiveAtEnd, horizon, 1.0);
            }
            if let (Some(p), Some(m)) = (program, member.as_mut()) {
                m.at_horizon(p, horizon, rec);
            }
        }
    }
    Outcome {
        churn_at: churned_at.unwrap_or(f64::INFINITY),
        boosted: boosted.filter(|b| b.1 > b.0),
    }
}
