//! `[[program]]` tables: raw → [`ProgramSpec`] (docs/scenario-format.md).
//!
//! Each mechanism section is checked on its own; defaults that depend on
//! other sections (`end` = horizon, stamps' `reward_cost_ratio` =
//! 1 - gross_margin) are applied here so the engine never has to know them.

use super::check::{Bound, Cx, Result};
use super::raw::{RawDiscount, RawPoints, RawProgram, RawScript, RawStamps, RawWinback};
use super::resolve_response;
use super::{
    Business, CatalogItem, Costs, Discount, Dist, Points, ProgramSpec, Referral, ScriptSpec,
    Simulation, Stamps, Tier, TierBasis, Winback,
};
use crate::model::assumptions::{Assumption, Target};
use toml::Spanned;

/// The name the results use for the no-program control.
const CONTROL_NAME: &str = "baseline";

/// The programs in file order, and the values among them the scenario is
/// unsure of (a win-back `response` given as a distribution), each drawn
/// once per replication like an uncertain `[response]` key.
pub(crate) fn programs(
    cx: &Cx<'_>,
    list: &Spanned<Vec<Spanned<RawProgram>>>,
    sim: &Simulation,
    business: &Business,
) -> Result<(Vec<ProgramSpec>, Vec<Assumption>)> {
    let mut out: Vec<ProgramSpec> = Vec::new();
    let mut assumptions = Vec::new();
    for p in list.get_ref() {
        let (spec, winback_dist) = program(cx, p.get_ref(), sim, business)?;
        if let Some(first) = out.iter().position(|q| q.name == spec.name) {
            return Err(cx.err(
                &p.get_ref().name.span(),
                format!(
                    "duplicate program name `{}` (also program[{first}]). expected a unique name per program",
                    spec.name
                ),
            ));
        }
        if let Some(dist) = winback_dist {
            assumptions.push(Assumption {
                target: Target::Winback { program: out.len() },
                label: format!("program[{}].winback.response", spec.name),
                dist,
                documented: false,
            });
        }
        out.push(spec);
    }
    Ok((out, assumptions))
}

/// One program, and the distribution of its win-back `response` when that
/// is uncertain.
fn program(
    cx: &Cx<'_>,
    p: &RawProgram,
    sim: &Simulation,
    business: &Business,
) -> Result<(ProgramSpec, Option<Dist>)> {
    let name = p.name.get_ref().trim();
    cx.printable(&p.name)?;
    if name.is_empty() {
        return Err(cx.err(
            &p.name.span(),
            "empty name. expected a name that tells programs apart in reports",
        ));
    }
    if name == CONTROL_NAME {
        return Err(cx.err(
            &p.name.span(),
            "`baseline` is the name of the no-program control in the results. expected another name",
        ));
    }
    let start = cx.num_or(&p.start, 0.0, Bound::NonNeg, "a start time in time units")?;
    if let Some(s) = &p.start
        && start >= sim.horizon
    {
        return Err(cx.err(
            &s.span(),
            format!(
                "`{start}` is not before the horizon ({}). expected a start time < horizon",
                sim.horizon
            ),
        ));
    }
    let end = cx.num_or(
        &p.end,
        sim.horizon,
        Bound::NonNeg,
        "an end time in time units",
    )?;
    if let Some(e) = &p.end
        && end <= start
    {
        return Err(cx.err(
            &e.span(),
            format!("`{end}` is not after start ({start}). expected end > start"),
        ));
    }
    let costs = match &p.costs {
        Some(c) => {
            let c = c.get_ref();
            let money = "a cost in currency";
            Costs {
                setup: cx.num_or(&c.setup, 0.0, Bound::NonNeg, money)?,
                per_member: cx.num_or(&c.per_member, 0.0, Bound::NonNeg, money)?,
                per_member_per_unit: cx.num_or(
                    &c.per_member_per_unit,
                    0.0,
                    Bound::NonNeg,
                    money,
                )?,
                per_unit: cx.num_or(&c.per_unit, 0.0, Bound::NonNeg, money)?,
            }
        }
        None => Costs::default(),
    };
    let (winback, winback_dist) = match &p.winback {
        Some(w) => {
            let (w, dist) = winback(cx, w.get_ref())?;
            (Some(w), dist)
        }
        None => (None, None),
    };
    let spec = ProgramSpec {
        name: name.to_string(),
        enrolment: cx.num_or(&p.enrolment, 1.0, Bound::Unit, "a probability")?,
        start,
        end,
        costs,
        discount: p.discount.as_ref().map(|d| discount(cx, d)).transpose()?,
        points: p
            .points
            .as_ref()
            .map(|d| points(cx, d.get_ref()))
            .transpose()?,
        stamps: p
            .stamps
            .as_ref()
            .map(|d| stamps(cx, d.get_ref(), business))
            .transpose()?,
        referral: match &p.referral {
            Some(r) => {
                let r = r.get_ref();
                Some(Referral {
                    referrer_reward: cx.num(
                        &r.referrer_reward,
                        Bound::NonNeg,
                        "a reward in currency",
                    )?,
                    referee_reward: cx.num(
                        &r.referee_reward,
                        Bound::NonNeg,
                        "a reward in currency",
                    )?,
                    referral_boost: cx.num_opt(&r.referral_boost, Bound::NonNeg, "a multiplier")?,
                })
            }
            None => None,
        },
        script: p
            .script
            .as_ref()
            .map(|s| script(cx, s.get_ref(), sim))
            .transpose()?,
        welcome_gift: cx.num_or(
            &p.welcome_gift,
            0.0,
            Bound::NonNeg,
            "a gift's cost in currency",
        )?,
        welcome_discount: cx.num_or(
            &p.welcome_discount,
            0.0,
            Bound::UnitOpen,
            "a discount rate on the first purchase as a member",
        )?,
        winback,
    };
    Ok((spec, winback_dist))
}

/// `[program.winback]`: `every` defaults to `after`, `max_messages` to 1,
/// `message_cost` to 0. `response` is a number, or a distribution (any kind
/// of docs/scenario-format.md, "Distributions", inside [0, 1]) returned
/// beside the campaign, which then holds its median. A distribution of zero
/// width is the number it stands for.
fn winback(cx: &Cx<'_>, w: &RawWinback) -> Result<(Winback, Option<Dist>)> {
    let after = cx.num(
        &w.after,
        Bound::Pos,
        "a time without purchases in time units",
    )?;
    let (response, dist) = resolve_response::value(
        cx,
        &w.response,
        "response",
        "a chance that one message brings a lapsed customer back",
        Bound::Unit,
    )?;
    let dist = dist.filter(|d| d.quantile(0.0) < d.quantile(1.0));
    let campaign = Winback {
        after,
        every: cx.num_or(
            &w.every,
            after,
            Bound::Pos,
            "a time between messages in time units",
        )?,
        max_messages: match &w.max_messages {
            Some(n) => u32::try_from(cx.int(
                n,
                1,
                i64::from(u32::MAX),
                "a number of messages per quiet spell",
            )?)
            .unwrap_or(u32::MAX),
            None => 1,
        },
        message_cost: cx.num_or(
            &w.message_cost,
            0.0,
            Bound::NonNeg,
            "a cost per message in currency",
        )?,
        response,
    };
    Ok((campaign, dist))
}

/// A flat `rate` becomes one tier from 0. Tiers whose first threshold is above
/// 0 get a 0% tier from 0 in front: below the first threshold there is no discount.
fn discount(cx: &Cx<'_>, d: &Spanned<RawDiscount>) -> Result<Discount> {
    let raw = d.get_ref();
    let rate_what = "a discount rate";
    let basis_given = match &raw.tier_basis {
        Some(b) => Some(match b.get_ref().as_str() {
            "spend" => TierBasis::Spend,
            "purchases" => TierBasis::Purchases,
            other => {
                return Err(cx.err(
                    &b.span(),
                    format!("unknown tier basis `{other}`. allowed: \"spend\", \"purchases\""),
                ));
            }
        }),
        None => None,
    };
    let tiers = match (&raw.rate, &raw.tiers) {
        (Some(_), Some(t)) => {
            return Err(cx.err(
                &t.span(),
                "give either `rate` (one flat rate) or `tiers`, not both",
            ));
        }
        (None, None) => {
            return Err(cx.err(
                &d.span(),
                "missing `rate` or `tiers`. expected e.g. `rate = 0.05` or `tiers = [{ from_spend = 0, rate = 0.03 }, { from_spend = 500, rate = 0.05 }]`",
            ));
        }
        (Some(r), None) => {
            return Ok(Discount {
                tiers: vec![Tier {
                    from: 0.0,
                    rate: cx.num(r, Bound::UnitOpen, rate_what)?,
                }],
                basis: basis_given.unwrap_or(TierBasis::Spend),
            });
        }
        (None, Some(t)) => t,
    };
    if tiers.get_ref().is_empty() {
        return Err(cx.err(
            &tiers.span(),
            "no tiers. expected at least one `{ from_spend = ..., rate = ... }`",
        ));
    }
    let mut basis = basis_given;
    let mut out: Vec<Tier> = Vec::new();
    for t in tiers.get_ref() {
        let raw_t = t.get_ref();
        let (this_basis, from) = match (&raw_t.from_spend, &raw_t.from_purchases) {
            (Some(f), None) => (TierBasis::Spend, f),
            (None, Some(f)) => (TierBasis::Purchases, f),
            _ => {
                return Err(cx.err(
                    &t.span(),
                    "a tier needs exactly one of `from_spend` (cumulative spend) or `from_purchases` (number of purchases)",
                ));
            }
        };
        if let Some(b) = basis
            && b != this_basis
        {
            return Err(cx.err(
                &from.span(),
                "all tiers must use the same threshold as each other and as `tier_basis`: \
                     `from_spend` with \"spend\", `from_purchases` with \"purchases\"",
            ));
        }
        basis = Some(this_basis);
        let from_v = cx.num(from, Bound::NonNeg, "a threshold")?;
        if let Some(prev) = out.last()
            && from_v <= prev.from
        {
            return Err(cx.err(
                    &from.span(),
                    format!("`{from_v}` does not exceed the previous tier's {}. expected tiers in increasing order", prev.from),
                ));
        }
        out.push(Tier {
            from: from_v,
            rate: cx.num(&raw_t.rate, Bound::UnitOpen, rate_what)?,
        });
    }
    if out.first().is_some_and(|t| t.from > 0.0) {
        out.insert(
            0,
            Tier {
                from: 0.0,
                rate: 0.0,
            },
        );
    }
    Ok(Discount {
        tiers: out,
        basis: basis.unwrap_or(TierBasis::Spend),
    })
}

fn points(cx: &Cx<'_>, p: &RawPoints) -> Result<Points> {
    let catalog = match &p.catalog {
        Some(items) => items
            .get_ref()
            .iter()
            .map(|it| {
                let it = it.get_ref();
                Ok(CatalogItem {
                    points: cx.num(&it.points, Bound::Pos, "a number of points")?,
                    value: cx.num(&it.value, Bound::NonNeg, "a reward value in currency")?,
                })
            })
            .collect::<Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    Ok(Points {
        earn: cx.num(&p.earn, Bound::NonNeg, "points per currency unit")?,
        point_value: cx.num(
            &p.point_value,
            Bound::NonNeg,
            "a value per point in currency",
        )?,
        redeem_threshold: cx.num(&p.redeem_threshold, Bound::Pos, "a number of points")?,
        expiry: cx.num_opt(&p.expiry, Bound::Pos, "a lifetime in time units")?,
        welcome_points: cx.num_or(&p.welcome_points, 0.0, Bound::NonNeg, "a number of points")?,
        redeem_probability: cx.num_or(&p.redeem_probability, 1.0, Bound::Unit, "a probability")?,
        reward_cost_ratio: cx.num_or(
            &p.reward_cost_ratio,
            1.0,
            Bound::NonNeg,
            "a cost per unit of reward value",
        )?,
        catalog,
    })
}

fn stamps(cx: &Cx<'_>, s: &RawStamps, business: &Business) -> Result<Stamps> {
    let card_size = cx.int(&s.card_size, 1, i64::from(u32::MAX), "a number of stamps")?;
    let prestamped = match &s.prestamped {
        Some(p) => {
            let n = *p.get_ref();
            if n >= card_size {
                return Err(cx.err(
                    &p.span(),
                    format!(
                        "`{n}` is not below card_size ({card_size}): a card printed full would be a free reward. expected 0 to {}",
                        card_size - 1
                    ),
                ));
            }
            cx.int(p, 0, card_size - 1, "a number of stamps")?
        }
        None => 0,
    };
    Ok(Stamps {
        // Both fit: checked against u32::MAX and card_size above.
        card_size: u32::try_from(card_size).unwrap_or(u32::MAX),
        reward_value: cx.num(&s.reward_value, Bound::NonNeg, "a reward value in currency")?,
        prestamped: u32::try_from(prestamped).unwrap_or(0),
        min_basket: cx.num_or(
            &s.min_basket,
            0.0,
            Bound::NonNeg,
            "a basket value in currency",
        )?,
        card_expiry: cx.num_opt(&s.card_expiry, Bound::Pos, "a lifetime in time units")?,
        // A free product costs the business its cost of goods, not its list price.
        reward_cost_ratio: cx.num_or(
            &s.reward_cost_ratio,
            1.0 - business.gross_margin,
            Bound::NonNeg,
            "a cost per unit of reward value",
        )?,
        per_amount: cx.num_opt(&s.per_amount, Bound::Pos, "an amount of spend per stamp")?,
        carry_remainder: match (&s.carry_remainder, &s.per_amount) {
            (Some(c), None) => {
                return Err(cx.err(
                    &c.span(),
                    "`carry_remainder` goes with `per_amount` (one stamp per full amount spent); add `per_amount = ...` or leave it out",
                ));
            }
            (Some(c), Some(_)) => *c.get_ref(),
            (None, _) => false,
        },
    })
}

fn script(cx: &Cx<'_>, s: &RawScript, sim: &Simulation) -> Result<ScriptSpec> {
    let file = cx.dir.join(s.file.get_ref());
    let source = crate::input::read_text(&file, crate::input::SCRIPT).map_err(|e| {
        cx.err(
            &s.file.span(),
            match e {
                crate::input::ReadError::NotFound => format!(
                    "script file `{}` not found. expected a path relative to the scenario file's folder",
                    file.display()
                ),
                e => format!("script file `{}`: {e}", file.display()),
            },
        )
    })?;
    let params = s.params.clone().unwrap_or_default();
    // Compiled once here, so `loyalsim validate` reports syntax errors.
    let hooks = crate::script::compile(&file, &source, &params, sim.time_unit).map_err(|e| {
        super::error::ScenarioError {
            message: e.to_string(),
        }
    })?;
    Ok(ScriptSpec {
        file,
        source,
        params,
        hooks,
    })
}
