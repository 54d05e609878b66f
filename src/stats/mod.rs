//! Statistics: per-replication metrics, summaries across replications,
//! paired differences against the control, the results document, the
//! published closed forms the model is validated against, and the special
//! functions (₂F₁, ln Γ, quadrature) those and the `fit` likelihoods share;
//! and the uncertainty analysis (sensitivity to the drawn assumptions, value
//! of information, verdicts).

pub mod assessment;
mod build;
pub mod cdf;
pub mod closed_form;
pub mod metrics;
pub mod replications;
pub mod results;
pub mod special;
pub mod summary;
pub mod uncertainty;

pub use replications::Replications;
pub use results::{Results, build, build_with_replications};
