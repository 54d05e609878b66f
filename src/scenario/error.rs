//! Scenario errors: each names the file, the line and column, the key path,
//! what is allowed and, for a misspelt key, the likely intended one.
//!
//! Rendering lives here so every stage words its messages the same way:
//! `FILE:LINE:COL: KEY.PATH: problem. expected ...`, or, when the value came
//! from the command line, `FILE: --set KEY=VALUE: KEY.PATH: problem`.
//! This module also rewords the deserializer's messages (serde's
//! "unknown field", "missing field", "invalid type") into that form.

use super::locate::{self, Seg};
use super::suggest::did_you_mean;
use crate::warnings::Place;
use std::fmt;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// A scenario that cannot be used, with a message ready for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The complete, rendered message (file:line:col: key: problem; hint).
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl From<ScenarioError> for crate::error::Error {
    fn from(e: ScenarioError) -> Self {
        crate::error::Error::Input(e.message)
    }
}

impl ScenarioError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ScenarioError {
            message: message.into(),
        }
    }
}

/// Where the text being loaded came from: the file label, the text itself and
/// the span ranges owned by each `--set` override.
pub(crate) struct Origin<'s> {
    /// The path exactly as the caller gave it, or `<input>`.
    pub label: String,
    pub src: &'s str,
    /// For each override: `--set KEY=VALUE` and the sentinel spans it owns.
    pub overrides: Vec<(String, Range<usize>)>,
}

impl Origin<'_> {
    /// `FILE:LINE:COL`, or `FILE: --set KEY=VALUE` for a value from an override.
    pub(crate) fn position(&self, span: Option<&Range<usize>>) -> String {
        match self.place(span) {
            Place::Text { line, column } => format!("{}:{line}:{column}", self.label),
            Place::Override(set) => format!("{}: {set}", self.label),
            Place::File => self.label.clone(),
        }
    }

    /// Where `span` is: a line and column of the text, a `--set` override,
    /// or nowhere in particular.
    pub(crate) fn place(&self, span: Option<&Range<usize>>) -> Place {
        let Some(span) = span else {
            return Place::File;
        };
        if span.start > self.src.len() {
            if let Some((set, _)) = self.overrides.iter().find(|(_, r)| r.contains(&span.start)) {
                return Place::Override(set.clone());
            }
            return Place::File;
        }
        let (line, column) = locate::line_col(self.src, span.start);
        Place::Text { line, column }
    }

    /// A complete error: position, key path (may be empty) and problem.
    pub(crate) fn error(
        &self,
        span: Option<&Range<usize>>,
        path: &str,
        problem: impl fmt::Display,
    ) -> ScenarioError {
        let pos = self.position(span);
        if path.is_empty() {
            ScenarioError::new(format!("{pos}: {problem}"))
        } else {
            ScenarioError::new(format!("{pos}: {path}: {problem}"))
        }
    }

    /// Reword a TOML syntax error, keeping its position, with a hint for
    /// the common slips: a decimal comma, `[table]` for `[[table]]`.
    pub(crate) fn syntax(&self, e: &toml::de::Error) -> ScenarioError {
        let line = e.span().map_or("", |s| {
            let start = self.src[..s.start.min(self.src.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            self.src[start..].lines().next().unwrap_or("")
        });
        self.error(
            e.span().as_ref(),
            "",
            format!(
                "TOML syntax error: {}{}",
                e.message().trim_end(),
                syntax_hint(e.message(), line)
            ),
        )
    }

    /// Reword a deserialization (shape) error using the document for the key path.
    pub(crate) fn shape(&self, e: &toml::de::Error, doc: &DeTable<'_>) -> ScenarioError {
        let span = e.span();
        let msg = e.message();
        // A missing key is reported at its table: only an exact match names the table.
        let exact = msg.starts_with("missing field");
        let hit = match &span {
            Some(s) => locate::find(doc, s, exact),
            None => locate::find(doc, &(0..0), true),
        };
        let mut path = hit.path;
        let problem = reword(msg, &mut path, hit.node);
        self.error(span.as_ref(), &locate::format_path(&path), problem)
    }
}

/// The text of a number value, as written.
fn number_text(v: &DeValue<'_>) -> Option<String> {
    match v {
        DeValue::Integer(i) => Some(i.as_str().to_string()),
        DeValue::Float(f) => Some(f.as_str().to_string()),
        _ => None,
    }
}

/// A hint for a syntax error on `line`.
fn syntax_hint(msg: &str, line: &str) -> String {
    let code = line.split('#').next().unwrap_or("");
    // `0,45`: a decimal comma (outside strings and lists).
    if let Some((key, value)) = code.split_once('=') {
        let v = value.trim();
        let b = v.as_bytes();
        if !v.starts_with(['"', '\'', '[', '{'])
            && b.windows(3)
                .any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2].is_ascii_digit())
        {
            return format!(
                "; numbers take a decimal point, not a comma: write `{} = {}`",
                key.trim(),
                v.replacen(',', ".", 1)
            );
        }
    }
    // `[population.segment]` twice: a list of tables needs two brackets.
    let t = code.trim();
    if msg.contains("duplicate key") && t.starts_with('[') && !t.starts_with("[[") {
        let name = t.trim_start_matches('[').trim_end_matches(']').trim();
        return format!(
            "; `[{name}]` can appear once: write `[[{name}]]` (two brackets) for each entry of a list"
        );
    }
    String::new()
}

/// Tables that hold a key, for "this key belongs in ...". Keys that several
/// tables share (name, rate, ...) are left out.
fn home_of(key: &str) -> Option<&'static str> {
    const HOMES: &[(&str, &[&str])] = &[
        (
            "[simulation]",
            &[
                "time_unit",
                "horizon",
                "replications",
                "seed",
                "report_every",
                "baseline",
            ],
        ),
        ("[business]", &["currency", "gross_margin"]),
        ("[population]", &["customers", "cohort"]),
        (
            "[[population.segment]]",
            &[
                "share",
                "purchase_rate",
                "dropout",
                "basket",
                "visits_per_year",
                "visits_spread",
                "lost_per_year",
                "mean_receipt",
                "receipt_spread",
            ],
        ),
        (
            "[acquisition]",
            &[
                "market_size",
                "innovation",
                "organic",
                "referral_rate",
                "referral_conversion",
                "new_per_year",
                "from_recommendations",
            ],
        ),
        (
            "[response] (or a segment's `response = { ... }`)",
            &[
                "discount_elasticity",
                "reward_elasticity",
                "reward_perceived",
                "goal_gradient",
                "reward_carryover",
                "switching_cost",
                "member_churn",
                "referred_churn",
                "v_half",
                "goal_horizon",
                "effect_fade",
                "enrolment_selection",
                "heavy_damping",
                "card_abandonment",
                "uncertainty",
            ],
        ),
        (
            "[[program]]",
            &[
                "enrolment",
                "start",
                "end",
                "costs",
                "welcome_gift",
                "welcome_discount",
            ],
        ),
        ("[program.discount]", &["tiers", "tier_basis"]),
        (
            "[program.points]",
            &[
                "earn",
                "point_value",
                "redeem_threshold",
                "expiry",
                "welcome_points",
                "redeem_probability",
                "catalog",
            ],
        ),
        (
            "[program.stamps]",
            &[
                "card_size",
                "reward_value",
                "prestamped",
                "min_basket",
                "card_expiry",
                "per_amount",
                "carry_remainder",
            ],
        ),
        ("[program.referral]", &["referrer_reward", "referee_reward"]),
        ("[program.script]", &["file", "params"]),
        (
            "[program.winback]",
            &["after", "every", "max_messages", "message_cost"],
        ),
    ];
    HOMES
        .iter()
        .find(|(_, keys)| keys.contains(&key))
        .map(|(table, _)| *table)
}

/// The names inside serde's "expected one of `a`, `b`" lists.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// Turn a serde/toml message into ours, adjusting the path where needed.
fn reword(msg: &str, path: &mut Vec<Seg>, node: Option<&DeValue<'_>>) -> String {
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let names = backticked(rest);
        let (word, allowed) = names.split_first().map_or(("", &[][..]), |(w, a)| (*w, a));
        let mut out = unknown("unknown key", word, allowed, false);
        if let Some(home) = home_of(word) {
            out.push_str(&format!(". `{word}` belongs in {home}"));
        }
        return out;
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        let names = backticked(rest);
        let (word, allowed) = names.split_first().map_or(("", &[][..]), |(w, a)| (*w, a));
        // `basket = { fixd = 1 }` points at the key `fixd`; name the key that holds it.
        if path.last() == Some(&Seg::Key(word.to_string())) {
            path.pop();
        }
        return unknown("unknown kind", word, allowed, true);
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        let field = backticked(rest)
            .first()
            .copied()
            .unwrap_or_default()
            .to_string();
        let hint = required_hint(&field);
        let what = if path.is_empty() { "table" } else { "key" };
        path.push(Seg::Key(field.clone()));
        return match hint {
            Some(h) => format!("missing required {what}; expected {h}"),
            None => format!("missing required {what}"),
        };
    }
    let last = match path.last() {
        Some(Seg::Key(k)) => k.as_str(),
        _ => "",
    };
    let kinds = if last == "dropout" {
        DROPOUT_KINDS
    } else {
        DIST_KINDS
    };
    match msg {
        "wanted exactly 1 element, more than 1 element" => {
            let keys = node
                .and_then(DeValue::as_table)
                .map(|t| {
                    t.keys()
                        .map(|k| format!("`{}`", k.get_ref()))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            return format!(
                "a distribution is a table with exactly one key naming its kind, found {keys}. allowed kinds: {kinds}"
            );
        }
        "wanted exactly 1 element, found 0 elements" => {
            return format!(
                "empty table; expected exactly one key naming the kind, e.g. `{{ fixed = 1.0 }}`. allowed kinds: {kinds}"
            );
        }
        "wanted string or table" => {
            let bare = node.and_then(number_text);
            if let (Some(x), false) = (&bare, last == "dropout") {
                let example = match last {
                    "purchase_rate" => format!(
                        "`purchase_rate = {{ gamma = {{ shape = 2, mean = {x} }} }}` (customers differ, {x} a time unit on average), or `visits_per_year = ...` in place of `purchase_rate`"
                    ),
                    "basket" => format!(
                        "`basket = {{ lognormal = {{ mean = {x}, sd = ... }} }}`, or `mean_receipt = {x}` in place of `basket`"
                    ),
                    _ => format!("`{{ gamma = {{ shape = 2, mean = {x} }} }}`"),
                };
                let who = if last == "basket" {
                    "every purchase is worth"
                } else {
                    "every customer has"
                };
                return format!(
                    "a bare number is not a distribution; write `{last} = {{ fixed = {x} }}` if {who} exactly {x}, or say how they differ, e.g. {example}. allowed kinds: {kinds}"
                );
            }
            if let Some(x) = bare {
                return format!(
                    "a bare number is not a dropout model; did you mean `dropout = {{ hazard = {x} }}` (a share {x} leaving per time unit), or `lost_per_year = {x}` in place of `dropout` (the share lost in a year)? allowed kinds: {kinds}"
                );
            }
            return format!(
                "expected a one-key table such as `{{ hazard = 0.02 }}` or \"none\". allowed kinds: {kinds}"
            );
        }
        "invalid type: unit variant, expected newtype variant" => {
            let kind = node.and_then(DeValue::as_str).unwrap_or("this kind");
            return format!("`{kind}` needs parameters; write `{{ {kind} = ... }}`");
        }
        "invalid type: newtype variant, expected unit variant" => {
            return "`none` takes no parameters; write `\"none\"`".to_string();
        }
        _ => {}
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        if found.contains(" as i128") || found.contains(" as u128") {
            return "number too large".to_string();
        }
        // `[program]` where `[[program]]` was meant: the commonest slip.
        if found == "map" && expected == "a sequence" {
            let full = locate::format_path(path);
            return format!(
                "expected a list of tables, found a single table; write `[[{full}]]` (two brackets) for each entry"
            );
        }
        return format!("expected {}, found {found}", expected_name(expected));
    }
    // A list where a table belongs: serde would name the internal struct
    // ("invalid length 0, expected struct RawSegment with 11 elements").
    if let Some(rest) = msg.strip_prefix("invalid length ")
        && let Some((_, expected)) = rest.split_once(", expected ")
        && expected.starts_with("struct ")
    {
        return "expected a table, found a list `[...]`".to_string();
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!("expected {}, found {found}", expected_name(expected));
    }
    msg.to_string()
}

const DIST_KINDS: &str =
    "fixed, gamma, lognormal, exponential, beta, uniform, triangular (and gamma_gamma for basket)";
const DROPOUT_KINDS: &str = "\"none\", hazard, bg, pareto";

/// `unknown key; did you mean `x`? allowed: a, b`
pub(crate) fn unknown(what: &str, word: &str, allowed: &[&str], name_it: bool) -> String {
    let mut out = if name_it {
        format!("{what} `{word}`")
    } else {
        what.to_string()
    };
    if let Some(s) = did_you_mean(word, allowed.iter().copied()) {
        out.push_str(&format!("; did you mean `{s}`?"));
    }
    let sep = if out.ends_with('?') { " " } else { "; " };
    if allowed.is_empty() {
        out.push_str("; this table takes no keys");
    } else {
        out.push_str(&format!("{sep}allowed: {}", allowed.join(", ")));
    }
    out
}

/// Serde's type names in words.
fn expected_name(expected: &str) -> &str {
    match expected {
        "f64" | "f32" => "a number",
        "i64" | "u64" | "u32" | "i32" => "a whole number",
        "a sequence" => "a list `[...]`",
        "a map" => "a table",
        "a boolean" => "true or false",
        e if e.starts_with("struct ") => "a table",
        e if e.starts_with("enum ") => "a one-key table",
        e => e,
    }
}

/// What a required key should hold, for the "missing required key" message.
fn required_hint(field: &str) -> Option<&'static str> {
    Some(match field {
        "simulation" => "`[simulation]` with `time_unit` and `horizon`",
        "business" => "`[business]` with `gross_margin`",
        "population" => "`[population]` with `customers` and at least one `[[population.segment]]`",
        "time_unit" => "one of day, week, month, quarter, year",
        "horizon" => "the simulated length in time units (> 0)",
        "gross_margin" => "the gross margin as a share of list price, in [0, 1]",
        "segment" => "at least one `[[population.segment]]` table",
        "name" => "a name (text)",
        "share" => "the segment's share of customers, in [0, 1]",
        "purchase_rate" => {
            "a distribution of purchases per time unit, e.g. `{ gamma = { shape = 2, mean = 1.2 } }`"
        }
        "dropout" => {
            "\"none\", `{ hazard = h }`, `{ bg = { a, b } }` or `{ pareto = { shape, rate } }`"
        }
        "basket" => {
            "a distribution of the list value of one purchase, e.g. `{ lognormal = { mean = 85, sd = 40 } }`"
        }
        "shape" => "a shape parameter (> 0)",
        "earn" => "points per currency unit of net spend (>= 0)",
        "point_value" => "the currency value of one point (>= 0)",
        "redeem_threshold" => "the balance needed to redeem (> 0)",
        "card_size" => "the number of stamps that fills a card (a whole number >= 1)",
        "reward_value" => "the value of the reward for a full card (>= 0)",
        "referrer_reward" | "referee_reward" => "a reward in currency (>= 0)",
        "file" => "the path of a Rhai script, relative to the scenario file",
        "after" => "the time without a purchase before the first message, in time units (> 0)",
        "response" => {
            "the chance that one message brings back a customer who has left, in [0, 1] (no default: try a range with `loyalsim sweep`)"
        }
        "rate" => "a rate (>= 0)",
        "mean" => "a mean (> 0)",
        "sd" => "a standard deviation (>= 0)",
        "a" | "b" => "a shape parameter (> 0)",
        "min" | "max" => "a number >= 0",
        "mode" => "the most likely value, between min and max",
        "p" => "a shape p (> 0)",
        "q" => "a shape q (> 1)",
        "gamma" => "a scale gamma (> 0)",
        "points" => "a number of points (> 0)",
        "value" => "a reward value in currency (>= 0)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_lists_the_allowed_names_and_the_closest() {
        assert_eq!(
            unknown("unknown key", "shar", &["name", "share"], false),
            "unknown key; did you mean `share`? allowed: name, share"
        );
        assert_eq!(
            unknown("unknown kind", "zzz", &["fixed"], true),
            "unknown kind `zzz`; allowed: fixed"
        );
    }

    #[test]
    fn override_spans_render_as_the_override() {
        let o = Origin {
            label: "x.toml".into(),
            src: "a = 1\n",
            overrides: vec![("--set a=2".into(), 7..9)],
        };
        assert_eq!(o.position(Some(&(4..5))), "x.toml:1:5");
        assert_eq!(o.position(Some(&(8..9))), "x.toml: --set a=2");
        assert_eq!(o.position(None), "x.toml");
    }
}
