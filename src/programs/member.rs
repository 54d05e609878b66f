//! A customer's membership in one program: the state of every mechanism the
//! program combines, the bookings of a member's purchases, and the
//! member's response (through `programs::response`).
//!
//! The program's mechanisms are visited in one fixed order (discount,
//! points, stamps, referral) by the [`mechanisms!`] macro, each by a static
//! call: a new mechanism is one line there.

use crate::model::habits::Habits;
use crate::model::response::Response;
use crate::model::scenario::ProgramSpec;
use crate::programs::hooks::{HookState, MemberFacts};
use crate::programs::mechanism::{Ctx, Incentive, Mechanism, Till};
use crate::programs::points::PointsState;
use crate::programs::response::{self, Carry, Rates};
use crate::programs::stamps::Card;
use crate::record::recorder::{Flow, Moment, Recorder};

/// Visit each mechanism the program `$p` has, with its state in member
/// `$m`: `$body` runs once per mechanism with `$mech` bound to the
/// mechanism's settings and `$st` to its state (`[&mut]` or `[&]`).
macro_rules! mechanisms {
    ($p:expr, $m:expr, [$($borrow:tt)*], |$mech:ident, $st:ident| $body:expr) => {{
        if let Some($mech) = $p.discount.as_ref() {
            let $st = $($borrow)* ();
            $body;
        }
        if let Some($mech) = $p.points.as_ref() {
            let $st = $($borrow)* $m.points;
            $body;
        }
        if let Some($mech) = $p.stamps.as_ref() {
            let $st = $($borrow)* $m.card;
            $body;
        }
        if let Some($mech) = $p.referral.as_ref() {
            let $st = $($borrow)* ();
            $body;
        }
    }};
}

/// What the engine knows of the customer while they are a member.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub habits: Habits,
    pub response: &'a Response,
    /// When the program really ends (infinity when it runs past the horizon).
    pub program_end: f64,
}

/// A member's state in one program.
#[derive(Debug, Clone, Default)]
pub struct Member {
    pub joined: f64,
    /// Purchases made as a member.
    pub purchases: u32,
    /// Cumulative net spend as a member (basis of spend tiers).
    pub spend: f64,
    /// The points wallet (built-in points, or points a script keeps).
    pub points: PointsState,
    /// The stamp card (built-in stamps).
    pub card: Card,
    /// True from joining until the membership ends (the program window
    /// closes or the customer leaves); false for a customer who never joined.
    pub active: bool,
    /// A scripted program's per-member state (`member.state`, the script's
    /// random stream), `None` without a script.
    pub hook: Option<HookState>,
    /// Stamps of a script-owned card (programs without built-in `stamps`).
    pub script_stamps: i64,
    /// Next integer time at which `on_period` runs (infinity if never).
    pub next_period: f64,
    /// What a script states its incentive to be (programs with a script).
    pub script_incentive: Incentive,
    /// The lift that stays after the last reward.
    carry: Carry,
    /// The goal-gradient lift after the last event.
    goal_lift: f64,
    /// How strongly this member responds (heavy buyers less).
    damping: f64,
    /// When the purchase multiplier changes form by itself.
    until: f64,
}

impl Member {
    /// A customer who is not a member (yet): inactive, so every multiplier
    /// is 1 and nothing is scheduled. `points` lends its wallet's storage.
    pub fn outside(points: PointsState) -> Member {
        Member {
            joined: f64::NAN,
            points,
            next_period: f64::INFINITY,
            until: f64::INFINITY,
            ..Member::default()
        }
    }

    fn ctx<'a>(&self, who: &'a Who<'a>, t: f64) -> Ctx<'a> {
        Ctx {
            t,
            habits: &who.habits,
            response: who.response,
            program_end: who.program_end,
            spend: self.spend,
            purchases: self.purchases,
        }
    }

    /// The customer joins at `t` (the joining purchase is booked afterwards
    /// by [`Member::purchase`]). Books welcome gifts and the per-member cost.
    /// A customer joins a program once.
    pub fn join(&mut self, p: &ProgramSpec, who: &Who<'_>, t: f64, rec: &mut Recorder) {
        debug_assert!(self.joined.is_nan() && self.points.wallet.balance() == 0.0);
        self.joined = t;
        self.active = true;
        self.damping = response::damping(who.response, who.habits.relative_rate());
        let cx = self.ctx(who, t);
        self.points.reset();
        mechanisms!(p, self, [&mut], |mech, st| mech.join(st, &cx, rec));
        rec.add(Flow::MembersJoined, t, 1.0);
        if p.costs.per_member > 0.0 {
            rec.add(Flow::FixedCost, t, p.costs.per_member);
        }
        // A welcome gift is handed over now: a reward, at what it costs.
        if p.welcome_gift > 0.0 {
            rec.add(Flow::RewardCost, t, p.welcome_gift);
        }
    }

    /// Book a member's purchase of list value `basket` at `at`. `extra` is a
    /// price reduction decided by a script (0 without one); the returned
    /// discount includes it, and never exceeds the basket. `chance(p)`
    /// decides an event of probability `p` from the program's stream.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn purchase(
        &mut self,
        p: &ProgramSpec,
        who: &Who<'_>,
        at: Moment,
        basket: f64,
        extra: f64,
        chance: &mut impl FnMut(f64) -> bool,
        rec: &mut Recorder,
    ) -> f64 {
        let mut till = Till {
            basket,
            discount: extra.clamp(0.0, basket.max(0.0)),
        };
        // The welcome discount, on the first purchase as a member (the
        // joining one), before the mechanisms: points are earned on what
        // is paid.
        if self.purchases == 0 && p.welcome_discount > 0.0 {
            till.discount = (till.discount + p.welcome_discount * basket).min(basket.max(0.0));
        }
        let cx = self.ctx(who, at.t);
        let mut rewarded = false;
        mechanisms!(p, self, [&mut], |mech, st| {
            rewarded |= mech.purchase(st, &cx, at, &mut till, chance, rec);
            // A price cannot go below zero, whatever the mechanisms add up to.
            till.discount = till.discount.min(till.basket);
        });
        if rewarded {
            self.rewarded(who.response, at.t);
        }
        self.purchases += 1;
        self.spend += till.net();
        till.discount
    }

    /// A reward was earned at `t` (built-in or booked by a script): progress
    /// restarts, but `reward_carryover` of the goal-gradient lift the member
    /// had just before it stays (then fades).
    pub fn rewarded(&mut self, r: &Response, t: f64) {
        self.carry = Carry {
            lift: r.reward_carryover * self.goal_lift,
            from: t,
        };
    }

    /// What the program offers this member now: the sum of its mechanisms'
    /// incentives (and a script's), with the strongest goal's pull in
    /// `self.goal_lift`.
    #[inline(always)]
    fn incentive(&mut self, p: &ProgramSpec, who: &Who<'_>, t: f64) -> Incentive {
        let cx = self.ctx(who, t);
        let mut sum = self.script_incentive;
        let mut goal = match &sum.goal {
            Some(g) => response::goal_lift(who.response, g, t, who.program_end),
            None => 0.0,
        };
        mechanisms!(p, self, [&], |mech, st| {
            let inc = mech.incentive(st, &cx);
            sum.discount += inc.discount;
            sum.deferred += inc.deferred;
            sum.banked += inc.banked;
            sum.referral_reward += inc.referral_reward;
            if let Some(g) = &inc.goal {
                goal = goal.max(response::goal_lift(who.response, g, t, who.program_end));
            }
        });
        self.goal_lift = goal;
        sum
    }

    /// The member's multipliers after an event at `t` (both 1 outside the
    /// program), and when they next change by themselves.
    #[inline]
    pub fn rates(&mut self, p: &ProgramSpec, who: &Who<'_>, t: f64) -> Rates {
        if !self.active {
            return Rates::NONE;
        }
        let inc = self.incentive(p, who, t);
        let x = response::rates(
            who.response,
            &inc,
            self.goal_lift,
            self.carry,
            self.damping,
            self.joined,
            t,
            &who.habits,
        );
        self.until = x.until;
        x
    }

    /// The multiplier on this member's recommendations (referral programs).
    pub fn referral_factor(&self, p: &ProgramSpec, who: &Who<'_>) -> f64 {
        match &p.referral {
            Some(r) => response::referral_factor(
                r.referral_boost.unwrap_or(who.response.referral_boost),
                r.referrer_reward,
                who.habits.mean_basket(),
            ),
            None => 1.0,
        }
    }

    /// The next time a scheduled event changes this member's state or
    /// response. A program that runs to the horizon has no end event.
    pub fn next_event(&self, p: &ProgramSpec, horizon: f64) -> f64 {
        if !self.active {
            return f64::INFINITY;
        }
        let mut t = if p.end < horizon {
            p.end
        } else {
            f64::INFINITY
        };
        t = earliest(t, self.until);
        mechanisms!(p, self, [&], |mech, st| t = earliest(t, mech.next_event(st)));
        t
    }

    /// Handle the scheduled events due at `t` (expiry, the program's end).
    pub fn on_scheduled(&mut self, p: &ProgramSpec, t: f64, horizon: f64, rec: &mut Recorder) {
        mechanisms!(p, self, [&mut], |mech, st| mech.on_scheduled(st, t, rec));
        if t >= p.end && p.end < horizon {
            self.close(p, t, rec, Flow::PointsExpired);
        }
    }

    /// The customer leaves the shop at `t`: what they held is forfeited.
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
            if p.points.is_none() {
                // Points a script keeps are held like built-in ones.
                rec.add(Flow::PointsHeldEnd, horizon, self.points.wallet.balance());
            }
            mechanisms!(p, self, [&], |mech, st| mech.at_horizon(st, horizon, rec));
        }
    }

    /// Membership ends (program over or customer gone); what is still held
    /// is lost to `lost_as`.
    fn close(&mut self, p: &ProgramSpec, t: f64, rec: &mut Recorder, lost_as: Flow) {
        mechanisms!(p, self, [&mut], |mech, st| mech.close(st, t, lost_as, rec));
        if p.points.is_none() {
            let left = self.points.wallet.clear();
            if left > 0.0 {
                rec.add(lost_as, t, left);
            }
        }
        self.book_running_cost(p, t, rec);
        rec.add(Flow::MembersLeft, t, 1.0);
        self.active = false;
        self.carry = Carry::default();
        self.goal_lift = 0.0;
        self.until = f64::INFINITY;
        self.script_incentive = Incentive::default();
    }

    fn book_running_cost(&self, p: &ProgramSpec, until: f64, rec: &mut Recorder) {
        rec.add_over(
            Flow::FixedCost,
            self.joined,
            until.min(p.end),
            p.costs.per_member_per_unit,
        );
    }

    /// What a hook sees of this member at `t`.
    pub fn facts(&self, p: &ProgramSpec, segment: usize, referred: bool, t: f64) -> MemberFacts {
        MemberFacts {
            purchases: self.purchases,
            spend: self.spend,
            segment,
            tenure: t - self.joined,
            referred,
            points: self.points.wallet.balance(),
            stamps: match p.stamps {
                Some(_) => i64::from(self.card.stamps),
                None => self.script_stamps,
            },
        }
    }

    /// Apply what a hook changed (points, stamps) and book it: points added
    /// are issued, points removed are redeemed (never below zero).
    pub fn apply(
        &mut self,
        p: &ProgramSpec,
        before: &MemberFacts,
        after: &MemberFacts,
        t: f64,
        rec: &mut Recorder,
    ) {
        if after.points != before.points {
            self.set_points(p, after.points, t, rec);
        }
        if after.stamps != before.stamps {
            match &p.stamps {
                // A full card completes at the next stamp; more than full is
                // not a state a card can be in.
                Some(s) => self.card.set_stamps(s, after.stamps, t),
                None => self.script_stamps = after.stamps.max(0),
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
        let have = self.points.wallet.balance();
        if target > have {
            self.award_points(p, target - have, t, rec);
        } else if target < have {
            let n = have - target;
            self.points.wallet.debit(n);
            rec.add(Flow::PointsRedeemed, t, n);
        }
    }

    /// Credit `n` points awarded by a script (expiring like built-in points).
    pub fn award_points(&mut self, p: &ProgramSpec, n: f64, t: f64, rec: &mut Recorder) {
        if n > 0.0 && n.is_finite() {
            self.points
                .wallet
                .credit(t, n, p.points.as_ref().and_then(|x| x.expiry));
            rec.add(Flow::PointsIssued, t, n);
        }
    }
}

/// The earlier of two times, which must not be NaN (the engine's times never
/// are): a plain comparison, cheaper than `f64::min`'s NaN handling in the
/// engine's inner loop.
#[inline]
pub fn earliest(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}
