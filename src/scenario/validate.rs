//! Stage two of loading: raw TOML → resolved [`Scenario`].
//!
//! The flow: parse the text into a spanned document, apply `--set` overrides
//! to it, deserialize it into the raw mirror (`raw.rs`, unknown keys
//! rejected), then check every value and apply every default here. Programs
//! and distributions have their own files (`resolve_program.rs`,
//! `resolve_dist.rs`). The first problem found is reported; nothing
//! downstream ever sees a raw value.

use super::check::{Bound, Cx, Result};
use super::error::{Origin, ScenarioError};
use super::overrides::{self, SpanAlloc};
use super::raw::{RawAcquisition, RawPopulation, RawScenario, RawSegment, RawSimulation};
use super::resolve_response::{self, KeyValue};
use super::suggest::did_you_mean;
use super::{
    Acquisition, Business, Notes, Population, Scenario, Segment, Simulation, TimeUnit, business,
    cohort, resolve_program,
};
use crate::model::assumptions::Assumption;
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A `--set KEY=VALUE` override applied to the parsed document before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted key path, e.g. `program[Stamp card].stamps.card_size`.
    pub key: String,
    pub value: toml::Value,
}

/// Load and validate a scenario file.
///
/// Messages name the file exactly as `path` is given, so a relative path stays relative.
pub fn load_file(path: &Path) -> Result<Scenario> {
    load_file_with_text(path).map(|(sc, _)| sc)
}

/// [`load_file`], also returning the text read (for provenance).
pub fn load_file_with_text(path: &Path) -> Result<(Scenario, String)> {
    load_file_with_overrides(path, &[])
}

/// Load a scenario file with `--set` overrides; returns the file's text too.
pub fn load_file_with_overrides(path: &Path, set: &[Override]) -> Result<(Scenario, String)> {
    let src = crate::input::read_text(path, crate::input::SCENARIO).map_err(|e| {
        ScenarioError::new(match e {
            crate::input::ReadError::NotFound => {
                format!("{}: scenario file not found", path.display())
            }
            e => e.message(path),
        })
    })?;
    let sc = load_str_with_overrides(&src, Some(path), set)?;
    Ok((sc, src))
}

/// Load and validate scenario text; `path` is used in messages and to resolve relative files.
pub fn load_str(src: &str, path: Option<&Path>) -> Result<Scenario> {
    load_str_with_overrides(src, path, &[])
}

/// Load with `--set` overrides applied before validation.
///
/// An override may set any key the format knows, present in the file or not;
/// a key the format does not know is an error with a did-you-mean. Errors in
/// overridden values name the override instead of a line and column.
pub fn load_str_with_overrides(
    src: &str,
    path: Option<&Path>,
    overrides: &[Override],
) -> Result<Scenario> {
    let label = path.map_or_else(|| "<input>".to_string(), |p| p.display().to_string());
    let mut origin = Origin {
        label,
        src,
        overrides: Vec::new(),
    };
    // The override values as TOML text; they must outlive the document that borrows them.
    let texts: Vec<String> = overrides.iter().map(|o| o.value.to_string()).collect();
    let doc = build_document(src, overrides, &texts, &mut origin)?;
    let raw = RawScenario::deserialize(toml::de::Deserializer::from(doc.clone()))
        .map_err(|e| origin.shape(&e, doc.get_ref()))?;
    let dir = path.and_then(Path::parent).unwrap_or(Path::new(""));
    let cx = Cx {
        origin: &origin,
        doc: doc.get_ref(),
        dir,
    };
    resolve(&cx, &raw, path)
}

/// Parse the text and apply the overrides, recording which spans each one owns.
fn build_document<'a>(
    src: &'a str,
    overrides: &[Override],
    texts: &'a [String],
    origin: &mut Origin<'_>,
) -> Result<Spanned<DeTable<'a>>> {
    let mut doc = DeTable::parse(src).map_err(|e| origin.syntax(&e))?;
    let mut spans = SpanAlloc::new(src.len());
    for (o, text) in overrides.iter().zip(texts) {
        let set = if has_extreme_float(&o.value) {
            format!("--set {}={}", o.key, shown(&o.value))
        } else {
            format!("--set {}={}", o.key, text)
        };
        let first = spans.mark();
        let fail = |origin: &Origin<'_>, problem: String| {
            ScenarioError::new(format!("{}: {set}: {problem}", origin.label))
        };
        let parts = overrides::parse_key(&o.key).map_err(|p| fail(origin, p))?;
        let value = DeValue::parse(text)
            .map_err(|e| fail(origin, format!("cannot use the value: {}", e.message())))?;
        let value = overrides::respan(value.into_inner(), &mut spans);
        overrides::apply(doc.get_mut(), &parts, value, &mut spans).map_err(|p| fail(origin, p))?;
        origin.overrides.push((set, first..spans.mark()));
    }
    Ok(doc)
}

/// Whether a value holds a float that TOML would write with hundreds of
/// digits (1e300, 1e-300).
fn has_extreme_float(v: &toml::Value) -> bool {
    match v {
        toml::Value::Float(x) => crate::input::number(*x).contains('e'),
        toml::Value::Array(a) => a.iter().any(has_extreme_float),
        toml::Value::Table(t) => t.values().any(has_extreme_float),
        _ => false,
    }
}

/// An override's value for a message, its extreme floats as 1e300 (the
/// text TOML writes, that the override is parsed from, spells them out).
fn shown(v: &toml::Value) -> String {
    match v {
        toml::Value::Float(x) => crate::input::number(*x),
        toml::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(shown).collect();
            format!("[{}]", items.join(", "))
        }
        toml::Value::Table(t) if t.is_empty() => "{}".into(),
        toml::Value::Table(t) => {
            let items: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k} = {}", shown(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        other => other.to_string(),
    }
}

fn resolve(cx: &Cx<'_>, raw: &RawScenario, path: Option<&Path>) -> Result<Scenario> {
    let sim = simulation(cx, raw.simulation.get_ref())?;
    let name = match &raw.simulation.get_ref().name {
        Some(n) => {
            cx.printable(n)?;
            n.get_ref().clone()
        }
        // A file's name may hold control characters, which a title must not.
        None => path.and_then(Path::file_stem).map_or_else(
            || "scenario".to_string(),
            |s| crate::input::escaped(&s.to_string_lossy()),
        ),
    };
    let b = raw.business.get_ref();
    let currency = match &b.currency {
        Some(c) if c.get_ref().trim().is_empty() => {
            return Err(cx.err(&c.span(), "empty currency. expected a code such as \"EUR\""));
        }
        Some(c) => {
            cx.printable(c)?;
            c.get_ref().clone()
        }
        // The documented examples are in euros; documented in docs/scenario-format.md.
        None => "EUR".to_string(),
    };
    let business = Business {
        currency,
        gross_margin: cx.num(&b.gross_margin, Bound::Unit, "a share of list price")?,
    };
    let global = resolve_response::global(cx, raw.response.as_ref(), sim.time_unit)?;
    let mut notes = Notes::default();
    let (population, mut assumptions) = population(
        cx,
        &raw.population,
        &global,
        sim.time_unit,
        &mut notes.resolved,
    )?;
    let acquisition = match &raw.acquisition {
        Some(a) => Some(acquisition(
            cx,
            a.get_ref(),
            sim.time_unit,
            population.customers,
            &mut notes.resolved,
        )?),
        None => None,
    };
    let programs = match &raw.program {
        Some(list) => {
            let (programs, uncertain) = resolve_program::programs(cx, list, &sim, &business)?;
            assumptions.extend(uncertain);
            programs
        }
        None => Vec::new(),
    };
    workload(cx, raw, &sim, &population, acquisition.as_ref())?;
    let mut sc = Scenario {
        name,
        path: path.map(Path::to_path_buf),
        simulation: sim,
        business,
        population,
        acquisition,
        response: resolve_response::points(&global),
        assumptions,
        programs,
        notes,
    };
    sc.notes.warnings = super::plausible::warnings(cx, raw, &sc);
    Ok(sc)
}

/// Limits that keep an untrusted scenario from exhausting memory or time.
const MAX_REPLICATIONS: i64 = 1_000_000;
const MAX_CUSTOMERS: i64 = 1_000_000_000;
const MAX_PERIODS: f64 = 100_000.0;
/// Expected purchase events in one replication of the control.
const MAX_EVENTS: f64 = 5e9;
/// Money sums stay well inside f64's exact-enough range.
const MAX_MONEY: f64 = 1e15;
/// Word of mouth without a market size grows like e^(rate × conversion × t).
const MAX_GROWTH_EXPONENT: f64 = 20.0;

/// Refuse scenarios whose expected amount of work is out of reach, before
/// anything runs (a purchase rate of 1e12, a million organic arrivals per
/// day for years, word of mouth compounding without a market to saturate).
/// The message points at the key most out of the ordinary ([`culprit`]),
/// with its line and column.
fn workload(
    cx: &Cx<'_>,
    raw: &RawScenario,
    sim: &Simulation,
    pop: &Population,
    acq: Option<&Acquisition>,
) -> Result<()> {
    let raw_acq = raw.acquisition.as_ref().map(|a| a.get_ref());
    if let Some(a) = acq {
        let growth = a.referral_rate * a.referral_conversion * sim.horizon;
        if a.market_size.is_none() && growth > MAX_GROWTH_EXPONENT {
            let span = raw_acq
                .and_then(|r| r.referral_rate.as_ref().map(|v| v.span()))
                .or_else(|| raw.acquisition.as_ref().map(|a| a.span()))
                .unwrap_or_else(|| raw.simulation.get_ref().horizon.span());
            return Err(cx.err(&span, format!(
                "word of mouth without a market size grows like e^({growth:.0}) over the horizon. expected `acquisition.market_size` (the potential customers), or a smaller referral_rate × referral_conversion × horizon (at most {MAX_GROWTH_EXPONENT})"
            )));
        }
    }
    let arrivals = acq.map_or(0.0, |a| {
        a.organic * sim.horizon + a.market_size.unwrap_or(0.0)
    });
    let events = (pop.customers as f64 + arrivals) * pop.mean_purchase_rate() * sim.horizon;
    if !(events <= MAX_EVENTS) {
        let span = culprit(raw, sim, pop, arrivals);
        // The estimate itself may overflow (1e308 new customers a week).
        let about = if events.is_finite() {
            format!("about {events:.1e}")
        } else {
            "an unbounded number of".to_string()
        };
        return Err(cx.err(&span, format!(
            "this scenario would simulate {about} purchases per replication, more than the {MAX_EVENTS:.0e} loyalsim accepts. check population.customers, the segments' purchase_rate (per {}), acquisition.organic and simulation.horizon",
            sim.time_unit.as_str()
        )));
    }
    let mean_basket: f64 = pop.segments.iter().map(|s| s.share * s.basket.mean()).sum();
    let revenue = events * mean_basket;
    if !(revenue <= MAX_MONEY) {
        // The segment whose baskets bring the most money.
        let segs = raw.population.get_ref().segment.get_ref();
        let span = pop
            .segments
            .iter()
            .zip(segs)
            .max_by(|(a, _), (b, _)| {
                (a.share * a.basket.mean()).total_cmp(&(b.share * b.basket.mean()))
            })
            .map_or_else(|| raw.population.span(), |(_, r)| r.get_ref().basket_span());
        return Err(cx.err(&span, format!(
            "the expected revenue per replication ({revenue:.1e}) is beyond what sums of money can hold exactly (at most {MAX_MONEY:.0e}). check the segments' basket values and the size of the population"
        )));
    }
    Ok(())
}

/// Where an excessive workload comes from: whichever of the number of
/// customers, the largest segment purchase rate, the horizon and the
/// arrivals is furthest above an ordinary value (100,000 customers, one
/// purchase per time unit, 100 time units, 100,000 arrivals).
fn culprit(raw: &RawScenario, sim: &Simulation, pop: &Population, arrivals: f64) -> Range<usize> {
    let rp = raw.population.get_ref();
    let customers_span = rp
        .customers
        .as_ref()
        .map(|c| c.span())
        .or_else(|| rp.cohort.as_ref().map(|c| c.span()))
        .unwrap_or_else(|| raw.population.span());
    let (rate, rate_span) = pop
        .segments
        .iter()
        .zip(rp.segment.get_ref())
        .map(|(s, r)| (s.share * s.purchase_rate.mean(), r.get_ref().rate_span()))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap_or((0.0, raw.population.span()));
    let arrivals_span = raw.acquisition.as_ref().map(|a| {
        let r = a.get_ref();
        r.organic
            .as_ref()
            .or(r.market_size.as_ref())
            .map_or(a.span(), |v| v.span())
    });
    let mut candidates = vec![
        (pop.customers as f64 / 1e5, customers_span),
        (rate, rate_span),
        (sim.horizon / 100.0, raw.simulation.get_ref().horizon.span()),
    ];
    if let Some(s) = arrivals_span {
        candidates.push((arrivals / 1e5, s));
    }
    candidates
        .into_iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|c| c.1)
        .unwrap_or_else(|| raw.simulation.span())
}

fn simulation(cx: &Cx<'_>, s: &RawSimulation) -> Result<Simulation> {
    let unit = s.time_unit.get_ref();
    let time_unit = TimeUnit::parse(unit).ok_or_else(|| {
        let mut msg = format!("unknown time unit `{unit}`");
        if let Some(m) = did_you_mean(unit, TimeUnit::ALL) {
            msg.push_str(&format!("; did you mean `{m}`?"));
        } else {
            msg.push('.');
        }
        msg.push_str(&format!(" allowed: {}", TimeUnit::ALL.join(", ")));
        cx.err(&s.time_unit.span(), msg)
    })?;
    let horizon = cx.num(&s.horizon, Bound::Pos, "a length in time units")?;
    let replications = match &s.replications {
        Some(r) => cx.int(r, 1, MAX_REPLICATIONS, "a number of replications")? as u32,
        None => 100,
    };
    let seed = match &s.seed {
        Some(r) => cx.int(r, 0, i64::MAX, "a seed")? as u64,
        None => 1,
    };
    let report_every = cx.num_or(
        &s.report_every,
        1.0,
        Bound::Pos,
        "a report period in time units",
    )?;
    if let Some(r) = &s.report_every
        && report_every > horizon
    {
        return Err(cx.err(
                &r.span(),
                format!("`{report_every}` is longer than the horizon ({horizon}). expected a report period <= horizon"),
            ));
    }
    let periods = horizon / report_every;
    if periods > MAX_PERIODS {
        let span = s
            .report_every
            .as_ref()
            .map_or(s.horizon.span(), |r| r.span());
        return Err(cx.err(
            &span,
            format!(
                "{} / {} gives {} report periods. expected at most {MAX_PERIODS:.0}: report less often (a larger `report_every`) or use a longer time unit",
                crate::input::number(horizon),
                crate::input::number(report_every),
                crate::input::number(periods.round())
            ),
        ));
    }
    Ok(Simulation {
        time_unit,
        horizon,
        replications,
        seed,
        report_every,
        baseline: s.baseline.as_ref().is_none_or(|b| *b.get_ref()),
    })
}

/// Where to point when the segments' shares are wrong: at a share overridden
/// from the command line if there is one (that is what changed), else at
/// the segment list.
fn shares_span(cx: &Cx<'_>, list: &Spanned<Vec<Spanned<RawSegment>>>) -> Range<usize> {
    list.get_ref()
        .iter()
        .map(|s| s.get_ref().share.span())
        .find(|s| s.start > cx.origin.src.len())
        .unwrap_or_else(|| list.span())
}

fn population(
    cx: &Cx<'_>,
    p: &Spanned<RawPopulation>,
    global: &[KeyValue],
    unit: TimeUnit,
    resolved: &mut Vec<String>,
) -> Result<(Population, Vec<Assumption>)> {
    let pop = p.get_ref();
    let customers = match &pop.customers {
        Some(c) => Some(cx.int(c, 0, MAX_CUSTOMERS, "a number of customers")? as u64),
        None => None,
    };
    let (customers, cohort) = match (&pop.cohort, customers) {
        (Some(file), given) => {
            let (starts, digest) =
                cohort::read(&cx.dir.join(file.get_ref())).map_err(|m| cx.err(&file.span(), m))?;
            let rows = starts.len() as u64;
            if let (Some(n), Some(c)) = (given, &pop.customers)
                && n != rows
            {
                return Err(cx.err(
                        &c.span(),
                        format!("`{n}` differs from the {rows} rows of the cohort file. expected {rows}, or leave `customers` out"),
                    ));
            }
            (rows, Some((starts, digest)))
        }
        (None, Some(n)) => (n, None),
        (None, None) => {
            return Err(cx.err_path(
                &p.span(),
                "population.customers",
                "missing required key; expected the number of customers at the start (>= 0), or `cohort = \"file.csv\"`",
            ));
        }
    };
    let list = &pop.segment;
    if list.get_ref().is_empty() {
        return Err(cx.err_path(
            &shares_span(cx, list),
            "population.segment",
            "no segments. expected at least one `[[population.segment]]`",
        ));
    }
    let mut segments: Vec<Segment> = Vec::new();
    let mut responses: Vec<(&str, Vec<KeyValue>)> = Vec::new();
    for (i, seg) in list.get_ref().iter().enumerate() {
        let s = seg.get_ref();
        let name = s.name.get_ref();
        cx.printable(&s.name)?;
        if segments.iter().any(|x| &x.name == name) {
            return Err(cx.err(
                &s.name.span(),
                format!("duplicate segment name `{name}`. expected a unique name per segment"),
            ));
        }
        let keys = resolve_response::segment(cx, s.response.as_ref(), global)?;
        let resp = resolve_response::points(&keys);
        responses.push((name.as_str(), keys));
        let share = cx.num(&s.share, Bound::Unit, "a share of customers")?;
        let path = format!("population.segment[{i}]");
        let (purchase_rate, dropout, basket) = business::segment(cx, seg, &path, unit, resolved)?;
        segments.push(Segment {
            name: name.clone(),
            share,
            purchase_rate,
            dropout,
            basket,
            response: resp,
        });
    }
    let sum: f64 = segments.iter().map(|s| s.share).sum();
    if (sum - 1.0).abs() > 1e-9 {
        let terms: Vec<String> = segments
            .iter()
            .map(|s| format!("{} {}", s.name, s.share))
            .collect();
        return Err(cx.err_path(
            &shares_span(cx, list),
            "population.segment",
            format!(
                "segment shares sum to {} ({}). expected a sum of 1",
                round12(sum),
                terms.join(" + ")
            ),
        ));
    }
    let (cohort, cohort_source) = match cohort {
        Some((times, digest)) => (Some(times), Some(digest)),
        None => (None, None),
    };
    let assumptions = resolve_response::assumptions(global, &responses);
    Ok((
        Population {
            customers,
            segments,
            cohort,
            cohort_source,
        },
        assumptions,
    ))
}

/// Round away binary noise (0.30000000000000004) for display.
fn round12(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

fn acquisition(
    cx: &Cx<'_>,
    a: &RawAcquisition,
    unit: TimeUnit,
    customers: u64,
    resolved: &mut Vec<String>,
) -> Result<Acquisition> {
    let market_size = cx.num_opt(
        &a.market_size,
        Bound::Pos,
        "a number of potential customers",
    )?;
    if let Some((organic, word_of_mouth)) =
        business::acquisition(cx, a, unit, customers, market_size, resolved)?
    {
        let (referral_rate, referral_conversion) = match word_of_mouth {
            Some(w) => w,
            None => (
                cx.num_or(
                    &a.referral_rate,
                    0.0,
                    Bound::NonNeg,
                    "contacts per customer per time unit",
                )?,
                cx.num_or(&a.referral_conversion, 0.0, Bound::Unit, "a probability")?,
            ),
        };
        return Ok(Acquisition {
            market_size,
            innovation: 0.0,
            organic,
            referral_rate,
            referral_conversion,
        });
    }
    let innovation = cx.num_or(
        &a.innovation,
        0.0,
        Bound::NonNeg,
        "a share of the remaining market per time unit",
    )?;
    if let (Some(i), None) = (&a.innovation, market_size)
        && innovation > 0.0
    {
        return Err(cx.err(
                &i.span(),
                "innovation needs `market_size`: it is the share of the not-yet-acquired market \
                 won per time unit, and without a market size there is nothing to take a share of. \
                 add `market_size = ...` to [acquisition], or use `organic` for a steady stream of new customers",
            ));
    }
    Ok(Acquisition {
        market_size,
        innovation,
        organic: cx.num_or(
            &a.organic,
            0.0,
            Bound::NonNeg,
            "new customers per time unit",
        )?,
        referral_rate: cx.num_or(
            &a.referral_rate,
            0.0,
            Bound::NonNeg,
            "contacts per customer per time unit",
        )?,
        referral_conversion: cx.num_or(
            &a.referral_conversion,
            0.0,
            Bound::Unit,
            "a probability",
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Dist, TierBasis};

    const BASE: &str = r#"[simulation]
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

    fn load(extra: &str) -> std::result::Result<Scenario, String> {
        load_str(&format!("{BASE}{extra}"), Some(Path::new("t.toml"))).map_err(|e| e.message)
    }

    fn set(key: &str, value: toml::Value) -> std::result::Result<Scenario, String> {
        let o = [Override {
            key: key.to_string(),
            value,
        }];
        load_str_with_overrides(BASE, Some(Path::new("t.toml")), &o).map_err(|e| e.message)
    }

    #[test]
    fn minimal_scenario_gets_every_default() {
        let s = load("").expect("loads");
        assert_eq!(s.name, "t");
        assert_eq!(s.business.currency, "EUR");
        assert_eq!((s.simulation.replications, s.simulation.seed), (100, 1));
        assert_eq!(
            (s.simulation.report_every, s.simulation.baseline),
            (1.0, true)
        );
        assert_eq!(s.acquisition, None);
        assert!(s.programs.is_empty());
        assert_eq!(
            s.population.segments[0].purchase_rate,
            Dist::Gamma {
                shape: 2.0,
                scale: 0.75
            }
        );
    }

    #[test]
    fn a_single_program_table_is_explained() {
        let e = load("[program]\nname = \"x\"\n").expect_err("not an array");
        assert_eq!(
            e,
            "t.toml:14:1: program: expected a list of tables, found a single table; write `[[program]]` (two brackets) for each entry"
        );
    }

    #[test]
    fn acquisition_defaults_to_zero_and_innovation_zero_needs_no_market() {
        let s = load("[acquisition]\ninnovation = 0\norganic = 2\n").expect("loads");
        let a = s.acquisition.expect("present");
        assert_eq!((a.market_size, a.innovation, a.organic), (None, 0.0, 2.0));
        assert_eq!((a.referral_rate, a.referral_conversion), (0.0, 0.0));
    }

    #[test]
    fn discount_tiers_by_purchases() {
        let s = load(
            "[[program]]\nname = \"d\"\n[program.discount]\ntier_basis = \"purchases\"\n\
             tiers = [{ from_purchases = 5, rate = 0.1 }]\n",
        )
        .expect("loads");
        let d = s.programs[0].discount.clone().expect("discount");
        assert_eq!(d.basis, TierBasis::Purchases);
        assert_eq!(d.tiers.len(), 2);
        let e = load(
            "[[program]]\nname = \"d\"\n[program.discount]\ntier_basis = \"spend\"\n\
             tiers = [{ from_purchases = 5, rate = 0.1 }]\n",
        )
        .expect_err("mixed basis");
        assert!(
            e.contains("program[0].discount.tiers[0].from_purchases: all tiers"),
            "{e}"
        );
    }

    #[test]
    fn overrides_name_themselves_in_errors() {
        let e = set("business.gross_margin", toml::Value::from(1.5)).expect_err("range");
        assert_eq!(
            e,
            "t.toml: --set business.gross_margin=1.5: business.gross_margin: `1.5` is out of range. expected a share of list price in [0, 1]"
        );
        let e = set("simulation.horizon.x", toml::Value::from(1)).expect_err("not a table");
        assert_eq!(
            e,
            "t.toml: --set simulation.horizon.x=1: `simulation.horizon` is a number, not a table, so it has no keys"
        );
        let e =
            set("population.segment[0].basket.fixed", toml::Value::from(-1)).expect_err("range");
        assert!(e.starts_with("t.toml: --set population.segment[0].basket.fixed=-1: population.segment[0].basket.fixed: `-1` is out of range"), "{e}");
    }

    #[test]
    fn overrides_with_table_values_locate_nested_keys() {
        let mut t = toml::Table::new();
        let mut g = toml::Table::new();
        g.insert("shape".into(), 2.into());
        g.insert("rate".into(), 1.into());
        g.insert("mean".into(), 3.into());
        t.insert("gamma".into(), toml::Value::Table(g));
        let e = set("segment[all].purchase_rate", toml::Value::Table(t)).expect_err("two scales");
        assert!(
            e.contains(": population.segment[0].purchase_rate.gamma.mean: give exactly one of"),
            "{e}"
        );
        let s = set(
            "segment[all].purchase_rate",
            toml::Value::Table({
                let mut t = toml::Table::new();
                t.insert("fixed".into(), 3.into());
                t
            }),
        )
        .expect("loads");
        assert_eq!(s.population.segments[0].purchase_rate, Dist::Fixed(3.0));
    }

    #[test]
    fn syntax_errors_in_text_without_a_path() {
        let e = load_str("a = ", None).expect_err("syntax");
        assert!(
            e.message.starts_with("<input>:1:5: TOML syntax error:"),
            "{}",
            e.message
        );
    }
}
