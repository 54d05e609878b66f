//! `ctx`: the run context a hook sees — `params` (the TOML table, read-only),
//! `time`, `time_unit`, the segment's `response` parameters and
//! `mean_basket`, and `random()` from the customer's own `Purpose::Script`
//! stream (so scripted results stay deterministic).

use crate::model::rng::Stream;
use rhai::{Dynamic, Engine, ImmutableString};

/// The Rhai `ctx` object (one per member: it carries their random stream).
#[derive(Debug, Clone)]
pub struct CtxObj {
    pub params: Dynamic,
    pub response: Dynamic,
    pub time: f64,
    pub time_unit: ImmutableString,
    pub mean_basket: f64,
    pub rng: Stream,
}

/// Register `ctx`'s type, properties and `random()`.
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<CtxObj>("Ctx")
        .register_get("params", |c: &mut CtxObj| c.params.clone())
        .register_get("response", |c: &mut CtxObj| c.response.clone())
        .register_get("time", |c: &mut CtxObj| c.time)
        .register_get("time_unit", |c: &mut CtxObj| c.time_unit.clone())
        .register_get("mean_basket", |c: &mut CtxObj| c.mean_basket)
        .register_fn("random", |c: &mut CtxObj| c.rng.uniform());
}
