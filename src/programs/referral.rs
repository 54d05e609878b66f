//! Referral rewards: a member who brings a new customer is paid
//! `referrer_reward` when that customer first buys, and the new customer gets
//! `referee_reward` off that first purchase.
//!
//! Its incentive is the referrer's reward: members recommend the shop more
//! often the larger it is (`referral_boost` at a reward of one basket, none
//! without a reward); the acquisition process applies that rate.

use crate::model::scenario::Referral;
use crate::programs::mechanism::{Ctx, Incentive, Mechanism, Till};
use crate::record::recorder::{Flow, Moment, Recorder};

impl Mechanism for Referral {
    type State = ();

    #[inline]
    fn incentive(&self, _st: &(), _cx: &Ctx<'_>) -> Incentive {
        Incentive {
            referral_reward: self.referrer_reward,
            ..Incentive::default()
        }
    }
}

/// The first purchase of a customer a member brought: the new customer's
/// reward comes off the price (at most what is left to pay) and the member
/// who referred them is paid. Whether or not the newcomer joins anything.
pub fn first_purchase(r: &Referral, at: Moment, till: &mut Till, rec: &mut Recorder) {
    till.discount += r.referee_reward.min(till.net().max(0.0));
    rec.book(Flow::RewardCost, at, r.referrer_reward);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referee_reward_is_capped_by_what_is_left_to_pay() {
        let r = Referral {
            referrer_reward: 10.0,
            referee_reward: 15.0,
            referral_boost: None,
        };
        let mut rec = Recorder::new(10.0, 1.0);
        let at = rec.moment(1.0);
        let mut till = Till {
            basket: 20.0,
            discount: 8.0,
        };
        first_purchase(&r, at, &mut till, &mut rec);
        assert_eq!(till.discount, 20.0);
        let mut till = Till {
            basket: 40.0,
            discount: 0.0,
        };
        first_purchase(&r, at, &mut till, &mut rec);
        assert_eq!(till.discount, 15.0);
        assert_eq!(rec.total(Flow::RewardCost), 20.0);
    }
}
