//! Referral rewards: a member who brings a new customer is paid
//! `referrer_reward` when that customer first buys, and the new customer gets
//! `referee_reward` off that first purchase. Members also refer more often
//! (`referral_boost`), which the acquisition process applies.

use crate::scenario::{Referral, Response};

/// The multiplier on a member's word-of-mouth contact rate.
pub fn boost(r: &Referral, response: &Response) -> f64 {
    r.referral_boost.unwrap_or(response.referral_boost)
}

/// The referee's discount on a first purchase of list value `basket`
/// (a reward larger than the basket is worth only the basket).
pub fn referee_discount(r: &Referral, basket: f64) -> f64 {
    r.referee_reward.min(basket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_boost_overrides_response_default() {
        let mut r = Referral {
            referrer_reward: 10.0,
            referee_reward: 10.0,
            referral_boost: None,
        };
        assert_eq!(boost(&r, &Response::default()), 2.0);
        r.referral_boost = Some(3.0);
        assert_eq!(boost(&r, &Response::default()), 3.0);
    }

    #[test]
    fn referee_reward_is_capped_by_the_basket() {
        let r = Referral {
            referrer_reward: 10.0,
            referee_reward: 15.0,
            referral_boost: None,
        };
        assert_eq!(referee_discount(&r, 12.0), 12.0);
        assert_eq!(referee_discount(&r, 40.0), 15.0);
    }
}
