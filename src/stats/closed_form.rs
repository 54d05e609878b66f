//! Closed forms of the published customer-base models, for validation: a
//! simulation with the matching assumptions must reproduce these expected
//! values to within sampling error (docs/model.md sections 1 and 2).
//!
//! - BG/NBD expected purchases: Fader, Hardie & Lee (2005), "Counting your
//!   customers the easy way", Marketing Science 24(2) (the expression for
//!   E[X(t)], written out below).
//! - Pareto/NBD expected purchases: Schmittlein, Morrison & Colombo (1987),
//!   Management Science 33(1); the form in Fader, Hardie & Lee (2005).
//! - Bass (1969) diffusion, "A new product growth for model consumer durables",
//!   Management Science 15(5): cumulative adoption F(t).
//! - Gamma-Gamma mean spend: Fader, Hardie & Lee (2005), "RFM and CLV",
//!   J. Marketing Research 42(4).
//! - ₂F₁ and ln Γ come from [`super::special`], shared with `fit`.

use super::special::{hyp2f1, ln_beta, tanh_sinh};

/// BG/NBD expected number of purchases in (0, t] for a new customer
/// (Fader, Hardie & Lee 2005), with purchase rate λ ~ Gamma(r, rate α)
/// and dropout probability p ~ Beta(a, b):
/// E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))].
///
/// This is the one BG/NBD E[X(t)] in the crate (`fit::bgnbd::expected` calls
/// it). Within 1e-3 of a = 1, when a + b ≤ 1 (₂F₁'s c ≤ 0), or if ₂F₁ gives
/// up, [`bgnbd_expected_by_integral`] is used instead.
pub fn bgnbd_expected_purchases(r: f64, alpha: f64, a: f64, b: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    // Near a = 1 the formula is 0/0: the bracket is ~(a−1)·E/(a+b−1), so the
    // relative error of 1 − (α/(α+t))^r ₂F₁ (rounding, and ₂F₁'s own) is
    // amplified by about (a+b−1)/(|a−1|·E): ~10³ at |a−1| = 1e-3 for the
    // CDNOW estimates. The integral has no such cancellation and is smooth
    // through a = 1, so it takes over there. It replaced a symmetric average
    // of the formula at a = 1 ± 1e-4 (used within 1e-7 of 1), which added an
    // O(1e-8) truncation error on top of a ~10⁴ amplification, and left the
    // formula in use for 1e-7 < |a−1| < 1e-4, where the amplification reaches
    // ~10⁷. The integral costs a few thousand integrand evaluations.
    // ₂F₁ returns None when c = a + b − 1 is 0, −1, −2, …; other c < 0 are fine.
    if (a - 1.0).abs() > 1e-3 {
        let z = t / (alpha + t);
        if let Some(f) = hyp2f1(r, b, a + b - 1.0, z) {
            let v = (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)).powf(r) * f);
            if v.is_finite() && v >= 0.0 {
                return v;
            }
        }
    }
    bgnbd_expected_by_integral(r, alpha, a, b, t)
}

/// BG/NBD E[X(t)] as the integral over the dropout probability
/// p ~ Beta(a, b): given λ and p, E[X(t)] = (1 − e^(−λpt))/p (FHL 2005,
/// derivation of the closed form), and averaging over λ ~ Gamma(r, rate α),
/// E[X(t)] = ∫₀¹ (1 − (α/(α+pt))^r)/p · Beta(p; a, b) dp,
/// by tanh-sinh quadrature. The integrand behaves like p^(a−2)·p at 0 and
/// like (1 − p)^(b−1) at 1, so the upper half is integrated in y = 1 − p:
/// near p = 1 the distance to 1 would otherwise be lost to rounding, which
/// cuts off the peak of a small b.
pub fn bgnbd_expected_by_integral(r: f64, alpha: f64, a: f64, b: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let lb = ln_beta(a, b);
    // The integrand at p, given ln p and ln(1 − p) computed without cancellation.
    let f = |p: f64, ln_p: f64, ln_q: f64| {
        let g = -(-r * (p * t / alpha).ln_1p()).exp_m1();
        g * ((a - 2.0) * ln_p + (b - 1.0) * ln_q - lb).exp()
    };
    let lower = tanh_sinh(|p| f(p, p.ln(), (-p).ln_1p()), 0.0, 0.5);
    let upper = tanh_sinh(|y| f(1.0 - y, (-y).ln_1p(), y.ln()), 0.0, 0.5);
    lower + upper
}

/// Pareto/NBD expected number of purchases in (0, t] (Schmittlein, Morrison
/// & Colombo 1987), with λ ~ Gamma(r, rate α) and lifetime ~ Exp(μ),
/// μ ~ Gamma(s, rate β):
/// E[X(t)] = rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)],
/// evaluated stably near s = 1 (limit rβ/α · ln(1 + t/β)): with `expm1`
/// the bracket over s − 1 stays accurate for any tiny s − 1, so the limit
/// is only taken where the product is 0 (s = 1 exactly). This is the one
/// Pareto/NBD E[X(t)] in the crate (`fit::pnbd::expected` calls it).
pub fn pnbd_expected_purchases(r: f64, alpha: f64, s: f64, beta: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let l = (t / beta).ln_1p(); // ln((β+t)/β)
    let x = s - 1.0;
    // [1 − exp(−x·l)] / x, → l as x → 0.
    let k = if (x * l).abs() < 1e-300 {
        l
    } else {
        -(-x * l).exp_m1() / x
    };
    r * beta / alpha * k
}

/// Bass (1969) cumulative adoption share F(t) = (1 − e^{−(p+q)t}) /
/// (1 + (q/p) e^{−(p+q)t}), solving dF/dt = (p + qF)(1 − F), F(0) = 0.
/// With p = 0 nobody ever adopts (F = 0).
pub fn bass_cumulative(p: f64, q: f64, t: f64) -> f64 {
    if t <= 0.0 || p <= 0.0 {
        return 0.0;
    }
    let e = (-(p + q) * t).exp();
    -(-(p + q) * t).exp_m1() / (1.0 + q / p * e)
}

/// Gamma-Gamma mean transaction value pγ/(q−1) (infinite for q ≤ 1).
pub fn gamma_gamma_mean(p: f64, q: f64, gamma: f64) -> f64 {
    if q > 1.0 {
        p * gamma / (q - 1.0)
    } else {
        f64::INFINITY
    }
}

#[cfg(test)]
mod tests {
    // Published constants are quoted with all their digits.
    #![allow(clippy::excessive_precision)]

    use super::*;

    fn close(x: f64, y: f64, rel: f64) -> bool {
        (x - y).abs() <= rel * y.abs().max(1e-300)
    }

    #[test]
    fn bgnbd_cdnow_matches_mpmath() {
        // CDNOW estimates (Fader, Hardie & Lee 2005). Reference: the same
        // formula evaluated with mpmath 1.3.0 at 40 digits.
        let (r, alpha, a, b) = (0.243, 4.414, 0.793, 2.426);
        for (t, want) in [
            (1.0, 0.053267891171658279927),
            (39.0, 1.1967231933208168419),
            (78.0, 1.8605190579427685363),
            (520.0, 4.9746178618496597289),
        ] {
            let got = bgnbd_expected_purchases(r, alpha, a, b, t);
            assert!(
                close(got, want, 1e-11),
                "BG/NBD E[X({t})] = {got}, want {want}"
            );
        }
        assert_eq!(bgnbd_expected_purchases(r, alpha, a, b, 0.0), 0.0);
    }

    #[test]
    fn bgnbd_matches_simulation_with_our_samplers() {
        // Simulate the BG/NBD story directly (λ ~ Gamma(r, rate α),
        // p ~ Beta(a, b), Poisson purchases, leave with probability p after
        // each purchase) and compare the mean count with the closed form,
        // within 4 standard errors. Ties the samplers to the formula.
        use crate::model::rng::{Purpose, Stream};
        use crate::model::sampling::{beta, exponential, gamma};
        let (r, alpha, a, b, t) = (0.243, 4.414, 0.793, 2.426, 39.0);
        let n = 200_000;
        let (mut s1, mut s2) = (0.0, 0.0);
        for c in 0..n {
            let mut rng = Stream::new(7, 0, c, Purpose::Traits);
            let lambda = gamma(&mut rng, r) / alpha;
            let p = beta(&mut rng, a, b);
            let (mut time, mut k) = (0.0, 0u32);
            loop {
                time += exponential(&mut rng) / lambda;
                if time > t {
                    break;
                }
                k += 1;
                if rng.chance(p) {
                    break;
                }
            }
            s1 += k as f64;
            s2 += (k as f64).powi(2);
        }
        let m = s1 / n as f64;
        let se = ((s2 / n as f64 - m * m) / n as f64).sqrt();
        let want = bgnbd_expected_purchases(r, alpha, a, b, t);
        assert!(
            (m - want).abs() < 4.0 * se,
            "simulated {m} ± {se}, closed form {want}"
        );
    }

    #[test]
    fn bgnbd_is_continuous_at_a_equal_one() {
        let f = |a: f64| bgnbd_expected_purchases(0.243, 4.414, a, 2.426, 39.0);
        let at1 = f(1.0);
        assert!(at1.is_finite() && at1 > 0.0);
        let (lo, hi) = (f(1.0 - 1e-3), f(1.0 + 1e-3));
        assert!(close(at1, 0.5 * (lo + hi), 1e-6), "{lo} {at1} {hi}");
    }

    /// Moved from `fit::bgnbd` with the integral: the closed form agrees
    /// with the integral at the CDNOW fit, and is continuous through a = 1.
    #[test]
    fn integral_keeps_the_peak_of_a_small_b_and_the_formula_covers_c_below_0() {
        // b < 1 puts a (1 − p)^(b−1) peak at p = 1; a + b < 1 makes ₂F₁'s c
        // negative (not an integer), where the formula still holds.
        for (a, b) in [(0.7, 0.1), (0.3, 0.05), (0.5, 0.2), (2.5, 0.1)] {
            for t in [1.0, 10.0, 100.0] {
                let closed = bgnbd_expected_purchases(0.5, 3.0, a, b, t);
                let integral = bgnbd_expected_by_integral(0.5, 3.0, a, b, t);
                assert!(
                    (closed - integral).abs() < 1e-8 * closed,
                    "a={a} b={b} t={t}: {closed} vs {integral}"
                );
            }
        }
    }

    #[test]
    fn expected_closed_form_matches_integral() {
        let (r, alpha, a, b) = (0.242594, 4.413599, 0.792925, 2.425892);
        for t in [0.5, 10.0, 39.0, 78.0, 1000.0] {
            let c = bgnbd_expected_purchases(r, alpha, a, b, t);
            let i = bgnbd_expected_by_integral(r, alpha, a, b, t);
            assert!((c - i).abs() < 1e-8 * c.max(1.0), "t={t}: {c} vs {i}");
        }
        // Near a = 1 the integral takes over and stays continuous.
        let e = |a: f64| bgnbd_expected_purchases(0.5, 3.0, a, 2.0, 20.0);
        assert!((e(1.0) - e(1.002)).abs() < 1e-2);
    }

    #[test]
    fn bgnbd_small_t_is_r_over_alpha_t() {
        // No one has dropped out yet: E[X(t)] ≈ (r/α) t for t → 0.
        let t = 1e-6;
        let got = bgnbd_expected_purchases(0.243, 4.414, 0.793, 2.426, t);
        assert!(close(got, 0.243 / 4.414 * t, 1e-4), "{got}");
    }

    /// Pareto/NBD by numeric integration: given λ, E[X(t)] = λ E[min(T, t)],
    /// and the marginal lifetime has survival (β/(β+τ))^s (a Lomax), so
    /// E[X(t)] = (r/α) ∫₀ᵗ (β/(β+τ))^s dτ. Composite Simpson, 20 000 panels.
    fn pnbd_numeric(r: f64, alpha: f64, s: f64, beta: f64, t: f64) -> f64 {
        let n = 20_000;
        let h = t / n as f64;
        let f = |tau: f64| (beta / (beta + tau)).powf(s);
        let mut acc = f(0.0) + f(t);
        for i in 1..n {
            acc += if i % 2 == 1 { 4.0 } else { 2.0 } * f(i as f64 * h);
        }
        r / alpha * acc * h / 3.0
    }

    #[test]
    fn pnbd_matches_numeric_integration() {
        for &(r, alpha, s, beta) in &[
            (0.55, 10.58, 0.61, 11.67), // CDNOW Pareto/NBD (Fader, Hardie & Lee 2005)
            (0.243, 4.414, 2.5, 30.0),
            (1.2, 3.0, 1.0, 8.0),         // s = 1: the log limit
            (1.2, 3.0, 1.0 + 1e-13, 8.0), // next to it
        ] {
            for &t in &[0.5, 39.0, 78.0, 520.0] {
                let got = pnbd_expected_purchases(r, alpha, s, beta, t);
                let want = pnbd_numeric(r, alpha, s, beta, t);
                assert!(
                    close(got, want, 1e-9),
                    "PNBD({r},{alpha},{s},{beta}) at {t}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn bass_matches_ode() {
        // dF/dt = (p + qF)(1 − F), F(0) = 0, by classical RK4 with step 1e-3.
        for &(p, q) in &[(0.03, 0.38), (0.01, 0.5), (0.2, 0.0)] {
            let h = 1e-3;
            let g = |f: f64| (p + q * f) * (1.0 - f);
            let mut f = 0.0;
            let mut steps = 0u32;
            for &t_end in &[1.0, 5.0, 10.0, 25.0, 60.0] {
                while (steps as f64) * h < t_end - h / 2.0 {
                    let k1 = g(f);
                    let k2 = g(f + h / 2.0 * k1);
                    let k3 = g(f + h / 2.0 * k2);
                    let k4 = g(f + h * k3);
                    f += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
                    steps += 1;
                }
                let got = bass_cumulative(p, q, t_end);
                assert!(
                    close(got, f, 1e-10),
                    "Bass({p},{q}) at {t_end}: {got} vs ODE {f}"
                );
            }
        }
        assert_eq!(bass_cumulative(0.0, 0.4, 10.0), 0.0);
    }

    #[test]
    fn gamma_gamma_cdnow() {
        let m = gamma_gamma_mean(6.25, 3.74, 15.44);
        assert!(close(m, 6.25 * 15.44 / 2.74, 1e-15));
        assert!((m - 35.218).abs() < 1e-3);
        assert_eq!(gamma_gamma_mean(6.25, 1.0, 15.44), f64::INFINITY);
    }
}
