//! Positions: from a byte span back to the key path it belongs to
//! (`population.segment[0].share`), and from a byte offset to line and column.
//!
//! The deserializer and the validator only know spans; users think in key
//! paths. Walking the parsed document once per error is cheap (files are small)
//! and keeps the raw types free of path bookkeeping.

use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Render a key path the way users write `--set` keys: `program[1].stamps.card_size`.
pub(crate) fn format_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// What a span was found to belong to.
#[derive(Debug)]
pub(crate) struct Hit<'d, 'a> {
    pub path: Vec<Seg>,
    /// The value at `path` (`None` for the document root).
    pub node: Option<&'d DeValue<'a>>,
}

/// The key path of the value (or key) whose span is `target`.
///
/// An exact match wins, the deepest one if several coincide (the header of an
/// array of tables is the span of both the array and its first element).
/// Without an exact match the smallest enclosing span wins, unless `exact` is
/// set, in which case the root (empty path) is returned.
pub(crate) fn find<'d, 'a>(
    root: &'d DeTable<'a>,
    target: &Range<usize>,
    exact: bool,
) -> Hit<'d, 'a> {
    let mut best: Option<(Score, Vec<Seg>, &'d DeValue<'a>)> = None;
    let mut path = Vec::new();
    walk_table(root, target, exact, &mut path, &mut best);
    match best {
        Some((_, path, node)) => Hit {
            path,
            node: Some(node),
        },
        None => Hit {
            path: Vec::new(),
            node: None,
        },
    }
}

/// Lower is better: exact before enclosing, then narrower, then deeper.
type Score = (bool, usize, std::cmp::Reverse<usize>);

type Best<'d, 'a> = Option<(Score, Vec<Seg>, &'d DeValue<'a>)>;

fn consider<'d, 'a>(
    span: &Range<usize>,
    target: &Range<usize>,
    exact_only: bool,
    path: &[Seg],
    node: &'d DeValue<'a>,
    best: &mut Best<'d, 'a>,
) {
    let exact = span == target;
    let encloses = span.start <= target.start && target.end <= span.end && span.start < span.end;
    if !(exact || (!exact_only && encloses)) {
        return;
    }
    let score = (!exact, span.len(), std::cmp::Reverse(path.len()));
    if best.as_ref().is_none_or(|(s, _, _)| score < *s) {
        *best = Some((score, path.to_vec(), node));
    }
}

fn walk_table<'d, 'a>(
    table: &'d DeTable<'a>,
    target: &Range<usize>,
    exact: bool,
    path: &mut Vec<Seg>,
    best: &mut Best<'d, 'a>,
) {
    for (k, v) in table.iter() {
        path.push(Seg::Key(k.get_ref().to_string()));
        // The key's own span counts as the value's position: unknown-key
        // errors point at the key.
        consider(&k.span(), target, exact, path, v.get_ref(), best);
        walk_value(v, target, exact, path, best);
        path.pop();
    }
}

fn walk_value<'d, 'a>(
    v: &'d toml::Spanned<DeValue<'a>>,
    target: &Range<usize>,
    exact: bool,
    path: &mut Vec<Seg>,
    best: &mut Best<'d, 'a>,
) {
    consider(&v.span(), target, exact, path, v.get_ref(), best);
    match v.get_ref() {
        DeValue::Table(t) => walk_table(t, target, exact, path, best),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                walk_value(item, target, exact, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(line_col(src, 10), (2, 4));
        assert_eq!(line_col(src, 999), (3, 1));
    }

    #[test]
    fn spans_map_back_to_paths() {
        let src = "[a]\nx = 1\n[[b]]\ny = { z = 2 }\n[[b]]\ny = 3\n";
        let doc = DeTable::parse(src).expect("valid toml");
        let root = doc.get_ref();
        let z = src.find("2").expect("z");
        let hit = find(root, &(z..z + 1), false);
        assert_eq!(format_path(&hit.path), "b[0].y.z");
        let y = src.rfind('3').expect("y");
        assert_eq!(format_path(&find(root, &(y..y + 1), false).path), "b[1].y");
        let header = src.find("[[b]]").expect("b");
        assert_eq!(
            format_path(&find(root, &(header..header + 5), true).path),
            "b[0]"
        );
        assert_eq!(format_path(&find(root, &(0..0), true).path), "");
    }
}
