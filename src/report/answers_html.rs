//! The report's "Customers" section: where customers came from, how often
//! they come back, how concentrated the revenue is, how many are regulars
//! and, with more than one segment, how each segment fares.

use crate::report::charts::palette::{Palette, display_name};
use crate::report::charts::style::hex;
use crate::report::format::{mean, one_decimal, percent, signed, thousands};
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

/// Append the section (nothing for documents without these metrics).
pub fn section(h: &mut String, r: &Results, palette: &Palette) {
    if r.programs.iter().all(|p| !p.summary.contains_key("buyers")) {
        return;
    }
    let _ = writeln!(h, "<h2 id=\"customers\">Customers</h2>");
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\"><table>\n<thead><tr><th>Program</th>\
         <th>New customers<span class=\"sub\">won during the horizon</span></th>\
         <th>Referred<span class=\"sub\">of the new ones</span></th>\
         <th>Buyers<span class=\"sub\">bought at least once</span></th>\
         <th>Purchases per buyer</th>\
         <th>Bought again<span class=\"sub\">share of buyers</span></th>\
         <th>Again within a period<span class=\"sub\">of the first purchase</span></th>\
         <th>Top 20% of buyers<span class=\"sub\">share of revenue</span></th>\
         <th>One-time buyers<span class=\"sub\">at the end</span></th>\
         <th>Regulars<span class=\"sub\">at the end</span></th></tr></thead>\n<tbody>"
    );
    for p in &r.programs {
        let _ = writeln!(
            h,
            "<tr>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            name_cell(p, palette),
            thousands(mean(p, "customers_acquired")),
            thousands(mean(p, "customers_referred")),
            thousands(mean(p, "buyers")),
            one_decimal(mean(p, "purchases_per_buyer")),
            percent(mean(p, "repeat_buyer_share")),
            percent(mean(p, "bought_again_within_period")),
            percent(mean(p, "top20_revenue_share")),
            thousands(mean(p, "one_time_buyers_end")),
            thousands(mean(p, "regulars_end")),
        );
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
         year. Retention: of the customers there at the start, the share still customers at the \
         end (they have not drifted away for good).</p>"
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
        "<div class=\"table-wrap\"><table>\n<thead><tr><th>Program</th><th>Segment</th>\
         <th>Customers</th><th>Purchases per buyer</th><th>Revenue{cur_sp}</th>\
         <th>Program cost{cur_sp}<span class=\"sub\">caused by the segment</span></th>\
         <th>Profit{cur_sp}<span class=\"sub\">before setup and running costs</span></th>\
         <th>Extra profit<span class=\"sub\">against no program</span></th>\
         <th>Retention</th></tr></thead>\n<tbody>"
    );
    for p in &r.programs {
        for s in &p.segments {
            let m = |k: &str| s.summary.get(k).map_or(f64::NAN, |x| x.mean);
            let d = s
                .vs_baseline
                .as_ref()
                .and_then(|v| v.get("profit"))
                .map_or("–".to_string(), |x| signed(x.mean));
            let _ = writeln!(
                h,
                "<tr>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{d}</td><td>{}</td></tr>",
                name_cell(p, palette),
                escape(&s.name),
                thousands(m("customers")),
                one_decimal(m("purchases_per_buyer")),
                thousands(m("revenue_gross")),
                thousands(m("program_cost")),
                thousands(m("profit")),
                percent(m("retention")),
            );
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
