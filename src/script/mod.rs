//! The Rhai bridge: compiles a program's script once per run and implements
//! the core's [`crate::programs::hooks::Hooks`] trait by calling the hooks the
//! script defines (docs/scripting.md).
//!
//! - `engine.rs`: [`RhaiHooks`], each hook of the trait and the checks on
//!   what hooks return.
//! - `compile.rs`: the sandboxed engine and compiling a script.
//! - `call.rs`: the hook-call layer (a member's handles, the metered call).
//! - `limits.rs`: the sandbox's limits and the bounds on returned values.
//! - `member.rs`, `purchase.rs`, `ctx.rs`: one registration file per object a
//!   hook receives.
//! - `direct/`: hooks evaluated without Rhai's interpreter when they stay
//!   within the part of the language reproduced there exactly.
//! - `memo.rs`: hook results kept per member, so a hook runs again only when
//!   something it read may have changed.
//! - `budget.rs`: the operations budget (per call, per member, per group).
//! - `sort.rs`: `sort`, `order` and `dedup` with a comparator, so that the
//!   comparator's errors (and the budget) are not swallowed.
//! - `errors.rs`: script errors typed by class, rendered as `FILE:LINE:COL: ...`.
//! - `probe.rs`: a member to drive hooks with outside a simulation (tests,
//!   `examples/hookcost.rs`).

pub mod budget;
mod call;
mod compile;
mod ctx;
mod direct;
pub mod engine;
pub mod errors;
pub mod limits;
mod member;
mod memo;
pub mod probe;
mod purchase;
mod sort;

pub use budget::Budget;
pub use compile::compile;
pub use engine::RhaiHooks;
pub use errors::ScriptError;
pub use limits::Limits;
