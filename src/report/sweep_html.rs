//! The sweep's report.html: which design is best for each program — by
//! expected extra profit and by the chance of beating no program, with its
//! interval and how far ahead of the next point it is — then the charts and,
//! for small sweeps, every point in a table. Self-contained like the run
//! report (inline CSS and SVG, no scripts); user text is HTML-escaped.

use crate::report::charts::Chart;
use crate::report::charts::palette::{Palette, display_name};
use crate::report::charts::style::hex;
use crate::report::format::{signed, thousands};
use crate::report::html::{escape, figures, page_start};
use crate::report::verdict::{amount, horizon_of, money, share_of_runs};
use crate::sweep::charts::{Best, Cell, SweepData};
use std::fmt::Write;

/// Sweeps with at most this many points list every point in a table.
const POINT_TABLE_MAX: usize = 120;

/// What a sweep chart shows, under it.
fn caption(name: &str) -> &'static str {
    if name.ends_with("_profit") {
        "Each program's mean over its runs at every swept value, with the 90% range of single \
         runs shaded. The ring marks the program's best value."
    } else {
        "One cell per combination of the two swept values, coloured by the program's mean: \
         blue above zero, red below, white at zero, darker further from zero (one program per \
         chart, its own colour scale; values beyond the scale's ends take its end colours). \
         The outlined cell is the best."
    }
}

/// Render the sweep's page.
pub fn render(d: &SweepData, best: &[Best], charts: &[Chart]) -> String {
    let mut h =
        String::with_capacity(64 * 1024 + charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let title = escape(&d.scenario);
    page_start(&mut h, &title, "sweep", SWEEP_CSS);
    let _ = writeln!(h, "<h1>{title}: which design is best?</h1>");
    let over = horizon_of(d.horizon, &d.time_unit);
    let keys: Vec<String> = d
        .axes
        .iter()
        .map(|a| {
            format!(
                "<code>{}</code> ({} value{})",
                escape(&a.key),
                a.labels.len(),
                if a.labels.len() == 1 { "" } else { "s" }
            )
        })
        .collect();
    let _ = writeln!(
        h,
        "<p class=\"lead\">A sweep over {}: {} points, each a complete run of every program {}\
         with {} runs over {}.</p>",
        keys.join(" × "),
        d.points,
        if d.control {
            "and of no program on the same customers, "
        } else {
            ""
        },
        d.replications,
        escape(&over),
    );
    best_table(&mut h, d, best);
    if !charts.is_empty() {
        let _ = writeln!(h, "<h2>How the result moves with the swept values</h2>");
        figures(&mut h, charts, caption);
    }
    points_table(&mut h, d, best);
    let _ = writeln!(
        h,
        "<footer>Every point uses the scenario's seed{}, so neighbouring points are compared on \
         the same simulated customers. Results are only as good as the scenario's assumptions. \
         All numbers: <code>sweep.csv</code>, <code>sweep.json</code>.</footer>\n</main>\n\
         </body>\n</html>",
        if d.seeds.len() > 1 {
            " unless the seed itself is swept (here it is)"
        } else {
            ""
        }
    );
    h
}

const SWEEP_CSS: &str = r#"
table.best .by, table.best .point { text-align:left; white-space:normal; }
table.best td.point code { white-space:nowrap; }
table.best tr.first td { border-top:2px solid var(--line); }
p.lead code, td code { font-size:13.5px; }
"#;

/// `card_size = 10, prestamped = 2` (keys shortened to their last part when
/// that is unambiguous).
fn point_text(d: &SweepData, program: &str, c: &Cell, with_others: bool) -> String {
    let pairs = d.describe(program, c);
    let tails: Vec<String> = d.axes.iter().map(|a| tail(&a.key)).collect();
    let unique = tails
        .iter()
        .enumerate()
        .all(|(i, t)| tails.iter().skip(i + 1).all(|u| u != t));
    let show = |k: &str| if unique { tail(k) } else { k.to_string() };
    let mut out = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "<code>{}</code>&nbsp;=&nbsp;{}",
                escape(&show(k)),
                escape(v)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let others: Vec<String> = d
        .axes
        .iter()
        .filter(|a| !pairs.iter().any(|(k, _)| *k == a.key))
        .map(|a| format!("<code>{}</code>", escape(&show(&a.key))))
        .collect();
    if with_others && !others.is_empty() {
        out.push_str(&format!(
            " <span class=\"sub\">any {}: {} not change this program</span>",
            others.join(", "),
            if others.len() == 1 { "does" } else { "they do" }
        ));
    }
    out
}

/// `program[Stamp card].stamps.card_size` → `card_size`.
fn tail(key: &str) -> String {
    let t = match key.rfind(']') {
        Some(i) => &key[i + 1..],
        None => key,
    };
    t.rsplit('.')
        .find(|s| !s.is_empty())
        .unwrap_or(key)
        .to_string()
}

/// A best-table row's value cells: the mean with the 95% interval of the
/// mean, the range of 90% of runs, and (against no program) the share of
/// runs it beats no program.
fn value_cells(d: &SweepData, c: &Cell) -> String {
    let v = &c.value;
    let mean = if d.control {
        signed(v.mean)
    } else {
        thousands(v.mean)
    };
    let mut cells = format!(
        "<td><b>{mean}</b><span class=\"sub\">{} to {}</span></td><td>{} to {}</td>",
        signed(v.ci95[0]),
        signed(v.ci95[1]),
        signed(v.p05),
        signed(v.p95),
    );
    if d.control {
        let _ = write!(
            cells,
            "<td>{}</td>",
            c.p_better.map_or("–".to_string(), share_of_runs)
        );
    }
    cells
}

fn best_table(h: &mut String, d: &SweepData, best: &[Best]) {
    let _ = writeln!(h, "<h2>Best design per program</h2>");
    if best.is_empty() {
        let _ = writeln!(h, "<p>The sweep has no program to compare.</p>");
        return;
    }
    let palette = Palette::for_names(&best.iter().map(|b| b.program.as_str()).collect::<Vec<_>>());
    let cur = escape(d.currency.trim());
    let cur_sp = if cur.is_empty() {
        String::new()
    } else {
        format!(" ({cur})")
    };
    let what = if d.control {
        "Extra profit vs no program"
    } else {
        "Profit"
    };
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\"><table class=\"best\">\n<thead><tr><th>Program</th>\
         <th class=\"by\">Best by</th><th class=\"point\">Point</th><th>{what}{cur_sp}<span class=\"sub\">mean, 95% interval \
         of the mean</span></th><th>One run<span class=\"sub\">90% of runs between</span></th>{}\
         </tr></thead>\n<tbody>",
        if d.control {
            "<th>Beats no program<span class=\"sub\">share of runs</span></th>"
        } else {
            ""
        }
    );
    for b in best {
        if d.programs
            .iter()
            .find(|p| p.name == b.program)
            .is_some_and(|p| p.unaffected())
        {
            let _ = writeln!(
                h,
                "<tr class=\"first\"><td><span class=\"swatch\" style=\"--c:{}\"></span>{}</td>\
                 <td colspan=\"2\" class=\"by\">the same at every point: the swept values do not change this \
                 program</td>{}</tr>",
                hex(palette.colour(&b.program)),
                escape(&display_name(&b.program)),
                value_cells(d, &b.by_value),
            );
            continue;
        }
        let same = b
            .by_chance
            .as_ref()
            .is_none_or(|c| c.index == b.by_value.index);
        let rows: Vec<(&str, &Cell)> = if same {
            vec![(
                if d.control {
                    "expected extra profit and chance of beating no program"
                } else {
                    "expected profit"
                },
                &b.by_value,
            )]
        } else {
            vec![
                ("expected extra profit", &b.by_value),
                (
                    "chance of beating no program",
                    b.by_chance.as_ref().unwrap_or(&b.by_value),
                ),
            ]
        };
        for (k, (by, c)) in rows.iter().enumerate() {
            let name = if k == 0 {
                format!(
                    "<td rowspan=\"{}\"><span class=\"swatch\" style=\"--c:{}\"></span>{}</td>",
                    rows.len(),
                    hex(palette.colour(&b.program)),
                    escape(&display_name(&b.program))
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                h,
                "<tr{}>{name}<td class=\"by\">{by}</td><td class=\"point\">{}</td>{}</tr>",
                if k == 0 { " class=\"first\"" } else { "" },
                point_text(d, &b.program, c, true),
                value_cells(d, c),
            );
        }
    }
    let _ = writeln!(h, "</tbody></table></div>");
    // How clear each winner is.
    let mut notes = Vec::new();
    for b in best {
        let Some(r) = &b.runner_up else { continue };
        if d.programs
            .iter()
            .find(|p| p.name == b.program)
            .is_some_and(|p| p.unaffected())
        {
            continue;
        }
        let name = escape(&display_name(&b.program));
        let next = point_text(d, &b.program, r, false);
        let text = match &b.lead {
            Some(l) => {
                let close = l.difference.ci95[0] <= 0.0;
                format!(
                    "<b>{name}</b>: the next best point, {next}, brings {}; the best is ahead by \
                     {} (95% interval {} to {}), in {} of runs{}.",
                    escape(&money(r.value.mean, &d.currency)),
                    escape(&amount(l.difference.mean, &d.currency)),
                    signed(l.difference.ci95[0]),
                    signed(l.difference.ci95[1]),
                    share_of_runs(l.share_ahead),
                    if close {
                        ": the two are too close to call with these runs"
                    } else {
                        ""
                    }
                )
            }
            None => format!(
                "<b>{name}</b>: the next best point, {next}, brings {}.",
                escape(&money(r.value.mean, &d.currency))
            ),
        };
        notes.push(format!(
            "<li>{text}{}</li>",
            edge_note(d, &b.program, &b.by_value)
        ));
    }
    if !notes.is_empty() {
        let _ = writeln!(h, "<ul class=\"runner-up\">{}</ul>", notes.join("\n"));
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">{} over {} per point. 95% interval: where the true mean at that point \
         lies; 90% of runs: what one run may bring. The comparison with the next best point is \
         made run by run on the same customers, which is why it can be sharper than the two \
         intervals suggest.</p>",
        if d.control {
            "Extra profit: profit with the program minus profit without it"
        } else {
            "Profit"
        },
        escape(&horizon_of(d.horizon, &d.time_unit)),
    );
}

/// A warning when the best point sits at the end of a numeric swept range
/// (of three or more values): the best design may lie beyond it.
fn edge_note(d: &SweepData, program: &str, c: &Cell) -> String {
    let relevant = d
        .programs
        .iter()
        .find(|p| p.name == program)
        .map(|p| p.relevant.clone())
        .unwrap_or_default();
    let mut ends = Vec::new();
    for (k, (a, &i)) in d.axes.iter().zip(&c.coords).enumerate() {
        if relevant.get(k) == Some(&false) {
            continue;
        }
        let Some(v) = &a.numbers else { continue };
        if v.len() < 3 {
            continue;
        }
        let x = v[i];
        let lowest = v.iter().all(|w| x <= *w);
        let highest = v.iter().all(|w| x >= *w);
        if lowest || highest {
            ends.push(format!(
                "the {} value of <code>{}</code> ({})",
                if lowest { "lowest" } else { "highest" },
                escape(&tail(&a.key)),
                escape(&a.labels[i])
            ));
        }
    }
    if ends.is_empty() {
        String::new()
    } else {
        format!(
            " The best point has {} swept: the best design may lie beyond, so extend the sweep \
             there.",
            ends.join(" and ")
        )
    }
}

fn points_table(h: &mut String, d: &SweepData, best: &[Best]) {
    // Programs the swept values change (the others are the same everywhere).
    let programs: Vec<_> = d.programs.iter().filter(|p| !p.unaffected()).collect();
    if programs.is_empty() {
        return;
    }
    let _ = writeln!(h, "<h2>Every point</h2>");
    if d.points > POINT_TABLE_MAX {
        let _ = writeln!(
            h,
            "<p>{} points: see <code>sweep.csv</code> for every value.</p>",
            d.points
        );
        return;
    }
    let _ = write!(
        h,
        "<div class=\"table-wrap\"><table>\n<thead><tr><th>Point</th>"
    );
    for a in &d.axes {
        let _ = write!(h, "<th><code>{}</code></th>", escape(&tail(&a.key)));
    }
    for p in &programs {
        let _ = write!(
            h,
            "<th>{}<span class=\"sub\">{}</span></th>",
            escape(&display_name(&p.name)),
            if d.control {
                "extra profit · beats none"
            } else {
                "profit"
            }
        );
    }
    let _ = writeln!(h, "</tr></thead>\n<tbody>");
    for i in 0..d.points {
        let _ = write!(h, "<tr><td>{i}</td>");
        let coords = d
            .programs
            .iter()
            .find_map(|p| p.cells.iter().find(|c| c.index == i))
            .map(|c| c.coords.clone());
        for (k, a) in d.axes.iter().enumerate() {
            let v = coords
                .as_ref()
                .and_then(|c| a.labels.get(c[k]))
                .map_or(String::new(), |l| escape(l));
            let _ = write!(h, "<td>{v}</td>");
        }
        for p in &programs {
            let is_best = best
                .iter()
                .any(|b| b.program == p.name && b.by_value.index == i);
            let (open, close) = if is_best {
                ("<b>", " ★</b>")
            } else {
                ("", "")
            };
            match p.cells.iter().find(|c| c.index == i) {
                Some(c) if d.control => {
                    let _ = write!(
                        h,
                        "<td>{open}{} · {}{close}</td>",
                        signed(c.value.mean),
                        c.p_better.map_or("–".to_string(), share_of_runs)
                    );
                }
                Some(c) => {
                    let _ = write!(h, "<td>{open}{}{close}</td>", thousands(c.value.mean));
                }
                None => h.push_str("<td>–</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    let _ = writeln!(h, "</tbody></table></div>");
}
