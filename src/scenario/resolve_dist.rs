//! Distribution tables (docs/scenario-format.md) and dropout models (docs/scenario-format.md): raw → resolved.
//!
//! Each user-facing parameterisation is reduced to the one the samplers use
//! (gamma → shape and scale, log-normal → mu and sigma of the logarithm), and
//! every parameter the mathematics needs positive is checked here, so the
//! engine never meets a NaN from a bad scenario.

use super::check::{Bound, Cx, Result};
use super::dist::{Basket, Dist, Dropout};
use super::raw::{RawDist, RawDropout, RawGamma, RawTriangular};
use toml::Spanned;

/// A distribution of a per-customer quantity (`purchase_rate`): no `gamma_gamma`.
pub(crate) fn dist(cx: &Cx<'_>, d: &Spanned<RawDist>) -> Result<Dist> {
    Ok(match d.get_ref() {
        RawDist::Fixed(x) => Dist::Fixed(cx.num(x, Bound::NonNeg, "a value")?),
        RawDist::Gamma(g) => gamma(cx, g)?,
        RawDist::Lognormal(l) => {
            let mean = cx.num(&l.mean, Bound::Pos, "a mean")?;
            let sd = cx.num(&l.sd, Bound::NonNeg, "a standard deviation")?;
            // sd = 0 is a point mass; keep it exact rather than sigma = 0 log-normal.
            if sd == 0.0 {
                Dist::Fixed(mean)
            } else {
                Dist::lognormal_from_moments(mean, sd)
            }
        }
        RawDist::Exponential(e) => Dist::Exponential {
            mean: cx.num(&e.mean, Bound::Pos, "a mean")?,
        },
        RawDist::Beta(b) => Dist::Beta {
            a: cx.num(&b.a, Bound::Pos, "a shape a")?,
            b: cx.num(&b.b, Bound::Pos, "a shape b")?,
        },
        RawDist::Uniform(u) => {
            let min = cx.num(&u.min, Bound::NonNeg, "a minimum")?;
            let max = cx.num(&u.max, Bound::NonNeg, "a maximum")?;
            if max < min {
                return Err(cx.err(
                    &u.max.span(),
                    format!("`{max}` is below min = {min}. expected max >= min"),
                ));
            }
            if max == min {
                Dist::Fixed(min)
            } else {
                Dist::Uniform { min, max }
            }
        }
        RawDist::Triangular(t) => triangular(cx, t)?,
        RawDist::GammaGamma(_) => {
            return Err(cx.err(
                &d.span(),
                "`gamma_gamma` is only for `basket` (it describes spend per purchase). \
                 allowed here: fixed, gamma, lognormal, exponential, beta, uniform, triangular",
            ));
        }
    })
}

/// The list value of a purchase: any distribution, or `gamma_gamma`.
pub(crate) fn basket(cx: &Cx<'_>, d: &Spanned<RawDist>) -> Result<Basket> {
    match d.get_ref() {
        RawDist::GammaGamma(g) => {
            let p = cx.num(&g.p, Bound::Pos, "a shape p")?;
            // The segment's mean basket is p * gamma / (q - 1): finite only for q > 1.
            let q = *g.q.get_ref();
            if q.is_finite() && q <= 1.0 {
                return Err(cx.err(
                    &g.q.span(),
                    format!(
                        "`{q}` is out of range. expected q > 1: the mean basket is p * gamma / (q - 1), \
                         which is infinite for q <= 1"
                    ),
                ));
            }
            let q = cx.num(&g.q, Bound::Above(1.0), "a shape q")?;
            let gamma = cx.num(&g.gamma, Bound::Pos, "a scale gamma")?;
            Ok(Basket::GammaGamma { p, q, gamma })
        }
        _ => Ok(Basket::Iid(dist(cx, d)?)),
    }
}

/// `{ gamma = { shape, rate | scale | mean } }` → shape and scale.
fn gamma(cx: &Cx<'_>, g: &RawGamma) -> Result<Dist> {
    let shape = cx.num(&g.shape, Bound::Pos, "a shape")?;
    let given: Vec<(&str, &super::raw::Num)> =
        [("rate", &g.rate), ("scale", &g.scale), ("mean", &g.mean)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
            .collect();
    match given.as_slice() {
        [] => Err(cx.err(
            &g.shape.span(),
            "gamma needs one of `rate`, `scale` or `mean` besides `shape`",
        )),
        [(kind, v)] => {
            let x = cx.num(v, Bound::Pos, &format!("a {kind}"))?;
            let scale = match *kind {
                "rate" => 1.0 / x,
                "scale" => x,
                _ => x / shape,
            };
            Ok(Dist::Gamma { shape, scale })
        }
        [(first, _), (second, v), ..] => Err(cx.err(
            &v.span(),
            format!(
                "give exactly one of `rate`, `scale` or `mean`, found `{first}` and `{second}`"
            ),
        )),
    }
}

/// `{ triangular = { min, mode, max } }`: 0 ≤ min ≤ mode ≤ max; min = max is
/// a point mass (kept exact as `Fixed`, like a zero-width uniform).
fn triangular(cx: &Cx<'_>, t: &RawTriangular) -> Result<Dist> {
    let min = cx.num(&t.min, Bound::NonNeg, "a minimum")?;
    let mode = cx.num(&t.mode, Bound::NonNeg, "a mode")?;
    let max = cx.num(&t.max, Bound::NonNeg, "a maximum")?;
    if mode < min {
        return Err(cx.err(
            &t.mode.span(),
            format!("`{mode}` is below min = {min}. expected min <= mode <= max"),
        ));
    }
    if max < mode {
        return Err(cx.err(
            &t.max.span(),
            format!("`{max}` is below mode = {mode}. expected min <= mode <= max"),
        ));
    }
    Ok(if max == min {
        Dist::Fixed(min)
    } else {
        Dist::Triangular { min, mode, max }
    })
}

/// Churn: `"none"`, a hazard, BG or Pareto.
pub(crate) fn dropout(cx: &Cx<'_>, d: &Spanned<RawDropout>) -> Result<Dropout> {
    Ok(match d.get_ref() {
        RawDropout::None => Dropout::None,
        RawDropout::Hazard(h) => {
            Dropout::Hazard(cx.num(h, Bound::NonNeg, "a hazard per time unit")?)
        }
        RawDropout::Bg(b) => Dropout::Bg {
            a: cx.num(&b.a, Bound::Pos, "a shape a")?,
            b: cx.num(&b.b, Bound::Pos, "a shape b")?,
        },
        RawDropout::Pareto(p) => Dropout::Pareto {
            shape: cx.num(&p.shape, Bound::Pos, "a shape")?,
            rate: cx.num(&p.rate, Bound::Pos, "a rate")?,
        },
    })
}
