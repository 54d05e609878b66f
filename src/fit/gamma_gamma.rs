//! The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using
//! iso-value curves for customer base analysis", J. Marketing Research 42(4),
//! section "Adding monetary value"; Colombo & Jiang 1999): each transaction
//! value of a customer is Gamma(p, ν), ν ~ Gamma(q, γ) across customers, and
//! the customer's mean z̄ of x transactions has density
//!
//! f(z̄ | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q z̄^(px-1) x^(px) / (γ + x z̄)^(px+q).
//!
//! The mean transaction value in the population is pγ/(q-1) (q > 1).

use crate::stats::special::ln_gamma;

/// Parameter names in the order used everywhere (fit.json, vectors).
pub const NAMES: [&str; 3] = ["p", "q", "gamma"];

/// Summed log-likelihood of (x, z̄) pairs (x ≥ 1, z̄ > 0) at `[p, q, gamma]`.
pub fn log_likelihood(par: &[f64], data: &[(f64, f64)]) -> f64 {
    log_likelihood_prepared(par, &SpendData::new(data))
}

/// Customers grouped by x, with Σ ln z̄ per group: per evaluation the
/// log-gamma terms are computed once per distinct x and only
/// ln(γ + x z̄) once per customer.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendData {
    /// (x, number of customers, Σ ln z̄, range into `means`).
    groups: Vec<(f64, f64, f64, std::ops::Range<usize>)>,
    means: Vec<f64>,
}

impl SpendData {
    pub fn new(data: &[(f64, f64)]) -> SpendData {
        let mut v = data.to_vec();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut groups = Vec::new();
        let mut i = 0;
        while i < v.len() {
            let x = v[i].0;
            let j = i + v[i..].iter().take_while(|d| d.0 == x).count();
            let sum_ln: f64 = v[i..j].iter().map(|d| d.1.ln()).sum();
            groups.push((x, (j - i) as f64, sum_ln, i..j));
            i = j;
        }
        SpendData {
            groups,
            means: v.into_iter().map(|d| d.1).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.means.len()
    }

    pub fn is_empty(&self) -> bool {
        self.means.is_empty()
    }
}

/// [`log_likelihood`] on grouped data.
pub fn log_likelihood_prepared(par: &[f64], d: &SpendData) -> f64 {
    let (p, q, g) = (par[0], par[1], par[2]);
    let base = -ln_gamma(q) + q * g.ln();
    d.groups
        .iter()
        .map(|(x, n, sum_ln_m, range)| {
            let px = p * x;
            let tail: f64 = d.means[range.clone()]
                .iter()
                .map(|&m| (x * m + g).ln())
                .sum();
            n * (base + ln_gamma(px + q) - ln_gamma(px) + px * x.ln()) + (px - 1.0) * sum_ln_m
                - (px + q) * tail
        })
        .sum()
}

/// E[Z | x, z̄]: the expected value of a customer's next transaction given
/// their history, FHL 2005 eq. (5), a weighted mean of the population mean
/// and the customer's own mean.
pub fn conditional_mean(par: &[f64], x: f64, m: f64) -> f64 {
    let (p, q, g) = (par[0], par[1], par[2]);
    (g + m * x) * p / (p * x + q - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mpmath 1.3.0 (dps 30) by numerical integration over ν ~ Gamma(q, γ) of
    /// the Gamma(px, xν) density of z̄ (tests/reference/gamma_gamma.py).
    #[test]
    fn likelihood_matches_integral_over_nu() {
        let par = [6.25, 3.74, 15.44];
        for &(x, m, want) in &[
            (1.0, 30.0, -3.94853564565473),
            (5.0, 12.5, -3.92314103856509),
            (20.0, 200.0, -9.954278069856123),
        ] {
            let got = log_likelihood(&par, &[(x, m)]);
            assert!((got - want).abs() < 1e-9, "x={x} m={m}: {got} vs {want}");
        }
    }

    #[test]
    fn conditional_mean_is_between_population_and_own_mean() {
        let par = [6.25, 3.74, 15.44];
        let pop = 6.25 * 15.44 / 2.74;
        let c = conditional_mean(&par, 3.0, 100.0);
        assert!(c > pop && c < 100.0);
    }
}
