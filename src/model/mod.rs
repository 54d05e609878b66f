//! The model the core simulates: the resolved scenario ([`scenario`],
//! [`dist`]: what the TOML loader produces), random streams, exact samplers,
//! a customer's traits and habits, the response parameters (how customers
//! react to an incentive) and the hooks a scripted program implements
//! ([`hooks`]). How a program applies the response lives with the programs.
//!
//! The lowest layer of the model code: it imports only [`crate::math`] and
//! [`crate::provenance`], never the loader, the mechanisms or the engine.

pub mod assumptions;
pub mod dist;
pub mod habits;
pub mod hooks;
pub mod response;
pub mod rng;
pub mod sampling;
pub mod scenario;
pub mod traits;
