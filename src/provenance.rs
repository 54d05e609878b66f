//! Provenance: what every output document (results.json, sweep.json,
//! fit.json) records so that it can be traced back and re-run exactly — the
//! format version, the tool version, the SHA-256 of the scenario text and of
//! every script and cohort file it read (of the transaction file for `fit`),
//! the scenario text itself, the `--set` overrides, the seed, and the
//! command that re-runs it (docs/scenario-format.md, "Provenance").
//!
//! Also the SHA-256 helpers the sweep's point and shard checksums use.
//!
//! A leaf: it imports nothing from the crate, so the core can hold these
//! types. A run's provenance is built by `Scenario::provenance`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;

/// Version of the layout of the output documents. Raised when a field
/// changes meaning; fields are only ever added within a version.
pub const FORMAT_VERSION: u32 = 2;

/// The SHA-256 of `bytes`, as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file an output depends on: what it is, where it was read, its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FileDigest {
    /// `script`, `cohort` or `transactions`.
    pub role: String,
    /// The path as resolved when it was read.
    pub path: String,
    pub sha256: String,
}

/// The provenance block of an output document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Provenance {
    /// Layout version of the document (1 for this version of loyalsim).
    pub format_version: u32,
    pub loyalsim_version: String,
    /// A command that re-runs this output exactly (the scenario file must
    /// hold `scenario_text`, and the files of `files` their SHA-256).
    pub command: String,
    /// The scenario file as given on the command line (absent for `fit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_sha256: Option<String>,
    /// The scenario text, byte for byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_text: Option<String>,
    /// Every other file read: scripts and the cohort (the transaction file for `fit`).
    pub files: Vec<FileDigest>,
    /// The `--set KEY=VALUE` overrides, as given.
    pub set: Vec<String>,
    /// The seed and replications in force (absent for `fit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications: Option<u32>,
}

/// Quote an argument for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A reader that hashes what passes through it (SHA-256).
pub struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R> Hashing<R> {
    pub fn new(inner: R) -> Hashing<R> {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }
    /// The SHA-256 of everything read so far, as hex.
    pub fn hex(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_texts() {
        // FIPS 180-2 test vectors.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut h = Hashing::new(&b"abc"[..]);
        let mut s = String::new();
        h.read_to_string(&mut s).unwrap();
        assert_eq!(h.hex(), sha256_hex(b"abc"));
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("a/b.toml"), "a/b.toml");
        assert_eq!(
            shell_quote("program[Stamp card].stamps.card_size=8"),
            "'program[Stamp card].stamps.card_size=8'"
        );
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
