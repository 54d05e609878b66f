//! The CSV files, all written by one writer ([`CsvText`], the csv crate:
//! RFC 4180 quoting, `\n` line ends, numbers in Rust's shortest form that
//! reads back to the same value) in one tidy shape: one number per row,
//! named by program, metric and statistic ([`super::tidy`]).
//!
//! - `summary.csv`: `program,metric,statistic,value`
//! - `periods.csv`: `program,end,metric,statistic,value`
//! - `replications.csv`: `program,replication,metric,value`
//!
//! A sweep's `sweep.csv` and `replications.csv` have the same columns after
//! `point` and the swept keys (`sweep::files`).

use crate::error::{Error, Result};
use crate::report::tidy::{self, PERIOD_COLUMNS, REPLICATION_COLUMNS, SUMMARY_COLUMNS};
use crate::stats::{Replications, Results};

/// A CSV text being written; every record must have as many fields as the first.
pub struct CsvText {
    w: csv::Writer<Vec<u8>>,
    error: Option<csv::Error>,
}

impl Default for CsvText {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvText {
    pub fn new() -> CsvText {
        CsvText {
            w: csv::WriterBuilder::new().from_writer(Vec::new()),
            error: None,
        }
    }

    /// Append one record (the first error is kept for [`CsvText::finish`]).
    pub fn record<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if self.error.is_none()
            && let Err(e) = self.w.write_record(fields)
        {
            self.error = Some(e);
        }
    }

    /// The text written.
    pub fn finish(self) -> Result<String> {
        let fail =
            |e: &dyn std::fmt::Display| Error::other(format!("cannot write a CSV table: {e}"));
        if let Some(e) = self.error {
            return Err(fail(&e));
        }
        let bytes = self.w.into_inner().map_err(|e| fail(&e))?;
        String::from_utf8(bytes).map_err(|e| fail(&e))
    }
}

/// A number as every CSV writes it: the shortest form that reads back to
/// the same `f64` (`12`, `0.1`, `1e-7`).
pub fn number(x: f64) -> String {
    format!("{x}")
}

/// `summary.csv`.
pub fn summary(r: &Results) -> Result<String> {
    let mut w = CsvText::new();
    w.record(SUMMARY_COLUMNS);
    for row in tidy::summary_rows(r) {
        w.record([
            row.program,
            &row.stat.metric,
            &row.stat.statistic,
            &number(row.stat.value),
        ]);
    }
    w.finish()
}

/// `periods.csv`.
pub fn periods(r: &Results) -> Result<String> {
    let mut w = CsvText::new();
    w.record(PERIOD_COLUMNS);
    for row in tidy::period_rows(r) {
        w.record([
            row.program,
            &number(row.end),
            &row.stat.metric,
            &row.stat.statistic,
            &number(row.stat.value),
        ]);
    }
    w.finish()
}

/// `replications.csv`.
pub fn replications(reps: &Replications) -> Result<String> {
    let mut w = CsvText::new();
    w.record(REPLICATION_COLUMNS);
    for (program, rep, metric, value) in tidy::replication_rows(reps) {
        w.record([program, &rep.to_string(), metric, &number(value)]);
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it_and_keeps_numbers_exact() {
        let mut w = CsvText::new();
        w.record(["a,b", "say \"hi\"", "plain", &number(0.1 + 0.2)]);
        w.record(["line\nbreak", "", "x", &number(-3.0)]);
        assert_eq!(
            w.finish().unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",plain,0.30000000000000004\n\"line\nbreak\",,x,-3\n"
        );
    }

    #[test]
    fn records_of_another_length_are_an_error() {
        let mut w = CsvText::new();
        w.record(["a", "b"]);
        w.record(["c"]);
        assert!(w.finish().is_err());
    }
}
