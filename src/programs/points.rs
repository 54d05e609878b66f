//! Bonus points: earned on net spend in lots that may expire, redeemed as
//! money off or from a catalogue, forfeited when a customer leaves.

use crate::scenario::Points;
use std::collections::VecDeque;

/// One earning lot: points earned together expire together.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Lot {
    expires: f64,
    points: f64,
}

/// A member's points, oldest lot first (redemption consumes the oldest first,
/// so the points closest to expiry are used before they are lost).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wallet {
    lots: VecDeque<Lot>,
    balance: f64,
}

impl Wallet {
    pub fn balance(&self) -> f64 {
        self.balance
    }

    /// Credit `n` points at time `t`; they expire `expiry` later (never if `None`).
    pub fn credit(&mut self, t: f64, n: f64, expiry: Option<f64>) {
        if n <= 0.0 {
            return;
        }
        let expires = expiry.map_or(f64::INFINITY, |e| t + e);
        // Lots arrive in time order, so the queue stays sorted by expiry.
        match self.lots.back_mut() {
            Some(last) if last.expires == expires => last.points += n,
            _ => self.lots.push_back(Lot { expires, points: n }),
        }
        self.balance += n;
    }

    /// Take `n` points (≤ balance), oldest lots first.
    pub fn debit(&mut self, mut n: f64) {
        self.balance -= n;
        while n > 0.0 {
            let Some(front) = self.lots.front_mut() else {
                break;
            };
            if front.points <= n {
                n -= front.points;
                self.lots.pop_front();
            } else {
                front.points -= n;
                n = 0.0;
            }
        }
        if self.lots.is_empty() {
            self.balance = 0.0;
        }
    }

    /// Remove every lot that expires at or before `t`; the points lost.
    pub fn expire_due(&mut self, t: f64) -> f64 {
        let mut lost = 0.0;
        while let Some(front) = self.lots.front() {
            if front.expires > t {
                break;
            }
            lost += front.points;
            self.lots.pop_front();
        }
        self.balance -= lost;
        if self.lots.is_empty() {
            self.balance = 0.0;
        }
        lost
    }

    /// When the oldest lot expires (infinity if never).
    pub fn next_expiry(&self) -> f64 {
        self.lots.front().map_or(f64::INFINITY, |l| l.expires)
    }

    /// Empty the wallet; the points it held.
    pub fn clear(&mut self) -> f64 {
        let b = self.balance;
        self.lots.clear();
        self.balance = 0.0;
        b
    }
}

/// The whole part of a non-negative number. `f64::floor` is a library call
/// on baseline x86-64, and this runs at every member purchase; balances stay
/// far below 2^63 blocks, where the conversion is exact.
#[inline]
fn whole(x: f64) -> f64 {
    if x < 9.0e18 {
        x as u64 as f64
    } else {
        x.floor()
    }
}

/// A redemption: points given up and the face value received.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Redemption {
    pub points: f64,
    pub value: f64,
}

/// What a member with `balance` points redeems when they decide to.
///
/// Without a catalogue, points go as money off in whole blocks of the
/// threshold (500 points → a voucher of 500 × point_value, 1,000 → two).
/// With one, the member takes the most valuable reward they can afford.
pub fn redemption(p: &Points, balance: f64) -> Option<Redemption> {
    if p.catalog.is_empty() {
        if p.redeem_threshold <= 0.0 || balance < p.redeem_threshold {
            return None;
        }
        let points = whole(balance / p.redeem_threshold) * p.redeem_threshold;
        return Some(Redemption {
            points,
            value: points * p.point_value,
        });
    }
    if balance < p.redeem_threshold {
        return None;
    }
    p.catalog
        .iter()
        .filter(|c| c.points <= balance)
        .max_by(|a, b| a.value.total_cmp(&b.value))
        .map(|c| Redemption {
            points: c.points,
            value: c.value,
        })
}

/// Progress toward the next reward, in [0, 1), for the goal-gradient effect.
///
/// Money off comes in blocks of the threshold, so a member holding 1.3 blocks
/// is 30% of the way to the next one: a customer who could redeem but has not
/// is not stuck at "goal reached". With a catalogue, the goal is the cheapest
/// reward the member cannot yet afford.
pub fn progress(p: &Points, balance: f64) -> f64 {
    if p.catalog.is_empty() {
        if p.redeem_threshold <= 0.0 {
            return 0.0;
        }
        let blocks = balance / p.redeem_threshold;
        return blocks - whole(blocks);
    }
    let next = p
        .catalog
        .iter()
        .map(|c| c.points.max(p.redeem_threshold))
        .filter(|pts| *pts > balance)
        .fold(f64::INFINITY, f64::min);
    if next.is_finite() && next > 0.0 {
        balance / next
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::CatalogItem;

    fn program() -> Points {
        Points {
            earn: 1.0,
            point_value: 0.01,
            redeem_threshold: 500.0,
            expiry: Some(12.0),
            welcome_points: 0.0,
            redeem_probability: 1.0,
            reward_cost_ratio: 1.0,
            catalog: vec![],
        }
    }

    #[test]
    fn lots_expire_in_order_and_debit_takes_oldest() {
        let mut w = Wallet::default();
        w.credit(1.0, 100.0, Some(12.0));
        w.credit(2.0, 50.0, Some(12.0));
        w.debit(120.0);
        assert_eq!(w.balance(), 30.0);
        assert_eq!(w.next_expiry(), 14.0);
        assert_eq!(w.expire_due(13.9), 0.0);
        assert_eq!(w.expire_due(14.0), 30.0);
        assert_eq!(w.balance(), 0.0);
        assert_eq!(w.next_expiry(), f64::INFINITY);
    }

    #[test]
    fn money_off_redeems_whole_blocks() {
        let p = program();
        assert_eq!(redemption(&p, 499.0), None);
        let r = redemption(&p, 1234.0).unwrap();
        assert_eq!(r.points, 1000.0);
        assert!((r.value - 10.0).abs() < 1e-12);
    }

    #[test]
    fn catalog_takes_best_affordable() {
        let mut p = program();
        p.catalog = vec![
            CatalogItem {
                points: 500.0,
                value: 5.0,
            },
            CatalogItem {
                points: 800.0,
                value: 10.0,
            },
            CatalogItem {
                points: 2000.0,
                value: 30.0,
            },
        ];
        assert_eq!(redemption(&p, 900.0).unwrap().value, 10.0);
        assert_eq!(progress(&p, 250.0), 0.5);
        assert_eq!(progress(&p, 400.0), 0.8);
        assert_eq!(progress(&p, 1000.0), 0.5);
    }

    #[test]
    fn money_off_progress_is_toward_the_next_block() {
        let p = program();
        assert_eq!(progress(&p, 250.0), 0.5);
        assert!((progress(&p, 650.0) - 0.3).abs() < 1e-12);
    }
}
