//! A customer who drops out under a program with a win-back campaign
//! (programs::winback) is dormant rather than gone, and may come back.

use super::{Arrival, Boost};
use crate::engine::recorder::{Flow, Recorder};
use crate::programs::winback::Campaign;

/// A customer's dropouts under a program: the campaign's contact with them,
/// and when they first dropped out.
pub(super) struct Lapses<'p> {
    pub campaign: Campaign<'p>,
    /// The first dropout (infinity if none): it ends the customer's word of
    /// mouth even if a message brings them back.
    pub first_gone: f64,
}

impl<'p> Lapses<'p> {
    #[inline]
    pub fn new(campaign: Campaign<'p>) -> Lapses<'p> {
        Lapses {
            campaign,
            first_gone: f64::INFINITY,
        }
    }

    /// The customer `a` drops out at `t`. With a win-back campaign they are
    /// dormant and may come back: returns when (their dropout is then booked
    /// here, their return by the campaign), `None` if they are gone.
    #[inline(never)]
    pub fn lapse(
        &mut self,
        a: &Arrival,
        boosted: &mut Option<Boost>,
        t: f64,
        rec: &mut Recorder,
    ) -> Option<f64> {
        if !self.campaign.runs() {
            return None;
        }
        let back = self.campaign.dropout(t, rec)?;
        rec.add(Flow::Churned, t, 1.0);
        if a.initial {
            rec.add(Flow::InitialChurned, t, 1.0);
        }
        self.first_gone = self.first_gone.min(t);
        if let Some(b) = boosted.as_mut() {
            b.to = b.to.min(t);
        }
        Some(back)
    }
}
