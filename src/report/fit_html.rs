//! report.html for `loyalsim fit`: one self-contained page (the CSS of the
//! simulation report, the fit chart inlined, nothing fetched) with the
//! estimates and their standard errors, the log-likelihood, the holdout
//! comparison, and how to use population.toml.

use super::html::{escape, inline_svg, page_start};
use std::fmt::Write as _;

/// One estimated parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub value: f64,
    /// `None` where the standard error could not be computed.
    pub se: Option<f64>,
}

/// A fitted model (the purchase model, or Gamma-Gamma on the amounts).
#[derive(Debug, Clone)]
pub struct Model {
    pub label: String,
    /// Who it was fitted to (for example "2,357 customers").
    pub fitted_to: String,
    pub params: Vec<Param>,
    pub log_likelihood: f64,
}

/// Repeat transactions in the holdout period, actual against the model.
#[derive(Debug, Clone)]
pub struct Holdout {
    pub from: String,
    pub to: String,
    pub actual: u64,
    pub expected: f64,
}

/// Everything on the page.
#[derive(Debug, Clone)]
pub struct FitPage {
    pub input: String,
    pub first_date: String,
    pub calibration_end: String,
    pub last_date: String,
    pub time_unit: String,
    pub customers: usize,
    pub repeat_transactions: u64,
    pub model: Model,
    pub spend: Option<Model>,
    pub holdout: Option<Holdout>,
    /// The fit chart as an SVG document (empty: no chart).
    pub chart_svg: String,
    pub warnings: Vec<String>,
    pub version: String,
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.4}")
    } else {
        "n/a".into()
    }
}

fn model_table(h: &mut String, m: &Model) {
    let _ = writeln!(
        h,
        "<h3>{} <span class=\"sub\">({})</span></h3>\n<div class=\"table-wrap\"><table>\n\
         <tr><th>Parameter</th><th>Estimate</th><th>Standard error</th></tr>",
        escape(&m.label),
        escape(&m.fitted_to)
    );
    for p in &m.params {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>± {}</td></tr>",
            escape(&p.name),
            num(p.value),
            p.se.map_or("n/a".into(), num)
        );
    }
    let _ = writeln!(
        h,
        "<tr><td>Log-likelihood</td><td>{:.2}</td><td></td></tr>\n</table></div>",
        m.log_likelihood
    );
}

/// Render the page.
pub fn render(p: &FitPage) -> String {
    let mut h = String::with_capacity(32 * 1024 + p.chart_svg.len());
    let title = format!("{} fit to {}", p.model.label, p.input);
    page_start(&mut h, &escape(&title), "fit", "");
    let _ = writeln!(h, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        h,
        "<p class=\"lead\">How often customers buy and when they stop, estimated from the \
         transaction log, ready to simulate loyalty programs on these customers.</p>"
    );
    let _ = writeln!(h, "<div class=\"card\"><dl class=\"facts\">");
    for (k, v) in [
        ("Customers", p.customers.to_string()),
        ("Repeat transactions", p.repeat_transactions.to_string()),
        ("First purchase", p.first_date.clone()),
        ("Calibration end", p.calibration_end.clone()),
        ("Last date", p.last_date.clone()),
        ("Time unit", p.time_unit.clone()),
    ] {
        let _ = writeln!(
            h,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            escape(k),
            escape(&v)
        );
    }
    let _ = writeln!(h, "</dl></div>");

    let _ = writeln!(h, "<h2>Estimates</h2>");
    let _ = writeln!(
        h,
        "<p class=\"reference\">Maximum-likelihood estimates with standard errors (from the \
         curvature of the likelihood). Rates are per {}.</p>",
        escape(&p.time_unit)
    );
    model_table(&mut h, &p.model);
    if let Some(s) = &p.spend {
        model_table(&mut h, s);
    }

    let _ = writeln!(h, "<h2>Holdout check</h2>");
    match &p.holdout {
        Some(ho) => {
            let diff = if ho.actual > 0 {
                format!(" ({:+.1}%)", (ho.expected / ho.actual as f64 - 1.0) * 100.0)
            } else {
                String::new()
            };
            let _ = writeln!(
                h,
                "<div class=\"table-wrap\"><table>\n<tr><th>Period</th><th>Actual repeat \
                 transactions</th><th>Model</th></tr>\n<tr><td>{} to {}</td><td>{}</td>\
                 <td>{:.0}{}</td></tr>\n</table></div>\n<p class=\"note\">The model was fitted \
                 on the data up to the calibration end only; the holdout shows how well it \
                 predicts purchases it has not seen.</p>",
                escape(&ho.from),
                escape(&ho.to),
                ho.actual,
                ho.expected,
                escape(&diff)
            );
        }
        None => {
            let _ = writeln!(
                h,
                "<p class=\"note\">No holdout period: every transaction was used for the fit. \
                 Pass an earlier <code>--calibration-end</code> to check the model on \
                 purchases it has not seen.</p>"
            );
        }
    }
    if !p.chart_svg.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Chart</h2>\n<figure id=\"fit\">\n{}\n<figcaption>Repeat transactions per period \
             and added up, actual against the model, over the calibration period and the \
             holdout. <a href=\"fit.png\">PNG</a> · <a href=\"fit.svg\">SVG</a></figcaption>\n\
             </figure>",
            inline_svg(&p.chart_svg, &title)
        );
    }
    if !p.warnings.is_empty() {
        let _ = writeln!(h, "<h2>Warnings</h2>\n<ul>");
        for w in &p.warnings {
            let _ = writeln!(h, "<li>{}</li>", escape(w));
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(
        h,
        "<h2>How to use population.toml</h2>\n<div class=\"card\">\n<p>population.toml holds a \
         <code>[population]</code> section with one segment drawn from these estimates. Copy it \
         into a scenario in place of the scenario's own <code>[population]</code> (or append the \
         file), set <code>time_unit = \"{unit}\"</code> in <code>[simulation]</code>, and keep \
         cohort.csv next to the scenario file: the cohort sets the customers and the times they \
         joined. Then <code>loyalsim run scenario.toml --out DIR</code> compares programs on the \
         customers the business really has.</p>\n<p>See docs/fitting.md for the walk-through \
         from a till export to a program decision.</p>\n</div>",
        unit = escape(&p.time_unit)
    );
    let _ = writeln!(
        h,
        "<footer>Made with loyalsim {}. Estimates are only as good as the transaction log: \
         check the holdout before relying on them.</footer>\n</main>\n</body>\n</html>",
        escape(&p.version)
    );
    h
}
