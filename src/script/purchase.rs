//! `purchase`: the purchase `on_purchase` is called for. The script may set
//! `discount`, book reward costs with `reward(cost)` and award points with
//! `award_points(n)`; the engine books them after the hook returns.

use super::memo;
use rhai::{Engine, INT};

/// The Rhai `purchase` object.
#[derive(Debug, Clone, Default)]
pub struct PurchaseObj {
    pub amount: f64,
    pub time: f64,
    pub discount: f64,
    pub reward_cost: f64,
    pub rewards: u32,
    pub points_awarded: f64,
    /// What the call read and whether it had an effect (`memo.rs`), shared
    /// with the copies a script makes of the object.
    pub reads: memo::Reads,
}

/// Register `purchase`'s type, properties and methods. Getters note the
/// read, setters and methods the effect (`memo.rs`).
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<PurchaseObj>("Purchase")
        .register_get("amount", |p: &mut PurchaseObj| {
            p.reads.add(memo::P_AMOUNT);
            p.amount
        })
        .register_get("time", |p: &mut PurchaseObj| {
            p.reads.add(memo::P_TIME);
            p.time
        })
        .register_get_set(
            "discount",
            |p: &mut PurchaseObj| {
                p.reads.add(memo::P_DISCOUNT);
                p.discount
            },
            |p: &mut PurchaseObj, v: f64| {
                p.reads.add(memo::TAINT);
                p.discount = v
            },
        )
        .register_set("discount", |p: &mut PurchaseObj, v: INT| {
            p.reads.add(memo::TAINT);
            p.discount = v as f64
        })
        .register_fn("reward", |p: &mut PurchaseObj, cost: f64| {
            p.reads.add(memo::TAINT);
            p.reward_cost += cost;
            p.rewards += 1;
        })
        .register_fn("reward", |p: &mut PurchaseObj, cost: INT| {
            p.reads.add(memo::TAINT);
            p.reward_cost += cost as f64;
            p.rewards += 1;
        })
        .register_fn("award_points", |p: &mut PurchaseObj, n: f64| {
            p.reads.add(memo::TAINT);
            p.points_awarded += n
        })
        .register_fn("award_points", |p: &mut PurchaseObj, n: INT| {
            p.reads.add(memo::TAINT);
            p.points_awarded += n as f64
        });
}
