//! `loyalsim fit` (docs/fitting.md): read a transaction log, fit BG/NBD or
//! Pareto/NBD (and Gamma-Gamma on the amounts), and write population.toml,
//! cohort.csv, rfm.csv, fit.json, the fit chart and report.html into `--out`
//! (the files are made in `report::fit`).

use std::fs;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::fit::reader::{ReadOptions, date_of, day_number, parse_date, read_transactions};
use crate::fit::{self, Model, Unit};
use crate::provenance::Provenance;
use crate::report::fit::{FitOutcome, basket_toml};
use crate::warnings::{FitWarning, Warning};

#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// The transaction log (CSV with a header line, one row per transaction).
    pub transactions: PathBuf,
    /// Column with the customer id.
    #[arg(long, default_value = "customer")]
    pub customer: String,
    /// Column with the transaction date.
    #[arg(long, default_value = "date")]
    pub date: String,
    /// Column with the transaction value (default: `amount` when present).
    #[arg(long)]
    pub amount: Option<String>,
    /// Date layout in chrono/strftime notation, e.g. %d/%m/%Y (default: ISO 8601, YYYY-MM-DD).
    #[arg(long)]
    pub date_format: Option<String>,
    /// Time unit of the fitted rates (a month is 365.25/12 days).
    #[arg(long, value_enum, default_value_t = Unit::Week)]
    pub time_unit: Unit,
    /// Last day of the calibration period, inclusive (default: the last date in the file).
    /// Later transactions are the holdout the chart compares against.
    #[arg(long)]
    pub calibration_end: Option<String>,
    /// The customer-base model.
    #[arg(long, value_enum, default_value_t = Model::Bgnbd)]
    pub model: Model,
    /// Skip rows with an unreadable date or amount (counted and reported) instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
    /// The character between fields: ',' (default), ';', '|', or tab.
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// Amounts use a decimal comma: 12,50 and 1.234,50.
    #[arg(long)]
    pub decimal_comma: bool,
    /// Folder for population.toml, cohort.csv, rfm.csv, fit.json, fit.svg, fit.png and report.html.
    #[arg(long)]
    pub out: PathBuf,
}

fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    crate::fit::reader::parse_delimiter(s)
}

/// fit.json's provenance: the transaction file's SHA-256 and the command
/// that fits it again the same way.
fn provenance(a: &FitArgs, sha256: String) -> Provenance {
    let q = crate::provenance::shell_quote;
    let path = a.transactions.display().to_string();
    let mut c = format!(
        "loyalsim fit {} --customer {} --date {}",
        q(&path),
        q(&a.customer),
        q(&a.date)
    );
    if let Some(x) = &a.amount {
        c.push_str(&format!(" --amount {}", q(x)));
    }
    if let Some(x) = &a.date_format {
        c.push_str(&format!(" --date-format {}", q(x)));
    }
    c.push_str(&format!(
        " --time-unit {} --model {}",
        a.time_unit.as_str(),
        a.model.as_str()
    ));
    if let Some(x) = &a.calibration_end {
        c.push_str(&format!(" --calibration-end {}", q(x)));
    }
    if a.skip_invalid {
        c.push_str(" --skip-invalid");
    }
    c.push_str(&format!(" --out {}", q(&a.out.display().to_string())));
    Provenance {
        format_version: crate::provenance::FORMAT_VERSION,
        loyalsim_version: crate::VERSION.to_string(),
        command: c,
        scenario_file: None,
        scenario_sha256: None,
        scenario_text: None,
        files: vec![crate::provenance::FileDigest {
            role: "transactions".into(),
            path,
            sha256,
        }],
        set: vec![],
        seed: None,
        replications: None,
    }
}

pub fn run(a: &FitArgs) -> Result<()> {
    let path = &a.transactions;
    let input = path.display().to_string();
    let cal_end = match &a.calibration_end {
        None => None,
        Some(s) => Some(
            parse_date(s, None)
                .or_else(|| {
                    a.date_format
                        .as_deref()
                        .and_then(|f| parse_date(s, Some(f)))
                })
                .map(day_number)
                .ok_or_else(|| {
                    Error::input(format!(
                        "--calibration-end: cannot read the date \"{s}\" (expected YYYY-MM-DD)"
                    ))
                })?,
        ),
    };
    let len = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    // Capped on the line length (a /dev/zero fails at once) and the size.
    let file = crate::input::open_capped(path, crate::input::TRANSACTIONS)
        .map_err(|e| Error::input(format!("{input}: cannot open the file: {e}")))?;
    // Hashed as it is read, for fit.json's provenance.
    let mut file = crate::provenance::Hashing::new(file);
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("reading {bar:40} {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let opts = ReadOptions {
        customer: a.customer.clone(),
        date: a.date.clone(),
        amount: a.amount.clone().unwrap_or_else(|| "amount".into()),
        amount_required: a.amount.is_some(),
        date_format: a.date_format.clone(),
        skip_invalid: a.skip_invalid,
        cal_end,
        delimiter: a.delimiter,
        decimal_comma: a.decimal_comma,
    };
    let read = read_transactions(
        std::io::BufReader::with_capacity(1 << 16, &mut file),
        &input,
        &opts,
        |b| bar.set_position(b),
    );
    bar.finish_and_clear();
    let (acc, report) = read?;
    let provenance = provenance(a, file.hex());
    if report.skipped > 0 {
        eprintln!("skipped {} invalid row(s), for example:", report.skipped);
        for m in &report.skipped_examples {
            eprintln!("  {m}");
        }
    }
    let (first, last) = acc
        .day_range()
        .ok_or_else(|| Error::input(format!("{input}: no transactions")))?;
    if let Some(c) = cal_end
        && c < first
    {
        return Err(Error::input(format!(
            "--calibration-end {} is before the first date in the file ({})",
            date_of(c),
            date_of(first)
        )));
    }
    let summary = acc.summarize(a.time_unit.days());
    if summary.period_units > 1.0 {
        eprintln!(
            "note: the dates span {} to {}; the tracking table and chart group them by {} {}s",
            date_of(summary.origin_day),
            date_of(summary.last_day),
            summary.period_units,
            a.time_unit.as_str()
        );
    }
    let rfm = summary.rfm();
    let est = fit::fit_model(a.model, &rfm)?;
    let mut warnings = est.warnings.clone();
    if cal_end.is_some_and(|c| c > last) {
        warnings.push(FitWarning::CalibrationAfterData {
            last: date_of(last),
        });
    }
    let spend = if report.amounts {
        match fit::fit_spend(&summary.spend()) {
            Ok(e) => {
                warnings.extend(e.warnings.iter().cloned());
                Some(e)
            }
            Err(e) => {
                warnings.push(FitWarning::SpendNotFitted {
                    error: e.to_string(),
                });
                None
            }
        }
    } else {
        None
    };
    let (basket, note) = basket_toml(&summary, spend.as_ref(), report.amounts);
    warnings.extend(note);
    let rows = fit::tracking(a.model, &est.values, &summary);

    let outcome = FitOutcome {
        model: a.model,
        unit: a.time_unit,
        input: &input,
        summary: &summary,
        est: &est,
        spend: spend.as_ref(),
        rows: &rows,
        amounts: report.amounts,
        basket: &basket,
        skipped: report.skipped,
        warnings: &warnings,
    };
    crate::report::fit::write(&a.out, &outcome, provenance)?;
    super::emit(&outcome.terminal_summary(&a.out))?;
    for w in warnings {
        eprintln!("{}", Warning::Fit(w));
    }
    Ok(())
}
