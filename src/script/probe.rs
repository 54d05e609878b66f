//! A member to drive hooks with outside a simulation: the one setup shared
//! by the unit tests of this module and `examples/hookcost.rs`.

use crate::model::habits::Habits;
use crate::model::response::Response;
use crate::model::rng::{Purpose, Stream};
use crate::programs::hooks::{CustomerInfo, HookState, Hooks, MemberFacts};

/// A new member of `hooks` (segment `all`, the default response, habits of
/// one purchase per time unit at `mean_basket`, script stream of seed 1,
/// customer 0) and their facts before any purchase. `on_enrol` is not called.
pub fn member(hooks: &dyn Hooks, mean_basket: f64) -> (HookState, MemberFacts) {
    let response = Response::default();
    let habits = Habits::fixed(1.0, mean_basket);
    let who = CustomerInfo {
        segment: 0,
        segment_name: "all",
        response: &response,
        mean_basket,
        referred: false,
        habits: &habits,
    };
    let state = hooks.new_state(&who, Stream::new(1, 0, 0, Purpose::Script));
    let facts = MemberFacts {
        purchases: 0,
        spend: 0.0,
        segment: 0,
        tenure: 0.0,
        referred: false,
        points: 0.0,
        stamps: 0,
    };
    (state, facts)
}
