//! When the replications are too few for the uncertainty figures to mean
//! anything, say so (and how many would do) instead of printing noise.
//!
//! Rules, each giving a number of replications that would satisfy it (the
//! errors shrink as 1/√R, so R · (error / target)²); the caution names the
//! rule that asks for the most:
//!
//! 1. Degrees of freedom: the additive model of all assumptions must have at
//!    least 10 replications per effective degree of freedom it uses
//!    (the common rule of thumb for regression models, Harrell 2015,
//!    "Regression Modeling Strategies", 2nd ed., §4.4). Ten assumptions with
//!    straight-line effects use 11; with some curvature 15 to 20, so 150 to
//!    200 replications.
//! 2. Variance shares: the standard error of the assumptions' share of the
//!    split and of the largest single share must be at most 0.05 (so the
//!    shares are good to about ±0.1). Standard error of an R² by the
//!    large-sample formula (Olkin & Finn 1995, Psychological Bulletin 118(1);
//!    Cohen et al. 2003, "Applied Multiple Regression", eq. 3.8.4):
//!    Var(R²) ≈ 4R²(1 − R²)²(n − k − 1)² / ((n² − 1)(n + 3)), k the
//!    predictors (the model's degrees of freedom beyond the intercept; 1
//!    for a single assumption's curve).
//! 3. EVPPI: the largest EVPPI must be known to within half its value
//!    (standard error ≤ EVPPI / 2), or it cannot name the assumption worth a
//!    pilot. An EVPI of 0 (one arm best in every replication) needs nothing.

use super::sensitivity::{KeySensitivity, VarianceSplit};
use serde::Serialize;
use std::fmt;

/// Replications wanted per effective degree of freedom of the additive model.
pub const REPLICATIONS_PER_DF: f64 = 10.0;
/// Largest acceptable standard error of a variance share.
pub const MAX_SHARE_SE: f64 = 0.05;
/// Largest acceptable standard error of the top EVPPI, as a share of it.
pub const MAX_EVPPI_RELATIVE_SE: f64 = 0.5;

/// Figures that should not be shown as they stand, why, and how many
/// replications would make them meaningful (rounded up to a multiple of 10).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Caution {
    pub replications: usize,
    pub needed: usize,
    pub reason: Reason,
}

/// The rule a set of figures failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The additive model of all assumptions uses `edf` degrees of freedom:
    /// too many for the replications.
    DegreesOfFreedom { edf: f64 },
    /// A variance share (`key` None: the assumptions' share of the split) has
    /// a standard error above 0.05.
    ShareError {
        key: Option<String>,
        share: f64,
        se: f64,
    },
    /// The largest EVPPI has a standard error above half its value.
    EvppiError { key: String, evppi: f64, se: f64 },
    /// The assumptions could not be fitted together (fewer replications than
    /// terms, or assumptions that are functions of each other).
    NoFit,
}

impl fmt::Display for Caution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (r, need) = (self.replications, self.needed);
        match &self.reason {
            Reason::DegreesOfFreedom { edf } => write!(
                f,
                "{r} replications are too few to say which assumption matters: the assumptions' \
                 effects take {edf:.1} degrees of freedom to describe; run about {need}"
            ),
            Reason::ShareError { key, share, se } => {
                let what = match key {
                    Some(k) => format!("the share of `{k}`"),
                    None => "the assumptions' share".to_string(),
                };
                write!(
                    f,
                    "{r} replications are too few for the variance shares: {what} is {:.0}% ± {:.0} \
                     points; run about {need}",
                    share * 100.0,
                    2.0 * se * 100.0
                )
            }
            Reason::EvppiError { key, evppi, se } => write!(
                f,
                "{r} replications are too few to value a pilot: knowing `{key}` is worth {evppi:.0} \
                 ± {:.0}; run about {need}",
                2.0 * se
            ),
            Reason::NoFit => write!(
                f,
                "{r} replications are too few to separate the assumptions' effects; run about {need}"
            ),
        }
    }
}

/// R · (se / target)², rounded up to a multiple of 10.
fn scaled(n: usize, se: f64, target: f64) -> usize {
    round_up((n as f64 * (se / target).powi(2)).ceil())
}

fn round_up(x: f64) -> usize {
    let x = if x.is_finite() { x.min(1e9) } else { 1e9 };
    ((x / 10.0).ceil() * 10.0) as usize
}

/// Large-sample standard error of an R² of `share` with `k` predictors.
pub(crate) fn share_se(share: f64, n: usize, k: f64) -> f64 {
    let n = n as f64;
    let var = 4.0 * share * (1.0 - share).powi(2) * (n - k - 1.0).max(0.0).powi(2)
        / ((n * n - 1.0) * (n + 3.0));
    var.max(0.0).sqrt()
}

/// Picks the rule asking for the most replications, if any asks for more than `n`.
fn worst(n: usize, candidates: Vec<(usize, Reason)>) -> Option<Caution> {
    let (needed, reason) = candidates.into_iter().max_by_key(|c| c.0)?;
    (needed > n).then_some(Caution {
        replications: n,
        needed,
        reason,
    })
}

/// Rules 1 and 2 for one program's sensitivity figures. `edf`: the additive
/// model's degrees of freedom, None if it could not be fitted.
pub(crate) fn sensitivity(
    n: usize,
    edf: Option<f64>,
    keys: &[KeySensitivity],
    split: VarianceSplit,
) -> Option<Caution> {
    let Some(edf) = edf else {
        // At least an intercept and a line per assumption, 10 replications each.
        let needed = round_up(REPLICATIONS_PER_DF * (1.0 + 2.0 * keys.len() as f64));
        return Some(Caution {
            replications: n,
            needed: needed.max(n + 10),
            reason: Reason::NoFit,
        });
    };
    let mut candidates = vec![(
        round_up((REPLICATIONS_PER_DF * edf).ceil()),
        Reason::DegreesOfFreedom { edf },
    )];
    let se = share_se(split.assumptions, n, (edf - 1.0).max(1.0));
    candidates.push((
        scaled(n, se, MAX_SHARE_SE),
        Reason::ShareError {
            key: None,
            share: split.assumptions,
            se,
        },
    ));
    if let Some(top) = keys.first() {
        let se = share_se(top.variance_share, n, 1.0);
        candidates.push((
            scaled(n, se, MAX_SHARE_SE),
            Reason::ShareError {
                key: Some(top.key.clone()),
                share: top.variance_share,
                se,
            },
        ));
    }
    worst(n, candidates)
}

/// Rule 3: `evppi` holds (key, value, standard error).
pub(crate) fn evppi(n: usize, evppi: &[(String, f64, f64)]) -> Option<Caution> {
    let (key, value, se) = evppi
        .iter()
        .filter(|e| e.1 > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    worst(
        n,
        vec![(
            scaled(n, *se, MAX_EVPPI_RELATIVE_SE * value),
            Reason::EvppiError {
                key: key.clone(),
                evppi: *value,
                se: *se,
            },
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_se_formula() {
        // R² = 0.5, n = 100, k = 1: 4·0.5·0.25·98² / (9999·103) = 0.004663…
        let se = share_se(0.5, 100, 1.0);
        assert!((se * se - 4.0 * 0.5 * 0.25 * 98.0 * 98.0 / (9999.0 * 103.0)).abs() < 1e-15);
        assert_eq!(share_se(0.0, 100, 1.0), 0.0);
        assert_eq!(share_se(1.0, 100, 1.0), 0.0);
    }

    #[test]
    fn needed_replications_scale_with_the_squared_error() {
        // se twice the target → four times the replications.
        assert_eq!(scaled(100, 0.1, 0.05), 400);
        assert_eq!(scaled(100, 0.05, 0.05), 100);
        assert_eq!(scaled(100, 0.051, 0.05), 110);
        assert_eq!(round_up(f64::INFINITY), 1_000_000_000);
    }

    #[test]
    fn evppi_rule() {
        let n = 100;
        // 40 ± 10: fine. 40 ± 30: needs 100 · (30 / 20)² = 225 → 230.
        assert!(evppi(n, &[("a".into(), 40.0, 10.0), ("b".into(), 5.0, 20.0)]).is_none());
        let c = evppi(n, &[("a".into(), 40.0, 30.0), ("b".into(), 5.0, 1.0)]).unwrap();
        assert_eq!(c.needed, 230);
        assert!(matches!(c.reason, Reason::EvppiError { ref key, .. } if key == "a"));
        // Nothing worth knowing: no caution.
        assert!(evppi(n, &[("a".into(), 0.0, 0.0)]).is_none());
        assert!(c.to_string().contains("run about 230"), "{c}");
    }
}
