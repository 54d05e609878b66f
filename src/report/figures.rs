//! The figures of the customer answers, one list for the terminal table's
//! blocks ([`crate::report::table`]) and the report's Customers section
//! ([`crate::report::answers_html`]): each column's metric, its headings and
//! how its value is written. Adding a figure to both is one entry here.

use crate::report::format::{one_decimal, percent, signed, thousands};

/// How a figure's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// A whole number with thousands separators.
    Count,
    OneDecimal,
    Percent,
    /// A difference, with its sign.
    Signed,
}

impl Shown {
    pub fn write(self, x: f64) -> String {
        match self {
            Shown::Count => thousands(x),
            Shown::OneDecimal => one_decimal(x),
            Shown::Percent => percent(x),
            Shown::Signed => signed(x),
        }
    }
}

/// One column. In the headings `{cur}` stands for the currency (the
/// terminal writes ` EUR`, the report ` (EUR)`, nothing without one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// The metric's name in the results document.
    pub metric: &'static str,
    /// The program's difference from the control rather than its value.
    pub vs_control: bool,
    /// Heading in the terminal table (`None`: the report only).
    pub table: Option<&'static str>,
    /// Heading in the report, and the line under it.
    pub report: &'static str,
    pub sub: Option<&'static str>,
    pub shown: Shown,
}

const fn fig(
    metric: &'static str,
    table: Option<&'static str>,
    report: &'static str,
    sub: Option<&'static str>,
    shown: Shown,
) -> Figure {
    Figure {
        metric,
        vs_control: false,
        table,
        report,
        sub,
        shown,
    }
}

/// The Customers block, per program (means over runs).
pub const CUSTOMERS: [Figure; 10] = [
    fig(
        "customers_acquired",
        Some("New"),
        "New customers",
        Some("won during the horizon"),
        Shown::Count,
    ),
    fig(
        "customers_referred",
        Some("Referred"),
        "Referred",
        Some("of the new ones"),
        Shown::Count,
    ),
    fig(
        "buyers",
        Some("Buyers"),
        "Buyers",
        Some("bought at least once"),
        Shown::Count,
    ),
    fig(
        "purchases_per_buyer",
        Some("Buys/buyer"),
        "Purchases per buyer",
        None,
        Shown::OneDecimal,
    ),
    fig(
        "repeat_buyer_share",
        Some("Bought again"),
        "Bought again",
        Some("share of buyers"),
        Shown::Percent,
    ),
    fig(
        "bought_again_within_period",
        None,
        "Again within a period",
        Some("of the first purchase"),
        Shown::Percent,
    ),
    fig(
        "top20_revenue_share",
        Some("Top 20%"),
        "Top 20% of buyers",
        Some("share of revenue"),
        Shown::Percent,
    ),
    fig(
        "one_time_buyers_end",
        None,
        "One-time buyers",
        Some("at the end"),
        Shown::Count,
    ),
    fig(
        "regulars_end",
        Some("Regulars"),
        "Regulars",
        Some("at the end"),
        Shown::Count,
    ),
    fig(
        "ambassadors_end",
        Some("Ambassadors"),
        "Ambassadors",
        Some("at the end"),
        Shown::Count,
    ),
];

/// The block by segment, per program and segment (means over runs).
pub const SEGMENTS: [Figure; 8] = [
    fig(
        "customers",
        Some("Customers"),
        "Customers",
        None,
        Shown::Count,
    ),
    fig(
        "purchases_per_buyer",
        Some("Buys/buyer"),
        "Purchases per buyer",
        None,
        Shown::OneDecimal,
    ),
    fig(
        "revenue_gross",
        Some("Revenue{cur}"),
        "Revenue{cur}",
        None,
        Shown::Count,
    ),
    fig(
        "program_cost",
        Some("Cost"),
        "Program cost{cur}",
        Some("caused by the segment"),
        Shown::Count,
    ),
    fig(
        "profit",
        Some("Profit"),
        "Profit{cur}",
        Some("before setup and running costs"),
        Shown::Count,
    ),
    Figure {
        metric: "profit",
        vs_control: true,
        table: Some("vs control"),
        report: "Extra profit",
        sub: Some("against no program"),
        shown: Shown::Signed,
    },
    fig(
        "retention",
        Some("Retention"),
        "Retention",
        None,
        Shown::Percent,
    ),
    // The report only: in the terminal the bundled example's segment
    // block would be 101 columns wide.
    fig(
        "ambassadors_end",
        None,
        "Ambassadors",
        Some("at the end"),
        Shown::Count,
    ),
];

/// A heading with `{cur}` replaced by `cur`.
pub fn heading(h: &str, cur: &str) -> String {
    h.replace("{cur}", cur)
}

/// A figure's value from a summary (`mean` of the metric) and the
/// program's differences from the control (`vs`, `None` on the control),
/// written; `none` where there is no difference.
pub fn cell(
    f: &Figure,
    summary: &impl Fn(&str) -> f64,
    vs: &impl Fn(&str) -> Option<f64>,
    none: &str,
) -> String {
    if f.vs_control {
        vs(f.metric).map_or(none.to_string(), |x| f.shown.write(x))
    } else {
        f.shown.write(summary(f.metric))
    }
}
