//! The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): while alive a
//! customer buys as a Poisson process with rate λ ~ Gamma(r, α); the lifetime
//! is Exponential(μ) with μ ~ Gamma(s, β).
//!
//! Likelihood of (x, t_x, T) from Fader & Hardie (2005), "A note on deriving
//! the Pareto/NBD model and related expressions", eq. (22):
//! L = Γ(r+x) α^r β^s / Γ(r) · { 1/((α+T)^(r+x) (β+T)^s) + s/(r+s+x) · A₀ },
//! with, for α ≥ β,
//!   A₀ = ₂F₁(r+s+x, s+1; r+s+x+1; (α-β)/(α+t_x)) / (α+t_x)^(r+s+x)
//!      - ₂F₁(r+s+x, s+1; r+s+x+1; (α-β)/(α+T)) / (α+T)^(r+s+x),
//! and for α < β the same with ₂F₁(r+s+x, r+x; r+s+x+1; (β-α)/(β+t)) / (β+t)^(r+s+x).
//! The ordering keeps the argument in [0, 1).
//!
//! Numerically stable form used here: Euler's transformation
//! ₂F₁(a, b; c; z) = (1-z)^(c-a-b) ₂F₁(c-a, c-b; c; z) turns each term into
//! (α+t)^-(r+x) (β+t)^-s ₂F₁(1, r+x; r+s+x+1; z)          (α ≥ β),
//! (α+t)^-(r+x-1) (β+t)^-(s+1) ₂F₁(1, s+1; r+s+x+1; w)     (α < β),
//! where ₂F₁(1, ·; ·; z) lies in [1, 1/(1-z)] and never overflows; everything
//! else is summed in logs. A₀ is also s⁻¹(r+s+x)-scaled
//! ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ, which the tests use as an
//! independent check.
//!
//! E[X(t)] = rβ/(α(s-1)) · [1 - (β/(β+t))^(s-1)] (Schmittlein et al. 1987).

use super::{Prepared, Rfm};
use crate::stats::special::{hyp2f1_1bc, ln_gamma};
use rayon::prelude::*;

/// Parameter names in the order used everywhere (fit.json, vectors).
pub const NAMES: [&str; 4] = ["r", "alpha", "s", "beta"];

/// ln of one of the two terms of A₀ at time t (see the module notes).
#[inline]
fn ln_a0_term(r: f64, alpha: f64, s: f64, beta: f64, x: f64, t: f64) -> f64 {
    let c = r + s + x + 1.0;
    if alpha >= beta {
        let z = (alpha - beta) / (alpha + t);
        -(r + x) * (alpha + t).ln() - s * (beta + t).ln() + hyp2f1_1bc(r + x, c, z).ln()
    } else {
        let w = (beta - alpha) / (beta + t);
        -(r + x - 1.0) * (alpha + t).ln() - (s + 1.0) * (beta + t).ln()
            + hyp2f1_1bc(s + 1.0, c, w).ln()
    }
}

/// The summed log-likelihood of `data` at `[r, alpha, s, beta]` (all > 0).
pub fn log_likelihood(p: &[f64], data: &[Rfm]) -> f64 {
    log_likelihood_prepared(p, &Prepared::new(data))
}

/// [`log_likelihood`] on prepared data: the A₀ terms once per distinct
/// (x, t) pair, then a few exponentials per customer.
pub fn log_likelihood_prepared(p: &[f64], d: &Prepared) -> f64 {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let base = -ln_gamma(r) + r * alpha.ln() + s * beta.ln();
    let lead: Vec<f64> = d.xs.iter().map(|&x| base + ln_gamma(r + x)).collect();
    let term = |&(xi, ti): &(u32, u32)| {
        ln_a0_term(r, alpha, s, beta, d.xs[xi as usize], d.times[ti as usize])
    };
    let terms: Vec<f64> = if d.pairs.len() > super::CHUNK {
        d.pairs.par_iter().map(term).collect()
    } else {
        d.pairs.iter().map(term).collect()
    };
    d.sum_rows(|i| {
        let row = &d.rows[i];
        let x = row.x;
        let l1 = -(r + x) * (alpha + row.t).ln() - s * (beta + row.t).ln();
        let la = terms[d.row_pair_tx[i] as usize];
        let lb = terms[d.row_pair_t[i] as usize];
        let m = l1.max(la);
        let k = s / (r + s + x);
        // A₀ ≥ 0 in exact arithmetic; guard against a rounding-level negative.
        let diff = ((la - m).exp() - (lb - m).exp()).max(0.0);
        let inner = (l1 - m).exp() + k * diff;
        row.n * (lead[d.row_x[i] as usize] + m + inner.ln())
    })
}

/// Expected repeat transactions in (0, t] of a customer who made the first
/// purchase at 0, at `p = [r, alpha, s, beta]`
/// ([`crate::stats::closed_form::pnbd_expected_purchases`]).
pub fn expected(p: &[f64], t: f64) -> f64 {
    crate::stats::closed_form::pnbd_expected_purchases(p[0], p[1], p[2], p[3], t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::special::tanh_sinh;

    const CDNOW: [f64; 4] = [0.5533, 10.5776, 0.6061, 11.6690];
    const ALPHA_GT_BETA: [f64; 4] = [0.55, 12.0, 0.6, 3.0];

    /// mpmath 1.3.0 (dps 30) of FHL's eq. (22) with `mp.hyp2f1`, agreeing to
    /// 1e-29 with the integral form computed by `mp.quad` (tests/reference/pnbd.py).
    const REF: &[([f64; 4], f64, f64, f64, f64)] = &[
        (CDNOW, 0.0, 0.0, 38.86, -0.5212776185200185),
        (CDNOW, 2.0, 30.43, 38.86, -9.554129929083322),
        (CDNOW, 1.0, 1.71, 38.86, -4.449785863834461),
        (CDNOW, 10.0, 37.0, 38.0, -26.950021817198646),
        (CDNOW, 5.0, 10.0, 32.0, -14.549101266567869),
        (CDNOW, 40.0, 20.0, 39.0, -34.05969847928414),
        (ALPHA_GT_BETA, 0.0, 0.0, 38.86, -0.3023206641938179),
        (ALPHA_GT_BETA, 2.0, 30.43, 38.86, -10.223815237641375),
        (ALPHA_GT_BETA, 1.0, 1.71, 38.86, -4.32900851352441),
        (ALPHA_GT_BETA, 10.0, 37.0, 38.0, -27.88174626764173),
        (ALPHA_GT_BETA, 5.0, 10.0, 32.0, -14.977951125268532),
        (ALPHA_GT_BETA, 40.0, 20.0, 39.0, -36.12592895906217),
    ];

    #[test]
    fn likelihood_matches_mpmath_on_both_sides_of_alpha_beta() {
        for &(p, x, tx, t, want) in REF {
            let got = log_likelihood(
                &p,
                &[Rfm {
                    x,
                    t_x: tx,
                    t,
                    n: 1.0,
                }],
            );
            assert!((got - want).abs() < 1e-10, "{p:?} x={x}: {got} vs {want}");
        }
    }

    /// The likelihood by direct integration over the lifetime τ in (t_x, T),
    /// computed here with tanh-sinh quadrature: an independent path.
    fn by_integral(p: &[f64], d: &Rfm) -> f64 {
        let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
        let lead = ln_gamma(r + d.x) - ln_gamma(r) + r * alpha.ln();
        let alive = (lead - (r + d.x) * (alpha + d.t).ln() + s * (beta / (beta + d.t)).ln()).exp();
        let dead = if d.t > d.t_x {
            tanh_sinh(
                |tau| {
                    (lead - (r + d.x) * (alpha + tau).ln() + s.ln() + s * beta.ln()
                        - (s + 1.0) * (beta + tau).ln())
                    .exp()
                },
                d.t_x,
                d.t,
            )
        } else {
            0.0
        };
        (alive + dead).ln()
    }

    #[test]
    fn likelihood_matches_integral_form_in_extreme_corners() {
        for p in [
            [0.5533, 10.5776, 0.6061, 11.6690],
            [0.01, 0.001, 5.0, 1000.0],
            [20.0, 1000.0, 0.01, 0.01],
            [1.0, 1.0, 1.0, 1.0],
            [0.3, 1e-3, 0.2, 1e4],
        ] {
            for &(x, tx, t) in &[
                (0.0, 0.0, 5.0),
                (3.0, 0.5, 30.0),
                (200.0, 29.0, 30.0),
                (1.0, 1e-3, 1e3),
            ] {
                let d = Rfm {
                    x,
                    t_x: tx,
                    t,
                    n: 1.0,
                };
                let got = log_likelihood(&p, &[d]);
                let want = by_integral(&p, &d);
                assert!(got.is_finite());
                assert!(
                    (got - want).abs() < 1e-8 * want.abs().max(1.0),
                    "{p:?} {d:?}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn expected_matches_mpmath_and_is_continuous_at_s_1() {
        // mpmath (dps 30): r β/(α(s-1)) (1 - (β/(β+39))^(s-1)) at CDNOW = 1.2136091396467708.
        assert!((expected(&CDNOW, 39.0) - 1.2136091396467708).abs() < 1e-12);
        let a = expected(&[0.5, 10.0, 1.0, 12.0], 50.0);
        let b = expected(&[0.5, 10.0, 1.0 + 1e-7, 12.0], 50.0);
        assert!((a - 0.5 * 12.0 / 10.0 * (1.0f64 + 50.0 / 12.0).ln()).abs() < 1e-12);
        assert!((a - b).abs() < 1e-6);
    }
}
