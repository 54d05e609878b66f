//! Loyalty mechanisms and a member's state under a program.
//!
//! One file per mechanism holds its rules; this module combines them for one
//! member: what a purchase costs the business, what the member's behaviour
//! multipliers are (MODEL.md section 3), and which scheduled events (points
//! expiry, card expiry, the end of the program) are pending. It books money
//! and points through the [`Recorder`]; it never draws purchase times itself.

pub mod discount;
pub mod points;
pub mod referral;
pub mod stamps;

use crate::engine::recorder::{Flow, Recorder};
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
    /// False once the program window has closed for this member.
    pub active: bool,
}

/// What one purchase costs the business under the program.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PurchaseBooking {
    /// Price reduction at the till.
    pub discount: f64,
}

impl Member {
    /// A customer joins at `t` (the joining purchase is booked afterwards by
    /// [`Member::purchase`]). Books welcome points and the per-member cost.
    pub fn join(p: &ProgramSpec, t: f64, rec: &mut Recorder) -> Member {
        let mut m = Member {
            joined: t,
            purchases: 0,
            spend: 0.0,
            wallet: points::Wallet::default(),
            card: p.stamps.as_ref().map(stamps::Card::new),
            carry: 0.0,
            active: true,
        };
        rec.add(Flow::MembersJoined, t, 1.0);
        if p.costs.per_member > 0.0 {
            rec.add(Flow::FixedCost, t, p.costs.per_member);
        }
        if let Some(pts) = &p.points
            && pts.welcome_points > 0.0
        {
            m.wallet.credit(t, pts.welcome_points, pts.expiry);
            rec.add(Flow::PointsIssued, t, pts.welcome_points);
        }
        m
    }

    /// Book a member's purchase of list value `basket` at `t`. `redeem_coin`
    /// is a uniform draw deciding a probabilistic redemption.
    pub fn purchase(
        &mut self,
        p: &ProgramSpec,
        seg: SegmentView<'_>,
        t: f64,
        basket: f64,
        redeem_coin: f64,
        rec: &mut Recorder,
    ) -> PurchaseBooking {
        let mut discount = 0.0;
        if let Some(d) = &p.discount {
            discount = discount::rate(d, self.spend, self.purchases) * basket;
        }
        let net = basket - discount;
        if let Some(pts) = &p.points {
            // Redeem at the till from the balance held before this purchase,
            // then earn on what was paid.
            if redeem_coin < pts.redeem_probability
                && let Some(r) = points::redemption(pts, self.wallet.balance())
            {
                self.wallet.debit(r.points);
                rec.add(Flow::PointsRedeemed, t, r.points);
                rec.add(Flow::RewardCost, t, r.value * pts.reward_cost_ratio);
                rec.add(Flow::RewardsRedeemed, t, 1.0);
                self.reward_reset(seg);
            }
            let earned = pts.earn * net;
            self.wallet.credit(t, earned, pts.expiry);
            rec.add(Flow::PointsIssued, t, earned);
        }
        if let (Some(s), Some(card)) = (&p.stamps, self.card.as_mut())
            && card.stamp(s, t, basket)
        {
            rec.add(Flow::RewardCost, t, s.reward_value * s.reward_cost_ratio);
            rec.add(Flow::RewardsRedeemed, t, 1.0);
            self.reward_reset(seg);
        }
        self.purchases += 1;
        self.spend += net;
        PurchaseBooking { discount }
    }

    /// After a reward, progress restarts but part of the lift stays.
    fn reward_reset(&mut self, seg: SegmentView<'_>) {
        self.carry = seg.response.reward_carryover * seg.response.goal_gradient;
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
        t = t.min(self.wallet.next_expiry());
        if let (Some(s), Some(card)) = (&p.stamps, &self.card) {
            t = t.min(card.expires(s));
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

    /// The member's purchase-rate multiplier (MODEL.md section 3): immediate
    /// discount × deferred reward value × goal gradient.
    pub fn purchase_multiplier(&self, p: &ProgramSpec, seg: SegmentView<'_>) -> f64 {
        if !self.active {
            return 1.0;
        }
        let r = seg.response;
        let mut m = 1.0;
        if let Some(d) = &p.discount {
            let rate = discount::rate(d, self.spend, self.purchases);
            m *= 1.0 + r.discount_elasticity * rate;
        }
        let v = self.deferred_value(p, seg);
        if v > 0.0 {
            m *= 1.0 + r.reward_elasticity * r.reward_perceived * v;
        }
        let progress = self.progress(p);
        if let Some(k) = progress {
            m *= 1.0 + (r.goal_gradient * k).max(self.carry);
        }
        m
    }

    /// The member's churn multiplier: membership × switching cost of banked value.
    pub fn churn_multiplier(&self, p: &ProgramSpec, seg: SegmentView<'_>) -> f64 {
        if !self.active {
            return 1.0;
        }
        let r = seg.response;
        let banked = self.banked_value(p);
        let switching = if banked > 0.0 && seg.mean_basket > 0.0 {
            1.0 / (1.0 + r.switching_cost * banked / seg.mean_basket)
        } else {
            1.0
        };
        r.member_churn * switching
    }

    /// Expected reward value per list currency unit spent.
    fn deferred_value(&self, p: &ProgramSpec, seg: SegmentView<'_>) -> f64 {
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
