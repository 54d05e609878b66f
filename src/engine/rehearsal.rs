//! A rehearsal of every scripted program's hooks, for `loyalsim validate`:
//! each hook the script defines runs once for one sample member of each
//! segment (traits drawn from the scenario's seed), in the order the engine
//! calls them (`on_enrol`, `on_purchase` of one usual basket, `on_period`,
//! the multipliers, `incentive`). A runtime error — a `params` entry the
//! script reads but the scenario does not give, a type mismatch, a `throw`
//! — is then found before `run`, with the script's file, line and column.
//! A rehearsal cannot find an error that only some members reach.

use crate::engine::SimError;
use crate::model::habits::Habits;
use crate::model::rng::{CustomerKey, Purpose};
use crate::model::scenario::Scenario;
use crate::model::traits::SegmentDraws;
use crate::programs::hooks::{CustomerInfo, MemberFacts, PurchaseFacts};

/// Run each scripted program's hooks once per segment on a sample member;
/// the first hook error is returned.
pub fn rehearse(sc: &Scenario) -> Result<(), SimError> {
    let mean_rate = sc.population.mean_purchase_rate();
    for p in &sc.programs {
        let Some(h) = p.script.as_ref().map(|s| &*s.hooks.0) else {
            continue;
        };
        if !h.any() {
            continue;
        }
        for (i, seg) in sc.population.segments.iter().enumerate() {
            let key = CustomerKey::new(sc.simulation.seed, 0, i as u64);
            let tr = SegmentDraws::new(seg).traits(&mut key.stream(Purpose::Traits));
            let habits = Habits::new(seg, &tr, mean_rate);
            let mean_basket = seg.basket.mean();
            let info = CustomerInfo {
                segment: i,
                segment_name: &seg.name,
                response: &seg.response,
                mean_basket,
                referred: false,
                habits: &habits,
            };
            let st = h.new_state(&info, key.stream(Purpose::Script));
            let t = p.start;
            let mut m = MemberFacts {
                purchases: 0,
                spend: 0.0,
                segment: i,
                tenure: 0.0,
                referred: false,
                points: 0.0,
                stamps: 0,
            };
            if h.has_on_enrol() {
                h.on_enrol(&st, &mut m, t)?;
            }
            if h.has_on_purchase() {
                let amount = if mean_basket.is_finite() {
                    mean_basket
                } else {
                    1.0
                };
                let mut pf = PurchaseFacts {
                    amount,
                    time: t,
                    ..PurchaseFacts::default()
                };
                h.on_purchase(&st, &mut m, &mut pf)?;
                m.purchases += 1;
                m.spend += amount - pf.discount.clamp(0.0, amount);
            }
            if h.has_on_period() {
                m.tenure = t.floor() + 1.0 - t;
                h.on_period(&st, &mut m, t.floor() + 1.0)?;
            }
            if h.has_purchase_rate_multiplier() {
                h.purchase_rate_multiplier(&st, &m, t)?;
            }
            if h.has_churn_multiplier() {
                h.churn_multiplier(&st, &m, t)?;
            }
            if h.has_incentive() {
                h.incentive(&st, &m, t)?;
            }
        }
    }
    Ok(())
}
