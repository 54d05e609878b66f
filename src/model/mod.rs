//! The customer-base model: random streams, exact samplers, and a customer's
//! traits and behaviour (MODEL.md sections 1 and 3).

pub mod rng;
pub mod sampling;
