//! Stamp card: one stamp per qualifying purchase, a reward when the card is
//! full, optional pre-printed stamps and card expiry.
//!
//! Its incentive: the reward's value per currency unit this member spends
//! on the way to it (their own basket, and only baskets of at least
//! `min_basket` earn), times their chance of filling a card before it
//! expires or the program ends; the card's progress as a goal; the card's
//! stamps as banked value.
//!
//! Endowed progress (Nunes & Drèze 2006): a member may give a card up after
//! a stamp, with chance `card_abandonment` × the share of the card still
//! empty. Pre-printed stamps make a card look fuller, so fewer are given up
//! and more are completed than blank cards needing as many purchases. A
//! card given up earns nothing more: the member is back to buying as
//! without the program (their membership's other mechanisms go on).

use crate::model::scenario::Stamps;
use crate::programs::mechanism::{self, Ctx, Goal, Incentive, Mechanism, Till};
use crate::record::recorder::{Flow, Moment, Recorder};

/// A member's current card, and what this member makes of the card.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Card {
    /// Stamps on the card, pre-printed ones included.
    pub stamps: u32,
    /// When the card's first earned stamp was given (its expiry clock), or infinity.
    pub started: f64,
    /// The member gave the card up (or is not a member).
    pub abandoned: bool,
    /// With `per_amount` and `carry_remainder`: spend not yet turned into a stamp.
    pub carried: f64,
    /// The reward's value per currency unit of the member's spend.
    value: f64,
    /// The member's chance of filling a card in time.
    reachable: f64,
    /// Stamps this member earns per time unit: their rate × the stamps a
    /// purchase earns on average (the share of baskets that earn one, or
    /// with `per_amount` the expected number).
    pace: f64,
    /// Whether a whole card can be filled before it expires at that pace.
    feasible: bool,
}

impl Default for Card {
    /// No card: not a member.
    fn default() -> Card {
        Card {
            stamps: 0,
            started: f64::INFINITY,
            abandoned: true,
            carried: 0.0,
            value: 0.0,
            reachable: 0.0,
            pace: 0.0,
            feasible: false,
        }
    }
}

impl Mechanism for Stamps {
    type State = Card;

    fn join(&self, card: &mut Card, cx: &Ctx<'_>, _rec: &mut Recorder) {
        let h = cx.habits;
        let qualifying = stamps_per_purchase(self, h);
        let needed = f64::from(self.card_size - self.prestamped);
        let value = if h.basket_measures() {
            qualifying * self.reward_value / (needed * h.mean_basket())
        } else {
            0.0
        };
        let window = self
            .card_expiry
            .unwrap_or(f64::INFINITY)
            .min(cx.program_end - cx.t);
        // Fixed for the membership (the member's habits do not change),
        // so worked out here rather than at every event.
        let pace = h.rate() * qualifying;
        *card = Card {
            stamps: self.prestamped,
            started: f64::INFINITY,
            abandoned: false,
            carried: 0.0,
            value,
            reachable: mechanism::chance_within(needed, pace, window),
            pace,
            feasible: self
                .card_expiry
                .is_none_or(|e| mechanism::time_for(needed, pace) <= e),
        };
    }

    #[inline]
    fn purchase(
        &self,
        card: &mut Card,
        cx: &Ctx<'_>,
        at: Moment,
        till: &mut Till,
        chance: &mut impl FnMut(f64) -> bool,
        rec: &mut Recorder,
    ) -> bool {
        if card.abandoned {
            return false;
        }
        let (added, rewards) = card.stamp_basket(self, at.t, till.basket);
        if rewards > 0 {
            let r = f64::from(rewards);
            rec.book(
                Flow::RewardCost,
                at,
                self.reward_value * self.reward_cost_ratio * r,
            );
            rec.book(Flow::RewardsRedeemed, at, r);
            return true;
        }
        if added == 0 {
            return false;
        }
        let give_up = cx.response.card_abandonment * (1.0 - card.progress(self));
        if give_up > 0.0 && chance(give_up) {
            card.abandoned = true;
        }
        false
    }

    #[inline]
    fn incentive(&self, card: &Card, _cx: &Ctx<'_>) -> Incentive {
        if card.abandoned {
            return Incentive::default();
        }
        let progress = card.progress(self);
        Incentive {
            deferred: card.value * card.reachable,
            goal: Some(Goal {
                progress,
                value: card.value,
                time_to_goal: mechanism::time_for(
                    f64::from(self.card_size - card.stamps),
                    card.pace,
                ),
                deadline: card.expires(self),
                feasible: card.feasible,
            }),
            banked: progress * self.reward_value,
            ..Incentive::default()
        }
    }

    fn next_event(&self, card: &Card) -> f64 {
        card.expires(self)
    }

    fn on_scheduled(&self, card: &mut Card, t: f64, _rec: &mut Recorder) {
        if card.expires(self) <= t {
            card.restart(self);
        }
    }

    fn close(&self, card: &mut Card, _t: f64, _lost_as: Flow, _rec: &mut Recorder) {
        *card = Card::default();
    }
}

/// Stamps a member with habits `h` earns per purchase on average: the share
/// of their baskets of at least `min_basket`, or with `per_amount` = a the
/// expected number of full amounts, E[⌊B/a⌋; B ≥ min] = Σₖ P(B ≥ max(k·a, min))
/// without carrying the remainder, E[B; B ≥ min] / a with it.
pub fn stamps_per_purchase(s: &Stamps, h: &crate::model::habits::Habits) -> f64 {
    let Some(a) = s.per_amount else {
        return h.share_at_least(s.min_basket);
    };
    if !h.basket_measures() {
        return 0.0;
    }
    let m = s.min_basket;
    if s.carry_remainder {
        if m <= 0.0 {
            return h.mean_basket() / a;
        }
        // E[B; B >= m] = m P(B >= m) + ∫_m^∞ P(B >= x) dx, by the midpoint rule.
        let step = (h.mean_basket() / 50.0).min(a).max(m * 1e-3);
        let mut tail = 0.0;
        for j in 0..MAX_TERMS {
            let p = h.share_at_least(m + (j as f64 + 0.5) * step);
            tail += p * step;
            if p < 1e-9 {
                break;
            }
        }
        return (m * h.share_at_least(m) + tail) / a;
    }
    let mut sum = 0.0;
    for k in 1..=MAX_TERMS {
        let p = h.share_at_least((k as f64 * a).max(m));
        sum += p;
        if p < 1e-9 {
            return sum;
        }
    }
    // Amounts tiny against the basket: every basket earns about B / a − 1/2.
    (h.mean_basket() / a - 0.5).max(sum)
}

/// Terms summed for the expected stamps of a purchase.
const MAX_TERMS: usize = 10_000;

/// What a purchase did to the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// The basket was too small to earn a stamp.
    None,
    Added,
    /// The stamp filled the card: a reward, and a fresh card.
    Full,
}

impl Card {
    /// A fresh card with the pre-printed stamps (after a reward or expiry).
    fn restart(&mut self, s: &Stamps) {
        self.stamps = s.prestamped;
        self.started = f64::INFINITY;
    }

    /// Stamp the card for a purchase of list value `basket` at `t`. A card
    /// that fills up gives its reward and starts again with the pre-printed
    /// stamps.
    pub fn stamp(&mut self, s: &Stamps, t: f64, basket: f64) -> Stamp {
        match self.stamp_basket(s, t, basket) {
            (0, _) => Stamp::None,
            (_, 0) => Stamp::Added,
            _ => Stamp::Full,
        }
    }

    /// Stamp the card for a purchase of list value `basket` at `t`: one
    /// stamp, or with `per_amount` one per full amount (plus the carried
    /// remainder, with `carry_remainder`). Each time the card fills it gives
    /// a reward and starts again with the pre-printed stamps; stamps beyond
    /// a full card go on the next one. Baskets below `min_basket` earn
    /// nothing and carry nothing. Returns (stamps added, rewards).
    pub fn stamp_basket(&mut self, s: &Stamps, t: f64, basket: f64) -> (u32, u32) {
        if basket < s.min_basket {
            return (0, 0);
        }
        let n = match s.per_amount {
            None => 1,
            Some(a) => {
                let total = basket + self.carried;
                let n = (total / a).floor();
                if s.carry_remainder {
                    self.carried = total - n * a;
                }
                // A basket worth billions of stamps is capped, not wrapped.
                n.min(f64::from(u32::MAX)) as u32
            }
        };
        if n == 0 {
            return (0, 0);
        }
        if self.started.is_infinite() {
            self.started = t;
        }
        let room = s.card_size - self.stamps;
        if n < room {
            self.stamps += n;
            return (n, 0);
        }
        // The first card fills; the rest fill whole fresh cards and the
        // remainder starts the next one.
        let per_card = s.card_size - s.prestamped;
        let after = n - room;
        let rewards = 1 + after / per_card;
        let rest = after % per_card;
        self.restart(s);
        self.stamps += rest;
        if rest > 0 {
            self.started = t;
        }
        (n, rewards)
    }

    /// When the card becomes void (infinity if it never does or has no earned stamp).
    pub fn expires(&self, s: &Stamps) -> f64 {
        if self.abandoned {
            return f64::INFINITY;
        }
        s.card_expiry.map_or(f64::INFINITY, |e| self.started + e)
    }

    /// Progress toward the reward, pre-printed stamps included (k/K).
    pub fn progress(&self, s: &Stamps) -> f64 {
        f64::from(self.stamps) / f64::from(s.card_size)
    }

    /// A card set by a script (`member.stamps`): clamp to the card's size.
    pub fn set_stamps(&mut self, s: &Stamps, n: i64, t: f64) {
        self.stamps = n.clamp(0, i64::from(s.card_size)) as u32;
        if self.started.is_infinite() {
            self.started = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(size: u32, pre: u32) -> Stamps {
        Stamps {
            per_amount: None,
            carry_remainder: false,
            card_size: size,
            reward_value: 40.0,
            prestamped: pre,
            min_basket: 10.0,
            card_expiry: Some(6.0),
            reward_cost_ratio: 0.55,
        }
    }

    fn fresh(s: &Stamps) -> Card {
        let mut c = Card {
            abandoned: false,
            ..Card::default()
        };
        c.restart(s);
        c
    }

    #[test]
    fn completes_after_size_minus_prestamped() {
        let s = card(10, 2);
        let mut c = fresh(&s);
        let done: Vec<Stamp> = (0..8).map(|i| c.stamp(&s, i as f64, 20.0)).collect();
        assert_eq!(done.iter().filter(|d| **d == Stamp::Full).count(), 1);
        assert_eq!(done[7], Stamp::Full);
        assert_eq!(c.stamps, 2);
        assert!(c.started.is_infinite());
    }

    #[test]
    fn small_baskets_earn_nothing_and_clock_starts_at_first_stamp() {
        let s = card(10, 0);
        let mut c = fresh(&s);
        assert_eq!(c.stamp(&s, 1.0, 5.0), Stamp::None);
        assert_eq!(c.stamps, 0);
        assert!(c.expires(&s).is_infinite());
        c.stamp(&s, 2.0, 50.0);
        assert_eq!(c.expires(&s), 8.0);
        assert_eq!(c.progress(&s), 0.1);
    }

    fn per_amount(size: u32, carry: bool) -> Stamps {
        Stamps {
            per_amount: Some(30.0),
            carry_remainder: carry,
            min_basket: 0.0,
            card_expiry: None,
            ..card(size, 0)
        }
    }

    /// Baskets 45, 29, 95, 30, 61, 200 with one stamp per full 30 on a card
    /// of 5, worked by hand.
    const SCHEDULE: [f64; 6] = [45.0, 29.0, 95.0, 30.0, 61.0, 200.0];

    #[test]
    fn per_amount_without_carry_by_hand() {
        // Stamps 1, 0, 3, 1, 2, 6 = 13: the card fills at the 4th purchase
        // (1+0+3+1 = 5), then 2, then 2+6 = 8 fills it again with 3 over.
        let s = per_amount(5, false);
        let mut c = fresh(&s);
        let got: Vec<(u32, u32)> = SCHEDULE
            .iter()
            .enumerate()
            .map(|(i, b)| c.stamp_basket(&s, i as f64, *b))
            .collect();
        assert_eq!(got, vec![(1, 0), (0, 0), (3, 0), (1, 1), (2, 0), (6, 1)]);
        assert_eq!((c.stamps, c.carried), (3, 0.0));
        assert_eq!(c.started, 5.0);
    }

    #[test]
    fn per_amount_with_carry_by_hand() {
        // Totals with the remainder carried: 45 -> 1 (15 over), 29 + 15 = 44
        // -> 1 (14), 95 + 14 = 109 -> 3 (19), 30 + 19 = 49 -> 1 (19),
        // 61 + 19 = 80 -> 2 (20), 200 + 20 = 220 -> 7 (10). Cards: 1, 2, 5
        // (full), 1, 3, 3 + 7 = 10 (two full cards, none over).
        let s = per_amount(5, true);
        let mut c = fresh(&s);
        let got: Vec<(u32, u32)> = SCHEDULE
            .iter()
            .enumerate()
            .map(|(i, b)| c.stamp_basket(&s, i as f64, *b))
            .collect();
        assert_eq!(got, vec![(1, 0), (1, 0), (3, 1), (1, 0), (2, 0), (7, 2)]);
        assert_eq!((c.stamps, c.carried), (0, 10.0));
        assert!(c.started.is_infinite());
    }

    #[test]
    fn per_amount_respects_the_minimum_basket_and_prestamped() {
        let s = Stamps {
            min_basket: 40.0,
            prestamped: 2,
            ..per_amount(5, true)
        };
        let mut c = fresh(&s);
        // Below the minimum: nothing, and nothing carried.
        assert_eq!(c.stamp_basket(&s, 0.0, 35.0), (0, 0));
        assert_eq!((c.stamps, c.carried), (2, 0.0));
        // 130 = 4 stamps (10 over): 2 + 4 = 6 fills the card of 5 with one
        // over, on a fresh card that starts at 2 pre-printed.
        assert_eq!(c.stamp_basket(&s, 1.0, 130.0), (4, 1));
        assert_eq!((c.stamps, c.carried), (3, 10.0));
    }

    fn incentive_of(s: &Stamps, basket: f64) -> Incentive {
        let h = crate::model::habits::Habits::fixed(1.0, basket);
        let r = crate::model::response::Response::default();
        let cx = Ctx {
            t: 0.0,
            habits: &h,
            response: &r,
            program_end: f64::INFINITY,
            spend: 0.0,
            purchases: 0,
        };
        let mut c = Card::default();
        let mut rec = Recorder::new(1.0, 1.0);
        s.join(&mut c, &cx, &mut rec);
        s.incentive(&c, &cx)
    }

    #[test]
    fn per_amount_incentive_is_value_per_currency_unit() {
        // Baskets of 100, a reward of 40 for 10 stamps.
        let base = Stamps {
            min_basket: 0.0,
            card_expiry: None,
            ..card(10, 0)
        };
        // One stamp a purchase: 40 / (10 x 100) = 0.04 back per unit spent.
        let one = incentive_of(&base, 100.0);
        assert!((one.deferred - 0.04).abs() < 1e-12, "{one:?}");
        // One per full 30: 3 stamps a basket, 40 x 3 / (10 x 100) = 0.12.
        let s = Stamps {
            per_amount: Some(30.0),
            ..base.clone()
        };
        let no_carry = incentive_of(&s, 100.0);
        assert!((no_carry.deferred - 0.12).abs() < 1e-12, "{no_carry:?}");
        assert_eq!(no_carry.goal.map(|g| g.value), Some(no_carry.deferred));
        // Carrying the remainder: 40 / (10 x 30) = 0.1333 per unit spent.
        let s = Stamps {
            carry_remainder: true,
            ..s
        };
        let carry = incentive_of(&s, 100.0);
        assert!((carry.deferred - 40.0 / 300.0).abs() < 1e-12, "{carry:?}");
    }

    #[test]
    fn expected_stamps_per_purchase_for_a_spread_of_baskets() {
        // Exponential baskets, mean 60, one stamp per 30: without carry
        // E[floor(B/30)] = sum_k exp(-k/2) = 1 / (e^0.5 - 1); with carry 2.
        let d = crate::model::dist::Dist::Exponential { mean: 60.0 };
        let seg = crate::model::scenario::Segment {
            name: "x".into(),
            share: 1.0,
            purchase_rate: crate::model::dist::Dist::Fixed(1.0),
            dropout: crate::model::dist::Dropout::None,
            basket: crate::model::dist::Basket::Iid(d),
            response: crate::model::response::Response::default(),
        };
        let tr = crate::model::traits::Traits {
            rate: 1.0,
            churn: crate::model::traits::Churn::Never,
            basket_nu: 0.0,
        };
        let h = crate::model::habits::Habits::new(&seg, &tr, 1.0);
        let s = per_amount(10, false);
        let want = 1.0 / (0.5f64.exp() - 1.0);
        assert!((stamps_per_purchase(&s, &h) - want).abs() < 1e-8);
        let s = per_amount(10, true);
        assert!((stamps_per_purchase(&s, &h) - 2.0).abs() < 1e-12);
        // With a minimum of 45: E[B; B >= 45] / 30 = (45 + 60) e^-0.75 / 30.
        let s = Stamps {
            min_basket: 45.0,
            ..per_amount(10, true)
        };
        let want = 105.0 * (-0.75f64).exp() / 30.0;
        let got = stamps_per_purchase(&s, &h);
        assert!((got - want).abs() < 2e-3 * want, "{got} vs {want}");
    }
}
