//! Stage one of loading: a serde mirror of the TOML file (placeholder).
