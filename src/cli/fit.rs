//! `loyalsim fit` (docs/fitting.md): read a transaction log, fit BG/NBD or
//! Pareto/NBD (and Gamma-Gamma on the amounts), and write population.toml,
//! cohort.csv, rfm.csv, fit.json, the fit chart and report.html into `--out`. Every file is written
//! to a temporary name in the output folder and renamed when complete.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fit::data::Summary;
use crate::fit::document::{self, FitDocument, FitPeriod};
use crate::fit::reader::{ReadOptions, date_of, day_number, parse_date, read_transactions};
use crate::fit::{self, Estimates, Model, PeriodRow, Unit, chart};
use crate::provenance::Provenance;

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

/// Round to 7 significant digits for the TOML file (the JSON keeps full precision).
fn sig(v: f64) -> f64 {
    format!("{v:.6e}").parse().unwrap_or(v)
}

/// A float as a TOML float literal, rounded to 7 significant digits.
fn toml_f64(v: f64) -> String {
    crate::scenario::toml_float(sig(v))
}

fn model_label(m: Model) -> &'static str {
    match m {
        Model::Bgnbd => "BG/NBD",
        Model::Pnbd => "Pareto/NBD",
    }
}

/// Write `bytes` to `dir/name` via a temporary file and a rename.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    fs::write(&tmp, bytes)
        .map_err(|e| Error::other(format!("cannot write {}: {e}", tmp.display())))?;
    fs::rename(&tmp, dir.join(name))
        .map_err(|e| Error::other(format!("cannot write {}: {e}", dir.join(name).display())))
}

/// The basket line of population.toml and a note for the summary.
fn basket_toml(
    summary: &Summary,
    spend: Option<&Estimates>,
    amounts: bool,
) -> (String, Option<String>) {
    if let Some(e) = spend {
        let (p, q, g) = (e.get("p"), e.get("q"), e.get("gamma"));
        if q > 1.0 {
            return (
                format!(
                    "basket = {{ gamma_gamma = {{ p = {}, q = {}, gamma = {} }} }}",
                    toml_f64(p),
                    toml_f64(q),
                    toml_f64(g)
                ),
                None,
            );
        }
    }
    if amounts {
        if let Some(m) = summary.mean_repeat_amount.or(summary.mean_amount) {
            let why = if spend.is_some() {
                "the fitted Gamma-Gamma spend model has q <= 1 (no finite mean)"
            } else {
                "the Gamma-Gamma spend model could not be fitted"
            };
            return (
                format!(
                    "# {why}: every purchase is worth the mean repeat transaction value.\nbasket = {{ fixed = {} }}",
                    toml_f64(m)
                ),
                Some(format!(
                    "{why}; the basket is fixed at the mean value {:.2}",
                    m
                )),
            );
        }
    }
    (
        "# No amount column: each purchase is worth 1, so revenue and profit count purchases.\n\
         basket = { fixed = 1.0 }"
            .into(),
        None,
    )
}

fn population_toml(a: &FitArgs, s: &Summary, est: &Estimates, basket: &str, input: &str) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Fitted by loyalsim {} `fit` from {input}: {} with time unit {}, calibration {} to {},\n\
         # {} customers. Use it in a scenario with time_unit = \"{}\": copy this section into the\n\
         # scenario (or append the file) and keep cohort.csv next to the scenario file; the\n\
         # cohort sets the customers and their join times (see docs/fitting.md).",
        crate::VERSION,
        model_label(a.model),
        a.time_unit.as_str(),
        date_of(s.origin_day),
        date_of(s.cal_end_day),
        s.customers.len(),
        a.time_unit.as_str(),
    );
    t.push_str("[population]\ncohort = \"cohort.csv\"\n\n[[population.segment]]\nname = \"fitted\"\nshare = 1.0\n");
    let _ = writeln!(
        t,
        "purchase_rate = {{ gamma = {{ shape = {}, rate = {} }} }}",
        toml_f64(est.get("r")),
        toml_f64(est.get("alpha"))
    );
    match a.model {
        Model::Bgnbd => {
            let _ = writeln!(
                t,
                "dropout = {{ bg = {{ a = {}, b = {} }} }}",
                toml_f64(est.get("a")),
                toml_f64(est.get("b"))
            );
        }
        Model::Pnbd => {
            let _ = writeln!(
                t,
                "dropout = {{ pareto = {{ shape = {}, rate = {} }} }}",
                toml_f64(est.get("s")),
                toml_f64(est.get("beta"))
            );
        }
    }
    t.push_str(basket);
    t.push('\n');
    t
}

fn cohort_csv(s: &Summary) -> Result<String> {
    let mut order: Vec<usize> = (0..s.customers.len()).collect();
    order.sort_by_key(|&i| s.customers[i].first_day);
    let mut w = crate::report::csv::CsvText::new();
    w.record(["customer", "start"]);
    for i in order {
        let c = &s.customers[i];
        let start = (s.start(c) * 1e6).round() / 1e6;
        w.record([c.id.as_str(), &crate::report::csv::number(start)]);
    }
    w.finish()
}

/// `rfm.csv`: one row per calibration customer in the column names of the
/// Python lifetimes and PyMC-Marketing packages: `customer_id`, `frequency`
/// (repeat purchase days), `recency` (first to last purchase) and `T` (first
/// purchase to the calibration end), in time units, and with amounts
/// `monetary_value` (mean value of the repeat purchases, 0 without one).
fn rfm_csv(s: &Summary, amounts: bool) -> Result<String> {
    use crate::report::csv::{CsvText, number};
    let mut w = CsvText::new();
    let mut header = vec!["customer_id", "frequency", "recency", "T"];
    if amounts {
        header.push("monetary_value");
    }
    w.record(header);
    for c in &s.customers {
        let mut row = vec![
            c.id.clone(),
            c.x.to_string(),
            number(c.t_x_days as f64 / s.unit_days),
            number(c.t_days as f64 / s.unit_days),
        ];
        if amounts {
            row.push(number(c.repeat_amount.unwrap_or(0.0)));
        }
        w.record(row);
    }
    w.finish()
}

#[allow(clippy::too_many_arguments)]
fn fit_json(
    a: &FitArgs,
    input: &str,
    s: &Summary,
    est: &Estimates,
    spend: Option<&Estimates>,
    rows: &[PeriodRow],
    skipped: u64,
    warnings: &[String],
) -> FitDocument {
    FitDocument {
        model: a.model.as_str().into(),
        time_unit: a.time_unit.as_str().into(),
        customers: s.customers.len(),
        calibration_end: date_of(s.cal_end_day),
        params: document::params(est),
        se: document::standard_errors(est),
        log_likelihood: est.log_likelihood,
        spend: spend.map(document::params),
        spend_se: spend.map(document::standard_errors),
        spend_log_likelihood: spend.map(|sp| sp.log_likelihood),
        spend_customers: spend.map(|_| s.spend().len()),
        loyalsim_version: crate::VERSION.into(),
        input: input.into(),
        first_date: date_of(s.origin_day),
        last_date: date_of(s.last_day),
        unit_days: s.unit_days,
        tracking_period_units: s.period_units,
        rows: s.rows,
        skipped_rows: skipped,
        transactions: s.transactions,
        repeat_transactions_calibration: s.repeat_transactions_cal,
        customers_excluded: s.excluded_customers,
        mean_amount: s.mean_amount,
        mean_repeat_amount: s.mean_repeat_amount,
        optimizer: document::optimizer(est),
        warnings: warnings.to_vec(),
        periods: rows.iter().map(FitPeriod::from).collect(),
        format_version: None,
        provenance: None,
    }
}

/// The fit's report.html (reads the fit chart just written to `out`).
#[allow(clippy::too_many_arguments)]
fn fit_report(
    a: &FitArgs,
    input: &str,
    s: &Summary,
    est: &Estimates,
    spend: Option<&Estimates>,
    rows: &[PeriodRow],
    warnings: &[String],
    out: &Path,
) -> String {
    use crate::report::fit_html::{self, FitPage, Holdout, Model as PageModel, Param};
    let model = |label: &str, fitted_to: String, e: &Estimates| PageModel {
        label: label.to_string(),
        fitted_to,
        params: e
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| Param {
                name: (*n).to_string(),
                value: e.values[i],
                se: e.se[i],
            })
            .collect(),
        log_likelihood: e.log_likelihood,
    };
    let hold: Vec<&PeriodRow> = rows.iter().filter(|r| !r.calibration).collect();
    let holdout = (!hold.is_empty()).then(|| Holdout {
        from: date_of(s.cal_end_day + 1),
        to: date_of(s.last_day),
        actual: hold.iter().map(|r| r.actual).sum(),
        expected: hold.iter().map(|r| r.expected).sum(),
    });
    fit_html::render(&FitPage {
        input: input.to_string(),
        first_date: date_of(s.origin_day),
        calibration_end: date_of(s.cal_end_day),
        last_date: date_of(s.last_day),
        time_unit: a.time_unit.as_str().to_string(),
        customers: s.customers.len(),
        repeat_transactions: s.repeat_transactions_cal,
        model: model(
            model_label(a.model),
            format!("{} customers", s.customers.len()),
            est,
        ),
        spend: spend.map(|sp| {
            model(
                "Spend (Gamma-Gamma)",
                format!("{} customers with repeat purchases", s.spend().len()),
                sp,
            )
        }),
        holdout,
        chart_svg: fs::read_to_string(out.join("fit.svg")).unwrap_or_default(),
        warnings: warnings.to_vec(),
        version: crate::VERSION.to_string(),
    })
}

fn fmt_se(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.4}"))
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
    if let Some(c) = cal_end {
        if c < first {
            return Err(Error::input(format!(
                "--calibration-end {} is before the first date in the file ({})",
                date_of(c),
                date_of(first)
            )));
        }
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
        warnings.push(format!(
            "--calibration-end is after the last date in the file ({}): customers look younger-lived than they are",
            date_of(last)
        ));
    }
    let spend = if report.amounts {
        match fit::fit_spend(&summary.spend()) {
            Ok(e) => {
                warnings.extend(e.warnings.iter().cloned());
                Some(e)
            }
            Err(e) => {
                warnings.push(format!("spend model: {e}"));
                None
            }
        }
    } else {
        None
    };
    let (basket, note) = basket_toml(&summary, spend.as_ref(), report.amounts);
    warnings.extend(note);
    let rows = fit::tracking(a.model, &est.values, &summary);

    // Outputs.
    let out = &a.out;
    fs::create_dir_all(out)
        .map_err(|e| Error::other(format!("cannot create {}: {e}", out.display())))?;
    write_atomic(
        out,
        "population.toml",
        population_toml(a, &summary, &est, &basket, &input).as_bytes(),
    )?;
    write_atomic(out, "cohort.csv", cohort_csv(&summary)?.as_bytes())?;
    write_atomic(
        out,
        "rfm.csv",
        rfm_csv(&summary, report.amounts)?.as_bytes(),
    )?;
    let mut doc = fit_json(
        a,
        &input,
        &summary,
        &est,
        spend.as_ref(),
        &rows,
        report.skipped,
        &warnings,
    );
    doc.format_version = Some(crate::provenance::FORMAT_VERSION);
    doc.provenance = Some(provenance);
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| Error::other(e.to_string()))?;
    text.push('\n');
    write_atomic(out, "fit.json", text.as_bytes())?;
    let (tmp_svg, tmp_png) = (out.join(".fit-tmp.svg"), out.join(".fit-tmp.png"));
    let origin = date_of(summary.origin_day);
    chart::write(
        &chart::ChartInput {
            rows: &rows,
            cal_end: (summary.cal_end_day + 1 - summary.origin_day) as f64 / summary.unit_days,
            unit: a.time_unit.as_str(),
            model_label: model_label(a.model),
            origin: &origin,
        },
        &tmp_svg,
        &tmp_png,
    )?;
    for (tmp, name) in [(tmp_svg, "fit.svg"), (tmp_png, "fit.png")] {
        fs::rename(&tmp, out.join(name))
            .map_err(|e| Error::other(format!("cannot write {name}: {e}")))?;
    }

    write_atomic(
        out,
        "report.html",
        fit_report(
            a,
            &input,
            &summary,
            &est,
            spend.as_ref(),
            &rows,
            &warnings,
            out,
        )
        .as_bytes(),
    )?;

    // Summary on stdout.
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} fit to {input}: {} customers, {} repeat transactions up to the calibration end ({} to {}), time unit {}",
        model_label(a.model),
        summary.customers.len(),
        summary.repeat_transactions_cal,
        date_of(summary.origin_day),
        date_of(summary.cal_end_day),
        a.time_unit.as_str()
    );
    for (i, n) in est.names.iter().enumerate() {
        let _ = writeln!(
            o,
            "  {n:<6} {:>10.4} ± {}",
            est.values[i],
            fmt_se(est.se[i])
        );
    }
    let _ = writeln!(o, "  log-likelihood {:.2}", est.log_likelihood);
    if let Some(sp) = &spend {
        let _ = writeln!(
            o,
            "Spend (Gamma-Gamma, {} customers with repeat purchases):",
            summary.spend().len()
        );
        for (i, n) in sp.names.iter().enumerate() {
            let _ = writeln!(o, "  {n:<6} {:>10.4} ± {}", sp.values[i], fmt_se(sp.se[i]));
        }
        let (p, q, g) = (sp.get("p"), sp.get("q"), sp.get("gamma"));
        if q > 1.0 {
            let _ = writeln!(o, "  mean transaction value {:.2}", p * g / (q - 1.0));
        }
    }
    let hold: Vec<&PeriodRow> = rows.iter().filter(|r| !r.calibration).collect();
    if !hold.is_empty() {
        let act: u64 = hold.iter().map(|r| r.actual).sum();
        let exp: f64 = hold.iter().map(|r| r.expected).sum();
        let _ = writeln!(
            o,
            "Holdout ({} to {}): {act} repeat transactions, model {exp:.0} ({:+.1}%)",
            date_of(summary.cal_end_day + 1),
            date_of(summary.last_day),
            if act > 0 {
                (exp / act as f64 - 1.0) * 100.0
            } else {
                0.0
            }
        );
    }
    let _ = writeln!(
        o,
        "Wrote {}: population.toml, cohort.csv, rfm.csv, fit.json, fit.svg, fit.png, report.html",
        out.display()
    );
    super::emit(&o)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}
