//! Warnings: what a run finds that is legal but probably not what the user
//! meant (a hazard of 2 meant as 2%, too few replications, a fit that did
//! not settle). Each is a typed value with the data to word it; the loader,
//! the fit and the runner collect them,
//! and the command line prints each once on stderr (`--strict` turns a
//! scenario's warnings into exit code 2). The wording is in the `Display`
//! impl, so it is the same wherever a warning is printed.
//!
//! A leaf: it imports nothing from the crate but the number formatting of
//! `input`, so every layer can hold warnings. The scenario checks are listed
//! in docs/scenario-format.md ("Warnings").

use crate::input::number;
use std::fmt;

/// Where in the input a warning points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    /// The scenario file as given (or `<input>`).
    pub file: String,
    pub place: Place,
    /// The key path (`population.segment[0].dropout`); may be empty.
    pub key: String,
}

/// The position within the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A value written in the file, at this line and column (from 1).
    Text { line: usize, column: usize },
    /// A value given on the command line: `--set KEY=VALUE`.
    Override(String),
    /// No position known.
    File,
}

impl fmt::Display for At {
    /// `FILE:LINE:COL: KEY`, `FILE: --set KEY=VALUE: KEY` or `FILE: KEY`,
    /// as the scenario errors locate a value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Place::Text { line, column } => write!(f, "{}:{line}:{column}", self.file)?,
            Place::Override(set) => write!(f, "{}: {set}", self.file)?,
            Place::File => f.write_str(&self.file)?,
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        Ok(())
    }
}

/// One warning.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// A constant hazard that loses more than half the customers within a
    /// few months: probably a percentage, or a share lost per year.
    Hazard {
        at: At,
        /// The hazard as written, per time unit.
        hazard: f64,
        /// The scenario's time unit (`month`).
        unit: &'static str,
        /// The same hazard per month.
        per_month: f64,
    },
    /// A Bass innovation far above the published 0.001 to 0.03 a year.
    Innovation {
        at: At,
        innovation: f64,
        unit: &'static str,
    },
    /// A churn multiplier (`member_churn`, `referred_churn`) far above 1:
    /// probably a percentage or a "stays" share.
    ChurnMultiplier {
        at: At,
        /// `member_churn` or `referred_churn`.
        key: &'static str,
        /// The value as written (for a distribution, its largest named value).
        multiplier: f64,
    },
    /// A program that ends after the simulation's horizon.
    EndsAfterHorizon {
        at: At,
        program: String,
        end: f64,
        horizon: f64,
        unit: &'static str,
    },
    /// Fewer replications than give a useful interval.
    FewReplications { replications: u32 },
    /// Something to know about a fit of a transaction log.
    Fit(FitWarning),
}

/// Something to know about a fit. Its text (without the `warning: ` the
/// command line adds) is also recorded in fit.json and the fit report.
#[derive(Debug, Clone, PartialEq)]
pub enum FitWarning {
    /// The purchase model's search ran a parameter to an extreme.
    NotSettled {
        /// `bgnbd` or `pnbd`.
        model: &'static str,
    },
    /// No standard errors for some parameters.
    Flat,
    /// The spend model's search ran a parameter to an extreme.
    SpendNotSettled,
    /// The spend model could not be fitted at all.
    SpendNotFitted { error: String },
    /// `--calibration-end` is after the last date in the file.
    CalibrationAfterData {
        /// The last date, as written (`2024-03-31`).
        last: String,
    },
    /// The basket is fixed at the mean repeat value (no usable spend model).
    FixedBasket {
        /// The spend model was fitted but has q <= 1 (no finite mean);
        /// otherwise it could not be fitted.
        infinite_mean: bool,
        mean: f64,
    },
}

impl FitWarning {
    /// Why the basket is fixed, as population.toml's comment says it.
    pub fn fixed_basket_reason(infinite_mean: bool) -> &'static str {
        if infinite_mean {
            "the fitted Gamma-Gamma spend model has q <= 1 (no finite mean)"
        } else {
            "the Gamma-Gamma spend model could not be fitted"
        }
    }
}

impl fmt::Display for FitWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitWarning::NotSettled { model } => write!(
                f,
                "the {model} fit did not settle inside the search space (some parameter ran to an extreme); \
                 the data may be too thin to identify the model, treat the estimates with caution"
            ),
            FitWarning::Flat => f.write_str(
                "the likelihood is flat in some direction: no standard errors for those parameters",
            ),
            FitWarning::SpendNotSettled => f.write_str(
                "the spend model did not settle inside the search space; treat its estimates with caution",
            ),
            FitWarning::SpendNotFitted { error } => write!(f, "spend model: {error}"),
            FitWarning::CalibrationAfterData { last } => write!(
                f,
                "--calibration-end is after the last date in the file ({last}): customers look younger-lived than they are"
            ),
            FitWarning::FixedBasket {
                infinite_mean,
                mean,
            } => write!(
                f,
                "{}; the basket is fixed at the mean value {mean:.2}",
                Self::fixed_basket_reason(*infinite_mean)
            ),
        }
    }
}

impl Warning {
    /// Replications below this give wide intervals.
    pub const FEW_REPLICATIONS: u32 = 30;

    /// The note for a run of `replications`, if they are few.
    pub fn few_replications(replications: u32) -> Option<Warning> {
        (replications < Self::FEW_REPLICATIONS).then_some(Warning::FewReplications { replications })
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Hazard {
                at,
                hazard,
                unit: u,
                per_month,
            } => {
                let x = *hazard;
                // Half the customers have left after ln 2 / h time units.
                let half = std::f64::consts::LN_2 / x;
                let meant = if x >= 1.0 {
                    format!(
                        "did you mean {} ({}% a {u})? or write the share lost in a year as `lost_per_year`",
                        number(x / 100.0),
                        number(x)
                    )
                } else {
                    format!(
                        "if {} is the share of customers lost in a year, write `lost_per_year = {}` in place of `dropout`",
                        number(x),
                        number(x)
                    )
                };
                let monthly = if *u == "month" {
                    String::new()
                } else {
                    format!(" ({} a month)", sig3(*per_month))
                };
                write!(
                    f,
                    "{at}: warning: a hazard of {} per {u}{monthly} means half the customers are gone within {} {u}s; {meant}",
                    number(x),
                    sig3(half),
                )
            }
            Warning::Innovation {
                at,
                innovation,
                unit,
            } => {
                let x = *innovation;
                let meant = if x >= 1.0 {
                    format!("; did you mean {} ({}%)?", number(x / 100.0), number(x))
                } else {
                    String::new()
                };
                write!(
                    f,
                    "{at}: warning: an innovation of {} wins {}% of the not-yet-won market every {unit} without any word of mouth; published values are about 0.001 to 0.03 a year{meant}",
                    number(x),
                    number(x * 100.0),
                )
            }
            Warning::ChurnMultiplier {
                at,
                key,
                multiplier,
            } => {
                let x = *multiplier;
                let meant = if x >= 10.0 {
                    format!(
                        "; did you mean {} (a multiple, not a percent)?",
                        number(x / 100.0)
                    )
                } else {
                    String::new()
                };
                write!(
                    f,
                    "{at}: warning: {key} is a multiplier on the leaving rate (0.95 = 5% less likely to leave); {} makes those customers leave {} times as fast{meant}",
                    number(x),
                    number(x)
                )
            }
            Warning::EndsAfterHorizon {
                at,
                program,
                end,
                horizon,
                unit,
            } => write!(
                f,
                "{at}: warning: the program `{program}` ends at {} but the simulation stops at the horizon ({}); the time after the horizon is not simulated, so costs and effects after {} are left out. did you mean `end` in {unit}s, or a longer `simulation.horizon`?",
                number(*end),
                number(*horizon),
                number(*horizon),
            ),
            Warning::FewReplications { replications } => write!(
                f,
                "note: {replications} replications give wide intervals; 100 or more are recommended"
            ),
            Warning::Fit(w) => write!(f, "warning: {w}"),
        }
    }
}

/// Three significant digits.
fn sig3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return number(x);
    }
    let digits = (2 - x.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(place: Place, key: &str) -> At {
        At {
            file: "s.toml".into(),
            place,
            key: key.into(),
        }
    }

    #[test]
    fn a_warning_is_located_like_an_error() {
        let w = Warning::ChurnMultiplier {
            at: at(
                Place::Text {
                    line: 3,
                    column: 16,
                },
                "response.member_churn",
            ),
            key: "member_churn",
            multiplier: 95.0,
        };
        assert_eq!(
            w.to_string(),
            "s.toml:3:16: response.member_churn: warning: member_churn is a multiplier on the leaving rate (0.95 = 5% less likely to leave); 95 makes those customers leave 95 times as fast; did you mean 0.95 (a multiple, not a percent)?"
        );
        let from_set = at(
            Place::Override("--set response.member_churn=95".into()),
            "response.member_churn",
        );
        assert_eq!(
            from_set.to_string(),
            "s.toml: --set response.member_churn=95: response.member_churn"
        );
        assert_eq!(at(Place::File, "").to_string(), "s.toml");
    }

    #[test]
    fn hazards_name_the_monthly_rate_in_other_units() {
        let w = |unit, hazard, per_month| {
            Warning::Hazard {
                at: at(Place::File, "d"),
                hazard,
                unit,
                per_month,
            }
            .to_string()
        };
        assert!(w("month", 2.0, 2.0).contains("a hazard of 2 per month means"));
        assert!(w("week", 0.15, 0.6522).contains("per week (0.652 a month)"));
        assert!(w("month", 0.6, 0.6).contains("write `lost_per_year = 0.6`"));
    }

    #[test]
    fn few_replications_are_below_thirty() {
        assert_eq!(Warning::few_replications(30), None);
        assert_eq!(
            Warning::few_replications(29).unwrap().to_string(),
            "note: 29 replications give wide intervals; 100 or more are recommended"
        );
    }

    #[test]
    fn fit_warnings_are_printed_with_their_class() {
        let w = FitWarning::FixedBasket {
            infinite_mean: true,
            mean: 12.5,
        };
        assert_eq!(
            w.to_string(),
            "the fitted Gamma-Gamma spend model has q <= 1 (no finite mean); the basket is fixed at the mean value 12.50"
        );
        assert_eq!(
            Warning::Fit(FitWarning::Flat).to_string(),
            "warning: the likelihood is flat in some direction: no standard errors for those parameters"
        );
    }
}
