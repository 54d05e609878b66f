//! The on-disk layout of a sweep's output folder, shared by `sweep` and
//! `merge`:
//!
//! ```text
//! DIR/shard.json            manifest: version, sweep hash, keys, points, shard K/N
//! DIR/points/00017.json     one run: {"sweep", "index", "point", ...results}
//! DIR/points/00017.csv      that run's rows of sweep.csv (no header)
//! DIR/sweep.json            every run of the shard, in point order
//! DIR/sweep.csv             header + every point's rows, in point order
//! ```
//!
//! Point files are written atomically (CSV first, JSON last: the JSON marks a
//! finished point). The final files are assembled by copying the point files'
//! text in order, never by re-parsing numbers, so a merged sweep is
//! byte-identical to an unsharded one and memory does not grow with the
//! number of points.

use crate::error::{Error, Result};
use crate::report::output;
use crate::scenario::Override;
use crate::stats::Results;
use crate::sweep::expand::{display_value, to_json};
use crate::sweep::shard::Shard;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Name of the manifest in an output folder.
pub const MANIFEST: &str = "shard.json";
/// Folder of the per-point files.
pub const POINTS: &str = "points";

/// What an output folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub loyalsim_version: String,
    /// Hash of the scenario text, the axes, `--replications` and what the
    /// points read besides the text (`sweep::sweep_hash`).
    pub sweep: String,
    pub scenario: String,
    pub keys: Vec<String>,
    /// Points of the whole sweep (not only this shard's).
    pub points: usize,
    /// `K/N`; `1/1` for an unsharded or merged sweep.
    pub shard: String,
}

impl Manifest {
    /// The shard this folder holds.
    pub fn shard(&self) -> Result<Shard> {
        Shard::parse(&self.shard)
    }
}

/// Read `DIR/shard.json` (`Ok(None)` if it does not exist).
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let p = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::other(format!("cannot read {}: {e}", p.display()))),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Error::input(format!(
            "{}: not a loyalsim sweep manifest: {e}",
            p.display()
        ))
    })
}

/// Write `DIR/shard.json` atomically.
pub fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let mut s = serde_json::to_string_pretty(m).map_err(|e| Error::other(e.to_string()))?;
    s.push('\n');
    output::write_atomic(dir, MANIFEST, s.as_bytes())
}

/// File stem of point `index`: `00017`.
pub fn stem(index: usize) -> String {
    format!("{index:05}")
}

/// The header fields of a point file.
#[derive(Debug, Deserialize)]
struct PointHeader {
    sweep: String,
    index: usize,
}

/// One run in `sweep.json` and in its point file.
#[derive(Serialize)]
struct Run<'a> {
    sweep: &'a str,
    index: usize,
    point: IndexMap<String, serde_json::Value>,
    #[serde(flatten)]
    results: &'a Results,
}

/// The JSON of one run (pretty, ending in a newline).
pub fn run_json(hash: &str, index: usize, point: &[Override], results: &Results) -> String {
    let run = Run {
        sweep: hash,
        index,
        point: point
            .iter()
            .map(|o| (o.key.clone(), to_json(&o.value)))
            .collect(),
        results,
    };
    let mut s =
        serde_json::to_string_pretty(&run).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Header of `sweep.csv`: the keys, then program, metric and the statistics.
pub fn csv_header(keys: &[String]) -> String {
    let mut s = String::new();
    for k in keys {
        s.push_str(&field(k));
        s.push(',');
    }
    s.push_str("program,metric,mean,ci95_low,ci95_high,p05,p95\n");
    s
}

/// The rows of one point: per program, every summary metric, then every
/// paired difference against the control as `vs_baseline.METRIC`.
pub fn csv_rows(point: &[Override], r: &Results) -> String {
    let mut prefix = String::new();
    for o in point {
        prefix.push_str(&field(&display_value(&o.value)));
        prefix.push(',');
    }
    let mut out = String::new();
    for p in &r.programs {
        let groups = std::iter::once(("", &p.summary))
            .chain(p.vs_baseline.as_ref().map(|v| ("vs_baseline.", &v.metrics)));
        for (kind, metrics) in groups {
            for (m, s) in metrics {
                let _ = writeln!(
                    out,
                    "{prefix}{},{kind}{m},{},{},{},{},{}",
                    field(&p.name),
                    s.mean,
                    s.ci95[0],
                    s.ci95[1],
                    s.p05,
                    s.p95
                );
            }
        }
    }
    out
}

/// Quote a CSV field when it needs it (RFC 4180).
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Write point `index`'s files atomically (CSV first, then the JSON).
pub fn write_point(dir: &Path, index: usize, json: &str, csv: &str) -> Result<()> {
    let points = dir.join(POINTS);
    output::write_atomic(&points, &format!("{}.csv", stem(index)), csv.as_bytes())?;
    output::write_atomic(&points, &format!("{}.json", stem(index)), json.as_bytes())
}

/// A finished point read back: its JSON and CSV text.
#[derive(Debug, Clone, PartialEq)]
pub struct PointText {
    pub json: String,
    pub csv: String,
}

/// Why a point could not be read back.
#[derive(Debug, Clone, PartialEq)]
pub enum PointState {
    Done(PointText),
    Missing,
    /// The file belongs to another sweep or point, or is damaged.
    Stale(String),
}

/// Read point `index` of sweep `hash` from `dir`.
pub fn read_point(dir: &Path, index: usize, hash: &str) -> PointState {
    let points = dir.join(POINTS);
    let jp = points.join(format!("{}.json", stem(index)));
    let cp = points.join(format!("{}.csv", stem(index)));
    let json = match std::fs::read_to_string(&jp) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return PointState::Missing,
        Err(e) => return PointState::Stale(format!("cannot read {}: {e}", jp.display())),
    };
    let csv = match std::fs::read_to_string(&cp) {
        Ok(t) => t,
        Err(_) => return PointState::Stale(format!("{} is missing", cp.display())),
    };
    match serde_json::from_str::<PointHeader>(&json) {
        Ok(h) if h.sweep == hash && h.index == index => PointState::Done(PointText { json, csv }),
        Ok(h) if h.sweep != hash => PointState::Stale(format!(
            "{} belongs to another sweep ({})",
            jp.display(),
            h.sweep
        )),
        Ok(h) => PointState::Stale(format!("{} holds point {}", jp.display(), h.index)),
        Err(e) => PointState::Stale(format!("{} is damaged: {e}", jp.display())),
    }
}

/// A file written progressively under a temporary name and renamed into
/// place by [`Streamed::finish`]; removed if dropped unfinished.
pub struct Streamed {
    tmp: PathBuf,
    target: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl Streamed {
    pub fn create(dir: &Path, name: &str) -> Result<Streamed> {
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = std::fs::File::create(&tmp)
            .map_err(|e| Error::other(format!("cannot write {}: {e}", tmp.display())))?;
        Ok(Streamed {
            target: dir.join(name),
            tmp,
            file: Some(std::io::BufWriter::new(file)),
        })
    }

    pub fn write(&mut self, s: &str) -> Result<()> {
        let f = self.file.as_mut().expect("written after finish");
        f.write_all(s.as_bytes())
            .map_err(|e| Error::other(format!("cannot write {}: {e}", self.tmp.display())))
    }

    pub fn finish(mut self) -> Result<()> {
        let f = self.file.take().expect("finished twice");
        let res = f
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .and_then(|_| std::fs::rename(&self.tmp, &self.target));
        res.map_err(|e| Error::other(format!("cannot write {}: {e}", self.target.display())))
    }
}

impl Drop for Streamed {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Assembles `sweep.json` and `sweep.csv` point by point, in point order.
pub struct Assembler {
    json: Streamed,
    csv: Streamed,
    runs: usize,
}

impl Assembler {
    /// Start both files in `dir`; `shard` is recorded in sweep.json when N > 1.
    pub fn create(dir: &Path, m: &Manifest) -> Result<Assembler> {
        let mut json = Streamed::create(dir, "sweep.json")?;
        let mut csv = Streamed::create(dir, "sweep.csv")?;
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut head = String::from("{\n");
        let _ = writeln!(head, "  \"loyalsim_version\": {},", q(&m.loyalsim_version));
        let _ = writeln!(head, "  \"sweep\": {},", q(&m.sweep));
        let _ = writeln!(head, "  \"scenario\": {},", q(&m.scenario));
        let keys: Vec<String> = m.keys.iter().map(|k| q(k)).collect();
        let _ = writeln!(head, "  \"keys\": [{}],", keys.join(", "));
        let _ = writeln!(head, "  \"points\": {},", m.points);
        if m.shard != "1/1" {
            let _ = writeln!(head, "  \"shard\": {},", q(&m.shard));
        }
        head.push_str("  \"runs\": [");
        json.write(&head)?;
        csv.write(&csv_header(&m.keys))?;
        Ok(Assembler { json, csv, runs: 0 })
    }

    /// Append one point (its run JSON indented into the `runs` array).
    pub fn add(&mut self, p: &PointText) -> Result<()> {
        let mut s = String::with_capacity(p.json.len() + p.json.len() / 8);
        s.push_str(if self.runs == 0 { "\n" } else { ",\n" });
        for (i, line) in p.json.trim_end().lines().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str("    ");
            s.push_str(line);
        }
        self.json.write(&s)?;
        self.csv.write(&p.csv)?;
        self.runs += 1;
        Ok(())
    }

    /// Close the `runs` array and rename both files into place.
    pub fn finish(mut self) -> Result<()> {
        self.json.write(if self.runs == 0 {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        })?;
        self.json.finish()?;
        self.csv.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            loyalsim_version: "0.1.0".into(),
            sweep: "abc".into(),
            scenario: "s".into(),
            keys: vec!["a".into(), "program[x,y].z".into()],
            points: 2,
            shard: "1/1".into(),
        }
    }

    #[test]
    fn assembled_json_is_valid_and_ordered() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest();
        let mut a = Assembler::create(dir.path(), &m).unwrap();
        for i in 0..2 {
            a.add(&PointText {
                json: format!("{{\n  \"sweep\": \"abc\",\n  \"index\": {i}\n}}\n"),
                csv: format!("{i},x,p,profit,1,0,2,0,2\n"),
            })
            .unwrap();
        }
        a.finish().unwrap();
        let j = std::fs::read_to_string(dir.path().join("sweep.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["runs"][1]["index"], 1);
        assert!(v.get("shard").is_none());
        let c = std::fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
        assert!(c.starts_with(
            "a,\"program[x,y].z\",program,metric,mean,ci95_low,ci95_high,p05,p95\n0,"
        ));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary files left");

        let empty = tempfile::tempdir().unwrap();
        let mut m2 = manifest();
        m2.shard = "3/3".into();
        Assembler::create(empty.path(), &m2)
            .unwrap()
            .finish()
            .unwrap();
        let j = std::fs::read_to_string(empty.path().join("sweep.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["runs"].as_array().unwrap().len(), 0);
        assert_eq!(v["shard"], "3/3");
    }

    #[test]
    fn point_files_round_trip_and_detect_other_sweeps() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(POINTS)).unwrap();
        assert_eq!(read_point(dir.path(), 3, "abc"), PointState::Missing);
        let json = "{\n  \"sweep\": \"abc\",\n  \"index\": 3\n}\n";
        write_point(dir.path(), 3, json, "rows\n").unwrap();
        assert_eq!(
            read_point(dir.path(), 3, "abc"),
            PointState::Done(PointText {
                json: json.into(),
                csv: "rows\n".into()
            })
        );
        assert!(
            matches!(read_point(dir.path(), 3, "def"), PointState::Stale(m) if m.contains("another sweep"))
        );
    }
}
