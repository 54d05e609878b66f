//! The comparison table printed on the terminal, readable at 100 columns.

use crate::report::figures::{CUSTOMERS, Figure, SEGMENTS, cell, heading};
use crate::report::format::{mean, percent, percent0, signed, thousands, units};
use crate::stats::Results;

/// One row of the comparison, in numbers: what the terminal table prints
/// and the spreadsheet's Comparison sheet holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow<'a> {
    pub program: &'a str,
    /// Mean profit over the horizon.
    pub profit: f64,
    /// Against the control; `None` on the control itself.
    pub versus: Option<Versus>,
    /// Mean program cost.
    pub cost: f64,
    /// Mean retention (0 to 1).
    pub retention: f64,
}

/// A program against the control.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Versus {
    /// Mean extra profit and its 95% interval.
    pub extra_profit: f64,
    pub ci95: [f64; 2],
    /// Share of replications in which the program earns more (0 to 1).
    pub beats: f64,
    /// Payback period end in time units; `None`: never.
    pub payback: Option<f64>,
    /// The same profit as the control in every replication.
    pub no_difference: bool,
}

/// The comparison's rows, in the document's program order.
pub fn comparison(r: &Results) -> Vec<ComparisonRow<'_>> {
    r.programs
        .iter()
        .map(|p| {
            let s = |m: &str| p.summary.get(m).map_or(f64::NAN, |s| s.mean);
            ComparisonRow {
                program: &p.name,
                profit: s("profit"),
                versus: p.vs_baseline.as_ref().map(|v| {
                    let d = v.metrics.get("profit");
                    Versus {
                        extra_profit: d.map_or(f64::NAN, |d| d.mean),
                        ci95: d.map_or([f64::NAN; 2], |d| d.ci95),
                        beats: v.p_better,
                        payback: v.payback_period,
                        no_difference: v.no_difference(),
                    }
                }),
                cost: s("program_cost"),
                retention: s("retention"),
            }
        })
        .collect()
}

/// The column titles of the comparison (the profit's carries the currency).
pub fn titles(r: &Results) -> [String; 8] {
    [
        "Program".to_string(),
        format!("Profit {}", r.currency),
        "vs control".to_string(),
        "95% interval".to_string(),
        "Beats".to_string(),
        "Cost".to_string(),
        "Retention".to_string(),
        "Payback".to_string(),
    ]
}

/// The line above the table: scenario, horizon, replications and seed.
pub fn title_line(r: &Results) -> String {
    format!(
        "{} — {} {}s, {} replications, seed {}",
        r.scenario,
        units(r.horizon),
        r.time_unit,
        r.replications,
        r.seed
    )
}

/// What the columns mean (printed under the table when programs are compared).
pub fn legend(r: &Results) -> String {
    format!(
        "vs control: extra profit against no program on the same customers (mean and 95% \
         interval).\nBeats: share of runs in which the program earns more. Cost: discounts, \
         rewards and\nfixed costs. Payback: first {} after which the extra profit stays at or \
         above zero.\n",
        r.time_unit
    )
}

/// The widest a table should be on a terminal.
const WIDTH: usize = 100;

/// Put `names` in the first column of the rows under the heading, shortened
/// (only as far as they stay distinct) so that the table stays within
/// [`WIDTH`] characters, down to 12 characters a name, and to 24 at most.
fn fit_names(rows: &mut [Vec<String>], names: &[&str]) {
    let cols = rows.first().map_or(0, Vec::len);
    let figures: usize = (1..cols)
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
                + 2
        })
        .sum();
    // Names too alike to tell apart in a short label get a longer one.
    let fits = |room: usize| {
        let short = crate::report::charts::palette::short_names(names, room);
        short
            .iter()
            .all(|n| n.chars().count() <= room)
            .then_some(short)
    };
    let room = WIDTH.saturating_sub(figures).clamp(12, 24);
    let short = (room..=24)
        .find_map(fits)
        .unwrap_or_else(|| crate::report::charts::palette::short_names(names, 24));
    for (row, name) in rows.iter_mut().skip(1).zip(short) {
        row[0] = name;
    }
}

/// The programs' names as table rows: long names shortened only as far as
/// they stay distinct.
fn row_names(r: &Results) -> Vec<String> {
    let names: Vec<&str> = r.programs.iter().map(|p| p.name.as_str()).collect();
    crate::report::charts::palette::short_names(&names, 24)
}

/// Render the comparison table (no trailing colour codes; plain text).
pub fn render(r: &Results) -> String {
    let mut rows: Vec<[String; 8]> = vec![titles(r)];
    let comparisons = comparison(r);
    for c in &comparisons {
        let (delta, ci, beats, payback) = match &c.versus {
            // Ties count half in `beats`: 50% would read as a coin toss.
            Some(v) if v.no_difference => (
                signed(v.extra_profit),
                "same in every run".into(),
                "-".into(),
                "-".into(),
            ),
            Some(v) => (
                signed(v.extra_profit),
                format!("{} to {}", signed(v.ci95[0]), signed(v.ci95[1])),
                percent0(v.beats),
                v.payback.map_or("never".to_string(), |t| {
                    format!("{} {}", r.time_unit, units(t))
                }),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        rows.push([
            String::new(),
            thousands(c.profit),
            delta,
            ci,
            beats,
            thousands(c.cost),
            percent(c.retention),
            payback,
        ]);
    }
    let mut rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    let names: Vec<&str> = comparisons.iter().map(|c| c.program).collect();
    fit_names(&mut rows, &names);
    let mut out = format!("{}\n\n", title_line(r));
    out.push_str(&grid(&rows, &[]));
    out.push_str(
        "Retention: of the customers there at the start, the share still customers at the end.\n",
    );
    // The decision first (legend and verdicts), then the customers behind it.
    if r.programs.iter().any(|p| p.vs_baseline.is_some()) {
        out.push('\n');
        out.push_str(&legend(r));
        out.push_str(&verdicts(r, &comparisons));
    }
    let behind = customers(r) + segments(r).as_str();
    if !behind.is_empty() {
        out.push('\n');
        out.push_str(&behind);
    }
    out
}

/// Rows aligned in columns (the first left, the others right), a rule
/// under the first; `groups` are rows printed as a heading across the columns.
fn grid(rows: &[Vec<String>], groups: &[usize]) -> String {
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .enumerate()
                .filter(|(i, _)| !groups.contains(i))
                .map(|(_, row)| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        if groups.contains(&i) {
            out.push_str(row[0].trim_end());
            out.push('\n');
            continue;
        }
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = widths[c].saturating_sub(cell.chars().count());
                if c == 0 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

/// The customers block: where customers came from, how often they come
/// back, how concentrated the revenue is and how many are regulars and
/// ambassadors (means over runs). Empty for documents without these metrics.
pub fn customers(r: &Results) -> String {
    if r.programs.iter().all(|p| !p.summary.contains_key("buyers")) {
        return String::new();
    }
    let shown: Vec<(&Figure, &str)> = CUSTOMERS
        .iter()
        .filter_map(|f| f.table.map(|h| (f, h)))
        .collect();
    let mut rows = vec![
        std::iter::once("Customers".to_string())
            .chain(shown.iter().map(|(_, h)| h.to_string()))
            .collect::<Vec<_>>(),
    ];
    for p in &r.programs {
        let m = |k: &str| mean(p, k);
        rows.push(
            std::iter::once(String::new())
                .chain(shown.iter().map(|(f, _)| cell(f, &m, &|_| None, "-")))
                .collect(),
        );
    }
    let names: Vec<&str> = r.programs.iter().map(|p| p.name.as_str()).collect();
    fit_names(&mut rows, &names);
    let mut out = grid(&rows, &[]);
    out.push_str(&wrap(
        "New: customers won during the horizon; Referred: those of them who came through a \
         recommendation. Buys/buyer: purchases per customer who bought; Bought again: share of \
         buyers who bought twice or more. Top 20%: share of revenue from the 20% of buyers who \
         spent most. Regulars: customers at the end who bought 3 times or more in the last year. \
         Ambassadors: customers at the end who brought a new customer through a recommendation.",
        WIDTH,
        "",
    ));
    out.push('\n');
    out
}

/// Per segment, when there is more than one: customers, purchases,
/// revenue, the program's cost they caused, profit and, for programs, the
/// profit against the control on the same customers.
pub fn segments(r: &Results) -> String {
    let count = r.programs.first().map_or(0, |p| p.segments.len());
    if count < 2 {
        return String::new();
    }
    let cur = format!(" {}", r.currency);
    let shown: Vec<(&Figure, &str)> = SEGMENTS
        .iter()
        .filter_map(|f| f.table.map(|h| (f, h)))
        .collect();
    let mut rows = vec![
        std::iter::once("By segment".to_string())
            .chain(shown.iter().map(|(_, h)| heading(h, &cur)))
            .collect::<Vec<_>>(),
    ];
    let mut groups = Vec::new();
    let names = row_names(r);
    for (p, name) in r.programs.iter().zip(names) {
        groups.push(rows.len());
        rows.push(vec![name]);
        rows.last_mut()
            .unwrap()
            .resize(shown.len() + 1, String::new());
        for s in &p.segments {
            let m = |k: &str| s.mean(k);
            let vs = |k: &str| s.extra(k);
            rows.push(
                std::iter::once(format!("  {}", s.name))
                    .chain(shown.iter().map(|(f, _)| cell(f, &m, &vs, "-")))
                    .collect(),
            );
        }
    }
    let mut out = grid(&rows, &groups);
    out.push_str(
        "Cost: discounts, rewards and per-member costs of the segment's customers; Profit is \
         before the\nsetup and running costs, which belong to no segment.\n",
    );
    out
}

/// Each program's verdict, what we do not know about customers included
/// (one paragraph per program, wrapped at 100 columns).
fn verdicts(r: &Results, rows: &[ComparisonRow<'_>]) -> String {
    let mut out = String::from("\nVerdicts (chance and the uncertain assumptions together):\n");
    for (p, row) in r.programs.iter().zip(rows) {
        if let Some(w) = crate::report::verdict::in_words(r, p) {
            out.push_str("  ");
            out.push_str(&wrap(&format!("{}: {w}", row.program), 98, "      "));
        }
    }
    if let Some(note) = crate::report::verdict::too_few(r) {
        out.push('\n');
        out.push_str(&wrap(&format!("Note: {note}"), 100, ""));
    }
    out
}

/// Wrap `text` at `width` columns; continuation lines start with `indent`.
fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut words = 0;
    for word in text.split_whitespace() {
        if words > 0 && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
            words = 0;
        }
        if words > 0 {
            line.push(' ');
        }
        line.push_str(word);
        words += 1;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_words_whole_and_indents_continuations() {
        assert_eq!(wrap("aa bb cc", 5, "  "), "aa bb\n  cc\n");
        assert_eq!(wrap("aa bb cc", 80, ""), "aa bb cc\n");
        assert_eq!(wrap("averylongword x", 4, ""), "averylongword\nx\n");
    }
}
