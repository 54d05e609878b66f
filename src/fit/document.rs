//! `fit.json`: the fit's results document, as a serde type (pure: no I/O).
//! Its JSON Schema is generated from these types (`report::schema`).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Estimates, PeriodRow};

/// The whole `fit.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FitDocument {
    /// The customer-base model: `bgnbd` (BG/NBD) or `pnbd` (Pareto/NBD).
    pub model: String,
    /// The time unit of every rate and time: `day`, `week` or `month`.
    pub time_unit: String,
    /// Customers in the calibration cohort (first purchase on or before the calibration end).
    pub customers: usize,
    /// Last day of the calibration period (YYYY-MM-DD).
    pub calibration_end: String,
    /// Estimates: BG/NBD `r`, `alpha`, `a`, `b`; Pareto/NBD `r`, `alpha`, `s`, `beta`.
    pub params: IndexMap<String, f64>,
    /// Standard errors of `params` (`null` where the likelihood's curvature gives none).
    pub se: IndexMap<String, Option<f64>>,
    /// Maximised log-likelihood of the customer-base model.
    pub log_likelihood: f64,
    /// Gamma-Gamma spend model `p`, `q`, `gamma` (only with amounts, when it could be fitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend: Option<IndexMap<String, f64>>,
    /// Standard errors of `spend`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_se: Option<IndexMap<String, Option<f64>>>,
    /// Maximised log-likelihood of the spend model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_log_likelihood: Option<f64>,
    /// Customers the spend model was fitted to (those with repeat purchases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_customers: Option<usize>,
    /// Version of loyalsim that wrote the document.
    pub loyalsim_version: String,
    /// The transaction file as given on the command line.
    pub input: String,
    /// First date in the file (time 0 of `cohort.csv` and `periods`).
    pub first_date: String,
    /// Last date in the file.
    pub last_date: String,
    /// Days in one time unit.
    pub unit_days: f64,
    /// Time units per row of `periods`: 1, unless the dates span more than
    /// 2,000 time units (then rows are grouped, at most 2,000 of them).
    pub tracking_period_units: f64,
    /// Valid rows read.
    pub rows: u64,
    /// Rows skipped with `--skip-invalid`.
    pub skipped_rows: u64,
    /// Transactions after merging each customer's same-day rows.
    pub transactions: u64,
    /// Repeat transactions of the cohort up to the calibration end.
    pub repeat_transactions_calibration: u64,
    /// Customers whose first purchase is after the calibration end (left out).
    pub customers_excluded: usize,
    /// Mean transaction value in the calibration period (with amounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_amount: Option<f64>,
    /// Mean repeat-transaction value in the calibration period (with amounts and repeats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_repeat_amount: Option<f64>,
    /// How the estimates were found.
    pub optimizer: Optimizer,
    /// Things to know about this fit.
    pub warnings: Vec<String>,
    /// Repeat transactions per time unit, actual against the model's
    /// expectation, over calibration and holdout.
    pub periods: Vec<FitPeriod>,
    /// Version of this document's layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<u32>,
    /// How to fit the same file again the same way (docs/provenance.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::provenance::Provenance>,
}

/// The optimiser's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Optimizer {
    pub method: String,
    /// Likelihood evaluations.
    pub evaluations: usize,
    /// Optimiser runs (restarts included).
    pub runs: usize,
    pub converged: bool,
}

/// One time unit of the tracking table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FitPeriod {
    /// End of the period, in time units since `first_date`.
    pub end: f64,
    /// Whether the period ends on or before the calibration end.
    pub calibration: bool,
    /// Repeat transactions in the period.
    pub actual: u64,
    /// The model's expectation for the same customers.
    pub expected: f64,
    pub cumulative_actual: u64,
    pub cumulative_expected: f64,
}

/// Parameter names to values, in the model's order.
pub fn params(e: &Estimates) -> IndexMap<String, f64> {
    e.names
        .iter()
        .zip(&e.values)
        .map(|(n, v)| (n.to_string(), *v))
        .collect()
}

/// Parameter names to standard errors, in the model's order.
pub fn standard_errors(e: &Estimates) -> IndexMap<String, Option<f64>> {
    e.names
        .iter()
        .zip(&e.se)
        .map(|(n, v)| (n.to_string(), *v))
        .collect()
}

/// The optimiser's record of a fit.
pub fn optimizer(e: &Estimates) -> Optimizer {
    Optimizer {
        method: "Nelder-Mead on log-parameters, restarted; standard errors from the numerical Hessian (delta method)".into(),
        evaluations: e.evaluations,
        runs: e.runs,
        converged: e.converged,
    }
}

impl From<&PeriodRow> for FitPeriod {
    fn from(r: &PeriodRow) -> FitPeriod {
        FitPeriod {
            end: r.end,
            calibration: r.calibration,
            actual: r.actual,
            expected: r.expected,
            cumulative_actual: r.cumulative_actual,
            cumulative_expected: r.cumulative_expected,
        }
    }
}
