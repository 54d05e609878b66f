//! Streaming a transaction log (CSV with a header) into an
//! [`Accumulator`](super::data::Accumulator): the one place in `fit` that
//! reads input. Rows are read one at a time into a reused record, so memory
//! depends on the number of customers and purchase days, not on the rows.
//!
//! Bad rows (unparsable date, negative or unreadable amount, empty customer,
//! missing field) stop the read with an input error naming the file, the
//! 1-based line and the problem, unless `skip_invalid` is set: then they are
//! skipped and counted, and the first few messages kept for the summary.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::data::Accumulator;
use crate::error::{Error, Result};
use crate::input::excerpt;

/// The largest amount one row may have: far above any purchase, and small
/// enough that the sum of every row of the largest file loyalsim reads stays
/// finite (so a fit never writes `inf`).
pub const MAX_AMOUNT: f64 = 1e12;

/// Characters of a field quoted in a message.
const SHOWN: usize = 40;

/// How to read the file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    pub customer: String,
    pub date: String,
    /// The amount column and whether the user named it (then it must exist;
    /// the default `amount` is optional).
    pub amount: String,
    pub amount_required: bool,
    /// A chrono format (`%d/%m/%Y`); `None`: ISO 8601 dates.
    pub date_format: Option<String>,
    pub skip_invalid: bool,
    /// The calibration end (day number, see [`day_number`]); `None`: the last date.
    pub cal_end: Option<i32>,
    /// The byte between fields (`,` by default; `;` in many European exports).
    pub delimiter: u8,
    /// Amounts are written with a decimal comma (`12,50`, `1.234,50`).
    pub decimal_comma: bool,
}

impl Default for ReadOptions {
    /// The `fit` defaults: columns `customer`, `date` and (optional) `amount`,
    /// comma-separated, ISO dates, decimal points.
    fn default() -> Self {
        ReadOptions {
            customer: "customer".into(),
            date: "date".into(),
            amount: "amount".into(),
            amount_required: false,
            date_format: None,
            skip_invalid: false,
            cal_end: None,
            delimiter: b',',
            decimal_comma: false,
        }
    }
}

/// Parse a `--delimiter` value: one ASCII character other than a quote or
/// a line break, or `tab` (also `\t`).
pub fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => match s.as_bytes() {
            [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
            _ => Err(format!(
                "expected one character such as ',' ';' '|' or the word tab, not \"{s}\""
            )),
        },
    }
}

/// Parse an amount: `12.50`, or with `decimal_comma` `12,50` and `1.234,50`
/// (dots then only between groups of three digits).
pub fn parse_amount(s: &str, decimal_comma: bool) -> Option<f64> {
    if !decimal_comma {
        return s.parse().ok();
    }
    let (int, frac) = match s.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int.contains('.') {
        let digits = int.trim_start_matches(['+', '-']);
        let groups: Vec<&str> = digits.split('.').collect();
        let ok = (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return None;
        }
    }
    if frac.is_some_and(|f| f.contains(['.', ','])) {
        return None;
    }
    let text = match frac {
        Some(f) => format!("{}.{f}", int.replace('.', "")),
        None => int.replace('.', ""),
    };
    text.parse().ok()
}

/// What happened while reading.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReadReport {
    pub skipped: u64,
    /// The first few skipped-row messages.
    pub skipped_examples: Vec<String>,
    /// Whether an amount column was used.
    pub amounts: bool,
}

/// The day number used throughout `fit` (days since 0001-01-01).
pub fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// The date of a day number.
pub fn date_of(day: i32) -> String {
    NaiveDate::from_num_days_from_ce_opt(day)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| day.to_string())
}

/// Parse a date: with a format, as a date or a date-time in that format;
/// without, ISO 8601 `YYYY-MM-DD`, optionally followed by `T` or a space and a time.
pub fn parse_date(s: &str, format: Option<&str>) -> Option<NaiveDate> {
    let s = s.trim();
    match format {
        Some(f) => NaiveDate::parse_from_str(s, f)
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(s, f).ok().map(|t| t.date())),
        None => {
            let head = s.get(..10)?;
            let rest = &s[10..];
            if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
                return None;
            }
            NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
        }
    }
}

/// Passes bytes through and notes where the newlines are, so that a record's
/// byte offset can be turned into its physical line number (the csv crate's own
/// line count skips blank lines). Only the newlines inside the csv reader's
/// read-ahead buffer are held at any time.
struct LineTracker<R> {
    inner: R,
    offset: u64,
    newlines: Rc<RefCell<VecDeque<u64>>>,
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut q = self.newlines.borrow_mut();
        for (i, _) in buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n') {
            q.push_back(self.offset + i as u64);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

struct Columns {
    customer: usize,
    date: usize,
    amount: Option<usize>,
}

fn find_columns(headers: &csv::StringRecord, name: &str, o: &ReadOptions) -> Result<Columns> {
    let find = |col: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == col)
    };
    let found = || {
        headers
            .iter()
            .take(20)
            .map(|h| format!("\"{}\"", excerpt(h.trim_start_matches('\u{feff}'), SHOWN)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let hint = match headers.len() {
        1 if headers[0].contains(';') => {
            " (the file seems to use ';' between fields: give --delimiter ';', and --decimal-comma if amounts are written like 12,50)"
        }
        1 if headers[0].contains('\t') => {
            " (the file seems to use tabs between fields: give --delimiter tab)"
        }
        _ => "",
    };
    let need = |col: &str, flag: &str| {
        find(col).ok_or_else(|| {
            Error::input(format!(
                "{name}: no column \"{col}\" in the header; the columns are {}; choose one with {flag}{hint}",
                found()
            ))
        })
    };
    let customer = need(&o.customer, "--customer")?;
    let date = need(&o.date, "--date")?;
    let amount = if o.amount_required {
        Some(need(&o.amount, "--amount")?)
    } else {
        find(&o.amount)
    };
    Ok(Columns {
        customer,
        date,
        amount,
    })
}

/// Read `input` (named `name` in messages) into an accumulator. `progress`
/// is called now and then with the number of bytes read so far.
pub fn read_transactions<R: Read>(
    input: R,
    name: &str,
    o: &ReadOptions,
    mut progress: impl FnMut(u64),
) -> Result<(Accumulator, ReadReport)> {
    let newlines = Rc::new(RefCell::new(VecDeque::new()));
    let tracked = LineTracker {
        inner: input,
        offset: 0,
        newlines: Rc::clone(&newlines),
    };
    let mut lines_before = 0u64;
    // 1-based physical line of the record starting at byte `at`.
    let mut line_at = |at: u64| {
        let mut q = newlines.borrow_mut();
        while q.front().is_some_and(|&p| p < at) {
            q.pop_front();
            lines_before += 1;
        }
        lines_before + 1
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(o.delimiter)
        .flexible(true)
        .trim(csv::Trim::Fields)
        .from_reader(tracked);
    let headers = rdr
        .headers()
        .map_err(|e| Error::input(format!("{name}: cannot read the header line: {e}")))?
        .clone();
    let cols = find_columns(&headers, name, o)?;
    let mut acc = Accumulator::new(o.cal_end, cols.amount.is_some());
    let mut report = ReadReport {
        amounts: cols.amount.is_some(),
        ..Default::default()
    };
    let mut rec = csv::StringRecord::new();
    let mut n = 0u64;
    let date_hint = match &o.date_format {
        Some(f) => format!("expected a date in the format \"{f}\" given by --date-format"),
        None => {
            "expected YYYY-MM-DD; for other layouts give --date-format, e.g. --date-format %d/%m/%Y"
                .into()
        }
    };
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
                return Err(Error::input(format!(
                    "{name}: line {line}: cannot read the row: {e}"
                )));
            }
        }
        n += 1;
        if n.is_multiple_of(65_536) {
            progress(rdr.position().byte());
        }
        // The line of the record's own terminator (the csv crate's record
        // position would count skipped blank lines into the record).
        let line = line_at(rdr.position().byte().saturating_sub(1));
        // A blank line has one empty field: ignore it.
        if rec.len() == 1 && rec.get(0) == Some("") {
            continue;
        }
        let row = parse_row(&rec, &cols, o, &date_hint, &o.customer, &o.date, &o.amount);
        match row {
            Ok((c, day, amount)) => acc.add(c, day, amount),
            Err(problem) => {
                let msg = format!("{name}: line {line}: {problem}");
                if o.skip_invalid {
                    report.skipped += 1;
                    if report.skipped_examples.len() < 5 {
                        report.skipped_examples.push(msg);
                    }
                } else {
                    return Err(Error::input(format!(
                        "{msg} (or pass --skip-invalid to skip such rows)"
                    )));
                }
            }
        }
    }
    progress(rdr.position().byte());
    if acc.rows() == 0 {
        return Err(Error::input(format!(
            "{name}: no valid transactions in the file"
        )));
    }
    Ok((acc, report))
}

fn parse_row<'r>(
    rec: &'r csv::StringRecord,
    cols: &Columns,
    o: &ReadOptions,
    date_hint: &str,
    ccol: &str,
    dcol: &str,
    acol: &str,
) -> std::result::Result<(&'r str, i32, f64), String> {
    let field = |i: usize, col: &str| {
        rec.get(i).ok_or_else(|| {
            format!(
                "no value in column \"{col}\" (the row has {} fields)",
                rec.len()
            )
        })
    };
    let customer = field(cols.customer, ccol)?;
    if customer.is_empty() {
        return Err(format!("empty customer id in column \"{ccol}\""));
    }
    let ds = field(cols.date, dcol)?;
    let date = parse_date(ds, o.date_format.as_deref()).ok_or_else(|| {
        format!(
            "cannot read the date \"{}\" in column \"{dcol}\" ({date_hint})",
            excerpt(ds, SHOWN)
        )
    })?;
    let amount = match cols.amount {
        None => 0.0,
        Some(i) => {
            let raw = field(i, acol)?;
            // Quoted in messages: a huge field or number is cut short.
            let s = &excerpt(raw, SHOWN);
            let v = parse_amount(raw, o.decimal_comma).ok_or_else(|| {
                if o.decimal_comma {
                    format!("cannot read the amount \"{s}\" in column \"{acol}\" (expected a number like 12,50 or 1.234,50, as --decimal-comma says)")
                } else if parse_amount(raw, true).is_some() {
                    format!("cannot read the amount \"{s}\" in column \"{acol}\" (expected a number like 12.50; for decimal commas give --decimal-comma)")
                } else {
                    format!("cannot read the amount \"{s}\" in column \"{acol}\" (expected a number like 12.50)")
                }
            })?;
            if !v.is_finite() {
                return Err(format!(
                    "the amount \"{s}\" in column \"{acol}\" is not a finite number"
                ));
            }
            if v < 0.0 {
                return Err(format!(
                    "negative amount {s} in column \"{acol}\" (returns and refunds are not purchases; remove them first)"
                ));
            }
            if v > MAX_AMOUNT {
                return Err(format!(
                    "the amount {s} in column \"{acol}\" is larger than {MAX_AMOUNT:e}, the largest \
                     amount loyalsim reads (sums of such amounts would overflow)"
                ));
            }
            v
        }
    };
    Ok((customer, day_number(date), amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ReadOptions {
        ReadOptions::default()
    }

    fn read(s: &str, o: &ReadOptions) -> Result<(Accumulator, ReadReport)> {
        read_transactions(s.as_bytes(), "t.csv", o, |_| {})
    }

    #[test]
    fn dates_iso_datetime_and_custom_formats() {
        let d = NaiveDate::from_ymd_opt(1997, 3, 4).unwrap();
        assert_eq!(parse_date("1997-03-04", None), Some(d));
        assert_eq!(parse_date("1997-03-04T10:11:12Z", None), Some(d));
        assert_eq!(parse_date("1997-03-04 10:11", None), Some(d));
        assert_eq!(parse_date("1997-03-045", None), None);
        assert_eq!(parse_date("04/03/1997", Some("%d/%m/%Y")), Some(d));
        assert_eq!(parse_date("19970304", Some("%Y%m%d")), Some(d));
        assert_eq!(
            parse_date("04/03/1997 08:00", Some("%d/%m/%Y %H:%M")),
            Some(d)
        );
        assert_eq!(parse_date("", None), None);
    }

    #[test]
    fn exact_error_messages() {
        let o = opts();
        let e = read("customer,date,amount\n1,1997-01-01,5\n1,1997-02-30,5\n", &o).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 3: cannot read the date \"1997-02-30\" in column \"date\" (expected YYYY-MM-DD; for \
             other layouts give --date-format, e.g. --date-format %d/%m/%Y) (or pass --skip-invalid to skip such rows)"
        );
        let e = read("customer,date,amount\n1,1997-01-01,-5\n", &o).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: line 2: negative amount -5 in column \"amount\" (returns and refunds are not purchases; \
             remove them first) (or pass --skip-invalid to skip such rows)"
        );
        let e = read("id,day,value\n1,1997-01-01,5\n", &o).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: no column \"customer\" in the header; the columns are \"id\", \"day\", \"value\"; choose one with --customer"
        );
        assert_eq!(e.exit_code(), 2);
        let e = read("customer,date,amount\n1,1997-01-01\n", &o).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.csv: line 2: no value in column \"amount\" (the row has 2 fields)"),
            "{e}"
        );
    }

    #[test]
    fn skip_invalid_counts_rows() {
        let o = ReadOptions {
            skip_invalid: true,
            ..opts()
        };
        let (acc, rep) = read(
            "customer,date,amount\n1,1997-01-01,5\n1,oops,5\n2,1997-01-02,-1\n\n2,1997-01-03,x\n",
            &o,
        )
        .unwrap();
        assert_eq!(acc.rows(), 1);
        assert_eq!(rep.skipped, 3);
        assert_eq!(rep.skipped_examples.len(), 3);
        assert!(
            rep.skipped_examples[2].contains("line 6"),
            "{:?}",
            rep.skipped_examples
        );
    }

    #[test]
    fn amounts_with_decimal_commas() {
        assert_eq!(parse_amount("12.50", false), Some(12.5));
        assert_eq!(parse_amount("12,50", false), None);
        assert_eq!(parse_amount("12,50", true), Some(12.5));
        assert_eq!(parse_amount("1.234,50", true), Some(1234.5));
        assert_eq!(parse_amount("-1.234.567,5", true), Some(-1234567.5));
        assert_eq!(parse_amount("7", true), Some(7.0));
        assert_eq!(parse_amount("1.234", true), Some(1234.0));
        // A dot that is not a thousands separator is a mistake, not a decimal point.
        assert_eq!(parse_amount("12.50", true), None);
        assert_eq!(parse_amount("1.23,4", true), None);
        assert_eq!(parse_amount("1,2,3", true), None);
        assert_eq!(parse_amount("1,2.3", true), None);
        assert_eq!(parse_amount("", true), None);
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter("\t"), Ok(b'\t'));
        assert!(parse_delimiter(";;").is_err());
        assert!(parse_delimiter("\"").is_err());
        assert!(parse_delimiter("é").is_err());
    }

    #[test]
    fn a_european_export_reads_with_delimiter_and_decimal_comma() {
        let text =
            "customer;date;amount\n1;1997-01-01;12,50\n1;1997-01-08;1.234,50\n2;1997-01-02;3\n";
        let e = read(text, &opts()).unwrap_err().to_string();
        assert!(
            e.contains("give --delimiter ';', and --decimal-comma"),
            "{e}"
        );
        let semi = ReadOptions {
            delimiter: b';',
            ..opts()
        };
        let e = read(text, &semi).unwrap_err().to_string();
        assert_eq!(
            e,
            "t.csv: line 2: cannot read the amount \"12,50\" in column \"amount\" (expected a number like \
             12.50; for decimal commas give --decimal-comma) (or pass --skip-invalid to skip such rows)"
        );
        let european = ReadOptions {
            decimal_comma: true,
            ..semi
        };
        let (acc, rep) = read(text, &european).unwrap();
        assert!(rep.amounts);
        let s = acc.summarize(7.0);
        assert_eq!(s.customers[0].repeat_amount, Some(1234.5));
        assert_eq!(s.mean_amount, Some((12.5 + 1234.5 + 3.0) / 3.0));
    }

    #[test]
    fn amount_column_is_optional_unless_named() {
        let (acc, rep) = read("customer,date\n1,1997-01-01\n", &opts()).unwrap();
        assert!(!rep.amounts && !acc.with_amounts());
        let o = ReadOptions {
            amount_required: true,
            ..opts()
        };
        assert!(
            read("customer,date\n1,1997-01-01\n", &o)
                .unwrap_err()
                .to_string()
                .contains("--amount")
        );
        let e = read("customer,date\n", &opts()).unwrap_err();
        assert_eq!(e.to_string(), "t.csv: no valid transactions in the file");
    }
}
