//! Building the results document (`super::results`) from a run: summaries
//! of every metric per program and segment, paired differences against the
//! control, payback, and per-period bands.

use super::results::*;
use crate::engine::RunOutput;
use crate::model::response::Response;
use crate::model::scenario::Scenario;
use crate::stats::assessment;
use crate::stats::metrics::{self, METRICS, PERIOD_SERIES, RepMetrics, SEGMENT_METRICS};
use crate::stats::replications::{ArmReplications, Replications};
use crate::stats::summary::{self, Band, Summary};
use indexmap::IndexMap;

/// Build the results document from a run.
pub fn build(sc: &Scenario, run: &RunOutput) -> Results {
    build_with_replications(sc, run).0
}

/// Build the results document and keep each replication's totals (the
/// table behind `replications.csv`), which the document itself leaves out.
pub fn build_with_replications(sc: &Scenario, run: &RunOutput) -> (Results, Replications) {
    let per_arm: Vec<Vec<RepMetrics>> = run
        .arms
        .iter()
        .map(|arm| {
            let lpp = metrics::liability_per_point(arm.program.map(|i| &sc.programs[i]));
            arm.replications
                .iter()
                .map(|r| metrics::compute(r, sc.business.gross_margin, lpp))
                .collect()
        })
        .collect();
    let ends =
        crate::record::recorder::period_ends(sc.simulation.horizon, sc.simulation.report_every);
    let base = run.arms.iter().position(|a| a.program.is_none());
    let programs = run
        .arms
        .iter()
        .zip(&per_arm)
        .enumerate()
        .map(|(i, (arm, reps))| {
            let control = base.filter(|&b| b != i).map(|b| per_arm[b].as_slice());
            ProgramResult {
                name: arm.name.clone(),
                mechanisms: arm.mechanisms.iter().map(|m| m.to_string()).collect(),
                summary: summarize_totals(reps),
                vs_baseline: control.map(|c| vs_baseline(reps, c, &ends)),
                periods: periods(reps, control, &ends),
                segments: segments(sc, reps, control),
            }
        })
        .collect();
    let results = Results {
        loyalsim_version: crate::VERSION.to_string(),
        format_version: crate::provenance::FORMAT_VERSION,
        scenario: sc.name.clone(),
        seed: sc.simulation.seed,
        replications: sc.simulation.replications,
        time_unit: sc.simulation.time_unit.as_str().to_string(),
        horizon: sc.simulation.horizon,
        report_every: sc.simulation.report_every,
        currency: sc.business.currency.clone(),
        gross_margin: sc.business.gross_margin,
        programs,
        value_of_information: None,
        assumptions: assessment::assumption_list(sc),
        segment_response: sc
            .population
            .segments
            .iter()
            .map(|s| SegmentAssumptions {
                segment: s.name.clone(),
                response: response_map(&s.response),
            })
            .collect(),
        provenance: None,
    };
    let mut results = results;
    if let Some(b) = base {
        let profit = metrics::index("profit");
        let profits: Vec<Vec<f64>> = per_arm
            .iter()
            .map(|reps| reps.iter().map(|r| r.totals[profit]).collect())
            .collect();
        results.value_of_information =
            assessment::assess(sc, run, &profits, b, &mut results.programs);
    }
    // Per replication: the metrics, then every segment's (named as in
    // the tidy tables: `segments[NAME].METRIC`).
    let segment_names = sc.population.segments.iter().map(|s| &s.name);
    let mut names: Vec<String> = METRICS.iter().map(|m| m.to_string()).collect();
    for seg in segment_names {
        names.extend(
            SEGMENT_METRICS
                .iter()
                .map(|m| format!("segments[{seg}].{m}")),
        );
    }
    let nseg = sc.population.segments.len();
    let replications = Replications {
        metrics: names,
        arms: run
            .arms
            .iter()
            .zip(per_arm)
            .map(|(arm, reps)| ArmReplications {
                program: arm.name.clone(),
                totals: reps
                    .into_iter()
                    .map(|r| {
                        let mut row = r.totals.clone();
                        for k in 0..nseg {
                            row.extend(segment_row(&r, k, sc.business.gross_margin));
                        }
                        row
                    })
                    .collect(),
            })
            .collect(),
    };
    (results, replications)
}

/// Segment `k`'s metrics in one replication (zeros when nobody of it was simulated).
fn segment_row(r: &RepMetrics, k: usize, gross_margin: f64) -> Vec<f64> {
    r.segments.get(k).cloned().unwrap_or_else(|| {
        metrics::segment_metrics(&[0.0; crate::record::answers::SEG_SLOTS], gross_margin)
    })
}

/// Per segment: summaries of its metrics and, against the control, their
/// paired differences.
fn segments(
    sc: &Scenario,
    reps: &[RepMetrics],
    control: Option<&[RepMetrics]>,
) -> Vec<SegmentResult> {
    let gm = sc.business.gross_margin;
    sc.population
        .segments
        .iter()
        .enumerate()
        .map(|(k, seg)| {
            let rows: Vec<Vec<f64>> = reps.iter().map(|r| segment_row(r, k, gm)).collect();
            let base: Option<Vec<Vec<f64>>> =
                control.map(|c| c.iter().map(|r| segment_row(r, k, gm)).collect());
            let summarize = |f: &dyn Fn(usize, usize) -> f64| -> IndexMap<String, Summary> {
                SEGMENT_METRICS
                    .iter()
                    .enumerate()
                    .map(|(m, name)| {
                        let xs: Vec<f64> = (0..rows.len()).map(|r| f(r, m)).collect();
                        (name.to_string(), summary::summarize(&xs))
                    })
                    .collect()
            };
            SegmentResult {
                name: seg.name.clone(),
                summary: summarize(&|r, m| rows[r][m]),
                vs_baseline: base
                    .as_ref()
                    .map(|b| summarize(&|r, m| rows[r][m] - b[r][m])),
            }
        })
        .collect()
}

fn response_map(r: &Response) -> IndexMap<String, f64> {
    r.entries()
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect()
}

fn column(reps: &[RepMetrics], m: usize) -> Vec<f64> {
    reps.iter().map(|r| r.totals[m]).collect()
}

fn summarize_totals(reps: &[RepMetrics]) -> IndexMap<String, Summary> {
    METRICS
        .iter()
        .enumerate()
        .map(|(m, name)| (name.to_string(), summary::summarize(&column(reps, m))))
        .collect()
}

fn vs_baseline(reps: &[RepMetrics], control: &[RepMetrics], ends: &[f64]) -> VsBaseline {
    let diff = |m: usize| -> Vec<f64> {
        reps.iter()
            .zip(control)
            .map(|(a, b)| a.totals[m] - b.totals[m])
            .collect()
    };
    let metrics = METRICS
        .iter()
        .enumerate()
        .map(|(m, name)| (name.to_string(), summary::summarize(&diff(m))))
        .collect();
    let d_profit = diff(metrics::index("profit"));
    let cost = column(reps, metrics::index("program_cost"));
    let mean_cost = summary::mean(&cost);
    let mut ratios: Vec<f64> = d_profit
        .iter()
        .zip(&cost)
        .filter(|(_, c)| **c > 0.0)
        .map(|(d, c)| d / c)
        .collect();
    ratios.sort_by(f64::total_cmp);
    let roi = Roi {
        mean: (mean_cost > 0.0).then(|| summary::mean(&d_profit) / mean_cost),
        p05: (!ratios.is_empty()).then(|| summary::quantile(&ratios, 0.05)),
        p95: (!ratios.is_empty()).then(|| summary::quantile(&ratios, 0.95)),
    };
    let wins: f64 = d_profit
        .iter()
        .map(|d| match d.partial_cmp(&0.0) {
            Some(std::cmp::Ordering::Greater) => 1.0,
            Some(std::cmp::Ordering::Equal) => 0.5,
            _ => 0.0,
        })
        .sum();
    let p_better = if d_profit.is_empty() {
        0.5
    } else {
        wins / d_profit.len() as f64
    };
    let d_purchases = diff(metrics::index("purchases"));
    let naive: Vec<f64> = reps.iter().filter_map(|r| r.members.naive_lift()).collect();
    let truth: Vec<f64> = reps
        .iter()
        .zip(&d_purchases)
        .filter_map(|(r, d)| r.members.true_lift(*d))
        .collect();
    let lift = |xs: &[f64]| (!xs.is_empty()).then(|| summary::summarize(xs));
    VsBaseline {
        metrics,
        roi,
        p_better,
        payback_period: payback(&incremental(reps, control, "cumulative_profit"), ends),
        replication_profit_delta: d_profit,
        naive_member_lift: lift(&naive),
        true_member_lift: lift(&truth),
        verdict: None,
        deciding_key: None,
        sensitivity: Vec::new(),
        variance_split: None,
        break_even: None,
        pays_above: None,
        caution: None,
        replications_needed: None,
    }
}

/// Per period, per replication: period series `name` minus the control's.
fn incremental(reps: &[RepMetrics], control: &[RepMetrics], name: &str) -> Vec<Vec<f64>> {
    let s = PERIOD_SERIES
        .iter()
        .position(|s| *s == name)
        .unwrap_or_else(|| panic!("unknown period series {name}"));
    let periods = reps.first().map_or(0, |r| r.series[s].len());
    (0..periods)
        .map(|p| {
            reps.iter()
                .zip(control)
                .map(|(a, b)| a.series[s][p] - b.series[s][p])
                .collect()
        })
        .collect()
}

/// The first period end after which the mean cumulative incremental profit stays ≥ 0.
fn payback(incremental: &[Vec<f64>], ends: &[f64]) -> Option<f64> {
    let means: Vec<f64> = incremental.iter().map(|v| summary::mean(v)).collect();
    let last_negative = means.iter().rposition(|m| *m < 0.0);
    match last_negative {
        None => ends.first().copied(),
        Some(i) if i + 1 < ends.len() => Some(ends[i + 1]),
        Some(_) => None,
    }
}

/// Per-period paired differences of a program against the control:
/// (name in `periods`, period series it is the difference of).
pub const INCREMENTAL_SERIES: [(&str, &str); 2] = [
    ("incremental_cumulative_profit", "cumulative_profit"),
    ("incremental_active_customers", "active_customers"),
];

fn periods(reps: &[RepMetrics], control: Option<&[RepMetrics]>, ends: &[f64]) -> Vec<Period> {
    // Paired differences against the control, per period: what the report's
    // "extra profit over time" and "extra active customers" charts draw.
    let paired: Vec<(&str, Vec<Vec<f64>>)> = control.map_or(Vec::new(), |c| {
        INCREMENTAL_SERIES
            .iter()
            .map(|(out, of)| (*out, incremental(reps, c, of)))
            .collect()
    });
    ends.iter()
        .enumerate()
        .map(|(p, &end)| {
            let mut series: IndexMap<String, Band> = PERIOD_SERIES
                .iter()
                .enumerate()
                .map(|(s, name)| {
                    let xs: Vec<f64> = reps.iter().map(|r| r.series[s][p]).collect();
                    (name.to_string(), summary::band(&xs))
                })
                .collect();
            for (name, inc) in &paired {
                series.insert(name.to_string(), summary::band(&inc[p]));
            }
            Period { end, series }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payback_is_first_period_after_the_last_loss() {
        let ends = [1.0, 2.0, 3.0, 4.0];
        let inc = |m: [f64; 4]| m.iter().map(|x| vec![*x]).collect::<Vec<_>>();
        assert_eq!(payback(&inc([-5.0, -1.0, 2.0, 3.0]), &ends), Some(3.0));
        assert_eq!(payback(&inc([1.0, -1.0, 2.0, 3.0]), &ends), Some(3.0));
        assert_eq!(payback(&inc([1.0, 1.0, 2.0, 3.0]), &ends), Some(1.0));
        assert_eq!(payback(&inc([1.0, 1.0, 2.0, -3.0]), &ends), None);
    }
}
