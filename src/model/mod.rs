//! The customer-base model: random streams, exact samplers, and a customer's
//! traits (MODEL.md section 1). Behavioural response lives with the programs.

pub mod rng;
pub mod sampling;
pub mod traits;
