//! How sure a verdict is: which uncertain assumption decides a program's
//! extra profit (sensitivity), how much of its variation is chance, and what
//! knowing an assumption before choosing would be worth (value of
//! information). The method is described for users in docs/uncertainty.md.
//!
//! Input: R replications, in each of which every uncertain assumption was
//! drawn once and every arm (arm 0 the no-program control, then the
//! programs) simulated with those draws. Pure functions of those numbers;
//! the random draws behind the error estimates come from streams keyed by
//! the data, so the same input gives the same output, bit for bit.
//!
//! API:
//! - [`analyse`]: everything at once (the curves are fitted once and shared);
//! - [`sensitivity()`] for one program, [`value_of_information`] for all;
//! - [`evpi`], [`evppi()`] for single figures;
//! - [`verdict()`] for the verdict word;
//! - results carry a [`Caution`] when the replications are too few.
//!
//! Modules: [`linalg`] (Cholesky), [`spline`] (the one-input smoother),
//! [`additive`] (all inputs together), [`voi`], [`sensitivity`], [`trust`],
//! [`verdict`].

mod additive;
mod linalg;
pub mod sensitivity;
mod spline;
pub mod trust;
pub mod verdict;
pub mod voi;

use indexmap::IndexMap;
use serde::Serialize;
use spline::{Fit, Smoother};

pub use sensitivity::{KeySensitivity, Sensitivity, VarianceSplit, sensitivity};
pub use trust::{Caution, Reason};
pub use verdict::{Verdict, Word, verdict};
pub use voi::{Evppi, evpi, evppi};

/// One uncertain assumption: its name, the value drawn in each replication,
/// and the 5th and 95th percentiles of its distribution (the documented
/// range the sensitivity figures span; `Dist::quantile(0.05)` and `(0.95)`).
#[derive(Debug, Clone, Copy)]
pub struct Assumption<'a> {
    pub key: &'a str,
    pub draws: &'a [f64],
    pub p05: f64,
    pub p95: f64,
}

/// The value of information, in the profit's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueOfInformation {
    /// Expected gain from knowing everything (chance included) before choosing.
    pub evpi: f64,
    /// Expected gain from knowing each assumption before choosing, in input order.
    pub evppi: IndexMap<String, f64>,
    /// The standard error of each EVPPI.
    pub evppi_se: IndexMap<String, f64>,
    /// Set when there are too few replications for the EVPPI figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

/// Everything [`analyse`] finds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uncertainty {
    pub value_of_information: ValueOfInformation,
    /// One per program (arm 1, 2, … of `nb`), in arm order.
    pub programs: Vec<Sensitivity>,
}

/// The curves of every program's extra profit on every assumption: one
/// smoother per assumption (None when it does not vary), one fit per
/// (assumption, program).
struct Curves {
    smoothers: Vec<Option<Smoother>>,
    fits: Vec<Vec<Option<Fit>>>,
}

fn check_shapes(assumptions: &[Assumption<'_>], nb: &[Vec<f64>]) {
    let arms = nb.first().map_or(0, Vec::len);
    assert!(
        nb.iter().all(|row| row.len() == arms),
        "every replication has every arm"
    );
    for a in assumptions {
        assert_eq!(
            a.draws.len(),
            nb.len(),
            "`{}`: one draw per replication",
            a.key
        );
    }
}

fn curves(assumptions: &[Assumption<'_>], extra: &[Vec<f64>]) -> Curves {
    let smoothers: Vec<Option<Smoother>> =
        assumptions.iter().map(|a| Smoother::new(a.draws)).collect();
    let fits = smoothers
        .iter()
        .map(|s| {
            extra
                .iter()
                .map(|d| s.as_ref().and_then(|s| s.fit(d)))
                .collect()
        })
        .collect();
    Curves { smoothers, fits }
}

fn voi_from_curves(
    assumptions: &[Assumption<'_>],
    nb: &[Vec<f64>],
    c: &Curves,
) -> ValueOfInformation {
    let evpi = voi::evpi(nb);
    let mut found = Vec::with_capacity(assumptions.len());
    for (k, a) in assumptions.iter().enumerate() {
        let fits: Option<Vec<Fit>> = c.fits[k].iter().cloned().collect();
        let e = match (&c.smoothers[k], fits) {
            (Some(sm), Some(fits)) if !fits.is_empty() => {
                voi::evppi_from_fits(sm, &fits, a.draws, evpi)
            }
            _ => Evppi {
                evppi: 0.0,
                se: 0.0,
            },
        };
        found.push((a.key.to_string(), e.evppi, e.se));
    }
    let caution = trust::evppi(nb.len(), &found);
    ValueOfInformation {
        evpi,
        evppi: found.iter().map(|(k, v, _)| (k.clone(), *v)).collect(),
        evppi_se: found.iter().map(|(k, _, s)| (k.clone(), *s)).collect(),
        caution,
    }
}

/// EVPI and every assumption's EVPPI: `nb[r][a]` is the profit of arm a in
/// replication r (arm 0 the control).
pub fn value_of_information(assumptions: &[Assumption<'_>], nb: &[Vec<f64>]) -> ValueOfInformation {
    check_shapes(assumptions, nb);
    let extra = voi::extra_profits(nb);
    voi_from_curves(assumptions, nb, &curves(assumptions, &extra))
}

/// The value of information and every program's sensitivity figures, the
/// curves fitted once for both.
pub fn analyse(assumptions: &[Assumption<'_>], nb: &[Vec<f64>]) -> Uncertainty {
    check_shapes(assumptions, nb);
    let extra = voi::extra_profits(nb);
    let c = curves(assumptions, &extra);
    let programs = extra
        .iter()
        .enumerate()
        .map(|(p, d)| {
            let fits: Vec<Option<Fit>> = c.fits.iter().map(|f| f[p].clone()).collect();
            sensitivity::from_fits(assumptions, &c.smoothers, &fits, d)
        })
        .collect();
    Uncertainty {
        value_of_information: voi_from_curves(assumptions, nb, &c),
        programs,
    }
}
#[cfg(test)]
mod tests;
