//! The results document (docs/outputs.md): per program, summaries of every
//! metric, paired differences against the control, and per-period bands.
//! It is what `--format json` prints, what `results.json` holds, and what the
//! report is rebuilt from.

use crate::engine::BASELINE;
use crate::stats::summary::{Band, Summary};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The whole results document (`results.json`, `--format json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Results {
    /// Version of loyalsim that wrote the document.
    pub loyalsim_version: String,
    /// Layout version of this document (`provenance::FORMAT_VERSION`; 0
    /// when read from a document older than the field).
    #[serde(default)]
    pub format_version: u32,
    /// The scenario's name (`simulation.name`).
    pub scenario: String,
    /// The random seed; the same scenario and seed give the same document.
    pub seed: u64,
    /// Replications per program.
    pub replications: u32,
    /// The time unit every rate, period and horizon is measured in (`day`,
    /// `week`, `month`, `quarter` or `year`).
    pub time_unit: String,
    /// Simulated time, in time units.
    pub horizon: f64,
    /// Length of one report period, in time units.
    pub report_every: f64,
    /// Currency label of every amount.
    pub currency: String,
    /// Gross margin (0 to 1): the cost of goods is (1 − gross_margin) × revenue_gross.
    pub gross_margin: f64,
    /// The control (`baseline`) first when the scenario has one, then every
    /// program in file order.
    pub programs: Vec<ProgramResult>,
    /// Every response parameter: fixed, or uncertain with its distribution
    /// (drawn once per replication) and percentiles. A key one segment sets
    /// differently is listed as `segment[NAME].key`. A program's win-back
    /// response given as a distribution is listed too, as
    /// `program[NAME].winback.response`.
    #[serde(default, deserialize_with = "assumptions_or_old")]
    pub assumptions: Vec<AssumptionEntry>,
    /// The response parameters in force per segment, uncertain ones at their
    /// point value (the median of a given distribution, else the documented default).
    #[serde(default)]
    pub segment_response: Vec<SegmentAssumptions>,
    /// What knowing the assumptions before choosing would be worth; absent
    /// without a control or when every assumption is fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_of_information: Option<ValueOfInformation>,
    /// Where the results come from and how to re-run them (set by the
    /// command that writes the document; absent in a sweep's runs, whose
    /// sweep.json carries it once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::provenance::Provenance>,
}

/// Response parameters in force for one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentAssumptions {
    /// The segment's name.
    pub segment: String,
    /// Every response parameter (docs/model.md) and its value.
    pub response: IndexMap<String, f64>,
}

/// One response parameter as the run used it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssumptionEntry {
    /// The response key (`goal_gradient`), `segment[NAME].key` for a
    /// segment's own value, or `program[NAME].winback.response` for a
    /// program's uncertain win-back response.
    pub key: String,
    /// As a scenario would write it: a number when fixed, else an inline
    /// table such as `{ triangular = { min = 0.05, mode = 0.2, max = 0.4 } }`.
    /// Durations are in the scenario's time unit.
    pub distribution: String,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    /// True when the value is the same in every replication.
    pub fixed: bool,
    /// True when the scenario did not give the key: its documented default
    /// (range when uncertain).
    #[serde(default)]
    pub documented: bool,
}

/// Documents written before the list of assumptions held the per-segment
/// values under `assumptions`; those read as an empty list.
fn assumptions_or_old<'de, D>(d: D) -> Result<Vec<AssumptionEntry>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)] // `Old` is matched, never read.
    enum Either {
        New(Vec<AssumptionEntry>),
        Old(Vec<serde::de::IgnoredAny>),
    }
    Ok(match Either::deserialize(d)? {
        Either::New(v) => v,
        Either::Old(_) => Vec::new(),
    })
}

/// Results of one arm (the control or a program).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProgramResult {
    /// The program's name; `baseline` for the no-program control.
    pub name: String,
    /// The program's mechanisms (`discount`, `points`, `stamps`, `referral`,
    /// `script`, ...); empty for the control.
    pub mechanisms: Vec<String>,
    /// Every metric (docs/outputs.md lists them), always in the same order.
    pub summary: IndexMap<String, Summary>,
    /// Paired differences against the control; absent on the control itself
    /// and when the scenario runs without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vs_baseline: Option<VsBaseline>,
    pub periods: Vec<Period>,
    /// Per customer segment, in the scenario's order: how the segment's
    /// customers fared (docs/outputs.md, "Segments"). Empty in documents
    /// written before this field existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<SegmentResult>,
}

/// One segment's results in one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SegmentResult {
    /// The segment's name.
    pub name: String,
    /// Every per-segment metric (docs/outputs.md), by name.
    #[serde(flatten)]
    pub summary: IndexMap<String, Summary>,
    /// Paired differences against the control (the same customers without
    /// the program); absent on the control and without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vs_baseline: Option<IndexMap<String, Summary>>,
}

impl SegmentResult {
    /// The mean over runs of metric `k` (NaN if the document lacks it).
    pub fn mean(&self, k: &str) -> f64 {
        self.summary.get(k).map_or(f64::NAN, |x| x.mean)
    }

    /// The mean paired difference against the control of metric `k`.
    pub fn extra(&self, k: &str) -> Option<f64> {
        self.vs_baseline.as_ref()?.get(k).map(|x| x.mean)
    }
}

/// Paired per-replication differences (program − control).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VsBaseline {
    #[serde(flatten)]
    /// Every metric's paired difference (program − control), by metric name.
    pub metrics: IndexMap<String, Summary>,
    /// Incremental profit / program cost.
    pub roi: Roi,
    /// Share of replications in which profit beats the control (ties count half), 0 to 1.
    pub p_better: f64,
    /// End (in time units) of the first report period after which the mean
    /// cumulative incremental profit stays at or above zero; `null` if it
    /// never does.
    pub payback_period: Option<f64>,
    /// Profit minus the control's profit in each replication, in replication
    /// order (the distribution behind `profit`; used by the report's chart).
    /// Empty in documents written before this field existed.
    #[serde(default)]
    pub replication_profit_delta: Vec<f64>,
    /// Purchases per member over purchases per customer who declined the
    /// program, minus 1: what a shop would read after launch. Members were
    /// often the better customers already, so this overstates the effect.
    /// `null` when nobody declined (or nobody joined).
    #[serde(default)]
    pub naive_member_lift: Option<Summary>,
    /// The program's extra purchases against the control (the same
    /// customers without the program) over what its members would have
    /// bought without it: the true effect on members. `null` without members.
    #[serde(default)]
    pub true_member_lift: Option<Summary>,
    /// How sure the verdict is, for machines: `"likely_pays"`,
    /// `"likely_loses"` or `"depends"`. Filled by the assumption-uncertainty
    /// analysis; absent until it runs (the report then words the verdict
    /// from `p_better`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// The assumption that decides a `"depends"` verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deciding_key: Option<String>,
    /// Per assumption, largest share of variance first: how the extra profit
    /// moves with it. Empty until the assumption-uncertainty analysis runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensitivity: Vec<Sensitivity>,
    /// Shares of the variance of extra profit due to chance and to the
    /// assumptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variance_split: Option<VarianceSplit>,
    /// With a `"depends"` verdict on a key with a break-even: that value,
    /// and whether the program pays above it (else below).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_even: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pays_above: Option<bool>,
    /// Set when there are too few replications to say which assumption
    /// matters; says how many would do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caution: Option<String>,
    /// With a caution: about how many replications would do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications_needed: Option<u32>,
}

impl VsBaseline {
    /// True when the program earned exactly what no program earned in every
    /// replication: it changed nothing (a EUR 0 reward, nobody qualifying),
    /// so "beats no program in 50% of runs" would mislead.
    pub fn no_difference(&self) -> bool {
        !self.replication_profit_delta.is_empty()
            && self.replication_profit_delta.iter().all(|d| *d == 0.0)
    }
}

/// How the extra profit against the control moves with one assumption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Sensitivity {
    /// The assumption, named as in `assumptions` (`goal_gradient`,
    /// `program[NAME].winback.response`, ...).
    pub key: String,
    /// Share of the variance of extra profit explained by this key.
    pub variance_share: f64,
    /// Mean extra profit with the key at its 5th percentile (others as drawn).
    pub profit_at_p05: f64,
    /// Mean extra profit with the key at its 95th percentile.
    pub profit_at_p95: f64,
    /// Value of the key at which the extra profit crosses zero; `null` when
    /// it does not cross inside the key's range.
    #[serde(default)]
    pub break_even: Option<f64>,
    /// With a break-even: true when the program pays above it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pays_above: Option<bool>,
}

/// Shares of the variance of extra profit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VarianceSplit {
    pub chance: f64,
    pub assumptions: f64,
}

/// What knowing more before choosing would be worth, in currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ValueOfInformation {
    /// Expected value of perfect information on every assumption at once.
    pub evpi: f64,
    /// Expected value of perfect information on each assumption alone.
    #[serde(default)]
    pub evppi: IndexMap<String, f64>,
    /// The standard error of each EVPPI (from the regression's residuals).
    #[serde(default)]
    pub evppi_se: IndexMap<String, f64>,
    /// Set when there are too few replications for the EVPPI figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caution: Option<String>,
    /// With a caution: about how many replications would do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications_needed: Option<u32>,
}

/// Return on the program's cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Roi {
    /// Mean incremental profit / mean program cost (`null` without cost).
    pub mean: Option<f64>,
    /// 5th percentile of the per-replication ratios (replications with cost > 0).
    pub p05: Option<f64>,
    /// 95th percentile of the per-replication ratios (replications with cost > 0).
    pub p95: Option<f64>,
}

/// One report period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    /// End of the period, in time units.
    pub end: f64,
    /// Every period series (docs/outputs.md), plus for programs compared
    /// with a control their paired differences
    /// (`incremental_cumulative_profit`, `incremental_active_customers`).
    #[serde(flatten)]
    pub series: IndexMap<String, Band>,
}

/// Most report periods a document may have (as a scenario may ask for).
const MAX_PERIODS: usize = 100_000;

impl Results {
    /// Check that a document read back (by `loyalsim report`) could have
    /// been written by loyalsim: a positive horizon and report period, at
    /// least one replication and one program, periods ending in order inside
    /// the horizon, and every summary's interval and percentiles in order.
    /// The first problem is returned as `PATH: problem`.
    pub fn check(&self) -> Result<(), String> {
        let ok = |x: f64| x.is_finite();
        if !(ok(self.horizon) && self.horizon > 0.0) {
            return Err(format!(
                "horizon: {} is not a positive number",
                self.horizon
            ));
        }
        // Longer than the horizon when the horizon is shorter than the
        // default period (1 time unit); the periods then end at the horizon.
        if !(ok(self.report_every) && self.report_every > 0.0) {
            return Err(format!(
                "report_every: {} is not a positive number",
                self.report_every
            ));
        }
        if self.replications == 0 {
            return Err("replications: 0; a run has at least one".into());
        }
        if !(0.0..=1.0).contains(&self.gross_margin) {
            return Err(format!(
                "gross_margin: {} is not in [0, 1]",
                self.gross_margin
            ));
        }
        if self.programs.is_empty() {
            return Err("programs: empty; a run has at least one arm".into());
        }
        printable("scenario", &self.scenario)?;
        printable("currency", &self.currency)?;
        printable("time_unit", &self.time_unit)?;
        for (i, p) in self.programs.iter().enumerate() {
            printable(&format!("programs[{i}].name"), &p.name)?;
            for (k, seg) in p.segments.iter().enumerate() {
                printable(&format!("programs[{i}].segments[{k}].name"), &seg.name)?;
            }
            let at = format!("programs[{i}] ({})", p.name);
            for (m, s) in &p.summary {
                check_summary(s).map_err(|e| format!("{at}.summary.{m}: {e}"))?;
            }
            if let Some(v) = &p.vs_baseline {
                for (m, s) in &v.metrics {
                    check_summary(s).map_err(|e| format!("{at}.vs_baseline.{m}: {e}"))?;
                }
                if !(0.0..=1.0).contains(&v.p_better) {
                    return Err(format!(
                        "{at}.vs_baseline.p_better: {} is not a share",
                        v.p_better
                    ));
                }
            }
            for seg in &p.segments {
                let all = seg.summary.iter().chain(seg.vs_baseline.iter().flatten());
                for (m, s) in all {
                    check_summary(s)
                        .map_err(|e| format!("{at}.segments[{}].{m}: {e}", seg.name))?;
                }
            }
            if p.periods.len() > MAX_PERIODS {
                return Err(format!("{at}.periods: more than {MAX_PERIODS}"));
            }
            let mut prev = 0.0;
            for (k, per) in p.periods.iter().enumerate() {
                let slack = 1e-9 * self.horizon;
                if !(ok(per.end) && per.end > prev && per.end <= self.horizon + slack) {
                    return Err(format!(
                        "{at}.periods[{k}].end: {} does not follow {prev} inside the horizon {}",
                        per.end, self.horizon
                    ));
                }
                prev = per.end;
                for (name, b) in &per.series {
                    if !(ok(b.mean) && ok(b.p05) && ok(b.p95) && b.p05 <= b.p95) {
                        return Err(format!(
                            "{at}.periods[{k}].{name}: p05 {} and p95 {} are not an interval",
                            b.p05, b.p95
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The control's results, if the scenario has one.
    pub fn baseline(&self) -> Option<&ProgramResult> {
        self.programs
            .iter()
            .find(|p| p.vs_baseline.is_none() && p.name == BASELINE)
    }
}

pub use super::build::{INCREMENTAL_SERIES, build, build_with_replications};

/// Names are shown in tables on the terminal, in charts and in the
/// report: a document whose names hold control characters (a name
/// `"a\u001b[2J"` would clear the reader's screen) was not written by
/// loyalsim, which refuses such names in a scenario.
fn printable(path: &str, text: &str) -> Result<(), String> {
    match text.chars().find(|c| c.is_control()) {
        None => Ok(()),
        Some(c) => Err(format!(
            "{path}: contains the control character U+{:04X}",
            c as u32
        )),
    }
}

/// A summary's numbers are finite, its interval and percentiles in order.
fn check_summary(s: &Summary) -> Result<(), String> {
    let all = [s.mean, s.sd, s.ci95[0], s.ci95[1], s.p05, s.p50, s.p95];
    if !all.iter().all(|x| x.is_finite()) {
        return Err("a number is not finite".into());
    }
    // Computed in floating point: allow rounding in the last digits.
    let le = |a: f64, b: f64| a <= b + 1e-9 * (1.0 + a.abs().max(b.abs()));
    if s.sd < 0.0 {
        return Err(format!("sd {} is negative", s.sd));
    }
    if !(le(s.ci95[0], s.mean) && le(s.mean, s.ci95[1])) {
        return Err(format!(
            "ci95 [{}, {}] is inverted or does not hold the mean {}",
            s.ci95[0], s.ci95[1], s.mean
        ));
    }
    if !(le(s.p05, s.p50) && le(s.p50, s.p95)) {
        return Err(format!(
            "percentiles p05 {} <= p50 {} <= p95 {} are out of order",
            s.p05, s.p50, s.p95
        ));
    }
    Ok(())
}
