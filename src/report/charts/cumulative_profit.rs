//! Cumulative profit over time, one line per program (the control in grey)
//! with the 90% band across replications shaded.

use super::style::{Style, in_currency, plural};
use super::{DrawResult, Figure, time_bands};
use crate::report::format::units;
use crate::stats::Results;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The cumulative-profit chart.
pub struct CumulativeProfit<'a> {
    r: &'a Results,
}

impl<'a> CumulativeProfit<'a> {
    pub fn new(r: &'a Results) -> Self {
        CumulativeProfit { r }
    }
}

impl Figure for CumulativeProfit<'_> {
    fn name(&self) -> &str {
        "cumulative_profit"
    }

    fn title(&self) -> String {
        "Cumulative profit over time".to_string()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let r = self.r;
        let area = s.header(
            root,
            &self.title(),
            &format!(
                "Lines: mean of {} runs. Shaded: 90% of runs (5th to 95th percentile).",
                r.replications
            ),
        )?;
        let series = time_bands::from_results(r, "cumulative_profit", Some(0.0), |_| true);
        time_bands::draw(
            &area,
            s,
            &series,
            &format!(
                "Time ({}; horizon {})",
                plural(&r.time_unit),
                units(r.horizon)
            ),
            &format!("Cumulative profit{}", in_currency(&r.currency)),
            true,
            usize::MAX,
        )
    }
}
