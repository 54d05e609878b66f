//! A customer's traits, drawn once from their segment: purchase rate, dropout
//! parameter and basket parameter (docs/model.md section 1).

use crate::model::dist::{Basket, Dist, Dropout};
use crate::model::rng::Stream;
use crate::model::sampling::{self, GammaSampler};
use crate::model::scenario::Segment;

/// How this customer may leave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Churn {
    Never,
    /// Leaves at a constant rate per time unit (hazard, or Pareto/NBD's mu).
    Rate(f64),
    /// Leaves with this probability right after each purchase (BG/NBD's p).
    AfterPurchase(f64),
}

/// Traits of one customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traits {
    /// Purchases per time unit without a program.
    pub rate: f64,
    pub churn: Churn,
    /// For Gamma-Gamma baskets, this customer's nu (rate of the per-purchase gamma).
    pub basket_nu: f64,
}

/// One distribution with its sampler's constants worked out once (a
/// gamma's Marsaglia–Tsang constants), drawing exactly as [`sampling::draw`].
#[derive(Debug, Clone, Copy)]
enum Prepared {
    Fixed(f64),
    Gamma(GammaSampler, f64),
    Other(Dist),
}

impl Prepared {
    fn new(d: &Dist) -> Prepared {
        match *d {
            Dist::Fixed(x) => Prepared::Fixed(x),
            Dist::Gamma { shape, scale } if shape > 0.0 => {
                Prepared::Gamma(GammaSampler::new(shape), scale)
            }
            d => Prepared::Other(d),
        }
    }

    #[inline(always)]
    fn draw(&self, rng: &mut Stream) -> f64 {
        match *self {
            Prepared::Fixed(x) => x,
            Prepared::Gamma(g, scale) => scale * g.sample(rng),
            Prepared::Other(d) => sampling::draw(rng, &d),
        }
    }
}

/// A gamma sampler for `shape`, or `None` for a shape the samplers reject
/// (validation keeps those out; the unprepared path then returns NaN as before).
fn gamma_sampler(shape: f64) -> Option<GammaSampler> {
    (shape > 0.0).then(|| GammaSampler::new(shape))
}

#[derive(Debug, Clone, Copy)]
enum DropoutDraw {
    Never,
    Hazard(f64),
    Bg(GammaSampler, GammaSampler),
    Pareto(GammaSampler, f64),
    /// Shapes the samplers reject: drawn through the unprepared functions.
    Raw(Dropout),
}

#[derive(Debug, Clone, Copy)]
enum BasketDraw {
    Iid(Prepared),
    /// The per-purchase Gamma(p) sampler, and the per-customer Gamma(q)
    /// sampler with the rate gamma.
    GammaGamma(GammaSampler, GammaSampler, f64),
    Raw(Basket),
}

/// A segment's trait and basket distributions with their samplers' constants
/// worked out once per run instead of once per draw. Draws are bit for bit
/// those of [`draw`] and [`basket`] (the same streams, the same arithmetic).
#[derive(Debug, Clone, Copy)]
pub struct SegmentDraws {
    rate: Prepared,
    dropout: DropoutDraw,
    basket: BasketDraw,
    /// [`SegmentDraws::fixed_basket`], read for every customer: one load
    /// rather than a match on two nested enums.
    fixed_basket: Option<f64>,
}

impl SegmentDraws {
    pub fn new(seg: &Segment) -> SegmentDraws {
        let dropout = match seg.dropout {
            Dropout::None => DropoutDraw::Never,
            Dropout::Hazard(h) => DropoutDraw::Hazard(h),
            Dropout::Bg { a, b } => match (gamma_sampler(a), gamma_sampler(b)) {
                (Some(x), Some(y)) => DropoutDraw::Bg(x, y),
                _ => DropoutDraw::Raw(seg.dropout),
            },
            Dropout::Pareto { shape, rate } => match gamma_sampler(shape) {
                Some(g) => DropoutDraw::Pareto(g, rate),
                None => DropoutDraw::Raw(seg.dropout),
            },
        };
        let basket = match seg.basket {
            Basket::Iid(d) => BasketDraw::Iid(Prepared::new(&d)),
            Basket::GammaGamma { p, q, gamma } => match (gamma_sampler(p), gamma_sampler(q)) {
                (Some(gp), Some(gq)) => BasketDraw::GammaGamma(gp, gq, gamma),
                _ => BasketDraw::Raw(seg.basket),
            },
        };
        let fixed_basket = match basket {
            BasketDraw::Iid(Prepared::Fixed(x)) => Some(x),
            _ => None,
        };
        SegmentDraws {
            rate: Prepared::new(&seg.purchase_rate),
            dropout,
            basket,
            fixed_basket,
        }
    }

    /// A customer's traits, the same as [`draw`] for this segment.
    #[inline(always)]
    pub fn traits(&self, rng: &mut Stream) -> Traits {
        let rate = self.rate.draw(rng);
        let churn = match self.dropout {
            DropoutDraw::Never => Churn::Never,
            DropoutDraw::Hazard(h) => Churn::Rate(h),
            DropoutDraw::Bg(x, y) => Churn::AfterPurchase(sampling::beta_with(rng, &x, &y)),
            DropoutDraw::Pareto(g, rate) => Churn::Rate(g.sample(rng) / rate),
            DropoutDraw::Raw(d) => raw_churn(d, rng),
        };
        let basket_nu = match self.basket {
            BasketDraw::GammaGamma(_, gq, gamma) => gq.sample(rng) / gamma,
            BasketDraw::Raw(Basket::GammaGamma { q, gamma, .. }) => sampling::gamma(rng, q) / gamma,
            _ => 0.0,
        };
        Traits {
            rate,
            churn,
            basket_nu,
        }
    }

    /// Whether baskets need a random stream (all but fixed ones do).
    #[inline]
    pub fn basket_is_random(&self) -> bool {
        self.fixed_basket().is_none()
    }

    /// The list value of every purchase when baskets are fixed.
    #[inline]
    pub fn fixed_basket(&self) -> Option<f64> {
        self.fixed_basket
    }

    /// The list value of one purchase, the same as [`basket`]. `rng` may be
    /// `None` only for fixed baskets.
    #[inline(always)]
    pub fn basket(&self, traits: &Traits, rng: Option<&mut Stream>) -> f64 {
        match (self.basket, rng) {
            (BasketDraw::Iid(Prepared::Fixed(x)), _) => x,
            (BasketDraw::Iid(d), Some(rng)) => d.draw(rng),
            (BasketDraw::GammaGamma(gp, _, _), Some(rng)) => gp.sample(rng) / traits.basket_nu,
            (BasketDraw::Raw(Basket::GammaGamma { p, .. }), Some(rng)) => {
                sampling::gamma(rng, p) / traits.basket_nu
            }
            (BasketDraw::Raw(Basket::Iid(d)), Some(rng)) => sampling::draw(rng, &d),
            (_, None) => unreachable!("random baskets always get a stream"),
        }
    }
}

fn raw_churn(d: Dropout, rng: &mut Stream) -> Churn {
    match d {
        Dropout::None => Churn::Never,
        Dropout::Hazard(h) => Churn::Rate(h),
        Dropout::Bg { a, b } => Churn::AfterPurchase(sampling::beta(rng, a, b)),
        Dropout::Pareto { shape, rate } => Churn::Rate(sampling::gamma(rng, shape) / rate),
    }
}

/// Draw a customer's traits from their segment. The draws always happen in
/// the same order, so every program sees the same customer.
#[inline]
pub fn draw(seg: &Segment, rng: &mut Stream) -> Traits {
    let rate = sampling::draw(rng, &seg.purchase_rate);
    let churn = match seg.dropout {
        Dropout::None => Churn::Never,
        Dropout::Hazard(h) => Churn::Rate(h),
        Dropout::Bg { a, b } => Churn::AfterPurchase(sampling::beta(rng, a, b)),
        Dropout::Pareto { shape, rate } => Churn::Rate(sampling::gamma(rng, shape) / rate),
    };
    let basket_nu = match seg.basket {
        Basket::GammaGamma { q, gamma, .. } => sampling::gamma(rng, q) / gamma,
        Basket::Iid(_) => 0.0,
    };
    Traits {
        rate,
        churn,
        basket_nu,
    }
}

/// The list value of one purchase. `rng` may be `None` only for fixed baskets.
#[inline]
pub fn basket(seg: &Segment, traits: &Traits, rng: Option<&mut Stream>) -> f64 {
    match (seg.basket, rng) {
        (Basket::Iid(Dist::Fixed(x)), _) => x,
        (Basket::Iid(d), Some(rng)) => sampling::draw(rng, &d),
        (Basket::GammaGamma { p, .. }, Some(rng)) => sampling::gamma(rng, p) / traits.basket_nu,
        (_, None) => unreachable!("random baskets always get a stream"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::response::Response;
    use crate::model::rng::Purpose;

    /// Prepared samplers draw bit for bit what the unprepared ones draw.
    #[test]
    fn segment_draws_are_the_unprepared_draws() {
        let dists = [
            Dist::Fixed(3.0),
            Dist::Gamma {
                shape: 0.243,
                scale: 1.0 / 4.414,
            },
            Dist::Gamma {
                shape: 2.5,
                scale: 0.3,
            },
            Dist::lognormal_from_moments(80.0, 40.0),
            Dist::Exponential { mean: 2.0 },
        ];
        let dropouts = [
            Dropout::None,
            Dropout::Hazard(0.05),
            Dropout::Bg { a: 0.793, b: 2.426 },
            Dropout::Bg { a: 1.5, b: 0.2 },
            Dropout::Pareto {
                shape: 0.6,
                rate: 11.0,
            },
        ];
        let baskets = [
            Basket::Iid(Dist::Fixed(35.0)),
            Basket::Iid(Dist::lognormal_from_moments(80.0, 40.0)),
            Basket::Iid(Dist::Gamma {
                shape: 0.7,
                scale: 20.0,
            }),
            Basket::GammaGamma {
                p: 6.25,
                q: 3.74,
                gamma: 15.44,
            },
            Basket::GammaGamma {
                p: 0.5,
                q: 0.8,
                gamma: 2.0,
            },
        ];
        let mut key = 0;
        for &purchase_rate in &dists {
            for &dropout in &dropouts {
                for &basket in &baskets {
                    let seg = Segment {
                        name: "s".into(),
                        share: 1.0,
                        purchase_rate,
                        dropout,
                        basket,
                        response: Response::default(),
                    };
                    let prep = SegmentDraws::new(&seg);
                    assert_eq!(
                        prep.basket_is_random(),
                        basket != Basket::Iid(Dist::Fixed(35.0))
                    );
                    for _ in 0..200 {
                        key += 1;
                        let mut a = Stream::new(9, 0, key, Purpose::Traits);
                        let mut b = a.clone();
                        let ta = draw(&seg, &mut a);
                        let tb = prep.traits(&mut b);
                        assert_eq!(format!("{ta:?}"), format!("{tb:?}"));
                        for _ in 0..3 {
                            let x = super::basket(&seg, &ta, Some(&mut a));
                            let y = prep.basket(&tb, Some(&mut b));
                            assert_eq!(x.to_bits(), y.to_bits());
                        }
                        assert_eq!(a.next_u64(), b.next_u64());
                    }
                }
            }
        }
    }
}
