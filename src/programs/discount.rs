//! Discount: a flat rate, or cumulative tiers by a member's spend or number
//! of purchases (the rate grows as the customer stays).
//!
//! Its incentive is the rate on the next purchase: an immediate saving, no
//! goal and nothing banked.

use crate::model::scenario::{Discount, TierBasis};
use crate::programs::mechanism::{Ctx, Incentive, Mechanism, Till};
use crate::record::recorder::{Moment, Recorder};

impl Mechanism for Discount {
    type State = ();

    #[inline]
    fn purchase(
        &self,
        _st: &mut (),
        cx: &Ctx<'_>,
        _at: Moment,
        till: &mut Till,
        _chance: &mut impl FnMut(f64) -> bool,
        _rec: &mut Recorder,
    ) -> bool {
        till.discount += self.rate_for(cx) * till.basket;
        false
    }

    #[inline]
    fn incentive(&self, _st: &(), cx: &Ctx<'_>) -> Incentive {
        Incentive {
            discount: self.rate_for(cx),
            ..Incentive::default()
        }
    }
}

impl Discount {
    /// The rate on the member's next purchase.
    #[inline]
    fn rate_for(&self, cx: &Ctx<'_>) -> f64 {
        match self.tiers.as_slice() {
            [t] if t.from <= 0.0 => t.rate,
            _ => rate(self, cx.spend, cx.purchases),
        }
    }
}

/// The rate that applies to a member's next purchase, given their cumulative
/// net spend and purchases as a member before it.
pub fn rate(d: &Discount, spend: f64, purchases: u32) -> f64 {
    let level = match d.basis {
        TierBasis::Spend => spend,
        TierBasis::Purchases => purchases as f64,
    };
    // Tiers are sorted by `from`; the last one reached applies.
    d.tiers
        .iter()
        .take_while(|t| t.from <= level)
        .last()
        .map_or(0.0, |t| t.rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::Tier;

    fn tiers(basis: TierBasis) -> Discount {
        Discount {
            tiers: vec![
                Tier {
                    from: 0.0,
                    rate: 0.03,
                },
                Tier {
                    from: 500.0,
                    rate: 0.05,
                },
                Tier {
                    from: 1000.0,
                    rate: 0.07,
                },
            ],
            basis,
        }
    }

    #[test]
    fn tier_reached_applies() {
        let d = tiers(TierBasis::Spend);
        assert_eq!(rate(&d, 0.0, 0), 0.03);
        assert_eq!(rate(&d, 499.99, 9), 0.03);
        assert_eq!(rate(&d, 500.0, 0), 0.05);
        assert_eq!(rate(&d, 5000.0, 0), 0.07);
    }

    #[test]
    fn purchases_basis_counts_purchases() {
        let d = tiers(TierBasis::Purchases);
        assert_eq!(rate(&d, 10_000.0, 3), 0.03);
        assert_eq!(rate(&d, 0.0, 500), 0.05);
    }
}
