//! The report's "Customers" section: where customers came from, how often
//! they come back, how concentrated the revenue is, how many are regulars
//! and ambassadors and, with more than one segment, how each segment fares
//! (the figures of [`crate::report::figures`]).

use crate::report::charts::palette::{Palette, display_name};
use crate::report::charts::style::hex;
use crate::report::figures::{CUSTOMERS, Figure, SEGMENTS, cell, heading};
use crate::report::format::mean;
use crate::report::html::escape;
use crate::stats::Results;
use crate::stats::results::ProgramResult;
use std::fmt::Write;

fn name_cell(p: &ProgramResult, palette: &Palette) -> String {
    format!(
        "<td><span class=\"swatch\" style=\"--c:{}\"></span>{}</td>",
        hex(palette.colour(&p.name)),
        escape(&display_name(&p.name))
    )
}

/// The header row of a table: the first headings, then the figures'.
fn header(first: &[&str], figures: &[Figure], cur: &str) -> String {
    let mut h = String::from("<thead><tr>");
    for f in first {
        let _ = write!(h, "<th>{f}</th>");
    }
    for f in figures {
        let _ = write!(h, "<th>{}", heading(f.report, cur));
        if let Some(sub) = f.sub {
            let _ = write!(h, "<span class=\"sub\">{sub}</span>");
        }
        h.push_str("</th>");
    }
    h.push_str("</tr></thead>");
    h
}

/// Append the section (nothing for documents without these metrics).
pub fn section(h: &mut String, r: &Results, palette: &Palette) {
    if r.programs.iter().all(|p| !p.summary.contains_key("buyers")) {
        return;
    }
    let _ = writeln!(h, "<h2 id=\"customers\">Customers</h2>");
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\"><table>\n{}\n<tbody>",
        header(&["Program"], &CUSTOMERS, "")
    );
    for p in &r.programs {
        let m = |k: &str| mean(p, k);
        let _ = write!(h, "<tr>{}", name_cell(p, palette));
        for f in &CUSTOMERS {
            let _ = write!(h, "<td>{}</td>", cell(f, &m, &|_| None, "–"));
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody></table></div>");
    let _ = writeln!(
        h,
        "<p class=\"note\">Means over the runs. Referred: new customers who came through a \
         recommendation. Bought again: buyers with two purchases or more; within a period: of \
         the customers whose first purchase left at least one report period before the end, the \
         share who bought again within one period of it. Top 20%: the share of revenue brought \
         by the fifth of buyers who spent most (20% would mean everyone spends alike). Regulars: \
         customers still with the shop at the end who bought at least three times in the last \
         year. Ambassadors: customers still with the shop at the end who have brought a new \
         customer through a recommendation. Retention: of the customers there at the start, the \
         share still customers at the end (they have not drifted away for good).</p>"
    );
    segments(h, r, palette);
}

/// Per segment, with more than one.
fn segments(h: &mut String, r: &Results, palette: &Palette) {
    if r.programs.first().map_or(0, |p| p.segments.len()) < 2 {
        return;
    }
    let cur = escape(r.currency.trim());
    let cur_sp = if cur.is_empty() {
        String::new()
    } else {
        format!(" ({cur})")
    };
    let _ = writeln!(h, "<h3>By segment</h3>");
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\"><table>\n{}\n<tbody>",
        header(&["Program", "Segment"], &SEGMENTS, &cur_sp)
    );
    for p in &r.programs {
        for s in &p.segments {
            let m = |k: &str| s.mean(k);
            let vs = |k: &str| s.extra(k);
            let _ = write!(
                h,
                "<tr>{}<td>{}</td>",
                name_cell(p, palette),
                escape(&s.name)
            );
            for f in &SEGMENTS {
                let _ = write!(h, "<td>{}</td>", cell(f, &m, &vs, "–"));
            }
            let _ = writeln!(h, "</tr>");
        }
    }
    let _ = writeln!(h, "</tbody></table></div>");
    let _ = writeln!(
        h,
        "<p class=\"note\">A segment's program cost is what its customers received (discounts, \
         rewards) and the per-member costs of those who joined; the setup cost and the running \
         costs per time unit belong to no segment, so the segments' profits add up to the total \
         profit plus those costs.</p>"
    );
}
