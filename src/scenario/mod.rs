//! The scenario loader: TOML text to a resolved [`Scenario`] (the types are in
//! [`crate::model::scenario`], re-exported here). Nothing downstream of this
//! module sees raw TOML. The loader depends on the core; the core never
//! imports it.
//!
//! Loading happens in two stages (see `raw.rs` and `validate.rs`): the TOML is
//! mirrored with spans and unknown keys rejected, then turned into these types.

mod business;
mod check;
mod cohort;
mod error;
mod locate;
mod overrides;
mod plausible;
mod raw;
mod resolve_dist;
mod resolve_program;
mod resolve_response;
mod suggest;
mod validate;

pub use crate::model::dist::{self, Basket, Dist, Dropout, toml_float};
pub use crate::model::response::Response;
pub use crate::model::scenario::*;
pub use business::{
    SPREAD_WORDS, basket_from_receipt, hazard_from_lost_per_year, purchase_rate_from_visits,
};
pub use error::ScenarioError;
pub(crate) use suggest::did_you_mean;
pub use validate::{
    Override, load_file, load_file_with_overrides, load_file_with_text, load_str,
    load_str_with_overrides,
};
