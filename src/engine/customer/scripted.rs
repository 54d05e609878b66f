//! The calls into a program's script hooks for one member: enrolment, a
//! purchase, a period's end, and the incentive the script states.

use super::member::Participant;
use crate::engine::recorder::{Flow, Recorder};
use crate::model::rng::Purpose;
use crate::programs::Member;
use crate::programs::hooks::{CustomerInfo, HookError, Hooks, PurchaseFacts};

/// Ask a script what it offers the member now (its `incentive` hook), so
/// the engine applies the same response as to a built-in mechanism.
fn script_incentive(
    h: &dyn Hooks,
    pc: &Participant<'_>,
    m: &mut Member,
    t: f64,
) -> Result<(), HookError> {
    if !h.has_incentive() {
        return Ok(());
    }
    let Some(st) = m.hook.as_ref() else {
        return Ok(());
    };
    let f = pc.facts(m, t);
    let stated = h.incentive(st, &f, t)?;
    m.script_incentive = stated.resolve(&pc.who.habits);
    Ok(())
}

/// Give a member who just joined their script state and run `on_enrol`.
pub(super) fn enrol(
    h: &dyn Hooks,
    pc: &Participant<'_>,
    m: &mut Member,
    t: f64,
    rec: &mut Recorder,
) -> Result<(), HookError> {
    let (c, p) = (pc.c, pc.p);
    let a = c.a;
    let info = CustomerInfo {
        segment: a.segment,
        segment_name: &c.arm.scenario.population.segments[a.segment].name,
        response: pc.who.response,
        mean_basket: c.arm.mean_basket[a.segment],
        referred: a.referred,
        habits: &pc.who.habits,
    };
    let st = h.new_state(&info, c.key.stream(Purpose::Script));
    if h.has_on_period() {
        m.next_period = t.floor() + 1.0;
    }
    if h.has_on_enrol() {
        let before = pc.facts(m, t);
        let mut after = before;
        h.on_enrol(&st, &mut after, t)?;
        m.apply(p, &before, &after, t, rec);
    }
    m.hook = Some(st);
    script_incentive(h, pc, m, t)
}

/// Run `on_purchase` for a member's purchase of `basket` at `t` (before it
/// is booked) and book what the script decided; returns the script's
/// discount.
pub(super) fn purchase(
    h: &dyn Hooks,
    pc: &Participant<'_>,
    m: &mut Member,
    t: f64,
    basket: f64,
    rec: &mut Recorder,
) -> Result<f64, HookError> {
    let p = pc.p;
    let Some(st) = m.hook.take() else {
        return Ok(0.0);
    };
    let before = pc.facts(m, t);
    let mut after = before;
    let mut pf = PurchaseFacts {
        amount: basket,
        time: t,
        ..PurchaseFacts::default()
    };
    let r = h.on_purchase(&st, &mut after, &mut pf);
    m.hook = Some(st);
    r?;
    m.apply(p, &before, &after, t, rec);
    if pf.rewards > 0 {
        rec.add(Flow::RewardCost, t, pf.reward_cost);
        rec.add(Flow::RewardsRedeemed, t, pf.rewards as f64);
        m.rewarded(pc.who.response, t);
    }
    m.award_points(p, pf.points_awarded, t, rec);
    script_incentive(h, pc, m, t)?;
    Ok(pf.discount)
}

/// Run `on_period` for a member at the integer time `t`.
pub(super) fn period(
    h: &dyn Hooks,
    pc: &Participant<'_>,
    m: &mut Member,
    t: f64,
    rec: &mut Recorder,
) -> Result<(), HookError> {
    let Some(st) = m.hook.take() else {
        return Ok(());
    };
    let before = pc.facts(m, t);
    let mut after = before;
    let r = h.on_period(&st, &mut after, t);
    m.hook = Some(st);
    r?;
    m.apply(pc.p, &before, &after, t, rec);
    script_incentive(h, pc, m, t)
}
