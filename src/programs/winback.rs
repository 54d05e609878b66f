//! A reminder and win-back campaign (`[program.winback]`, docs/model.md
//! "Reminders and win-back").
//!
//! The churn models let a customer drop out unseen; with a campaign a
//! customer who dropped out is dormant rather than gone. The shop cannot
//! see dropout, only inactivity: a member who has not bought for `after`
//! time units gets a message, then another every `every` time units, at
//! most `max_messages` in one quiet spell; a purchase ends the spell. Each
//! message costs `message_cost` when sent. A message to a customer who is
//! still active (just quiet) costs but changes nothing; a message to a
//! dormant customer brings them back with chance `response`, and then their
//! purchase and dropout processes start afresh (same rates, a new lifetime).
//!
//! The coins come from the customer's own campaign stream, drawn only when
//! the outcome is uncertain, so a campaign that never brings anyone back
//! leaves every purchase, churn and program booking of the customer as it
//! was without the campaign.

use crate::model::rng::{CustomerKey, LazyCoin, Purpose};
use crate::model::scenario::{ProgramSpec, Winback};
use crate::record::recorder::{Flow, Recorder};

/// One customer's contact with the campaign.
#[derive(Debug)]
pub struct Campaign<'a> {
    spec: Option<&'a Winback>,
    /// Messages are sent before this time only (the program's end, within
    /// the horizon).
    until: f64,
    /// The last purchase the shop has seen; NaN: not a contact (never joined).
    last: f64,
    /// Messages already sent in the current quiet spell.
    sent: u32,
    /// The campaign's coins: does a message bring a dormant customer back?
    coin: LazyCoin,
}

impl<'a> Campaign<'a> {
    /// The campaign of program `p` (if any) for the customer with `key`.
    #[inline]
    pub fn new(p: &'a ProgramSpec, horizon: f64, key: CustomerKey) -> Campaign<'a> {
        Campaign {
            spec: p.winback.as_ref(),
            until: p.end.min(horizon),
            last: f64::NAN,
            sent: 0,
            coin: LazyCoin::new(key, Purpose::Campaign),
        }
    }

    /// True if the program has a campaign.
    #[inline]
    pub fn runs(&self) -> bool {
        self.spec.is_some()
    }

    /// When the message `k` (from 0) of the current spell is due.
    #[inline]
    fn due(w: &Winback, last: f64, k: u32) -> f64 {
        last + w.after + f64::from(k) * w.every
    }

    /// Send (and book) the messages of the current spell due before `t`
    /// (`inclusive`: at or before).
    fn send_before(&mut self, t: f64, inclusive: bool, rec: &mut Recorder) {
        let Some(w) = self.spec else { return };
        if self.last.is_nan() {
            return;
        }
        while self.sent < w.max_messages {
            let s = Self::due(w, self.last, self.sent);
            if s >= self.until || s > t || (!inclusive && s == t) {
                break;
            }
            self.book(w, s, rec);
        }
    }

    fn book(&mut self, w: &Winback, s: f64, rec: &mut Recorder) {
        self.sent += 1;
        rec.add(Flow::MessagesSent, s, 1.0);
        if w.message_cost > 0.0 {
            rec.add(Flow::FixedCost, s, w.message_cost);
        }
    }

    /// A purchase at `t` by a customer who is (`member`) or has been a
    /// member: the messages of the spell it ends are booked, and a new
    /// spell starts.
    #[inline]
    pub fn purchase(&mut self, t: f64, member: bool, rec: &mut Recorder) {
        if self.spec.is_none() || (!member && self.last.is_nan()) {
            return;
        }
        self.send_before(t, false, rec);
        self.last = t;
        self.sent = 0;
    }

    /// The customer drops out at `t`. Books the messages sent while they
    /// were only quiet, then those sent to them dormant, and returns when a
    /// message brings them back (`None`: gone for good within the horizon).
    pub fn dropout(&mut self, t: f64, rec: &mut Recorder) -> Option<f64> {
        let w = self.spec?;
        if self.last.is_nan() {
            return None;
        }
        self.send_before(t, false, rec);
        while self.sent < w.max_messages {
            let s = Self::due(w, self.last, self.sent);
            if s >= self.until {
                break;
            }
            self.book(w, s, rec);
            rec.add(Flow::MessagesToLapsed, s, 1.0);
            if self.coin.chance(w.response) {
                rec.add(Flow::Reactivated, s, 1.0);
                return Some(s);
            }
        }
        None
    }

    /// At the horizon, the customer still active: book the messages of
    /// the current spell sent by then.
    pub fn at_horizon(&mut self, horizon: f64, rec: &mut Recorder) {
        self.send_before(horizon, true, rec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(w: Winback) -> ProgramSpec {
        ProgramSpec {
            winback: Some(w),
            ..ProgramSpec::open("w", 20.0)
        }
    }

    const W: Winback = Winback {
        after: 3.0,
        every: 2.0,
        max_messages: 3,
        message_cost: 0.5,
        response: 0.0,
    };

    #[test]
    fn messages_follow_the_last_purchase() {
        let p = program(W);
        let mut rec = Recorder::new(20.0, 1.0);
        let mut c = Campaign::new(&p, 20.0, CustomerKey::new(1, 0, 0));
        // Not a contact yet: nothing.
        c.purchase(0.5, false, &mut rec);
        c.at_horizon(20.0, &mut rec);
        assert_eq!(rec.total(Flow::MessagesSent), 0.0);
        // Joins at 1; buys again at 6.5: messages at 4 and 6 (8 not due).
        c.purchase(1.0, true, &mut rec);
        c.purchase(6.5, true, &mut rec);
        assert_eq!(rec.total(Flow::MessagesSent), 2.0);
        // Quiet from 6.5 to the horizon: 9.5, 11.5, 13.5 (then the spell's three are used).
        c.at_horizon(20.0, &mut rec);
        assert_eq!(rec.total(Flow::MessagesSent), 5.0);
        assert_eq!(rec.total(Flow::FixedCost), 2.5);
        assert_eq!(rec.flow(Flow::MessagesSent)[3], 1.0); // at 4: periods are (start, end]
        assert_eq!(rec.flow(Flow::MessagesSent)[9], 1.0);
    }

    #[test]
    fn a_dormant_customer_comes_back_at_the_first_message_that_works() {
        let p = program(Winback { response: 1.0, ..W });
        let mut rec = Recorder::new(20.0, 1.0);
        let mut c = Campaign::new(&p, 20.0, CustomerKey::new(1, 0, 0));
        c.purchase(1.0, true, &mut rec);
        // Drops out at 5.5: the message at 4 went to a quiet customer,
        // the one at 6 brings them back.
        assert_eq!(c.dropout(5.5, &mut rec), Some(6.0));
        assert_eq!(rec.total(Flow::MessagesSent), 2.0);
        assert_eq!(rec.total(Flow::Reactivated), 1.0);
        // Nobody comes back with response 0; all messages are sent.
        let p = program(W);
        let mut rec = Recorder::new(20.0, 1.0);
        let mut c = Campaign::new(&p, 20.0, CustomerKey::new(1, 0, 0));
        c.purchase(1.0, true, &mut rec);
        assert_eq!(c.dropout(1.0, &mut rec), None);
        assert_eq!(rec.total(Flow::MessagesSent), 3.0);
        assert_eq!(rec.total(Flow::Reactivated), 0.0);
    }

    #[test]
    fn no_messages_after_the_program_ends() {
        let mut p = program(W);
        p.end = 8.0;
        let mut rec = Recorder::new(20.0, 1.0);
        let mut c = Campaign::new(&p, 20.0, CustomerKey::new(1, 0, 0));
        c.purchase(1.0, true, &mut rec);
        c.at_horizon(20.0, &mut rec);
        // 4 and 6; 8 is the end.
        assert_eq!(rec.total(Flow::MessagesSent), 2.0);
    }
}
