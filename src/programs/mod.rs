//! Loyalty mechanisms and a member's state under a program.
//!
//! One file per mechanism holds its rules; this module combines them for one
//! member: what a purchase costs the business, what the member's behaviour
//! multipliers are (MODEL.md section 3), and which scheduled events (points
//! expiry, card expiry, the end of the program) are pending. It books money
//! and points through the [`Recorder`]; it never draws purchase times itself.

pub mod discount;
pub mod hooks;
pub mod points;
pub mod referral;
pub mod stamps;

use crate::engine::recorder::{Flow, Moment, Recorder};
use crate::scenario::{ProgramSpec, Response};

/// Per-segment constants a member's response needs.
#[derive(Debug, Clone, Copy)]
pub struct SegmentView<'a> {
    pub response: &'a Response,
    /// Mean list value of one purchase in the segment (scales deferred rewards
    /// and banked value into "purchases' worth").
    pub mean_basket: f64,
}

/// A member's state in one program.
#[derive(Debug, Clone)]
pub struct Member {
    pub joined: f64,
    /// Purchases made as a member.
    pub purchases: u32,
    /// Cumulative net spend as a member (basis of spend tiers).
    pub spend: f64,
    pub wallet: points::Wallet,
    pub card: Option<stamps::Card>,
    /// Goal-gradient lift that persists after a reward (Drèze & Nunes 2011).
    pub carry: f64,
    /// True from joining until the membership ends (the program window
    /// closes or the customer leaves); false for a customer who never joined.
    pub active: bool,
    /// A scripted program's per-member state (`member.state`, the script's
    /// random stream), `None` without a script.
    pub hook: Option<hooks::HookState>,
    /// Stamps of a script-owned card (programs without built-in `stamps`).
    pub script_stamps: i64,
    /// Next integer time at which `on_period` runs (infinity if never).
    pub next_period: f64,
    /// The response terms that stay fixed for the whole membership.
    fixed: Fixed,
}

/// The parts of a member's response that do not change while they are a
/// member, worked out once at joining: the multipliers are recomputed after
/// every event, so only what does change (discount tier, progress, banked
/// value) is left for then.
#[derive(Debug, Clone, Copy, Default)]
struct Fixed {
    /// Purchase-rate lift of the deferred reward value, times the flat
    /// discount's lift (1 without either).
    lift: f64,
    /// The discount rate when it is flat (no tiers above the first); `None`
    /// when it depends on the member's spend or purchases.
    flat_rate: Option<f64>,
    discount_elasticity: f64,
    goal_gradient: f64,
    member_churn: f64,
    /// switching_cost / mean basket: the churn relief per unit of banked value.
    switching: f64,
}

impl Fixed {
    fn new(p: &ProgramSpec, seg: SegmentView<'_>) -> Fixed {
        let r = seg.response;
        let flat_rate = p.discount.as_ref().map_or(Some(0.0), discount::flat_rate);
        let mut lift = 1.0;
        if let Some(rate) = flat_rate
            && p.discount.is_some()
        {
            lift *= 1.0 + r.discount_elasticity * rate;
        }
        let v = deferred_value(p, seg);
        if v > 0.0 {
            lift *= 1.0 + r.reward_elasticity * r.reward_perceived * v;
        }
        Fixed {
            lift,
            flat_rate,
            discount_elasticity: r.discount_elasticity,
            goal_gradient: r.goal_gradient,
            member_churn: r.member_churn,
            switching: if seg.mean_basket > 0.0 {
                r.switching_cost / seg.mean_basket
            } else {
                0.0
            },
        }
    }
}

/// What one purchase costs the business under the program.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PurchaseBooking {
    /// Price reduction at the till.
    pub discount: f64,
}

impl Member {
    /// A customer who is not a member (yet): inactive, so every multiplier
    /// is 1 and nothing is scheduled. `wallet` (empty) is kept for joining.
    pub fn outside(wallet: points::Wallet) -> Member {
        Member {
            joined: f64::NAN,
            purchases: 0,
            spend: 0.0,
            wallet,
            card: None,
            carry: 0.0,
            active: false,
            hook: None,
            script_stamps: 0,
            next_period: f64::INFINITY,
            fixed: Fixed::default(),
        }
    }

    /// The customer joins at `t` (the joining purchase is booked afterwards
    /// by [`Member::purchase_with`]). Books welcome points and the per-member
    /// cost. A customer joins a program once.
    pub fn join(&mut self, p: &ProgramSpec, seg: SegmentView<'_>, t: f64, rec: &mut Recorder) {
        debug_assert!(self.joined.is_nan() && self.wallet.balance() == 0.0);
        self.joined = t;
        self.card = p.stamps.as_ref().map(stamps::Card::new);
        self.active = true;
        self.fixed = Fixed::new(p, seg);
        rec.add(Flow::MembersJoined, t, 1.0);
        if p.costs.per_member > 0.0 {
            rec.add(Flow::FixedCost, t, p.costs.per_member);
        }
        if let Some(pts) = &p.points
            && pts.welcome_points > 0.0
        {
            self.wallet.credit(t, pts.welcome_points, pts.expiry);
            rec.add(Flow::PointsIssued, t, pts.welcome_points);
        }
    }

    /// Book a member's purchase of list value `basket` at `at`. `extra` is a
    /// further price reduction decided by a script (0 without one); the
    /// returned discount includes it, capped so the price stays ≥ 0.
    /// `chance(p)` decides an event of probability `p` (a redemption the
    /// member could make happens with probability `redeem_probability`).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn purchase_with(
        &mut self,
        p: &ProgramSpec,
        seg: SegmentView<'_>,
        at: Moment,
        basket: f64,
        extra: f64,
        chance: &mut impl FnMut(f64) -> bool,
        rec: &mut Recorder,
    ) -> PurchaseBooking {
        let mut discount = 0.0;
        if let Some(d) = &p.discount {
            discount = self.discount_rate(d) * basket;
        }
        // A script's discount comes on top of the built-in one, but together
        // they never exceed the basket: a price cannot go below zero.
        let extra = extra.clamp(0.0, (basket - discount).max(0.0));
        discount += extra;
        let net = basket - discount;
        if let Some(pts) = &p.points {
            // Redeem at the till from the balance held before this purchase,
            // then earn on what was paid.
            if let Some(r) = points::redemption(pts, self.wallet.balance())
                && chance(pts.redeem_probability)
            {
                self.wallet.debit(r.points);
                rec.book(Flow::PointsRedeemed, at, r.points);
                rec.book(Flow::RewardCost, at, r.value * pts.reward_cost_ratio);
                rec.book(Flow::RewardsRedeemed, at, 1.0);
                self.reward_reset(seg);
            }
            let earned = pts.earn * net;
            self.wallet.credit(at.t, earned, pts.expiry);
            rec.book(Flow::PointsIssued, at, earned);
        }
        if let (Some(s), Some(card)) = (&p.stamps, self.card.as_mut())
            && card.stamp(s, at.t, basket)
        {
            rec.book(Flow::RewardCost, at, s.reward_value * s.reward_cost_ratio);
            rec.book(Flow::RewardsRedeemed, at, 1.0);
            self.reward_reset(seg);
        }
        self.purchases += 1;
        self.spend += net;
        PurchaseBooking { discount }
    }

    /// What a hook sees of this member at `t`.
    pub fn facts(&self, segment: usize, referred: bool, t: f64) -> hooks::MemberFacts {
        hooks::MemberFacts {
            purchases: self.purchases,
            spend: self.spend,
            segment,
            tenure: t - self.joined,
            referred,
            points: self.wallet.balance(),
            stamps: match &self.card {
                Some(c) => c.stamps as i64,
                None => self.script_stamps,
            },
        }
    }

    /// Apply what a hook changed (points, stamps) and book it: points added
    /// are issued, points removed are redeemed (never below zero).
    pub fn apply(
        &mut self,
        p: &ProgramSpec,
        before: &hooks::MemberFacts,
        after: &hooks::MemberFacts,
        t: f64,
        rec: &mut Recorder,
    ) {
        if after.points != before.points {
            self.set_points(p, after.points, t, rec);
        }
        if after.stamps != before.stamps {
            let n = after.stamps.max(0);
            match self.card.as_mut() {
                Some(c) => {
                    // A full card completes at the next stamp; more than
                    // full is not a state a card can be in.
                    let size = p.stamps.as_ref().map_or(u32::MAX, |s| s.card_size);
                    c.stamps = n.min(i64::from(size)) as u32;
                    if c.started.is_infinite() {
                        c.started = t;
                    }
                }
                None => self.script_stamps = n,
            }
        }
    }

    /// Set the points balance to `target` (booked as issued or redeemed).
    fn set_points(&mut self, p: &ProgramSpec, target: f64, t: f64, rec: &mut Recorder) {
        let target = if target.is_finite() {
            target.max(0.0)
        } else {
            0.0
        };
        let have = self.wallet.balance();
        if target > have {
            self.award_points(p, target - have, t, rec);
        } else if target < have {
            let n = have - target;
            self.wallet.debit(n);
            rec.add(Flow::PointsRedeemed, t, n);
        }
    }

    /// Credit `n` points awarded by a script (expiring like built-in points).
    pub fn award_points(&mut self, p: &ProgramSpec, n: f64, t: f64, rec: &mut Recorder) {
        if n > 0.0 && n.is_finite() {
            self.wallet
                .credit(t, n, p.points.as_ref().and_then(|x| x.expiry));
            rec.add(Flow::PointsIssued, t, n);
        }
    }

    /// After a reward, progress restarts but part of the lift stays.
    fn reward_reset(&mut self, seg: SegmentView<'_>) {
        self.carry = seg.response.reward_carryover * seg.response.goal_gradient;
    }

    /// The discount rate on the member's next purchase.
    #[inline]
    fn discount_rate(&self, d: &crate::scenario::Discount) -> f64 {
        match self.fixed.flat_rate {
            Some(rate) => rate,
            None => discount::rate(d, self.spend, self.purchases),
        }
    }

    /// The next time a scheduled event changes this member's state. A program
    /// that runs to the horizon has no end event.
    pub fn next_event(&self, p: &ProgramSpec, horizon: f64) -> f64 {
        if !self.active {
            return f64::INFINITY;
        }
        let mut t = if p.end < horizon {
            p.end
        } else {
            f64::INFINITY
        };
        t = earliest(t, self.wallet.next_expiry());
        if let (Some(s), Some(card)) = (&p.stamps, &self.card) {
            t = earliest(t, card.expires(s));
        }
        t
    }

    /// Handle the scheduled events due at `t` (expiry, the program's end).
    pub fn on_scheduled(&mut self, p: &ProgramSpec, t: f64, horizon: f64, rec: &mut Recorder) {
        let expired = self.wallet.expire_due(t);
        if expired > 0.0 {
            rec.add(Flow::PointsExpired, t, expired);
        }
        if let (Some(s), Some(card)) = (&p.stamps, self.card.as_mut())
            && card.expires(s) <= t
        {
            *card = stamps::Card::new(s);
        }
        if t >= p.end && p.end < horizon {
            self.close(p, t, rec, Flow::PointsExpired);
        }
    }

    /// The customer leaves the shop at `t`: the balance is forfeited.
    pub fn on_churn(&mut self, p: &ProgramSpec, t: f64, rec: &mut Recorder) {
        if self.active {
            self.close(p, t, rec, Flow::PointsForfeited);
        }
    }

    /// At the horizon: book what the member still holds and the running cost.
    pub fn at_horizon(&mut self, p: &ProgramSpec, horizon: f64, rec: &mut Recorder) {
        if self.active {
            self.book_running_cost(p, horizon, rec);
            rec.add(Flow::MembersAtEnd, horizon, 1.0);
            rec.add(Flow::PointsHeldEnd, horizon, self.wallet.balance());
        }
    }

    /// Membership ends (program over or customer gone); points still held
    /// are lost to `lost_as`.
    fn close(&mut self, p: &ProgramSpec, t: f64, rec: &mut Recorder, lost_as: Flow) {
        let left = self.wallet.clear();
        if left > 0.0 {
            rec.add(lost_as, t, left);
        }
        self.book_running_cost(p, t, rec);
        rec.add(Flow::MembersLeft, t, 1.0);
        self.active = false;
        self.card = None;
        self.carry = 0.0;
    }

    fn book_running_cost(&self, p: &ProgramSpec, until: f64, rec: &mut Recorder) {
        rec.add_over(
            Flow::FixedCost,
            self.joined,
            until.min(p.end),
            p.costs.per_member_per_unit,
        );
    }

    /// The member's purchase-rate and churn multipliers (MODEL.md section
    /// 3), both 1 outside the program.
    ///
    /// Purchase rate: immediate discount × deferred reward value × goal
    /// gradient. Churn: membership × the switching cost of banked value.
    #[inline]
    pub fn multipliers(&self, p: &ProgramSpec) -> (f64, f64) {
        if !self.active {
            return (1.0, 1.0);
        }
        let f = &self.fixed;
        let mut buy = f.lift;
        // A flat discount's lift is part of `lift`; a tiered one changes.
        if f.flat_rate.is_none()
            && let Some(d) = &p.discount
        {
            buy *= 1.0 + f.discount_elasticity * self.discount_rate(d);
        }
        if let Some(k) = self.progress(p) {
            buy *= 1.0 + (f.goal_gradient * k).max(self.carry);
        }
        let mut churn = f.member_churn;
        if f.switching > 0.0 {
            let banked = self.banked_value(p);
            if banked > 0.0 {
                churn *= 1.0 / (1.0 + f.switching * banked);
            }
        }
        (buy, churn)
    }

    /// Progress toward the nearest reward, if the program has one.
    fn progress(&self, p: &ProgramSpec) -> Option<f64> {
        let pts = p
            .points
            .as_ref()
            .map(|pts| points::progress(pts, self.wallet.balance()));
        let stm = match (&p.stamps, &self.card) {
            (Some(s), Some(c)) => Some(c.progress(s)),
            _ => None,
        };
        match (pts, stm) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Currency value the member would lose by leaving.
    fn banked_value(&self, p: &ProgramSpec) -> f64 {
        let mut b = 0.0;
        if let Some(pts) = &p.points {
            b += self.wallet.balance() * pts.point_value;
        }
        if let (Some(s), Some(c)) = (&p.stamps, &self.card) {
            b += c.progress(s) * s.reward_value;
        }
        b
    }
}

/// The earlier of two times, which must not be NaN (the engine's times never
/// are): a plain comparison, cheaper than `f64::min`'s NaN handling in the
/// engine's inner loop.
#[inline]
pub fn earliest(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// Expected reward value per list currency unit spent.
fn deferred_value(p: &ProgramSpec, seg: SegmentView<'_>) -> f64 {
    let mut v = 0.0;
    if let Some(pts) = &p.points {
        v += pts.earn * pts.point_value;
    }
    if let Some(s) = &p.stamps
        && seg.mean_basket > 0.0
    {
        v += s.reward_value / (s.card_size as f64 * seg.mean_basket);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Discount, Points, Tier, TierBasis};

    #[test]
    fn script_discount_never_exceeds_the_basket() {
        let p = ProgramSpec {
            discount: Some(Discount {
                tiers: vec![Tier {
                    from: 0.0,
                    rate: 0.5,
                }],
                basis: TierBasis::Spend,
            }),
            points: Some(Points {
                earn: 1.0,
                point_value: 0.01,
                redeem_threshold: 500.0,
                expiry: None,
                welcome_points: 0.0,
                redeem_probability: 1.0,
                reward_cost_ratio: 1.0,
                catalog: vec![],
            }),
            ..ProgramSpec::open("p", 10.0)
        };
        let r = Response::default();
        let seg = SegmentView {
            response: &r,
            mean_basket: 40.0,
        };
        let mut rec = Recorder::new(10.0, 1.0);
        let mut m = Member::outside(points::Wallet::default());
        m.join(&p, seg, 1.0, &mut rec);
        // Built-in 50% plus a script's "everything off" on a basket of 40.
        let b = m.purchase_with(
            &p,
            seg,
            rec.moment(1.0),
            40.0,
            40.0,
            &mut |_| true,
            &mut rec,
        );
        assert_eq!(b.discount, 40.0);
        assert_eq!(rec.total(Flow::PointsIssued), 0.0);
        assert_eq!(m.wallet.balance(), 0.0);
    }
}
