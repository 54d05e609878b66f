//! Distribution functions the behavioural response needs at run time: the
//! regularized incomplete gamma and beta functions, the normal CDF, and the
//! Poisson tail built on them. Everything goes through `libm`, so a member's
//! response has the same bits on every platform (shards on different hosts
//! merge byte for byte).
//!
//! Sources: Press et al., Numerical Recipes 3rd ed., 6.2 (incomplete gamma
//! by series and continued fraction) and 6.4 (incomplete beta by continued
//! fraction, modified Lentz); Abramowitz & Stegun 26.2.2 (normal CDF via erfc).

use crate::math::special::{ln_beta, ln_gamma};
use std::sync::LazyLock;

const EPS: f64 = 1e-15;
const TINY: f64 = 1e-300;
const MAX_ITER: usize = 10_000;

/// P(a, x) = γ(a, x) / Γ(a), the regularized lower incomplete gamma
/// function, for a > 0 and x ≥ 0: the CDF of Gamma(shape a, rate 1) at x.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    gamma_p_given(a, x, ln_gamma)
}

/// [`gamma_p`] with ln Γ(a) from `ln_gamma_of` (a table's copy of it).
#[inline]
fn gamma_p_given(a: f64, x: f64, ln_gamma_of: impl Fn(f64) -> f64) -> f64 {
    if x <= 0.0 || a.is_nan() {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    let lg = ln_gamma_of(a);
    if x < a + 1.0 {
        gamma_series(a, x, lg)
    } else {
        1.0 - gamma_cf(a, x, lg)
    }
}

/// Q(a, x) = 1 − P(a, x), computed without cancellation.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    let lg = ln_gamma(a);
    if x < a + 1.0 {
        1.0 - gamma_series(a, x, lg)
    } else {
        gamma_cf(a, x, lg)
    }
}

/// The series for P(a, x), given `lg` = ln Γ(a).
fn gamma_series(a: f64, x: f64, lg: f64) -> f64 {
    let mut ap = a;
    let mut del = 1.0 / a;
    let mut sum = del;
    for _ in 0..MAX_ITER {
        ap += 1.0;
        del *= x / ap;
        sum += del;
        if del.abs() < sum.abs() * EPS {
            break;
        }
    }
    (sum * libm::exp(-x + a * libm::log(x) - lg)).min(1.0)
}

/// The continued fraction for Q(a, x), given `lg` = ln Γ(a).
fn gamma_cf(a: f64, x: f64, lg: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_ITER {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        let del = lentz_step(an, b, &mut c, &mut d);
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    (libm::exp(-x + a * libm::log(x) - lg) * h).clamp(0.0, 1.0)
}

/// I_x(a, b), the regularized incomplete beta function (the Beta(a, b) CDF).
pub fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = libm::exp(a * libm::log(x) + b * libm::log1p(-x) - ln_beta(a, b));
    if x < (a + 1.0) / (a + b + 2.0) {
        (front * beta_cf(a, b, x) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - front * beta_cf(b, a, 1.0 - x) / b).clamp(0.0, 1.0)
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        h *= lentz_step(aa, 1.0, &mut c, &mut d);
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        let del = lentz_step(aa, 1.0, &mut c, &mut d);
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// One step of the modified Lentz method for a continued fraction with
/// partial numerator `a` and denominator `b`: updates C and D (kept away
/// from zero) and returns the factor C·D the fraction's value is multiplied by.
#[inline]
fn lentz_step(a: f64, b: f64, c: &mut f64, d: &mut f64) -> f64 {
    *d = a * *d + b;
    if d.abs() < TINY {
        *d = TINY;
    }
    *c = b + a / *c;
    if c.abs() < TINY {
        *c = TINY;
    }
    *d = 1.0 / *d;
    *d * *c
}

/// Φ(z), the standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// P(N ≥ n) for N ~ Poisson(mean): the chance of at least `n` events.
pub fn poisson_at_least(n: f64, mean: f64) -> f64 {
    if n <= 0.0 {
        return 1.0;
    }
    if mean <= 0.0 {
        return 0.0;
    }
    // P(N ≥ n) = P(Gamma(n, 1) ≤ mean) for whole n.
    gamma_p_given(n, mean, ln_gamma_whole)
}

/// ln Γ(n) of whole n, from a table for the small ones: a program's
/// members each ask for the chance of the same number of purchases (their
/// own rate and window vary), and `lgamma` costs about as much again as
/// the rest of that chance.
fn ln_gamma_whole(n: f64) -> f64 {
    static TABLE: LazyLock<[f64; WHOLE_TABLE]> =
        LazyLock::new(|| std::array::from_fn(|k| ln_gamma((k + 1) as f64)));
    if (1.0..=WHOLE_TABLE as f64).contains(&n) {
        // Whole exactly when the cast (a truncation here) keeps it.
        let k = n as usize;
        if k as f64 == n {
            return TABLE[k - 1];
        }
    }
    ln_gamma(n)
}

/// Whole numbers whose ln Γ is in [`ln_gamma_whole`]'s table.
const WHOLE_TABLE: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    #[test]
    fn the_poisson_tail_is_gamma_p_bit_for_bit() {
        for n in [1.0, 2.0, 15.0, 256.0, 257.0, 1e4] {
            for mean in [0.0, 1e-3, 0.7, 14.0, 15.5, 300.0, f64::INFINITY] {
                let want = gamma_p(n, mean);
                assert_eq!(
                    poisson_at_least(n, mean).to_bits(),
                    want.to_bits(),
                    "{n} {mean}"
                );
            }
        }
        assert_eq!(ln_gamma_whole(2.5).to_bits(), ln_gamma(2.5).to_bits());
    }

    #[test]
    fn incomplete_gamma_against_closed_forms() {
        // Shape 1 is the exponential: P(1, x) = 1 − e^{−x}.
        for x in [0.01, 0.5, 1.0, 3.0, 20.0] {
            close(gamma_p(1.0, x), 1.0 - (-x).exp(), 1e-14);
        }
        // Shape 2: P(2, x) = 1 − e^{−x}(1 + x).
        for x in [0.1, 2.0, 7.5] {
            close(gamma_p(2.0, x), 1.0 - (-x).exp() * (1.0 + x), 1e-14);
        }
        // Shape 1/2: P(1/2, x) = erf(√x).
        for x in [0.2, 1.0, 4.0] {
            close(gamma_p(0.5, x), libm::erf(x.sqrt()), 1e-13);
        }
        close(gamma_p(3.0, 0.0), 0.0, 0.0);
        close(gamma_q(5.0, 2.0) + gamma_p(5.0, 2.0), 1.0, 1e-15);
    }

    #[test]
    fn incomplete_beta_against_closed_forms() {
        // I_x(1, b) = 1 − (1 − x)^b; I_x(a, 1) = x^a.
        for x in [0.05, 0.3, 0.9] {
            close(beta_i(1.0, 3.0, x), 1.0 - (1.0 - x).powi(3), 1e-14);
            close(beta_i(2.5, 1.0, x), x.powf(2.5), 1e-14);
        }
        // Symmetry: I_x(a, b) = 1 − I_{1−x}(b, a).
        close(beta_i(0.8, 2.4, 0.3), 1.0 - beta_i(2.4, 0.8, 0.7), 1e-14);
    }

    #[test]
    fn normal_and_poisson_tails() {
        close(normal_cdf(0.0), 0.5, 1e-16);
        close(normal_cdf(1.959963984540054), 0.975, 1e-12);
        // P(N ≥ 2 | mean 1) = 1 − e^{−1}(1 + 1).
        close(
            poisson_at_least(2.0, 1.0),
            1.0 - 2.0 * (-1.0f64).exp(),
            1e-14,
        );
        close(poisson_at_least(0.0, 3.0), 1.0, 0.0);
        close(poisson_at_least(1.0, 0.0), 0.0, 0.0);
        // A sum of terms for n = 10, mean 4.
        let mut below = 0.0;
        let mut term = (-4.0f64).exp();
        for k in 0..10 {
            below += term;
            term *= 4.0 / (k as f64 + 1.0);
        }
        close(poisson_at_least(10.0, 4.0), 1.0 - below, 1e-13);
    }
}
