//! Plausibility warnings: values that are legal but almost surely a unit
//! mistake (a hazard of 2 meant as 2%, an innovation of 4, a churn
//! multiplier of 95 meant as 0.95, a program that ends after the horizon).
//! They do not stop a run; `--strict` turns them into errors.
//!
//! Each is a [`Warning`] located like an error (file, line, column, key
//! path) and reads `FILE:LINE:COL: KEY: warning: what looks wrong; the
//! likely intent`. The list of checks is in docs/scenario-format.md
//! ("Warnings").

use super::check::Cx;
use super::raw::{Num, RawAssumption, RawDist, RawDropout, RawResponse, RawScenario};
use super::{Scenario, TimeUnit};
use crate::model::response::months_per_unit;
use crate::warnings::Warning;
use std::ops::Range;
use toml::Spanned;

/// A hazard above this per month loses 39% of customers a month.
pub const MAX_HAZARD_PER_MONTH: f64 = 0.5;
/// Bass innovation ("p") is typically 0.001 to 0.03 per year.
pub const MAX_INNOVATION: f64 = 0.1;
/// Churn multipliers (member_churn, referred_churn) above this.
pub const MAX_CHURN_MULTIPLIER: f64 = 3.0;

/// Every warning for a resolved scenario, in file order of the checks.
pub(crate) fn warnings(cx: &Cx<'_>, raw: &RawScenario, sc: &Scenario) -> Vec<Warning> {
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
            w.push(Warning::Innovation {
                at: cx.at(&i.span()),
                innovation: x,
                unit: unit.as_str(),
            });
        }
    }
    if let Some(list) = &raw.program {
        for (p, spec) in list.get_ref().iter().zip(&sc.programs) {
            if let Some(e) = &p.get_ref().end {
                let end = *e.get_ref();
                if end > sc.simulation.horizon {
                    w.push(Warning::EndsAfterHorizon {
                        at: cx.at(&e.span()),
                        program: spec.name.clone(),
                        end,
                        horizon: sc.simulation.horizon,
                        unit: unit.as_str(),
                    });
                }
            }
        }
    }
    w.out
}

struct Warnings<'c, 'a> {
    cx: &'c Cx<'a>,
    out: Vec<Warning>,
}

impl Warnings<'_, '_> {
    /// Keep `w` unless the same warning is already there.
    fn push(&mut self, w: Warning) {
        if !self.out.contains(&w) {
            self.out.push(w);
        }
    }

    fn hazard(&mut self, h: &Num, unit: TimeUnit) {
        let x = *h.get_ref();
        let per_month = x / months_per_unit(unit.as_str());
        if per_month > MAX_HAZARD_PER_MONTH {
            self.push(Warning::Hazard {
                at: self.cx.at(&h.span()),
                hazard: x,
                unit: unit.as_str(),
                per_month,
            });
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
                self.push(Warning::ChurnMultiplier {
                    at: self.cx.at(&span),
                    key,
                    multiplier: x,
                });
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
