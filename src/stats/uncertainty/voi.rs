//! The value of information: what it would be worth, in currency, to know
//! an assumption (or everything) before choosing a program.
//!
//! Per replication r the arms (arm 0 the no-program control, then the
//! programs) have profits nb[r][a]. Choosing now, one takes the arm with the
//! best mean profit; knowing everything first, one would take each
//! replication's best arm:
//!
//! EVPI = mean_r max_a nb[r][a] − max_a mean_r nb[r][a].
//!
//! Knowing one assumption θ before choosing, one would take the arm with the
//! best expected profit given θ, g_a(θ) = E[nb_a − nb_0 | θ]:
//!
//! EVPPI(θ) = mean_r max_a g_a(θ_r) − max_a mean_r g_a(θ_r),  g_0 ≡ 0,
//!
//! with g_a estimated by the smoother of [`super::spline`] (Strong, Oakley &
//! Brennan 2014, "Estimating multiparameter partial expected value of perfect
//! information from a probabilistic sensitivity analysis sample: a
//! nonparametric regression approach", Medical Decision Making 34(3)).
//! Regressing each program's profit minus the control's, rather than each
//! arm's profit, removes the noise the arms share (common random numbers)
//! and needs one regression fewer, as in the R package voi.
//!
//! Both are computed as a mean of non-negative terms, mean_r (max_a v[r][a] −
//! v[r][â]) with â the arm of best mean, so they are never negative and are
//! exactly 0 when â is best in every replication.
//!
//! Error of an EVPPI: the regression's part by drawing the curves'
//! coefficients from their posterior 500 times and recomputing (Strong et
//! al.'s method, as in voi's `se = TRUE`), the standard deviation of those
//! values; plus the Monte Carlo part of averaging over the R drawn values of
//! θ, sd_r(term_r)/√R; the two added in quadrature.
//!
//! EVPPI ≤ EVPI holds for the true values, but noise makes a fitted curve
//! wiggle, and every wiggle raises mean_r max_a g_a: the estimate is biased
//! upwards. It is therefore clamped to [0, EVPI], and the error says how far
//! to trust it.
//!
//! EVPI here includes chance: a replication's profits carry the simulation's
//! own randomness besides the drawn assumptions, and "knowing everything"
//! includes knowing that. It is the upper bound of what any information can
//! be worth, not the value of knowing all assumptions (which is lower).

use super::spline::{Fit, Smoother};
use crate::model::rng::Stream;
use serde::Serialize;

/// Posterior draws behind an EVPPI's error (voi's default B).
pub(crate) const DRAWS: usize = 500;

/// One key's EVPPI and its standard error, in the profit's currency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Evppi {
    pub evppi: f64,
    pub se: f64,
}

/// EVPI of profits `nb[r][a]` (replication r, arm a; arm 0 the control).
/// 0 for fewer than two arms or no replications.
pub fn evpi(nb: &[Vec<f64>]) -> f64 {
    if nb.is_empty() || nb[0].len() < 2 {
        return 0.0;
    }
    value_of_choosing_later(nb.iter().map(|row| row.as_slice()))
}

/// mean_r (max_a v[r][a] − v[r][â]), â the arm with the best mean (the
/// first such on ties).
fn value_of_choosing_later<'a>(rows: impl Iterator<Item = &'a [f64]> + Clone) -> f64 {
    let mut n = 0usize;
    let mut sums: Vec<f64> = Vec::new();
    for row in rows.clone() {
        if sums.is_empty() {
            sums = vec![0.0; row.len()];
        }
        sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let best = argmax(&sums);
    let total: f64 = rows
        .map(|row| row.iter().copied().fold(f64::NEG_INFINITY, f64::max) - row[best])
        .sum();
    (total / n as f64).max(0.0)
}

fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if *x > v[best] {
            best = i;
        }
    }
    best
}

/// The per-replication terms max_a g[r][a] − g[r][â] of an EVPPI, g[r][0] = 0
/// and g[r][a] the fitted extra profit of program a.
fn evppi_terms(curves: &[Vec<f64>], n: usize) -> Vec<f64> {
    let mut means = vec![0.0; curves.len() + 1];
    for (a, c) in curves.iter().enumerate() {
        means[a + 1] = c.iter().sum::<f64>() / n as f64;
    }
    let best = argmax(&means);
    (0..n)
        .map(|r| {
            let top = curves.iter().map(|c| c[r]).fold(0.0, f64::max);
            let chosen = if best == 0 { 0.0 } else { curves[best - 1][r] };
            top - chosen
        })
        .collect()
}

fn mean_and_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, var.sqrt())
}

/// The stream for one key's posterior draws: keyed by the key's drawn
/// values, so that the error of a key does not depend on which other keys
/// are analysed or in what order.
fn draws_stream(theta: &[f64]) -> Stream {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in theta {
        h = (h ^ x.to_bits()).wrapping_mul(0x0000_0100_0000_01b3);
    }
    Stream::for_analysis(h)
}

/// EVPPI from the fitted curves of every program (`fits[a]` for program a + 1)
/// on one smoother, clamped to [0, `evpi`].
pub(crate) fn evppi_from_fits(sm: &Smoother, fits: &[Fit], theta: &[f64], evpi: f64) -> Evppi {
    let n = sm.n();
    let curves: Vec<Vec<f64>> = fits.iter().map(|f| sm.fitted(&f.beta)).collect();
    let terms = evppi_terms(&curves, n);
    let (value, sd_terms) = mean_and_sd(&terms);
    let mut rng = draws_stream(theta);
    let replicates: Vec<f64> = (0..DRAWS)
        .map(|_| {
            let drawn: Vec<Vec<f64>> = fits
                .iter()
                .map(|f| sm.fitted(&sm.draw(f, &mut rng)))
                .collect();
            evppi_terms(&drawn, n).iter().sum::<f64>() / n as f64
        })
        .collect();
    let (_, sd_fit) = mean_and_sd(&replicates);
    let sd_mc = sd_terms / (n as f64).sqrt();
    Evppi {
        evppi: value.clamp(0.0, evpi),
        se: (sd_fit * sd_fit + sd_mc * sd_mc).sqrt(),
    }
}

/// The extra profit of each program over the control, one vector per program.
pub(crate) fn extra_profits(nb: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let arms = nb.first().map_or(0, Vec::len);
    (1..arms)
        .map(|a| nb.iter().map(|row| row[a] - row[0]).collect())
        .collect()
}

/// EVPPI of one assumption: `theta[r]` its value in replication r, `nb[r][a]`
/// the profit of arm a (arm 0 the control). Zero with error 0 when the
/// assumption does not vary, when there is only the control, or with fewer
/// than 5 replications.
pub fn evppi(theta: &[f64], nb: &[Vec<f64>]) -> Evppi {
    assert_eq!(
        theta.len(),
        nb.len(),
        "one value of the key per replication"
    );
    let zero = Evppi {
        evppi: 0.0,
        se: 0.0,
    };
    let Some(sm) = Smoother::new(theta) else {
        return zero;
    };
    let fits: Option<Vec<Fit>> = extra_profits(nb).iter().map(|d| sm.fit(d)).collect();
    match fits {
        Some(fits) if !fits.is_empty() => evppi_from_fits(&sm, &fits, theta, evpi(nb)),
        _ => zero,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evpi_by_hand() {
        // Arms (control, A, B) over three replications: best per row 3, 5, 4
        // → mean 4; best mean arm is A (mean 3) → EVPI = 1.
        let nb = vec![
            vec![0.0, 3.0, 1.0],
            vec![0.0, 5.0, 2.0],
            vec![1.0, 1.0, 4.0],
        ];
        assert!((evpi(&nb) - 1.0).abs() < 1e-15);
        // One arm best everywhere: exactly zero, whatever the sizes.
        let nb = vec![vec![1e6, 1e6 + 0.1], vec![-3e5, -2e5], vec![7.0, 7.5]];
        assert_eq!(evpi(&nb), 0.0);
        assert_eq!(evpi(&[vec![5.0], vec![6.0]]), 0.0);
        assert_eq!(evpi(&[]), 0.0);
    }
}
