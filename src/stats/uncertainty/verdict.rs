//! The verdict on one program, in one word for machines and the facts a
//! sentence for people needs.
//!
//! Rule:
//! 1. p_better ≥ 0.9 is `likely_pays` and p_better ≤ 0.1 is `likely_loses`,
//!    unless some assumption's expected extra profit changes sign between
//!    its 5th and 95th percentiles (a `break_even` in range): a verdict that
//!    flips inside the documented range of an assumption is never worded as
//!    likely either way. It is then `depends`, on the assumption with a
//!    break-even that has the largest variance share. No minimum share is
//!    asked here: with p_better ≥ 0.9 the mean extra profit is about 1.3
//!    standard deviations above zero, and a curve can only come down to
//!    zero inside the range if its assumption moves the profit that much;
//!    noise does not (a curve fitted to an assumption that does nothing
//!    crossed zero in 4 of 1000 synthetic data sets at 0.5 standard
//!    deviations from zero, with shares of 0.01 to 0.06).
//! 2. Otherwise (0.1 < p_better < 0.9) `depends`, and the deciding
//!    assumption is the one with a break-even in range and the largest
//!    share, if that share is at least 0.05 (so that a noise crossing is not
//!    named); else the one with the largest share, if at least 0.1, without
//!    a break-even; else none: chance decides.

use super::sensitivity::KeySensitivity;
use serde::Serialize;

/// At or above this p_better (and with no sign change): likely pays.
pub const LIKELY_PAYS: f64 = 0.9;
/// At or below this p_better (and with no sign change): likely loses.
pub const LIKELY_LOSES: f64 = 0.1;
/// With 0.1 < p_better < 0.9: the smallest variance share of an assumption
/// with a break-even in range that makes it the deciding one.
pub const MIN_FLIP_SHARE: f64 = 0.05;
/// With 0.1 < p_better < 0.9 and no such assumption: the smallest variance
/// share that makes an assumption the deciding one.
pub const MIN_DECIDING_SHARE: f64 = 0.1;

/// The verdict's word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Word {
    LikelyPays,
    LikelyLoses,
    Depends,
}

impl Word {
    /// The word as results documents write it (`likely_pays`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Word::LikelyPays => "likely_pays",
            Word::LikelyLoses => "likely_loses",
            Word::Depends => "depends",
        }
    }
}

/// A program's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub verdict: Word,
    /// With `depends`: the assumption it depends on (None: it is chance).
    pub deciding_key: Option<String>,
    /// The deciding assumption's break-even value, if it flips the sign in range.
    pub break_even: Option<f64>,
    /// With a break-even: true if the program pays above it.
    pub pays_above: Option<bool>,
}

/// The verdict from p_better (share of replications in which the program
/// beats the control) and the program's sensitivity list (largest share
/// first, as [`super::sensitivity`] returns it).
pub fn verdict(p_better: f64, sensitivity: &[KeySensitivity]) -> Verdict {
    let flipping = largest_share(sensitivity.iter().filter(|k| k.break_even.is_some()));
    let depends_on = |k: &KeySensitivity| Verdict {
        verdict: Word::Depends,
        deciding_key: Some(k.key.clone()),
        break_even: k.break_even,
        pays_above: k.pays_above,
    };
    let likely = if p_better >= LIKELY_PAYS {
        Some(Word::LikelyPays)
    } else if p_better <= LIKELY_LOSES {
        Some(Word::LikelyLoses)
    } else {
        None
    };
    if let Some(word) = likely {
        return match flipping {
            Some(k) => depends_on(k),
            None => Verdict {
                verdict: word,
                deciding_key: None,
                break_even: None,
                pays_above: None,
            },
        };
    }
    if let Some(k) = flipping.filter(|k| k.variance_share >= MIN_FLIP_SHARE) {
        return depends_on(k);
    }
    Verdict {
        verdict: Word::Depends,
        deciding_key: largest_share(sensitivity.iter())
            .filter(|k| k.variance_share >= MIN_DECIDING_SHARE)
            .map(|k| k.key.clone()),
        break_even: None,
        pays_above: None,
    }
}

/// The entry with the largest variance share, the first of equals.
fn largest_share<'a>(keys: impl Iterator<Item = &'a KeySensitivity>) -> Option<&'a KeySensitivity> {
    // `max_by` keeps the later of two equal elements unless the comparison
    // calls the earlier one greater.
    keys.max_by(|a, b| {
        a.variance_share
            .total_cmp(&b.variance_share)
            .then(std::cmp::Ordering::Greater)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, share: f64, be: Option<f64>) -> KeySensitivity {
        KeySensitivity {
            key: name.into(),
            variance_share: share,
            profit_at_p05: 0.0,
            profit_at_p95: 0.0,
            break_even: be,
            pays_above: be.map(|_| true),
        }
    }

    #[test]
    fn verdict_cases() {
        let flat = [key("a", 0.3, None), key("b", 0.05, None)];
        // Clear cases, including the thresholds themselves.
        assert_eq!(verdict(0.95, &flat).verdict, Word::LikelyPays);
        assert_eq!(verdict(0.9, &flat).verdict, Word::LikelyPays);
        assert_eq!(verdict(0.1, &flat).verdict, Word::LikelyLoses);
        assert_eq!(verdict(0.0, &flat).verdict, Word::LikelyLoses);
        assert_eq!(verdict(0.95, &flat).deciding_key, None);
        // In between: depends on the largest share.
        let v = verdict(0.6, &flat);
        assert_eq!(
            (v.verdict, v.deciding_key.as_deref()),
            (Word::Depends, Some("a"))
        );
        assert_eq!(v.break_even, None);
        // In between with only small shares: chance decides.
        let small = [key("a", 0.08, None), key("b", 0.02, None)];
        assert_eq!(verdict(0.5, &small).deciding_key, None);
        // A sign change in range overrides a high or low p_better …
        let flips = [
            key("a", 0.5, None),
            key("g", 0.3, Some(0.07)),
            key("h", 0.1, Some(2.0)),
        ];
        for p in [0.99, 0.5, 0.01] {
            let v = verdict(p, &flips);
            assert_eq!(v.verdict, Word::Depends, "p_better {p}");
            // … and names the flipping key with the largest share, not the largest share overall.
            assert_eq!(v.deciding_key.as_deref(), Some("g"));
            assert_eq!((v.break_even, v.pays_above), (Some(0.07), Some(true)));
        }
        // In between, a crossing with a tiny share (noise) is not named: the
        // largest share is, without a break-even.
        let noise = [key("a", 0.5, None), key("n", 0.03, Some(0.2))];
        let v = verdict(0.7, &noise);
        assert_eq!((v.deciding_key.as_deref(), v.break_even), (Some("a"), None));
        // … but at a high p_better any crossing forbids "likely".
        assert_eq!(verdict(0.95, &noise).verdict, Word::Depends);
        assert_eq!(verdict(0.95, &noise).deciding_key.as_deref(), Some("n"));
        // Ties keep the first listed.
        let tie = [key("x", 0.2, Some(1.0)), key("y", 0.2, Some(2.0))];
        assert_eq!(verdict(0.95, &tie).deciding_key.as_deref(), Some("x"));
        let tie = [key("x", 0.2, None), key("y", 0.2, None)];
        assert_eq!(verdict(0.5, &tie).deciding_key.as_deref(), Some("x"));
        // No assumptions at all.
        assert_eq!(verdict(0.95, &[]).verdict, Word::LikelyPays);
        assert_eq!(verdict(0.5, &[]).deciding_key, None);
    }
}
