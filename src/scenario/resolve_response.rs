//! `[response]` and a segment's `response = { ... }`: raw → resolved.
//!
//! A number fixes a key. A distribution table says how unsure we are of it:
//! the key is drawn once per replication. A key the scenario does not give
//! takes its documented range (docs/model.md), unless `[response]` says
//! `uncertainty = false`, which keeps the documented point defaults.
//! A segment inherits every key it does not set itself, draws included.

use super::check::{Bound, Cx, Result};
use super::raw::{RawAssumption, RawResponse};
use super::resolve_dist;
use super::{Dist, Response, TimeUnit};
use crate::model::assumptions::{Assumption, Target};
use crate::model::response::{self, KeyInfo, KeyRange};
use toml::Spanned;

/// One key as resolved: its point value, and its distribution if uncertain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct KeyValue {
    pub point: f64,
    pub dist: Option<Dist>,
    /// The documented range (the scenario did not give the key).
    pub documented: bool,
    /// Given by this table itself (not inherited from `[response]`).
    pub own: bool,
}

/// The global `[response]`, in `response::KEYS` order.
pub(crate) fn global(
    cx: &Cx<'_>,
    raw: Option<&Spanned<RawResponse>>,
    unit: TimeUnit,
) -> Result<Vec<KeyValue>> {
    let r = raw.map(Spanned::get_ref);
    let uncertain = r
        .and_then(|r| r.uncertainty.as_ref())
        .is_none_or(|u| *u.get_ref());
    let months = response::months_per_unit(unit.as_str());
    let defaults = Response::for_unit(unit.as_str());
    response::KEYS
        .iter()
        .map(|k| match r.and_then(|r| r.get(k.name)) {
            Some(v) => given(cx, k, v),
            None if uncertain => {
                let (lo, mode, hi) = k.prior;
                let scale = if k.duration { 1.0 / months } else { 1.0 };
                Ok(KeyValue {
                    point: defaults.get(k.name).unwrap_or(mode),
                    dist: Some(Dist::Triangular {
                        min: lo * scale,
                        mode: mode * scale,
                        max: hi * scale,
                    }),
                    documented: true,
                    own: false,
                })
            }
            None => Ok(KeyValue {
                point: defaults.get(k.name).unwrap_or(k.default),
                dist: None,
                documented: false,
                own: false,
            }),
        })
        .collect()
}

/// A segment's `response = { ... }` over the global one.
pub(crate) fn segment(
    cx: &Cx<'_>,
    raw: Option<&Spanned<RawResponse>>,
    global: &[KeyValue],
) -> Result<Vec<KeyValue>> {
    let Some(r) = raw.map(Spanned::get_ref) else {
        return Ok(inherit(global));
    };
    if let Some(u) = &r.uncertainty {
        return Err(cx.err(
            &u.span(),
            "`uncertainty` is set for the whole scenario. expected it in `[response]`, not in a segment",
        ));
    }
    response::KEYS
        .iter()
        .zip(global)
        .map(|(k, g)| match r.get(k.name) {
            Some(v) => given(cx, k, v),
            None => Ok(KeyValue { own: false, ..*g }),
        })
        .collect()
}

fn inherit(global: &[KeyValue]) -> Vec<KeyValue> {
    global
        .iter()
        .map(|g| KeyValue { own: false, ..*g })
        .collect()
}

/// A value given in the scenario: a number, or a distribution whose whole
/// range lies within the key's.
fn given(cx: &Cx<'_>, k: &KeyInfo, v: &Spanned<RawAssumption>) -> Result<KeyValue> {
    let (point, dist) = value(cx, v, k.name, k.what, bound(k.range))?;
    Ok(KeyValue {
        point,
        dist,
        documented: false,
        own: true,
    })
}

/// A number or a distribution given for `name` (a response key, or another
/// uncertain value such as a win-back campaign's `response`): its point
/// value (the number, or the distribution's median) and its distribution if
/// uncertain. A number is checked against `bound` (`what` names a value in
/// the message); a distribution's whole range must lie within it.
pub(crate) fn value(
    cx: &Cx<'_>,
    v: &Spanned<RawAssumption>,
    name: &str,
    what: &str,
    bound: Bound,
) -> Result<(f64, Option<Dist>)> {
    match v.get_ref() {
        RawAssumption::Fixed(x) => Ok((cx.num(&Spanned::new(v.span(), *x), bound, what)?, None)),
        RawAssumption::Dist(d) => {
            let d = resolve_dist::dist(cx, &Spanned::new(v.span(), d.clone()))?;
            let (lo, hi) = (d.quantile(0.0), d.quantile(1.0));
            if !(bound.holds(lo) && bound.holds(hi)) {
                return Err(cx.err(
                    &v.span(),
                    format!(
                        "this distribution reaches from {lo} to {hi}, outside the range of {name}: expected {what} {}. \
                         a triangular, uniform or beta distribution can be kept inside it",
                        bound.describe()
                    ),
                ));
            }
            // A draw must be a finite number (the engine's shortcuts rely
            // on it): an unbounded distribution whose far tail, or whose
            // median, is already beyond the largest number would draw
            // infinity (or NaN) in some replications.
            let (median, far) = (d.quantile(0.5), d.quantile(FAR_TAIL));
            if !(median.is_finite() && far.is_finite()) {
                return Err(cx.err(
                    &v.span(),
                    format!(
                        "this distribution draws values beyond the largest number (its median is {}, \
                         its 1 - 10^-12 quantile {}): expected {what} {} as a finite number. give it a \
                         smaller mean or spread, or a triangular, uniform or beta distribution",
                        crate::input::number(median),
                        crate::input::number(far),
                        bound.describe()
                    ),
                ));
            }
            Ok((median, Some(d)))
        }
    }
}

/// The quantile an uncertain value's distribution must keep finite: beyond
/// it lies one draw in 10^12 (a draw that is not finite anyway stops the
/// run, see [`crate::model::assumptions::draw`]).
const FAR_TAIL: f64 = 1.0 - 1e-12;

fn bound(r: KeyRange) -> Bound {
    match r {
        KeyRange::NonNeg => Bound::NonNeg,
        KeyRange::Pos => Bound::Pos,
        KeyRange::Unit => Bound::Unit,
        KeyRange::Any => Bound::Any,
    }
}

/// The point values of resolved keys.
pub(crate) fn points(values: &[KeyValue]) -> Response {
    let mut r = Response::default();
    for (k, v) in response::KEYS.iter().zip(values) {
        r.set(k.name, v.point);
    }
    r
}

/// The uncertain keys: each global one covers the segments that do not set
/// the key themselves; a segment's own distribution is an assumption of its
/// own, named `segment[NAME].key`.
pub(crate) fn assumptions(
    global: &[KeyValue],
    segments: &[(&str, Vec<KeyValue>)],
) -> Vec<Assumption> {
    let mut out = Vec::new();
    for (i, k) in response::KEYS.iter().enumerate() {
        if let Some(dist) = global[i].dist {
            let covered: Vec<usize> = segments
                .iter()
                .enumerate()
                .filter(|(_, (_, v))| !v[i].own)
                .map(|(s, _)| s)
                .collect();
            if !covered.is_empty() {
                out.push(Assumption {
                    target: Target::Response {
                        key: k.name,
                        segments: covered,
                    },
                    label: k.name.to_string(),
                    dist,
                    documented: global[i].documented,
                });
            }
        }
        for (s, (name, v)) in segments.iter().enumerate() {
            if let (true, Some(dist)) = (v[i].own, v[i].dist) {
                out.push(Assumption {
                    target: Target::Response {
                        key: k.name,
                        segments: vec![s],
                    },
                    label: format!("segment[{name}].{}", k.name),
                    dist,
                    documented: false,
                });
            }
        }
    }
    out
}
