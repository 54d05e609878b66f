//! Stage one of loading: a serde mirror of the scenario TOML (docs/scenario-format.md).
//!
//! Every table rejects unknown keys (`deny_unknown_fields`) so a misspelt key
//! is an error, never silently ignored. Every value keeps its byte span
//! (`Spanned`) so stage two (`validate.rs`) can point at the exact line and
//! column when a value is out of range. Nothing here checks ranges or applies
//! defaults: this module only says what the file *contains*.
//!
//! Numbers that may be written as integers (`horizon = 24`) are `f64`: serde's
//! `f64` accepts TOML integers. Counts are `i64` (TOML's integer type) so a
//! negative count gets our own range message instead of a serde type error.

use serde::Deserialize;
use toml::Spanned;

/// A number with its position in the file.
pub type Num = Spanned<f64>;
/// An integer with its position in the file.
pub type Int = Spanned<i64>;
/// A string with its position in the file.
pub type Str = Spanned<String>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: Spanned<RawSimulation>,
    pub business: Spanned<RawBusiness>,
    pub population: Spanned<RawPopulation>,
    #[serde(default)]
    pub acquisition: Option<Spanned<RawAcquisition>>,
    #[serde(default)]
    pub response: Option<Spanned<RawResponse>>,
    #[serde(default)]
    pub program: Option<Spanned<Vec<Spanned<RawProgram>>>>,
    /// Parameter sweeps are read by the sweep verb; the loader only accepts the table.
    #[serde(default)]
    #[allow(dead_code)]
    pub sweep: Option<toml::Table>,
}

/// `[simulation]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    #[serde(default)]
    pub name: Option<Str>,
    pub time_unit: Str,
    pub horizon: Num,
    #[serde(default)]
    pub replications: Option<Int>,
    #[serde(default)]
    pub seed: Option<Int>,
    #[serde(default)]
    pub report_every: Option<Num>,
    #[serde(default)]
    pub baseline: Option<Spanned<bool>>,
}

/// `[business]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBusiness {
    #[serde(default)]
    pub currency: Option<Str>,
    pub gross_margin: Num,
}

/// `[population]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    #[serde(default)]
    pub customers: Option<Int>,
    #[serde(default)]
    pub cohort: Option<Str>,
    pub segment: Spanned<Vec<Spanned<RawSegment>>>,
}

/// `[[population.segment]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    pub name: Str,
    pub share: Num,
    /// Required unless `visits_per_year` is given (checked in stage two).
    #[serde(default)]
    pub purchase_rate: Option<Spanned<RawDist>>,
    /// Required unless `lost_per_year` is given.
    #[serde(default)]
    pub dropout: Option<Spanned<RawDropout>>,
    /// Required unless `mean_receipt` is given.
    #[serde(default)]
    pub basket: Option<Spanned<RawDist>>,
    /// Business form of `purchase_rate`: visits a year, on average.
    #[serde(default)]
    pub visits_per_year: Option<Num>,
    /// How much customers differ in how often they come.
    #[serde(default)]
    pub visits_spread: Option<Spanned<RawSpread>>,
    /// Business form of `dropout`: the share of active customers lost in a year.
    #[serde(default)]
    pub lost_per_year: Option<Num>,
    /// Business form of `basket`: the average receipt.
    #[serde(default)]
    pub mean_receipt: Option<Num>,
    /// How much receipts differ.
    #[serde(default)]
    pub receipt_spread: Option<Spanned<RawSpread>>,
    #[serde(default)]
    pub response: Option<Spanned<RawResponse>>,
}

impl RawSegment {
    /// Where the purchase rate is given, in either form (or the name).
    pub fn rate_span(&self) -> std::ops::Range<usize> {
        self.purchase_rate
            .as_ref()
            .map(|d| d.span())
            .or_else(|| self.visits_per_year.as_ref().map(|v| v.span()))
            .unwrap_or_else(|| self.name.span())
    }

    /// Where the basket is given, in either form (or the name).
    pub fn basket_span(&self) -> std::ops::Range<usize> {
        self.basket
            .as_ref()
            .map(|d| d.span())
            .or_else(|| self.mean_receipt.as_ref().map(|v| v.span()))
            .unwrap_or_else(|| self.name.span())
    }
}

/// A spread in business terms: a coefficient of variation or a word.
#[derive(Debug, Clone)]
pub enum RawSpread {
    Cv(f64),
    Word(String),
}

impl<'de> Deserialize<'de> for RawSpread {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = RawSpread;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a coefficient of variation (e.g. 0.8) or one of \"none\", \"similar\", \"varied\", \"very varied\"",
                )
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawSpread, E> {
                Ok(RawSpread::Cv(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawSpread, E> {
                Ok(RawSpread::Cv(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawSpread, E> {
                Ok(RawSpread::Cv(v as f64))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawSpread, E> {
                Ok(RawSpread::Word(v.to_string()))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// A one-key distribution table (docs/scenario-format.md). `gamma_gamma` is only valid for
/// `basket`; that is checked in stage two so the message can say so.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawDist {
    Fixed(Num),
    Gamma(RawGamma),
    Lognormal(RawLognormal),
    Exponential(RawExponential),
    Beta(RawBeta),
    Uniform(RawUniform),
    Triangular(RawTriangular),
    GammaGamma(RawGammaGamma),
}

/// `{ gamma = { shape, rate | scale | mean } }`: exactly one of the last three.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGamma {
    pub shape: Num,
    #[serde(default)]
    pub rate: Option<Num>,
    #[serde(default)]
    pub scale: Option<Num>,
    #[serde(default)]
    pub mean: Option<Num>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLognormal {
    pub mean: Num,
    pub sd: Num,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExponential {
    pub mean: Num,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBeta {
    pub a: Num,
    pub b: Num,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUniform {
    pub min: Num,
    pub max: Num,
}

/// `{ triangular = { min, mode, max } }`: min ≤ mode ≤ max, checked in stage two.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTriangular {
    pub min: Num,
    pub mode: Num,
    pub max: Num,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGammaGamma {
    pub p: Num,
    pub q: Num,
    pub gamma: Num,
}

/// Churn (docs/scenario-format.md): `"none"` or a one-key table.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawDropout {
    None,
    Hazard(Num),
    Bg(RawBeta),
    Pareto(RawPareto),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPareto {
    pub shape: Num,
    pub rate: Num,
}

/// `[acquisition]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAcquisition {
    #[serde(default)]
    pub market_size: Option<Num>,
    #[serde(default)]
    pub innovation: Option<Num>,
    #[serde(default)]
    pub organic: Option<Num>,
    #[serde(default)]
    pub referral_rate: Option<Num>,
    #[serde(default)]
    pub referral_conversion: Option<Num>,
    /// Business form of `organic` (and word of mouth): new customers a year.
    #[serde(default)]
    pub new_per_year: Option<Num>,
    /// The share of `new_per_year` that comes from recommendations.
    #[serde(default)]
    pub from_recommendations: Option<Num>,
}

/// `[response]` and a segment's `response = { ... }`: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResponse {
    /// `false`: keys not given keep their point defaults (no uncertainty).
    #[serde(default)]
    pub uncertainty: Option<Spanned<bool>>,
    #[serde(default)]
    pub discount_elasticity: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub reward_elasticity: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub reward_perceived: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub goal_gradient: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub reward_carryover: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub switching_cost: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub member_churn: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub referred_churn: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub referral_boost: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub v_half: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub goal_horizon: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub effect_fade: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub enrolment_selection: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub heavy_damping: Option<Spanned<RawAssumption>>,
    #[serde(default)]
    pub card_abandonment: Option<Spanned<RawAssumption>>,
}

impl RawResponse {
    /// The value given for response key `name` (a key of `model::response::KEYS`).
    pub fn get(&self, name: &str) -> Option<&Spanned<RawAssumption>> {
        match name {
            "discount_elasticity" => self.discount_elasticity.as_ref(),
            "reward_elasticity" => self.reward_elasticity.as_ref(),
            "reward_perceived" => self.reward_perceived.as_ref(),
            "goal_gradient" => self.goal_gradient.as_ref(),
            "reward_carryover" => self.reward_carryover.as_ref(),
            "switching_cost" => self.switching_cost.as_ref(),
            "member_churn" => self.member_churn.as_ref(),
            "referred_churn" => self.referred_churn.as_ref(),
            "referral_boost" => self.referral_boost.as_ref(),
            "v_half" => self.v_half.as_ref(),
            "goal_horizon" => self.goal_horizon.as_ref(),
            "effect_fade" => self.effect_fade.as_ref(),
            "enrolment_selection" => self.enrolment_selection.as_ref(),
            "heavy_damping" => self.heavy_damping.as_ref(),
            "card_abandonment" => self.card_abandonment.as_ref(),
            _ => None,
        }
    }
}

/// A response key's value: a number fixes it, a distribution table (the
/// kinds of `RawDist`) says how unsure we are about it.
#[derive(Debug)]
pub enum RawAssumption {
    Fixed(f64),
    Dist(RawDist),
}

impl<'de> Deserialize<'de> for RawAssumption {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RawAssumption;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a distribution table such as { triangular = { min = 0.1, mode = 0.2, max = 0.4 } }")
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawAssumption, E> {
                Ok(RawAssumption::Fixed(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawAssumption, E> {
                Ok(RawAssumption::Fixed(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawAssumption, E> {
                Ok(RawAssumption::Fixed(v as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                m: A,
            ) -> Result<RawAssumption, A::Error> {
                RawDist::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(RawAssumption::Dist)
            }
        }
        d.deserialize_any(Visit)
    }
}

/// `[[program]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgram {
    pub name: Str,
    #[serde(default)]
    pub enrolment: Option<Num>,
    #[serde(default)]
    pub start: Option<Num>,
    #[serde(default)]
    pub end: Option<Num>,
    #[serde(default)]
    pub costs: Option<Spanned<RawCosts>>,
    #[serde(default)]
    pub discount: Option<Spanned<RawDiscount>>,
    #[serde(default)]
    pub points: Option<Spanned<RawPoints>>,
    #[serde(default)]
    pub stamps: Option<Spanned<RawStamps>>,
    #[serde(default)]
    pub referral: Option<Spanned<RawReferral>>,
    #[serde(default)]
    pub script: Option<Spanned<RawScript>>,
    #[serde(default)]
    pub welcome_gift: Option<Num>,
    #[serde(default)]
    pub welcome_discount: Option<Num>,
    #[serde(default)]
    pub winback: Option<Spanned<RawWinback>>,
}

/// `[program.winback]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWinback {
    pub after: Num,
    #[serde(default)]
    pub every: Option<Num>,
    #[serde(default)]
    pub max_messages: Option<Int>,
    #[serde(default)]
    pub message_cost: Option<Num>,
    /// A number, or a distribution when unsure (drawn once per replication).
    pub response: Spanned<RawAssumption>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    #[serde(default)]
    pub setup: Option<Num>,
    #[serde(default)]
    pub per_member: Option<Num>,
    #[serde(default)]
    pub per_member_per_unit: Option<Num>,
    #[serde(default)]
    pub per_unit: Option<Num>,
}

/// `[program.discount]`: `rate` or `tiers`, never both.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiscount {
    #[serde(default)]
    pub rate: Option<Num>,
    #[serde(default)]
    pub tiers: Option<Spanned<Vec<Spanned<RawTier>>>>,
    #[serde(default)]
    pub tier_basis: Option<Str>,
}

/// One tier: exactly one of `from_spend` / `from_purchases`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    #[serde(default)]
    pub from_spend: Option<Num>,
    #[serde(default)]
    pub from_purchases: Option<Num>,
    pub rate: Num,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoints {
    pub earn: Num,
    pub point_value: Num,
    pub redeem_threshold: Num,
    #[serde(default)]
    pub expiry: Option<Num>,
    #[serde(default)]
    pub welcome_points: Option<Num>,
    #[serde(default)]
    pub redeem_probability: Option<Num>,
    #[serde(default)]
    pub reward_cost_ratio: Option<Num>,
    #[serde(default)]
    pub catalog: Option<Spanned<Vec<Spanned<RawCatalogItem>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalogItem {
    pub points: Num,
    pub value: Num,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStamps {
    pub card_size: Int,
    pub reward_value: Num,
    #[serde(default)]
    pub prestamped: Option<Int>,
    #[serde(default)]
    pub min_basket: Option<Num>,
    #[serde(default)]
    pub card_expiry: Option<Num>,
    #[serde(default)]
    pub reward_cost_ratio: Option<Num>,
    #[serde(default)]
    pub per_amount: Option<Num>,
    #[serde(default)]
    pub carry_remainder: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReferral {
    pub referrer_reward: Num,
    pub referee_reward: Num,
    #[serde(default)]
    pub referral_boost: Option<Num>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScript {
    pub file: Str,
    #[serde(default)]
    pub params: Option<toml::Table>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<RawScenario, toml::de::Error> {
        toml::from_str(src)
    }

    const MINIMAL: &str = r#"
[simulation]
time_unit = "month"
horizon = 24
[business]
gross_margin = 0.4
[population]
customers = 10
[[population.segment]]
name = "all"
share = 1
purchase_rate = { gamma = { shape = 2, mean = 1.5 } }
dropout = "none"
basket = { fixed = 20 }
"#;

    #[test]
    fn integers_are_accepted_where_floats_are_expected() {
        let raw = parse(MINIMAL).expect("minimal scenario parses");
        assert_eq!(*raw.simulation.get_ref().horizon.get_ref(), 24.0);
        let seg = &raw.population.get_ref().segment.get_ref()[0];
        assert_eq!(*seg.get_ref().share.get_ref(), 1.0);
        let dropout = seg.get_ref().dropout.as_ref().expect("dropout");
        assert!(matches!(dropout.get_ref(), RawDropout::None));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let src = MINIMAL.replace("horizon = 24", "horizon = 24\nhorizn = 3");
        let e = parse(&src).expect_err("unknown key");
        assert!(
            e.message().contains("unknown field `horizn`"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn sweep_table_is_accepted() {
        let src = format!("{MINIMAL}\n[sweep]\nanything = [1, 2]\n");
        assert!(parse(&src).is_ok());
    }
}
