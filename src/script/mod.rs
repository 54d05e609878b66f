//! The Rhai bridge: compiles a program's script once per run and implements
//! the core's [`crate::programs::hooks::Hooks`] trait by calling the hooks the
//! script defines (docs/scripting.md).
//!
//! - `engine.rs`: the sandboxed engine, its limits, compilation and hook calls.
//! - `member.rs`, `purchase.rs`, `ctx.rs`: one registration file per object a
//!   hook receives.
//! - `memo.rs`: hook results kept per member, so a hook runs again only when
//!   something it read may have changed.
//! - `budget.rs`: the operations budget (per call, per member, per group).
//! - `sort.rs`: `sort`, `order` and `dedup` with a comparator, so that the
//!   comparator's errors (and the budget) are not swallowed.
//! - `errors.rs`: classifies Rhai errors and renders them as `FILE:LINE:COL: ...`.

pub mod budget;
mod ctx;
pub mod engine;
pub mod errors;
mod member;
mod memo;
mod purchase;
mod sort;

pub use budget::Budget;
pub use engine::{Limits, RhaiHooks, compile};
