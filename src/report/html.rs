//! report.html: one self-contained page (inline CSS and SVG, nothing fetched,
//! no scripts) that shows the decision at a glance — scenario summary,
//! verdicts, the comparison table, the charts, and every assumption in force
//! with its source. Every string that comes from the user is HTML-escaped.

use crate::report::charts::Chart;
use crate::report::charts::palette::{Palette, display_name, is_control};
use crate::report::charts::style::{hex, plural};
use crate::report::format::{percent, percent0, signed, thousands, units};
use crate::report::verdict;
use crate::stats::Results;
use crate::stats::results::ProgramResult;
use std::fmt::Write;

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) const CSS: &str = r#"
:root { --ink:#212529; --muted:#60666e; --line:#dde1e6; --bg:#f6f7f9; --win:#1e7b34; --loss:#b3261e; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; }
main { max-width:1180px; margin:0 auto; padding:32px 24px 64px; }
h1 { font-size:30px; margin:0 0 4px; line-height:1.2; }
h2 { font-size:21px; margin:40px 0 12px; padding-bottom:6px; border-bottom:1px solid var(--line); }
h3 { font-size:17px; margin:24px 0 8px; }
p.lead { color:var(--muted); margin:0 0 20px; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 20px; }
dl.facts { display:grid; grid-template-columns:repeat(auto-fill,minmax(150px,1fr)); gap:12px 20px; margin:0; }
dl.facts div { min-width:0; }
dl.facts dt { color:var(--muted); font-size:13px; text-transform:uppercase; letter-spacing:.04em; }
dl.facts dd { margin:2px 0 0; font-size:18px; font-weight:600; overflow-wrap:anywhere; }
ul.verdicts { list-style:none; margin:0; padding:0; display:grid; gap:10px; }
ul.verdicts li { background:#fff; border:1px solid var(--line); border-left:6px solid var(--c); border-radius:8px; padding:12px 16px; font-size:17px; }
ul.verdicts li.win .tag { color:var(--win); }
ul.verdicts li.loss .tag { color:var(--loss); }
.tag { font-weight:700; font-size:13px; text-transform:uppercase; letter-spacing:.05em; margin-right:8px; }
p.reference { color:var(--muted); margin:0 0 12px; }
.table-wrap { overflow-x:auto; background:#fff; border:1px solid var(--line); border-radius:10px; }
table { border-collapse:collapse; width:100%; font-size:14.5px; font-variant-numeric:tabular-nums; }
th, td { padding:8px 10px; text-align:right; border-bottom:1px solid var(--line); white-space:nowrap; }
th { background:#fafbfc; font-weight:600; color:var(--muted); font-size:13px; vertical-align:bottom; white-space:normal; }
th:first-child, td:first-child { text-align:left; white-space:normal; min-width:170px; }
tr:last-child td { border-bottom:none; }
th .sub, td .sub { display:block; color:var(--muted); font-size:12.5px; }
.swatch { display:inline-block; width:12px; height:12px; border-radius:3px; background:var(--c); margin-right:8px; vertical-align:-1px; }
td.pos { color:var(--win); } td.neg { color:var(--loss); }
p.note { color:var(--muted); font-size:14px; margin:10px 2px 0; }
figure { margin:0 0 28px; background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px; }
figure svg { display:block; width:100%; height:auto; }
figcaption { color:var(--muted); font-size:14px; margin:8px 6px 2px; }
figcaption a { color:inherit; }
table.assume th:nth-child(2), table.assume th:last-child { text-align:left; }
table.assume td:nth-child(2) { white-space:normal; text-align:left; min-width:220px; }
table.assume td.src { white-space:normal; text-align:left; color:var(--muted); font-size:13.5px; min-width:200px; }
table.assume td.changed { font-weight:700; }
p.answer { font-size:19px; line-height:1.45; background:#fff; border:1px solid var(--line); border-left:6px solid var(--win); border-radius:8px; padding:14px 18px; margin:0 0 14px; }
table.decision th:nth-child(2), table.decision td:nth-child(2) { text-align:left; }
table.decision td b { font-weight:700; font-size:15.5px; }
table.decision tr.win .tag { color:var(--win); }
table.decision tr.loss .tag { color:var(--loss); }
table.decision tr.unclear .tag { color:#8a5a00; }
table.decision th.deciding { text-align:left; }
table.decision td.deciding { white-space:normal; text-align:left; min-width:240px; font-size:13.5px; }
p.answer.loss { border-left-color:var(--loss); }
p.caveat, p.pilot { background:#fff8e6; border:1px solid #f0dca8; border-radius:8px; padding:10px 14px; font-size:15px; margin:12px 0 0; }
p.pilot { background:#eef6ff; border-color:#c8dcf2; }
footer { color:var(--muted); font-size:13px; margin-top:48px; }
@page { size:A4; margin:12mm; }
@media print {
  body { background:#fff; font-size:11pt; }
  main { max-width:none; padding:0; }
  h2 { break-after:avoid; margin-top:18pt; }
  figure, .card, ul.verdicts li, p.answer, tr { break-inside:avoid; }
  .table-wrap { overflow:visible; }
  th, td { padding:4px 6px; }
  figcaption .files { display:none; }
}
"#;

/// What a chart shows, under it.
fn caption(name: &str) -> &'static str {
    match name {
        "extra_profit" => {
            "Profit with the program minus profit without it, on the same customers, added up \
             from the start. Above the red line the program has earned more than it cost so \
             far; where the line crosses it for good, the program has paid back."
        }
        "costs" => {
            "Right of zero: the extra gross margin a program earns through extra sales. Left: \
             what it costs. The black mark is the difference, the extra profit; a program pays \
             when its margin bar reaches further than its costs."
        }
        "extra_customers" => {
            "How many more customers are still buying with the program than without it, at the \
             end of each period."
        }
        "profit_distribution" => {
            "How often the program wins: runs right of the red line earn more than no program."
        }
        "points" => {
            "Outstanding points are a promise the business still has to keep. Breakage: points \
             that expired or were left behind by customers who stopped buying."
        }
        n if n.starts_with("tornado_") => {
            "Each bar: the program's extra profit when one assumption is at the low or high end \
             of its range. The longest bars name the assumptions the verdict depends on; a bar \
             crossing the red line can turn the verdict."
        }
        _ => "",
    }
}

/// The page's head and the opening of its body, shared by the run, sweep
/// and fit pages: `title` is escaped already; `extra_css` follows [`CSS`].
pub fn page_start(h: &mut String, title: &str, page: &str, extra_css: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} — loyalsim {page}</title>\n<style>{CSS}{extra_css}</style>\n</head>\n\
         <body>\n<main>\n"
    );
}

/// Render the whole page. `charts` are inlined in the given order.
pub fn render(r: &Results, charts: &[Chart]) -> String {
    let palette = Palette::for_results(r);
    let mut h =
        String::with_capacity(64 * 1024 + charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let title = escape(&r.scenario);
    page_start(&mut h, &title, "report", "");
    let _ = writeln!(h, "<h1>{title}</h1>");
    let _ = writeln!(
        h,
        "<p class=\"lead\">Loyalty programs tried out in simulation before launch: {} \
         compared on the same simulated customers.</p>",
        match r.programs.iter().filter(|p| !is_control(p)).count() {
            1 => "one program".to_string(),
            n => format!("{n} programs"),
        }
    );
    summary(&mut h, r);
    decision(&mut h, r, &palette);
    if !charts.is_empty() {
        let _ = writeln!(h, "<h2>What makes the difference</h2>");
        figures(&mut h, charts, caption);
    }
    table(&mut h, r, &palette);
    crate::report::answers_html::section(&mut h, r, &palette);
    crate::report::assumptions_html::assumptions(&mut h, r);
    let _ = writeln!(
        h,
        "<footer>Made with loyalsim {}. Every program is simulated on the same customers as \
         the no-program control (common random numbers), so differences come from the program, \
         not from luck. Results are only as good as the assumptions above.</footer>\n</main>\n\
         </body>\n</html>",
        escape(&r.loyalsim_version)
    );
    h
}

/// The charts, each in a figure with its caption and links to its files.
pub(crate) fn figures(h: &mut String, charts: &[Chart], caption: fn(&str) -> &'static str) {
    for c in charts {
        let _ = writeln!(
            h,
            "<figure id=\"{id}\">\n{svg}\n<figcaption>{cap} <span class=\"files\"><a \
             href=\"{id}.png\">PNG</a> · <a href=\"{id}.svg\">SVG</a></span></figcaption>\n\
             </figure>",
            id = escape(&c.name),
            svg = inline_svg(&c.svg, &c.title),
            cap = escape(caption(&c.name)),
        );
    }
}

/// Prepare a plotters SVG document for inlining: no XML prolog, an accessible name.
pub(crate) fn inline_svg(svg: &str, title: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => return String::new(),
    };
    body.replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{}\"", escape(title)),
        1,
    )
}

fn summary(h: &mut String, r: &Results) {
    let every = if (r.report_every - 1.0).abs() < 1e-9 {
        r.time_unit.clone()
    } else {
        format!("{} {}", units(r.report_every), plural(&r.time_unit))
    };
    let mut facts = vec![
        ("Horizon", verdict::horizon(r)),
        ("Time unit", r.time_unit.clone()),
        ("Reported every", every),
        ("Replications", thousands(r.replications as f64)),
        ("Seed", r.seed.to_string()),
        (
            "Currency",
            if r.currency.trim().is_empty() {
                "(not set)".to_string()
            } else {
                r.currency.clone()
            },
        ),
        ("Gross margin", percent0(r.gross_margin)),
    ];
    if (r.report_every - 1.0).abs() < 1e-9 {
        facts.retain(|(k, _)| *k != "Reported every");
    }
    let _ = writeln!(h, "<div class=\"card\"><dl class=\"facts\">");
    for (k, v) in facts {
        let _ = writeln!(h, "<div><dt>{k}</dt><dd>{}</dd></div>", escape(&v));
    }
    let _ = writeln!(h, "</dl></div>");
}

/// The decision first: the best program in a sentence, the verdict table
/// (every program with its extra profit, interval, share of runs beating
/// no program, payback and, when the results carry it, the assumption that
/// decides), what the intervals do and do not cover, and what to test in a
/// pilot.
fn decision(h: &mut String, r: &Results, palette: &Palette) {
    let _ = writeln!(h, "<h2>Decision</h2>");
    let compared = verdict::ranked(r);
    if compared.is_empty() {
        // No control: profit levels only.
        let programs: Vec<&ProgramResult> = r.programs.iter().filter(|p| !is_control(p)).collect();
        if programs.is_empty() {
            let _ = writeln!(h, "<p>The scenario has no program to compare.</p>");
            return;
        }
        let _ = writeln!(h, "<ul class=\"verdicts\">");
        for p in programs {
            let _ = writeln!(
                h,
                "<li style=\"--c:{}\">{}</li>",
                hex(palette.colour(&p.name)),
                escape(&verdict::verdict(r, p))
            );
        }
        let _ = writeln!(h, "</ul>");
        return;
    }
    if let Some(line) = verdict::headline(r) {
        let pays = compared
            .first()
            .and_then(|p| p.vs_baseline.as_ref())
            .and_then(|v| v.metrics.get("profit"))
            .is_some_and(|d| d.mean > 0.0);
        let _ = writeln!(
            h,
            "<p class=\"answer{}\">{}</p>",
            if pays { "" } else { " loss" },
            escape(&line)
        );
    }
    let cur = escape(r.currency.trim());
    let per = escape(&verdict::horizon(r));
    let deciding = compared.iter().any(|p| verdict::deciding(r, p).is_some());
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\"><table class=\"decision\">\n<thead><tr><th>Program</th>\
         <th>Verdict</th><th>Extra profit over {per}{cur_sp}<span class=\"sub\">mean, 95% \
         interval of the mean</span></th><th>One run of {per}<span class=\"sub\">90% of runs \
         between</span></th><th>Beats no program<span class=\"sub\">share of runs</span></th>\
         <th>Pays back</th>{dec}</tr></thead>\n<tbody>",
        cur_sp = if cur.is_empty() {
            String::new()
        } else {
            format!(" ({cur})")
        },
        dec = if deciding {
            "<th class=\"deciding\">Deciding assumption</th>"
        } else {
            ""
        },
    );
    for p in &compared {
        let Some(v) = &p.vs_baseline else { continue };
        let (class, tag) = verdict::tag(p).unwrap_or(("unclear", ""));
        let mut row = format!(
            "<tr class=\"{class}\"><td><span class=\"swatch\" style=\"--c:{}\"></span>{}</td>\
             <td><span class=\"tag\">{tag}</span></td>",
            hex(palette.colour(&p.name)),
            escape(&display_name(&p.name))
        );
        match v.metrics.get("profit") {
            Some(d) => {
                let _ = write!(
                    row,
                    "<td{}><b>{}</b><span class=\"sub\">{} to {}</span></td><td>{} to {}</td>",
                    cell_class(d.mean),
                    signed(d.mean),
                    signed(d.ci95[0]),
                    signed(d.ci95[1]),
                    signed(d.p05),
                    signed(d.p95),
                );
            }
            None => row.push_str("<td>–</td><td>–</td>"),
        }
        let payback = v.payback_period.map_or("never".to_string(), |t| {
            format!("{} {}", escape(&r.time_unit), units(t))
        });
        let (beats, payback) = if v.no_difference() {
            ("same profit in every run".to_string(), "–".to_string())
        } else {
            (verdict::share_of_runs(v.p_better), payback)
        };
        let _ = write!(row, "<td>{beats}</td><td>{payback}</td>");
        if deciding {
            let _ = write!(
                row,
                "<td class=\"deciding\">{}</td>",
                verdict::deciding(r, p).map_or("–".to_string(), |d| escape(&d))
            );
        }
        row.push_str("</tr>\n");
        h.push_str(&row);
    }
    let _ = writeln!(h, "</tbody></table></div>");
    if let Some(base) = r.baseline() {
        let _ = writeln!(
            h,
            "<p class=\"note\">{}. Likely pays: beats no program in at least 90% of runs; \
             likely loses: in at most 10%. Pays back: the first {} after which the extra \
             profit stays at or above zero.</p>",
            escape(&verdict::verdict(r, base)),
            escape(&r.time_unit)
        );
    }
    let how_sure = if deciding {
        "The intervals include what is not known about how customers respond; the last \
         column names the assumption each verdict depends on most."
    } else {
        "The intervals cover chance only (which customers come, buy and leave), with the \
         customer-response assumptions fixed at the values listed under <a \
         href=\"#assumptions\">Assumptions in force</a>. Those values are estimates, not \
         measurements of your customers: before deciding on a close call, try other values \
         (for example with <code>loyalsim sweep</code>)."
    };
    let _ = writeln!(h, "<p class=\"caveat\"><b>How sure?</b> {how_sure}</p>");
    if let Some(p) = verdict::pilot(r) {
        let _ = writeln!(h, "<p class=\"pilot\">{}</p>", escape(&p));
    }
    if let Some(n) = verdict::too_few(r) {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&n));
    }
}

fn cell_class(x: f64) -> &'static str {
    if x.round() > 0.0 {
        " class=\"pos\""
    } else if x.round() < 0.0 {
        " class=\"neg\""
    } else {
        ""
    }
}

/// The levels behind the decision: profit, cost, return, customers.
fn table(h: &mut String, r: &Results, palette: &Palette) {
    let cur = escape(r.currency.trim());
    let per = escape(&verdict::horizon(r));
    let cur_sp = if cur.is_empty() {
        String::new()
    } else {
        format!(" ({cur})")
    };
    let _ = writeln!(h, "<h2>Details</h2>");
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\"><table>\n<thead><tr><th>Program</th>\
         <th>Profit{cur_sp}<span class=\"sub\">mean, 90% of runs</span></th>\
         <th>Program cost{cur_sp}<span class=\"sub\">discounts, rewards, fixed</span></th>\
         <th>Return on cost</th><th>Extra customers at the end<span class=\"sub\">against \
         no program</span></th><th>Retention<span class=\"sub\">of the customers at the \
         start, still customers at the end</span></th><th>Members at the end</th></tr></thead>\n<tbody>"
    );
    for p in &r.programs {
        let get = |m: &str| p.summary.get(m).copied();
        let mean = |m: &str| get(m).map_or(f64::NAN, |s| s.mean);
        let profit = get("profit");
        let mut row = format!(
            "<tr><td><span class=\"swatch\" style=\"--c:{}\"></span>{}</td>",
            hex(palette.colour(&p.name)),
            escape(&display_name(&p.name))
        );
        let _ = write!(
            row,
            "<td>{}<span class=\"sub\">{}</span></td>",
            profit.map_or("n/a".into(), |s| thousands(s.mean)),
            profit.map_or(String::new(), |s| format!(
                "{} to {}",
                thousands(s.p05),
                thousands(s.p95)
            ))
        );
        let roi = p
            .vs_baseline
            .as_ref()
            .and_then(|v| v.roi.mean)
            .map_or("–".to_string(), percent0);
        let extra_customers = p
            .vs_baseline
            .as_ref()
            .and_then(|v| v.metrics.get("customers_active_end"))
            .map_or("–".to_string(), |s| signed(s.mean));
        let _ = writeln!(
            row,
            "<td>{}</td><td>{roi}</td><td>{extra_customers}</td><td>{}</td><td>{}</td></tr>",
            thousands(mean("program_cost")),
            percent(mean("retention")),
            thousands(mean("members_end")),
        );
        h.push_str(&row);
    }
    let _ = writeln!(h, "</tbody></table></div>");
    let _ = writeln!(
        h,
        "<p class=\"note\">All amounts over {per}. Profit: after cost of goods, discounts, \
         rewards and fixed costs. Return on cost: extra profit per {cur_word} of program cost.</p>",
        cur_word = if cur.is_empty() {
            "unit".to_string()
        } else {
            cur.clone()
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }

    #[test]
    fn inline_svg_drops_prolog() {
        let s = inline_svg("<?xml version=\"1.0\"?>\n<svg width=\"1\"></svg>", "a<b");
        assert_eq!(
            s,
            "<svg role=\"img\" aria-label=\"a&lt;b\" width=\"1\"></svg>"
        );
    }
}
