//! The runner: every arm (the control and each program) × every replication,
//! in parallel, collected in a fixed order.
//!
//! Replication r of every arm uses the same streams (seed, r, customer,
//! purpose), so programs are compared on the same customers (common random
//! numbers) and paired differences have small variance.

use crate::engine::SimError;
use crate::engine::customer::Arm;
use crate::engine::recorder::Recorder;
use crate::engine::replication;
use crate::model::assumptions;
use crate::model::response::Response;
use crate::model::rng::ReplicationKey;
use crate::model::scenario::Scenario;
use crate::model::traits::SegmentDraws;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// The recorders of one arm, one per replication, in replication order.
#[derive(Debug, Clone)]
pub struct ArmRun {
    pub name: String,
    pub mechanisms: Vec<&'static str>,
    /// Index into `scenario.programs`, `None` for the control.
    pub program: Option<usize>,
    pub replications: Vec<Recorder>,
}

/// Everything a run produced, before statistics.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The control first (when the scenario has a baseline), then programs in file order.
    pub arms: Vec<ArmRun>,
    /// `draws[r][k]`: the value of `scenario.assumptions[k]` in replication r.
    pub draws: Vec<Vec<f64>>,
}

/// Name of the no-program control arm.
pub const BASELINE: &str = "baseline";

/// Run a scenario known to be sound, for tests and benchmarks: a script
/// error or a runaway customer panics here. Everything that runs scenarios
/// from users uses [`try_run`]. `progress` is called as in [`try_run`].
pub fn run(sc: &Scenario, progress: &(dyn Fn() + Sync)) -> RunOutput {
    match try_run(sc, progress) {
        Ok(out) => out,
        Err(e) => panic!("engine::run (use engine::try_run for scenarios that may fail): {e}"),
    }
}

/// Run the scenario; the first error (a script hook's, or a runaway
/// customer) stops the run. `progress` is called once per arm and
/// replication (from worker threads); all arms of a replication finish
/// together, so the calls come in bursts of one per arm.
pub fn try_run(sc: &Scenario, progress: &(dyn Fn() + Sync)) -> Result<RunOutput, SimError> {
    let mean_basket: Vec<f64> = sc
        .population
        .segments
        .iter()
        .map(|s| s.basket.mean())
        .collect();
    let mean_rate = sc.population.mean_purchase_rate();
    let segment_draws: Vec<SegmentDraws> = sc
        .population
        .segments
        .iter()
        .map(SegmentDraws::new)
        .collect();
    let base: Vec<Response> = sc.population.segments.iter().map(|s| s.response).collect();
    let mut arms: Vec<(String, Option<usize>)> = Vec::new();
    if sc.simulation.baseline {
        arms.push((BASELINE.to_string(), None));
    }
    arms.extend(
        sc.programs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), Some(i))),
    );
    let reps = sc.simulation.replications as u64;
    // The lowest replication that failed so far: later ones need not run,
    // since only the first error in replication order is reported. Those
    // before it still run, so the error reported is the same whatever the
    // thread count (and a failing run stops after about one replication).
    let first_failed = AtomicU64::new(u64::MAX);
    // Replication r of every arm is simulated together, so that each
    // customer's traits are drawn once (replication::run).
    let per_rep: Vec<(Vec<Recorder>, Vec<f64>)> = (0..reps)
        .into_par_iter()
        .map(|r| {
            if r > first_failed.load(Ordering::Relaxed) {
                return Ok(None);
            }
            // What we do not know about customers: this replication's draw,
            // shared by every arm.
            let (responses, draws) =
                assumptions::draw(&sc.assumptions, &base, sc.simulation.seed, r).map_err(|e| {
                    first_failed.fetch_min(r, Ordering::Relaxed);
                    SimError::Draw(format!("{}: {e}", sc.origin()))
                })?;
            // The programs with this replication's draw of their uncertain
            // values (the scenario's own when there are none).
            let programs = assumptions::programs(&sc.assumptions, &sc.programs, &draws);
            let specs: Vec<Arm<'_>> = arms
                .iter()
                .map(|(_, program)| Arm {
                    scenario: sc,
                    program: program.map(|i| &programs[i]),
                    mean_basket: &mean_basket,
                    mean_rate,
                    draws: &segment_draws,
                    responses: &responses,
                    seed: sc.simulation.seed,
                    replication: r,
                    keys: ReplicationKey::new(sc.simulation.seed, r),
                })
                .collect();
            let recs = replication::run(&specs).inspect_err(|_| {
                first_failed.fetch_min(r, Ordering::Relaxed);
            })?;
            for _ in &recs {
                progress();
            }
            Ok(Some((recs, draws)))
        })
        // Then the first error in replication order: the message does not
        // depend on the thread count. A skipped replication (`None`) comes
        // after a failed one, so it is never reached without an error.
        .collect::<Vec<Result<Option<(Vec<Recorder>, Vec<f64>)>, SimError>>>()
        .into_iter()
        .map(|r| r.map(|recs| recs.expect("skipped only after a failed replication")))
        .collect::<Result<_, SimError>>()?;
    let mut by_arm: Vec<Vec<Recorder>> = arms.iter().map(|_| Vec::new()).collect();
    let mut draws = Vec::with_capacity(per_rep.len());
    for (recs, d) in per_rep {
        draws.push(d);
        for (arm, rec) in by_arm.iter_mut().zip(recs) {
            arm.push(rec);
        }
    }
    let arms = arms
        .into_iter()
        .zip(by_arm)
        .map(|((name, program), replications)| ArmRun {
            mechanisms: program.map_or(vec![], |i| sc.programs[i].mechanisms()),
            name,
            program,
            replications,
        })
        .collect();
    Ok(RunOutput { arms, draws })
}
