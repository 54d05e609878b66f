//! Stamp card: one stamp per qualifying purchase, a reward when the card is
//! full, optional pre-printed stamps and card expiry.

use crate::scenario::Stamps;

/// A member's current card.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Card {
    /// Stamps on the card, pre-printed ones included.
    pub stamps: u32,
    /// When the card's first earned stamp was given (its expiry clock), or infinity.
    pub started: f64,
}

impl Card {
    /// A fresh card with the pre-printed stamps.
    pub fn new(s: &Stamps) -> Card {
        Card {
            stamps: s.prestamped,
            started: f64::INFINITY,
        }
    }

    /// Stamp the card for a purchase of list value `basket` at `t`;
    /// true when this completes the card (the card is then replaced).
    pub fn stamp(&mut self, s: &Stamps, t: f64, basket: f64) -> bool {
        if basket < s.min_basket {
            return false;
        }
        if self.started.is_infinite() {
            self.started = t;
        }
        self.stamps += 1;
        if self.stamps >= s.card_size {
            *self = Card::new(s);
            return true;
        }
        false
    }

    /// When the card becomes void (infinity if it never does or has no earned stamp).
    pub fn expires(&self, s: &Stamps) -> f64 {
        s.card_expiry.map_or(f64::INFINITY, |e| self.started + e)
    }

    /// Progress toward the reward, pre-printed stamps included (k/K).
    pub fn progress(&self, s: &Stamps) -> f64 {
        self.stamps as f64 / s.card_size as f64
    }

    /// Stamps earned on this card (not pre-printed), lost if it expires.
    pub fn earned(&self, s: &Stamps) -> u32 {
        self.stamps - s.prestamped
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

    #[test]
    fn completes_after_size_minus_prestamped() {
        let s = card(10, 2);
        let mut c = Card::new(&s);
        let done: Vec<bool> = (0..8).map(|i| c.stamp(&s, i as f64, 20.0)).collect();
        assert_eq!(done.iter().filter(|d| **d).count(), 1);
        assert!(done[7]);
        assert_eq!(c.stamps, 2);
        assert!(c.started.is_infinite());
    }

    #[test]
    fn small_baskets_earn_nothing_and_clock_starts_at_first_stamp() {
        let s = card(10, 0);
        let mut c = Card::new(&s);
        assert!(!c.stamp(&s, 1.0, 5.0));
        assert_eq!(c.stamps, 0);
        assert!(c.expires(&s).is_infinite());
        c.stamp(&s, 2.0, 50.0);
        assert_eq!(c.expires(&s), 8.0);
        assert_eq!(c.progress(&s), 0.1);
    }
}
