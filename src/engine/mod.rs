//! The Monte Carlo engine: a recorder of per-period flows, the exact
//! simulation of one customer, one replication (cohort + arrivals), and the
//! runner that owns replications, seeds and threads.

pub mod answers;
mod clock;
pub mod customer;
mod error;
pub mod recorder;
pub mod referrers;
mod rehearsal;
pub mod replication;
pub mod runner;

pub use error::SimError;
pub use rehearsal::rehearse;
pub use runner::{ArmRun, BASELINE, RunOutput, run, try_run};
