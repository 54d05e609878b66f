//! Exact samplers for the distributions of docs/scenario-format.md, drawing from a [`Stream`].
//!
//! Why written here rather than taken from `rand_distr`: our streams are our
//! own xoshiro256++ (see [`super::rng`]) and simulated results are part of the
//! contract, so the mapping from random bits to variates must not change
//! under a dependency update. Every sampler is exact in distribution up to
//! floating-point rounding (no truncated series, no discretised time); where
//! rounding matters (underflow for tiny gamma shapes) it is documented below.
//!
//! Methods and sources:
//! - Normal and exponential: the ziggurat method (Marsaglia & Tsang 2000,
//!   "The ziggurat method for generating random variables", J. Stat. Softw.
//!   5(8)), 256 layers, with Doornik's (2005) choice of one 64-bit draw for
//!   layer, sign and abscissa. The layer tables are computed with `libm`
//!   (bit-for-bit identical on every platform) and kept as literal tables
//!   (`ziggurat_tables.rs`, checked against a fresh build by a test), and
//!   the base radius `r` is solved by bisection so that the top layer closes
//!   exactly: every layer has the same area, which is what makes the method
//!   exact. Normal tail: Marsaglia (1964); exponential tail: memorylessness.
//! - Gamma: Marsaglia & Tsang (2000), "A simple method for generating gamma
//!   variables", ACM TOMS 26(3), for shape ≥ 1; for shape < 1 their boost
//!   Gamma(shape + 1) · U^(1/shape), with U^(1/shape) computed as
//!   exp(−E / shape), E ~ Exp(1) from the ziggurat (−ln U is Exp(1), so this
//!   is the same distribution, a logarithm cheaper).
//! - Beta: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), evaluated through the
//!   ratio Y / X in log space so that tiny shapes never give 0 / 0.
//! - Triangular: inversion of the CDF (two square-root branches meeting at
//!   the mode), one uniform per draw.
//! - Poisson: inversion by sequential search for mean < 10, PTRS (Hörmann
//!   1993, "The transformed rejection method for generating Poisson random
//!   variables", Insurance: Mathematics and Economics 12) for mean ≥ 10.
//!
//! Invalid parameters (non-positive shapes, negative means, NaN) are rejected
//! by scenario validation before they reach here; the samplers then return
//! NaN (continuous) or 0 (Poisson) rather than panic, and `debug_assert!`.

use super::rng::Stream;
use crate::model::dist::{Dist, triangular_quantile};

// ---------------------------------------------------------------------------
// Ziggurat tables
// ---------------------------------------------------------------------------

/// Number of ziggurat layers (the low 8 bits of a draw pick one).
const LAYERS: usize = 256;
/// 2^-53: scales a 53-bit integer to [0, 1).
#[cfg(test)]
const TWO_M53: f64 = 1.0 / (1u64 << 53) as f64;

/// One ziggurat. Layer `i` is the box [0, x[i]] × [f[i], f[i+1]]; layer 0 is
/// the base strip [0, r] × [0, f(r)] plus the tail beyond `r`, given the
/// virtual width x[0] = V / f(r). All layers have area V. `xs` is `x`
/// pre-scaled by 2^-53 so that the fast path is one multiply.
struct Ziggurat {
    x: [f64; LAYERS + 1],
    xs: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
    r: f64,
}

#[cfg(test)]
impl Ziggurat {
    /// Builds the ziggurat for a decreasing density `f` on [0, ∞) with inverse
    /// `finv` and tail mass `tail(r) = ∫_r^∞ f`, solving for `r` so that the
    /// last layer ends exactly at f(0) = 1.
    fn build(
        f: fn(f64) -> f64,
        finv: fn(f64) -> f64,
        tail: fn(f64) -> f64,
        lo: f64,
        hi: f64,
    ) -> Self {
        // residual(r) > 0: layers too tall (r too small); < 0: too thin.
        let residual = |r: f64| -> f64 {
            let v = r * f(r) + tail(r);
            let mut x = r;
            for _ in 1..LAYERS - 1 {
                let y = v / x + f(x);
                if y >= 1.0 {
                    return 1.0; // reached the top early
                }
                x = finv(y);
            }
            v / x + f(x) - 1.0
        };
        let (mut lo, mut hi) = (lo, hi);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if residual(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        // `hi` is the smallest r found whose layers do not overshoot the top.
        let r = hi;
        let v = r * f(r) + tail(r);
        let mut x = [0.0; LAYERS + 1];
        let mut fx = [0.0; LAYERS + 1];
        x[0] = v / f(r);
        x[1] = r;
        for i in 1..LAYERS - 1 {
            x[i + 1] = finv(v / x[i] + f(x[i]));
        }
        x[LAYERS] = 0.0;
        for i in 0..=LAYERS {
            fx[i] = f(x[i]);
        }
        // The base strip's "f[0]" is 0 (it reaches down to the axis).
        fx[0] = 0.0;
        fx[LAYERS] = 1.0;
        let mut xs = [0.0; LAYERS + 1];
        for i in 0..=LAYERS {
            xs[i] = x[i] * TWO_M53;
        }
        Ziggurat { x, xs, f: fx, r }
    }
}

#[cfg(test)]
fn normal_f(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}
#[cfg(test)]
fn normal_finv(y: f64) -> f64 {
    libm::sqrt(-2.0 * libm::log(y))
}
#[cfg(test)]
fn normal_tail(r: f64) -> f64 {
    // ∫_r^∞ exp(-x²/2) dx = sqrt(π/2) · erfc(r / √2)
    (std::f64::consts::PI / 2.0).sqrt() * libm::erfc(r / std::f64::consts::SQRT_2)
}
#[cfg(test)]
fn exp_f(x: f64) -> f64 {
    libm::exp(-x)
}
#[cfg(test)]
fn exp_finv(y: f64) -> f64 {
    -libm::log(y)
}
#[cfg(test)]
fn exp_tail(r: f64) -> f64 {
    libm::exp(-r)
}

include!("ziggurat_tables.rs");

// ---------------------------------------------------------------------------
// Normal, exponential, log-normal
// ---------------------------------------------------------------------------

/// A standard normal N(0, 1) variate (ziggurat; about 99% of draws cost one
/// `next_u64`, a table look-up and a multiply). The fast path is inlined;
/// the rare rest of the method is out of line ([`normal_slow`]).
#[inline(always)]
pub fn normal(rng: &mut Stream) -> f64 {
    let z = &NORMAL_ZIG;
    let bits = rng.next_u64();
    let i = (bits & 0xff) as usize;
    // Bit 8 is the sign (moved to bit 63); bits 11..63 the abscissa.
    let sign = (bits & 0x100) << 55;
    let x = ((bits >> 11) as f64 + 0.5) * z.xs[i];
    if x < z.x[i + 1] {
        return f64::from_bits(x.to_bits() | sign);
    }
    normal_slow(rng, i, x, sign)
}

/// The normal ziggurat after a draw (layer `i`, abscissa `x`, `sign`) that
/// missed the fast path: the tail or the wedge test, then further draws
/// exactly as the full method would make them.
#[cold]
#[inline(never)]
fn normal_slow(rng: &mut Stream, mut i: usize, mut x: f64, mut sign: u64) -> f64 {
    let z = &NORMAL_ZIG;
    loop {
        if i == 0 {
            // Tail beyond r (Marsaglia 1964): exact, accepts with prob ≈ 0.93+.
            let r = z.r;
            loop {
                let t = -libm::log(rng.uniform()) / r;
                let e = -libm::log(rng.uniform());
                if 2.0 * e > t * t {
                    return f64::from_bits((r + t).to_bits() | sign);
                }
            }
        }
        // Wedge: accept under the curve.
        let y = z.f[i] + rng.uniform() * (z.f[i + 1] - z.f[i]);
        if y < libm::exp(-0.5 * x * x) {
            return f64::from_bits(x.to_bits() | sign);
        }
        let bits = rng.next_u64();
        i = (bits & 0xff) as usize;
        sign = (bits & 0x100) << 55;
        x = ((bits >> 11) as f64 + 0.5) * z.xs[i];
        if x < z.x[i + 1] {
            return f64::from_bits(x.to_bits() | sign);
        }
    }
}

/// A unit exponential Exp(1) variate by the ziggurat: exact, and several times
/// faster than [`Stream::exp1`] (which costs a logarithm per draw). The two
/// give different variates from the same stream.
#[inline(always)]
pub fn exponential(rng: &mut Stream) -> f64 {
    ExpSampler::get().sample(rng)
}

/// The exponential sampler with its table looked up once, for loops that
/// draw many exponentials (the table lives behind a lazily initialised static).
#[derive(Clone, Copy)]
pub struct ExpSampler(&'static Ziggurat);

impl ExpSampler {
    #[inline(always)]
    pub fn get() -> ExpSampler {
        ExpSampler(&EXP_ZIG)
    }

    /// One Exp(1) draw, the same as [`exponential`].
    #[inline(always)]
    pub fn sample(self, rng: &mut Stream) -> f64 {
        exp_from(self.0, rng)
    }
}

#[inline(always)]
fn exp_from(z: &'static Ziggurat, rng: &mut Stream) -> f64 {
    let bits = rng.next_u64();
    let i = (bits & 0xff) as usize;
    let x = ((bits >> 11) as f64 + 0.5) * z.xs[i];
    if x < z.x[i + 1] {
        return x;
    }
    exp_slow(z, rng, i, x)
}

/// The exponential ziggurat after a draw (layer `i`, abscissa `x`) that
/// missed the fast path, continuing exactly as the full method would.
#[cold]
#[inline(never)]
fn exp_slow(z: &Ziggurat, rng: &mut Stream, mut i: usize, mut x: f64) -> f64 {
    let mut offset = 0.0;
    loop {
        if i == 0 {
            // Tail beyond r: by memorylessness it is r + Exp(1).
            offset += z.r;
        } else {
            let y = z.f[i] + rng.uniform() * (z.f[i + 1] - z.f[i]);
            if y < libm::exp(-x) {
                return offset + x;
            }
        }
        let bits = rng.next_u64();
        i = (bits & 0xff) as usize;
        x = ((bits >> 11) as f64 + 0.5) * z.xs[i];
        if x < z.x[i + 1] {
            return offset + x;
        }
    }
}

/// Log-normal: exp(mu + sigma · Z), Z ~ N(0, 1).
#[inline]
pub fn lognormal(rng: &mut Stream, mu: f64, sigma: f64) -> f64 {
    libm::exp(mu + sigma * normal(rng))
}

// ---------------------------------------------------------------------------
// Gamma and beta
// ---------------------------------------------------------------------------

/// Marsaglia–Tsang for shape ≥ 1, given d = shape − 1/3 and c = 1/√(9d).
#[inline(always)]
fn mt_core(rng: &mut Stream, d: f64, c: f64) -> f64 {
    loop {
        let (x, v) = loop {
            let x = normal(rng);
            let v = 1.0 + c * x;
            if v > 0.0 {
                break (x, v);
            }
        };
        let v = v * v * v;
        let u = rng.uniform();
        let x2 = x * x;
        // Squeeze, then the exact test.
        if u < 1.0 - 0.0331 * x2 * x2 || libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v)) {
            return d * v;
        }
    }
}

/// A gamma sampler with its constants precomputed, for many draws with one
/// shape (e.g. Gamma-Gamma baskets, per purchase). Unit scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaSampler {
    d: f64,
    c: f64,
    /// 1/shape when shape < 1 (the boost), else 0.
    inv_shape: f64,
}

impl GammaSampler {
    /// A sampler of Gamma(`shape`, scale 1). `shape` must be > 0.
    pub fn new(shape: f64) -> GammaSampler {
        debug_assert!(shape > 0.0, "gamma shape must be > 0, got {shape}");
        let (s, inv_shape) = if shape < 1.0 {
            (shape + 1.0, 1.0 / shape)
        } else {
            (shape, 0.0)
        };
        let d = s - 1.0 / 3.0;
        GammaSampler {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            inv_shape,
        }
    }

    /// One draw. See [`gamma`] for the small-shape underflow note.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        let g = mt_core(rng, self.d, self.c);
        if self.inv_shape == 0.0 {
            g
        } else {
            g * libm::exp(-exponential(rng) * self.inv_shape)
        }
    }

    /// The draw as (g, t) with value g · exp(t): g > 0 from Marsaglia–Tsang,
    /// t = −E/shape < 0 (E ~ Exp(1)) for shape < 1, else t = 0. Never
    /// underflows.
    #[inline(always)]
    fn sample_parts(&self, rng: &mut Stream) -> (f64, f64) {
        let g = mt_core(rng, self.d, self.c);
        if self.inv_shape == 0.0 {
            (g, 0.0)
        } else {
            (g, -exponential(rng) * self.inv_shape)
        }
    }
}

/// Gamma(`shape`, scale 1) variate; `shape` > 0 (NaN otherwise).
///
/// Shape ≥ 1: Marsaglia–Tsang (2000). Shape < 1: Gamma(shape+1) ·
/// U^(1/shape), computed as exp(−E / shape) with E = −ln U ~ Exp(1).
///
/// Underflow: for very small shapes the true variate is often below the
/// smallest positive f64 (for shape 0.01, P(X < 4.9e-324) ≈ e^{-7.44} ≈ 6e-4)
/// and the result is then 0 or subnormal: that is the correctly rounded value
/// of an exactly distributed variate, so the distribution is exact up to f64
/// rounding (tested). Quantities that need such draws in full (ratios, logs)
/// should avoid forming them: see [`beta`].
#[inline]
pub fn gamma(rng: &mut Stream, shape: f64) -> f64 {
    if !(shape > 0.0) {
        debug_assert!(false, "gamma shape must be > 0, got {shape}");
        return f64::NAN;
    }
    GammaSampler::new(shape).sample(rng)
}

/// Beta(`a`, `b`) variate; `a`, `b` > 0 (NaN otherwise).
///
/// X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), computed as 1 / (1 + Y/X)
/// where Y/X is formed from the gamma draws' parts in log space, so tiny
/// shapes (whose gamma draws underflow to 0) still give the exact ratio:
/// no 0/0, no Bernoulli approximation. Exact up to f64 rounding; note that
/// for a small second shape many draws lie within 2^-54 of 1 and round to
/// exactly 1.0 (about 34% for Beta(0.05, 0.02)), and symmetrically to 0.
#[inline]
pub fn beta(rng: &mut Stream, a: f64, b: f64) -> f64 {
    if !(a > 0.0 && b > 0.0) {
        debug_assert!(false, "beta shapes must be > 0, got {a}, {b}");
        return f64::NAN;
    }
    beta_with(rng, &GammaSampler::new(a), &GammaSampler::new(b))
}

/// [`beta`] with the two gamma samplers built once (`x` for shape a, `y`
/// for shape b): the same draws and arithmetic, for many draws with one pair
/// of shapes.
#[inline(always)]
pub fn beta_with(rng: &mut Stream, x: &GammaSampler, y: &GammaSampler) -> f64 {
    let (gx, tx) = x.sample_parts(rng);
    let (gy, ty) = y.sample_parts(rng);
    let dt = ty - tx;
    if dt == 0.0 {
        return gx / (gx + gy);
    }
    if dt.abs() < 600.0 {
        return 1.0 / (1.0 + (gy / gx) * libm::exp(dt));
    }
    // Extreme ratio: ln(Y/X) = ln(gy/gx) + dt; result = logistic(−ln(Y/X)).
    let lr = libm::log(gy / gx) + dt;
    if lr > 0.0 {
        let e = libm::exp(-lr);
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + libm::exp(lr))
    }
}

// ---------------------------------------------------------------------------
// Poisson
// ---------------------------------------------------------------------------

/// Poisson(`mean`) count; `mean` ≥ 0 and finite (0 otherwise).
///
/// mean < 10: inversion by sequential search from 0 (one uniform, about
/// mean + 1 steps). mean ≥ 10: PTRS, transformed rejection with squeeze
/// (Hörmann 1993), exact, about 1.1 pairs of uniforms per draw.
pub fn poisson(rng: &mut Stream, mean: f64) -> u64 {
    if !(mean > 0.0 && mean.is_finite()) {
        debug_assert!(
            mean == 0.0,
            "Poisson mean must be finite and ≥ 0, got {mean}"
        );
        return 0;
    }
    if mean < 10.0 {
        let u = rng.uniform();
        let mut k = 0u64;
        let mut p = libm::exp(-mean);
        let mut s = p;
        while u > s {
            k += 1;
            p *= mean / k as f64;
            if p == 0.0 {
                // Rounding left the cumulative sum a hair below u (probability
                // ~1e-16): the remaining mass is below f64 resolution.
                break;
            }
            s += p;
        }
        return k;
    }
    // PTRS (Hörmann 1993, algorithm PTRS with the published constants).
    let smu = mean.sqrt();
    let b = 0.931 + 2.53 * smu;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    let log_mean = libm::log(mean);
    loop {
        let u = rng.uniform() - 0.5;
        let v = rng.uniform();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + mean + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k as u64;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        let lhs = libm::log(v) + libm::log(inv_alpha) - libm::log(a / (us * us) + b);
        let rhs = -mean + k * log_mean - libm::lgamma(k + 1.0);
        if lhs <= rhs {
            return k as u64;
        }
    }
}

// ---------------------------------------------------------------------------
// Dispatch on Dist
// ---------------------------------------------------------------------------

/// One draw from a resolved [`Dist`].
#[inline]
pub fn draw(rng: &mut Stream, dist: &Dist) -> f64 {
    match *dist {
        Dist::Fixed(x) => x,
        Dist::Gamma { shape, scale } => scale * gamma(rng, shape),
        Dist::LogNormal { mu, sigma } => lognormal(rng, mu, sigma),
        Dist::Exponential { mean } => mean * exponential(rng),
        Dist::Beta { a, b } => beta(rng, a, b),
        Dist::Uniform { min, max } => min + (max - min) * rng.uniform(),
        Dist::Triangular { min, mode, max } => triangular(rng, min, mode, max),
    }
}

/// Triangular on [min, max] with peak at `mode`: the exact inverse CDF of one
/// uniform (one draw per variate, so a key's stream advances by one).
#[inline]
pub fn triangular(rng: &mut Stream, min: f64, mode: f64, max: f64) -> f64 {
    triangular_quantile(min, mode, max, rng.uniform())
}

#[cfg(test)]
mod tests {
    // Published constants are quoted with all their digits.
    #![allow(clippy::excessive_precision)]

    //! Each sampler is checked three ways with fixed seeds: sample mean and
    //! variance against the closed forms, within 4 Monte Carlo standard errors
    //! (the variance's SE from the fourth moment: sqrt(σ⁴(2 + excess kurtosis)/n));
    //! a Kolmogorov–Smirnov test against the exact CDF at α = 0.001; and a
    //! chi-square test of the probability-integral transform on 40 equal bins,
    //! also at α = 0.001 (more sensitive than KS to local defects such as a
    //! wrong ziggurat layer).
    use super::*;
    use crate::model::rng::Purpose;
    use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};
    use statrs::function::beta::beta_reg;
    use statrs::function::gamma::gamma_lr;

    /// Shards run on hosts with different C maths libraries merge byte for
    /// byte only if no draw goes through the platform's `ln`/`exp`/`pow`:
    /// every transcendental call in the samplers is libm's (the same Rust
    /// code everywhere).
    #[test]
    fn samplers_use_only_portable_maths() {
        for (file, src) in [
            ("sampling.rs", include_str!("sampling.rs")),
            ("rng.rs", include_str!("rng.rs")),
        ] {
            let code = src.split("#[cfg(test)]\nmod tests").next().unwrap();
            for bad in [".ln()", ".exp()", ".powf(", ".ln_1p()", ".exp_m1()"] {
                assert!(
                    !code.contains(bad),
                    "{file}: {bad} uses the platform's maths library"
                );
            }
        }
    }

    const N_MOMENTS: usize = 400_000;
    const N_FIT: usize = 20_000;

    fn stream(key: u64) -> Stream {
        Stream::new(20_261_105, 0, key, Purpose::Traits)
    }

    fn sample(key: u64, n: usize, mut f: impl FnMut(&mut Stream) -> f64) -> Vec<f64> {
        let mut r = stream(key);
        (0..n).map(|_| f(&mut r)).collect()
    }

    /// Mean and variance within 4 standard errors of the closed forms.
    fn check_moments(name: &str, xs: &[f64], mean: f64, var: f64, excess_kurtosis: f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        let se_m = (var / n).sqrt();
        let se_v = (var * var * (2.0 + excess_kurtosis) / n).sqrt();
        assert!(
            (m - mean).abs() < 4.0 * se_m,
            "{name}: mean {m} vs {mean} (se {se_m})"
        );
        assert!(
            (v - var).abs() < 4.0 * se_v,
            "{name}: variance {v} vs {var} (se {se_v})"
        );
    }

    /// KS distance and PIT chi-square against `cdf`, both at α = 0.001.
    fn check_fit(name: &str, xs: &[f64], cdf: impl Fn(f64) -> f64) {
        let n = xs.len();
        let mut u: Vec<f64> = xs.iter().map(|&x| cdf(x)).collect();
        u.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut d: f64 = 0.0;
        for (i, &ui) in u.iter().enumerate() {
            d = d
                .max(ui - i as f64 / n as f64)
                .max((i + 1) as f64 / n as f64 - ui);
        }
        // Asymptotic KS critical value: sqrt(-ln(α/2)/2) / sqrt(n).
        let crit = (-(0.001f64 / 2.0).ln() / 2.0).sqrt() / (n as f64).sqrt();
        assert!(d < crit, "{name}: KS D = {d} ≥ {crit}");

        let bins = 40;
        let mut counts = vec![0usize; bins];
        for &ui in &u {
            counts[((ui * bins as f64) as usize).min(bins - 1)] += 1;
        }
        let e = n as f64 / bins as f64;
        let chi2: f64 = counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum();
        let crit = ChiSquared::new((bins - 1) as f64)
            .unwrap()
            .inverse_cdf(0.999);
        assert!(chi2 < crit, "{name}: PIT chi-square {chi2} ≥ {crit}");
    }

    fn gamma_kurt(k: f64) -> f64 {
        6.0 / k
    }

    /// The text of `ziggurat_tables.rs` for freshly built tables.
    fn tables_source() -> String {
        fn dump(name: &str, z: &Ziggurat) -> String {
            let mut out = format!("static {name}: Ziggurat = Ziggurat {{\n");
            for (arr, lbl) in [(&z.x, "x"), (&z.xs, "xs"), (&z.f, "f")] {
                out += &format!("    {lbl}: [\n");
                for v in arr.iter() {
                    out += &format!("        {v:?},\n");
                }
                out += "    ],\n";
            }
            out += &format!("    r: {:?},\n}};\n", z.r);
            out
        }
        let n = Ziggurat::build(normal_f, normal_finv, normal_tail, 3.0, 4.5);
        let e = Ziggurat::build(exp_f, exp_finv, exp_tail, 6.0, 9.0);
        dump("NORMAL_ZIG", &n) + dump("EXP_ZIG", &e).as_str()
    }

    #[test]
    fn ziggurat_tables_are_the_built_ones() {
        let file = include_str!("ziggurat_tables.rs");
        let body = &file[file.find("static NORMAL_ZIG").unwrap()..];
        let fresh = tables_source();
        if std::env::var_os("LOYALSIM_WRITE_ZIGGURAT").is_some() {
            let head = &file[..file.find("static NORMAL_ZIG").unwrap()];
            std::fs::write("src/model/ziggurat_tables.rs", format!("{head}{fresh}")).unwrap();
        }
        assert_eq!(body, fresh, "ziggurat_tables.rs is stale");
        // And bit for bit (the literals round-trip).
        let n = Ziggurat::build(normal_f, normal_finv, normal_tail, 3.0, 4.5);
        let e = Ziggurat::build(exp_f, exp_finv, exp_tail, 6.0, 9.0);
        for (built, lit) in [(&n, &NORMAL_ZIG), (&e, &EXP_ZIG)] {
            assert_eq!(built.r.to_bits(), lit.r.to_bits());
            for i in 0..=LAYERS {
                assert_eq!(built.x[i].to_bits(), lit.x[i].to_bits());
                assert_eq!(built.xs[i].to_bits(), lit.xs[i].to_bits());
                assert_eq!(built.f[i].to_bits(), lit.f[i].to_bits());
            }
        }
    }

    #[test]
    fn ziggurat_tables_close() {
        for z in [&NORMAL_ZIG, &EXP_ZIG] {
            assert!(z.x[LAYERS - 1] > 0.0);
            for i in 1..LAYERS {
                assert!(z.x[i] > z.x[i + 1] && z.f[i] < z.f[i + 1]);
            }
        }
        // Published 256-layer radii (Marsaglia & Tsang 2000).
        assert!((NORMAL_ZIG.r - 3.6541528853610088).abs() < 1e-12);
        assert!((EXP_ZIG.r - 7.69711747013104972).abs() < 1e-12);
    }

    #[test]
    fn normal_fits() {
        let xs = sample(1, N_MOMENTS, normal);
        check_moments("normal", &xs, 0.0, 1.0, 0.0);
        let nd = Normal::new(0.0, 1.0).unwrap();
        check_fit("normal", &xs[..N_FIT], |x| nd.cdf(x));
        // A finer test on many draws: 200 equiprobable bins, 2e6 draws.
        let xs = sample(2, 2_000_000, normal);
        check_fit("normal 2e6", &xs, |x| nd.cdf(x));
        // The tail beyond r ≈ 3.654 (the base layer's tail path).
        let p = 2.0 * nd.cdf(-3.6541528853610088);
        let k = xs.iter().filter(|x| x.abs() > 3.6541528853610088).count() as f64;
        let n = xs.len() as f64;
        assert!(
            (k - n * p).abs() < 4.0 * (n * p * (1.0 - p)).sqrt(),
            "tail count {k} vs {}",
            n * p
        );
        let p5 = 2.0 * nd.cdf(-4.5);
        let k5 = xs.iter().filter(|x| x.abs() > 4.5).count() as f64;
        assert!(
            (k5 - n * p5).abs() < 4.0 * (n * p5).sqrt() + 1.0,
            "|z|>4.5: {k5} vs {}",
            n * p5
        );
    }

    #[test]
    fn exponential_fits() {
        let xs = sample(3, N_MOMENTS, exponential);
        check_moments("exponential", &xs, 1.0, 1.0, 6.0);
        check_fit("exponential", &xs[..N_FIT], |x| -(-x).exp_m1());
        let xs = sample(4, 2_000_000, exponential);
        check_fit("exponential 2e6", &xs, |x| -(-x).exp_m1());
        let r: f64 = 7.69711747013104972;
        let n = xs.len() as f64;
        let p = (-r).exp();
        let k = xs.iter().filter(|&&x| x > r).count() as f64;
        assert!(
            (k - n * p).abs() < 4.0 * (n * p).sqrt() + 1.0,
            "tail {k} vs {}",
            n * p
        );
    }

    #[test]
    fn gamma_fits() {
        for (j, &k) in [0.243, 0.793, 1.0, 2.426, 6.25].iter().enumerate() {
            let xs = sample(10 + j as u64, N_MOMENTS, |r| gamma(r, k));
            check_moments(&format!("gamma({k})"), &xs, k, k, gamma_kurt(k));
            check_fit(&format!("gamma({k})"), &xs[..N_FIT], |x| gamma_lr(k, x));
            let s = GammaSampler::new(k);
            let ys = sample(10 + j as u64, 1000, |r| s.sample(r));
            assert_eq!(&xs[..1000], &ys[..], "GammaSampler and gamma agree");
        }
    }

    #[test]
    fn gamma_tiny_shape_underflows_correctly() {
        // Shape 0.01: about 6e-4 of the draws lie below the smallest subnormal
        // and come out as 0; the CDF is still matched, and the zero share is
        // P(X < 4.94e-324) = gamma_lr(0.01, 4.94e-324).
        let k = 0.01;
        let xs = sample(20, N_FIT, |r| gamma(r, k));
        assert!(xs.iter().all(|x| *x >= 0.0 && x.is_finite()));
        check_fit("gamma(0.01)", &xs, |x| {
            if x > 0.0 { gamma_lr(k, x) } else { 0.0 }
        });
        let xs = sample(21, N_MOMENTS, |r| gamma(r, k));
        check_moments("gamma(0.01)", &xs, k, k, gamma_kurt(k));
        let p0 = (k * f64::from_bits(1).ln()).exp() / statrs::function::gamma::gamma(1.0 + k);
        let zeros = xs.iter().filter(|x| **x == 0.0).count() as f64;
        let n = xs.len() as f64;
        assert!(
            (zeros - n * p0).abs() < 4.0 * (n * p0).sqrt(),
            "{zeros} zeros vs {}",
            n * p0
        );
    }

    #[test]
    fn scaled_gamma_via_draw() {
        let d = Dist::Gamma {
            shape: 0.243,
            scale: 1.0 / 4.414,
        };
        let xs = sample(30, N_MOMENTS, |r| draw(r, &d));
        check_moments(
            "Dist::Gamma",
            &xs,
            d.mean(),
            d.variance(),
            gamma_kurt(0.243),
        );
    }

    fn beta_kurt(a: f64, b: f64) -> f64 {
        6.0 * ((a - b).powi(2) * (a + b + 1.0) - a * b * (a + b + 2.0))
            / (a * b * (a + b + 2.0) * (a + b + 3.0))
    }

    #[test]
    fn beta_fits() {
        for (j, &(a, b)) in [(0.793, 2.426), (0.5, 0.5), (2.0, 5.0)].iter().enumerate() {
            let d = Dist::Beta { a, b };
            let xs = sample(40 + j as u64, N_MOMENTS, |r| draw(r, &d));
            assert!(
                xs.iter().all(|x| (0.0..=1.0).contains(x)),
                "beta({a},{b}) out of [0, 1]"
            );
            check_moments(
                &format!("beta({a},{b})"),
                &xs,
                d.mean(),
                d.variance(),
                beta_kurt(a, b),
            );
            check_fit(&format!("beta({a},{b})"), &xs[..N_FIT], |x| {
                beta_reg(a, b, x)
            });
        }
    }

    /// max |F_n(g) − F(g)| over grid points g, against the KS critical value
    /// (a sup over a subset of points, so the test is conservative). Used
    /// where many draws round to the same f64 (an atom at 1.0), which the
    /// continuous KS formula would misread as a jump of the sample CDF.
    fn check_cdf_grid(name: &str, xs: &[f64], cdf: impl Fn(f64) -> f64, grid: &[f64]) {
        let mut v = xs.to_vec();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let n = v.len() as f64;
        let crit = (-(0.001f64 / 2.0).ln() / 2.0).sqrt() / n.sqrt();
        for &g in grid {
            let fn_g = v.partition_point(|&x| x <= g) as f64 / n;
            let f = cdf(g);
            assert!(
                (fn_g - f).abs() < crit,
                "{name}: at {g}, F_n = {fn_g}, F = {f}"
            );
        }
    }

    #[test]
    fn beta_small_shapes_fit() {
        // Beta(0.05, 0.02): mass piles up at both ends; about 34% of exact
        // draws lie within 2^-54 of 1 and round to exactly 1.0 (mpmath:
        // 1 − I(1 − 2^-54; 0.05, 0.02) = 0.3384), which is correct rounding.
        let (a, b) = (0.05, 0.02);
        let d = Dist::Beta { a, b };
        let xs = sample(43, N_MOMENTS, |r| draw(r, &d));
        assert!(xs.iter().all(|x| (0.0..=1.0).contains(x)));
        check_moments(
            "beta(0.05,0.02)",
            &xs,
            d.mean(),
            d.variance(),
            beta_kurt(a, b),
        );
        let ones = xs.iter().filter(|&&x| x == 1.0).count() as f64 / xs.len() as f64;
        assert!((ones - 0.3384).abs() < 0.005, "share at 1.0: {ones}");
        let mut grid: Vec<f64> = (1..=15).map(|k| 10f64.powi(-k * 20)).collect();
        grid.extend((1..20).map(|k| k as f64 / 20.0));
        grid.extend((2..=15).map(|k| 1.0 - 10f64.powi(-k)));
        // statrs loses I_x near x = 1 for tiny shapes; use I_x(a, b) = 1 − I_{1−x}(b, a)
        // there (1 − x is exact in f64 for x ≥ 0.5).
        let cdf = |x: f64| {
            if x > 0.5 {
                1.0 - beta_reg(b, a, 1.0 - x)
            } else {
                beta_reg(a, b, x)
            }
        };
        check_cdf_grid("beta(0.05,0.02)", &xs, cdf, &grid);
    }

    #[test]
    fn beta_tiny_shapes_have_no_nan() {
        // Both gamma draws underflow to 0 most of the time here; the ratio is
        // formed in log space, so the result is never NaN and the limit
        // Bernoulli(a / (a + b)) emerges by itself.
        let (a, b) = (1e-3, 3e-3);
        let xs = sample(50, N_MOMENTS, |r| beta(r, a, b));
        assert!(xs.iter().all(|x| (0.0..=1.0).contains(x)));
        let d = Dist::Beta { a, b };
        check_moments(
            "beta(1e-3,3e-3)",
            &xs,
            d.mean(),
            d.variance(),
            beta_kurt(a, b),
        );
    }

    #[test]
    fn lognormal_fits() {
        let d = Dist::lognormal_from_moments(85.0, 40.0);
        let Dist::LogNormal { mu, sigma } = d else {
            unreachable!()
        };
        let xs = sample(60, N_MOMENTS, |r| draw(r, &d));
        let s2 = sigma * sigma;
        let kurt = (4.0 * s2).exp() + 2.0 * (3.0 * s2).exp() + 3.0 * (2.0 * s2).exp() - 6.0;
        check_moments("lognormal", &xs, d.mean(), d.variance(), kurt);
        let nd = Normal::new(mu, sigma).unwrap();
        check_fit("lognormal", &xs[..N_FIT], |x| nd.cdf(x.ln()));
    }

    #[test]
    fn exponential_and_uniform_and_fixed_via_draw() {
        let d = Dist::Exponential { mean: 3.5 };
        let xs = sample(70, N_MOMENTS, |r| draw(r, &d));
        check_moments("Dist::Exponential", &xs, 3.5, 3.5 * 3.5, 6.0);
        check_fit("Dist::Exponential", &xs[..N_FIT], |x| -(-x / 3.5).exp_m1());
        let d = Dist::Uniform { min: 2.0, max: 7.0 };
        let xs = sample(71, N_MOMENTS, |r| draw(r, &d));
        check_moments("Dist::Uniform", &xs, d.mean(), d.variance(), -1.2);
        check_fit("Dist::Uniform", &xs[..N_FIT], |x| (x - 2.0) / 5.0);
        let mut r = stream(72);
        assert_eq!(draw(&mut r, &Dist::Fixed(4.25)), 4.25);
    }

    /// CDF of the triangular distribution, written independently of the quantile.
    fn triangular_cdf(a: f64, c: f64, b: f64, x: f64) -> f64 {
        if x <= a {
            0.0
        } else if x <= c {
            (x - a).powi(2) / ((b - a) * (c - a))
        } else if x < b {
            1.0 - (b - x).powi(2) / ((b - a) * (b - c))
        } else {
            1.0
        }
    }

    #[test]
    fn triangular_fits() {
        // Symmetric, skewed, and the two one-sided (right-angled) shapes. The
        // excess kurtosis of every triangular distribution is -3/5.
        for (j, &(a, c, b)) in [
            (0.0, 0.5, 1.0),
            (0.02, 0.07, 0.3),
            (1.0, 1.0, 4.0),
            (0.0, 2.0, 2.0),
        ]
        .iter()
        .enumerate()
        {
            let d = Dist::Triangular {
                min: a,
                mode: c,
                max: b,
            };
            let xs = sample(90 + j as u64, N_MOMENTS, |r| draw(r, &d));
            assert!(
                xs.iter().all(|x| (a..=b).contains(x)),
                "triangular({a},{c},{b}) out of range"
            );
            let mean = (a + b + c) / 3.0;
            let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
            check_moments(&format!("triangular({a},{c},{b})"), &xs, mean, var, -0.6);
            check_fit(&format!("triangular({a},{c},{b})"), &xs[..N_FIT], |x| {
                triangular_cdf(a, c, b, x)
            });
            // The closed-form moments in Dist agree with the ones written here.
            assert!((d.mean() - mean).abs() <= 1e-15 * mean.abs().max(1.0));
            assert!((d.variance() - var).abs() <= 1e-12 * var);
        }
    }

    /// Chi-square goodness of fit for Poisson counts, pooling bins with
    /// expected count < 5 into the two tails.
    fn check_poisson(mean: f64, key: u64) {
        let n = 200_000;
        let mut r = stream(key);
        let ks: Vec<u64> = (0..n).map(|_| poisson(&mut r, mean)).collect();
        let xs: Vec<f64> = ks.iter().map(|&k| k as f64).collect();
        check_moments(&format!("poisson({mean})"), &xs, mean, mean, 1.0 / mean);

        let pmf = |k: u64| (-mean + k as f64 * mean.ln() - libm::lgamma(k as f64 + 1.0)).exp();
        let nf = n as f64;
        // Bins [0, lo], lo+1, …, hi−1, [hi, ∞) with every expected count ≥ 5.
        let mut lo = 0u64;
        let mut cum = pmf(0);
        while cum * nf < 5.0 {
            lo += 1;
            cum += pmf(lo);
        }
        let mut hi = lo + 1;
        loop {
            let upper: f64 = 1.0 - cum - pmf(hi);
            if upper * nf < 5.0 || pmf(hi) * nf < 5.0 {
                break;
            }
            cum += pmf(hi);
            hi += 1;
        }
        // expected: lower pooled, singles lo+1..hi-1, upper pooled (k ≥ hi)
        let mut expected = vec![(0..=lo).map(pmf).sum::<f64>()];
        expected.extend((lo + 1..hi).map(pmf));
        let e_upper = 1.0 - expected.iter().sum::<f64>();
        expected.push(e_upper);
        let mut observed = vec![0usize; expected.len()];
        for &k in &ks {
            let idx = if k <= lo {
                0
            } else if k >= hi {
                expected.len() - 1
            } else {
                (k - lo) as usize
            };
            observed[idx] += 1;
        }
        let chi2: f64 = observed
            .iter()
            .zip(&expected)
            .map(|(&o, &e)| (o as f64 - e * nf).powi(2) / (e * nf))
            .sum();
        let df = (expected.len() - 1) as f64;
        let crit = ChiSquared::new(df).unwrap().inverse_cdf(0.999);
        assert!(
            chi2 < crit,
            "poisson({mean}): chi-square {chi2} ≥ {crit} (df {df})"
        );
    }

    #[test]
    fn poisson_fits() {
        for (j, &m) in [0.05, 0.7, 3.7, 9.99, 10.0, 25.3, 140.0, 5000.0]
            .iter()
            .enumerate()
        {
            check_poisson(m, 80 + j as u64);
        }
        let mut r = stream(99);
        assert_eq!(poisson(&mut r, 0.0), 0);
    }

    #[test]
    fn streams_are_reproducible() {
        let a = sample(5, 100, |r| {
            gamma(r, 0.243) + beta(r, 0.793, 2.426) + normal(r)
        });
        let b = sample(5, 100, |r| {
            gamma(r, 0.243) + beta(r, 0.793, 2.426) + normal(r)
        });
        assert_eq!(a, b);
    }
}
