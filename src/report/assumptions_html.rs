//! The report's "Assumptions in force": every response parameter the run
//! used, uncertain ones with their range, each with what it does and the
//! source of its default.

use crate::report::format::percent0;
use crate::report::html::escape;
use crate::scenario::Response;
use crate::stats::Results;
use std::fmt::Write;

/// What each response parameter does and where its default comes from; a
/// program's uncertain win-back response (`program[NAME].winback.response`)
/// has a meaning but no default.
pub fn response_doc(key: &str) -> (&'static str, &'static str) {
    if is_winback_response(key) {
        return (
            "The chance that one win-back message brings back a customer who has left",
            "your estimate (no default)",
        );
    }
    crate::model::response::Response::info(key)
        .map_or(("", "assumption"), |k| (k.meaning, k.source))
}

fn is_winback_response(key: &str) -> bool {
    key.starts_with("program[") && key.ends_with("].winback.response")
}

pub fn assumptions(h: &mut String, r: &Results) {
    let _ = writeln!(h, "<h2 id=\"assumptions\">Assumptions in force</h2>");
    if !r.assumptions.is_empty() {
        assumption_list(h, r);
        return;
    }
    let _ = writeln!(
        h,
        "<p>Business: gross margin {} of list price (cost of goods is the rest). Every program \
         is compared with no program on the same simulated customers. How members respond to a \
         program, per customer segment (values in <b>bold</b> were changed in the scenario from \
         the documented default):</p>",
        percent0(r.gross_margin)
    );
    if r.segment_response.is_empty() {
        let _ = writeln!(h, "<p class=\"note\">No response parameters recorded.</p>");
        return;
    }
    let defaults = Response::for_unit(&r.time_unit);
    let default_of = |k: &str| {
        defaults
            .entries()
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| *v)
    };
    let mut keys: Vec<&String> = Vec::new();
    for seg in &r.segment_response {
        for k in seg.response.keys() {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let _ = write!(
        h,
        "<div class=\"table-wrap\"><table class=\"assume\">\n<thead><tr><th>Parameter</th>\
         <th>What it does</th>"
    );
    for seg in &r.segment_response {
        let _ = write!(h, "<th>{}</th>", escape(&seg.segment));
    }
    let _ = writeln!(
        h,
        "<th>Default</th><th>Source of the default</th></tr></thead>\n<tbody>"
    );
    for k in keys {
        let (meaning, source) = response_doc(k);
        let default = default_of(k);
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td>",
            escape(k),
            escape(meaning)
        );
        for seg in &r.segment_response {
            match seg.response.get(k) {
                Some(v) => {
                    let changed = default.is_some_and(|d| (d - v).abs() > 1e-12);
                    let _ = write!(
                        h,
                        "<td{}>{}</td>",
                        if changed { " class=\"changed\"" } else { "" },
                        number(*v)
                    );
                }
                None => h.push_str("<td>–</td>"),
            }
        }
        let _ = writeln!(
            h,
            "<td>{}</td><td class=\"src\">{}</td></tr>",
            default.map_or("–".to_string(), number),
            escape(source)
        );
    }
    let _ = writeln!(h, "</tbody></table></div>");
}

/// The response parameters as the run used them: each uncertain one with
/// its range (drawn once per run, shared by every program), each fixed one
/// with its value.
fn assumption_list(h: &mut String, r: &Results) {
    let _ = writeln!(
        h,
        "<p>Business: gross margin {} of list price (cost of goods is the rest). Every program \
         is compared with no program on the same simulated customers. How customers respond to \
         a program is not known exactly: each uncertain parameter below was drawn afresh in \
         every run (the same value for every program in that run), so the verdicts above \
         include what we do not know about customers as well as chance. Durations are in \
         {}s.</p>",
        percent0(r.gross_margin),
        escape(&r.time_unit)
    );
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\"><table class=\"assume\">\n<thead><tr><th>Parameter</th>\
         <th>What it does</th><th>Value<span class=\"sub\">fixed, or 90% of runs between \
         (median)</span></th><th>From</th><th>Source of the default</th></tr></thead>\n<tbody>"
    );
    for a in &r.assumptions {
        let bare = if is_winback_response(&a.key) {
            &a.key
        } else {
            a.key.rsplit('.').next().unwrap_or(&a.key)
        };
        let (meaning, source) = response_doc(bare);
        let value = if a.fixed {
            format!("fixed at {}", number(a.p50))
        } else {
            format!("{} to {} ({})", number(a.p05), number(a.p95), number(a.p50))
        };
        let from = match (a.documented, a.fixed) {
            (true, false) => "documented range",
            (true, true) => "documented default",
            (false, _) => "the scenario",
        };
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td{}>{}</td><td>{from}</td>\
             <td class=\"src\">{}</td></tr>",
            escape(&a.key),
            escape(meaning),
            if a.documented {
                ""
            } else {
                " class=\"changed\""
            },
            escape(&value),
            escape(source)
        );
    }
    let _ = writeln!(h, "</tbody></table></div>");
}

/// A parameter value without needless decimals.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(2.0), "2");
        assert_eq!(number(0.123456), "0.1235");
    }
}
