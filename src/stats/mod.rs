//! Statistics: per-replication metrics, summaries across replications,
//! paired differences against the control, the results document, and the
//! published closed forms the model is validated against.

pub mod closed_form;
pub mod metrics;
pub mod results;
pub mod summary;

pub use results::{Results, build};
