//! Heterogeneity: the one-key distribution tables of SPEC 3.1 and the dropout
//! models of SPEC 3.2, in resolved form (every parameterisation reduced to one).

/// A distribution of a non-negative quantity, drawn once per customer (or per purchase for baskets).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Fixed(f64),
    /// Gamma with `shape` and `scale` (mean = shape × scale).
    Gamma { shape: f64, scale: f64 },
    /// Log-normal given by the mean and sd of the variable itself; `mu`, `sigma`
    /// are the parameters of its logarithm.
    LogNormal { mu: f64, sigma: f64 },
    Exponential { mean: f64 },
    Beta { a: f64, b: f64 },
    Uniform { min: f64, max: f64 },
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
        }
    }
}

/// Churn (SPEC 3.2).
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
    fn lognormal_moments_round_trip() {
        let d = Dist::lognormal_from_moments(85.0, 40.0);
        assert!((d.mean() - 85.0).abs() < 1e-9);
        assert!((d.variance().sqrt() - 40.0).abs() < 1e-9);
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
