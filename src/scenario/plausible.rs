//! Plausibility warnings: values that are legal but almost surely a unit
//! mistake (a hazard of 2 meant as 2%, an innovation of 4, a churn
//! multiplier of 95 meant as 0.95, a program that ends after the horizon).
//! They do not stop a run; `--strict` turns them into errors.
//!
//! Each warning reads `FILE:LINE:COL: KEY: warning: what looks wrong; the
//! likely intent`. The list of checks is in docs/scenario-format.md
//! ("Warnings").

use super::check::Cx;
use super::raw::{Num, RawAssumption, RawDist, RawDropout, RawResponse, RawScenario};
use super::{Scenario, TimeUnit};
use crate::input::number;
use crate::model::response::months_per_unit;
use std::ops::Range;
use toml::Spanned;

/// A hazard above this per month loses 39% of customers a month.
pub const MAX_HAZARD_PER_MONTH: f64 = 0.5;
/// Bass innovation ("p") is typically 0.001 to 0.03 per year.
pub const MAX_INNOVATION: f64 = 0.1;
/// Churn multipliers (member_churn, referred_churn) above this.
pub const MAX_CHURN_MULTIPLIER: f64 = 3.0;

/// Every warning for a resolved scenario, in file order of the checks.
pub(crate) fn warnings(cx: &Cx<'_>, raw: &RawScenario, sc: &Scenario) -> Vec<String> {
    let mut w = Warnings {
        cx,
        out: Vec::new(),
    };
    let unit = sc.simulation.time_unit;
    let pop = raw.population.get_ref();
    for seg in pop.segment.get_ref() {
        let s = seg.get_ref();
        if let Some(RawDropout::Hazard(h)) = s.dropout.as_ref().map(|d| d.get_ref()) {
            w.hazard(h, unit);
        }
        if let Some(r) = &s.response {
            w.response(r.get_ref());
        }
    }
    if let Some(r) = &raw.response {
        w.response(r.get_ref());
    }
    if let Some(i) = raw
        .acquisition
        .as_ref()
        .and_then(|a| a.get_ref().innovation.as_ref())
    {
        let x = *i.get_ref();
        if x > MAX_INNOVATION {
            let meant = if x >= 1.0 {
                format!("; did you mean {} ({}%)?", number(x / 100.0), number(x))
            } else {
                String::new()
            };
            w.push(
                    &i.span(),
                    format!(
                        "an innovation of {} wins {}% of the not-yet-won market every {} without any word of mouth; published values are about 0.001 to 0.03 a year{meant}",
                        number(x),
                        number(x * 100.0),
                        unit.as_str()
                    ),
                );
        }
    }
    if let Some(list) = &raw.program {
        for (p, spec) in list.get_ref().iter().zip(&sc.programs) {
            if let Some(e) = &p.get_ref().end {
                let end = *e.get_ref();
                if end > sc.simulation.horizon {
                    w.push(
                        &e.span(),
                        format!(
                            "the program `{}` ends at {} but the simulation stops at the horizon ({}); the time after the horizon is not simulated, so costs and effects after {} are left out. did you mean `end` in {}s, or a longer `simulation.horizon`?",
                            spec.name,
                            number(end),
                            number(sc.simulation.horizon),
                            number(sc.simulation.horizon),
                            unit.as_str()
                        ),
                    );
                }
            }
        }
    }
    w.out
}

struct Warnings<'c, 'a> {
    cx: &'c Cx<'a>,
    out: Vec<String>,
}

impl Warnings<'_, '_> {
    /// `FILE:LINE:COL: KEY: warning: text`, from the error renderer so the
    /// position and key path read exactly like an error's.
    fn push(&mut self, span: &Range<usize>, text: String) {
        let located = self.cx.err(span, "\u{0}").message;
        let msg = located.replacen('\u{0}', &format!("warning: {text}"), 1);
        if !self.out.contains(&msg) {
            self.out.push(msg);
        }
    }

    fn hazard(&mut self, h: &Num, unit: TimeUnit) {
        let x = *h.get_ref();
        let per_month = x / months_per_unit(unit.as_str());
        if per_month > MAX_HAZARD_PER_MONTH {
            let u = unit.as_str();
            // Half the customers have left after ln 2 / h time units.
            let half = std::f64::consts::LN_2 / x;
            let meant = if x >= 1.0 {
                format!(
                    "did you mean {} ({}% a {u})? or write the share lost in a year as `lost_per_year`",
                    number(x / 100.0),
                    number(x)
                )
            } else {
                format!(
                    "if {} is the share of customers lost in a year, write `lost_per_year = {}` in place of `dropout`",
                    number(x),
                    number(x)
                )
            };
            let monthly = if unit == TimeUnit::Month {
                String::new()
            } else {
                format!(" ({} a month)", sig3(per_month))
            };
            self.push(
                &h.span(),
                format!(
                    "a hazard of {} per {u}{monthly} means half the customers are gone within {} {u}s; {meant}",
                    number(x),
                    sig3(half),
                ),
            );
        }
    }

    fn response(&mut self, r: &RawResponse) {
        for key in ["member_churn", "referred_churn"] {
            let Some(v) = r.get(key) else { continue };
            let (x, span) = match v.get_ref() {
                RawAssumption::Fixed(x) => (*x, v.span()),
                RawAssumption::Dist(d) => match largest(d) {
                    Some((x, s)) => (x, s),
                    None => continue,
                },
            };
            if x > MAX_CHURN_MULTIPLIER {
                let meant = if x >= 10.0 {
                    format!(
                        "; did you mean {} (a multiple, not a percent)?",
                        number(x / 100.0)
                    )
                } else {
                    String::new()
                };
                self.push(
                    &span,
                    format!(
                        "{key} is a multiplier on the leaving rate (0.95 = 5% less likely to leave); {} makes those customers leave {} times as fast{meant}",
                        number(x),
                        number(x)
                    ),
                );
            }
        }
    }
}

/// The largest value a distribution of a response key names, with its span.
fn largest(d: &RawDist) -> Option<(f64, Range<usize>)> {
    let n = |v: &Spanned<f64>| Some((*v.get_ref(), v.span()));
    match d {
        RawDist::Fixed(v) => n(v),
        RawDist::Uniform(u) => n(&u.max),
        RawDist::Triangular(t) => n(&t.max),
        RawDist::Lognormal(l) => n(&l.mean),
        RawDist::Exponential(e) => n(&e.mean),
        RawDist::Gamma(g) => g.mean.as_ref().and_then(n),
        _ => None,
    }
}

/// Three significant digits.
fn sig3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return number(x);
    }
    let digits = (2 - x.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
