//! `results.xlsx`: the comparison as a spreadsheet (a "Comparison" sheet
//! with the terminal table's numbers, unrounded, in number formats that show
//! the scenario's currency), then the tidy tables of the CSV files
//! ("Summary", "Periods", "Replications"). Written with rust_xlsxwriter
//! (pure Rust); the document date is fixed, so the same results give the
//! same bytes.

use crate::error::{Error, Result};
use crate::report::table::{self, ComparisonRow};
use crate::report::tidy::{self, PERIOD_COLUMNS, REPLICATION_COLUMNS, SUMMARY_COLUMNS};
use crate::stats::{Replications, Results};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Rows of a tidy sheet beyond which the workbook names the CSV file
/// instead: writing a sheet costs about 2 µs and 200 bytes per cell, so
/// 100,000 rows (1,000 replications of four arms) take a second and 90 MB;
/// the CSV has every row at a fraction of that, and spreadsheets open it.
pub const MAX_ROWS: usize = 100_000;

/// The column titles of the Comparison sheet (`{}` is the currency, `{t}`
/// the time unit).
pub const COMPARISON_COLUMNS: [&str; 9] = [
    "Program",
    "Profit",
    "vs control",
    "95% interval low",
    "95% interval high",
    "Beats",
    "Cost",
    "Retention",
    "Payback",
];

/// The workbook's bytes. `reps`: the per-replication table, when known
/// (`loyalsim run`); without it there is no Replications sheet.
pub fn workbook(r: &Results, reps: Option<&Replications>) -> Result<Vec<u8>> {
    build(r, reps).map_err(|e| Error::other(format!("cannot write results.xlsx: {e}")))
}

fn build(r: &Results, reps: Option<&Replications>) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed date instead of "now": identical results, identical file.
    let date = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{}: loyalsim results", r.scenario))
            .set_creation_datetime(&date),
    );
    comparison_sheet(wb.add_worksheet(), r)?;
    summary_sheet(wb.add_worksheet(), r)?;
    periods_sheet(wb.add_worksheet(), r)?;
    if let Some(reps) = reps {
        replications_sheet(wb.add_worksheet(), reps)?;
    }
    wb.save_to_buffer()
}

/// An Excel number format showing amounts with the currency after them:
/// `#,##0 "EUR"` (`signed`: with a plus sign on gains).
pub fn money_format(currency: &str, signed: bool) -> String {
    // A quote or backslash would end the literal early: leave them out.
    let c: String = currency
        .chars()
        .filter(|ch| !matches!(ch, '"' | '\\'))
        .collect();
    let unit = if c.is_empty() {
        String::new()
    } else {
        format!(" \"{c}\"")
    };
    if signed {
        format!("+#,##0{unit};-#,##0{unit};0{unit}")
    } else {
        format!("#,##0{unit}")
    }
}

fn comparison_sheet(ws: &mut Worksheet, r: &Results) -> std::result::Result<(), XlsxError> {
    ws.set_name("Comparison")?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format(money_format(&r.currency, false));
    let signed = Format::new().set_num_format(money_format(&r.currency, true));
    let share0 = Format::new().set_num_format("0%");
    let share1 = Format::new().set_num_format("0.0%");
    // "General" shows 2 as 2 and 2.5 as 2.5 ("0.##" would show "2.").
    let units = Format::new().set_num_format("General");
    let right = Format::new().set_align(rust_xlsxwriter::FormatAlign::Right);
    for (c, title) in COMPARISON_COLUMNS.iter().enumerate() {
        let title = match *title {
            "Payback" => format!("Payback ({})", r.time_unit),
            t => t.to_string(),
        };
        ws.write_string_with_format(0, c as u16, title, &bold)?;
    }
    let rows = table::comparison(r);
    for (i, row) in rows.iter().enumerate() {
        let y = i as u32 + 1;
        let ComparisonRow {
            program,
            profit,
            versus,
            cost,
            retention,
        } = row;
        ws.write_string(y, 0, *program)?;
        ws.write_number_with_format(y, 1, *profit, &money)?;
        if let Some(v) = versus {
            ws.write_number_with_format(y, 2, v.extra_profit, &signed)?;
            ws.write_number_with_format(y, 3, v.ci95[0], &signed)?;
            ws.write_number_with_format(y, 4, v.ci95[1], &signed)?;
            ws.write_number_with_format(y, 5, v.beats, &share0)?;
        }
        ws.write_number_with_format(y, 6, *cost, &money)?;
        ws.write_number_with_format(y, 7, *retention, &share1)?;
        match versus.map(|v| v.payback) {
            Some(Some(t)) => {
                ws.write_number_with_format(y, 8, t, &units)?;
            }
            Some(None) => {
                ws.write_string_with_format(y, 8, "never", &right)?;
            }
            None => {}
        }
    }
    // Below the table: what it is and what the columns mean.
    let mut y = rows.len() as u32 + 2;
    ws.write_string(y, 0, table::title_line(r))?;
    y += 1;
    ws.write_string(
        y,
        0,
        format!(
            "Amounts in {}; the currency and number formats are cell formats, the values are unrounded.",
            if r.currency.is_empty() {
                "the scenario's currency"
            } else {
                &r.currency
            }
        ),
    )?;
    if r.programs.iter().any(|p| p.vs_baseline.is_some()) {
        for line in table::legend(r).lines() {
            y += 1;
            ws.write_string(y, 0, line)?;
        }
    }
    ws.set_column_width(0, 26)?;
    for c in 1..COMPARISON_COLUMNS.len() as u16 {
        ws.set_column_width(c, 16)?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

/// Write a header row in bold and freeze it.
fn header(ws: &mut Worksheet, names: &[&str]) -> std::result::Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (c, name) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, &bold)?;
        ws.set_column_width(c as u16, if *name == "metric" { 34 } else { 14 })?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn summary_sheet(ws: &mut Worksheet, r: &Results) -> std::result::Result<(), XlsxError> {
    ws.set_name("Summary")?;
    header(ws, &SUMMARY_COLUMNS)?;
    ws.set_column_width(0, 24)?;
    for (i, row) in tidy::summary_rows(r).iter().enumerate() {
        let y = i as u32 + 1;
        ws.write_string(y, 0, row.program)?;
        ws.write_string(y, 1, &row.stat.metric)?;
        ws.write_string(y, 2, &row.stat.statistic)?;
        ws.write_number(y, 3, row.stat.value)?;
    }
    Ok(())
}

fn periods_sheet(ws: &mut Worksheet, r: &Results) -> std::result::Result<(), XlsxError> {
    ws.set_name("Periods")?;
    header(ws, &PERIOD_COLUMNS)?;
    ws.set_column_width(0, 24)?;
    let rows = tidy::period_rows(r);
    if rows.len() > MAX_ROWS {
        return too_many(ws, rows.len(), "periods.csv");
    }
    for (i, row) in rows.iter().enumerate() {
        let y = i as u32 + 1;
        ws.write_string(y, 0, row.program)?;
        ws.write_number(y, 1, row.end)?;
        ws.write_string(y, 2, &row.stat.metric)?;
        ws.write_string(y, 3, &row.stat.statistic)?;
        ws.write_number(y, 4, row.stat.value)?;
    }
    Ok(())
}

fn replications_sheet(
    ws: &mut Worksheet,
    reps: &Replications,
) -> std::result::Result<(), XlsxError> {
    ws.set_name("Replications")?;
    header(ws, &REPLICATION_COLUMNS)?;
    ws.set_column_width(0, 24)?;
    let n: usize = reps.arms.iter().map(|a| a.totals.len()).sum::<usize>() * reps.metrics.len();
    if n > MAX_ROWS {
        return too_many(ws, n, "replications.csv");
    }
    for (i, (program, rep, metric, value)) in tidy::replication_rows(reps).enumerate() {
        let y = i as u32 + 1;
        ws.write_string(y, 0, program)?;
        ws.write_number(y, 1, rep as f64)?;
        ws.write_string(y, 2, metric)?;
        ws.write_number(y, 3, value)?;
    }
    Ok(())
}

/// In place of a table longer than a worksheet: where to find it.
fn too_many(ws: &mut Worksheet, rows: usize, file: &str) -> std::result::Result<(), XlsxError> {
    ws.write_string(
        1,
        0,
        format!(
            "{rows} rows, more than this workbook holds per sheet ({MAX_ROWS}): the table is in {file}"
        ),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::replications::ArmReplications;
    use calamine::{Data, Reader, Xlsx};

    fn empty_results() -> Results {
        Results {
            loyalsim_version: "0".into(),
            scenario: "s".into(),
            seed: 1,
            replications: 0,
            time_unit: "week".into(),
            horizon: 1.0,
            report_every: 1.0,
            currency: "EUR".into(),
            gross_margin: 0.5,
            ..Results::default()
        }
    }

    fn sheet(bytes: Vec<u8>, name: &str) -> Vec<Vec<Data>> {
        let mut wb = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range(name).unwrap();
        range.rows().map(|r| r.to_vec()).collect()
    }

    #[test]
    fn a_table_too_long_for_a_sheet_points_to_its_csv() {
        let reps = |n: usize| Replications {
            metrics: vec!["profit".into(); 10],
            arms: vec![ArmReplications {
                program: "baseline".into(),
                totals: vec![vec![1.0; 10]; n],
            }],
        };
        let fits = sheet(
            workbook(&empty_results(), Some(&reps(10_000))).unwrap(),
            "Replications",
        );
        assert_eq!(fits.len(), MAX_ROWS + 1);
        assert_eq!(fits[MAX_ROWS][3], Data::Float(1.0));
        let long = sheet(
            workbook(&empty_results(), Some(&reps(10_001))).unwrap(),
            "Replications",
        );
        assert_eq!(long.len(), 2);
        assert_eq!(
            long[1][0],
            Data::String(
                "100010 rows, more than this workbook holds per sheet (100000): the table is in replications.csv"
                    .into()
            )
        );
    }

    #[test]
    fn money_formats_carry_the_currency_and_drop_quotes() {
        assert_eq!(money_format("EUR", false), "#,##0 \"EUR\"");
        assert_eq!(money_format("€", true), "+#,##0 \"€\";-#,##0 \"€\";0 \"€\"");
        assert_eq!(money_format("a\"b\\", false), "#,##0 \"ab\"");
        assert_eq!(money_format("", false), "#,##0");
    }
}
