//! The behavioural response parameters (`[response]`), spelt once.
//!
//! Every key lives in one table, [`KEYS`]: its name, its default, the range
//! a scenario may give it, what it does and where the default comes from.
//! The struct, the loader, the results document, the report and the script
//! bridge all read that table, so adding a key is one line here (plus the
//! code that uses it).
//!
//! Two keys are durations (`goal_horizon`, `effect_fade`). Their defaults are
//! stated in months and converted to the scenario's time unit by
//! [`Response::for_unit`]; [`Response::default`] is the monthly version.

/// Allowed values of a response key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRange {
    /// >= 0
    NonNeg,
    /// > 0
    Pos,
    /// in [0, 1]
    Unit,
    /// any finite number
    Any,
}

/// One documented response key.
#[derive(Debug, Clone, Copy)]
pub struct KeyInfo {
    pub name: &'static str,
    /// The default, in months for the two durations.
    pub default: f64,
    pub range: KeyRange,
    /// How a value is named in error messages ("an elasticity").
    pub what: &'static str,
    /// What the key does, in a marketer's words (report, docs).
    pub meaning: &'static str,
    /// Where the default comes from.
    pub source: &'static str,
    /// True for durations, whose value is in the scenario's time unit.
    pub duration: bool,
    /// The documented range when the scenario does not fix the key: a
    /// triangular distribution (min, mode, max), in months for durations.
    /// The mode is the default.
    pub prior: (f64, f64, f64),
    /// Where that range comes from.
    pub prior_source: &'static str,
}

macro_rules! response_keys {
    ($( $field:ident = $default:expr, $range:ident, $what:expr, $dur:expr,
        $meaning:expr, $source:expr, prior $prior:expr, $prior_source:expr; )*) => {
        /// `[response]`: how members react to a program (docs/model.md).
        /// Fields are in [`KEYS`] order.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct Response {
            $( pub $field: f64, )*
        }

        /// Every response key, in file order.
        pub const KEYS: &[KeyInfo] = &[
            $( KeyInfo {
                name: stringify!($field),
                default: $default,
                range: KeyRange::$range,
                what: $what,
                meaning: $meaning,
                source: $source,
                duration: $dur,
                prior: $prior,
                prior_source: $prior_source,
            }, )*
        ];

        impl Response {
            /// The value of key `name`, if it is one.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }

            /// Set key `name`; false if there is no such key.
            pub fn set(&mut self, name: &str, value: f64) -> bool {
                match name {
                    $( stringify!($field) => { self.$field = value; true } )*
                    _ => false,
                }
            }

            /// (key, value) pairs in [`KEYS`] order.
            pub fn entries(&self) -> Vec<(&'static str, f64)> {
                vec![ $( (stringify!($field), self.$field), )* ]
            }
        }

        impl Default for Response {
            /// The documented defaults, durations in months.
            fn default() -> Self {
                Response { $( $field: $default, )* }
            }
        }
    };
}

response_keys! {
    discount_elasticity = 1.0, NonNeg, "an elasticity", false,
        "Purchase-rate lift per unit of immediate discount (a 5% discount with 1.0 gives 5% more purchases)",
        "assumption (store level; the brand price elasticity of -2.62 in Bijmolt et al. 2005 includes brand switching, an upper bound)",
        prior (0.0, 1.0, 2.5), "from no response to 2.5: below the brand-level price elasticity of 2.62 (Bijmolt et al. 2005), which includes brand switching";
    reward_elasticity = 1.0, NonNeg, "an elasticity", false,
        "Purchase-rate lift per unit of deferred reward value, as perceived",
        "assumption",
        prior (0.0, 1.0, 2.0), "assumption: from no response to twice the default";
    reward_perceived = 0.7, Unit, "a share of reward value", false,
        "Value members put on a currency unit of points or rewards, relative to cash",
        "Stourm, Bradlow & Fader 2015 (points are accounted apart from cash)",
        prior (0.4, 0.7, 1.0), "points valued from 40% of cash to full cash (Stourm, Bradlow & Fader 2015 find points accounted apart from cash)";
    goal_gradient = 0.2, NonNeg, "a goal-gradient strength", false,
        "Extra purchase rate at a full card, for a reward of the reference size (a free coffee after ten)",
        "Kivetz, Urminsky & Zheng 2006 (café card: the last gap between purchases about 20% shorter than the first)",
        prior (0.0, 0.2, 0.4), "from no goal gradient (Nastasoiu et al. 2021, cash-like points) to twice the café card's (Kivetz, Urminsky & Zheng 2006)";
    reward_carryover = 0.3, Unit, "a carry-over share", false,
        "Share of the goal-gradient lift that stays after a reward resets progress (then fades)",
        "Drèze & Nunes 2011 (the reset after a reward is partial)",
        prior (0.0, 0.3, 0.6), "from a full reset to most of the lift kept (Drèze & Nunes 2011)";
    switching_cost = 0.1, NonNeg, "a switching-cost strength", false,
        "Churn reduction per mean basket of value banked in points or stamps",
        "assumption",
        prior (0.0, 0.1, 0.3), "assumption";
    member_churn = 0.95, NonNeg, "a churn multiplier", false,
        "Churn multiplier of a new member for a reward of the reference size (fades with tenure)",
        "Meyer-Waarden 2007; small once self-selection is removed (Leenheer et al. 2007)",
        prior (0.85, 0.95, 1.0), "from 15% less churn (Meyer-Waarden 2007) to none once self-selection is removed (Leenheer et al. 2007)";
    referred_churn = 0.82, NonNeg, "a churn multiplier", false,
        "Churn multiplier of customers who came through a recommendation",
        "Schmitt, Skiera & Van den Bulte 2011 (referred customers are more loyal)",
        prior (0.7, 0.82, 0.95), "around the 18% lower churn of referred customers (Schmitt, Skiera & Van den Bulte 2011)";
    referral_boost = 2.0, NonNeg, "a referral multiplier", false,
        "Multiplier on a referral-program member's recommendations when the reward is one basket",
        "assumption",
        prior (1.0, 2.0, 3.0), "assumption: from no boost to three times the recommendations";
    v_half = 0.1, Pos, "a value per currency unit", false,
        "Value given back per currency unit at which the response reaches half its ceiling (diminishing returns)",
        "assumption (incentive effects are small for 1%-back programs: Nastasoiu et al. 2021)",
        prior (0.05, 0.1, 0.2), "assumption";
    goal_horizon = 6.0, Pos, "a duration in time units", true,
        "How far ahead members look: a reward expected later than this gives no goal-gradient lift",
        "assumption (goals are motivating only when attainable: Kivetz et al. 2006)",
        prior (3.0, 6.0, 12.0), "assumption: a season to a year";
    effect_fade = 9.0, Pos, "a duration in time units", true,
        "Time over which the membership and carry-over effects fade (to 37%)",
        "Meyer-Waarden & Benavent 2009 (changes erode within 6 to 9 months)",
        prior (4.0, 9.0, 18.0), "around the 6 to 9 months of Meyer-Waarden & Benavent (2009)";
    enrolment_selection = 1.0, Any, "a selection strength", false,
        "How much more often heavy buyers join: joining odds grow with (own rate / average rate) to this power",
        "Leenheer et al. 2007; Meyer-Waarden & Benavent 2009 (members were already the better customers)",
        prior (0.5, 1.0, 1.5), "assumption around the several-fold overstatement of naive comparisons (Leenheer et al. 2007)";
    heavy_damping = 0.5, Any, "a damping exponent", false,
        "How much less heavy buyers respond: each member's lift is scaled by (average rate / own rate) to this power, at most 2x",
        "Liu 2007 (heavy buyers did not change); Lal & Bell 2003 (gains came from light buyers)",
        prior (0.0, 0.5, 1.0), "from all members responding alike to light buyers responding far more (Liu 2007; Lal & Bell 2003)";
    card_abandonment = 0.3, Unit, "a probability", false,
        "Chance that a member gives up a stamp card after a stamp, times the share of the card still empty",
        "calibrated to Nunes & Drèze 2006 (car wash: 34% of cards with 2 of 10 stamps pre-printed completed vs 19% of blank 8-stamp cards)",
        prior (0.1, 0.3, 0.5), "around the calibration to Nunes & Drèze (2006)";
}

/// Days per month, for converting the monthly defaults of the durations.
const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// Months in one time unit named by `unit` ("day", "week", "month", "quarter", "year").
pub fn months_per_unit(unit: &str) -> f64 {
    match unit {
        "day" => 1.0 / DAYS_PER_MONTH,
        "week" => 7.0 / DAYS_PER_MONTH,
        "quarter" => 3.0,
        "year" => 12.0,
        _ => 1.0,
    }
}

/// The reference incentive v_ref: a free coffee after ten (Kivetz, Urminsky
/// & Zheng 2006), about 7% back. Effects are stated at this size.
pub const V_REF: f64 = 0.07;

impl Response {
    /// The documented defaults with the durations in time units of `unit`.
    pub fn for_unit(unit: &str) -> Self {
        let mut r = Response::default();
        let m = months_per_unit(unit);
        for k in KEYS.iter().filter(|k| k.duration) {
            r.set(k.name, k.default / m);
        }
        r
    }

    /// The default of `name` in time units of `unit`.
    pub fn default_of(name: &str, unit: &str) -> Option<f64> {
        Response::for_unit(unit).get(name)
    }

    /// Every effect switched off: members behave exactly like the control.
    pub fn neutral() -> Self {
        Response {
            discount_elasticity: 0.0,
            reward_elasticity: 0.0,
            reward_perceived: 0.0,
            goal_gradient: 0.0,
            reward_carryover: 0.0,
            switching_cost: 0.0,
            member_churn: 1.0,
            referred_churn: 1.0,
            referral_boost: 1.0,
            enrolment_selection: 0.0,
            heavy_damping: 0.0,
            card_abandonment: 0.0,
            ..Response::default()
        }
    }

    /// The documentation of key `name`.
    pub fn info(name: &str) -> Option<&'static KeyInfo> {
        KEYS.iter().find(|k| k.name == name)
    }

    /// Incentive strength S(v) = s(v) / s(v_ref) with s(v) = v / (v + v_half):
    /// 0 for nothing, 1 at the reference incentive, levelling off above it.
    #[inline]
    pub fn strength(&self, v: f64) -> f64 {
        if v <= 0.0 {
            return 0.0;
        }
        let s = |x: f64| x / (x + self.v_half);
        s(v) / s(V_REF)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_table_drives_get_set_and_defaults() {
        let mut r = Response::default();
        for k in KEYS {
            assert_eq!(r.get(k.name), Some(k.default), "{}", k.name);
            assert!(r.set(k.name, 0.5));
            assert_eq!(r.get(k.name), Some(0.5));
        }
        assert!(!r.set("nope", 1.0));
        assert_eq!(r.entries().len(), KEYS.len());
    }

    #[test]
    fn durations_convert_to_the_time_unit() {
        let w = Response::for_unit("week");
        assert!((w.goal_horizon - 6.0 * DAYS_PER_MONTH / 7.0).abs() < 1e-12);
        assert!((Response::for_unit("year").effect_fade - 0.75).abs() < 1e-12);
        assert_eq!(Response::for_unit("month"), Response::default());
        assert_eq!(Response::for_unit("week").goal_gradient, 0.2);
    }

    #[test]
    fn strength_is_zero_one_at_reference_and_saturates() {
        let r = Response::default();
        assert_eq!(r.strength(0.0), 0.0);
        assert!((r.strength(V_REF) - 1.0).abs() < 1e-15);
        let s: Vec<f64> = [0.01, 0.05, 0.1, 0.2]
            .iter()
            .map(|v| r.strength(*v))
            .collect();
        assert!(s.windows(2).all(|w| w[1] > w[0]));
        // Diminishing returns: each doubling adds less.
        assert!(s[3] - s[2] < s[2] - s[1]);
        // The ceiling: (v_ref + v_half) / v_ref.
        assert!(r.strength(1e12) < (V_REF + r.v_half) / V_REF + 1e-9);
    }
}
