//! Heterogeneity: the one-key distribution tables of docs/scenario-format.md and the dropout
//! models of docs/scenario-format.md, in resolved form (every parameterisation reduced to one).

/// A distribution of a non-negative quantity, drawn once per customer (or per purchase for baskets).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Fixed(f64),
    /// Gamma with `shape` and `scale` (mean = shape × scale).
    Gamma {
        shape: f64,
        scale: f64,
    },
    /// Log-normal given by the mean and sd of the variable itself; `mu`, `sigma`
    /// are the parameters of its logarithm.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Exponential {
        mean: f64,
    },
    Beta {
        a: f64,
        b: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    /// Triangular on [min, max] with its peak at `mode` (min ≤ mode ≤ max, min < max).
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
}

impl Dist {
    /// Log-normal from the mean and sd of the variable (both > 0, or sd = 0).
    pub fn lognormal_from_moments(mean: f64, sd: f64) -> Dist {
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        Dist::LogNormal {
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
        }
    }

    /// The expected value.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(x) => x,
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Exponential { mean } => mean,
            Dist::Beta { a, b } => a / (a + b),
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
        }
    }

    /// The variance.
    pub fn variance(&self) -> f64 {
        match *self {
            Dist::Fixed(_) => 0.0,
            Dist::Gamma { shape, scale } => shape * scale * scale,
            Dist::LogNormal { mu, sigma } => {
                let s2 = sigma * sigma;
                (s2.exp() - 1.0) * (2.0 * mu + s2).exp()
            }
            Dist::Exponential { mean } => mean * mean,
            Dist::Beta { a, b } => a * b / ((a + b).powi(2) * (a + b + 1.0)),
            Dist::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Dist::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
        }
    }

    /// The `p`-quantile (the value below which a share `p` of draws falls),
    /// for `p` in [0, 1]; used for the p05/p50/p95 of an assumption.
    ///
    /// Closed forms where they exist (fixed, log-normal through the normal
    /// quantile, exponential, uniform, triangular). Gamma and beta are found
    /// by bisection on the regularised incomplete gamma / beta function until
    /// the bracket is two adjacent floats: statrs's own inverse of the gamma
    /// CDF stops early in the lower tail (at p = 0.01 for shape 0.243 it is
    /// 11% off in probability), and bisection is exact to the accuracy of the
    /// CDF at about 70 CDF calls. The tests check every variant against
    /// 40-digit values. `p` = 0 and 1 give the ends of the support (possibly
    /// infinite); a quantile below the smallest float is 0.
    pub fn quantile(&self, p: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Normal};
        use statrs::function::beta::beta_reg;
        use statrs::function::gamma::{gamma_lr, gamma_ur};
        debug_assert!((0.0..=1.0).contains(&p), "quantile of p = {p}");
        let p = p.clamp(0.0, 1.0);
        match *self {
            Dist::Fixed(x) => x,
            Dist::Gamma { shape, scale } => {
                if p == 0.0 {
                    return 0.0;
                }
                if p == 1.0 {
                    return f64::INFINITY;
                }
                // Compare in the tail the probability lies in, so that 1 − p
                // is never formed from a value that has lost its digits.
                let at_or_above = |x: f64| {
                    if p <= 0.5 {
                        gamma_lr(shape, x) >= p
                    } else {
                        gamma_ur(shape, x) <= 1.0 - p
                    }
                };
                let mut hi = shape.max(1.0);
                while !at_or_above(hi) && hi < f64::MAX {
                    hi *= 2.0;
                }
                scale * bisect(f64::from_bits(1), hi, at_or_above)
            }
            Dist::LogNormal { mu, sigma } => {
                if p == 0.0 {
                    0.0
                } else if p == 1.0 {
                    f64::INFINITY
                } else {
                    // Normal::inverse_cdf is -sqrt(2) erfc_inv(2p), accurate in both tails.
                    let z = Normal::standard().inverse_cdf(p);
                    libm::exp(mu + sigma * z)
                }
            }
            // -ln(1 - p) without losing digits for small p.
            Dist::Exponential { mean } => -mean * libm::log1p(-p),
            Dist::Beta { a, b } => {
                if p == 0.0 || p == 1.0 {
                    return p;
                }
                // Solve on the side of 1/2 the quantile lies on, as a distance
                // from 0 or from 1, so that values near 1 keep their digits
                // (and I_x, which statrs loses near x = 1 for tiny shapes, is
                // only evaluated at x <= 1/2).
                if beta_reg(a, b, 0.5) >= p {
                    bisect(f64::from_bits(1), 0.5, |x| beta_reg(a, b, x) >= p)
                } else {
                    // x = 1 − y with I_y(b, a) = 1 − p; I_y(b, a) falls as x rises.
                    1.0 - bisect(f64::from_bits(1), 0.5, |y| beta_reg(b, a, y) > 1.0 - p)
                }
            }
            Dist::Uniform { min, max } => min + (max - min) * p,
            Dist::Triangular { min, mode, max } => triangular_quantile(min, mode, max, p),
        }
    }

    /// The distribution as a scenario writes it (an inline TOML value).
    pub fn to_toml(&self) -> String {
        let n = toml_float;
        match *self {
            Dist::Fixed(x) => n(x),
            Dist::Gamma { shape, scale } => {
                format!(
                    "{{ gamma = {{ shape = {}, scale = {} }} }}",
                    n(shape),
                    n(scale)
                )
            }
            Dist::LogNormal { mu, sigma } => {
                let mean = (mu + sigma * sigma / 2.0).exp();
                let sd = mean * (sigma * sigma).exp_m1().sqrt();
                format!("{{ lognormal = {{ mean = {}, sd = {} }} }}", n(mean), n(sd))
            }
            Dist::Exponential { mean } => format!("{{ exponential = {{ mean = {} }} }}", n(mean)),
            Dist::Beta { a, b } => format!("{{ beta = {{ a = {}, b = {} }} }}", n(a), n(b)),
            Dist::Uniform { min, max } => {
                format!("{{ uniform = {{ min = {}, max = {} }} }}", n(min), n(max))
            }
            Dist::Triangular { min, mode, max } => format!(
                "{{ triangular = {{ min = {}, mode = {}, max = {} }} }}",
                n(min),
                n(mode),
                n(max)
            ),
        }
    }
}

/// A number as a TOML float literal: the shortest text that reads back
/// exactly, with a decimal point or exponent (`1.0`, `0.05`, `1e-7`).
pub fn toml_float(x: f64) -> String {
    let s = format!("{x}");
    if x.is_finite() && !s.contains(['.', 'e', 'E']) {
        format!("{s}.0")
    } else {
        s
    }
}

/// The smallest float in (lo, hi] at which the monotone predicate `holds`
/// (it must hold at `hi`), to the last bit; 0 if it already holds at `lo`.
/// Halves the ratio geometrically while the bracket spans more than a factor
/// of two (so tiny quantiles such as 1e-131 are found in a few dozen steps),
/// then the difference.
fn bisect(lo: f64, hi: f64, holds: impl Fn(f64) -> bool) -> f64 {
    if holds(lo) {
        return 0.0;
    }
    let (mut lo, mut hi) = (lo, hi);
    loop {
        let mid = if hi > 2.0 * lo {
            (lo.sqrt() * hi.sqrt()).max(lo * 2.0).min(hi * 0.5)
        } else {
            lo + (hi - lo) / 2.0
        };
        if mid <= lo || mid >= hi {
            return hi;
        }
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
}

/// Inverse CDF of the triangular distribution on [min, max] with peak at
/// `mode`: F(x) = (x − min)² / ((max − min)(mode − min)) up to the mode,
/// 1 − (max − x)² / ((max − min)(max − mode)) above it. Exact for p in [0, 1];
/// the sampler feeds it one uniform.
pub fn triangular_quantile(min: f64, mode: f64, max: f64, p: f64) -> f64 {
    let width = max - min;
    let left = mode - min;
    // F(mode) = left / width; at p = F(mode) both branches give the mode.
    if p * width < left {
        min + (p * width * left).sqrt()
    } else {
        max - ((1.0 - p) * width * (max - mode)).sqrt()
    }
}

/// Churn (docs/scenario-format.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dropout {
    /// Customers never leave.
    None,
    /// Constant hazard per time unit.
    Hazard(f64),
    /// BG/NBD: p ~ Beta(a, b) per customer; leaves with probability p right after each purchase.
    Bg { a: f64, b: f64 },
    /// Pareto/NBD: mu ~ Gamma(shape, rate) per customer; lifetime ~ Exp(mu).
    Pareto { shape: f64, rate: f64 },
}

/// The list value of one purchase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Basket {
    /// Every purchase is an independent draw from this distribution.
    Iid(Dist),
    /// Gamma-Gamma (Fader, Hardie & Lee 2005): per customer nu ~ Gamma(q, rate gamma),
    /// each purchase ~ Gamma(p, rate nu).
    GammaGamma { p: f64, q: f64, gamma: f64 },
}

impl Basket {
    /// Mean list value of one purchase over the whole segment (infinite if q ≤ 1).
    pub fn mean(&self) -> f64 {
        match *self {
            Basket::Iid(d) => d.mean(),
            Basket::GammaGamma { p, q, gamma } => {
                if q > 1.0 {
                    p * gamma / (q - 1.0)
                } else {
                    f64::INFINITY
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_read_back_as_the_scenario_syntax() {
        let d = Dist::Triangular {
            min: 0.05,
            mode: 0.2,
            max: 0.4,
        };
        assert_eq!(
            d.to_toml(),
            "{ triangular = { min = 0.05, mode = 0.2, max = 0.4 } }"
        );
        assert_eq!(Dist::Fixed(1.0).to_toml(), "1.0");
        let v: toml::Value = toml::from_str(&format!("x = {}", d.to_toml())).unwrap();
        assert_eq!(v["x"]["triangular"]["mode"].as_float(), Some(0.2));
    }

    #[test]
    fn lognormal_moments_round_trip() {
        let d = Dist::lognormal_from_moments(85.0, 40.0);
        assert!((d.mean() - 85.0).abs() < 1e-9);
        assert!((d.variance().sqrt() - 40.0).abs() < 1e-9);
    }

    /// The probabilities the reference quantiles below are given at.
    const PS: [f64; 5] = [1e-6, 0.05, 0.5, 0.95, 1.0 - 1e-6];

    /// `quantile` against values computed independently with mpmath at 40
    /// digits (bisection on the regularised incomplete gamma / beta function,
    /// and exp(mu + sigma sqrt(2) erfinv(2p - 1)) for the log-normal), to a
    /// relative 1e-9. `None`: the true value underflows f64 (about 1e-600).
    fn check_quantiles(d: Dist, reference: [Option<f64>; 5]) {
        for (&p, r) in PS.iter().zip(reference) {
            let q = d.quantile(p);
            match r {
                Some(r) => assert!(
                    (q - r).abs() <= 1e-9 * r.abs(),
                    "{d:?}: quantile({p}) = {q}, reference {r}"
                ),
                None => assert!((0.0..1e-300).contains(&q), "{d:?}: quantile({p}) = {q}"),
            }
        }
    }

    #[test]
    // The references are mpmath's 17 significant digits, kept as printed.
    #[allow(clippy::excessive_precision)]
    fn quantiles_match_high_precision_references() {
        check_quantiles(
            Dist::Gamma {
                shape: 0.243,
                scale: 1.0 / 4.414,
            },
            [
                Some(3.097949801609111e-26),
                Some(6.7359760731934141e-7),
                Some(0.0090679841369668893),
                Some(0.26872595509794112),
                Some(2.4113153687970743),
            ],
        );
        check_quantiles(
            Dist::Gamma {
                shape: 2.5,
                scale: 2.0,
            },
            [
                Some(0.012896160206497097),
                Some(1.1454762260617692),
                Some(4.3514601910955273),
                Some(11.070497693516354),
                Some(35.88818687967287),
            ],
        );
        check_quantiles(
            Dist::Gamma {
                shape: 0.01,
                scale: 1.0,
            },
            [
                None,
                Some(4.4655350189103487e-131),
                Some(4.4655350189103487e-31),
                Some(0.0033626239980747053),
                Some(7.1512534781104591),
            ],
        );
        check_quantiles(
            Dist::Beta { a: 0.793, b: 2.426 },
            [
                Some(1.0631870387187088e-8),
                Some(0.0090217750307957367),
                Some(0.19123981380244004),
                Some(0.66835092614677134),
                Some(0.99607569338555836),
            ],
        );
        check_quantiles(
            Dist::Beta { a: 0.5, b: 0.5 },
            [
                Some(2.4674011002703103e-12),
                Some(0.0061558297024311369),
                Some(0.5),
                Some(0.99384417029756886),
                Some(0.9999999999975326),
            ],
        );
        check_quantiles(
            Dist::Beta { a: 2.0, b: 5.0 },
            [
                Some(0.0002582878293540636),
                Some(0.06284989170835438),
                Some(0.26444998329565996),
                Some(0.58180340925202591),
                Some(0.9555730480301817),
            ],
        );
        check_quantiles(
            Dist::Beta { a: 0.05, b: 0.02 },
            [
                Some(7.3750503543979377e-110),
                Some(7.0333961051921204e-16),
                Some(0.99999998336923407),
                Some(1.0),
                Some(1.0),
            ],
        );
        check_quantiles(
            Dist::lognormal_from_moments(85.0, 40.0),
            [
                Some(9.1762144763900535),
                Some(36.853610571942836),
                Some(76.909589687084497),
                Some(160.5021840204425),
                Some(644.61058544946999),
            ],
        );
    }

    #[test]
    fn closed_form_quantiles() {
        // Exponential: -mean ln(1 - p); uniform: linear; fixed: the value.
        let e = Dist::Exponential { mean: 3.5 };
        for p in PS {
            let want = -3.5 * (1.0 - p).ln();
            assert!((e.quantile(p) - want).abs() <= 1e-9 * want, "exp q({p})");
        }
        // Small p keeps its digits: -ln(1 - 1e-12) = 1e-12 + 5e-25.
        assert!((e.quantile(1e-12) / 3.5e-12 - 1.0).abs() < 1e-12);
        let u = Dist::Uniform { min: 2.0, max: 7.0 };
        assert_eq!(u.quantile(0.05), 2.25);
        assert_eq!(u.quantile(0.95), 6.75);
        assert_eq!(Dist::Fixed(4.25).quantile(0.05), 4.25);
        assert_eq!(Dist::Fixed(4.25).quantile(0.95), 4.25);
        // Ends of the support.
        assert_eq!(e.quantile(0.0), 0.0);
        assert_eq!(
            Dist::Gamma {
                shape: 2.0,
                scale: 1.0
            }
            .quantile(0.0),
            0.0
        );
        assert_eq!(Dist::Beta { a: 2.0, b: 2.0 }.quantile(1.0), 1.0);
    }

    #[test]
    fn quantile_inverts_the_cdf() {
        // F(quantile(p)) = p for p on a grid, each CDF from statrs's
        // regularised incomplete functions (not from the inverse under test).
        use statrs::function::beta::beta_reg;
        use statrs::function::gamma::gamma_lr;
        let grid: Vec<f64> = (1..100).map(|i| i as f64 / 100.0).collect();
        for (shape, scale) in [
            (0.243, 0.2265),
            (0.793, 1.0),
            (1.0, 3.0),
            (6.25, 0.1),
            (40.0, 2.0),
        ] {
            let d = Dist::Gamma { shape, scale };
            for &p in &grid {
                let f = gamma_lr(shape, d.quantile(p) / scale);
                assert!(
                    (f - p).abs() < 1e-10,
                    "gamma({shape},{scale}): F(q({p})) = {f}"
                );
            }
        }
        for (a, b) in [(0.793, 2.426), (0.5, 0.5), (2.0, 5.0), (30.0, 3.0)] {
            let d = Dist::Beta { a, b };
            for &p in &grid {
                let f = beta_reg(a, b, d.quantile(p));
                assert!((f - p).abs() < 1e-10, "beta({a},{b}): F(q({p})) = {f}");
            }
        }
    }

    #[test]
    fn triangular_quantile_closed_form() {
        // Triangular(0, 0.25, 1): F(mode) = 0.25; p = 0.01 → sqrt(0.01 · 0.25) = 0.05;
        // p = 0.91 → 1 − sqrt(0.09 · 0.75) = 1 − 0.2598…; p = F(mode) → the mode.
        let d = Dist::Triangular {
            min: 0.0,
            mode: 0.25,
            max: 1.0,
        };
        assert!((d.quantile(0.01) - 0.05).abs() < 1e-15);
        assert!((d.quantile(0.91) - (1.0 - (0.09f64 * 0.75).sqrt())).abs() < 1e-15);
        assert_eq!(d.quantile(0.25), 0.25);
        assert_eq!(d.quantile(0.0), 0.0);
        assert_eq!(d.quantile(1.0), 1.0);
        // The median of a symmetric triangle is its mode; the right-angled
        // shapes (mode at an end) have no first branch / no second branch.
        let s = Dist::Triangular {
            min: 2.0,
            mode: 3.0,
            max: 4.0,
        };
        assert!((s.quantile(0.5) - 3.0).abs() < 1e-15);
        let left = Dist::Triangular {
            min: 1.0,
            mode: 1.0,
            max: 4.0,
        };
        assert!((left.quantile(0.75) - (4.0 - 3.0 * 0.5)).abs() < 1e-15);
        let right = Dist::Triangular {
            min: 0.0,
            mode: 2.0,
            max: 2.0,
        };
        assert!((right.quantile(0.25) - 2.0 * 0.5).abs() < 1e-15);
        // mean and variance of Triangular(0, 0.25, 1): 1.25/3 and (1 + 0.0625 − 0.25)/18.
        assert!((d.mean() - 1.25 / 3.0).abs() < 1e-15);
        assert!((d.variance() - 0.8125 / 18.0).abs() < 1e-15);
    }

    #[test]
    fn gamma_gamma_mean_is_p_gamma_over_q_minus_one() {
        let b = Basket::GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        assert!((b.mean() - 6.25 * 15.44 / 2.74).abs() < 1e-12);
    }
}
