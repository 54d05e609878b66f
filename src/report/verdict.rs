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
use crate::stats::summary::Summary;

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
    } else if (0.995..1.0).contains(&p) {
        "over 99%".to_string()
    } else {
        percent0(p)
    }
}

/// `EUR 4,200` (no sign for positive amounts).
pub fn amount(x: f64, currency: &str) -> String {
    money(x, currency).trim_start_matches('+').to_string()
}

/// `24 months`, `1 month`.
pub fn horizon(r: &Results) -> String {
    horizon_of(r.horizon, &r.time_unit)
}

/// `24 months` from a horizon and a time unit.
pub fn horizon_of(horizon: f64, time_unit: &str) -> String {
    let n = units(horizon);
    if n == "1" {
        format!("1 {time_unit}")
    } else {
        format!("{n} {}", plural(time_unit))
    }
}

/// How sure a program's verdict is, as a short tag, and its CSS class:
/// the results' own word when they carry one (`vs_baseline.verdict`),
/// otherwise from the share of runs beating no program (≥ 90%: likely
/// pays, ≤ 10%: likely loses).
pub fn tag(p: &ProgramResult) -> Option<(&'static str, &'static str)> {
    let v = p.vs_baseline.as_ref()?;
    if v.no_difference() {
        return Some(("unclear", "No difference"));
    }
    Some(match v.verdict.as_deref() {
        Some("likely_pays") => ("win", "Likely pays"),
        Some("likely_loses") => ("loss", "Likely loses"),
        Some("depends") => ("unclear", "Depends"),
        _ if v.p_better >= 0.9 => ("win", "Likely pays"),
        _ if v.p_better <= 0.1 => ("loss", "Likely loses"),
        _ => ("unclear", "Uncertain"),
    })
}

/// The programs compared with no program, best expected extra profit first.
pub fn ranked(r: &Results) -> Vec<&ProgramResult> {
    let extra = |p: &ProgramResult| {
        p.vs_baseline
            .as_ref()
            .and_then(|v| v.metrics.get("profit"))
            .map_or(f64::NEG_INFINITY, |s| s.mean)
    };
    let mut v: Vec<&ProgramResult> = r
        .programs
        .iter()
        .filter(|p| p.vs_baseline.is_some())
        .collect();
    v.sort_by(|a, b| extra(b).total_cmp(&extra(a)));
    v
}

/// Program `a` minus program `b`, run by run on the same customers: the
/// summary of the differences in extra profit and the share of runs in
/// which `a` is ahead. `None` without per-run data.
pub fn paired(a: &ProgramResult, b: &ProgramResult) -> Option<(Summary, f64)> {
    let (da, db) = (
        &a.vs_baseline.as_ref()?.replication_profit_delta,
        &b.vs_baseline.as_ref()?.replication_profit_delta,
    );
    crate::stats::summary::paired(da, db)
}

/// The decision in one or two sentences: the best program with its
/// interval, and how far ahead of the next it is. `None` without a control.
pub fn headline(r: &Results) -> Option<String> {
    let ranked = ranked(r);
    let best = *ranked.first()?;
    let v = best.vs_baseline.as_ref()?;
    let d = v.metrics.get("profit")?;
    let over = horizon(r);
    let name = display_name(&best.name);
    if v.no_difference() {
        let others = if ranked.len() == 1 {
            ""
        } else {
            "; every other program loses"
        };
        return Some(format!(
            "No program beats doing nothing over {over}: {name} makes no difference (the same \
             profit as no program in every run){others}."
        ));
    }
    if d.mean <= 0.0 {
        let who = if ranked.len() == 1 {
            format!("{name} does not beat doing nothing over {over}: it")
        } else {
            format!("No program beats doing nothing over {over}: the least costly, {name},")
        };
        return Some(format!(
            "{who} loses {} (95% interval {} to {}) and beats no program in {} of runs.",
            amount(-d.mean, &r.currency),
            signed(d.ci95[0]),
            signed(d.ci95[1]),
            share_of_runs(v.p_better)
        ));
    }
    let mut out = format!(
        "Best: {name}, {} profit over {over} against no program (95% interval {} to {}); \
         it beats no program in {} of runs.",
        money(d.mean, &r.currency),
        signed(d.ci95[0]),
        signed(d.ci95[1]),
        share_of_runs(v.p_better)
    );
    if let Some(&next) = ranked.get(1)
        && let Some((diff, ahead)) = paired(best, next)
    {
        let close = diff.ci95[0] <= 0.0;
        out.push_str(&format!(
            " It is ahead of {} by {} (95% interval {} to {}) and ahead in {} of runs{}.",
            display_name(&next.name),
            amount(diff.mean, &r.currency),
            signed(diff.ci95[0]),
            signed(diff.ci95[1]),
            share_of_runs(ahead),
            if close {
                ": too close to call with these runs"
            } else {
                ""
            }
        ));
    }
    if v.verdict.as_deref() == Some("depends")
        && v.break_even.is_some()
        && let Some(k) = deciding_key(best)
    {
        out.push_str(&format!(" Whether it pays depends on {k} (see below)."));
    }
    Some(out)
}

/// The assumption that decides a program's verdict: `deciding_key`, else
/// the first (largest) entry of its sensitivity list if it explains any of
/// the variance. None for a program that makes no difference: no
/// assumption moves a profit that is the control's in every run.
pub fn deciding_key(p: &ProgramResult) -> Option<&str> {
    let v = p.vs_baseline.as_ref()?;
    if v.no_difference() {
        return None;
    }
    v.deciding_key.as_deref().or_else(|| {
        v.sensitivity
            .first()
            .filter(|s| s.variance_share > 0.0)
            .map(|s| s.key.as_str())
    })
}

/// The deciding assumption in words, e.g. "depends on goal_gradient: pays if
/// it is above 0.07; the documented range is 0.05 to 0.35 (extra profit
/// -7,554 at its 5th percentile, +36,909 at its 95th)". `None` when the
/// results carry no sensitivity figures.
pub fn deciding(r: &Results, p: &ProgramResult) -> Option<String> {
    let v = p.vs_baseline.as_ref()?;
    let key = deciding_key(p)?;
    let s = v.sensitivity.iter().find(|s| s.key == key);
    let depends = v.verdict.as_deref() == Some("depends");
    let value = crate::report::charts::tornado::key_value;
    let range = |s: &crate::stats::results::Sensitivity| {
        format!(
            "extra profit {} at its 5th percentile, {} at its 95th",
            signed(s.profit_at_p05),
            signed(s.profit_at_p95)
        )
    };
    // "the documented range is 0.05 to 0.35" (5th to 95th percentile).
    let span = r.assumptions.iter().find(|a| a.key == key).map(|a| {
        format!(
            "; {} is {} to {}",
            if a.documented {
                "the documented range"
            } else {
                "the range given in the scenario"
            },
            value(a.p05),
            value(a.p95)
        )
    });
    let span = span.unwrap_or_default();
    let lead = if depends { "depends on " } else { "" };
    Some(match s {
        Some(s) if s.break_even.is_some() => {
            let be = v.break_even.or(s.break_even).unwrap_or_default();
            let above = v
                .pays_above
                .or(s.pays_above)
                .unwrap_or(s.profit_at_p95 >= s.profit_at_p05);
            let side = if above { "above" } else { "below" };
            format!(
                "{lead}{key}: pays if it is {side} {}{span} ({})",
                value(be),
                range(s)
            )
        }
        Some(s) if depends && s.profit_at_p05.signum() == s.profit_at_p95.signum() => {
            // The key moves it most, but not across zero: the rest is chance.
            let across = span.trim_start_matches("; ").replacen(" is ", " ", 1);
            format!(
                "depends on {key}, but {} across {across} ({})",
                if s.profit_at_p05 > 0.0 {
                    "pays"
                } else {
                    "loses"
                },
                range(s)
            )
        }
        Some(s) if depends => format!("depends on {key}{span} ({})", range(s)),
        Some(s) => format!("most sensitive to {key}{span} ({})", range(s)),
        None => format!("depends on {key}{span}"),
    })
}

/// How a program that changes nothing is worded.
pub const NO_DIFFERENCE: &str = "makes no difference: the same profit as no program in every run \
     (it changes neither what customers do nor what the shop pays)";

/// A program's verdict in words, as the terminal table prints it under the
/// comparison: "likely pays" only when it beats no program in at least 90%
/// of runs and no assumption flips it, "likely loses" at 10% or less, and
/// otherwise what it depends on. `None` for the control.
pub fn in_words(r: &Results, p: &ProgramResult) -> Option<String> {
    let v = p.vs_baseline.as_ref()?;
    if v.no_difference() {
        return Some(NO_DIFFERENCE.to_string());
    }
    let beats = format!("beats no program in {} of runs", share_of_runs(v.p_better));
    let word = match tag(p)? {
        (_, "Likely pays") => format!("likely pays ({beats})"),
        (_, "Likely loses") => format!("likely loses ({beats})"),
        _ => match deciding(r, p) {
            Some(d) if v.verdict.as_deref() == Some("depends") => format!("{d}; {beats}"),
            _ => format!("depends on chance: {beats}, and no assumption decides it"),
        },
    };
    Some(word)
}

/// One note on replications too few for the sensitivity and pilot figures,
/// naming the largest number any of them asks for. `None` when enough.
pub fn too_few(r: &Results) -> Option<String> {
    let needed = r
        .programs
        .iter()
        .filter_map(|p| p.vs_baseline.as_ref()?.replications_needed)
        .chain(
            r.value_of_information
                .as_ref()
                .and_then(|v| v.replications_needed),
        )
        .max()?;
    Some(format!(
        "{} replications are too few to say reliably which assumption matters most or what a \
         pilot is worth; run about {needed} (--replications {needed}) for those figures. The \
         intervals and the shares of runs won hold as they are.",
        r.replications
    ))
}

/// What to test in a pilot: the assumption whose value is worth most to
/// know before choosing (largest EVPPI), in currency. `None` without
/// value-of-information figures.
pub fn pilot(r: &Results) -> Option<String> {
    let voi = r.value_of_information.as_ref()?;
    let cur = &r.currency;
    let top = voi
        .evppi
        .iter()
        .filter(|(_, v)| v.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1));
    // Below one currency unit (or a thousandth of the best extra profit)
    // knowing more cannot change the choice in a way worth money.
    let scale = ranked(r)
        .first()
        .and_then(|p| p.vs_baseline.as_ref())
        .and_then(|v| v.metrics.get("profit"))
        .map_or(0.0, |s| s.mean.abs());
    let negligible = voi.evpi.abs() < 1.0_f64.max(scale * 1e-3);
    Some(match top {
        _ if negligible => format!(
            "No pilot needed: the same choice is best whatever the assumptions turn out to \
             be (knowing them all before choosing is worth {} in expected profit).",
            amount(voi.evpi.max(0.0), cur)
        ),
        Some((key, v)) => {
            let (meaning, _) = crate::report::assumptions_html::response_doc(key);
            let meaning = if meaning.is_empty() {
                String::new()
            } else {
                format!(" ({})", meaning.to_lowercase())
            };
            format!(
                "What to test in a pilot: {key}{meaning}. Knowing it before choosing is worth \
                 about {} in expected profit; knowing every assumption, {}. A pilot that \
                 measures {key} for less than {} is worth running.",
                amount(*v, cur),
                amount(voi.evpi, cur),
                amount(*v, cur)
            )
        }
        None => format!(
            "Knowing every assumption before choosing is worth about {} in expected profit.",
            amount(voi.evpi, cur)
        ),
    })
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
            if v.no_difference() {
                return format!("{name}: {NO_DIFFERENCE}");
            }
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
            segments: Vec::new(),
        }
    }

    fn results(currency: &str, programs: Vec<ProgramResult>) -> Results {
        Results {
            loyalsim_version: "0.0.0".into(),
            format_version: 1,
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
            segment_response: vec![],
            value_of_information: None,
            provenance: None,
        }
    }

    #[test]
    fn headline_names_the_best_or_says_none_pays() {
        let two = results(
            "EUR",
            vec![
                program("baseline", 48_100.0, None),
                program(
                    "Stamp card",
                    50_000.0,
                    Some((95.0, -1_800.0, 2_050.0, 0.53, None)),
                ),
                program(
                    "Bonus points",
                    52_300.0,
                    Some((4_200.0, 1_100.0, 7_300.0, 0.97, Some(9.0))),
                ),
            ],
        );
        let h = headline(&two).unwrap();
        assert!(
            h.starts_with("Best: Bonus points, +EUR 4,200 profit over 24 months"),
            "{h}"
        );
        assert!(!h.contains("  "), "{h}");
        // No per-run data in this document: no comparison with the runner-up.
        assert!(!h.contains("ahead of"), "{h}");
        let one = results(
            "EUR",
            vec![
                program("baseline", 48_100.0, None),
                program(
                    "Card",
                    46_800.0,
                    Some((-1_312.0, -2_900.0, 210.0, 0.08, None)),
                ),
            ],
        );
        let h = headline(&one).unwrap();
        assert_eq!(
            h,
            "Card does not beat doing nothing over 24 months: it loses EUR 1,312 (95% interval \
             -1,312 to -1,312) and beats no program in 8% of runs."
        );
        assert!(headline(&results("", vec![program("A", 1.0, None)])).is_none());
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
