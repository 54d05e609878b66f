//! "Did you mean …?": the closest allowed name to a misspelt one.
//!
//! The distance is strsim's Levenshtein distance by character (the crate
//! clap already uses for its own suggestions).

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
        let d = strsim::levenshtein(word, c);
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
    fn suggestions() {
        let keys = ["name", "share", "purchase_rate", "dropout", "basket"];
        assert_eq!(did_you_mean("purchse_rate", keys), Some("purchase_rate"));
        assert_eq!(did_you_mean("shares", keys), Some("share"));
        assert_eq!(did_you_mean("x", keys), None);
        assert_eq!(did_you_mean("sed", ["seed", "name"]), Some("seed"));
        assert_eq!(did_you_mean("c", ["a", "b"]), None);
        assert_eq!(did_you_mean("colour", keys), None);
        // By character, not byte: one edit in a non-ASCII name.
        assert_eq!(did_you_mean("größe", ["grösse", "größer"]), Some("größer"));
    }
}
