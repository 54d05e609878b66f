//! loyalsim: try a customer-loyalty program before you launch it.
//!
//! Crate map, lowest layer first (docs/architecture.md). The pure core does
//! no I/O and never imports the loader or the shell:
//! - [`math`]: special and distribution functions.
//! - [`model`]: the resolved scenario types, random streams, samplers,
//!   customer traits and behaviour, and the hooks a scripted program implements.
//! - [`record`]: the recorder of per-period flows and the customer answers.
//! - [`programs`]: the loyalty mechanisms (discount, points, stamps, referral).
//! - [`engine`]: simulates one replication exactly and runs many in parallel.
//! - [`stats`]: summaries, paired differences, closed forms for validation,
//!   and the uncertainty analysis.
//!
//! Around it: [`scenario`] loads TOML into the model's types (two stages);
//! [`script`] is the Rhai bridge implementing the model's hooks; [`fit`]
//! fits BG/NBD, Pareto/NBD and Gamma-Gamma to a transaction log. The shell:
//! [`cli`] (one file per verb) and [`report`] (table, JSON, CSV, charts,
//! HTML); [`sweep`] expands, shards, runs and merges parameter sweeps.
//! [`error`] classifies failures into exit codes; [`input`] reads input files
//! with caps on their size; [`provenance`] is what each output records to be
//! re-run exactly.
// `!(x > 0.0)` is how the numeric code says "not positive, or NaN": the
// negation is deliberate, and partial_cmp would hide it.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod bench;
pub mod cli;
pub mod engine;
pub mod error;
pub mod fit;
pub mod input;
pub mod math;
pub mod model;
pub mod programs;
pub mod provenance;
pub mod record;
pub mod report;
pub mod scenario;
pub mod script;
pub mod stats;
pub mod sweep;
pub mod warnings;

/// The version written into every results document.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
