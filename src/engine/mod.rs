//! The Monte Carlo engine: the exact simulation of one customer, one replication (cohort + arrivals), and the
//! runner that owns replications, seeds and threads. What a replication
//! books goes into [`crate::record`].

mod clock;
pub mod customer;
mod error;
pub mod referrers;
mod rehearsal;
pub mod replication;
pub mod runner;

/// The recorder and the customer answers live in [`crate::record`] (the
/// mechanisms book into them too); these paths stay for callers of the engine.
pub use crate::record::{answers, recorder};
pub use error::SimError;
pub use rehearsal::rehearse;
pub use runner::{ArmRun, BASELINE, RunOutput, run, try_run};
