//! A customer's habits as a program sees them: how often they buy without a
//! program, how much they usually spend, and how many of their baskets reach
//! an amount. Mechanisms use these to state the incentive as this customer
//! sees it (a stamp per EUR 30 basket is worth less to someone who rarely
//! spends 30), and the response uses them for self-selection and damping.

use crate::math::cdf;
use crate::model::dist::{Basket, Dist};
use crate::model::scenario::Segment;
use crate::model::traits::Traits;

/// What is known of one customer's buying habits (from their traits),
/// fixed when made ([`Habits::new`], [`Habits::fixed`]): read through the
/// accessors, since some of it is worked out from the rest once.
#[derive(Debug, Clone, Copy)]
pub struct Habits {
    /// Purchases per time unit without a program (λᵢ): [`Habits::rate`].
    rate: f64,
    /// The population's mean purchase rate (λ̄), for self-selection and damping.
    mean_rate: f64,
    /// This customer's own expected basket (list value):
    /// [`Habits::mean_basket`]. Private: `basket_measures` is worked out
    /// from it when the habits are made.
    mean_basket: f64,
    basket: Basket,
    basket_nu: f64,
    /// `mean_basket` is positive and finite (an amount others can be
    /// measured in), decided once: a member's response asks at every event.
    basket_measures: bool,
}

impl Habits {
    pub fn new(seg: &Segment, tr: &Traits, mean_rate: f64) -> Habits {
        let mean_basket = match seg.basket {
            Basket::Iid(d) => d.mean(),
            Basket::GammaGamma { p, .. } => {
                if tr.basket_nu > 0.0 {
                    p / tr.basket_nu
                } else {
                    f64::INFINITY
                }
            }
        };
        Habits {
            rate: tr.rate,
            mean_rate,
            mean_basket,
            basket: seg.basket,
            basket_nu: tr.basket_nu,
            basket_measures: measures(mean_basket),
        }
    }

    /// An average customer buying `rate` times a time unit, always for
    /// `basket` (for tests and examples that need habits without a segment).
    pub fn fixed(rate: f64, basket: f64) -> Habits {
        Habits {
            rate,
            mean_rate: rate,
            mean_basket: basket,
            basket: Basket::Iid(Dist::Fixed(basket)),
            basket_nu: 0.0,
            basket_measures: measures(basket),
        }
    }

    /// Purchases per time unit without a program (λᵢ).
    #[inline]
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// This customer's own expected basket (list value; infinite for
    /// Gamma-Gamma spend without a spend parameter).
    #[inline]
    pub fn mean_basket(&self) -> f64 {
        self.mean_basket
    }

    /// True when the mean basket is positive and finite, so that a value
    /// can be stated in baskets (`mean_basket > 0 && mean_basket.is_finite()`).
    #[inline]
    pub fn basket_measures(&self) -> bool {
        self.basket_measures
    }

    /// Share of this customer's baskets worth at least `amount`.
    pub fn share_at_least(&self, amount: f64) -> f64 {
        if amount <= 0.0 {
            return 1.0;
        }
        match self.basket {
            Basket::Iid(d) => dist_at_least(&d, amount),
            Basket::GammaGamma { p, .. } => cdf::gamma_q(p, amount * self.basket_nu),
        }
    }

    /// Own rate relative to the population's mean (1 for an average buyer).
    pub fn relative_rate(&self) -> f64 {
        if self.mean_rate > 0.0 {
            self.rate / self.mean_rate
        } else {
            1.0
        }
    }
}

/// See [`Habits::basket_measures`].
fn measures(mean_basket: f64) -> bool {
    mean_basket > 0.0 && mean_basket.is_finite()
}

/// P(X ≥ x) for a basket distribution and x > 0.
fn dist_at_least(d: &Dist, x: f64) -> f64 {
    match *d {
        Dist::Fixed(c) => {
            if c >= x {
                1.0
            } else {
                0.0
            }
        }
        Dist::Gamma { shape, scale } => cdf::gamma_q(shape, x / scale),
        Dist::LogNormal { mu, sigma } => {
            if sigma > 0.0 {
                1.0 - cdf::normal_cdf((libm::log(x) - mu) / sigma)
            } else if libm::exp(mu) >= x {
                1.0
            } else {
                0.0
            }
        }
        Dist::Exponential { mean } => libm::exp(-x / mean),
        Dist::Beta { a, b } => 1.0 - cdf::beta_i(a, b, x),
        Dist::Uniform { min, max } => {
            if max > min {
                ((max - x) / (max - min)).clamp(0.0, 1.0)
            } else if min >= x {
                1.0
            } else {
                0.0
            }
        }
        Dist::Triangular { min, mode, max } => {
            if x <= min {
                1.0
            } else if x >= max {
                0.0
            } else if x <= mode {
                1.0 - (x - min) * (x - min) / ((max - min) * (mode - min))
            } else {
                (max - x) * (max - x) / ((max - min) * (max - mode))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::{Purpose, Stream};
    use crate::model::sampling;

    #[test]
    fn a_basket_measures_when_positive_and_finite() {
        assert!(Habits::fixed(1.0, 35.0).basket_measures());
        for b in [0.0, -1.0, f64::INFINITY, f64::NAN] {
            assert!(!Habits::fixed(1.0, b).basket_measures(), "{b}");
        }
        // Gamma-Gamma spend with no spend parameter: an infinite mean.
        let seg = Segment {
            name: "s".into(),
            share: 1.0,
            purchase_rate: Dist::Fixed(1.0),
            dropout: crate::model::dist::Dropout::None,
            basket: Basket::GammaGamma {
                p: 6.0,
                q: 4.0,
                gamma: 25.0,
            },
            response: crate::model::response::Response::default(),
        };
        let tr = |nu| Traits {
            rate: 1.0,
            churn: crate::model::traits::Churn::Never,
            basket_nu: nu,
        };
        assert!(!Habits::new(&seg, &tr(0.0), 1.0).basket_measures());
        assert!(Habits::new(&seg, &tr(0.2), 1.0).basket_measures());
    }

    /// The share above an amount matches the share of sampled baskets.
    #[test]
    fn share_at_least_matches_sampling() {
        let dists = [
            Dist::Gamma {
                shape: 2.0,
                scale: 20.0,
            },
            Dist::lognormal_from_moments(80.0, 40.0),
            Dist::Exponential { mean: 50.0 },
            Dist::Uniform {
                min: 10.0,
                max: 90.0,
            },
            Dist::Triangular {
                min: 10.0,
                mode: 20.0,
                max: 100.0,
            },
            Dist::Triangular {
                min: 10.0,
                mode: 60.0,
                max: 100.0,
            },
        ];
        let n = 200_000;
        for (i, d) in dists.iter().enumerate() {
            let mut rng = Stream::new(3, i as u64, 0, Purpose::Basket);
            let hits = (0..n)
                .filter(|_| sampling::draw(&mut rng, d) >= 30.0)
                .count() as f64
                / n as f64;
            let p = dist_at_least(d, 30.0);
            // Four binomial standard errors.
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((hits - p).abs() <= 4.0 * se, "{d:?}: {hits} vs {p}");
        }
        assert_eq!(dist_at_least(&Dist::Fixed(30.0), 30.0), 1.0);
        assert_eq!(dist_at_least(&Dist::Fixed(29.9), 30.0), 0.0);
    }
}
