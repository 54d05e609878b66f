//! Parameter sweeps: expansion of `--set KEY=VALUES` and `[sweep]` into a grid
//! of points ([`expand`]), deterministic sharding ([`shard`]), running a
//! shard point by point with resume ([`driver`]), the output folder layout
//! ([`files`]), merging shards ([`merge`]) and the data for sweep charts
//! ([`charts`]).
//!
//! Every point is a complete run of the scenario (every program and the
//! control) with the scenario's seed policy: unless `simulation.seed` is
//! swept, all points use the same seed, so neighbouring points are compared
//! on the same simulated customers.

pub mod charts;
pub mod driver;
pub mod expand;
pub mod files;
pub mod merge;
pub mod shard;

pub use expand::{Axis, Grid};
pub use shard::Shard;

/// Identity of a sweep: a 64-bit FNV-1a hash (hex) of the scenario text, the
/// axes (keys and typed values, in order), the `--replications` override and
/// the fingerprints of what each point reads besides the scenario text
/// ([`inputs_fingerprint`], in point order). Shards with the same hash are
/// parts of the same sweep, and a resumed sweep reuses only points of the
/// same hash: editing a script or a cohort file makes it a new sweep. Not a
/// security measure; it guards against mixing up results.
pub fn sweep_hash(src: &str, axes: &[Axis], replications: Option<u32>, inputs: &[u64]) -> String {
    let mut h = Fnv::new();
    h.field(b"loyalsim-sweep-2");
    h.field(src.as_bytes());
    for a in axes {
        h.field(a.key.as_bytes());
        h.field(a.values.len().to_string().as_bytes());
        for v in &a.values {
            h.field(v.type_str().as_bytes());
            h.field(v.to_string().as_bytes());
        }
    }
    h.field(
        replications
            .map_or("-".to_string(), |r| r.to_string())
            .as_bytes(),
    );
    for f in inputs {
        h.field(&f.to_le_bytes());
    }
    format!("{:016x}", h.0)
}

/// A fingerprint of the files a scenario reads besides its own text: its
/// programs' script sources and the cohort's join times.
pub fn inputs_fingerprint(sc: &crate::scenario::Scenario) -> u64 {
    let mut h = Fnv::new();
    for p in &sc.programs {
        if let Some(s) = &p.script {
            h.field(s.source.as_bytes());
        }
    }
    if let Some(times) = &sc.population.cohort {
        // A cohort can have millions of rows: fold whole words rather than
        // bytes (SplitMix64's finaliser spreads each one).
        let mut w = times.len() as u64;
        for t in times {
            w = (w ^ t.to_bits()).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            w ^= w >> 29;
        }
        h.field(&w.to_le_bytes());
    }
    h.0
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    /// Hash a length-prefixed field (so field boundaries cannot shift).
    fn field(&mut self, bytes: &[u8]) {
        for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::Value;

    #[test]
    fn hash_depends_on_text_values_and_types() {
        let ax = |v: Value| {
            vec![Axis {
                key: "k".into(),
                values: vec![v],
            }]
        };
        let a = sweep_hash("x", &ax(Value::Integer(8)), None, &[1]);
        assert_eq!(a, sweep_hash("x", &ax(Value::Integer(8)), None, &[1]));
        assert_eq!(a.len(), 16);
        assert_ne!(a, sweep_hash("y", &ax(Value::Integer(8)), None, &[1]));
        assert_ne!(a, sweep_hash("x", &ax(Value::Float(8.0)), None, &[1]));
        assert_ne!(a, sweep_hash("x", &ax(Value::Integer(8)), Some(5), &[1]));
        assert_ne!(a, sweep_hash("x", &ax(Value::Integer(8)), None, &[2]));
    }
}
