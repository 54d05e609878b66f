//! Writing output files atomically: each file is written to a temporary name
//! in the same folder and renamed into place, so an interrupted run never
//! leaves a half-written file.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

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
