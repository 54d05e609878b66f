//! The files and the terminal summary of `loyalsim fit` (docs/fitting.md):
//! population.toml, cohort.csv, rfm.csv, fit.json, the fit chart
//! (fit.svg/fit.png) and report.html, each written atomically.

use std::fmt::Write as _;
use std::path::Path;

use super::charts::{self, fit_tracking::FitTracking};
use super::csv::{CsvText, number};
use super::fit_html::{self, FitPage, Holdout, Param};
use super::output::{ensure_dir, write_atomic};
use crate::error::{Error, Result};
use crate::fit::data::Summary;
use crate::fit::document::{self, FitDocument, FitPeriod};
use crate::fit::reader::date_of;
use crate::fit::{Estimates, Model, PeriodRow, Unit};
use crate::provenance::Provenance;
use crate::warnings::FitWarning;

/// What a fit found, as the files show it.
pub struct FitOutcome<'a> {
    pub model: Model,
    pub unit: Unit,
    /// The transaction file, as the user named it.
    pub input: &'a str,
    pub summary: &'a Summary,
    pub est: &'a Estimates,
    /// The Gamma-Gamma spend model, when it could be fitted.
    pub spend: Option<&'a Estimates>,
    /// The tracking table (calibration and holdout periods).
    pub rows: &'a [PeriodRow],
    /// Whether the transactions carry amounts.
    pub amounts: bool,
    /// The basket line of population.toml (see [`basket_toml`]).
    pub basket: &'a str,
    /// Rows skipped as unreadable.
    pub skipped: u64,
    pub warnings: &'a [FitWarning],
}

/// The model's name as people write it.
pub fn model_label(m: Model) -> &'static str {
    match m {
        Model::Bgnbd => "BG/NBD",
        Model::Pnbd => "Pareto/NBD",
    }
}

/// Round to 7 significant digits for the TOML file (the JSON keeps full precision).
fn sig(v: f64) -> f64 {
    format!("{v:.6e}").parse().unwrap_or(v)
}

/// A float as a TOML float literal, rounded to 7 significant digits.
fn toml_f64(v: f64) -> String {
    crate::scenario::toml_float(sig(v))
}

/// The basket line of population.toml and, when the spend model could not
/// be used, a warning saying what the basket is instead.
pub fn basket_toml(
    summary: &Summary,
    spend: Option<&Estimates>,
    amounts: bool,
) -> (String, Option<FitWarning>) {
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
    if amounts && let Some(m) = summary.mean_repeat_amount.or(summary.mean_amount) {
        let why = FitWarning::fixed_basket_reason(spend.is_some());
        return (
            format!(
                "# {why}: every purchase is worth the mean repeat transaction value.\nbasket = {{ fixed = {} }}",
                toml_f64(m)
            ),
            Some(FitWarning::FixedBasket {
                infinite_mean: spend.is_some(),
                mean: m,
            }),
        );
    }
    (
        "# No amount column: each purchase is worth 1, so revenue and profit count purchases.\n\
         basket = { fixed = 1.0 }"
            .into(),
        None,
    )
}

/// Write every file of the fit into `out` (created if missing).
pub fn write(out: &Path, f: &FitOutcome, provenance: Provenance) -> Result<()> {
    ensure_dir(out)?;
    write_atomic(out, "population.toml", f.population_toml().as_bytes())?;
    write_atomic(out, "cohort.csv", f.cohort_csv()?.as_bytes())?;
    write_atomic(out, "rfm.csv", f.rfm_csv()?.as_bytes())?;
    let mut doc = f.document();
    doc.format_version = Some(crate::provenance::FORMAT_VERSION);
    doc.provenance = Some(provenance);
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| Error::other(e.to_string()))?;
    text.push('\n');
    write_atomic(out, "fit.json", text.as_bytes())?;
    let origin = date_of(f.summary.origin_day);
    let s = f.summary;
    let chart = charts::render(&FitTracking {
        rows: f.rows,
        cal_end: (s.cal_end_day + 1 - s.origin_day) as f64 / s.unit_days,
        unit: f.unit.as_str(),
        model_label: model_label(f.model),
        origin: &origin,
    })?;
    write_atomic(out, "fit.svg", chart.svg.as_bytes())?;
    write_atomic(out, "fit.png", &chart.png)?;
    write_atomic(out, "report.html", f.page(chart.svg).as_bytes())
}

impl FitOutcome<'_> {
    fn population_toml(&self) -> String {
        let (s, est) = (self.summary, self.est);
        let unit = self.unit.as_str();
        let mut t = String::new();
        let _ = writeln!(
            t,
            "# Fitted by loyalsim {} `fit` from {}: {} with time unit {unit}, calibration {} to {},\n\
             # {} customers. Use it in a scenario with time_unit = \"{unit}\": copy this section into the\n\
             # scenario (or append the file) and keep cohort.csv next to the scenario file; the\n\
             # cohort sets the customers and their join times (see docs/fitting.md).",
            crate::VERSION,
            self.input,
            model_label(self.model),
            date_of(s.origin_day),
            date_of(s.cal_end_day),
            s.customers.len(),
        );
        t.push_str("[population]\ncohort = \"cohort.csv\"\n\n[[population.segment]]\nname = \"fitted\"\nshare = 1.0\n");
        let _ = writeln!(
            t,
            "purchase_rate = {{ gamma = {{ shape = {}, rate = {} }} }}",
            toml_f64(est.get("r")),
            toml_f64(est.get("alpha"))
        );
        let dropout = match self.model {
            Model::Bgnbd => format!(
                "bg = {{ a = {}, b = {} }}",
                toml_f64(est.get("a")),
                toml_f64(est.get("b"))
            ),
            Model::Pnbd => format!(
                "pareto = {{ shape = {}, rate = {} }}",
                toml_f64(est.get("s")),
                toml_f64(est.get("beta"))
            ),
        };
        let _ = writeln!(t, "dropout = {{ {dropout} }}");
        t.push_str(self.basket);
        t.push('\n');
        t
    }

    fn cohort_csv(&self) -> Result<String> {
        let s = self.summary;
        let mut order: Vec<usize> = (0..s.customers.len()).collect();
        order.sort_by_key(|&i| s.customers[i].first_day);
        let mut w = CsvText::new();
        w.record(["customer", "start"]);
        for i in order {
            let c = &s.customers[i];
            let start = (s.start(c) * 1e6).round() / 1e6;
            w.record([c.id.as_str(), &number(start)]);
        }
        w.finish()
    }

    /// `rfm.csv`: one row per calibration customer in the column names of the
    /// Python lifetimes and PyMC-Marketing packages: `customer_id`, `frequency`
    /// (repeat purchase days), `recency` (first to last purchase) and `T` (first
    /// purchase to the calibration end), in time units, and with amounts
    /// `monetary_value` (mean value of the repeat purchases, 0 without one).
    fn rfm_csv(&self) -> Result<String> {
        let s = self.summary;
        let amounts = self.amounts;
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

    /// fit.json (without format version and provenance).
    fn document(&self) -> FitDocument {
        let (s, spend) = (self.summary, self.spend);
        FitDocument {
            model: self.model.as_str().into(),
            time_unit: self.unit.as_str().into(),
            customers: s.customers.len(),
            calibration_end: date_of(s.cal_end_day),
            params: document::params(self.est),
            se: document::standard_errors(self.est),
            log_likelihood: self.est.log_likelihood,
            spend: spend.map(document::params),
            spend_se: spend.map(document::standard_errors),
            spend_log_likelihood: spend.map(|sp| sp.log_likelihood),
            spend_customers: spend.map(|_| s.spend().len()),
            loyalsim_version: crate::VERSION.into(),
            input: self.input.into(),
            first_date: date_of(s.origin_day),
            last_date: date_of(s.last_day),
            unit_days: s.unit_days,
            tracking_period_units: s.period_units,
            rows: s.rows,
            skipped_rows: self.skipped,
            transactions: s.transactions,
            repeat_transactions_calibration: s.repeat_transactions_cal,
            customers_excluded: s.excluded_customers,
            mean_amount: s.mean_amount,
            mean_repeat_amount: s.mean_repeat_amount,
            optimizer: document::optimizer(self.est),
            warnings: self.warnings.iter().map(ToString::to_string).collect(),
            periods: self.rows.iter().map(FitPeriod::from).collect(),
            format_version: None,
            provenance: None,
        }
    }

    /// The holdout periods' totals, when there is a holdout.
    fn holdout(&self) -> Option<Holdout> {
        let hold: Vec<&PeriodRow> = self.rows.iter().filter(|r| !r.calibration).collect();
        (!hold.is_empty()).then(|| Holdout {
            from: date_of(self.summary.cal_end_day + 1),
            to: date_of(self.summary.last_day),
            actual: hold.iter().map(|r| r.actual).sum(),
            expected: hold.iter().map(|r| r.expected).sum(),
        })
    }

    /// The fit's report.html around the chart's SVG.
    fn page(&self, chart_svg: String) -> String {
        let s = self.summary;
        let model = |label: &str, fitted_to: String, e: &Estimates| fit_html::Model {
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
        fit_html::render(&FitPage {
            input: self.input.to_string(),
            first_date: date_of(s.origin_day),
            calibration_end: date_of(s.cal_end_day),
            last_date: date_of(s.last_day),
            time_unit: self.unit.as_str().to_string(),
            customers: s.customers.len(),
            repeat_transactions: s.repeat_transactions_cal,
            model: model(
                model_label(self.model),
                format!("{} customers", s.customers.len()),
                self.est,
            ),
            spend: self.spend.map(|sp| {
                model(
                    "Spend (Gamma-Gamma)",
                    format!("{} customers with repeat purchases", s.spend().len()),
                    sp,
                )
            }),
            holdout: self.holdout(),
            chart_svg,
            warnings: self.warnings.iter().map(ToString::to_string).collect(),
            version: crate::VERSION.to_string(),
        })
    }

    /// The summary printed after a fit: the estimates with standard errors,
    /// the holdout check, and what was written.
    pub fn terminal_summary(&self, out: &Path) -> String {
        let s = self.summary;
        let mut o = String::new();
        let _ = writeln!(
            o,
            "{} fit to {}: {} customers, {} repeat transactions up to the calibration end ({} to {}), time unit {}",
            model_label(self.model),
            self.input,
            s.customers.len(),
            s.repeat_transactions_cal,
            date_of(s.origin_day),
            date_of(s.cal_end_day),
            self.unit.as_str()
        );
        estimates(&mut o, self.est);
        let _ = writeln!(o, "  log-likelihood {:.2}", self.est.log_likelihood);
        if let Some(sp) = self.spend {
            let _ = writeln!(
                o,
                "Spend (Gamma-Gamma, {} customers with repeat purchases):",
                s.spend().len()
            );
            estimates(&mut o, sp);
            let (p, q, g) = (sp.get("p"), sp.get("q"), sp.get("gamma"));
            if q > 1.0 {
                let _ = writeln!(o, "  mean transaction value {:.2}", p * g / (q - 1.0));
            }
        }
        if let Some(h) = self.holdout() {
            let change = if h.actual > 0 {
                (h.expected / h.actual as f64 - 1.0) * 100.0
            } else {
                0.0
            };
            let _ = writeln!(
                o,
                "Holdout ({} to {}): {} repeat transactions, model {:.0} ({change:+.1}%)",
                h.from, h.to, h.actual, h.expected
            );
        }
        let _ = writeln!(
            o,
            "Wrote {}: population.toml, cohort.csv, rfm.csv, fit.json, fit.svg, fit.png, report.html",
            out.display()
        );
        o
    }
}

/// One line per parameter: name, value and standard error.
fn estimates(o: &mut String, e: &Estimates) {
    for (i, n) in e.names.iter().enumerate() {
        let se = e.se[i].map_or("n/a".into(), |v| format!("{v:.4}"));
        let _ = writeln!(o, "  {n:<6} {:>10.4} ± {se}", e.values[i]);
    }
}
