//! The comparison table printed on the terminal, readable at 100 columns.

use crate::report::format::{percent, percent0, signed, thousands, units};
use crate::stats::Results;

/// Render the comparison table (no trailing colour codes; plain text).
pub fn render(r: &Results) -> String {
    let header = [
        "Program".to_string(),
        format!("Profit {}", r.currency),
        "vs control".to_string(),
        "95% interval".to_string(),
        "Beats".to_string(),
        "Cost".to_string(),
        "Retention".to_string(),
        "Payback".to_string(),
    ];
    let mut rows: Vec<[String; 8]> = vec![header];
    // Long names are shortened only as far as they stay distinct.
    let names = crate::report::charts::palette::short_names(
        &r.programs
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        24,
    );
    for (p, name) in r.programs.iter().zip(names) {
        let s = |m: &str| p.summary.get(m).map_or(f64::NAN, |s| s.mean);
        let (delta, ci, beats, payback) = match &p.vs_baseline {
            Some(v) => {
                let d = &v.metrics["profit"];
                (
                    signed(d.mean),
                    format!("{} to {}", signed(d.ci95[0]), signed(d.ci95[1])),
                    percent0(v.p_better),
                    v.payback_period.map_or("never".to_string(), |t| {
                        format!("{} {}", r.time_unit, units(t))
                    }),
                )
            }
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        rows.push([
            name,
            thousands(s("profit")),
            delta,
            ci,
            beats,
            thousands(s("program_cost")),
            percent(s("retention")),
            payback,
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!(
        "{} — {} {}s, {} replications, seed {}\n\n",
        r.scenario,
        units(r.horizon),
        r.time_unit,
        r.replications,
        r.seed
    );
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = widths[c] - cell.chars().count();
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
    if r.programs.iter().any(|p| p.vs_baseline.is_some()) {
        out.push_str(&format!(
            "\nvs control: extra profit against no program on the same customers (mean and 95% \
             interval).\nBeats: share of runs in which the program earns more. Cost: discounts, \
             rewards and\nfixed costs. Payback: first {} after which the extra profit stays at or \
             above zero.\n",
            r.time_unit
        ));
    }
    out
}
