//! Exact samplers for the distributions of SPEC 3.1 (placeholder).
