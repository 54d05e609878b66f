//! Loyalty mechanisms, and how members respond to them.
//!
//! - [`mechanism`]: the seam. Every mechanism books its rules and states its
//!   incentive (value per currency unit, progress, time to the next reward,
//!   banked value) through one small trait.
//! - One file per mechanism: [`discount`], [`points`], [`stamps`],
//!   [`referral`]; a scripted program states its incentive through [`hooks`].
//! - [`winback`]: a reminder and win-back campaign to members who stopped
//!   buying (messages, their cost, and lapsed customers coming back).
//! - [`response`]: the behavioural response, read from the incentive only.
//! - [`member`]: a customer's membership: the mechanisms' states, bookings,
//!   and the multipliers the engine applies.
//!
//! Money and points are booked through the recorder; this module never
//! draws purchase times itself.

pub mod discount;
pub mod hooks;
pub mod mechanism;
pub mod member;
pub mod points;
pub mod referral;
pub mod response;
pub mod stamps;
pub mod winback;

pub use member::{Member, Who, earliest};
