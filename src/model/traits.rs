//! A customer's traits, drawn once from their segment: purchase rate, dropout
//! parameter and basket parameter (docs/model.md section 1).

use crate::model::rng::Stream;
use crate::model::sampling;
use crate::scenario::{Basket, Dist, Dropout, Segment};

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

/// Draw a customer's traits from their segment. The draws always happen in
/// the same order, so every program sees the same customer.
#[inline(always)]
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
