//! How sure each verdict is, from a finished run: which uncertain response
//! parameter (or program value) moves each program's extra profit (sensitivity), how much of
//! its spread is chance, the verdict word, and what knowing a parameter
//! before choosing would be worth (value of information). The numbers come
//! from [`crate::stats::uncertainty`]; this module feeds it the run's draws
//! and profits and writes its findings into the results document.

use crate::engine::RunOutput;
use crate::model::dist::toml_float;
use crate::model::response;
use crate::model::scenario::Scenario;
use crate::stats::results::{
    AssumptionEntry, ProgramResult, Sensitivity, ValueOfInformation, VarianceSplit,
};
use crate::stats::uncertainty;

/// Every response parameter as the run used it: each uncertain one (with
/// its distribution and percentiles), then every fixed one. A key that is
/// fixed at one value for all segments it is not uncertain for is listed
/// once; otherwise per segment, as `segment[NAME].key`. A program's
/// uncertain win-back response is among the uncertain ones
/// (`program[NAME].winback.response`); a fixed one is not listed (it is in
/// the scenario as written).
pub fn assumption_list(sc: &Scenario) -> Vec<AssumptionEntry> {
    let segments = &sc.population.segments;
    let mut out: Vec<AssumptionEntry> = sc
        .assumptions
        .iter()
        .map(|a| AssumptionEntry {
            key: a.label.clone(),
            distribution: a.dist.to_toml(),
            p05: a.dist.quantile(0.05),
            p50: a.dist.quantile(0.5),
            p95: a.dist.quantile(0.95),
            fixed: false,
            documented: a.documented,
        })
        .collect();
    let defaults = response::Response::for_unit(sc.simulation.time_unit.as_str());
    for k in response::KEYS {
        let covered: Vec<usize> = sc
            .assumptions
            .iter()
            .filter(|a| a.response_key() == Some(k.name))
            .flat_map(|a| a.segments().iter().copied())
            .collect();
        let fixed: Vec<(usize, f64)> = (0..segments.len())
            .filter(|s| !covered.contains(s))
            .filter_map(|s| segments[s].response.get(k.name).map(|v| (s, v)))
            .collect();
        let Some(&(_, first)) = fixed.first() else {
            continue;
        };
        let same = fixed.iter().all(|&(_, v)| v.to_bits() == first.to_bits());
        let global_free = !sc.assumptions.iter().any(|a| a.label == k.name);
        let entry = |key: String, v: f64| AssumptionEntry {
            key,
            distribution: toml_float(v),
            p05: v,
            p50: v,
            p95: v,
            fixed: true,
            documented: defaults
                .get(k.name)
                .is_some_and(|d| d.to_bits() == v.to_bits()),
        };
        if same && global_free {
            out.push(entry(k.name.to_string(), first));
        } else {
            for (s, v) in fixed {
                out.push(entry(
                    format!("segment[{}].{}", segments[s].name, k.name),
                    v,
                ));
            }
        }
    }
    out
}

/// Fill each program's verdict, sensitivity and variance split, and return
/// the value of information (None when every assumption is fixed).
/// `profits[arm][r]` is arm `arm`'s profit in replication r (arms as in
/// `run.arms`); `base` is the control's arm.
pub fn assess(
    sc: &Scenario,
    run: &RunOutput,
    profits: &[Vec<f64>],
    base: usize,
    programs: &mut [ProgramResult],
) -> Option<ValueOfInformation> {
    let reps = profits.first().map_or(0, Vec::len);
    // Columns of the draws, one per assumption that actually varies.
    let columns: Vec<(usize, Vec<f64>)> = sc
        .assumptions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.dist.quantile(0.0) < a.dist.quantile(1.0))
        .map(|(k, _)| (k, run.draws.iter().map(|d| d[k]).collect()))
        .collect();
    let inputs: Vec<uncertainty::Assumption<'_>> = columns
        .iter()
        .map(|(k, draws)| {
            let a = &sc.assumptions[*k];
            uncertainty::Assumption {
                key: &a.label,
                draws,
                p05: a.dist.quantile(0.05),
                p95: a.dist.quantile(0.95),
            }
        })
        .collect();
    // Arm 0 is the control, then the programs in run order.
    let order: Vec<usize> = std::iter::once(base)
        .chain((0..profits.len()).filter(|&a| a != base))
        .collect();
    let nb: Vec<Vec<f64>> = (0..reps)
        .map(|r| order.iter().map(|&a| profits[a][r]).collect())
        .collect();
    let found = (!inputs.is_empty() && reps > 1).then(|| uncertainty::analyse(&inputs, &nb));
    for (p, &arm) in order.iter().skip(1).enumerate() {
        let Some(v) = programs[arm].vs_baseline.as_mut() else {
            continue;
        };
        let keys = found
            .as_ref()
            .map_or(&[][..], |u| u.programs[p].sensitivity.as_slice());
        let word = uncertainty::verdict(v.p_better, keys);
        v.verdict = Some(word.verdict.as_str().to_string());
        v.deciding_key = word.deciding_key;
        v.break_even = word.break_even;
        v.pays_above = word.pays_above;
        match &found {
            Some(u) => {
                let s = &u.programs[p];
                v.sensitivity = s
                    .sensitivity
                    .iter()
                    .map(|k| Sensitivity {
                        key: k.key.clone(),
                        variance_share: k.variance_share,
                        profit_at_p05: k.profit_at_p05,
                        profit_at_p95: k.profit_at_p95,
                        break_even: k.break_even,
                        pays_above: k.pays_above,
                    })
                    .collect();
                v.variance_split = Some(VarianceSplit {
                    chance: s.variance_split.chance,
                    assumptions: s.variance_split.assumptions,
                });
                v.caution = s.caution.as_ref().map(ToString::to_string);
                v.replications_needed = s.caution.as_ref().map(|c| needed(c.needed));
            }
            None => {
                v.variance_split = Some(VarianceSplit {
                    chance: 1.0,
                    assumptions: 0.0,
                });
            }
        }
    }
    found.map(|u| {
        let voi = u.value_of_information;
        ValueOfInformation {
            evpi: voi.evpi,
            evppi: voi.evppi,
            evppi_se: voi.evppi_se,
            caution: voi.caution.as_ref().map(ToString::to_string),
            replications_needed: voi.caution.as_ref().map(|c| needed(c.needed)),
        }
    })
}

fn needed(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
