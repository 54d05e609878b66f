//! A customer who drops out under a program with a win-back campaign
//! (programs::winback) is dormant rather than gone, and may come back.

use super::{Arrival, Boost};
use crate::engine::recorder::{Flow, Recorder};
use crate::model::rng::CustomerKey;
use crate::model::scenario::ProgramSpec;
use crate::programs::winback::Campaign;

/// A customer's dropouts under a program: the campaign's contact with them
/// (`None` without a campaign: not even set up, as most programs have
/// none), and when they first dropped out.
pub(super) struct Lapses<'p> {
    campaign: Option<Campaign<'p>>,
    /// The first dropout (infinity if none): it ends the customer's word of
    /// mouth even if a message brings them back.
    pub first_gone: f64,
}

impl<'p> Lapses<'p> {
    /// The customer with `key` under program `p`.
    #[inline]
    pub fn new(p: &'p ProgramSpec, horizon: f64, key: CustomerKey) -> Lapses<'p> {
        Lapses {
            campaign: p.winback.is_some().then(|| Campaign::new(p, horizon, key)),
            first_gone: f64::INFINITY,
        }
    }

    /// A purchase at `t` by a customer who is (`member`) or has been a
    /// member (see [`Campaign::purchase`]).
    #[inline]
    pub fn purchase(&mut self, t: f64, member: bool, rec: &mut Recorder) {
        if let Some(c) = self.campaign.as_mut() {
            c.purchase(t, member, rec);
        }
    }

    /// At the horizon, the customer still active (see
    /// [`Campaign::at_horizon`]).
    #[inline]
    pub fn at_horizon(&mut self, horizon: f64, rec: &mut Recorder) {
        if let Some(c) = self.campaign.as_mut() {
            c.at_horizon(horizon, rec);
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
        let back = self.campaign.as_mut()?.dropout(t, rec)?;
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
