//! Which assumption moves a program's extra profit, by how much, and where it
//! flips sign.
//!
//! For one program, d[r] = profit of the program − profit of the control in
//! replication r. For each assumption θ, the smoother of [`super::spline`]
//! estimates the curve E[d | θ] ("others as drawn": averaged over whatever
//! the other assumptions and chance did in the replications).
//!
//! - `variance_share`: Var(E[d | θ]) / Var(d), the first-order sensitivity
//!   index (Saltelli et al. 2008, "Global Sensitivity Analysis: The Primer",
//!   ch. 4), estimated as the adjusted R² of the curve,
//!   1 − [RSS / (R − edf)] / [TSS / (R − 1)], clamped to [0, 1]. The
//!   adjustment matters: a curve fitted to an assumption that does nothing
//!   still explains about edf / R of the variance by following the noise.
//! - `profit_at_p05`, `profit_at_p95`: the curve at the 5th and 95th
//!   percentiles of the assumption's distribution.
//! - `break_even`: where the curve crosses zero between those percentiles
//!   (the "documented range"), or None. Found by evaluating the curve at 257
//!   evenly spaced points, then bisecting the bracket of a sign change to
//!   full precision. If the curve crosses more than once, the crossing
//!   nearest the median of the drawn values is reported; a curve that only
//!   touches zero does not cross.
//!
//! `variance_split`: the shares of Var(d) due to the assumptions together
//! and to chance. The assumptions' share is the adjusted R² of the additive
//! model of [`super::additive`]; chance is the rest. It misses interactions
//! between assumptions (counting them as chance), so the assumptions' share
//! is a lower bound when they interact.

use super::Assumption;
use super::additive;
use super::spline::{Fit, Smoother};
use super::trust::{self, Caution};
use serde::Serialize;

/// How one assumption moves one program's extra profit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeySensitivity {
    pub key: String,
    /// Share of the variance of the extra profit explained by this
    /// assumption alone, in [0, 1].
    pub variance_share: f64,
    /// Expected extra profit with the assumption at its 5th percentile.
    pub profit_at_p05: f64,
    /// Expected extra profit with the assumption at its 95th percentile.
    pub profit_at_p95: f64,
    /// The value of the assumption at which the expected extra profit
    /// crosses zero between its 5th and 95th percentiles; None if it does not.
    pub break_even: Option<f64>,
    /// With a break-even: true if the program pays above it, false if below.
    pub pays_above: Option<bool>,
}

/// Shares of the variance of a program's extra profit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VarianceSplit {
    pub chance: f64,
    pub assumptions: f64,
}

/// The sensitivity figures of one program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// One entry per assumption, largest `variance_share` first (input order on ties).
    pub sensitivity: Vec<KeySensitivity>,
    pub variance_split: VarianceSplit,
    /// Set when there are too few replications for these figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

/// Points at which the curve is evaluated to find sign changes.
const SCAN_POINTS: usize = 257;

/// Total sum of squares about the mean.
pub(crate) fn tss(d: &[f64]) -> f64 {
    let m = d.iter().sum::<f64>() / d.len() as f64;
    d.iter().map(|v| (v - m).powi(2)).sum()
}

/// Adjusted R², clamped to [0, 1]; 0 when there is no variance or no
/// residual degrees of freedom.
pub(crate) fn adjusted_share(rss: f64, edf: f64, tss: f64, n: usize) -> f64 {
    let n = n as f64;
    if tss.is_nan() || tss <= 0.0 || n - edf <= 0.0 {
        return 0.0;
    }
    (1.0 - (rss / (n - edf)) / (tss / (n - 1.0))).clamp(0.0, 1.0)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// The crossing of zero by `curve` on [lo, hi] nearest `centre`, and whether
/// the curve is positive above it.
fn break_even(curve: impl Fn(f64) -> f64, lo: f64, hi: f64, centre: f64) -> Option<(f64, bool)> {
    if lo.is_nan() || hi.is_nan() || lo >= hi {
        return None;
    }
    let xs: Vec<f64> = (0..SCAN_POINTS)
        .map(|i| lo + (hi - lo) * i as f64 / (SCAN_POINTS - 1) as f64)
        .collect();
    let ys: Vec<f64> = xs.iter().map(|&x| curve(x)).collect();
    // Brackets between consecutive non-zero values of opposite sign (zeros
    // in between are skipped, so an exact zero on a grid point still counts
    // if the sign changes across it).
    let mut brackets = Vec::new();
    let mut last: Option<usize> = None;
    for i in 0..xs.len() {
        if ys[i] == 0.0 {
            continue;
        }
        if let Some(j) = last
            && (ys[j] < 0.0) != (ys[i] < 0.0)
        {
            brackets.push((j, i));
        }
        last = Some(i);
    }
    let &(j, i) = brackets.iter().min_by(|a, b| {
        let da = ((xs[a.0] + xs[a.1]) / 2.0 - centre).abs();
        let db = ((xs[b.0] + xs[b.1]) / 2.0 - centre).abs();
        da.total_cmp(&db)
    })?;
    let rising = ys[i] > 0.0;
    let (mut a, mut b) = (xs[j], xs[i]);
    loop {
        let m = a + (b - a) / 2.0;
        if m <= a || m >= b {
            break;
        }
        let v = curve(m);
        if v == 0.0 {
            return Some((m, rising));
        }
        if (v > 0.0) == rising {
            b = m;
        } else {
            a = m;
        }
    }
    Some((a + (b - a) / 2.0, rising))
}

/// One assumption's figures from its fitted curve (or from nothing, when it
/// does not vary: its share is 0 and the curve is flat at the mean).
pub(crate) fn key_sensitivity(
    a: &Assumption<'_>,
    fitted: Option<(&Smoother, &Fit)>,
    d: &[f64],
    tss: f64,
) -> KeySensitivity {
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    let Some((sm, fit)) = fitted else {
        return KeySensitivity {
            key: a.key.to_string(),
            variance_share: 0.0,
            profit_at_p05: mean,
            profit_at_p95: mean,
            break_even: None,
            pays_above: None,
        };
    };
    let curve = |x: f64| sm.value(&fit.beta, x);
    let crossing = break_even(curve, a.p05, a.p95, median(a.draws));
    KeySensitivity {
        key: a.key.to_string(),
        variance_share: adjusted_share(fit.rss, fit.edf, tss, d.len()),
        profit_at_p05: curve(a.p05),
        profit_at_p95: curve(a.p95),
        break_even: crossing.map(|c| c.0),
        pays_above: crossing.map(|c| c.1),
    }
}

/// Sorts largest share first, keeping input order on ties.
pub(crate) fn sort_by_share(keys: &mut [KeySensitivity]) {
    keys.sort_by(|a, b| b.variance_share.total_cmp(&a.variance_share));
}

/// The chance/assumptions split and the additive fit's degrees of freedom
/// (None when the additive model could not be fitted).
pub(crate) fn variance_split(
    smoothers: &[&Smoother],
    d: &[f64],
    tss: f64,
) -> (VarianceSplit, Option<f64>) {
    let no_variance = VarianceSplit {
        chance: 1.0,
        assumptions: 0.0,
    };
    if tss.is_nan() || tss <= 0.0 || smoothers.is_empty() {
        return (no_variance, Some(1.0));
    }
    match additive::fit(smoothers, d) {
        Some(fit) => {
            let assumptions = adjusted_share(fit.rss, fit.edf, tss, d.len());
            (
                VarianceSplit {
                    chance: 1.0 - assumptions,
                    assumptions,
                },
                Some(fit.edf),
            )
        }
        None => (no_variance, None),
    }
}

/// The sensitivity figures of one program: `extra_profit[r]` is its profit
/// minus the control's in replication r, and each assumption's `draws[r]`
/// the value drawn in that replication.
pub fn sensitivity(assumptions: &[Assumption<'_>], extra_profit: &[f64]) -> Sensitivity {
    let n = extra_profit.len();
    for a in assumptions {
        assert_eq!(a.draws.len(), n, "`{}`: one draw per replication", a.key);
    }
    let smoothers: Vec<Option<Smoother>> =
        assumptions.iter().map(|a| Smoother::new(a.draws)).collect();
    let fits: Vec<Option<Fit>> = smoothers
        .iter()
        .map(|s| s.as_ref().and_then(|s| s.fit(extra_profit)))
        .collect();
    from_fits(assumptions, &smoothers, &fits, extra_profit)
}

/// [`sensitivity`] from curves already fitted (shared with the EVPPI).
pub(crate) fn from_fits(
    assumptions: &[Assumption<'_>],
    smoothers: &[Option<Smoother>],
    fits: &[Option<Fit>],
    d: &[f64],
) -> Sensitivity {
    let tss = tss(d);
    let mut keys: Vec<KeySensitivity> = assumptions
        .iter()
        .zip(smoothers.iter().zip(fits))
        .map(|(a, (s, f))| {
            let fitted = s.as_ref().zip(f.as_ref());
            key_sensitivity(a, fitted, d, tss)
        })
        .collect();
    sort_by_share(&mut keys);
    let varying: Vec<&Smoother> = smoothers.iter().flatten().collect();
    let (variance_split, edf) = variance_split(&varying, d, tss);
    let caution = trust::sensitivity(d.len(), edf, &keys, variance_split);
    Sensitivity {
        sensitivity: keys,
        variance_split,
        caution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn break_even_of_known_curves() {
        let (x, up) = break_even(|x| 3.0 * x - 1.0, 0.0, 1.0, 0.5).unwrap();
        assert!((x - 1.0 / 3.0).abs() < 1e-15 && up);
        let (x, up) = break_even(|x| 0.25 - x * x, 0.0, 1.0, 0.5).unwrap();
        assert!((x - 0.5).abs() < 1e-15 && !up);
        // Two crossings (0.2 and 0.8): the one nearer the centre.
        let c = |x: f64| (x - 0.2) * (x - 0.8);
        assert!((break_even(c, 0.0, 1.0, 0.3).unwrap().0 - 0.2).abs() < 1e-14);
        assert!((break_even(c, 0.0, 1.0, 0.7).unwrap().0 - 0.8).abs() < 1e-14);
        // Touching without crossing, never reaching, flat zero, empty range.
        assert!(break_even(|x| (x - 0.5).powi(2), 0.0, 1.0, 0.5).is_none());
        assert!(break_even(|x| 1.0 + x, 0.0, 1.0, 0.5).is_none());
        assert!(break_even(|_| 0.0, 0.0, 1.0, 0.5).is_none());
        assert!(break_even(|x| x - 0.5, 1.0, 1.0, 0.5).is_none());
        // A crossing exactly on a grid point.
        assert_eq!(break_even(|x| x - 0.5, 0.0, 1.0, 0.5).unwrap().0, 0.5);
    }

    #[test]
    fn adjusted_share_by_hand() {
        // n = 11, TSS = 10, RSS = 4 with 3 df: 1 − (4/8)/(10/10) = 0.5.
        assert!((adjusted_share(4.0, 3.0, 10.0, 11) - 0.5).abs() < 1e-15);
        assert_eq!(adjusted_share(9.9, 3.0, 10.0, 11), 0.0);
        assert_eq!(adjusted_share(1.0, 11.0, 10.0, 11), 0.0);
        assert_eq!(adjusted_share(0.0, 2.0, 0.0, 11), 0.0);
    }
}
