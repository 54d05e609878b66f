//! Active customers over time, one line per program (the control in grey)
//! with the 90% band across replications shaded.

use super::style::{Style, plural};
use super::{DrawResult, Figure, time_bands};
use crate::stats::Results;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The active-customers chart.
pub struct ActiveCustomers<'a> {
    r: &'a Results,
}

impl<'a> ActiveCustomers<'a> {
    pub fn new(r: &'a Results) -> Self {
        ActiveCustomers { r }
    }
}

impl Figure for ActiveCustomers<'_> {
    fn name(&self) -> &str {
        "active_customers"
    }

    fn title(&self) -> String {
        "Active customers over time".to_string()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, s: &Style) -> DrawResult<DB> {
        let r = self.r;
        let area = s.header(
            root,
            &self.title(),
            &format!(
                "Customers who have not left, at the end of each {}. Shaded: 90% of runs{}.",
                r.time_unit,
                if r.programs.len() > 3 {
                    " without a program"
                } else {
                    ""
                }
            ),
        )?;
        let series = time_bands::from_results(r, "active_customers", None, |_| true);
        time_bands::draw(
            &area,
            s,
            &series,
            &format!("Time ({})", plural(&r.time_unit)),
            "Active customers",
            false,
            3,
        )
    }
}
