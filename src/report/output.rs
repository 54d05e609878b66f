//! Writing output files: each file atomically (written to a temporary name in
//! the same folder and renamed into place, so an interrupted run never leaves
//! a half-written file), and an output folder that holds exactly what the
//! last run wrote ([`OutputFolder`]).
//!
//! The rule for output folders: loyalsim records the files it writes into a
//! folder in [`RECORD`]. When it writes into the folder again, it removes the
//! files it wrote last time that this run did not write (a chart of a
//! program that is gone, the points chart of a scenario that no longer has
//! points). Files loyalsim did not write are never touched. Files are
//! grouped: `loyalsim report` rewrites only the charts and report.html
//! ([`VISUALS`]) and keeps the results and CSV files of `loyalsim run`
//! ([`DATA`]). A folder written before the record existed is recognised by
//! the names loyalsim used to write ([`LEGACY`]).

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `contents` to `dir/name` atomically.
pub fn write_atomic(dir: &Path, name: &str, contents: &[u8]) -> Result<()> {
    let target = dir.join(name);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::other(format!("cannot write {}: {e}", target.display()))
    })
}

/// Create the output folder (and parents).
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::other(format!("cannot create {}: {e}", dir.display())))
}

/// The record of the files loyalsim wrote into an output folder.
pub const RECORD: &str = ".loyalsim-files";

/// Results and tables (`results.json`, the CSV files).
pub const DATA: &str = "data";
/// Charts and report.html.
pub const VISUALS: &str = "visuals";

/// Files earlier versions wrote without a record, by group: adopted as
/// loyalsim's own when a folder has no record, so their stale copies go.
pub const LEGACY: [(&str, &str); 14] = [
    (DATA, "results.json"),
    (DATA, "summary.csv"),
    (DATA, "periods.csv"),
    (VISUALS, "report.html"),
    (VISUALS, "cumulative_profit.svg"),
    (VISUALS, "cumulative_profit.png"),
    (VISUALS, "active_customers.svg"),
    (VISUALS, "active_customers.png"),
    (VISUALS, "costs.svg"),
    (VISUALS, "costs.png"),
    (VISUALS, "profit_distribution.svg"),
    (VISUALS, "profit_distribution.png"),
    (VISUALS, "points.svg"),
    (VISUALS, "points.png"),
];

/// Legacy sweep charts (`sweep_*.svg`/`.png`), adopted only in a folder
/// holding a sweep (with its `shard.json`).
fn legacy_sweep_chart(name: &str) -> bool {
    name.starts_with("sweep_") && (name.ends_with(".svg") || name.ends_with(".png"))
}

/// An output folder being written: files go in through [`OutputFolder::write`],
/// and [`OutputFolder::finish`] removes what the previous run wrote in the
/// same groups and this one did not.
#[derive(Debug)]
pub struct OutputFolder {
    dir: PathBuf,
    /// The groups this run writes (and so cleans).
    groups: Vec<&'static str>,
    /// (group, file) written by earlier runs.
    previous: Vec<(String, String)>,
    /// (group, file) written by this run, in order.
    written: Vec<(String, String)>,
}

impl OutputFolder {
    /// Open (and create) `dir` for a run that writes files of `groups`.
    pub fn open(dir: &Path, groups: &[&'static str]) -> Result<OutputFolder> {
        ensure_dir(dir)?;
        let previous = match std::fs::read_to_string(dir.join(RECORD)) {
            Ok(text) => parse_record(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => legacy(dir),
            Err(e) => {
                return Err(Error::other(format!(
                    "cannot read {}: {e}",
                    dir.join(RECORD).display()
                )));
            }
        };
        Ok(OutputFolder {
            dir: dir.to_path_buf(),
            groups: groups.to_vec(),
            previous,
            written: Vec::new(),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Write `name` (a plain file name) of `group` atomically and record it.
    pub fn write(&mut self, group: &'static str, name: &str, contents: &[u8]) -> Result<()> {
        debug_assert!(self.groups.contains(&group), "{group} not opened");
        debug_assert!(!name.contains(['/', '\\', '\n', '\t']), "{name}");
        write_atomic(&self.dir, name, contents)?;
        if !self.written.iter().any(|(_, n)| n == name) {
            self.written.push((group.to_string(), name.to_string()));
        }
        Ok(())
    }

    /// Record what this run wrote and remove the files of its groups that
    /// the previous run wrote and this one did not. Returns the names
    /// removed.
    pub fn finish(self) -> Result<Vec<String>> {
        let owned = |g: &str| self.groups.contains(&g);
        let written = |n: &str| self.written.iter().any(|(_, w)| w == n);
        let mut keep: Vec<(String, String)> = self
            .previous
            .iter()
            .filter(|(g, n)| !owned(g) && !written(n) && self.dir.join(n).is_file())
            .cloned()
            .collect();
        keep.extend(self.written.iter().cloned());
        let stale: Vec<String> = self
            .previous
            .iter()
            .filter(|(g, n)| owned(g) && !written(n))
            .map(|(_, n)| n.clone())
            .collect();
        let mut text = String::from(
            "# Files loyalsim wrote into this folder (group, file). The next run into this \
             folder removes those of its groups it no longer writes; other files are never \
             touched.\n",
        );
        for (g, n) in &keep {
            text.push_str(&format!("{g}\t{n}\n"));
        }
        write_atomic(&self.dir, RECORD, text.as_bytes())?;
        let mut removed = Vec::new();
        for n in stale {
            // Only plain names from our own record; never a path.
            if n.contains(['/', '\\']) || n == ".." || n == "." || n.is_empty() {
                continue;
            }
            match std::fs::remove_file(self.dir.join(&n)) {
                Ok(()) => removed.push(n),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::other(format!(
                        "cannot remove the stale {}: {e}",
                        self.dir.join(&n).display()
                    )));
                }
            }
        }
        Ok(removed)
    }
}

/// `group<TAB>file` lines; comments and malformed lines are skipped.
fn parse_record(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (g, n) = l.split_once('\t')?;
            (!n.is_empty()).then(|| (g.to_string(), n.to_string()))
        })
        .collect()
}

/// The files of a folder without a record that earlier versions wrote.
fn legacy(dir: &Path) -> Vec<(String, String)> {
    let sweep = dir.join("shard.json").is_file();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            if let Some((g, _)) = LEGACY.iter().find(|(_, l)| *l == n) {
                Some((g.to_string(), n))
            } else if sweep && legacy_sweep_chart(&n) {
                Some((VISUALS.to_string(), n))
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_second_run_removes_only_its_own_stale_files() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        std::fs::write(d.join("notes.txt"), "mine").unwrap();
        let mut f = OutputFolder::open(d, &[DATA, VISUALS]).unwrap();
        f.write(DATA, "results.json", b"{}").unwrap();
        f.write(VISUALS, "points.svg", b"<svg/>").unwrap();
        f.write(VISUALS, "report.html", b"a").unwrap();
        assert!(f.finish().unwrap().is_empty());

        // `report` rewrites the visuals without the points chart.
        let mut f = OutputFolder::open(d, &[VISUALS]).unwrap();
        f.write(VISUALS, "report.html", b"b").unwrap();
        assert_eq!(f.finish().unwrap(), ["points.svg"]);
        assert_eq!(
            files(d),
            [RECORD, "notes.txt", "report.html", "results.json"]
        );
        // results.json is still recorded as loyalsim's: a run that no longer
        // writes data (none does; a test of the rule) would remove it.
        let f = OutputFolder::open(d, &[DATA]).unwrap();
        assert_eq!(f.finish().unwrap(), ["results.json"]);
        assert_eq!(files(d), [RECORD, "notes.txt", "report.html"]);
    }

    #[test]
    fn folders_from_before_the_record_are_cleaned_by_name() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        for n in [
            "cumulative_profit.svg",
            "cumulative_profit.png",
            "keep.svg",
            "report.html",
        ] {
            std::fs::write(d.join(n), "old").unwrap();
        }
        let mut f = OutputFolder::open(d, &[VISUALS]).unwrap();
        f.write(VISUALS, "report.html", b"new").unwrap();
        let mut removed = f.finish().unwrap();
        removed.sort();
        assert_eq!(removed, ["cumulative_profit.png", "cumulative_profit.svg"]);
        assert_eq!(files(d), [RECORD, "keep.svg", "report.html"]);
    }

    #[test]
    fn a_tampered_record_never_removes_paths() {
        let t = tempfile::tempdir().unwrap();
        let inner = t.path().join("out");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(t.path().join("precious.txt"), "x").unwrap();
        std::fs::write(
            inner.join(RECORD),
            "visuals\t../precious.txt\nvisuals\t..\nbroken line\n",
        )
        .unwrap();
        OutputFolder::open(&inner, &[VISUALS])
            .unwrap()
            .finish()
            .unwrap();
        assert!(t.path().join("precious.txt").is_file());
    }
}
