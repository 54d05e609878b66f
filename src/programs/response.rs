//! How a member responds to what a program offers (docs/model.md, section 3).
//!
//! Everything here reads a mechanism's [`Incentive`] and the customer's
//! habits, never the mechanism itself. The principle: customers respond to
//! the incentive, not to the existence of a program. Every term scales with
//! the size of what the member can get (through the strength S(v) of
//! [`Response::strength`]) and with whether they can get it, so a program
//! that gives nothing reproduces the control exactly.
//!
//! A member's purchase rate is λ·m(t) and their churn hazard (or BG/NBD
//! churn probability) is μ·c(t). Between events both are of the form
//! `base + excess·e^{−(t − now)/effect_fade}`: the membership and carry-over
//! effects fade continuously, which the engine's clocks integrate exactly
//! ([`Profile`]).

use crate::model::habits::Habits;
use crate::model::response::Response;
use crate::programs::mechanism::{Goal, Incentive};

/// A multiplier that fades: `base + excess·e^{−(s − t)/tau}` at times s ≥ t,
/// where t is when it was worked out. `excess == 0` is a constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub base: f64,
    pub excess: f64,
    pub tau: f64,
}

impl Profile {
    /// A constant multiplier.
    pub const fn constant(m: f64) -> Profile {
        Profile {
            base: m,
            excess: 0.0,
            tau: 1.0,
        }
    }

    /// The multiplier now.
    #[inline]
    pub fn now(&self) -> f64 {
        self.base + self.excess
    }

    /// Both parts scaled by a constant factor `k` ≥ 0.
    #[inline]
    pub fn scaled(self, k: f64) -> Profile {
        Profile {
            base: self.base * k,
            excess: self.excess * k,
            tau: self.tau,
        }
    }
}

/// The lift that stays after a reward, fading from the moment it was earned.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Carry {
    /// `reward_carryover` × the goal-gradient lift just before the reward.
    pub lift: f64,
    /// When the reward was earned.
    pub from: f64,
}

/// A member's response right after an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rates {
    /// Purchase-rate multiplier m.
    pub buy: Profile,
    /// Churn multiplier c.
    pub churn: Profile,
    /// When `buy` changes form by itself (the fading carry-over falls below
    /// the goal-gradient lift), infinity if never.
    pub until: f64,
}

impl Rates {
    /// Outside the program: the control's behaviour.
    pub const NONE: Rates = Rates {
        buy: Profile::constant(1.0),
        churn: Profile::constant(1.0),
        until: f64::INFINITY,
    };

    /// A member offered nothing (and carrying nothing over): what [`rates`]
    /// works out for them, both multipliers 1, the churn's `tau` the
    /// response's `effect_fade` as the general formulas leave it.
    const fn offered_nothing(tau: f64) -> Rates {
        Rates {
            buy: Profile::constant(1.0),
            churn: Profile {
                base: 1.0,
                excess: 0.0,
                tau,
            },
            until: f64::INFINITY,
        }
    }
}

/// e^{−x/tau} (`libm`, the same bits everywhere).
#[inline]
fn fade(x: f64, tau: f64) -> f64 {
    libm::exp(-x / tau)
}

/// The chance that a customer offered the program joins (self-selection):
/// logistic(logit(enrolment) + enrolment_selection · ln(λᵢ/λ̄)). Heavy
/// buyers join more often; an average buyer joins with chance `enrolment`.
pub fn join_chance(enrolment: f64, selection: f64, relative_rate: f64) -> f64 {
    if enrolment >= 1.0 || enrolment <= 0.0 || selection == 0.0 || relative_rate == 1.0 {
        return enrolment.clamp(0.0, 1.0);
    }
    let odds = enrolment / (1.0 - enrolment) * libm::pow(relative_rate, selection);
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

/// How strongly this member responds: each behavioural lift (m − 1, and
/// 1 − c) is scaled by (λ̄/λᵢ)^heavy_damping, at most 2.
pub fn damping(r: &Response, relative_rate: f64) -> f64 {
    if r.heavy_damping == 0.0 {
        return 1.0;
    }
    let x = 1.0 / relative_rate;
    // `libm::pow(x, 0.5)` returns `sqrt(x)` for x ≥ +0 (a correctly rounded
    // square root, the same bits), and 0.5 is the default exponent: the
    // square root spares each joining member a `pow`.
    let d = if r.heavy_damping == 0.5 && x.is_sign_positive() {
        libm::sqrt(x)
    } else {
        libm::pow(x, r.heavy_damping)
    };
    d.min(2.0)
}

/// The multiplier on a referral-program member's recommendations:
/// 1 + (boost − 1)·S_ref(reward / basket), where S_ref(x) = 2x / (1 + x)
/// is 0 without a reward, 1 at a reward of one basket and at most 2.
pub fn referral_factor(boost: f64, reward: f64, mean_basket: f64) -> f64 {
    if reward <= 0.0 || !(mean_basket > 0.0) {
        return 1.0;
    }
    let x = reward / mean_basket;
    1.0 + (boost - 1.0) * (2.0 * x / (1.0 + x))
}

/// The goal-gradient lift of one goal at `t`: goal_gradient · S(v) · k/K,
/// when the reward is reachable in time (R = 1), else nothing.
///
/// Reachable: a whole reward can be collected within the life of the
/// progress at all, and the next one is expected before the planning
/// horizon (`goal_horizon`), before the progress is lost (`deadline`) and
/// before the program ends.
#[inline]
pub fn goal_lift(r: &Response, g: &Goal, t: f64, program_end: f64) -> f64 {
    let due = t + g.time_to_goal;
    if !g.feasible
        || g.time_to_goal > r.goal_horizon
        || due > g.deadline
        || due > program_end
        || g.progress <= 0.0
    {
        return 0.0;
    }
    r.goal_gradient * r.strength(g.value) * g.progress
}

/// The member's multipliers right after an event at `t`.
///
/// - Purchases: (1 + discount_elasticity·d) · (1 + reward_elasticity ·
///   reward_perceived · v) · (1 + max(goal lift, fading carry-over)).
/// - Churn: (1 − (1 − member_churn)·S(v)·fade(tenure)) ·
///   1 / (1 + switching_cost · banked / basket).
///
/// Both lifts are then scaled by the member's `damping`.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn rates(
    r: &Response,
    inc: &Incentive,
    goal: f64,
    carry: Carry,
    damping: f64,
    joined: f64,
    t: f64,
    habits: &Habits,
) -> Rates {
    if offers_nothing(inc, goal, carry) {
        // Every lift below is then a finite factor times 0 (response keys
        // and the damping are finite), so the formulas would give exactly
        // this, at the cost of an `exp`-free but long calculation; members
        // who gave up their card meet it at every event.
        return Rates::offered_nothing(r.effect_fade);
    }
    rates_of(r, inc, goal, carry, damping, joined, t, habits)
}

/// True when a member can get nothing (no discount, no deferred reward,
/// nothing banked, no goal) and no lift carries over from a reward.
#[inline]
fn offers_nothing(inc: &Incentive, goal: f64, carry: Carry) -> bool {
    inc.discount == 0.0
        && inc.deferred == 0.0
        && inc.banked == 0.0
        && goal == 0.0
        && !(carry.lift > 0.0)
}

/// [`rates`] by the formulas, whatever the incentive.
#[allow(clippy::too_many_arguments)]
#[inline]
fn rates_of(
    r: &Response,
    inc: &Incentive,
    goal: f64,
    carry: Carry,
    damping: f64,
    joined: f64,
    t: f64,
    habits: &Habits,
) -> Rates {
    let tau = r.effect_fade;
    let lift = (1.0 + r.discount_elasticity * inc.discount)
        * (1.0 + r.reward_elasticity * r.reward_perceived * inc.deferred);
    let carried = if carry.lift > 0.0 {
        carry.lift * fade(t - carry.from, tau)
    } else {
        0.0
    };
    let (buy, until) = if carried > goal {
        // The carry-over dominates until it has faded to the goal lift.
        let until = if goal > 0.0 {
            carry.from + tau * libm::log(carry.lift / goal)
        } else {
            f64::INFINITY
        };
        let p = Profile {
            base: 1.0 + damping * (lift - 1.0),
            excess: damping * lift * carried,
            tau,
        };
        if until > t {
            (p, until)
        } else {
            (
                Profile::constant(1.0 + damping * (lift * (1.0 + goal) - 1.0)),
                f64::INFINITY,
            )
        }
    } else {
        (
            Profile::constant(1.0 + damping * (lift * (1.0 + goal) - 1.0)),
            f64::INFINITY,
        )
    };
    Rates {
        buy,
        churn: churn(r, inc, damping, t - joined, habits),
        until,
    }
}

/// `h.min(cap)` for an `h` that is not NaN (a member's damping never is)
/// and a positive `cap`: `f64::min` then picks `cap` exactly when it is
/// smaller, and this spares the hot path its fix-up for a NaN `h`.
#[inline]
fn at_most(h: f64, cap: f64) -> f64 {
    debug_assert!(!h.is_nan());
    if cap < h { cap } else { h }
}

/// The churn multiplier: membership (fading) and switching cost, damped,
/// never below zero.
#[inline]
fn churn(r: &Response, inc: &Incentive, damping: f64, tenure: f64, habits: &Habits) -> Profile {
    let tau = r.effect_fade;
    // Whether the mean basket is positive and finite is decided with the
    // habits: tested here, it cost some twenty instructions an event.
    let switching = if inc.banked > 0.0 && habits.basket_measures() {
        1.0 / (1.0 + r.switching_cost * inc.banked / habits.mean_basket())
    } else {
        1.0
    };
    let a = ((1.0 - r.member_churn) * r.strength(inc.value())).min(1.0);
    let member = if a != 0.0 { a * fade(tenure, tau) } else { 0.0 };
    // The damped multiplier 1 − h·(1 − raw) must stay ≥ 0 now and later:
    // the raw one moves from `now` toward `switching` as membership fades.
    let raw_now = switching * (1.0 - member);
    let mut h = damping;
    if raw_now < 1.0 {
        h = at_most(h, 1.0 / (1.0 - raw_now));
    }
    if switching < 1.0 {
        h = at_most(h, 1.0 / (1.0 - switching));
    }
    Profile {
        base: 1.0 - h * (1.0 - switching),
        excess: if member != 0.0 {
            -h * switching * member
        } else {
            0.0
        },
        tau,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dist::{Basket, Dist, Dropout};
    use crate::model::scenario::Segment;
    use crate::model::traits::{Churn, Traits};

    fn segment() -> Segment {
        Segment {
            name: "s".into(),
            share: 1.0,
            purchase_rate: Dist::Fixed(1.0),
            dropout: Dropout::Hazard(0.1),
            basket: Basket::Iid(Dist::Fixed(50.0)),
            response: Response::default(),
        }
    }

    fn traits(rate: f64) -> Traits {
        Traits {
            rate,
            churn: Churn::Rate(0.1),
            basket_nu: 0.0,
        }
    }

    #[test]
    fn nothing_offered_is_the_control_bit_for_bit() {
        let seg = segment();
        let h = Habits::new(&seg, &traits(3.0), 1.0);
        let r = Response::default();
        let d = damping(&r, h.relative_rate());
        let x = rates(
            &r,
            &Incentive::default(),
            0.0,
            Carry::default(),
            d,
            0.0,
            4.0,
            &h,
        );
        assert_eq!(x.buy, Profile::constant(1.0));
        assert_eq!(x.churn.now(), 1.0);
        assert_eq!(x.churn.excess, 0.0);
        assert!(x.until.is_infinite());
    }

    #[test]
    fn a_discount_lifts_by_the_elasticity_and_a_reward_by_its_perceived_value() {
        let seg = segment();
        let h = Habits::new(&seg, &traits(1.0), 1.0);
        let r = Response {
            heavy_damping: 0.0,
            ..Response::default()
        };
        let inc = Incentive {
            discount: 0.1,
            deferred: 0.05,
            ..Incentive::default()
        };
        let x = rates(&r, &inc, 0.0, Carry::default(), 1.0, 0.0, 0.0, &h);
        let want = (1.0 + 1.0 * 0.1) * (1.0 + 1.0 * 0.7 * 0.05);
        assert!((x.buy.now() - want).abs() < 1e-15);
    }

    #[test]
    fn membership_fades_and_churn_never_goes_negative() {
        let seg = segment();
        let h = Habits::new(&seg, &traits(1.0), 1.0);
        let r = Response {
            member_churn: 0.5,
            ..Response::default()
        };
        let inc = Incentive {
            deferred: crate::model::response::V_REF,
            ..Incentive::default()
        };
        let at = |tenure: f64| rates(&r, &inc, 0.0, Carry::default(), 1.0, 0.0, tenure, &h);
        // At the reference incentive a new member churns at member_churn.
        assert!((at(0.0).churn.now() - 0.5).abs() < 1e-15);
        // After one effect_fade the reduction is e^{−1} of its start.
        let one = at(r.effect_fade).churn.now();
        assert!((one - (1.0 - 0.5 * (-1.0f64).exp())).abs() < 1e-12);
        // Heavily damped members whose churn would fall below zero stop at zero.
        let r0 = Response {
            member_churn: 0.0,
            ..r
        };
        let c = rates(&r0, &inc, 0.0, Carry::default(), 2.0, 0.0, 0.0, &h).churn;
        assert!(c.now() >= 0.0 && c.base >= 0.0, "{c:?}");
    }

    #[test]
    fn carry_over_fades_to_the_goal_lift_then_stays() {
        let seg = segment();
        let h = Habits::new(&seg, &traits(1.0), 1.0);
        let r = Response::default();
        let carry = Carry {
            lift: 0.08,
            from: 2.0,
        };
        let x = rates(&r, &Incentive::default(), 0.02, carry, 1.0, 0.0, 2.0, &h);
        assert!((x.buy.now() - 1.08).abs() < 1e-15);
        assert!((x.until - (2.0 + r.effect_fade * 4.0f64.ln())).abs() < 1e-9);
        let y = rates(
            &r,
            &Incentive::default(),
            0.02,
            carry,
            1.0,
            0.0,
            x.until,
            &h,
        );
        assert_eq!(y.buy.excess, 0.0);
        assert!((y.buy.now() - 1.02).abs() < 1e-12);
    }

    #[test]
    fn self_selection_and_damping() {
        assert_eq!(join_chance(0.5, 1.0, 1.0), 0.5);
        assert!(join_chance(0.5, 1.0, 3.0) > 0.7);
        assert!(join_chance(0.5, 1.0, 1.0 / 3.0) < 0.3);
        // Odds scale with the relative rate: 0.5 → odds 1 × 3 = 3 → 0.75.
        assert!((join_chance(0.5, 1.0, 3.0) - 0.75).abs() < 1e-15);
        assert_eq!(join_chance(1.0, 1.0, 0.01), 1.0);
        assert_eq!(join_chance(0.0, 1.0, 100.0), 0.0);
        let r = Response::default();
        assert_eq!(damping(&r, 1.0), 1.0);
        assert!((damping(&r, 4.0) - 0.5).abs() < 1e-15);
        assert_eq!(damping(&r, 0.01), 2.0);
        assert_eq!(damping(&r, 0.0), 2.0);
    }

    /// Every field's bits (so that 0 and −0 differ).
    fn bits(x: &Rates) -> [u64; 7] {
        [
            x.buy.base,
            x.buy.excess,
            x.buy.tau,
            x.churn.base,
            x.churn.excess,
            x.churn.tau,
            x.until,
        ]
        .map(f64::to_bits)
    }

    #[test]
    fn offering_nothing_is_the_formulas_bit_for_bit() {
        let seg = segment();
        let odd = Response {
            member_churn: 1.3,
            heavy_damping: -0.7,
            switching_cost: 0.0,
            ..Response::default()
        };
        let nothing = [
            Incentive::default(),
            Incentive {
                discount: -0.0,
                deferred: -0.0,
                referral_reward: 5.0,
                ..Incentive::default()
            },
        ];
        let carries = [
            Carry::default(),
            Carry {
                lift: 0.0,
                from: 2.0,
            },
        ];
        for r in [Response::default(), Response::neutral(), odd] {
            for rate in [0.0, 1e-9, 0.3, 1.0, 7.0, 1e9] {
                let h = Habits::new(&seg, &traits(rate), 1.0);
                let d = damping(&r, h.relative_rate());
                for (inc, carry) in nothing.iter().zip(carries) {
                    for (joined, t) in [(0.0, 0.0), (1.0, 4.5)] {
                        let short = rates(&r, inc, 0.0, carry, d, joined, t, &h);
                        let long = rates_of(&r, inc, 0.0, carry, d, joined, t, &h);
                        assert_eq!(bits(&short), bits(&long), "{r:?} {rate} {inc:?}");
                    }
                }
            }
        }
        // Anything offered or carried over takes the formulas.
        let h = Habits::new(&seg, &traits(1.0), 1.0);
        let r = Response::default();
        let banked = Incentive {
            banked: 1.0,
            ..Incentive::default()
        };
        assert!(
            rates(&r, &banked, 0.0, Carry::default(), 1.0, 0.0, 0.0, &h)
                .churn
                .base
                < 1.0
        );
        // A discount alone, and deferred value alone, each lift purchases.
        for inc in [
            Incentive {
                discount: 0.05,
                ..Incentive::default()
            },
            Incentive {
                deferred: 0.05,
                ..Incentive::default()
            },
        ] {
            let x = rates(&r, &inc, 0.0, Carry::default(), 1.0, 0.0, 0.0, &h);
            assert!(x.buy.base > 1.0, "{inc:?}");
        }
        let carry = Carry {
            lift: 0.1,
            from: 0.0,
        };
        let x = rates(&r, &Incentive::default(), 0.0, carry, 1.0, 0.0, 1.0, &h);
        assert!(x.buy.now() > 1.0);
        assert!(
            rates(
                &r,
                &Incentive::default(),
                0.05,
                Carry::default(),
                1.0,
                0.0,
                0.0,
                &h
            )
            .buy
            .base
                > 1.0
        );
    }

    #[test]
    fn at_most_is_min_for_a_number() {
        // Caps are 1 / (1 − x) for x < 1: positive (or NaN).
        let hs = [0.0, -0.0, 1e-300, 0.5, 1.0, 2.0, f64::INFINITY];
        let caps = [1e-300, 0.5, 1.0, 1.5, 2.0, 3.0, f64::INFINITY, f64::NAN];
        for h in hs {
            for cap in caps {
                assert_eq!(at_most(h, cap).to_bits(), h.min(cap).to_bits(), "{h} {cap}");
            }
        }
    }

    #[test]
    fn the_square_root_damping_is_libm_pow_bit_for_bit() {
        let r = Response {
            heavy_damping: 0.5,
            ..Response::default()
        };
        let mut x = 1e-12;
        let mut rates = vec![0.0, f64::MIN_POSITIVE, 5e-324, 1.0, f64::INFINITY, f64::MAX];
        while x < 1e12 {
            rates.push(x);
            x *= 1.37;
        }
        for rr in rates {
            let want = libm::pow(1.0 / rr, 0.5).min(2.0);
            assert_eq!(damping(&r, rr).to_bits(), want.to_bits(), "{rr}");
        }
    }

    #[test]
    fn referral_boost_scales_with_the_reward() {
        assert_eq!(referral_factor(2.0, 0.0, 50.0), 1.0);
        assert!((referral_factor(2.0, 50.0, 50.0) - 2.0).abs() < 1e-15);
        assert!(referral_factor(2.0, 10.0, 50.0) < referral_factor(2.0, 20.0, 50.0));
        assert!(referral_factor(2.0, 1e9, 50.0) < 3.0);
    }

    #[test]
    fn unreachable_goals_motivate_nobody() {
        let r = Response::default();
        let g = Goal {
            progress: 0.8,
            value: 0.07,
            time_to_goal: 1.0,
            deadline: f64::INFINITY,
            feasible: true,
        };
        assert!((goal_lift(&r, &g, 0.0, f64::INFINITY) - 0.16).abs() < 1e-15);
        let late = Goal {
            time_to_goal: r.goal_horizon + 0.1,
            ..g
        };
        assert_eq!(goal_lift(&r, &late, 0.0, f64::INFINITY), 0.0);
        assert_eq!(goal_lift(&r, &g, 0.0, 0.5), 0.0);
        let expiring = Goal { deadline: 0.9, ..g };
        assert_eq!(goal_lift(&r, &expiring, 0.0, f64::INFINITY), 0.0);
        let never = Goal {
            feasible: false,
            ..g
        };
        assert_eq!(goal_lift(&r, &never, 0.0, f64::INFINITY), 0.0);
    }
}
