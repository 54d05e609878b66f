//! Inputs in business terms ("visits a year", "customers lost a year",
//! "average receipt", "new customers a year"), each resolved to the exact
//! statistical form the engine runs, so a scenario written either way runs
//! the same model (docs/scenario-format.md, "Business terms").
//!
//! A business key and the statistical key it stands for must not both be
//! given; the message names both.

use super::check::{Bound, Cx, Result};
use super::dist::{Basket, Dist, Dropout};
use super::raw::{Num, RawSegment, RawSpread};
use super::suggest::did_you_mean;
use super::{TimeUnit, resolve_dist, units_per_year};
use crate::input::number;
use toml::Spanned;

/// The spread words and the coefficient of variation each stands for.
pub const SPREAD_WORDS: [(&str, f64); 4] = [
    ("none", 0.0),
    ("similar", 0.5),
    ("varied", 1.0),
    ("very varied", 2.0),
];

/// `visits_spread` when not given: "varied" (coefficient of variation 1).
pub const DEFAULT_VISITS_SPREAD: f64 = 1.0;
/// `receipt_spread` when not given: "similar" (coefficient of variation 0.5).
pub const DEFAULT_RECEIPT_SPREAD: f64 = 0.5;

/// The constant hazard per time unit under which a share `lost` of the
/// customers active at the start of a year has left by its end:
/// 1 − exp(−h × units a year) = lost.
pub fn hazard_from_lost_per_year(lost: f64, unit: TimeUnit) -> f64 {
    -(-lost).ln_1p() / units_per_year(unit)
}

/// Purchases per time unit with mean `visits_per_year / units a year` and
/// coefficient of variation `cv` across customers: gamma with shape 1/cv²
/// (a point mass for cv = 0).
pub fn purchase_rate_from_visits(visits_per_year: f64, cv: f64, unit: TimeUnit) -> Dist {
    let mean = visits_per_year / units_per_year(unit);
    if cv == 0.0 || mean == 0.0 {
        return Dist::Fixed(mean);
    }
    let shape = 1.0 / (cv * cv);
    Dist::Gamma {
        shape,
        scale: mean / shape,
    }
}

/// A basket with mean `receipt` and coefficient of variation `cv`: log-normal
/// with sd = cv × mean (a point mass for cv = 0).
pub fn basket_from_receipt(receipt: f64, cv: f64) -> Basket {
    let sd = cv * receipt;
    Basket::Iid(if sd == 0.0 {
        Dist::Fixed(receipt)
    } else {
        Dist::lognormal_from_moments(receipt, sd)
    })
}

/// "`a` and `b` say the same thing" at `a`'s position.
fn both(cx: &Cx<'_>, at: &Num, business: &str, stat: &str, what: &str) -> super::ScenarioError {
    cx.err(
        &at.span(),
        format!(
            "`{business}` and `{stat}` both give {what}; give one of them (`{business}` is resolved to `{stat}`)"
        ),
    )
}

/// A spread: a coefficient of variation >= 0 or one of [`SPREAD_WORDS`].
fn spread(cx: &Cx<'_>, s: Option<&Spanned<RawSpread>>, default: f64) -> Result<(f64, String)> {
    let Some(s) = s else {
        let word = SPREAD_WORDS
            .iter()
            .find(|(_, c)| *c == default)
            .map_or(String::new(), |(w, _)| format!(" (\"{w}\", the default)"));
        return Ok((default, format!("{}{word}", number(default))));
    };
    match s.get_ref() {
        RawSpread::Cv(c) => {
            if !(c.is_finite() && *c >= 0.0) {
                return Err(cx.err(
                    &s.span(),
                    format!(
                        "`{}` is out of range. expected a coefficient of variation >= 0 (sd / mean; 0 = everyone alike, 1 = varied) or one of {}",
                        number(*c),
                        spread_words()
                    ),
                ));
            }
            Ok((*c, number(*c)))
        }
        RawSpread::Word(w) => {
            let norm = w.trim().to_lowercase().replace(['_', '-'], " ");
            match SPREAD_WORDS.iter().find(|(k, _)| *k == norm) {
                Some((k, c)) => Ok((*c, format!("\"{k}\" = {}", number(*c)))),
                None => {
                    let mut msg = format!("unknown spread `{w}`");
                    if let Some(m) = did_you_mean(&norm, SPREAD_WORDS.iter().map(|(k, _)| *k)) {
                        msg.push_str(&format!("; did you mean \"{m}\"?"));
                    } else {
                        msg.push('.');
                    }
                    msg.push_str(&format!(
                        " expected a coefficient of variation (e.g. 0.8) or one of {}",
                        spread_words()
                    ));
                    Err(cx.err(&s.span(), msg))
                }
            }
        }
    }
}

fn spread_words() -> String {
    SPREAD_WORDS
        .iter()
        .map(|(w, c)| format!("\"{w}\" ({})", number(*c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A segment's purchase rate, dropout and basket, from either form. Lines
/// describing each business-term resolution are pushed to `resolved`.
pub(crate) fn segment(
    cx: &Cx<'_>,
    seg: &Spanned<RawSegment>,
    path: &str,
    unit: TimeUnit,
    resolved: &mut Vec<String>,
) -> Result<(Dist, Dropout, Basket)> {
    let s = seg.get_ref();
    let u = unit.as_str();
    let missing = |key: &str, hint: &str| {
        cx.err_path(
            &seg.span(),
            &format!("{path}.{key}"),
            format!("missing required key; expected {hint}"),
        )
    };
    // How often customers buy.
    let rate = match (&s.purchase_rate, &s.visits_per_year) {
        (Some(_), Some(v)) => {
            return Err(both(
                cx,
                v,
                "visits_per_year",
                "purchase_rate",
                "how often customers buy",
            ));
        }
        (Some(d), None) => {
            if let Some(sp) = &s.visits_spread {
                return Err(cx.err(
                    &sp.span(),
                    "`visits_spread` goes with `visits_per_year`, not with `purchase_rate`; the spread of a purchase_rate distribution is in its parameters",
                ));
            }
            resolve_dist::dist(cx, d)?
        }
        (None, Some(v)) => {
            let visits = cx.num(v, Bound::NonNeg, "a number of visits a year")?;
            let (cv, shown) = spread(cx, s.visits_spread.as_ref(), DEFAULT_VISITS_SPREAD)?;
            let d = purchase_rate_from_visits(visits, cv, unit);
            resolved.push(format!(
                "{path}: visits_per_year = {}, visits_spread = {shown} -> purchase_rate = {} per {u}",
                number(visits),
                describe_dist(&d)
            ));
            d
        }
        (None, None) => {
            return Err(missing(
                "purchase_rate",
                "a distribution of purchases per time unit, e.g. `{ gamma = { shape = 2, mean = 1.2 } }`, or `visits_per_year = 14`",
            ));
        }
    };
    // How customers leave.
    let dropout = match (&s.dropout, &s.lost_per_year) {
        (Some(_), Some(l)) => {
            return Err(both(
                cx,
                l,
                "lost_per_year",
                "dropout",
                "how customers leave",
            ));
        }
        (Some(d), None) => resolve_dist::dropout(cx, d)?,
        (None, Some(l)) => {
            let lost = cx.num(
                l,
                Bound::UnitOpen,
                "a share of active customers lost in a year",
            )?;
            let h = hazard_from_lost_per_year(lost, unit);
            resolved.push(format!(
                "{path}: lost_per_year = {} -> dropout = {{ hazard = {} }} per {u}",
                number(lost),
                sig(h)
            ));
            Dropout::Hazard(h)
        }
        (None, None) => {
            return Err(missing(
                "dropout",
                "\"none\", `{ hazard = h }`, `{ bg = { a, b } }` or `{ pareto = { shape, rate } }`, or `lost_per_year = 0.2`",
            ));
        }
    };
    // What a purchase is worth.
    let basket = match (&s.basket, &s.mean_receipt) {
        (Some(_), Some(m)) => {
            return Err(both(
                cx,
                m,
                "mean_receipt",
                "basket",
                "the value of a purchase",
            ));
        }
        (Some(b), None) => {
            if let Some(sp) = &s.receipt_spread {
                return Err(cx.err(
                    &sp.span(),
                    "`receipt_spread` goes with `mean_receipt`, not with `basket`; the spread of a basket distribution is in its parameters",
                ));
            }
            resolve_dist::basket(cx, b)?
        }
        (None, Some(m)) => {
            let receipt = cx.num(m, Bound::Pos, "an average receipt")?;
            let (cv, shown) = spread(cx, s.receipt_spread.as_ref(), DEFAULT_RECEIPT_SPREAD)?;
            let b = basket_from_receipt(receipt, cv);
            let stat = match cv * receipt {
                0.0 => format!("{{ fixed = {} }}", number(receipt)),
                sd => format!(
                    "{{ lognormal = {{ mean = {}, sd = {} }} }}",
                    number(receipt),
                    sig(sd)
                ),
            };
            resolved.push(format!(
                "{path}: mean_receipt = {}, receipt_spread = {shown} -> basket = {stat}",
                number(receipt)
            ));
            b
        }
        (None, None) => {
            return Err(missing(
                "basket",
                "a distribution of the list value of one purchase, e.g. `{ lognormal = { mean = 85, sd = 40 } }`, or `mean_receipt = 85`",
            ));
        }
    };
    Ok((rate, dropout, basket))
}

/// A resolved purchase-rate distribution as the user would write it.
fn describe_dist(d: &Dist) -> String {
    match d {
        Dist::Fixed(x) => format!("{{ fixed = {} }}", sig(*x)),
        Dist::Gamma { shape, scale } => format!(
            "{{ gamma = {{ shape = {}, mean = {} }} }}",
            sig(*shape),
            sig(shape * scale)
        ),
        other => format!("{other:?}"),
    }
}

/// Six significant digits, trailing zeros dropped.
pub(crate) fn sig(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return number(x);
    }
    let digits = (5 - x.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `organic`, and `(referral_rate, referral_conversion)` when the business
/// form sets word of mouth.
pub(crate) type NewCustomers = (f64, Option<(f64, f64)>);

/// New customers a year (and the share of them from recommendations) →
/// `organic` and word of mouth at the start. Returns `organic` and, with
/// `from_recommendations`, `(referral_rate, referral_conversion)`; `None`
/// without `new_per_year`.
pub(crate) fn acquisition(
    cx: &Cx<'_>,
    a: &super::raw::RawAcquisition,
    unit: TimeUnit,
    customers: u64,
    market_size: Option<f64>,
    resolved: &mut Vec<String>,
) -> Result<Option<NewCustomers>> {
    let Some(n) = &a.new_per_year else {
        if let Some(f) = &a.from_recommendations {
            return Err(cx.err(
                &f.span(),
                "`from_recommendations` is a share of `new_per_year`; add `new_per_year = ...` (new customers a year)",
            ));
        }
        return Ok(None);
    };
    for (key, v) in [("organic", &a.organic), ("innovation", &a.innovation)] {
        if v.is_some() {
            return Err(both(
                cx,
                n,
                "new_per_year",
                key,
                "how many new customers come",
            ));
        }
    }
    let new = cx.num(n, Bound::NonNeg, "a number of new customers a year")?;
    let share = match &a.from_recommendations {
        Some(f) => {
            for (key, v) in [
                ("referral_rate", &a.referral_rate),
                ("referral_conversion", &a.referral_conversion),
            ] {
                if v.is_some() {
                    return Err(both(
                        cx,
                        f,
                        "from_recommendations",
                        key,
                        "how many customers come by word of mouth",
                    ));
                }
            }
            cx.num(f, Bound::Unit, "a share of the new customers")?
        }
        None => 0.0,
    };
    let per_unit = new / units_per_year(unit);
    let organic = (1.0 - share) * per_unit;
    let u = unit.as_str();
    if share == 0.0 {
        resolved.push(format!(
            "acquisition: new_per_year = {} -> organic = {} per {u}",
            number(new),
            sig(organic)
        ));
        return Ok(Some((organic, None)));
    }
    let span = a
        .from_recommendations
        .as_ref()
        .map(|f| f.span())
        .unwrap_or(n.span());
    if customers == 0 {
        return Err(cx.err(
            &span,
            "recommendations need customers to make them, and `population.customers` is 0. expected `from_recommendations = 0`, or customers at the start",
        ));
    }
    let remaining = match market_size {
        Some(m) if (customers as f64) >= m => {
            return Err(cx.err(
                &span,
                format!(
                    "the market ({}) is already full with {customers} customers, so nobody is left to recommend the shop to. expected a larger `market_size`",
                    number(m)
                ),
            ));
        }
        Some(m) => (m - customers as f64) / m,
        None => 1.0,
    };
    let referral_rate = share * per_unit / (customers as f64 * remaining);
    resolved.push(format!(
        "acquisition: new_per_year = {}, from_recommendations = {} -> organic = {} per {u}, referral_rate = {} per {u}, referral_conversion = 1",
        number(new),
        number(share),
        sig(organic),
        sig(referral_rate)
    ));
    Ok(Some((organic, Some((referral_rate, 1.0)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_of_the_hazard_loses_the_stated_share() {
        for unit in [
            TimeUnit::Day,
            TimeUnit::Week,
            TimeUnit::Month,
            TimeUnit::Year,
        ] {
            let h = hazard_from_lost_per_year(0.2, unit);
            let kept = (-h * units_per_year(unit)).exp();
            assert!((kept - 0.8).abs() < 1e-14, "{unit:?}: {kept}");
        }
        assert_eq!(hazard_from_lost_per_year(0.0, TimeUnit::Month), 0.0);
    }

    #[test]
    fn visits_become_a_gamma_with_the_stated_mean_and_cv() {
        let d = purchase_rate_from_visits(24.0, 0.5, TimeUnit::Month);
        assert_eq!(
            d,
            Dist::Gamma {
                shape: 4.0,
                scale: 0.5
            }
        );
        assert_eq!(
            purchase_rate_from_visits(52.0, 0.0, TimeUnit::Year),
            Dist::Fixed(52.0)
        );
        // cv of a gamma = 1 / sqrt(shape).
        if let Dist::Gamma { shape, scale } = purchase_rate_from_visits(10.0, 2.0, TimeUnit::Week) {
            assert!((1.0 / shape.sqrt() - 2.0).abs() < 1e-15);
            assert!((shape * scale - 10.0 / (365.25 / 7.0)).abs() < 1e-15);
        } else {
            panic!("gamma expected");
        }
    }

    #[test]
    fn significant_digits() {
        assert_eq!(sig(0.018_593_443_4), "0.0185934");
        assert_eq!(sig(1.0), "1");
        assert_eq!(sig(1234.5678), "1234.57");
    }
}
