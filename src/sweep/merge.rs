//! `loyalsim merge`: combine the output folders of a sweep's shards into one
//! folder byte-identical to the output of the unsharded sweep. Refuses, before
//! writing anything, shards of different sweeps or loyalsim versions, shards
//! of different splits, duplicate, missing and unfinished shards.

use crate::error::{Error, Result};
use crate::sweep::files::{self, Assembler, Manifest, PointState};
use crate::sweep::shard::Shard;
use std::path::{Path, PathBuf};

/// One input: a shard's output folder and its manifest.
#[derive(Debug, Clone)]
pub struct Input {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub shard: Shard,
}

/// Read an input argument: a folder, or any file inside one (its
/// `shard.json`, `sweep.json` or `sweep.csv`).
pub fn read_input(arg: &Path) -> Result<Input> {
    let meta = std::fs::metadata(arg)
        .map_err(|e| Error::input(format!("{}: cannot read: {e}", arg.display())))?;
    let dir = if meta.is_dir() {
        arg.to_path_buf()
    } else {
        match arg.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let manifest = files::read_manifest(&dir)?.ok_or_else(|| {
        Error::input(format!(
            "{}: not a sweep output (no {}); pass the --out folders of `loyalsim sweep` runs",
            dir.display(),
            files::MANIFEST
        ))
    })?;
    let shard = manifest.shard().map_err(|_| {
        Error::input(format!(
            "{}: bad shard \"{}\" in {}",
            dir.display(),
            manifest.shard,
            files::MANIFEST
        ))
    })?;
    Ok(Input {
        dir,
        manifest,
        shard,
    })
}

/// Check that the inputs are exactly the shards 1..=N of one sweep made by
/// one loyalsim version; returns them ordered by shard.
pub fn check(mut inputs: Vec<Input>) -> Result<Vec<Input>> {
    let Some(first) = inputs.first().cloned() else {
        return Err(Error::input("merge: no inputs given"));
    };
    let d = |i: &Input| i.dir.display().to_string();
    for i in &inputs[1..] {
        if i.manifest.loyalsim_version != first.manifest.loyalsim_version {
            return Err(Error::input(format!(
                "cannot merge outputs of different loyalsim versions: {} was made by loyalsim {}, {} by loyalsim {}",
                d(&first),
                first.manifest.loyalsim_version,
                d(i),
                i.manifest.loyalsim_version
            )));
        }
    }
    for i in &inputs[1..] {
        if i.manifest.sweep != first.manifest.sweep {
            return Err(Error::input(format!(
                "cannot merge shards of different sweeps: {} and {} differ in the scenario text, the --set values, --replications, or a script or cohort file they read",
                d(&first),
                d(i)
            )));
        }
    }
    for i in &inputs[1..] {
        if i.shard.n != first.shard.n {
            return Err(Error::input(format!(
                "cannot merge shards of different splits: {} is shard {}, {} is shard {}",
                d(&first),
                first.shard,
                d(i),
                i.shard
            )));
        }
    }
    inputs.sort_by_key(|i| i.shard.k);
    for w in inputs.windows(2) {
        if w[0].shard == w[1].shard {
            return Err(Error::input(format!(
                "shard {} is given twice: {} and {}",
                w[0].shard,
                d(&w[0]),
                d(&w[1])
            )));
        }
    }
    // The shards are distinct and within 1..=N here, so N minus their
    // number are missing. Name the first few only: N is what the user
    // wrote (a split into 10^9 is accepted), so no list as long as N.
    let n = first.shard.n;
    let missing = n - inputs.len();
    if missing > 0 {
        const SHOWN: usize = 5;
        let shown: Vec<String> = (1..=n)
            .filter(|k| !inputs.iter().any(|i| i.shard.k == *k))
            .take(SHOWN)
            .map(|k| Shard { k, n }.to_string())
            .collect();
        let more = match missing - shown.len() {
            0 => String::new(),
            m => format!(" and {m} more"),
        };
        return Err(Error::input(format!(
            "missing shard{} {}{more}: run `loyalsim sweep ... --shard {}` and merge again",
            if missing > 1 { "s" } else { "" },
            shown.join(", "),
            shown[0]
        )));
    }
    Ok(inputs)
}

/// Check that every input holds every point of its shard, finished and
/// unchanged (SHA-256 as written), before anything is written. Stops at
/// the first point missing (counting the rest from the folder's files), so
/// a manifest claiming millions of points fails at once.
fn check_points(inputs: &[Input], hash: &str, total: usize) -> Result<()> {
    if total == 0 {
        return Err(Error::input(format!(
            "{}: the manifest says the sweep has 0 points; a sweep has at least one",
            inputs[0].dir.join(files::MANIFEST).display()
        )));
    }
    for i in inputs {
        for p in i.shard.indices(total) {
            match files::read_point(&i.dir, p, hash) {
                PointState::Done(_) => {}
                PointState::Missing => {
                    let expected = i.shard.count(total);
                    let missing = expected.saturating_sub(files::count_point_files(&i.dir));
                    return Err(Error::input(format!(
                        "{} (shard {}) is unfinished: {} of its {expected} points are missing (first: point {p}); rerun that shard to finish it",
                        i.dir.display(),
                        i.shard,
                        missing.max(1),
                    )));
                }
                PointState::Stale(why) => {
                    return Err(Error::input(format!(
                        "{} (shard {}): point {p} cannot be merged: {why}; rerun that shard (it \
                         recomputes such points)",
                        i.dir.display(),
                        i.shard
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Merge the shard folders `args` into `out`. Returns the number of points.
///
/// Everything is written into a temporary folder beside `out` and moved
/// into place at the end: `out` holds the whole merged sweep or is left as
/// it was.
pub fn merge(args: &[PathBuf], out: &Path) -> Result<usize> {
    let inputs = check(
        args.iter()
            .map(|a| read_input(a))
            .collect::<Result<Vec<_>>>()?,
    )?;
    let m = &inputs[0].manifest;
    let (hash, total, n) = (m.sweep.clone(), m.points, inputs[0].shard.n);
    for i in &inputs[1..] {
        if i.manifest.points != total || i.manifest.keys != m.keys {
            return Err(Error::input(format!(
                "{} and {} disagree on the sweep's points or keys; they are not shards of one sweep",
                inputs[0].dir.display(),
                i.dir.display()
            )));
        }
    }
    check_points(&inputs, &hash, total)?;
    let out_c = std::fs::canonicalize(out).ok();
    for i in &inputs {
        if out_c.is_some() && std::fs::canonicalize(&i.dir).ok() == out_c {
            return Err(Error::input(format!(
                "--out {} is one of the inputs; choose a new folder",
                out.display()
            )));
        }
    }
    if out.is_dir()
        && let Some(old) = files::read_manifest(out)?
        && old.sweep != hash
    {
        return Err(Error::input(format!(
            "{} holds a different sweep; choose another --out or delete it",
            out.display()
        )));
    }
    if out.exists() && !out.is_dir() {
        return Err(Error::input(format!(
            "--out {} is a file; choose a folder",
            out.display()
        )));
    }
    let tmp = Staging::new(out)?;
    let mut merged = m.clone();
    merged.shard = Shard::ALL.to_string();
    files::write_manifest(&tmp.dir, &merged)?;
    let mut asm = Assembler::create(&tmp.dir, &merged)?;
    for p in 0..total {
        let owner = &inputs[Shard::owner(p, n).k - 1];
        let PointState::Done(text) = files::read_point(&owner.dir, p, &hash) else {
            return Err(Error::input(format!(
                "{}: point {p} changed during the merge; nothing was written",
                owner.dir.display()
            )));
        };
        files::write_point(&tmp.dir, p, &text)?;
        asm.add(&text)?;
    }
    asm.finish()?;
    crate::sweep::charts::write(&tmp.dir, &|s| eprintln!("{s}"))?;
    tmp.publish()?;
    Ok(total)
}

/// A temporary folder beside the output folder, removed unless published.
struct Staging {
    dir: PathBuf,
    out: PathBuf,
    published: bool,
}

impl Staging {
    fn new(out: &Path) -> Result<Staging> {
        let name = out
            .file_name()
            .map_or_else(|| "merge".into(), |n| n.to_string_lossy().into_owned());
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        crate::report::output::ensure_dir(&parent)?;
        let dir = parent.join(format!(".{name}.merge-{}.tmp", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::report::output::ensure_dir(&dir.join(files::POINTS))?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            published: false,
        })
    }

    /// Move the finished folder into place: `out` did not exist or was
    /// empty, or held this same sweep (an earlier merge), which is replaced.
    fn publish(mut self) -> Result<()> {
        let fail = |e: std::io::Error| {
            Error::other(format!(
                "cannot move the merged sweep into {}: {e}",
                self.out.display()
            ))
        };
        if self.out.is_dir() {
            let empty = std::fs::read_dir(&self.out).map_err(fail)?.next().is_none();
            if empty {
                std::fs::remove_dir(&self.out).map_err(fail)?;
            } else {
                let old = self.dir.with_extension("old");
                std::fs::rename(&self.out, &old).map_err(fail)?;
                std::fs::rename(&self.dir, &self.out).map_err(fail)?;
                self.published = true;
                let _ = std::fs::remove_dir_all(&old);
                return Ok(());
            }
        }
        std::fs::rename(&self.dir, &self.out).map_err(fail)?;
        self.published = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(dir: &str, version: &str, hash: &str, shard: &str) -> Input {
        Input {
            dir: PathBuf::from(dir),
            manifest: Manifest {
                loyalsim_version: version.into(),
                sweep: hash.into(),
                scenario: "s".into(),
                keys: vec!["k".into()],
                points: 6,
                shard: shard.into(),
                format_version: 1,
                provenance: None,
                checksum: String::new(),
            },
            shard: Shard::parse(shard).unwrap(),
        }
    }
    fn msg(r: Result<Vec<Input>>) -> String {
        match r {
            Err(Error::Input(m)) => m,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn accepts_every_shard_once_in_any_order() {
        let ok = check(vec![
            input("c", "1", "h", "3/3"),
            input("a", "1", "h", "1/3"),
            input("b", "1", "h", "2/3"),
        ])
        .unwrap();
        let ks: Vec<usize> = ok.iter().map(|i| i.shard.k).collect();
        assert_eq!(ks, [1, 2, 3]);
    }

    #[test]
    fn refuses_with_clear_messages() {
        assert_eq!(
            msg(check(vec![
                input("a", "1", "h", "1/2"),
                input("b", "2", "h", "2/2")
            ])),
            "cannot merge outputs of different loyalsim versions: a was made by loyalsim 1, b by loyalsim 2"
        );
        assert_eq!(
            msg(check(vec![
                input("a", "1", "h", "1/2"),
                input("b", "1", "g", "2/2")
            ])),
            "cannot merge shards of different sweeps: a and b differ in the scenario text, the --set values, --replications, or a script or cohort file they read"
        );
        assert_eq!(
            msg(check(vec![
                input("a", "1", "h", "1/2"),
                input("b", "1", "h", "2/3")
            ])),
            "cannot merge shards of different splits: a is shard 1/2, b is shard 2/3"
        );
        assert_eq!(
            msg(check(vec![
                input("a", "1", "h", "1/2"),
                input("b", "1", "h", "1/2")
            ])),
            "shard 1/2 is given twice: a and b"
        );
        assert_eq!(
            msg(check(vec![input("a", "1", "h", "2/4")])),
            "missing shards 1/4, 3/4, 4/4: run `loyalsim sweep ... --shard 1/4` and merge again"
        );
        assert_eq!(
            msg(check(vec![input("a", "1", "h", "1/2")])),
            "missing shard 2/2: run `loyalsim sweep ... --shard 2/2` and merge again"
        );
        // A split into many shards names the first few missing only (it
        // listed all of them: a split into 10^9 ran out of memory).
        assert_eq!(
            msg(check(vec![
                input("a", "1", "h", "1/1000000"),
                input("b", "1", "h", "3/1000000")
            ])),
            "missing shards 2/1000000, 4/1000000, 5/1000000, 6/1000000, 7/1000000 and 999993 \
             more: run `loyalsim sweep ... --shard 2/1000000` and merge again"
        );
    }
}
