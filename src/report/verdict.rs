//! The plain-language verdict per program, e.g.
//! "Bonus points: +EUR 4,200 profit over 24 months (90% interval +1,100 to
//! +7,300), beats no program in 97% of runs, pays back in month 9".
//!
//! The amount is the mean paired profit difference against the control; the
//! 90% interval is its 5th..95th percentile across replications (what a shop
//! may see in a good or a bad year, not the uncertainty of the mean).

use crate::report::charts::palette::{display_name, is_control};
use crate::report::charts::style::plural;
use crate::report::format::{percent0, signed, thousands, units};
use crate::stats::Results;
use crate::stats::results::ProgramResult;

/// `+EUR 4,200`, `-EUR 1,100`, `EUR 0`; without a currency `+4,200`.
pub fn money(x: f64, currency: &str) -> String {
    let cur = currency.trim();
    let abs = thousands(x.abs());
    let sign = if !x.is_finite() || abs == "0" {
        ""
    } else if x > 0.0 {
        "+"
    } else {
        "-"
    };
    if cur.is_empty() {
        format!("{sign}{abs}")
    } else {
        format!("{sign}{cur} {abs}")
    }
}

/// A share of runs that never rounds to a false 0% or 100%: `97%`,
/// `over 99%`, `under 1%`.
pub fn share_of_runs(p: f64) -> String {
    if p > 0.0 && p < 0.005 {
        "under 1%".to_string()
    } else if p < 1.0 && p >= 0.995 {
        "over 99%".to_string()
    } else {
        percent0(p)
    }
}

/// `EUR 4,200` (no sign for positive amounts).
fn amount(x: f64, currency: &str) -> String {
    money(x, currency).trim_start_matches('+').to_string()
}

/// `24 months`, `1 month`.
pub fn horizon(r: &Results) -> String {
    let n = units(r.horizon);
    if n == "1" {
        format!("1 {}", r.time_unit)
    } else {
        format!("{n} {}", plural(&r.time_unit))
    }
}

/// The verdict for one program (or, for the control, its reference line).
pub fn verdict(r: &Results, p: &ProgramResult) -> String {
    let name = display_name(&p.name);
    let over = horizon(r);
    let profit = p.summary.get("profit");
    match (&p.vs_baseline, profit) {
        (Some(v), _) => {
            let Some(d) = v.metrics.get("profit") else {
                return format!("{name}: no profit difference recorded");
            };
            let payback = match v.payback_period {
                Some(t) => format!("pays back in {} {}", r.time_unit, units(t)),
                None => format!("does not pay back within {over}"),
            };
            format!(
                "{name}: {} profit over {over} (90% interval {} to {}), beats no program in {} of \
                 runs, {payback}",
                money(d.mean, &r.currency),
                signed(d.p05),
                signed(d.p95),
                share_of_runs(v.p_better),
            )
        }
        (None, Some(s)) if is_control(p) => format!(
            "{name}: {} profit over {over} (90% of runs between {} and {}), the reference for \
             every program",
            amount(s.mean, &r.currency),
            thousands(s.p05),
            thousands(s.p95),
        ),
        (None, Some(s)) => format!(
            "{name}: {} profit over {over} (90% of runs between {} and {}); not compared with no \
             program, because the scenario runs without the control",
            amount(s.mean, &r.currency),
            thousands(s.p05),
            thousands(s.p95),
        ),
        (None, None) => format!("{name}: no profit recorded"),
    }
}

/// The verdicts of every program except the control, in document order.
pub fn verdicts(r: &Results) -> Vec<String> {
    r.programs
        .iter()
        .filter(|p| !is_control(p))
        .map(|p| verdict(r, p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::results::{Period, Roi, VsBaseline};
    use crate::stats::summary::Summary;
    use indexmap::IndexMap;

    fn summary(mean: f64, p05: f64, p95: f64) -> Summary {
        Summary {
            mean,
            sd: 0.0,
            ci95: [mean, mean],
            p05,
            p50: mean,
            p95,
        }
    }

    fn program(
        name: &str,
        profit: f64,
        vs: Option<(f64, f64, f64, f64, Option<f64>)>,
    ) -> ProgramResult {
        let mut s = IndexMap::new();
        s.insert(
            "profit".to_string(),
            summary(profit, profit * 0.8, profit * 1.2),
        );
        ProgramResult {
            name: name.to_string(),
            mechanisms: vec![],
            summary: s,
            vs_baseline: vs.map(|(mean, p05, p95, p_better, payback)| {
                let mut m = IndexMap::new();
                m.insert("profit".to_string(), summary(mean, p05, p95));
                VsBaseline {
                    metrics: m,
                    roi: Roi {
                        mean: None,
                        p05: None,
                        p95: None,
                    },
                    p_better,
                    payback_period: payback,
                    ..VsBaseline::default()
                }
            }),
            periods: Vec::<Period>::new(),
        }
    }

    fn results(currency: &str, programs: Vec<ProgramResult>) -> Results {
        Results {
            loyalsim_version: "0.0.0".into(),
            scenario: "Olga's boutique".into(),
            seed: 7,
            replications: 200,
            time_unit: "month".into(),
            horizon: 24.0,
            report_every: 1.0,
            currency: currency.into(),
            gross_margin: 0.45,
            programs,
            assumptions: vec![],
        }
    }

    #[test]
    fn money_signs() {
        assert_eq!(money(4200.0, "EUR"), "+EUR 4,200");
        assert_eq!(money(-1100.4, "EUR"), "-EUR 1,100");
        assert_eq!(money(0.3, "EUR"), "EUR 0");
        assert_eq!(money(12.0, ""), "+12");
        assert_eq!(share_of_runs(0.996), "over 99%");
        assert_eq!(share_of_runs(1.0), "100%");
        assert_eq!(share_of_runs(0.001), "under 1%");
        assert_eq!(share_of_runs(0.0), "0%");
    }

    #[test]
    fn verdict_text() {
        let with_control = results(
            "EUR",
            vec![
                program("baseline", 48_100.0, None),
                program(
                    "Bonus points",
                    52_300.0,
                    Some((4_200.0, 1_100.0, 7_300.0, 0.97, Some(9.0))),
                ),
                program(
                    "5% discount card",
                    46_800.0,
                    Some((-1_312.0, -2_900.0, 210.0, 0.08, None)),
                ),
                program(
                    "Stamp card",
                    48_200.0,
                    Some((95.0, -1_800.0, 2_050.0, 0.531, Some(21.5))),
                ),
                program(
                    "Free coffee <b>&</b>",
                    50_000.0,
                    Some((0.2, -40.0, 41.0, 0.5, Some(1.0))),
                ),
            ],
        );
        let mut text: Vec<String> = with_control
            .programs
            .iter()
            .map(|p| verdict(&with_control, p))
            .collect();
        let no_control = results("", vec![program("Bonus points", 52_300.0, None)]);
        text.extend(verdicts(&no_control));
        let mut one_week = results(
            "USD",
            vec![program(
                "Referral",
                10.0,
                Some((10.0, 5.0, 15.0, 1.0, Some(1.0))),
            )],
        );
        one_week.horizon = 1.0;
        one_week.time_unit = "week".into();
        text.extend(verdicts(&one_week));
        insta::assert_snapshot!(text.join("\n"));
    }
}
