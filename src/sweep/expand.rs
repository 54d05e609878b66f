//! Expansion of a sweep: `--set KEY=VALUES` arguments and the scenario's
//! `[sweep]` table become axes (a key and its values), and the axes become
//! the full grid of points in a fixed order: the first key varies slowest.
//!
//! Pure: no files, no scenario loading. Values stay TOML values, so
//! integer-looking values remain TOML integers and the loader sees exactly
//! what the user wrote.

use crate::error::{Error, Result};
use crate::scenario::Override;
use toml::Value;

/// Most points a sweep may have (and most values one range may produce).
pub const MAX_POINTS: usize = 1_000_000;

/// One swept key and the values it takes, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Dotted key path, e.g. `program[Stamp card].stamps.card_size`.
    pub key: String,
    pub values: Vec<Value>,
}

/// The full grid of a sweep: the product of its axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub axes: Vec<Axis>,
    len: usize,
}

impl Grid {
    /// Build the grid; refuses an empty sweep and grids above [`MAX_POINTS`].
    pub fn new(axes: Vec<Axis>) -> Result<Grid> {
        if axes.is_empty() {
            return Err(Error::input(
                "nothing to sweep: give --set KEY=VALUES (e.g. --set 'program[Stamp card].stamps.card_size=6,8,10') or a [sweep] table in the scenario",
            ));
        }
        let mut len: usize = 1;
        for a in &axes {
            len = len
                .checked_mul(a.values.len())
                .filter(|n| *n <= MAX_POINTS)
                .ok_or_else(|| {
                    Error::input(format!(
                        "the sweep has more than {MAX_POINTS} points; sweep fewer values (split it into several sweeps)"
                    ))
                })?;
        }
        Ok(Grid { axes, len })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the grid has no points (never true for a built grid).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The swept keys, in axis order.
    pub fn keys(&self) -> Vec<String> {
        self.axes.iter().map(|a| a.key.clone()).collect()
    }

    /// Value index per axis of point `index` (mixed radix, last axis fastest).
    pub fn coords(&self, index: usize) -> Vec<usize> {
        let mut rest = index;
        let mut c = vec![0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            c[i] = rest % a.values.len();
            rest /= a.values.len();
        }
        c
    }

    /// The overrides of point `index`, one per axis, in axis order.
    pub fn point(&self, index: usize) -> Vec<Override> {
        self.coords(index)
            .into_iter()
            .zip(&self.axes)
            .map(|(v, a)| Override {
                key: a.key.clone(),
                value: a.values[v].clone(),
            })
            .collect()
    }
}

/// A point as `key=value, key=value` for messages.
pub fn describe(point: &[Override]) -> String {
    point
        .iter()
        .map(|o| format!("{}={}", o.key, display_value(&o.value)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value as the user would write it after `=`: numbers and booleans bare,
/// strings unquoted, tables and arrays as TOML inline values.
pub fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// A TOML value as JSON (for the `point` object of sweep outputs).
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Integer(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Boolean(b) => serde_json::Value::Bool(*b),
        Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        Value::Table(t) => {
            serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Parse one `--set KEY=VALUES` argument.
pub fn parse_set(arg: &str) -> Result<Axis> {
    let eq = split_top(arg, '=', true).map(|parts| parts[0].len());
    let Some(eq) = eq.filter(|&n| n < arg.len()) else {
        return Err(Error::input(format!(
            "--set '{arg}': expected KEY=VALUES, e.g. --set 'program[Stamp card].stamps.card_size=6,8,10' or --set simulation.seed=1..5:1"
        )));
    };
    let key = arg[..eq].trim();
    if key.is_empty() {
        return Err(Error::input(format!(
            "--set '{arg}': the key before '=' is empty"
        )));
    }
    let values = parse_values(key, &arg[eq + 1..], "--set")?;
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

/// Parse one what-if `--set KEY=VALUE` of `run` and `validate`: the sweep's
/// syntax, one value only.
pub fn parse_what_if(arg: &str) -> Result<Override> {
    let axis = parse_set(arg)?;
    match <[Value; 1]>::try_from(axis.values) {
        Ok([value]) => Ok(Override {
            key: axis.key,
            value,
        }),
        Err(values) => Err(Error::input(format!(
            "--set '{arg}': gives {} values; `run` and `validate` take one value per key \
             (use `loyalsim sweep` to run several)",
            values.len()
        ))),
    }
}

/// Parse VALUES: a comma list or `start..end:step`. `origin` names where the
/// text came from (`--set` or `[sweep]`) in messages.
pub fn parse_values(key: &str, text: &str, origin: &str) -> Result<Vec<Value>> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::input(format!(
            "{origin} {key}: no values given; write a comma list (6,8,10) or a range (6..14:2)"
        )));
    }
    if let Some((start, _)) = t.split_once("..")
        && number(start.trim()).is_some()
        && !t.contains(',')
    {
        return parse_range(key, t, origin);
    }
    let items = split_top(t, ',', false).ok_or_else(|| {
        Error::input(format!(
            "{origin} {key}: unbalanced quotes or brackets in '{t}'"
        ))
    })?;
    items
        .iter()
        .map(|item| parse_item(key, item.trim(), t, origin))
        .collect()
}

/// Parse `start..end:step` (inclusive of `end` within a floating tolerance).
pub fn parse_range(key: &str, t: &str, origin: &str) -> Result<Vec<Value>> {
    let bad = |why: &str| {
        Error::input(format!(
            "{origin} {key}: bad range '{t}': {why}; write start..end:step, e.g. 0.2..0.6:0.1 or 6..14:2"
        ))
    };
    let (start, rest) = t.split_once("..").ok_or_else(|| bad("missing '..'"))?;
    let (end, step) = rest.split_once(':').ok_or_else(|| bad("missing ':step'"))?;
    let (start, end, step) = (start.trim(), end.trim(), step.trim());
    let ns = number(start).ok_or_else(|| bad(&format!("start '{start}' is not a number")))?;
    let ne = number(end).ok_or_else(|| bad(&format!("end '{end}' is not a number")))?;
    let nt = number(step).ok_or_else(|| bad(&format!("step '{step}' is not a number")))?;
    if let (Num::Int(s), Num::Int(e), Num::Int(st)) = (ns, ne, nt) {
        if st <= 0 {
            return Err(bad("the step must be greater than 0"));
        }
        if e < s {
            return Err(bad("the end is smaller than the start"));
        }
        let count = (e as i128 - s as i128) / st as i128 + 1;
        if count > MAX_POINTS as i128 {
            return Err(bad(&format!("more than {MAX_POINTS} values")));
        }
        return Ok((0..count as i64)
            .map(|i| Value::Integer(s + i * st))
            .collect());
    }
    let (s, e, st) = (ns.as_f64(), ne.as_f64(), nt.as_f64());
    if st <= 0.0 {
        return Err(bad("the step must be greater than 0"));
    }
    if e < s {
        return Err(bad("the end is smaller than the start"));
    }
    let steps = ((e - s) / st + 1e-9).floor();
    if !steps.is_finite() || steps + 1.0 > MAX_POINTS as f64 {
        return Err(bad(&format!("more than {MAX_POINTS} values")));
    }
    // Round to the decimals the user wrote, so 0.2..0.6:0.1 gives 0.3, not
    // 0.30000000000000004.
    let decimals = [start, end, step]
        .iter()
        .map(|x| decimals(x))
        .max()
        .flatten();
    Ok((0..=steps as usize)
        .map(|i| {
            let x = s + i as f64 * st;
            let x = match decimals {
                Some(d) => format!("{x:.d$}").parse().unwrap_or(x),
                None => x,
            };
            Value::Float(x)
        })
        .collect())
}

/// Axes from the `[sweep]` table of a scenario's raw text (empty when the
/// table is absent or the text is not TOML: the loader reports that).
///
/// Each entry is `"KEY" = [values]` (each element one value), `"KEY" =
/// "VALUES"` (the `--set` syntax) or a single number or boolean. Bare dotted
/// keys (`simulation.seed = [1, 2]`) are read as the dotted path.
pub fn sweep_table(src: &str, file: &str) -> Result<Vec<Axis>> {
    let Ok(doc) = src.parse::<toml::Table>() else {
        return Ok(vec![]);
    };
    let Some(sweep) = doc.get("sweep") else {
        return Ok(vec![]);
    };
    let Value::Table(t) = sweep else {
        return Err(Error::input(format!(
            "{file}: [sweep] must be a table of KEY = [values], e.g. [sweep] \"program[Stamp card].stamps.card_size\" = [6, 8, 10]"
        )));
    };
    let mut axes = Vec::new();
    flatten(t, "", file, &mut axes)?;
    // toml::Table sorts keys; order the axes as written in the file.
    let mut order = Vec::new();
    if let Ok(de) = toml::de::DeTable::parse(src)
        && let Some(sw) = de.get_ref().get("sweep")
        && let toml::de::DeValue::Table(t) = sw.get_ref()
    {
        positions(t, "", &mut order);
    }
    axes.sort_by_key(|a| {
        order
            .iter()
            .find(|(k, _)| *k == a.key)
            .map_or(usize::MAX, |(_, p)| *p)
    });
    Ok(axes)
}

/// Dotted key path and source offset of every leaf of a `[sweep]` table.
fn positions(t: &toml::de::DeTable<'_>, prefix: &str, out: &mut Vec<(String, usize)>) {
    for (k, v) in t {
        let key = format!("{prefix}{}", k.get_ref());
        match v.get_ref() {
            toml::de::DeValue::Table(inner) => positions(inner, &format!("{key}."), out),
            _ => out.push((key, k.span().start)),
        }
    }
}

fn flatten(t: &toml::Table, prefix: &str, file: &str, axes: &mut Vec<Axis>) -> Result<()> {
    for (k, v) in t {
        let key = format!("{prefix}{k}");
        let origin = format!("{file}: [sweep]");
        let values = match v {
            Value::Table(inner) => {
                flatten(inner, &format!("{key}."), file, axes)?;
                continue;
            }
            Value::Array(a) if a.is_empty() => {
                return Err(Error::input(format!(
                    "{origin} {key}: the list of values is empty"
                )));
            }
            Value::Array(a) => a.clone(),
            Value::String(s) => parse_values(&key, s, &origin)?,
            other => vec![other.clone()],
        };
        axes.push(Axis { key, values });
    }
    Ok(())
}

/// The sweep's axes: the `[sweep]` table's, with `--set` replacing an axis of
/// the same key in place and adding new keys after them.
pub fn combine(file: Vec<Axis>, cli: Vec<Axis>) -> Result<Vec<Axis>> {
    let mut axes = file;
    let mut seen = std::collections::HashSet::new();
    for a in cli {
        if !seen.insert(a.key.clone()) {
            return Err(Error::input(format!(
                "--set {} is given twice; put all its values in one --set (e.g. {}=1,2,3)",
                a.key, a.key
            )));
        }
        match axes.iter_mut().find(|x| x.key == a.key) {
            Some(x) => *x = a,
            None => axes.push(a),
        }
    }
    Ok(axes)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// A number in plain decimal syntax: `-3`, `8`, `0.25`, `.5`, `1e-3`.
/// Integer-looking text is an integer. `inf`, `nan` and `0x10` are not numbers.
fn number(s: &str) -> Option<Num> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let ok_mantissa = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let ok_exp = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !ok_mantissa || !ok_exp {
        return None;
    }
    if frac.is_none() && exp.is_none() {
        return s.parse::<i64>().ok().map(Num::Int);
    }
    s.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Num::Float)
}

/// Decimals written after the point (`None` with an exponent: no rounding).
fn decimals(s: &str) -> Option<usize> {
    if s.contains(['e', 'E']) {
        return None;
    }
    Some(s.split_once('.').map_or(0, |(_, f)| f.len()))
}

fn parse_item(key: &str, item: &str, all: &str, origin: &str) -> Result<Value> {
    if item.is_empty() {
        return Err(Error::input(format!(
            "{origin} {key}: empty value in '{all}' (a stray comma?)"
        )));
    }
    if item.starts_with(['"', '\'', '{', '[']) {
        return match format!("v = {item}").parse::<toml::Table>() {
            Ok(mut t) => Ok(t.remove("v").unwrap_or(Value::Boolean(false))),
            Err(e) => Err(Error::input(format!(
                "{origin} {key}: cannot read value {item}: {}",
                e.message()
            ))),
        };
    }
    if let Some((a, b)) = item
        .split_once('-')
        .filter(|(a, b)| !a.is_empty() && number(a).is_some() && number(b).is_some())
    {
        return Err(Error::input(format!(
            "{origin} {key}: `{item}` is not a value; for a range write `{a}..{b}:STEP` (STEP the distance between values), or list the values with commas"
        )));
    }
    Ok(match item {
        "true" => Value::Boolean(true),
        "false" => Value::Boolean(false),
        _ => match number(item) {
            Some(Num::Int(i)) => Value::Integer(i),
            Some(Num::Float(f)) => Value::Float(f),
            None if item
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b'+')
                && item.bytes().any(|b| b.is_ascii_digit()) =>
            {
                return Err(Error::input(format!(
                    "{origin} {key}: {item} is not a number that fits in 64 bits"
                )));
            }
            None => Value::String(item.to_string()),
        },
    })
}

/// Split at `sep` outside quotes and brackets; with `first`, only at the
/// first such separator. `None` when quotes or brackets do not balance.
fn split_top(s: &str, sep: char, first: bool) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let mut depth: i32 = 0;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            c if c == sep && depth == 0 && (!first || parts.is_empty()) => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    if !first && (quote.is_some() || depth != 0) {
        return None;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(key: &str, t: &str) -> Vec<Value> {
        parse_values(key, t, "--set").unwrap()
    }
    fn err(r: Result<impl std::fmt::Debug>) -> String {
        match r.unwrap_err() {
            Error::Input(m) => m,
            other => panic!("expected an input error, got {other}"),
        }
    }

    #[test]
    fn lists_keep_integers_integers() {
        assert_eq!(
            vals("k", "6,8, 10"),
            vec![Value::Integer(6), Value::Integer(8), Value::Integer(10)]
        );
        assert_eq!(
            vals("k", "0.5,1,true,week,\"a,b\",-2e-1"),
            vec![
                Value::Float(0.5),
                Value::Integer(1),
                Value::Boolean(true),
                Value::String("week".into()),
                Value::String("a,b".into()),
                Value::Float(-0.2)
            ]
        );
        let t = vals("d", "{ hazard = 0.01 },{ hazard = 0.02 }");
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].get("hazard"), Some(&Value::Float(0.02)));
        assert_eq!(
            vals("f", "../a.rhai"),
            vec![Value::String("../a.rhai".into())]
        );
    }

    #[test]
    fn ranges_are_inclusive() {
        assert_eq!(
            vals("k", "6..14:2"),
            [6, 8, 10, 12, 14].map(Value::Integer).to_vec()
        );
        assert_eq!(
            vals("k", "0.2..0.6:0.1"),
            [0.2, 0.3, 0.4, 0.5, 0.6].map(Value::Float).to_vec()
        );
        assert_eq!(
            vals("k", "0..1:0.3"),
            [0.0, 0.3, 0.6, 0.9].map(Value::Float).to_vec()
        );
        assert_eq!(vals("k", "5..5:1"), vec![Value::Integer(5)]);
        assert_eq!(
            vals("k", "1..2:0.5"),
            [1.0, 1.5, 2.0].map(Value::Float).to_vec()
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = err(parse_values("a.b", "", "--set"));
        assert!(e.contains("a.b") && e.contains("no values"), "{e}");
        let e = err(parse_values("a.b", "1,,2", "--set"));
        assert!(e.contains("a.b") && e.contains("empty value"), "{e}");
        let e = err(parse_values("a.b", "1..5:0", "--set"));
        assert!(
            e.contains("a.b") && e.contains("step must be greater than 0"),
            "{e}"
        );
        let e = err(parse_values("a.b", "1..5:-1", "--set"));
        assert!(e.contains("step must be greater than 0"), "{e}");
        let e = err(parse_values("a.b", "5..1:1", "--set"));
        assert!(e.contains("a.b") && e.contains("end is smaller"), "{e}");
        let e = err(parse_values("a.b", "1..5", "--set"));
        assert!(e.contains("missing ':step'"), "{e}");
        let e = err(parse_values("a.b", "0.1..0.5:x", "--set"));
        assert!(e.contains("step 'x' is not a number"), "{e}");
        let e = err(parse_values("a.b", "0..1e9:1e-9", "--set"));
        assert!(e.contains("more than"), "{e}");
        let e = err(parse_set("novalues"));
        assert!(e.contains("expected KEY=VALUES"), "{e}");
        let e = err(parse_set("=1,2"));
        assert!(e.contains("key before '=' is empty"), "{e}");
        let e = err(parse_values("k", "[1,2", "--set"));
        assert!(e.contains("unbalanced"), "{e}");
    }

    #[test]
    fn a_dash_range_gets_the_range_syntax() {
        let e = err(parse_values("k", "6-14", "--set"));
        assert!(
            e.contains("`6-14` is not a value; for a range write `6..14:STEP`"),
            "{e}"
        );
        let e = err(parse_values("k", "0.3-0.5", "--set"));
        assert!(e.contains("`0.3..0.5:STEP`"), "{e}");
        // Negative numbers and exponents are still numbers.
        assert!(parse_values("k", "-5,1e-3", "--set").is_ok());
    }

    #[test]
    fn set_splits_at_the_first_equals_outside_brackets() {
        let a = parse_set("program[a=b].stamps.card_size=6,8").unwrap();
        assert_eq!(a.key, "program[a=b].stamps.card_size");
        assert_eq!(a.values.len(), 2);
        let a = parse_set("population.segment[0].share=0.2..0.6:0.1").unwrap();
        assert_eq!(a.key, "population.segment[0].share");
        assert_eq!(a.values.len(), 5);
    }

    #[test]
    fn grid_first_key_slowest() {
        let g = Grid::new(vec![
            Axis {
                key: "a".into(),
                values: vals("a", "1,2"),
            },
            Axis {
                key: "b".into(),
                values: vals("b", "x,y,z"),
            },
        ])
        .unwrap();
        assert_eq!(g.len(), 6);
        let seq: Vec<String> = (0..6).map(|i| describe(&g.point(i))).collect();
        assert_eq!(
            seq,
            [
                "a=1, b=x", "a=1, b=y", "a=1, b=z", "a=2, b=x", "a=2, b=y", "a=2, b=z"
            ]
        );
        assert!(Grid::new(vec![]).is_err());
    }

    #[test]
    fn sweep_table_and_cli_combine() {
        let src = r#"
[simulation]
horizon = 3
[sweep]
"program[Stamp card].stamps.card_size" = [6, 8]
simulation.seed = "1..3:1"
"population.segment[0].dropout" = [{ hazard = 0.1 }, "none"]
"#;
        let axes = sweep_table(src, "s.toml").unwrap();
        let keys: Vec<&str> = axes.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "program[Stamp card].stamps.card_size",
                "simulation.seed",
                "population.segment[0].dropout"
            ]
        );
        assert_eq!(axes[1].values.len(), 3);
        let cli = vec![
            parse_set("simulation.seed=7").unwrap(),
            parse_set("business.gross_margin=0.4,0.5").unwrap(),
        ];
        let all = combine(axes, cli).unwrap();
        assert_eq!(all[1].values, vec![Value::Integer(7)]);
        assert_eq!(all[3].key, "business.gross_margin");
        let e = err(combine(
            vec![],
            vec![parse_set("a=1").unwrap(), parse_set("a=2").unwrap()],
        ));
        assert!(e.contains("--set a is given twice"), "{e}");
        let e = err(sweep_table("[sweep]\nk = []\n", "s.toml"));
        assert!(
            e.contains("s.toml: [sweep] k: the list of values is empty"),
            "{e}"
        );
        assert!(sweep_table("[simulation]\n", "s.toml").unwrap().is_empty());
    }

    #[test]
    fn json_values() {
        assert_eq!(to_json(&Value::Integer(8)).to_string(), "8");
        assert_eq!(to_json(&Value::Float(0.3)).to_string(), "0.3");
        assert_eq!(display_value(&Value::String("week".into())), "week");
    }
}
