//! Bonus points: earned on net spend in lots that may expire, redeemed as
//! money off or from a catalogue, forfeited when a customer leaves.
//!
//! Their incentive: the value of a point (money off, or the reward aimed at
//! in the catalogue) times the points earned per currency unit, times the
//! member's chance of redeeming (collecting a first reward's worth before
//! points expire or the program ends, and redeeming when they can); the
//! way to the next reward as a goal; the balance as banked value.

use crate::model::scenario::Points;
use crate::programs::mechanism::{self, Ctx, Goal, Incentive, Mechanism, Till};
use crate::record::recorder::{Flow, Moment, Recorder};

/// A member's points and what this member makes of the program.
#[derive(Debug, Clone, Default)]
pub struct PointsState {
    pub wallet: Wallet,
    /// Points this member earns per time unit at their own rate and basket.
    earn_rate: f64,
    /// The member's chance of ever redeeming.
    chance: f64,
    /// Whether a whole reward can be collected before points expire, at
    /// the member's own pace (fixed at joining, like `earn_rate`).
    feasible: bool,
}

impl PointsState {
    /// Empty, keeping the wallet's storage for the next member.
    pub fn reset(&mut self) {
        self.wallet.clear();
        self.earn_rate = 0.0;
        self.chance = 0.0;
        self.feasible = false;
    }
}

impl Mechanism for Points {
    type State = PointsState;

    fn join(&self, st: &mut PointsState, cx: &Ctx<'_>, rec: &mut Recorder) {
        let h = cx.habits;
        st.earn_rate = h.rate() * h.mean_basket() * self.earn;
        let per_purchase = h.mean_basket() * self.earn;
        let needed = if per_purchase > 0.0 {
            self.redeem_threshold / per_purchase
        } else {
            f64::INFINITY
        };
        let window = self
            .expiry
            .unwrap_or(f64::INFINITY)
            .min(cx.program_end - cx.t);
        st.chance = self.redeem_probability * mechanism::chance_within(needed, h.rate(), window);
        st.feasible = self
            .expiry
            .is_none_or(|e| mechanism::time_for(self.redeem_threshold, st.earn_rate) <= e);
        if self.welcome_points > 0.0 {
            st.wallet.credit(cx.t, self.welcome_points, self.expiry);
            rec.add(Flow::PointsIssued, cx.t, self.welcome_points);
        }
    }

    #[inline]
    fn purchase(
        &self,
        st: &mut PointsState,
        _cx: &Ctx<'_>,
        at: Moment,
        till: &mut Till,
        chance: &mut impl FnMut(f64) -> bool,
        rec: &mut Recorder,
    ) -> bool {
        // Redeem at the till from the balance held before this purchase,
        // then earn on what was paid.
        let mut rewarded = false;
        if let Some(r) = redemption(self, st.wallet.balance())
            && chance(self.redeem_probability)
        {
            st.wallet.debit(r.points);
            rec.book(Flow::PointsRedeemed, at, r.points);
            rec.book(Flow::RewardCost, at, r.value * self.reward_cost_ratio);
            rec.book(Flow::RewardsRedeemed, at, 1.0);
            rewarded = true;
        }
        let earned = self.earn * till.net();
        st.wallet.credit(at.t, earned, self.expiry);
        rec.book(Flow::PointsIssued, at, earned);
        rewarded
    }

    #[inline]
    fn incentive(&self, st: &PointsState, _cx: &Ctx<'_>) -> Incentive {
        let balance = st.wallet.balance();
        let (per_point, next) = target(self, balance);
        let value = self.earn * per_point;
        let goal = next.map(|next| Goal {
            progress: progress(self, balance),
            value,
            time_to_goal: mechanism::time_for(next - balance, st.earn_rate),
            deadline: f64::INFINITY,
            feasible: st.feasible,
        });
        Incentive {
            deferred: value * st.chance,
            goal,
            banked: balance * self.point_value,
            ..Incentive::default()
        }
    }

    fn next_event(&self, st: &PointsState) -> f64 {
        st.wallet.next_expiry()
    }

    fn on_scheduled(&self, st: &mut PointsState, t: f64, rec: &mut Recorder) {
        let expired = st.wallet.expire_due(t);
        if expired > 0.0 {
            rec.add(Flow::PointsExpired, t, expired);
        }
    }

    fn close(&self, st: &mut PointsState, t: f64, lost_as: Flow, rec: &mut Recorder) {
        let left = st.wallet.clear();
        if left > 0.0 {
            rec.add(lost_as, t, left);
        }
    }

    fn at_horizon(&self, st: &PointsState, horizon: f64, rec: &mut Recorder) {
        rec.add(Flow::PointsHeldEnd, horizon, st.wallet.balance());
    }
}

/// The value of one point toward the reward aimed at, and the balance that
/// reward needs (`None` when there is nothing left to aim at).
///
/// Money off: `point_value`, toward the next whole block of the threshold.
/// Catalogue: the cheapest reward not yet affordable, valued at its value
/// over its points; with everything affordable, the best reward's rate.
#[inline]
fn target(p: &Points, balance: f64) -> (f64, Option<f64>) {
    if p.catalog.is_empty() {
        if p.redeem_threshold <= 0.0 {
            return (p.point_value, None);
        }
        let next = (whole(balance / p.redeem_threshold) + 1.0) * p.redeem_threshold;
        return (p.point_value, Some(next));
    }
    let aim = p
        .catalog
        .iter()
        .filter(|c| c.points.max(p.redeem_threshold) > balance)
        .min_by(|a, b| a.points.total_cmp(&b.points));
    match aim {
        Some(c) => (
            per_point(c.value, c.points),
            Some(c.points.max(p.redeem_threshold)),
        ),
        None => {
            let best = p
                .catalog
                .iter()
                .map(|c| per_point(c.value, c.points))
                .fold(0.0, f64::max);
            (best, None)
        }
    }
}

fn per_point(value: f64, points: f64) -> f64 {
    if points > 0.0 { value / points } else { 0.0 }
}

/// One earning lot: points earned together expire together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lot {
    expires: f64,
    points: f64,
}

/// A member's points, oldest lot first (redemption consumes the oldest first,
/// so the points closest to expiry are used before they are lost).
///
/// Lots live in a plain vector whose used-up front is skipped by `head`
/// rather than shifted out; the vector can be handed from one member to the
/// next ([`Wallet::with_buffer`]), so a simulation of millions of members
/// allocates once per block of customers instead of once per member.
#[derive(Debug, Clone, Default)]
pub struct Wallet {
    lots: Vec<Lot>,
    head: usize,
    balance: f64,
}

impl Wallet {
    /// An empty wallet keeping its lots in `buffer` (emptied first).
    pub fn with_buffer(mut buffer: Vec<Lot>) -> Wallet {
        buffer.clear();
        Wallet {
            lots: buffer,
            head: 0,
            balance: 0.0,
        }
    }

    /// The wallet's storage, for the next member's wallet.
    pub fn into_buffer(self) -> Vec<Lot> {
        self.lots
    }

    pub fn balance(&self) -> f64 {
        self.balance
    }

    fn front(&self) -> Option<&Lot> {
        self.lots.get(self.head)
    }

    fn pop_front(&mut self) {
        self.head += 1;
        if self.head >= self.lots.len() {
            self.lots.clear();
            self.head = 0;
        }
    }

    /// Credit `n` points at time `t`; they expire `expiry` later (never if `None`).
    #[inline]
    pub fn credit(&mut self, t: f64, n: f64, expiry: Option<f64>) {
        if n <= 0.0 {
            return;
        }
        self.balance += n;
        match expiry {
            // Points that never expire make up a single lot.
            None => match self.lots.last_mut() {
                Some(last) => {
                    // A program's points all expire or none do.
                    debug_assert!(last.expires.is_infinite());
                    last.points += n
                }
                None => self.lots.push(Lot {
                    expires: f64::INFINITY,
                    points: n,
                }),
            },
            // Lots arrive in time order, so the queue stays sorted by expiry.
            // Two lots expiring at the same moment are not merged: they expire
            // together all the same, and not looking at the last lot spares a
            // hard-to-predict branch at every purchase.
            Some(e) => {
                // A member who never empties the wallet would otherwise grow
                // the used-up front without bound.
                if self.head >= 64 && self.head * 2 >= self.lots.len() {
                    self.lots.drain(..self.head);
                    self.head = 0;
                }
                self.lots.push(Lot {
                    expires: t + e,
                    points: n,
                });
            }
        }
    }

    /// Take `n` points (≤ balance), oldest lots first.
    pub fn debit(&mut self, mut n: f64) {
        self.balance -= n;
        while n > 0.0 {
            let head = self.head;
            let Some(front) = self.lots.get_mut(head) else {
                break;
            };
            if front.points <= n {
                n -= front.points;
                self.pop_front();
            } else {
                front.points -= n;
                n = 0.0;
            }
        }
        if self.front().is_none() {
            self.balance = 0.0;
        }
    }

    /// Remove every lot that expires at or before `t`; the points lost.
    pub fn expire_due(&mut self, t: f64) -> f64 {
        let mut lost = 0.0;
        while let Some(front) = self.front() {
            if front.expires > t {
                break;
            }
            lost += front.points;
            self.pop_front();
        }
        self.balance -= lost;
        if self.front().is_none() {
            self.balance = 0.0;
        }
        lost
    }

    /// When the oldest lot expires (infinity if never).
    pub fn next_expiry(&self) -> f64 {
        self.front().map_or(f64::INFINITY, |l| l.expires)
    }

    /// Empty the wallet; the points it held.
    pub fn clear(&mut self) -> f64 {
        let b = self.balance;
        self.lots.clear();
        self.head = 0;
        self.balance = 0.0;
        b
    }
}

/// The whole part of a non-negative number. `f64::floor` is a library call
/// on baseline x86-64, and this runs at every member purchase; through i64
/// the conversion is one instruction, and exact for balances below 2^63 blocks.
#[inline]
fn whole(x: f64) -> f64 {
    if x < 9.0e18 {
        x as i64 as f64
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
#[inline]
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
    use crate::model::scenario::CatalogItem;

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
    fn a_wallet_never_emptied_keeps_order_and_bounded_storage() {
        // One lot a week, a third spent each week, so the wallet is never
        // empty: the used-up front must be reclaimed, and the balance and
        // expiry must match a plain recount of the lots still held.
        let mut w = Wallet::with_buffer(Vec::with_capacity(1));
        let mut held: Vec<(f64, f64)> = Vec::new();
        for week in 0..1000 {
            let t = week as f64;
            w.credit(t, 30.0, Some(5.0));
            held.push((t + 5.0, 30.0));
            w.debit(10.0);
            let mut n = 10.0;
            while n > 0.0 {
                let take = held[0].1.min(n);
                held[0].1 -= take;
                n -= take;
                if held[0].1 == 0.0 {
                    held.remove(0);
                }
            }
            let lost = w.expire_due(t);
            let due = held
                .iter()
                .take_while(|l| l.0 <= t)
                .map(|l| l.1)
                .sum::<f64>();
            held.retain(|l| l.0 > t);
            assert_eq!(lost, due, "week {week}");
            assert_eq!(
                w.balance(),
                held.iter().map(|l| l.1).sum::<f64>(),
                "week {week}"
            );
            assert_eq!(w.next_expiry(), held[0].0, "week {week}");
            assert!(
                w.lots.len() <= 2 * held.len() + 64,
                "week {week}: {}",
                w.lots.len()
            );
        }
        let buffer = w.into_buffer();
        assert!(Wallet::with_buffer(buffer).balance() == 0.0);
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
