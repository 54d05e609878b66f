//! `[population] cohort = "cohort.csv"`: the initial customers' join times,
//! as written by `loyalsim fit` (docs/fitting.md): a header `customer,start` and one
//! row per customer, `start` in time units since the first date.
//!
//! Only `start` is used; `customer` must be present so a file of the wrong
//! kind is caught, but ids are not interpreted. Extra columns are ignored.

use crate::provenance::{FileDigest, Hashing};
use std::path::Path;

/// At most this many characters of the file's text in a message (its first
/// line may be a megabyte of anything, control characters included).
const SHOWN: usize = 40;

/// Read the start times, sorted ascending, and the file's digest (for
/// provenance). The error is a sentence naming the file (as resolved) and,
/// for a bad row, its line.
pub(crate) fn read(path: &Path) -> Result<(Vec<f64>, FileDigest), String> {
    let shown = path.display();
    // Capped: a cohort of /dev/zero must fail at once, not fill memory.
    let file = crate::input::open_capped(path, crate::input::COHORT).map_err(|e| match e {
        crate::input::ReadError::NotFound => format!("cohort file `{shown}` not found"),
        e => format!("cannot read cohort file `{shown}`: {e}"),
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(Hashing::new(file));
    let headers = rdr
        .headers()
        .map_err(|e| format!("cannot read cohort file `{shown}`: {e}"))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(_), Some(start_col)) = (col("customer"), col("start")) else {
        let found: Vec<&str> = headers.iter().collect();
        return Err(format!(
            "cohort file `{shown}` needs the header `customer,start` (found `{}`)",
            crate::input::excerpt(&found.join(","), SHOWN)
        ));
    };
    let mut starts = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("cannot read cohort file `{shown}`: {e}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = rec.get(start_col).unwrap_or("");
        let start: f64 = cell.parse().map_err(|_| {
            format!(
                "cohort file `{shown}` line {line}: start `{}` is not a number. expected time units since the first date (>= 0)",
                crate::input::excerpt(cell, SHOWN)
            )
        })?;
        if !(start.is_finite() && start >= 0.0) {
            return Err(format!(
                "cohort file `{shown}` line {line}: start `{}` is out of range. expected a finite number >= 0",
                crate::input::excerpt(cell, SHOWN)
            ));
        }
        starts.push(start);
    }
    // Hash what is left after the last record (a trailing comment or blank lines).
    let mut hashing = rdr.into_inner();
    std::io::copy(&mut hashing, &mut std::io::sink())
        .map_err(|e| format!("cannot read cohort file `{shown}`: {e}"))?;
    starts.sort_by(f64::total_cmp);
    Ok((
        starts,
        FileDigest {
            role: "cohort".into(),
            path: shown.to_string(),
            sha256: hashing.hex(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(text.as_bytes()).expect("write");
        f
    }

    #[test]
    fn reads_and_sorts_start_times() {
        let f = write("customer,start\na,3.5\nb, 0\nc,1\n");
        let (starts, digest) = read(f.path()).expect("valid");
        assert_eq!(starts, vec![0.0, 1.0, 3.5]);
        assert_eq!(
            digest.sha256,
            crate::provenance::sha256_hex(b"customer,start\na,3.5\nb, 0\nc,1\n")
        );
    }

    #[test]
    fn rejects_bad_rows_with_their_line() {
        let f = write("customer,start\na,1\nb,-2\n");
        let e = read(f.path()).expect_err("negative");
        assert!(e.contains("line 3: start `-2` is out of range"), "{e}");
        let f = write("customer,begin\na,1\n");
        assert!(
            read(f.path())
                .expect_err("header")
                .contains("needs the header")
        );
    }

    #[test]
    fn quotes_the_file_briefly_and_without_control_characters() {
        let header = format!("\u{1b}[2J{}", "x".repeat(5000));
        let e = read(write(&format!("{header}\na,1\n")).path()).expect_err("header");
        assert!(!e.contains('\u{1b}'), "{e}");
        assert!(e.contains("(found `\\u{1b}[2Jxxx"), "{e}");
        assert!(e.contains("… (5004 characters)"), "{e}");
        let e = read(write("customer,start\na,\u{7}1\n").path()).expect_err("bell");
        assert!(e.contains("line 2: start `\\u{7}1` is not a number"), "{e}");
    }
}
