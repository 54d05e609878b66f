//! `ctx`: the run context a hook sees — `params` (the TOML table, read-only),
//! `time`, `time_unit`, the segment's `response` parameters and
//! `mean_basket`, and `random()` from the customer's own `Purpose::Script`
//! stream (so scripted results stay deterministic).

use crate::model::response::Response;
use crate::model::rng::Stream;
use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Map, Position};
use std::sync::Arc;

/// `ctx.params`: the TOML table, read-only. Each top-level key is a
/// property registered when the script is compiled (a getter is much cheaper
/// than indexing a map); `ctx.params["key"]` works for any key.
#[derive(Debug, Clone)]
pub struct Params(pub Arc<Map>);

/// `ctx.response`: the segment's `[response]` parameters, read-only.
#[derive(Debug, Clone, Copy)]
pub struct ResponseObj(pub Response);

fn entry(p: &mut Params, key: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    p.0.get(key).cloned().ok_or_else(|| {
        Box::new(EvalAltResult::ErrorPropertyNotFound(
            format!("params.{key}"),
            Position::NONE,
        ))
    })
}

/// Register a property for each top-level key of `params`. The getter
/// holds the key's value itself: every [`Params`] of this engine is a copy
/// of the same read-only table, so the value needs no look-up by name.
pub fn register_params(engine: &mut Engine, params: &Map) {
    for (key, value) in params {
        let v = value.clone();
        engine.register_get(key.as_str(), move |_: &mut Params| v.clone());
    }
}

/// The Rhai `ctx` object (one per member: it carries their random stream).
#[derive(Debug, Clone)]
pub struct CtxObj {
    /// A shared [`Params`]: reading `ctx.params` clones a reference count
    /// instead of boxing a new value (an allocation per property read).
    pub params: Dynamic,
    /// A shared [`ResponseObj`], for the same reason.
    pub response: Dynamic,
    pub time: f64,
    pub time_unit: ImmutableString,
    pub mean_basket: f64,
    pub rng: Stream,
    /// What the call read (`ctx.time`) and whether it drew a random number
    /// (`memo.rs`), shared with the copies a script makes of the object.
    pub reads: super::memo::Reads,
}

/// Register `ctx`'s type, properties and `random()`.
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Params>("Params")
        .register_indexer_get(entry)
        .register_fn("contains", |p: &mut Params, key: &str| {
            p.0.contains_key(key)
        })
        .register_fn("to_map", |p: &mut Params| (*p.0).clone());
    let mut response = engine.register_type_with_name::<ResponseObj>("Response");
    for k in crate::model::response::KEYS {
        let name = k.name;
        response = response.register_get(name, move |r: &mut ResponseObj| {
            r.0.get(name).unwrap_or(f64::NAN)
        });
    }
    // The chance of collecting `needed` qualifying purchases within
    // `window` time units at `rate` a time unit (as built-in mechanisms
    // judge whether a member can get a reward).
    engine.register_fn("chance_within", |needed: f64, rate: f64, window: f64| {
        crate::programs::mechanism::chance_within(needed, rate, window)
    });
    engine
        .register_type_with_name::<CtxObj>("Ctx")
        .register_get("params", |c: &mut CtxObj| c.params.clone())
        .register_get("response", |c: &mut CtxObj| c.response.clone())
        .register_get("time", |c: &mut CtxObj| {
            c.reads.add(super::memo::TIME);
            c.time
        })
        .register_get("time_unit", |c: &mut CtxObj| c.time_unit.clone())
        .register_get("mean_basket", |c: &mut CtxObj| c.mean_basket)
        .register_fn("random", |c: &mut CtxObj| {
            c.reads.add(super::memo::TAINT);
            c.rng.uniform()
        });
}
