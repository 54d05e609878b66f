//! The customer-base model: random streams, exact samplers, a customer's
//! traits and habits, and the response parameters (how customers react to
//! an incentive). How a program applies the response lives with the programs.

pub mod assumptions;
pub mod habits;
pub mod response;
pub mod rng;
pub mod sampling;
pub mod traits;
