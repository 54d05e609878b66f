//! The validation context: turns a span into a located error, and checks
//! numbers against the ranges docs/scenario-format.md demands ("rates >= 0,
//! probabilities and shares in [0, 1], discount rates in [0, 1), sizes >= 1").
//!
//! Keeping the wording of ranges in one place makes every out-of-range
//! message read the same: `PATH: `1.5` is out of range. expected a probability in [0, 1]`.

use super::error::{Origin, ScenarioError};
use super::locate;
use super::raw::{Int, Num, Str};
use crate::warnings::At;
use std::ops::Range;
use std::path::Path;
use toml::de::DeTable;

pub(crate) type Result<T> = std::result::Result<T, ScenarioError>;

/// Everything stage two needs to word an error and find relative files.
pub(crate) struct Cx<'a> {
    pub origin: &'a Origin<'a>,
    pub doc: &'a DeTable<'a>,
    /// The scenario file's folder: relative `cohort` and `script` paths resolve against it.
    pub dir: &'a Path,
}

/// Allowed ranges of a number.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bound {
    /// >= 0
    NonNeg,
    /// > 0
    Pos,
    /// in [0, 1]
    Unit,
    /// in [0, 1)
    UnitOpen,
    /// > x
    Above(f64),
    /// any finite number
    Any,
}

impl Bound {
    pub(crate) fn holds(self, x: f64) -> bool {
        match self {
            Bound::NonNeg => x >= 0.0,
            Bound::Pos => x > 0.0,
            Bound::Unit => (0.0..=1.0).contains(&x),
            Bound::UnitOpen => (0.0..1.0).contains(&x),
            Bound::Above(a) => x > a,
            Bound::Any => true,
        }
    }

    pub(crate) fn describe(self) -> String {
        match self {
            Bound::NonNeg => ">= 0".to_string(),
            Bound::Pos => "> 0".to_string(),
            Bound::Unit => "in [0, 1]".to_string(),
            Bound::UnitOpen => "in [0, 1) (1 or more would give goods away)".to_string(),
            Bound::Above(a) => format!("> {a}"),
            Bound::Any => "(any finite number)".to_string(),
        }
    }
}

impl Cx<'_> {
    /// Where `span` is, for a warning: file, position and key path, as
    /// [`Cx::err`] locates an error.
    pub(crate) fn at(&self, span: &Range<usize>) -> At {
        let hit = locate::find(self.doc, span, false);
        At {
            file: self.origin.label.clone(),
            place: self.origin.place(Some(span)),
            key: locate::format_path(&hit.path),
        }
    }

    /// An error at `span`, the key path found from the span.
    pub(crate) fn err(
        &self,
        span: &Range<usize>,
        problem: impl std::fmt::Display,
    ) -> ScenarioError {
        let hit = locate::find(self.doc, span, false);
        self.origin
            .error(Some(span), &locate::format_path(&hit.path), problem)
    }

    /// An error at `span` with an explicit key path (for arrays of tables,
    /// whose span is also their first element's).
    pub(crate) fn err_path(
        &self,
        span: &Range<usize>,
        path: &str,
        problem: impl std::fmt::Display,
    ) -> ScenarioError {
        self.origin.error(Some(span), path, problem)
    }

    /// A name or label shown in tables, charts, file names and the report:
    /// no control characters (a name written `"a\u001b[2J"` would clear
    /// the screen of whoever prints the table).
    pub(crate) fn printable(&self, v: &Str) -> Result<()> {
        match crate::input::control_character(v.get_ref()) {
            None => Ok(()),
            Some(problem) => Err(self.err(
                &v.span(),
                format!(
                    "`{}` {problem}. expected printable text (it is shown in tables, charts and the report)",
                    crate::input::excerpt(v.get_ref(), 40),
                ),
            )),
        }
    }

    /// A finite number within `bound`; `what` names it in the message ("a probability").
    pub(crate) fn num(&self, v: &Num, bound: Bound, what: &str) -> Result<f64> {
        let x = *v.get_ref();
        let shown = crate::input::number(x);
        if !x.is_finite() {
            return Err(self.err(
                &v.span(),
                format!(
                    "`{shown}` is not a finite number. expected {what} {}",
                    bound.describe()
                ),
            ));
        }
        if !bound.holds(x) {
            // 45 for 0.45: a share written as a percent.
            let percent =
                matches!(bound, Bound::Unit | Bound::UnitOpen) && (2.0..=100.0).contains(&x);
            let hint = if percent {
                format!(
                    "; did you mean {} ({shown}%)? shares are written as fractions",
                    crate::input::number(x / 100.0)
                )
            } else {
                String::new()
            };
            return Err(self.err(
                &v.span(),
                format!(
                    "`{shown}` is out of range. expected {what} {}{hint}",
                    bound.describe()
                ),
            ));
        }
        Ok(x)
    }

    /// An optional number with a default.
    pub(crate) fn num_or(
        &self,
        v: &Option<Num>,
        default: f64,
        bound: Bound,
        what: &str,
    ) -> Result<f64> {
        match v {
            Some(v) => self.num(v, bound, what),
            None => Ok(default),
        }
    }

    /// An optional number without a default.
    pub(crate) fn num_opt(&self, v: &Option<Num>, bound: Bound, what: &str) -> Result<Option<f64>> {
        v.as_ref().map(|v| self.num(v, bound, what)).transpose()
    }

    /// A whole number in `min..=max`.
    pub(crate) fn int(&self, v: &Int, min: i64, max: i64, what: &str) -> Result<i64> {
        let x = *v.get_ref();
        // Wide ranges are type limits, not advice: word them as one-sided.
        let problem = if max - min < 1_000_000 && (x < min || x > max) {
            format!("`{x}` is out of range. expected {what} from {min} to {max}")
        } else if x < min {
            format!("`{x}` is out of range. expected {what} >= {min}")
        } else if x > max {
            format!("`{x}` is too large. expected {what} <= {max}")
        } else {
            return Ok(x);
        };
        Err(self.err(&v.span(), problem))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(Bound::NonNeg.holds(0.0) && !Bound::NonNeg.holds(-1e-300));
        assert!(!Bound::Pos.holds(0.0));
        assert!(Bound::Unit.holds(1.0) && !Bound::UnitOpen.holds(1.0));
        assert!(Bound::Above(1.0).holds(1.5) && !Bound::Above(1.0).holds(1.0));
    }
}
