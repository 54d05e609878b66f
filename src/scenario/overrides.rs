//! `--set KEY=VALUE` overrides, applied to the parsed document before it is
//! deserialized, so an overridden value goes through exactly the same checks
//! as one written in the file.
//!
//! Every node an override inserts gets a span past the end of the source
//! text. Such a span cannot be a line and column; `error.rs` turns it back
//! into the override that produced it, so messages say `--set KEY=VALUE`.
//!
//! Keys are dotted paths; `name[SEL]` picks an element of an array of tables,
//! by its `name` or by a 0-based index (`program[Stamp card]`, `program[1]`,
//! `population.segment[0]`). `segment[..]` alone is short for
//! `population.segment[..]`. Keys absent from the file may be set; whether a
//! key exists in the schema at all is checked by the deserializer
//! (`deny_unknown_fields`), which is where the "did you mean" comes from.

use super::suggest::did_you_mean;
use std::borrow::Cow;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// One part of a dotted key: `program[Stamp card]` is `program` with selector `Stamp card`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyPart {
    pub key: String,
    pub select: Option<String>,
}

/// Split a `--set` key into parts; dots inside `[...]` belong to the selector.
pub(crate) fn parse_key(key: &str) -> Result<Vec<KeyPart>, String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut select: Option<String> = None;
    let mut in_bracket = false;
    let mut closed = false;
    let finish = |cur: &mut String, select: &mut Option<String>, parts: &mut Vec<KeyPart>| {
        if cur.trim().is_empty() {
            return Err("empty part in the key path".to_string());
        }
        parts.push(KeyPart {
            key: cur.trim().to_string(),
            select: select.take().map(|s| s.trim().to_string()),
        });
        cur.clear();
        Ok(())
    };
    for c in key.chars() {
        if in_bracket {
            match c {
                ']' => {
                    in_bracket = false;
                    closed = true;
                }
                _ => select.get_or_insert_with(String::new).push(c),
            }
            continue;
        }
        match c {
            '[' if closed => return Err("only one `[...]` selector per part".to_string()),
            '[' => {
                in_bracket = true;
                select = Some(String::new());
            }
            '.' => {
                finish(&mut cur, &mut select, &mut parts)?;
                closed = false;
            }
            _ if closed => return Err("expected `.` after `]`".to_string()),
            _ => cur.push(c),
        }
    }
    if in_bracket {
        return Err("unclosed `[`".to_string());
    }
    finish(&mut cur, &mut select, &mut parts)?;
    if parts.iter().any(|p| p.select.as_deref() == Some("")) {
        return Err("empty selector `[]`; use a name or an index".to_string());
    }
    // `segment[..]` is short for `population.segment[..]`.
    if parts[0].key == "segment" && parts[0].select.is_some() {
        parts.insert(
            0,
            KeyPart {
                key: "population".to_string(),
                select: None,
            },
        );
    }
    Ok(parts)
}

/// Hands out spans past the end of the source, one per inserted node.
pub(crate) struct SpanAlloc {
    next: usize,
}

impl SpanAlloc {
    /// Spans start one byte past the source so they can never be a real position.
    pub(crate) fn new(src_len: usize) -> Self {
        SpanAlloc { next: src_len + 1 }
    }
    pub(crate) fn next(&mut self) -> Range<usize> {
        let s = self.next;
        self.next += 1;
        s..s + 1
    }
    /// The next span to be handed out (for recording an override's range).
    pub(crate) fn mark(&self) -> usize {
        self.next
    }
}

/// Give every node of a freshly parsed override value its own sentinel span.
pub(crate) fn respan<'a>(v: DeValue<'a>, spans: &mut SpanAlloc) -> Spanned<DeValue<'a>> {
    let span = spans.next();
    let v = match v {
        DeValue::Array(items) => {
            let mut out = DeArray::new();
            for item in items.iter() {
                out.push(respan(item.get_ref().clone(), spans));
            }
            DeValue::Array(out)
        }
        DeValue::Table(t) => {
            let mut out = DeTable::new();
            for (k, v) in t {
                let key = Spanned::new(spans.next(), k.into_inner());
                out.insert(key, respan(v.into_inner(), spans));
            }
            DeValue::Table(out)
        }
        other => other,
    };
    Spanned::new(span, v)
}

/// Put `value` at `parts` in `root`, creating missing tables on the way.
pub(crate) fn apply<'a>(
    root: &mut DeTable<'a>,
    parts: &[KeyPart],
    value: Spanned<DeValue<'a>>,
    spans: &mut SpanAlloc,
) -> Result<(), String> {
    let mut table = root;
    let mut walked = String::new();
    let Some((last, inner)) = parts.split_last() else {
        return Err("empty key".to_string());
    };
    for part in inner {
        let here = join(&walked, &part.key);
        if !table.contains_key(part.key.as_str()) {
            if part.select.is_some() {
                return Err(format!("`{here}` has no entries to select from"));
            }
            let key = Spanned::new(spans.next(), Cow::Owned(part.key.clone()));
            table.insert(
                key,
                Spanned::new(spans.next(), DeValue::Table(DeTable::new())),
            );
        }
        let Some(slot) = table.get_mut(part.key.as_str()) else {
            return Err(format!("`{here}` could not be created"));
        };
        let (slot, name) = match &part.select {
            Some(sel) => select(slot.get_mut(), sel, &here)?,
            None => (slot, here),
        };
        walked = name;
        table = match slot.get_mut() {
            DeValue::Table(t) => t,
            other => {
                return Err(format!(
                    "`{walked}` is {}, not a table, so it has no keys",
                    a_type(other)
                ));
            }
        };
    }
    if inner.is_empty()
        && last.select.is_none()
        && SECTIONS.contains(&last.key.as_str())
        && !is_section(value.get_ref())
    {
        // A section set to a value: serde would read a list into one
        // by position ("simulation[0]: expected a string"), which says
        // nothing useful.
        return Err(format!(
            "`{}` is a section of the scenario, not a value; set one of its keys, e.g. `{}=...`",
            last.key,
            example_key(
                &last.key,
                table.get(last.key.as_str()).map(Spanned::get_ref)
            )
        ));
    }
    match &last.select {
        None => {
            // Replacing keeps the key (and its position) already in the file.
            let key = Spanned::new(spans.next(), Cow::Owned(last.key.clone()));
            table.insert(key, value);
        }
        Some(sel) => {
            let here = join(&walked, &last.key);
            let Some(slot) = table.get_mut(last.key.as_str()) else {
                return Err(format!("`{here}` has no entries to select from"));
            };
            let (slot, _) = select(slot.get_mut(), sel, &here)?;
            *slot = value;
        }
    }
    Ok(())
}

/// The scenario's top-level keys, each a section. Another key (`horizon`)
/// is left to the reader, which says where it belongs.
const SECTIONS: [&str; 7] = [
    "simulation",
    "business",
    "population",
    "acquisition",
    "response",
    "program",
    "sweep",
];

/// A table, or a list of tables (`program`, a list of programs).
fn is_section(v: &DeValue<'_>) -> bool {
    match v {
        DeValue::Table(_) => true,
        DeValue::Array(items) => items
            .iter()
            .all(|i| matches!(i.get_ref(), DeValue::Table(_))),
        _ => false,
    }
}

/// A key inside the section `key` (holding `v` in the file) to show as an
/// example: `simulation.horizon`, `program[Stamp card].enrolment`.
fn example_key(key: &str, v: Option<&DeValue<'_>>) -> String {
    // The first key other than `name`, down to a value: `stamps.card_size`.
    fn first_key(t: &DeTable<'_>) -> String {
        match t.iter().find(|(k, _)| k.get_ref() != "name") {
            Some((k, v)) => match v.get_ref() {
                DeValue::Table(inner) if !inner.is_empty() => {
                    format!("{}.{}", k.get_ref(), first_key(inner))
                }
                _ => k.get_ref().to_string(),
            },
            None => "KEY".into(),
        }
    }
    match v {
        Some(DeValue::Table(t)) => format!("{key}.{}", first_key(t)),
        Some(DeValue::Array(items)) => match items.first().map(Spanned::get_ref) {
            Some(DeValue::Table(t)) => {
                let name = t.get("name").and_then(|n| n.get_ref().as_str());
                format!("{key}[{}].{}", name.unwrap_or("0"), first_key(t))
            }
            _ => format!("{key}[0].KEY"),
        },
        _ => format!("{key}.KEY"),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Pick one element of an array by its `name` key, or else by index.
fn select<'v, 'a>(
    v: &'v mut DeValue<'a>,
    sel: &str,
    here: &str,
) -> Result<(&'v mut Spanned<DeValue<'a>>, String), String> {
    let DeValue::Array(items) = v else {
        return Err(format!(
            "`{here}` is {}, not a list, so `[{sel}]` cannot select from it",
            a_type(v)
        ));
    };
    let names: Vec<String> = items
        .iter()
        .filter_map(|it| {
            it.get_ref()
                .get("name")?
                .get_ref()
                .as_str()
                .map(str::to_string)
        })
        .collect();
    let by_name = items
        .iter()
        .position(|it| it.get_ref().get("name").and_then(|n| n.get_ref().as_str()) == Some(sel));
    let index = match (by_name, sel.parse::<usize>()) {
        (Some(i), _) => i,
        (None, Ok(i)) if i < items.len() => i,
        (None, Ok(i)) => {
            return Err(format!(
                "`{here}[{i}]` does not exist: there {} (indices from 0)",
                match items.len() {
                    0 => "are none".to_string(),
                    1 => "is 1".to_string(),
                    n => format!("are {n}"),
                }
            ));
        }
        (None, Err(_)) => {
            let mut msg = format!("no entry of `{here}` is named `{sel}`");
            if let Some(s) = did_you_mean(sel, names.iter().map(String::as_str)) {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
            if !names.is_empty() {
                let sep = if msg.ends_with('?') { " " } else { "; " };
                msg.push_str(&format!("{sep}names: {}", names.join(", ")));
            }
            return Err(msg);
        }
    };
    let name = format!("{here}[{index}]");
    match items.get_mut(index) {
        Some(slot) => Ok((slot, name)),
        None => Err(format!("`{name}` does not exist")),
    }
}

fn a_type(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) | DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &str) -> Vec<(String, Option<String>)> {
        parse_key(k)
            .expect("valid key")
            .into_iter()
            .map(|p| (p.key, p.select))
            .collect()
    }

    #[test]
    fn keys_split_on_dots_outside_brackets() {
        assert_eq!(
            keys("program[v1.2 promo].stamps.card_size"),
            vec![
                ("program".into(), Some("v1.2 promo".into())),
                ("stamps".into(), None),
                ("card_size".into(), None)
            ]
        );
        assert_eq!(keys("segment[0].share")[0].0, "population");
        assert!(parse_key("a..b").is_err());
        assert!(parse_key("a[0").is_err());
        assert!(parse_key("a[0]b").is_err());
        assert!(parse_key("a[]").is_err());
    }

    fn set(src: &str, key: &str, value: &str) -> Result<String, String> {
        let mut doc = DeTable::parse(src).expect("valid toml");
        let parsed = DeValue::parse(value).expect("valid value").into_inner();
        let mut spans = SpanAlloc::new(src.len());
        let v = respan(parsed, &mut spans);
        apply(doc.get_mut(), &parse_key(key)?, v, &mut spans)?;
        let t: toml::Table = serde::Deserialize::deserialize(toml::de::Deserializer::from(doc))
            .map_err(|e| e.to_string())?;
        toml::to_string(&t).map_err(|e| e.to_string())
    }

    #[test]
    fn a_section_takes_a_table_not_a_value() {
        let src = "[simulation]\nhorizon = 8\n[[program]]\nname = \"A\"\n[program.stamps]\ncard_size = 10\n";
        let e = set(src, "simulation", "[1]").expect_err("a list");
        assert_eq!(
            e,
            "`simulation` is a section of the scenario, not a value; set one of its keys, e.g. `simulation.horizon=...`"
        );
        let e = set(src, "program", "3").expect_err("a number");
        assert!(e.ends_with("e.g. `program[A].stamps.card_size=...`"), "{e}");
        let e = set(src, "acquisition", "\"x\"").expect_err("a string");
        assert!(e.ends_with("e.g. `acquisition.KEY=...`"), "{e}");
        // A key that is no section (a misplaced `horizon`) is left to the
        // scenario's reader, which says where it belongs.
        let out = set(src, "horizon", "4").expect("not a section");
        assert!(out.contains("horizon = 4"), "{out}");
        // A whole section, or a list of programs, is still a section.
        set(src, "simulation", "{ horizon = 4 }").expect("a table");
        let out = set(src, "program", "[{ name = \"B\" }]").expect("a list of tables");
        assert!(
            out.contains("name = \"B\"") && !out.contains("\"A\""),
            "{out}"
        );
    }

    #[test]
    fn overrides_select_by_name_or_index_and_create_tables() {
        let src = "[[program]]\nname = \"A\"\n[[program]]\nname = \"B\"\n";
        let out = set(src, "program[B].stamps.card_size", "8").expect("set");
        assert!(out.contains("card_size = 8"), "{out}");
        let out = set(src, "program[0].enrolment", "0.5").expect("set");
        assert!(out.contains("enrolment = 0.5"), "{out}");
        let e = set(src, "program[C].enrolment", "1").expect_err("no C");
        assert_eq!(e, "no entry of `program` is named `C`; names: A, B");
        let e = set(src, "program[5].enrolment", "1").expect_err("no 5");
        assert_eq!(
            e,
            "`program[5]` does not exist: there are 2 (indices from 0)"
        );
        let e = set(src, "program[0].name.x", "1").expect_err("not a table");
        assert_eq!(
            e,
            "`program[0].name` is a string, not a table, so it has no keys"
        );
    }
}
