//! "Did you mean …?": the closest allowed name to a misspelt one.
//!
//! A plain Levenshtein distance is enough for key names of a few dozen
//! characters; it is written here to avoid a dependency for twenty lines.

/// Edit distance (insertions, deletions, substitutions) between two strings, by character.
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // One row of the dynamic-programming table at a time.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != *cb);
            row[j + 1] = (diag + cost).min(row[j] + 1).min(above + 1);
            diag = above;
        }
    }
    row[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
///
/// "Close enough" allows about one edit per three characters (at least one
/// from three characters on, none below), so `purchse_rate` finds
/// `purchase_rate` and `sed` finds `seed`, but `c` does not find `a`.
pub(crate) fn did_you_mean<'c, I>(word: &str, candidates: I) -> Option<&'c str>
where
    I: IntoIterator<Item = &'c str>,
{
    let len = word.chars().count();
    let limit = if len < 3 { 0 } else { (len / 3).max(1) };
    let mut best: Option<(usize, &'c str)> = None;
    for c in candidates {
        let d = levenshtein(word, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(levenshtein("", ""), 0);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("purchse_rate", "purchase_rate"), 1);
    }

    #[test]
    fn suggestions() {
        let keys = ["name", "share", "purchase_rate", "dropout", "basket"];
        assert_eq!(did_you_mean("purchse_rate", keys), Some("purchase_rate"));
        assert_eq!(did_you_mean("shares", keys), Some("share"));
        assert_eq!(did_you_mean("x", keys), None);
        assert_eq!(did_you_mean("sed", ["seed", "name"]), Some("seed"));
        assert_eq!(did_you_mean("c", ["a", "b"]), None);
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
