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

use crate::engine::recorder::{Flow, Moment, Recorder};
use crate::programs::mechanism::{self, Ctx, Goal, Incentive, Mechanism, Till};
use crate::scenario::Stamps;

/// A member's current card, and what this member makes of the card.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Card {
    /// Stamps on the card, pre-printed ones included.
    pub stamps: u32,
    /// When the card's first earned stamp was given (its expiry clock), or infinity.
    pub started: f64,
    /// The member gave the card up (or is not a member).
    pub abandoned: bool,
    /// Share of this member's baskets that earn a stamp.
    qualifying: f64,
    /// The reward's value per currency unit of the member's spend.
    value: f64,
    /// The member's chance of filling a card in time.
    reachable: f64,
}

impl Default for Card {
    /// No card: not a member.
    fn default() -> Card {
        Card {
            stamps: 0,
            started: f64::INFINITY,
            abandoned: true,
            qualifying: 0.0,
            value: 0.0,
            reachable: 0.0,
        }
    }
}

impl Mechanism for Stamps {
    type State = Card;

    fn join(&self, card: &mut Card, cx: &Ctx<'_>, _rec: &mut Recorder) {
        let h = cx.habits;
        let qualifying = h.share_at_least(self.min_basket);
        let needed = f64::from(self.card_size - self.prestamped);
        let value = if h.mean_basket > 0.0 && h.mean_basket.is_finite() {
            qualifying * self.reward_value / (needed * h.mean_basket)
        } else {
            0.0
        };
        let window = self
            .card_expiry
            .unwrap_or(f64::INFINITY)
            .min(cx.program_end - cx.t);
        *card = Card {
            stamps: self.prestamped,
            started: f64::INFINITY,
            abandoned: false,
            qualifying,
            value,
            reachable: mechanism::chance_within(needed, h.rate * qualifying, window),
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
        match card.stamp(self, at.t, till.basket) {
            Stamp::None => return false,
            Stamp::Full => {
                rec.book(
                    Flow::RewardCost,
                    at,
                    self.reward_value * self.reward_cost_ratio,
                );
                rec.book(Flow::RewardsRedeemed, at, 1.0);
                return true;
            }
            Stamp::Added => {}
        }
        let give_up = cx.response.card_abandonment * (1.0 - card.progress(self));
        if give_up > 0.0 && chance(give_up) {
            card.abandoned = true;
        }
        false
    }

    #[inline]
    fn incentive(&self, card: &Card, cx: &Ctx<'_>) -> Incentive {
        if card.abandoned {
            return Incentive::default();
        }
        let progress = card.progress(self);
        let rate = cx.habits.rate * card.qualifying;
        let full = f64::from(self.card_size - self.prestamped);
        Incentive {
            deferred: card.value * card.reachable,
            goal: Some(Goal {
                progress,
                value: card.value,
                time_to_goal: mechanism::time_for(f64::from(self.card_size - card.stamps), rate),
                deadline: card.expires(self),
                feasible: self
                    .card_expiry
                    .is_none_or(|e| mechanism::time_for(full, rate) <= e),
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
        if basket < s.min_basket {
            return Stamp::None;
        }
        if self.started.is_infinite() {
            self.started = t;
        }
        self.stamps += 1;
        if self.stamps >= s.card_size {
            self.restart(s);
            return Stamp::Full;
        }
        Stamp::Added
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
}
