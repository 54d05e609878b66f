//! Fitting the customer base from a transaction log (docs/fitting.md).
//!
//! Pipeline: `reader` streams the CSV into a `data::Accumulator` (the only
//! module here that reads files); `data` turns it into per-customer
//! (x, t_x, T) summaries; `bgnbd` / `pnbd` / `gamma_gamma` hold the
//! likelihoods and closed forms; `optimize` maximizes them. The functions in
//! this file tie the core together and never touch files or stdout; the
//! chart and the files are made in `report::fit`.

pub mod bgnbd;
pub mod data;
pub mod document;
pub mod gamma_gamma;
pub mod optimize;
pub mod pnbd;
pub mod reader;

use crate::error::{Error, Result};
use crate::warnings::FitWarning;
use rayon::prelude::*;

/// One customer (or `n` identical ones): repeat transactions `x` in the
/// calibration period, time of the last of them `t_x`, and age `t` at the
/// calibration end, in time units from the first purchase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rfm {
    pub x: f64,
    pub t_x: f64,
    pub t: f64,
    pub n: f64,
}

/// The summaries arranged for fast repeated likelihood evaluation: the
/// distinct x values and times (t_x and T) are indexed once, so that each
/// evaluation computes the expensive terms once per distinct value (or
/// distinct (x, t) pair) instead of once per customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub rows: Vec<Rfm>,
    /// Distinct x values, ascending.
    pub xs: Vec<f64>,
    /// Distinct times among all t_x and T, ascending.
    pub times: Vec<f64>,
    /// Per row: index into `xs`, into `times` for t_x and for T.
    pub row_x: Vec<u32>,
    pub row_tx: Vec<u32>,
    pub row_t: Vec<u32>,
    /// Distinct (x index, time index) pairs among (x, t_x) and (x, T).
    pub pairs: Vec<(u32, u32)>,
    /// Per row: index into `pairs` for (x, t_x) and for (x, T).
    pub row_pair_tx: Vec<u32>,
    pub row_pair_t: Vec<u32>,
}

/// Rows per parallel chunk; partial sums are added in chunk order, so the
/// result does not depend on the number of threads.
pub(crate) const CHUNK: usize = 4096;

impl Prepared {
    pub fn new(data: &[Rfm]) -> Prepared {
        fn distinct(mut v: Vec<f64>) -> Vec<f64> {
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        }
        fn idx(v: &[f64], x: f64) -> u32 {
            v.binary_search_by(|p| p.total_cmp(&x)).unwrap_or(0) as u32
        }
        let xs = distinct(data.iter().map(|d| d.x).collect());
        let times = distinct(data.iter().flat_map(|d| [d.t_x, d.t]).collect());
        let row_x: Vec<u32> = data.iter().map(|d| idx(&xs, d.x)).collect();
        let row_tx: Vec<u32> = data.iter().map(|d| idx(&times, d.t_x)).collect();
        let row_t: Vec<u32> = data.iter().map(|d| idx(&times, d.t)).collect();
        let mut pairs: Vec<(u32, u32)> = (0..data.len())
            .flat_map(|i| [(row_x[i], row_tx[i]), (row_x[i], row_t[i])])
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let pidx = |p: (u32, u32)| pairs.binary_search(&p).unwrap_or(0) as u32;
        let row_pair_tx = (0..data.len())
            .map(|i| pidx((row_x[i], row_tx[i])))
            .collect();
        let row_pair_t = (0..data.len())
            .map(|i| pidx((row_x[i], row_t[i])))
            .collect();
        Prepared {
            rows: data.to_vec(),
            xs,
            times,
            row_x,
            row_tx,
            row_t,
            pairs,
            row_pair_tx,
            row_pair_t,
        }
    }

    /// Σ over rows of `f(row index)`, in fixed chunks summed in order.
    pub(crate) fn sum_rows(&self, f: impl Fn(usize) -> f64 + Sync) -> f64 {
        let n = self.rows.len();
        if n <= CHUNK {
            return (0..n).map(&f).sum();
        }
        let parts: Vec<f64> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| (c * CHUNK..((c + 1) * CHUNK).min(n)).map(&f).sum())
            .collect();
        parts.iter().sum()
    }
}

/// Which customer-base model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Model {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    Bgnbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    Pnbd,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Bgnbd => "bgnbd",
            Model::Pnbd => "pnbd",
        }
    }

    /// Parameter names in vector order.
    pub fn names(self) -> [&'static str; 4] {
        match self {
            Model::Bgnbd => bgnbd::NAMES,
            Model::Pnbd => pnbd::NAMES,
        }
    }

    /// Summed log-likelihood (the same value for any number of threads).
    pub fn log_likelihood(self, p: &[f64], data: &Prepared) -> f64 {
        match self {
            Model::Bgnbd => bgnbd::log_likelihood_prepared(p, data),
            Model::Pnbd => pnbd::log_likelihood_prepared(p, data),
        }
    }

    /// Expected repeat transactions in (0, t] after a first purchase at 0.
    pub fn expected(self, p: &[f64], t: f64) -> f64 {
        match self {
            Model::Bgnbd => bgnbd::expected(p, t),
            Model::Pnbd => pnbd::expected(p, t),
        }
    }
}

/// The time unit of the fit (docs/fitting.md: day, week or month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unit {
    Day,
    Week,
    Month,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
        }
    }

    /// Length in days (a month is 365.25/12 days).
    pub fn days(self) -> f64 {
        match self {
            Unit::Day => 1.0,
            Unit::Week => 7.0,
            Unit::Month => 365.25 / 12.0,
        }
    }
}

/// Maximum-likelihood estimates with their uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimates {
    pub names: Vec<&'static str>,
    pub values: Vec<f64>,
    /// Standard errors; `None` where the Hessian is not positive definite.
    pub se: Vec<Option<f64>>,
    pub log_likelihood: f64,
    pub evaluations: usize,
    pub runs: usize,
    pub converged: bool,
    /// Things the user should know about this fit.
    pub warnings: Vec<FitWarning>,
}

impl Estimates {
    /// The value of the named parameter.
    pub fn get(&self, name: &str) -> f64 {
        self.names
            .iter()
            .position(|n| *n == name)
            .map(|i| self.values[i])
            .unwrap_or(f64::NAN)
    }
}

fn weighted_means(data: &[Rfm]) -> (f64, f64, f64) {
    let n: f64 = data.iter().map(|d| d.n).sum();
    let x: f64 = data.iter().map(|d| d.n * d.x).sum();
    let t: f64 = data.iter().map(|d| d.n * d.t).sum();
    (n, x / n, t / n)
}

/// Fit BG/NBD or Pareto/NBD to the summaries by maximum likelihood.
pub fn fit_model(model: Model, data: &[Rfm]) -> Result<Estimates> {
    let (n, mean_x, mean_t) = weighted_means(data);
    if n == 0.0 {
        return Err(Error::input(
            "no customer made a first purchase on or before the calibration end; choose a later --calibration-end",
        ));
    }
    if mean_x == 0.0 {
        return Err(Error::input(format!(
            "none of the {n} customers made a repeat purchase on or before the calibration end, so \
             purchase rates and dropout cannot be estimated; choose a later --calibration-end or use a \
             longer transaction log"
        )));
    }
    if mean_t <= 0.0 {
        return Err(Error::input(
            "every customer's first purchase is on the calibration end date; choose a later --calibration-end",
        ));
    }
    let scale = (mean_t / mean_x).max(1e-6);
    let starts: Vec<Vec<f64>> = match model {
        Model::Bgnbd => vec![vec![1.0, scale, 1.0, 3.0], vec![0.3, 0.3 * scale, 0.5, 1.5]],
        Model::Pnbd => vec![
            vec![1.0, scale, 1.0, mean_t],
            vec![0.3, 0.3 * scale, 0.5, 0.5 * mean_t],
        ],
    }
    .into_iter()
    .map(|v| v.iter().map(|p: &f64| p.ln()).collect())
    .collect();
    let prepared = Prepared::new(data);
    let negll = |theta: &[f64]| {
        let p: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
        -model.log_likelihood(&p, &prepared)
    };
    let out = optimize::minimize(&negll, &starts);
    let se = optimize::standard_errors(&negll, &out.x);
    let mut warnings = Vec::new();
    if !out.converged {
        warnings.push(FitWarning::NotSettled {
            model: model.as_str(),
        });
    }
    if se.iter().any(Option::is_none) {
        warnings.push(FitWarning::Flat);
    }
    Ok(Estimates {
        names: model.names().to_vec(),
        values: out.x.iter().map(|t| t.exp()).collect(),
        se,
        log_likelihood: -out.f,
        evaluations: out.evaluations,
        runs: out.runs,
        converged: out.converged,
        warnings,
    })
}

/// Fit the Gamma-Gamma spend model to (x, mean repeat value) pairs.
pub fn fit_spend(data: &[(f64, f64)]) -> Result<Estimates> {
    if data.len() < 2 {
        return Err(Error::input(
            "fewer than two customers with repeat purchases of positive value: the spend model cannot be fitted",
        ));
    }
    let mean_m = data.iter().map(|d| d.1).sum::<f64>() / data.len() as f64;
    let starts: Vec<Vec<f64>> = [[2.0, 3.0, mean_m], [5.0, 2.0, mean_m / 5.0]]
        .iter()
        .map(|v| v.iter().map(|p| p.ln()).collect())
        .collect();
    let grouped = gamma_gamma::SpendData::new(data);
    let negll = |theta: &[f64]| {
        let p: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
        -gamma_gamma::log_likelihood_prepared(&p, &grouped)
    };
    let out = optimize::minimize(&negll, &starts);
    let se = optimize::standard_errors(&negll, &out.x);
    let mut warnings = Vec::new();
    if !out.converged {
        warnings.push(FitWarning::SpendNotSettled);
    }
    Ok(Estimates {
        names: gamma_gamma::NAMES.to_vec(),
        values: out.x.iter().map(|t| t.exp()).collect(),
        se,
        log_likelihood: -out.f,
        evaluations: out.evaluations,
        runs: out.runs,
        converged: out.converged,
        warnings,
    })
}

/// Expected cumulative repeat transactions of a cohort at each of `times`:
/// Σ over (start s, count n) of n · E[X(τ - s)] (FHL 2005, tracking plot).
pub fn expected_cumulative(
    model: Model,
    p: &[f64],
    cohort: &[(f64, f64)],
    times: &[f64],
) -> Vec<f64> {
    times
        .par_iter()
        .map(|&tau| {
            cohort
                .iter()
                .filter(|(s, _)| *s < tau)
                .map(|&(s, n)| n * model.expected(p, tau - s))
                .sum()
        })
        .collect()
}

/// One row of the tracking table: repeat transactions in one time unit.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    /// End of the period, time units since the origin.
    pub end: f64,
    pub actual: u64,
    pub expected: f64,
    pub cumulative_actual: u64,
    pub cumulative_expected: f64,
    /// Whether the period ends on or before the calibration end.
    pub calibration: bool,
}

/// Actual against expected repeat transactions per tracking period (one
/// time unit, or several for very long data: `Summary::period_units`), over
/// calibration and holdout, for the calibration cohort.
pub fn tracking(model: Model, p: &[f64], s: &data::Summary) -> Vec<PeriodRow> {
    let data_end = (s.last_day - s.origin_day + 1) as f64 / s.unit_days;
    let k = s.period_repeats.len();
    let ends: Vec<f64> = (1..=k)
        .map(|i| (i as f64 * s.period_units).min(data_end))
        .collect();
    let cum = expected_cumulative(model, p, &s.cohort_starts(), &ends);
    let cal_end = s.cal_end_time();
    let mut rows = Vec::with_capacity(k);
    let (mut ca, mut prev) = (0u64, 0.0);
    for i in 0..k {
        ca += s.period_repeats[i];
        rows.push(PeriodRow {
            end: ends[i],
            actual: s.period_repeats[i],
            expected: cum[i] - prev,
            cumulative_actual: ca,
            cumulative_expected: cum[i],
            calibration: ends[i] <= cal_end + 1.0 / s.unit_days + 1e-9,
        });
        prev = cum[i];
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_repeat_buyers_is_a_clear_error() {
        let d = [Rfm {
            x: 0.0,
            t_x: 0.0,
            t: 30.0,
            n: 100.0,
        }];
        for m in [Model::Bgnbd, Model::Pnbd] {
            let e = fit_model(m, &d).unwrap_err();
            assert!(e.to_string().contains("repeat purchase"), "{e}");
            assert_eq!(e.exit_code(), 2);
        }
    }

    #[test]
    fn spend_without_heterogeneity_gives_finite_estimates() {
        // Every customer spends exactly the same: q and gamma run off to
        // infinity together; the answer stays finite and is flagged.
        let d: Vec<(f64, f64)> = (1..200).map(|i| ((i % 5 + 1) as f64, 20.0)).collect();
        let e = fit_spend(&d).unwrap();
        assert!(e.values.iter().all(|v| v.is_finite() && *v > 0.0), "{e:?}");
        assert!(e.log_likelihood.is_finite());
        assert!(fit_spend(&d[..1]).is_err());
    }

    #[test]
    fn one_huge_buyer_gives_finite_estimates() {
        let d = [
            Rfm {
                x: 0.0,
                t_x: 0.0,
                t: 30.0,
                n: 500.0,
            },
            Rfm {
                x: 5000.0,
                t_x: 29.9,
                t: 30.0,
                n: 1.0,
            },
        ];
        for m in [Model::Bgnbd, Model::Pnbd] {
            let e = fit_model(m, &d).unwrap();
            assert!(
                e.values.iter().all(|v| v.is_finite() && *v > 0.0),
                "{m:?} {e:?}"
            );
            assert!(e.log_likelihood.is_finite());
        }
    }

    #[test]
    fn tiny_and_huge_time_scales_give_the_same_fit_rescaled() {
        // The same data measured in units 1000 times smaller or larger: r, a, b
        // (or s) stay, alpha (and beta) scale with the unit.
        let base = [
            Rfm {
                x: 0.0,
                t_x: 0.0,
                t: 30.0,
                n: 60.0,
            },
            Rfm {
                x: 1.0,
                t_x: 10.0,
                t: 30.0,
                n: 20.0,
            },
            Rfm {
                x: 2.0,
                t_x: 25.0,
                t: 28.0,
                n: 10.0,
            },
            Rfm {
                x: 4.0,
                t_x: 5.0,
                t: 29.0,
                n: 5.0,
            },
            Rfm {
                x: 7.0,
                t_x: 27.0,
                t: 30.0,
                n: 5.0,
            },
        ];
        for m in [Model::Bgnbd, Model::Pnbd] {
            let e1 = fit_model(m, &base).unwrap();
            for scale in [1e-3, 1e3] {
                let d: Vec<Rfm> = base
                    .iter()
                    .map(|r| Rfm {
                        t_x: r.t_x * scale,
                        t: r.t * scale,
                        ..*r
                    })
                    .collect();
                let e = fit_model(m, &d).unwrap();
                assert!(e.values.iter().all(|v| v.is_finite()));
                assert!(
                    (e.values[0] / e1.values[0] - 1.0).abs() < 1e-3,
                    "{m:?} {scale}: {e:?} vs {e1:?}"
                );
                assert!((e.values[1] / (e1.values[1] * scale) - 1.0).abs() < 1e-3);
            }
        }
    }
}
