//! Statistics: per-replication metrics, summaries across replications,
//! paired differences against the control, the results document, the
//! published closed forms the model is validated against (their special
//! functions are in [`crate::math`]); and the uncertainty analysis (sensitivity to the drawn assumptions, value
//! of information, verdicts).

pub mod assessment;
mod build;
pub mod closed_form;
pub mod metrics;
pub mod replications;
pub mod results;
pub mod summary;
pub mod uncertainty;

/// The special and distribution functions live in [`crate::math`] (the
/// model and the mechanisms use them too); these paths stay for `fit`.
pub use crate::math::{cdf, special};
pub use replications::Replications;
pub use results::{Results, build, build_with_replications};
