//! Statistics: per-replication metrics, summaries across replications,
//! paired differences against the control, and the results document.

pub mod metrics;
pub mod results;
pub mod summary;

pub use results::{Results, build};
