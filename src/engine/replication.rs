//! One replication of every arm: the initial cohort, then the arrival process.
//!
//! Initial customers are independent of each other, so they are simulated in
//! fixed-size blocks in parallel and the blocks' recorders are merged in block
//! order: the result does not depend on the thread count. Within a block each
//! customer's traits are drawn once and shared by every arm (the control and
//! each program): they come from the customer's own random stream, so every
//! arm would draw the same ones, and drawing them is about half the work of
//! simulating a customer without a program.
//!
//! New customers arrive at rate organic + (M − N)·p + c·(M − N)/M·W(t)
//! (docs/model.md section 2), where W(t) is the total word-of-mouth contact rate
//! of active customers. W changes only at customer events (arrival, churn,
//! joining or leaving a referral program), which are known once a customer
//! has been simulated; between them the rate is constant, so arrival times are
//! exact (no time step): the exponential budget carries over each change.
//! Arrivals differ between arms, so each arm runs its own arrival process.
//!
//! Each arrival through word of mouth is attributed to one of the customers
//! referring at that moment (engine::referrers), drawn from a stream of its
//! own: the referrer becomes an ambassador. Only the arrival process knows
//! these moments, so it books the ambassadors into the arm's recorder.

use crate::engine::SimError;
use crate::engine::clock::Clock;
use crate::engine::customer::{self, Arm, Arrival, EventBudget, Outcome};
use crate::engine::recorder::{Flow, Recorder};
use crate::engine::referrers::{NOBODY, Referrers, Refers};
use crate::model::rng::{Purpose, Stream};
use crate::model::scenario::{Acquisition, Scenario};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Customers per parallel block. Fixed, so block boundaries never depend on threads.
const BLOCK: u64 = 8192;

/// What the arrival process needs to know of a block's initial customers
/// (only with word of mouth).
#[derive(Debug, Default)]
struct Contacts {
    /// Customers there from the start who stay to the horizon and never
    /// refer at a boosted rate: only their number per segment matters.
    steady: Vec<u64>,
    /// The others: arrival time, segment and outcome.
    changing: Vec<(f64, usize, Outcome)>,
}

impl Contacts {
    /// The steady ones are those for whom [`Pool::add`] would only count one
    /// more plain referrer and known customer (no change within the horizon).
    fn add(&mut self, arrived: f64, segment: usize, o: Outcome, horizon: f64) {
        if arrived <= 0.0 && !(o.churn_at <= horizon) && o.boosted.is_none() {
            if self.steady.len() <= segment {
                self.steady.resize(segment + 1, 0);
            }
            self.steady[segment] += 1;
        } else {
            self.changing.push((arrived, segment, o));
        }
    }
}

/// What one block of the initial cohort gave one arm: its flows and
/// contacts (the contacts are kept to the end of the initial cohort: the
/// arrival process needs the customers who change the word of mouth).
type BlockRun = (Recorder, Contacts);

/// One arm's state while it simulates a block of the initial cohort.
struct ArmBlock {
    rec: Recorder,
    contacts: Contacts,
    scratch: customer::Scratch,
    budget: EventBudget,
}

/// Simulate one replication of every arm (all with the same scenario, seed
/// and replication) and return their recorders, in arm order.
pub fn run(arms: &[Arm<'_>]) -> Result<Vec<Recorder>, SimError> {
    let Some(first) = arms.first() else {
        return Ok(Vec::new());
    };
    let sc = first.scenario;
    let sim = &sc.simulation;
    let n = sc.population.customers;
    let word_of_mouth = sc
        .acquisition
        .as_ref()
        .is_some_and(|a| a.referral_rate > 0.0 && a.referral_conversion > 0.0);
    let cum_shares = cumulative_shares(sc);

    let run_block = |b: u64| -> Result<Vec<BlockRun>, SimError> {
        let mut runs: Vec<ArmBlock> = arms
            .iter()
            .map(|_| ArmBlock {
                rec: recorder(sc),
                contacts: Contacts::default(),
                scratch: customer::Scratch::default(),
                budget: EventBudget::new(sc),
            })
            .collect();
        for id in b * BLOCK..((b + 1) * BLOCK).min(n) {
            let a = Arrival {
                id,
                t: sc
                    .population
                    .cohort
                    .as_ref()
                    .map_or(0.0, |c| c[id as usize]),
                segment: initial_segment(&cum_shares, id),
                initial: true,
                referred: false,
                via_member: false,
            };
            // Every arm has this replication's keys.
            let (tr, key) = customer::keyed_traits(first, &a);
            for (arm, r) in arms.iter().zip(runs.iter_mut()) {
                // Charged and noted in two copies, the control's and a
                // program's, so that the control's outcome never goes
                // through memory (a control customer 30 instructions
                // cheaper, callgrind).
                macro_rules! settle {
                    () => {{
                        let o = customer::simulate_keyed(
                            arm,
                            &a,
                            &tr,
                            key,
                            &mut r.rec,
                            &mut r.scratch,
                        )?;
                        r.budget.charge(arm, &a, &o)?;
                        if word_of_mouth {
                            r.contacts.add(a.t, a.segment, o, sim.horizon);
                        }
                    }};
                }
                // The copies are the same text on purpose: the compiler
                // specialises each after inlining.
                #[allow(clippy::if_same_then_else)]
                if arm.program.is_none() {
                    settle!()
                } else {
                    settle!()
                }
            }
        }
        Ok(runs.into_iter().map(|r| (r.rec, r.contacts)).collect())
    };
    // Blocks run a window at a time (16 per thread) and their recorders
    // are merged in block order as each window ends, so memory is bounded
    // by the window, not by the number of customers. The merged sums are
    // the same additions in the same order whatever the window.
    let blocks = n.div_ceil(BLOCK);
    let window = (rayon::current_num_threads() as u64 * 16).max(1);
    let mut per_arm: Vec<(Recorder, Vec<Contacts>)> =
        arms.iter().map(|_| (recorder(sc), Vec::new())).collect();
    let mut start = 0;
    while start < blocks {
        let end = (start + window).min(blocks);
        let runs: Vec<Result<Vec<BlockRun>, SimError>> =
            (start..end).into_par_iter().map(run_block).collect();
        // The first error in block order (then customer, then arm order),
        // so the error reported does not depend on which thread failed
        // first (no block of an earlier window failed).
        for block in runs {
            for ((rec, initial), (r, contacts)) in per_arm.iter_mut().zip(block?) {
                rec.merge(&r);
                initial.push(contacts);
            }
        }
        start = end;
    }

    arms.par_iter()
        .zip(per_arm)
        .map(|(arm, (mut rec, initial))| {
            if let Some(acq) = &sc.acquisition {
                let initial = word_of_mouth.then_some(initial.as_slice());
                arrivals(arm, acq, &cum_shares, initial, &mut rec)?;
            }
            if let Some(p) = arm.program {
                rec.add(Flow::FixedCost, p.start, p.costs.setup);
                rec.add_over(Flow::FixedCost, p.start, p.end, p.costs.per_unit);
            }
            Ok(rec)
        })
        .collect::<Vec<Result<Recorder, SimError>>>()
        .into_iter()
        .collect()
}

/// An empty recorder for the scenario: its report periods, and a regular
/// is a customer who bought at least three times within a year (docs/model.md section 7).
fn recorder(sc: &Scenario) -> Recorder {
    let sim = &sc.simulation;
    Recorder::new(sim.horizon, sim.report_every)
        .with_regular_window(crate::model::scenario::units_per_year(sim.time_unit))
}

/// Cumulative segment shares, the last forced to exactly 1.
fn cumulative_shares(sc: &Scenario) -> Vec<f64> {
    let mut acc = 0.0;
    let mut cum: Vec<f64> = sc
        .population
        .segments
        .iter()
        .map(|s| {
            acc += s.share;
            acc
        })
        .collect();
    if let Some(last) = cum.last_mut() {
        *last = 1.0;
    }
    cum
}

fn segment_at(cum_shares: &[f64], u: f64) -> usize {
    cum_shares
        .iter()
        .position(|&c| u < c)
        .unwrap_or(cum_shares.len() - 1)
}

/// Initial customers are spread over segments by a low-discrepancy sequence:
/// segment sizes match the shares to within one customer in every prefix,
/// without tying a segment to the order of a cohort file.
fn initial_segment(cum_shares: &[f64], id: u64) -> usize {
    const GOLDEN: f64 = 0.618_033_988_749_894_9;
    if cum_shares.len() == 1 {
        return 0;
    }
    // x − trunc(x), which is `fract` (a libm call on baseline x86-64),
    // exactly: x ≥ 0 and far below 2^63.
    let x = (id as f64 + 0.5) * GOLDEN;
    let u = x - (x as i64) as f64;
    segment_at(cum_shares, u)
}

/// A change in the population's contact rate or size at a given time, and
/// how the customer it is about (`who`, or [`NOBODY`]) refers from then on.
#[derive(Debug, Clone, Copy)]
struct Change {
    t: f64,
    seq: u64,
    plain: f64,
    boosted: f64,
    known: f64,
    who: u32,
    refers: Refers,
}

impl PartialEq for Change {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Change {}
impl PartialOrd for Change {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Change {
    /// Earliest first in a max-heap; ties broken by insertion order.
    fn cmp(&self, o: &Self) -> Ordering {
        o.t.total_cmp(&self.t).then(o.seq.cmp(&self.seq))
    }
}

/// The population state that drives arrivals.
struct Pool {
    changes: BinaryHeap<Change>,
    seq: u64,
    /// Active customers referring at the plain rate, and the summed
    /// multipliers of those referring at a boosted rate.
    plain: f64,
    boosted: f64,
    /// Customers ever acquired (N in the Bass model).
    known: f64,
    horizon: f64,
    /// Who refers (with word of mouth only): the same customers as `plain`
    /// and `boosted`, by name, for attributing recommendations.
    referrers: Referrers,
}

impl Pool {
    fn push(&mut self, t: f64, plain: f64, boosted: f64, known: f64, who: u32, refers: Refers) {
        if t <= self.horizon {
            self.seq += 1;
            self.changes.push(Change {
                t,
                seq: self.seq,
                plain,
                boosted,
                known,
                who,
                refers,
            });
        }
    }

    /// Register a simulated customer: their arrival and later changes.
    /// `who` is their number in [`Pool::referrers`] ([`NOBODY`] without
    /// word of mouth).
    fn add(&mut self, arrived: f64, o: &Outcome, now: f64, who: u32) {
        use Refers::{Boosted, No, Plain};
        if arrived <= now {
            self.plain += 1.0;
            self.known += 1.0;
            self.set(who, Plain);
        } else {
            self.push(arrived, 1.0, 0.0, 1.0, who, Plain);
        }
        match o.boosted {
            Some(b) => {
                self.push(b.from, -1.0, b.factor, 0.0, who, Boosted(b.factor));
                if b.to < o.churn_at {
                    self.push(b.to, 1.0, -b.factor, 0.0, who, Plain);
                    self.push(o.churn_at, -1.0, 0.0, 0.0, who, No);
                } else {
                    self.push(o.churn_at, 0.0, -b.factor, 0.0, who, No);
                }
            }
            None => self.push(o.churn_at, -1.0, 0.0, 0.0, who, No),
        }
    }

    fn set(&mut self, who: u32, refers: Refers) {
        if who != NOBODY {
            self.referrers.set(who, refers);
        }
    }
}

/// The arrival process over (0, horizon].
fn arrivals(
    arm: &Arm<'_>,
    acq: &Acquisition,
    cum_shares: &[f64],
    initial: Option<&[Contacts]>,
    rec: &mut Recorder,
) -> Result<(), SimError> {
    let sc = arm.scenario;
    let horizon = sc.simulation.horizon;
    let mut scratch = customer::Scratch::default();
    let mut budget = EventBudget::new(sc);
    let mut pool = Pool {
        changes: BinaryHeap::new(),
        seq: 0,
        plain: 0.0,
        boosted: 0.0,
        known: 0.0,
        horizon,
        referrers: Referrers::new(),
    };
    // Without word of mouth only the count of known customers matters.
    match initial {
        // Without word of mouth only the count of known customers matters.
        None => {
            let cohort = sc.population.cohort.as_deref();
            for id in 0..sc.population.customers as usize {
                match cohort.map(|c| c[id]) {
                    Some(t) if t > 0.0 => pool.push(t, 0.0, 0.0, 1.0, NOBODY, Refers::No),
                    _ => pool.known += 1.0,
                }
            }
        }
        Some(blocks) => {
            for c in blocks {
                // Whole numbers: the order of these additions does not matter.
                let steady: u64 = c.steady.iter().sum();
                pool.plain += steady as f64;
                pool.known += steady as f64;
                for (segment, &n) in c.steady.iter().enumerate() {
                    pool.referrers.add_steady(segment, n);
                }
                for &(arrived, segment, ref o) in &c.changing {
                    let who = pool.referrers.track(segment, o.gone_at);
                    pool.add(arrived, o, 0.0, who);
                }
            }
        }
    }
    let word_of_mouth = initial.is_some();
    let mut rng = Stream::new(arm.seed, arm.replication, u64::MAX, Purpose::Acquisition);
    let mut attribution = Stream::new(arm.seed, arm.replication, u64::MAX, Purpose::Attribution);
    let mut next_id = sc.population.customers;
    let mut t = 0.0;
    let mut clock: Option<Clock> = None;
    loop {
        let remaining = acq.market_size.map(|m| ((m - pool.known) / m).max(0.0));
        let innovation = acq
            .market_size
            .map_or(0.0, |m| (m - pool.known).max(0.0) * acq.innovation);
        let contact = acq.referral_rate * acq.referral_conversion * remaining.unwrap_or(1.0);
        // One product for the whole word-of-mouth rate: with a boost of 1 it
        // is bit-identical to the control's, whoever the referrers are.
        let wom = contact * (pool.plain + pool.boosted.max(0.0));
        let total = acq.organic + innovation + wom;
        let next_change = pool.changes.peek().map_or(f64::INFINITY, |c| c.t);
        // A fresh budget after each arrival; carried over across rate changes.
        let c = match clock.as_mut() {
            Some(c) => {
                c.set_rate(t, total);
                c
            }
            None => clock.insert(Clock::start(t, rng.exp1(), total)),
        };
        let arrival = c.at;
        if arrival < next_change && arrival <= horizon {
            t = arrival;
            clock = None;
            let u = rng.uniform() * total;
            let referred = u >= acq.organic + innovation;
            let via_member = referred && u - acq.organic - innovation >= contact * pool.plain;
            debug_assert!(!word_of_mouth || pool.plain == pool.referrers.plain_count() as f64);
            if referred && let Some(r) = pool.referrers.attribute(via_member, &mut attribution) {
                rec.referral(r.segment, t, r.gone_at, r.new);
            }
            let a = Arrival {
                id: next_id,
                t,
                segment: segment_at(cum_shares, rng.uniform()),
                initial: false,
                referred,
                via_member,
            };
            next_id += 1;
            let (tr, key) = customer::keyed_traits(arm, &a);
            let o = customer::simulate_keyed(arm, &a, &tr, key, rec, &mut scratch)?;
            budget.charge(arm, &a, &o)?;
            let who = if word_of_mouth {
                pool.referrers.track(a.segment, o.gone_at)
            } else {
                NOBODY
            };
            pool.add(a.t, &o, t, who);
        } else if next_change <= horizon {
            t = next_change;
            while let Some(c) = pool.changes.peek().copied().filter(|c| c.t == t) {
                pool.changes.pop();
                pool.plain += c.plain;
                pool.boosted += c.boosted;
                pool.known += c.known;
                pool.set(c.who, c.refers);
            }
        } else {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_segments_follow_shares_closely() {
        let cum = [0.25, 0.7, 1.0];
        let mut counts = [0usize; 3];
        for id in 0..1000 {
            counts[initial_segment(&cum, id)] += 1;
        }
        assert!((counts[0] as i64 - 250).abs() <= 2, "{counts:?}");
        assert!((counts[1] as i64 - 450).abs() <= 2, "{counts:?}");
        assert!((counts[2] as i64 - 300).abs() <= 2, "{counts:?}");
    }
}
