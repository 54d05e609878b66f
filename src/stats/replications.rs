//! Each replication's totals, per arm: the table behind `replications.csv`
//! (one row per run, as NetLogo's BehaviorSpace table or Mesa's batch runner
//! give). The results document keeps only their summaries.

/// Every arm's per-replication totals of every metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Replications {
    /// Metric names, in the order of each row of [`ArmReplications::totals`].
    pub metrics: Vec<String>,
    /// The control first (when there is one), then the programs, as in the
    /// results document.
    pub arms: Vec<ArmReplications>,
}

/// One arm's totals.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmReplications {
    pub program: String,
    /// `totals[r][m]`: metric m in replication r (0-based, the replication
    /// number the engine's random streams and messages use).
    pub totals: Vec<Vec<f64>>,
}
