//! A scenario: the resolved, validated description of a customer base and the
//! candidate programs, as the simulation reads it. Every value here has been
//! range-checked and every default applied; the TOML loader that builds it
//! (the `scenario` module) depends on these types, never the reverse.

use crate::model::assumptions::Assumption;
use crate::model::dist::{Basket, Dist, Dropout};
use crate::model::hooks::HooksRef;
use crate::model::response::Response;
use crate::provenance::{FileDigest, Provenance, sha256_hex};
use crate::warnings::Warning;
use std::path::PathBuf;

/// A fully resolved scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Display name (`simulation.name`, or the file stem).
    pub name: String,
    /// The file the scenario came from (relative paths resolve against its folder).
    pub path: Option<PathBuf>,
    pub simulation: Simulation,
    pub business: Business,
    pub population: Population,
    /// `None`: no new customers arrive.
    pub acquisition: Option<Acquisition>,
    /// The global behavioural response (segments may override it), with
    /// every uncertain key at its point value.
    pub response: Response,
    /// The response parameters we are unsure of, drawn once per replication.
    pub assumptions: Vec<Assumption>,
    /// Candidate programs in file order (the control is not among them).
    pub programs: Vec<ProgramSpec>,
    /// What loading found besides errors (business terms resolved, warnings).
    pub notes: Notes,
}

impl Scenario {
    /// Where the scenario came from, for messages: its file, or its name
    /// when it was not read from one.
    pub fn origin(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| self.name.clone(), |p| p.display().to_string())
    }

    /// The provenance of a run (or sweep) of this scenario, loaded from
    /// `file` whose text is `text`, with overrides `set`; `command` re-runs it.
    pub fn provenance(
        &self,
        file: &str,
        text: &str,
        set: Vec<String>,
        command: String,
    ) -> Provenance {
        let mut files: Vec<FileDigest> = self
            .programs
            .iter()
            .filter_map(|p| p.script.as_ref())
            .map(|s| FileDigest {
                role: "script".into(),
                path: s.file.display().to_string(),
                sha256: sha256_hex(s.source.as_bytes()),
            })
            .collect();
        files.extend(self.population.cohort_source.clone());
        Provenance {
            format_version: crate::provenance::FORMAT_VERSION,
            loyalsim_version: crate::VERSION.to_string(),
            command,
            scenario_file: Some(file.to_string()),
            scenario_sha256: Some(sha256_hex(text.as_bytes())),
            scenario_text: Some(text.to_string()),
            files,
            set,
            seed: Some(self.simulation.seed),
            replications: Some(self.simulation.replications),
        }
    }
}

/// What loading found besides errors. Not an input of the simulation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notes {
    /// One line per input given in business terms, with the statistical
    /// form it was resolved to (`loyalsim validate` prints them).
    pub resolved: Vec<String>,
    /// Plausibility warnings: legal values that look like a unit mistake,
    /// each located like an error (`FILE:LINE:COL: KEY: warning: ...`).
    pub warnings: Vec<Warning>,
}

/// `[simulation]`
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub time_unit: TimeUnit,
    /// Length of the simulated period, in time units (> 0).
    pub horizon: f64,
    pub replications: u32,
    pub seed: u64,
    /// Length of one report period in time units (> 0).
    pub report_every: f64,
    /// Whether the no-program control is run and compared against.
    pub baseline: bool,
}

/// The label of the time unit. The engine works in continuous time; this only names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl TimeUnit {
    pub const ALL: [&'static str; 5] = ["day", "week", "month", "quarter", "year"];

    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
            TimeUnit::Month => "month",
            TimeUnit::Quarter => "quarter",
            TimeUnit::Year => "year",
        }
    }

    pub fn parse(s: &str) -> Option<TimeUnit> {
        Some(match s {
            "day" => TimeUnit::Day,
            "week" => TimeUnit::Week,
            "month" => TimeUnit::Month,
            "quarter" => TimeUnit::Quarter,
            "year" => TimeUnit::Year,
            _ => return None,
        })
    }
}

/// Time units in one year (a year of 365.25 days).
pub fn units_per_year(unit: TimeUnit) -> f64 {
    match unit {
        TimeUnit::Day => 365.25,
        TimeUnit::Week => 365.25 / 7.0,
        TimeUnit::Month => 12.0,
        TimeUnit::Quarter => 4.0,
        TimeUnit::Year => 1.0,
    }
}

/// `[business]`
#[derive(Debug, Clone, PartialEq)]
pub struct Business {
    pub currency: String,
    /// Share of list price that is gross margin, in [0, 1].
    pub gross_margin: f64,
}

/// `[population]`
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Customers alive at t = 0 (or, with a cohort, the number of cohort rows).
    pub customers: u64,
    /// Segment shares sum to 1.
    pub segments: Vec<Segment>,
    /// With `cohort = "file.csv"`: each initial customer's join time, sorted
    /// ascending, one per customer. `None`: everyone is there at t = 0.
    pub cohort: Option<Vec<f64>>,
    /// The cohort file read (its path and SHA-256), for provenance.
    pub cohort_source: Option<FileDigest>,
}

impl Population {
    /// Mean purchases per time unit of a customer drawn from the population
    /// (share-weighted over segments), without any program.
    pub fn mean_purchase_rate(&self) -> f64 {
        self.segments
            .iter()
            .map(|s| s.share * s.purchase_rate.mean())
            .sum()
    }
}

/// One `[[population.segment]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub name: String,
    pub share: f64,
    /// Purchases per time unit; one draw per customer.
    pub purchase_rate: Dist,
    pub dropout: Dropout,
    pub basket: Basket,
    /// The global `[response]` with this segment's overrides applied.
    pub response: Response,
}

/// `[acquisition]`: Bass-type arrivals plus organic ones (docs/model.md section 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Acquisition {
    /// `None`: an unlimited market.
    pub market_size: Option<f64>,
    /// Bass p: share of the remaining market acquired per time unit without word of mouth.
    /// Without a market size it has nothing to act on and must be 0.
    pub innovation: f64,
    /// New customers per time unit from a Poisson stream, independent of everything.
    pub organic: f64,
    /// Word-of-mouth contacts per active customer per time unit.
    pub referral_rate: f64,
    /// Chance that one contact becomes a customer (times the remaining market share).
    pub referral_conversion: f64,
}

/// One `[[program]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramSpec {
    pub name: String,
    /// Chance a customer offered the program joins, in [0, 1].
    pub enrolment: f64,
    /// Window in which the program runs, in time units; `end` defaults to the horizon.
    pub start: f64,
    pub end: f64,
    pub costs: Costs,
    pub discount: Option<Discount>,
    pub points: Option<Points>,
    pub stamps: Option<Stamps>,
    pub referral: Option<Referral>,
    pub script: Option<ScriptSpec>,
    /// Currency given to each customer who joins (a gift, booked as a
    /// reward cost at joining); 0: none.
    pub welcome_gift: f64,
    /// Share of the list price taken off the member's first purchase as a
    /// member (the joining purchase), in [0, 1); 0: none.
    pub welcome_discount: f64,
    /// A reminder and win-back campaign to members who stopped buying.
    pub winback: Option<Winback>,
}

impl ProgramSpec {
    /// A program with no mechanism yet, open to everyone for the whole
    /// horizon and free (for scenarios built in code: tests, benchmarks).
    pub fn open(name: &str, horizon: f64) -> ProgramSpec {
        ProgramSpec {
            name: name.to_string(),
            enrolment: 1.0,
            start: 0.0,
            end: horizon,
            costs: Costs::default(),
            discount: None,
            points: None,
            stamps: None,
            referral: None,
            script: None,
            welcome_gift: 0.0,
            welcome_discount: 0.0,
            winback: None,
        }
    }

    /// Names of the mechanisms this program combines, in a fixed order.
    pub fn mechanisms(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.discount.is_some() {
            m.push("discount");
        }
        if self.points.is_some() {
            m.push("points");
        }
        if self.stamps.is_some() {
            m.push("stamps");
        }
        if self.referral.is_some() {
            m.push("referral");
        }
        if self.script.is_some() {
            m.push("script");
        }
        if self.winback.is_some() {
            m.push("winback");
        }
        m
    }
}

/// `costs = { setup, per_member, per_member_per_unit, per_unit }`, all ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Costs {
    pub setup: f64,
    pub per_member: f64,
    pub per_member_per_unit: f64,
    pub per_unit: f64,
}

/// `[program.discount]`: a flat rate is one tier starting at 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Discount {
    /// Sorted by `from`, the first starting at 0; rates in [0, 1).
    pub tiers: Vec<Tier>,
    pub basis: TierBasis,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tier {
    /// Cumulative spend (list value) or number of purchases from which the rate applies.
    pub from: f64,
    pub rate: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierBasis {
    Spend,
    Purchases,
}

/// `[program.points]`
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    /// Points per currency unit of net spend.
    pub earn: f64,
    /// Currency per point when redeemed as money off.
    pub point_value: f64,
    /// Balance needed before a redemption.
    pub redeem_threshold: f64,
    /// Time units after earning when a lot expires; `None`: never.
    pub expiry: Option<f64>,
    pub welcome_points: f64,
    /// Chance a customer at or above the threshold redeems at a purchase.
    pub redeem_probability: f64,
    /// Cost to the business per currency unit of reward face value.
    pub reward_cost_ratio: f64,
    /// Optional reward catalogue; empty means money off at `point_value`.
    pub catalog: Vec<CatalogItem>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CatalogItem {
    pub points: f64,
    pub value: f64,
}

/// `[program.stamps]`
#[derive(Debug, Clone, PartialEq)]
pub struct Stamps {
    pub card_size: u32,
    pub reward_value: f64,
    /// Stamps printed on every new card (< card_size).
    pub prestamped: u32,
    /// Smallest basket (list value) that earns a stamp.
    pub min_basket: f64,
    /// Time units after a card's first stamp when it becomes void; `None`: never.
    pub card_expiry: Option<f64>,
    pub reward_cost_ratio: f64,
    /// One stamp per full `per_amount` of basket (list value); `None`: one per purchase.
    pub per_amount: Option<f64>,
    /// With `per_amount`: whether what a purchase leaves over (below a full
    /// `per_amount`) counts toward the next purchase's stamps.
    pub carry_remainder: bool,
}

/// `[program.referral]`
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Referral {
    pub referrer_reward: f64,
    pub referee_reward: f64,
    /// Multiplier on members' referral rate; `None`: the `[response]` value.
    pub referral_boost: Option<f64>,
}

/// `[program.winback]`: messages to members who have not bought for a while
/// (docs/model.md, "Reminders and win-back").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Winback {
    /// Time units without a purchase before the first message (> 0).
    pub after: f64,
    /// Time units between further messages of one quiet spell (> 0).
    pub every: f64,
    /// Messages per quiet spell at most (≥ 1); a purchase starts a new spell.
    pub max_messages: u32,
    /// Cost of one message, booked when it is sent (≥ 0).
    pub message_cost: f64,
    /// Chance that one message brings back a customer who has dropped out, in [0, 1].
    pub response: f64,
}

/// `[program.script]`
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptSpec {
    /// Resolved path to the script file.
    pub file: PathBuf,
    /// The script's source text, read at load time.
    pub source: String,
    /// `params`, handed to the script as `ctx.params`.
    pub params: toml::Table,
    /// The compiled script (compiled once, at load time).
    pub hooks: HooksRef,
}
