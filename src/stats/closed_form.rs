//! Closed forms of the published customer-base models, for validation: a
//! simulation with the matching assumptions must reproduce these expected
//! values to within sampling error (MODEL.md sections 1 and 2).
//!
//! - BG/NBD expected purchases: Fader, Hardie & Lee (2005), "Counting your
//!   customers the easy way", Marketing Science 24(2), eq. (9).
//! - Pareto/NBD expected purchases: Schmittlein, Morrison & Colombo (1987),
//!   Management Science 33(1); the form in Fader, Hardie & Lee (2005).
//! - Bass (1969) diffusion, "A new product growth for model consumer durables",
//!   Management Science 15(5): cumulative adoption F(t).
//! - Gamma-Gamma mean spend: Fader, Hardie & Lee (2005), "RFM and CLV",
//!   J. Marketing Research 42(4).
//! - The Gauss hypergeometric function ₂F₁ that BG/NBD needs: power series,
//!   with the z → 1 − z connection formula (Abramowitz & Stegun 15.3.6) near 1.

/// ln Γ(x) for x > 0 (`libm::lgamma`, a port of the FreeBSD/fdlibm routine:
/// about 1 ulp, and the same bits on every platform).
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// Maximum number of series terms before giving up on convergence.
const MAX_TERMS: usize = 10_000_000;

/// The ₂F₁ power series Σ (a)_n (b)_n / (c)_n z^n / n!, summed until the
/// terms no longer change the sum. Converges for |z| < 1.
fn hyp2f1_series(a: f64, b: f64, c: f64, z: f64) -> f64 {
    // Stop once a term is below `tol` relative and the terms are shrinking;
    // the tail is then at most about term / (1 − z), hence the (1 − z) factor.
    let tol = 1e-17 * (1.0 - z).min(0.1);
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut n = 0.0;
    for _ in 0..MAX_TERMS {
        let ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        term *= ratio;
        sum += term;
        n += 1.0;
        if term == 0.0 {
            break; // a or b a non-positive integer: a polynomial
        }
        let next = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        if term.abs() <= tol * sum.abs() && next.abs() < 1.0 {
            break;
        }
    }
    sum
}

/// 1 / Γ(x), 0 at the poles (x = 0, −1, −2, …).
fn rgamma(x: f64) -> f64 {
    if x <= 0.0 && x == x.floor() {
        0.0
    } else {
        1.0 / libm::tgamma(x)
    }
}

/// Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1 (and c not
/// 0, −1, −2, …).
///
/// z ≤ 0.9: the power series directly. z > 0.9: the connection formula
/// (A&S 15.3.6) to two series in 1 − z, which converge fast, unless c − a − b
/// is within 1e-6 of an integer (the formula degenerates there); then the
/// direct series is summed with up to 10⁷ terms, which is accurate for
/// z ≤ 1 − 1e-5 or so and slow beyond. Gamma functions in the connection
/// formula overflow for parameters above ~170; the models here use small
/// shapes.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    debug_assert!((0.0..1.0).contains(&z), "hyp2f1 needs 0 ≤ z < 1, got {z}");
    if z == 0.0 {
        return 1.0;
    }
    let s = c - a - b;
    if z <= 0.9 || (s - s.round()).abs() < 1e-6 {
        return hyp2f1_series(a, b, c, z);
    }
    let w = 1.0 - z;
    let gc = libm::tgamma(c);
    let t1 = gc * libm::tgamma(s) * rgamma(c - a) * rgamma(c - b);
    let t2 = gc * libm::tgamma(-s) * rgamma(a) * rgamma(b);
    let mut out = 0.0;
    if t1 != 0.0 {
        out += t1 * hyp2f1_series(a, b, 1.0 - s, w);
    }
    if t2 != 0.0 {
        out += t2 * w.powf(s) * hyp2f1_series(c - a, c - b, 1.0 + s, w);
    }
    out
}

/// BG/NBD expected number of purchases in (0, t] for a new customer
/// (Fader, Hardie & Lee 2005, eq. 9), with purchase rate λ ~ Gamma(r, rate α)
/// and dropout probability p ~ Beta(a, b):
/// E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))].
///
/// At a = 1 the formula is 0/0; within 1e-7 of it the value is the average
/// of the formula at a = 1 ± 1e-4 (error O(1e-8) relative, from the
/// symmetric difference).
pub fn bgnbd_expected_purchases(r: f64, alpha: f64, a: f64, b: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    if (a - 1.0).abs() < 1e-7 {
        let h = 1e-4;
        return 0.5
            * (bgnbd_expected_purchases(r, alpha, 1.0 - h, b, t)
                + bgnbd_expected_purchases(r, alpha, 1.0 + h, b, t));
    }
    let z = t / (alpha + t);
    let f = hyp2f1(r, b, a + b - 1.0, z);
    (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)).powf(r) * f)
}

/// Pareto/NBD expected number of purchases in (0, t] (Schmittlein, Morrison
/// & Colombo 1987), with λ ~ Gamma(r, rate α) and lifetime ~ Exp(μ),
/// μ ~ Gamma(s, rate β):
/// E[X(t)] = rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)],
/// evaluated stably near s = 1 (limit rβ/α · ln(1 + t/β)).
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
    use super::*;

    fn close(x: f64, y: f64, rel: f64) -> bool {
        (x - y).abs() <= rel * y.abs().max(1e-300)
    }

    #[test]
    fn hyp2f1_identities() {
        for &z in &[0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.9999] {
            // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z (c − a − b = 0: degenerate branch).
            let want = if z == 0.0 {
                1.0
            } else {
                -(-z as f64).ln_1p() / z
            };
            let got = hyp2f1(1.0, 1.0, 2.0, z);
            assert!(
                close(got, want, 1e-12),
                "2F1(1,1;2;{z}) = {got}, want {want}"
            );
            // ₂F₁(a, b; b; z) = (1 − z)^−a.
            for &(a, b) in &[(0.243, 2.426), (1.7, 0.4), (0.5, 3.3)] {
                let want = (1.0 - z).powf(-a);
                let got = hyp2f1(a, b, b, z);
                assert!(
                    close(got, want, 1e-12),
                    "2F1({a},{b};{b};{z}) = {got}, want {want}"
                );
            }
            // ₂F₁(1/2, 1/2; 3/2; x²) = arcsin(x)/x.
            let x = z.sqrt();
            let want = if z == 0.0 { 1.0 } else { x.asin() / x };
            let got = hyp2f1(0.5, 0.5, 1.5, z);
            assert!(
                close(got, want, 1e-12),
                "2F1(.5,.5;1.5;{z}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn hyp2f1_matches_mpmath() {
        // Reference values: mpmath 1.3.0, hyp2f1 at 40 significant digits
        // (parameters given as the decimal strings below).
        let cases = [
            (0.243, 2.426, 2.219, 0.5, 1.207097007044042283),
            (0.243, 2.426, 2.219, 0.946, 2.3834119091635902095),
            (0.243, 2.426, 2.219, 0.999, 11.09650428868048555),
            (1.5, 2.5, 3.7, 0.3, 1.4214419569129741058),
            (1.5, 2.5, 3.7, 0.95, 10.797933050279765721),
            (0.5, 0.5, 1.5, 0.99, 1.4780376623747748025),
            (1.5, 2.5, 3.0, 0.97, 53.033545887740913932),
            (2.0, 3.0, 4.5, 0.99999, 3225.0298658197819723),
            (-3.0, 2.5, 1.7, 0.8, -0.056350468115173997527),
            (0.3, 4.2, 1.1, 0.93, 1115.5076476803067955),
        ];
        for (a, b, c, z, want) in cases {
            let got = hyp2f1(a, b, c, z);
            assert!(
                close(got, want, 1e-11),
                "2F1({a},{b};{c};{z}) = {got}, want {want}"
            );
        }
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

    #[test]
    fn ln_gamma_values() {
        assert!(close(ln_gamma(0.5), 0.5 * std::f64::consts::PI.ln(), 1e-15));
        assert!(ln_gamma(1.0).abs() < 1e-15 && ln_gamma(2.0).abs() < 1e-15);
        // ln 10! = ln 3628800
        assert!(close(ln_gamma(11.0), 3_628_800f64.ln(), 1e-15));
    }
}
