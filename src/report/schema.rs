//! JSON Schemas (draft 2020-12) of the documents loyalsim writes, generated
//! from the serde types that write them, so the schema cannot drift from the
//! files: `results.json` ([`Results`]), `sweep.json` ([`SweepDocument`]) and
//! `fit.json` ([`FitDocument`]). The repository keeps a copy of each in
//! `docs/schema/`; a test checks that the copies equal these.
//!
//! The schemas allow fields they do not list: later versions add fields
//! (never renaming or dropping one), and documents they write still
//! validate against older schemas.

use crate::fit::document::FitDocument;
use crate::stats::Results;
use crate::sweep::files::SweepDocument;
use schemars::{Schema, schema_for};

/// Every schema: (file name in `docs/schema/`, pretty JSON text ending in a newline).
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        (
            "results.schema.json",
            text(
                schema_for!(Results),
                "results.json, written by `loyalsim run --out DIR` and printed by `--format json`",
            ),
        ),
        (
            "sweep.schema.json",
            text(
                schema_for!(SweepDocument),
                "sweep.json, written by `loyalsim sweep` and `loyalsim merge`; each run is a results document with the point it was run at",
            ),
        ),
        (
            "fit.schema.json",
            text(
                schema_for!(FitDocument),
                "fit.json, written by `loyalsim fit`",
            ),
        ),
    ]
}

fn text(mut schema: Schema, what: &str) -> String {
    schema.insert(
        "description".into(),
        format!("{what}. Generated from loyalsim's serde types (see docs/outputs.md).").into(),
    );
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
