//! The on-disk layout of a sweep's output folder, shared by `sweep` and
//! `merge`:
//!
//! ```text
//! DIR/shard.json            manifest: version, sweep hash, keys, points, shard K/N,
//!                           provenance, and its own SHA-256 (`checksum`)
//! DIR/points/00017.json     one run: {"sweep", "index", "point", ...results}
//! DIR/points/00017.csv      that run's rows of sweep.csv (no header)
//! DIR/points/00017.replications.csv   its rows of replications.csv (no header)
//! DIR/points/00017.sha256   the SHA-256 of the three, as `sha256sum -c` reads it
//! DIR/sweep.json            provenance + every run of the shard, in point order
//! DIR/sweep.csv             header + every point's rows, in point order
//! DIR/replications.csv      header + every point's replication rows, in point order
//! ```
//!
//! Point files are written atomically (the CSVs, then the JSON, then the
//! checksums: the `.sha256` file marks a finished point). A point is reused
//! (by a resumed sweep or by `merge`) only when its files still have the
//! SHA-256 recorded when they were written, so an edited or truncated point
//! is recomputed or refused, never copied. The manifest carries a SHA-256 of
//! its other fields for the same reason. The final files are assembled by
//! copying the point files' text in order, never by re-parsing numbers, so a
//! merged sweep is byte-identical to an unsharded one and memory does not
//! grow with the number of points.

use crate::error::{Error, Result};
use crate::input::ReadError;
use crate::provenance::{Provenance, sha256_hex};
use crate::report::csv::{self, CsvText};
use crate::report::output;
use crate::report::tidy::{self, POINT_COLUMN, REPLICATION_COLUMNS, SUMMARY_COLUMNS};
use crate::scenario::Override;
use crate::stats::{Replications, Results};
use crate::sweep::expand::{display_value, to_json};
use crate::sweep::shard::Shard;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
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
    /// Layout version of the sweep's documents (`provenance::FORMAT_VERSION`).
    #[serde(default)]
    pub format_version: u32,
    /// Hash of the scenario text, the axes, `--replications` and what the
    /// points read besides the text (`sweep::sweep_hash`).
    pub sweep: String,
    pub scenario: String,
    pub keys: Vec<String>,
    /// Points of the whole sweep (not only this shard's).
    pub points: usize,
    /// `K/N`; `1/1` for an unsharded or merged sweep.
    pub shard: String,
    /// Where the sweep comes from and how to re-run it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// SHA-256 of the manifest's JSON with this field empty ([`Manifest::digest`]).
    #[serde(default)]
    pub checksum: String,
}

impl Manifest {
    /// The shard this folder holds.
    pub fn shard(&self) -> Result<Shard> {
        Shard::parse(&self.shard)
    }

    /// The SHA-256 of the manifest without its checksum.
    pub fn digest(&self) -> String {
        let bare = Manifest {
            checksum: String::new(),
            ..self.clone()
        };
        sha256_hex(serde_json::to_string(&bare).unwrap_or_default().as_bytes())
    }
}

/// Read `DIR/shard.json` (`Ok(None)` if it does not exist).
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>> {
    let p = dir.join(MANIFEST);
    let text = match crate::input::read_text(&p, crate::input::MANIFEST) {
        Ok(t) => t,
        Err(ReadError::NotFound) => return Ok(None),
        Err(e) if e.is_input() => return Err(Error::input(e.message(&p))),
        Err(e) => return Err(Error::other(e.message(&p))),
    };
    let m: Manifest = serde_json::from_str(&text).map_err(|e| {
        Error::input(format!(
            "{}: not a loyalsim sweep manifest: {e}",
            p.display()
        ))
    })?;
    if m.checksum != m.digest() {
        return Err(Error::input(format!(
            "{}: the manifest was changed after loyalsim wrote it (its checksum does not match{}); \
             rerun the sweep into a new folder",
            p.display(),
            if m.checksum.is_empty() {
                ": it has none, so an older loyalsim wrote it"
            } else {
                ""
            }
        )));
    }
    Ok(Some(m))
}

/// Write `DIR/shard.json` atomically, with its checksum.
pub fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let m = Manifest {
        checksum: m.digest(),
        ..m.clone()
    };
    let mut s = serde_json::to_string_pretty(&m).map_err(|e| Error::other(e.to_string()))?;
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

/// One run in `sweep.json` and in its point file (as [`SweepRun`], borrowed).
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

/// The point columns of a sweep's CSVs: `point`, then the swept keys.
fn point_columns(keys: &[String]) -> impl Iterator<Item = &str> {
    std::iter::once(POINT_COLUMN).chain(keys.iter().map(String::as_str))
}

/// Header of `sweep.csv`: `point`, the keys, then the columns of `summary.csv`.
pub fn csv_header(keys: &[String]) -> Result<String> {
    let mut w = CsvText::new();
    w.record(point_columns(keys).chain(SUMMARY_COLUMNS));
    w.finish()
}

/// Header of a sweep's `replications.csv`: `point`, the keys, then the
/// columns of a run's `replications.csv`.
pub fn replications_header(keys: &[String]) -> Result<String> {
    let mut w = CsvText::new();
    w.record(point_columns(keys).chain(REPLICATION_COLUMNS));
    w.finish()
}

/// The point's own columns: its index and its value of every key.
fn point_cells(index: usize, point: &[Override]) -> Vec<String> {
    std::iter::once(index.to_string())
        .chain(point.iter().map(|o| display_value(&o.value)))
        .collect()
}

/// The rows of `sweep.csv` for one point: the rows of the point's
/// `summary.csv`, each led by the point's columns.
pub fn csv_rows(index: usize, point: &[Override], r: &Results) -> Result<String> {
    let lead = point_cells(index, point);
    let mut w = CsvText::new();
    for row in tidy::summary_rows(r) {
        let value = csv::number(row.stat.value);
        let cells = [row.program, &row.stat.metric, &row.stat.statistic, &value];
        w.record(lead.iter().map(String::as_str).chain(cells));
    }
    w.finish()
}

/// The rows of the sweep's `replications.csv` for one point.
pub fn replication_rows(index: usize, point: &[Override], reps: &Replications) -> Result<String> {
    let lead = point_cells(index, point);
    let mut w = CsvText::new();
    for (program, rep, metric, value) in tidy::replication_rows(reps) {
        let (rep, value) = (rep.to_string(), csv::number(value));
        let cells = [program, &rep, metric, &value];
        w.record(lead.iter().map(String::as_str).chain(cells));
    }
    w.finish()
}

/// The `.sha256` text of a point: one `sha256sum` line per file.
fn point_sums(index: usize, p: &PointText) -> String {
    let s = stem(index);
    format!(
        "{}  {s}.json\n{}  {s}.csv\n{}  {s}.replications.csv\n",
        sha256_hex(p.json.as_bytes()),
        sha256_hex(p.csv.as_bytes()),
        sha256_hex(p.replications.as_bytes())
    )
}

/// Write point `index`'s files atomically (the CSVs, then the JSON, then
/// their checksums, which mark the point finished).
pub fn write_point(dir: &Path, index: usize, p: &PointText) -> Result<()> {
    let points = dir.join(POINTS);
    let s = stem(index);
    output::write_atomic(&points, &format!("{s}.csv"), p.csv.as_bytes())?;
    output::write_atomic(
        &points,
        &format!("{s}.replications.csv"),
        p.replications.as_bytes(),
    )?;
    output::write_atomic(&points, &format!("{s}.json"), p.json.as_bytes())?;
    output::write_atomic(
        &points,
        &format!("{s}.sha256"),
        point_sums(index, p).as_bytes(),
    )
}

/// Remove the temporary files (`.NAME.PID.tmp`) that killed runs left in
/// `dir` and its points folder. Called after a run or merge succeeded, when
/// none of ours is left.
pub fn remove_stale_temporaries(dir: &Path) {
    for d in [dir.to_path_buf(), dir.join(POINTS)] {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".tmp") && e.path().is_file() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Point files (`NNNNN.json`) in `dir`'s points folder, counted without
/// reading them (to check a manifest's point count cheaply).
pub fn count_point_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join(POINTS)).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.len() == 10 && n.ends_with(".json") && n[..5].bytes().all(|b| b.is_ascii_digit())
            })
            .count()
    })
}

/// A finished point: its JSON, its rows of `sweep.csv` and of `replications.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct PointText {
    pub json: String,
    pub csv: String,
    pub replications: String,
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
    let json = match crate::input::read_text(&jp, crate::input::POINT) {
        Ok(t) => t,
        Err(ReadError::NotFound) => return PointState::Missing,
        Err(e) => return PointState::Stale(e.message(&jp)),
    };
    let read_csv = |name: String| {
        let p = points.join(name);
        match crate::input::read_text(&p, crate::input::POINT) {
            Ok(t) => Ok(t),
            Err(ReadError::NotFound) => {
                Err(PointState::Stale(format!("{} is missing", p.display())))
            }
            Err(e) => Err(PointState::Stale(e.message(&p))),
        }
    };
    let csv = match read_csv(format!("{}.csv", stem(index))) {
        Ok(t) => t,
        Err(state) => return state,
    };
    let replications = match read_csv(format!("{}.replications.csv", stem(index))) {
        Ok(t) => t,
        Err(state) => return state,
    };
    let sp = points.join(format!("{}.sha256", stem(index)));
    match crate::input::read_text(&sp, crate::input::POINT) {
        Ok(sums)
            if sums
                == point_sums(
                    index,
                    &PointText {
                        json: json.clone(),
                        csv: csv.clone(),
                        replications: replications.clone(),
                    },
                ) => {}
        Ok(_) => {
            return PointState::Stale(format!(
                "{} or its .csv was changed or cut short after it was written (its SHA-256 \
                 differs from {})",
                jp.display(),
                sp.display()
            ));
        }
        Err(ReadError::NotFound) => {
            return PointState::Stale(format!(
                "{} has no checksums ({} is missing): unfinished, or written by an older loyalsim",
                jp.display(),
                sp.display()
            ));
        }
        Err(e) => return PointState::Stale(e.message(&sp)),
    }
    // Parsed once for the header, the results and what the charts read.
    let doc = match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(doc) => doc,
        Err(e) => return PointState::Stale(format!("{} is damaged: {e}", jp.display())),
    };
    match PointHeader::deserialize(&doc) {
        // The checksums only show the files are as written: the body must
        // also be results loyalsim could have written, and what the sweep's
        // charts read, or the point is redone (resume) or refused (merge)
        // naming this file.
        Ok(h) if h.sweep == hash && h.index == index => match check_body(&doc) {
            Ok(()) => PointState::Done(PointText {
                json,
                csv,
                replications,
            }),
            Err(e) => PointState::Stale(format!("{} is damaged: {e}", jp.display())),
        },
        Ok(h) if h.sweep != hash => PointState::Stale(format!(
            "{} belongs to another sweep ({})",
            jp.display(),
            h.sweep
        )),
        Ok(h) => PointState::Stale(format!("{} holds point {}", jp.display(), h.index)),
        Err(e) => PointState::Stale(format!("{} is damaged: {e}", jp.display())),
    }
}

/// A point file's body: a results document that passes
/// [`Results::check`], and what the sweep's charts read.
fn check_body(doc: &serde_json::Value) -> std::result::Result<(), String> {
    let results = Results::deserialize(doc).map_err(|e| e.to_string())?;
    results
        .check()
        .map_err(|e| format!("not results loyalsim could have written: {e}"))?;
    super::charts::check_point(doc).map_err(|e| e.to_string())
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

/// The fields of `sweep.json` before its `runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepHead {
    /// Version of loyalsim that wrote the sweep.
    pub loyalsim_version: String,
    /// Layout version of the sweep's documents.
    #[serde(default)]
    pub format_version: u32,
    /// The sweep's identity: a hash of the scenario text, the swept values,
    /// `--replications` and the files the scenario reads. Shards of one
    /// sweep share it.
    pub sweep: String,
    /// The scenario's name.
    pub scenario: String,
    /// The swept keys, in axis order (the `--set` keys, after any `[sweep]` table's).
    pub keys: Vec<String>,
    /// Points of the whole sweep (not only this shard's).
    pub points: usize,
    /// `K/N` when the file holds one shard of a sweep split N ways; absent
    /// for a whole sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Where the sweep comes from and how to re-run it (docs/provenance.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// The whole `sweep.json` (written in pieces by [`Assembler`]; this type
/// describes it for the JSON Schema and for readers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepDocument {
    #[serde(flatten)]
    pub head: SweepHead,
    /// One run per point, in point order.
    pub runs: Vec<SweepRun>,
}

/// One run of `sweep.json` (and of a point file): a results document with
/// the point it was run at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SweepRun {
    /// The sweep's identity (as in the head).
    pub sweep: String,
    /// The point's index in the grid (0-based; the `point` column of the CSVs).
    pub index: usize,
    /// The point's value of every swept key.
    pub point: IndexMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub results: Results,
}

/// Assembles `sweep.json`, `sweep.csv` and `replications.csv` point by
/// point, in point order.
pub struct Assembler {
    json: Streamed,
    csv: Streamed,
    replications: Streamed,
    runs: usize,
}

impl Assembler {
    /// Start the files in `dir`; `shard` is recorded in sweep.json when N > 1.
    pub fn create(dir: &Path, m: &Manifest) -> Result<Assembler> {
        let mut json = Streamed::create(dir, "sweep.json")?;
        let mut csv = Streamed::create(dir, "sweep.csv")?;
        let mut replications = Streamed::create(dir, "replications.csv")?;
        let head = SweepHead {
            loyalsim_version: m.loyalsim_version.clone(),
            format_version: m.format_version,
            sweep: m.sweep.clone(),
            scenario: m.scenario.clone(),
            keys: m.keys.clone(),
            points: m.points,
            shard: (m.shard != "1/1").then(|| m.shard.clone()),
            provenance: m.provenance.clone(),
        };
        // The head's own pretty JSON, left open for the runs.
        let text = serde_json::to_string_pretty(&head).map_err(|e| Error::other(e.to_string()))?;
        let open = text.strip_suffix("\n}").unwrap_or(&text);
        json.write(open)?;
        json.write(",\n  \"runs\": [")?;
        csv.write(&csv_header(&m.keys)?)?;
        replications.write(&replications_header(&m.keys)?)?;
        Ok(Assembler {
            json,
            csv,
            replications,
            runs: 0,
        })
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
        self.replications.write(&p.replications)?;
        self.runs += 1;
        Ok(())
    }

    /// Close the `runs` array and rename the files into place.
    pub fn finish(mut self) -> Result<()> {
        self.json.write(if self.runs == 0 {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        })?;
        self.json.finish()?;
        self.csv.finish()?;
        self.replications.finish()
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
            format_version: 1,
            provenance: None,
            checksum: String::new(),
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
                csv: format!("{i},1,x,p,profit,mean,1\n"),
                replications: format!("{i},1,x,p,0,profit,1\n"),
            })
            .unwrap();
        }
        a.finish().unwrap();
        let j = std::fs::read_to_string(dir.path().join("sweep.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["runs"][1]["index"], 1);
        assert!(v.get("shard").is_none());
        let c = std::fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
        assert_eq!(
            c,
            "point,a,\"program[x,y].z\",program,metric,statistic,value\n\
             0,1,x,p,profit,mean,1\n1,1,x,p,profit,mean,1\n"
        );
        let c = std::fs::read_to_string(dir.path().join("replications.csv")).unwrap();
        assert!(c.starts_with(
            "point,a,\"program[x,y].z\",program,replication,metric,value\n0,1,x,p,0,profit,1\n"
        ));
        // The head reads back (the test's runs are not full results).
        let head: SweepHead = serde_json::from_str(&j).unwrap();
        assert_eq!((head.keys, head.points, head.shard), (m.keys, 2, None));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 3, "no temporary files left");

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
        // The right header alone is not a point: the charts read more.
        let header = "{\n  \"sweep\": \"abc\",\n  \"index\": 3\n}\n";
        let mut text = PointText {
            json: header.into(),
            csv: "rows\n".into(),
            replications: "reps\n".into(),
        };
        write_point(dir.path(), 3, &text).unwrap();
        assert!(
            matches!(read_point(dir.path(), 3, "abc"), PointState::Stale(m) if m.contains("is damaged: missing field `loyalsim_version`"))
        );
        // Results loyalsim could have written, with what the charts read.
        let mut results = Results {
            loyalsim_version: "0".into(),
            scenario: "s".into(),
            replications: 2,
            time_unit: "week".into(),
            horizon: 4.0,
            report_every: 1.0,
            currency: "EUR".into(),
            gross_margin: 0.5,
            programs: vec![crate::stats::results::ProgramResult {
                name: "p".into(),
                mechanisms: vec![],
                summary: [(
                    "profit".to_string(),
                    crate::stats::summary::summarize(&[1.0, 3.0]),
                )]
                .into(),
                vs_baseline: None,
                periods: vec![],
                segments: vec![],
            }],
            ..Results::default()
        };
        text.json = run_json("abc", 3, &[], &results);
        write_point(dir.path(), 3, &text).unwrap();
        assert_eq!(
            read_point(dir.path(), 3, "abc"),
            PointState::Done(text.clone())
        );
        // Written with matching checksums, but not results loyalsim could
        // have written (the audit's `horizon: -1`): redone or refused.
        results.horizon = -1.0;
        text.json = run_json("abc", 3, &[], &results);
        write_point(dir.path(), 3, &text).unwrap();
        assert!(
            matches!(read_point(dir.path(), 3, "abc"), PointState::Stale(ref m) if m.contains("00003.json is damaged: not results loyalsim could have written: horizon: -1")),
            "{:?}",
            read_point(dir.path(), 3, "abc")
        );
        results.horizon = 4.0;
        text.json = run_json("abc", 3, &[], &results);
        write_point(dir.path(), 3, &text).unwrap();
        assert!(
            matches!(read_point(dir.path(), 3, "def"), PointState::Stale(m) if m.contains("another sweep"))
        );
        // A point of an older layout (no replications file) is run again.
        std::fs::remove_file(dir.path().join(POINTS).join("00003.replications.csv")).unwrap();
        assert!(
            matches!(read_point(dir.path(), 3, "abc"), PointState::Stale(m) if m.contains("00003.replications.csv is missing"))
        );
    }
}
