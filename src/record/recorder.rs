//! The recorder: per-period accumulators of named flows for one replication
//! (or one block of customers). Engine code books events at a time; the
//! recorder files them under the report period that contains that time.
//!
//! Sums are plain `f64` additions in the order events are booked. The engine
//! books customers in a fixed order and merges blocks in a fixed order, so
//! results do not depend on the thread count.

use crate::record::answers::{Answers, Life, Tally};

/// A flow booked per report period. Stocks (active customers, members,
/// outstanding points) are derived from cumulative flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Purchases,
    RevenueGross,
    Discounts,
    RewardCost,
    FixedCost,
    /// Customers arriving (initial cohort included, at their join time).
    Arrivals,
    /// Arrivals after t = 0 (acquired customers).
    Acquired,
    Referred,
    Churned,
    /// Churn among the initial cohort (for retention).
    InitialChurned,
    MembersJoined,
    MembersLeft,
    PointsIssued,
    PointsRedeemed,
    PointsExpired,
    PointsForfeited,
    RewardsRedeemed,
    /// Purchases and list revenue over the horizon of customers who joined
    /// (booked when their life in the simulation ends).
    MemberPurchases,
    MemberRevenue,
    /// Customers offered the program who did not join, and their purchases.
    Declined,
    DeclinedPurchases,
    /// Stocks counted directly at the horizon (booked once, at the horizon),
    /// kept apart from the flows so conservation laws can be checked.
    ActiveAtEnd,
    InitialActiveAtEnd,
    MembersAtEnd,
    PointsHeldEnd,
    /// Win-back campaign messages sent (their cost is in `FixedCost`).
    MessagesSent,
    /// Customers who had dropped out and came back after a message.
    Reactivated,
    /// The messages of `MessagesSent` that reached a customer who had
    /// dropped out (the model knows; the shop does not).
    MessagesToLapsed,
}

impl Flow {
    pub const COUNT: usize = 28;
}

/// A time within the horizon and the report period that holds it
/// ([`Recorder::moment`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moment {
    pub t: f64,
    period: usize,
}

/// A recorder's flows and the tally noting what the customer being booked
/// does ([`Recorder::booker`], [`Recorder::booker_to`]): the flow bookings
/// of [`Recorder::add`] and its kin, for code that books a customer into
/// either tally.
pub struct Booker<'a> {
    data: &'a mut [f64],
    tally: &'a mut Tally,
    periods: usize,
    inv_len: f64,
    horizon: f64,
}

impl Booker<'_> {
    /// [`Recorder::add`].
    #[inline]
    pub fn add(&mut self, flow: Flow, t: f64, v: f64) {
        if t <= self.horizon {
            let p = period_index(t, self.inv_len, self.periods);
            self.data[flow as usize * self.periods + p] += v;
            self.tally.note(flow, v);
        }
    }

    /// [`Recorder::moment`].
    #[inline]
    pub fn moment(&self, t: f64) -> Moment {
        moment(t, self.horizon, self.inv_len, self.periods)
    }

    /// [`Recorder::add_at_start`].
    #[inline]
    pub fn add_at_start(&mut self, flow: Flow, v: f64) {
        self.data[flow as usize * self.periods] += v;
        self.tally.note(flow, v);
    }

    /// [`Recorder::add_at_end`].
    #[inline]
    pub fn add_at_end(&mut self, flow: Flow, v: f64) {
        self.data[flow as usize * self.periods + self.periods - 1] += v;
        self.tally.note(flow, v);
    }

    /// [`Recorder::book`].
    #[inline]
    pub fn book(&mut self, flow: Flow, at: Moment, v: f64) {
        self.data[flow as usize * self.periods + at.period] += v;
        self.tally.note(flow, v);
    }
}

/// Flows per report period, and the per-customer answers
/// ([`crate::record::answers`]). Two recorders are equal when their grid,
/// flows and answers are: the tally of the customer being booked is
/// scratch, left out (between customers it holds NaN placeholders, which
/// never compare equal).
#[derive(Debug, Clone)]
pub struct Recorder {
    periods: usize,
    inv_len: f64,
    horizon: f64,
    data: Vec<f64>,
    answers: Answers,
    /// The customer being booked (see [`Recorder::end_customer`]).
    current: Tally,
}

impl PartialEq for Recorder {
    fn eq(&self, other: &Recorder) -> bool {
        // Every field named, so that a new one is not left out unawares.
        let Recorder {
            periods,
            inv_len,
            horizon,
            data,
            answers,
            current: _,
        } = self;
        *periods == other.periods
            && *inv_len == other.inv_len
            && *horizon == other.horizon
            && *data == other.data
            && *answers == other.answers
    }
}

impl Recorder {
    /// A recorder for `horizon` split into periods of `report_every`.
    pub fn new(horizon: f64, report_every: f64) -> Recorder {
        let periods = period_count(horizon, report_every);
        Recorder {
            periods,
            inv_len: 1.0 / report_every,
            horizon,
            data: vec![0.0; periods * Flow::COUNT],
            answers: Answers::new(horizon, report_every, periods),
            current: Tally::default(),
        }
    }

    /// The same recorder with a customer counted as a regular when they
    /// bought at least [`crate::record::answers::REGULAR_PURCHASES`] times
    /// within `window` time units.
    pub fn with_regular_window(mut self, window: f64) -> Recorder {
        self.answers.set_regular_window(window);
        self
    }

    /// The per-customer answers gathered so far.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// The customer simulated since the last call has ended: fold what
    /// they did into the per-customer answers.
    #[inline]
    pub fn end_customer(&mut self, life: &Life) {
        let (first, last) = self.life_periods(life);
        self.answers.end_customer(&self.current, life, first, last);
        self.current.reset();
    }

    /// [`Recorder::end_customer`] for a customer booked into `tally`
    /// ([`Recorder::add_purchase_to`], [`Recorder::booker_to`]), none of
    /// whose bookings went into the recorder's own tally (which another
    /// customer's [`Recorder::end_customer`] would then fold in).
    #[inline]
    pub fn end_customer_with(&mut self, tally: &Tally, life: &Life) {
        debug_assert!(
            self.current.is_reset(),
            "a customer ended with their own tally booked into the recorder's"
        );
        let (first, last) = self.life_periods(life);
        self.answers.end_customer_inline(tally, life, first, last);
    }

    /// The periods of a life's arrival and of its end (`periods` when
    /// active at the horizon).
    #[inline(always)]
    fn life_periods(&self, life: &Life) -> (usize, usize) {
        // Most customers are there from the start (period 0).
        let first = if life.arrived == 0.0 {
            0
        } else {
            self.period_of(life.arrived)
        };
        let last = match life.churned {
            Some(t) if t <= self.horizon => self.period_of(t),
            _ => self.periods,
        };
        (first, last)
    }

    /// A recommendation at `t` by a customer of `segment` who leaves for
    /// good at `gone_at` (infinity if never) brought a new customer; `new`
    /// if it is their first such (they become an ambassador).
    pub fn referral(&mut self, segment: usize, t: f64, gone_at: f64, new: bool) {
        let first = self.period_of(t);
        let stays = !(gone_at <= self.horizon);
        let last = if stays {
            self.periods
        } else {
            self.period_of(gone_at)
        };
        self.answers.referral(segment, new, first, last, stays);
    }

    pub fn periods(&self) -> usize {
        self.periods
    }

    /// Index of the period holding time `t`: periods are (start, end], and
    /// t = 0 belongs to the first one.
    #[inline]
    pub fn period_of(&self, t: f64) -> usize {
        period_index(t, self.inv_len, self.periods)
    }

    /// Add `v` to `flow` at time `t` (ignored past the horizon).
    #[inline]
    pub fn add(&mut self, flow: Flow, t: f64, v: f64) {
        self.booker().add(flow, t, v);
    }

    /// The moment `t` (within the horizon) with its report period, looked
    /// up once for the several flows booked at one event.
    #[inline]
    pub fn moment(&self, t: f64) -> Moment {
        moment(t, self.horizon, self.inv_len, self.periods)
    }

    /// Add `v` to `flow` at time 0 (the first period), the same as
    /// `add(flow, 0.0, v)` without working out the period.
    #[inline]
    pub fn add_at_start(&mut self, flow: Flow, v: f64) {
        self.booker().add_at_start(flow, v);
    }

    /// Add `v` to `flow` at the horizon (the last period), the same as
    /// `add(flow, horizon, v)` without working out the period.
    #[inline]
    pub fn add_at_end(&mut self, flow: Flow, v: f64) {
        self.booker().add_at_end(flow, v);
    }

    /// Add `v` to `flow` at a moment.
    #[inline]
    pub fn book(&mut self, flow: Flow, at: Moment, v: f64) {
        self.booker().book(flow, at, v);
    }

    /// The recorder's flows with its own tally of the customer being
    /// booked (ended with [`Recorder::end_customer`]): the same bookings as
    /// [`Recorder::add`] and its kin.
    #[inline(always)]
    pub fn booker(&mut self) -> Booker<'_> {
        let Recorder {
            data,
            current,
            periods,
            inv_len,
            horizon,
            ..
        } = self;
        Booker {
            data,
            tally: current,
            periods: *periods,
            inv_len: *inv_len,
            horizon: *horizon,
        }
    }

    /// The recorder's flows with `tally`, a customer's tally the caller
    /// keeps (filled with [`Recorder::add_purchase_to`] and ended with
    /// [`Recorder::end_customer_with`]), so that nothing of that customer
    /// is noted in the recorder's own.
    #[inline(always)]
    pub fn booker_to<'a>(&'a mut self, tally: &'a mut Tally) -> Booker<'a> {
        Booker {
            data: &mut self.data,
            tally,
            periods: self.periods,
            inv_len: self.inv_len,
            horizon: self.horizon,
        }
    }

    /// Book one purchase of list value `basket`.
    #[inline]
    pub fn add_purchase(&mut self, at: Moment, basket: f64) {
        let Recorder {
            data,
            answers,
            current,
            periods,
            inv_len,
            ..
        } = self;
        book_purchase(data, answers, current, *periods, *inv_len, at, basket);
    }

    /// [`Recorder::add_purchase`] for a customer whose answers the caller
    /// keeps in `tally` (the same bookings, in the same order); end them
    /// with [`Recorder::end_customer_with`].
    #[inline(always)]
    pub fn add_purchase_to(&mut self, tally: &mut Tally, at: Moment, basket: f64) {
        let Recorder {
            data,
            answers,
            periods,
            inv_len,
            ..
        } = self;
        book_purchase(data, answers, tally, *periods, *inv_len, at, basket);
    }

    /// Add `rate` per time unit over [t0, t1), clipped to (0, horizon], split by period.
    pub fn add_over(&mut self, flow: Flow, t0: f64, t1: f64, rate: f64) {
        let (a, b) = (t0.max(0.0), t1.min(self.horizon));
        if !(b > a) || rate == 0.0 {
            return;
        }
        let len = 1.0 / self.inv_len;
        let mut p = self.period_of(a.max(f64::MIN_POSITIVE));
        let mut t = a;
        while t < b && p < self.periods {
            let end = (((p + 1) as f64) * len).min(b);
            let end = if p + 1 == self.periods { b } else { end };
            self.data[flow as usize * self.periods + p] += rate * (end - t);
            self.current.note(flow, rate * (end - t));
            t = end;
            p += 1;
        }
    }

    /// The per-period values of one flow.
    pub fn flow(&self, flow: Flow) -> &[f64] {
        let i = flow as usize * self.periods;
        &self.data[i..i + self.periods]
    }

    /// Sum of one flow over the whole horizon, added in period order.
    pub fn total(&self, flow: Flow) -> f64 {
        self.flow(flow).iter().sum()
    }

    /// Add another recorder's flows (same shape) into this one.
    pub fn merge(&mut self, other: &Recorder) {
        debug_assert_eq!(self.data.len(), other.data.len());
        for (a, b) in self.data.iter_mut().zip(&other.data) {
            *a += b;
        }
        self.answers.merge(&other.answers);
    }
}

/// One purchase of list value `basket` at `at`: the purchase and its list
/// revenue booked into `data` (`periods` entries per flow) and noted in
/// the customer's `tally`, then the purchase's answers. The one body of
/// [`Recorder::add_purchase`] and [`Recorder::add_purchase_to`], which
/// differ only in whose tally they fill.
#[inline(always)]
fn book_purchase(
    data: &mut [f64],
    answers: &mut Answers,
    tally: &mut Tally,
    periods: usize,
    inv_len: f64,
    at: Moment,
    basket: f64,
) {
    data[Flow::Purchases as usize * periods + at.period] += 1.0;
    tally.note(Flow::Purchases, 1.0);
    data[Flow::RevenueGross as usize * periods + at.period] += basket;
    tally.note(Flow::RevenueGross, basket);
    answers.purchase(tally, at.t, at.period, |t| {
        period_index(t, inv_len, periods)
    });
}

/// [`Recorder::moment`] on a horizon split into `periods` periods of
/// length `1 / inv_len`.
#[inline]
fn moment(t: f64, horizon: f64, inv_len: f64, periods: usize) -> Moment {
    debug_assert!(t <= horizon);
    Moment {
        t,
        period: period_index(t, inv_len, periods),
    }
}

/// [`Recorder::period_of`] for a grid of `periods` periods of length `1 / inv_len`.
#[inline]
fn period_index(t: f64, inv_len: f64, periods: usize) -> usize {
    // ceil(x) - 1 without calling `ceil` (a libm call on baseline x86-64);
    // through i64, whose conversion is one instruction where usize's
    // takes a dozen (times are never negative, but clamp anyway).
    let x = t * inv_len;
    let k = (x as i64).max(0) as usize;
    let k = if k as f64 == x {
        k.saturating_sub(1)
    } else {
        k
    };
    k.min(periods - 1)
}

/// Number of report periods: the last one may be shorter than `report_every`.
pub fn period_count(horizon: f64, report_every: f64) -> usize {
    // A tiny tolerance keeps 24 / (1/3 * 3) style rounding from adding a sliver period.
    ((horizon / report_every) - 1e-9).ceil().max(1.0) as usize
}

/// The end time of each report period.
pub fn period_ends(horizon: f64, report_every: f64) -> Vec<f64> {
    let n = period_count(horizon, report_every);
    (1..=n)
        .map(|k| {
            if k == n {
                horizon
            } else {
                k as f64 * report_every
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_land_in_half_open_periods() {
        let mut r = Recorder::new(3.0, 1.0);
        r.add(Flow::Purchases, 0.0, 1.0);
        r.add(Flow::Purchases, 1.0, 1.0);
        r.add(Flow::Purchases, 1.5, 1.0);
        r.add(Flow::Purchases, 3.0, 1.0);
        r.add(Flow::Purchases, 3.5, 1.0); // past the horizon: dropped
        assert_eq!(r.flow(Flow::Purchases), &[2.0, 1.0, 1.0]);
    }

    #[test]
    fn add_over_splits_by_overlap_and_clips() {
        let mut r = Recorder::new(3.0, 1.0);
        r.add_over(Flow::FixedCost, 0.5, 2.25, 4.0);
        assert_eq!(r.flow(Flow::FixedCost), &[2.0, 4.0, 1.0]);
        let mut r = Recorder::new(2.5, 1.0);
        r.add_over(Flow::FixedCost, 0.0, 10.0, 1.0);
        assert_eq!(r.flow(Flow::FixedCost), &[1.0, 1.0, 0.5]);
        assert!((r.total(Flow::FixedCost) - 2.5).abs() < 1e-12);
    }

    /// The control's path (a tally of its own, filled with
    /// `add_purchase_to` and `booker_to`, folded with `end_customer_with`)
    /// books what the recorder's own tally books, and leaves the
    /// recorder's own untouched.
    #[test]
    fn own_tally_books_as_the_recorders() {
        // Purchase times and churn of five customers: none, one, two,
        // a regular with a gap (two regular spans), a churned repeat buyer.
        let lives: [(&[f64], Option<f64>); 5] = [
            (&[], None),
            (&[2.5], None),
            (&[0.5, 1.0], Some(7.5)),
            (&[0.2, 0.4, 0.6, 5.0, 5.1, 5.2, 5.3], None),
            (&[1.5, 3.0, 3.2], Some(4.0)),
        ];
        let new = || Recorder::new(12.0, 1.0).with_regular_window(2.0);
        let (mut a, mut b) = (new(), new());
        for (i, (buys, churned)) in lives.iter().enumerate() {
            let life = Life {
                segment: i % 2,
                arrived: 0.0,
                churned: *churned,
                initial: true,
                referred: i == 3,
            };
            let mut tally = Tally::default();
            a.booker().add_at_start(Flow::Arrivals, 1.0);
            b.booker_to(&mut tally).add_at_start(Flow::Arrivals, 1.0);
            for (k, &t) in buys.iter().enumerate() {
                let basket = 10.0 + k as f64 * 0.1;
                a.add_purchase(a.moment(t), basket);
                b.add_purchase_to(&mut tally, b.moment(t), basket);
            }
            match *churned {
                Some(t) => {
                    let at = a.moment(t);
                    a.booker().book(Flow::Churned, at, 1.0);
                    let at = b.moment(t);
                    b.booker_to(&mut tally).book(Flow::Churned, at, 1.0);
                }
                None => {
                    a.booker().add_at_end(Flow::ActiveAtEnd, 1.0);
                    b.booker_to(&mut tally).add_at_end(Flow::ActiveAtEnd, 1.0);
                }
            }
            a.end_customer(&life);
            b.end_customer_with(&tally, &life);
            // Nothing of b's customers went into b's own tally.
            assert!(b.current.is_reset());
        }
        assert_eq!(a.answers(), b.answers());
        assert_eq!(a.data, b.data);
        assert_eq!(a.total(Flow::Purchases), 13.0);
        assert_eq!(a.total(Flow::Churned) + a.total(Flow::ActiveAtEnd), 5.0);
    }

    /// Recorders with the same bookings compare equal (the NaN placeholders
    /// of the tally of the customer being booked left out), and ones with
    /// different bookings do not.
    #[test]
    fn recorders_with_the_same_bookings_are_equal() {
        let new = || Recorder::new(12.0, 1.0).with_regular_window(2.0);
        assert_eq!(new(), new());
        let book = |r: &mut Recorder, basket: f64| {
            r.add_at_start(Flow::Arrivals, 1.0);
            for t in [0.5, 1.0, 1.2] {
                r.add_purchase(r.moment(t), basket);
            }
            r.add_at_end(Flow::ActiveAtEnd, 1.0);
            r.end_customer(&Life {
                segment: 0,
                arrived: 0.0,
                churned: None,
                initial: true,
                referred: false,
            });
        };
        let (mut a, mut b, mut c) = (new(), new(), new());
        book(&mut a, 10.0);
        book(&mut b, 10.0);
        book(&mut c, 11.0);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Also with a customer under way (their tally is not compared).
        a.add_purchase(a.moment(2.0), 5.0);
        b.add_purchase(b.moment(2.0), 5.0);
        assert_eq!(a, b);
        assert_ne!(a, new());
    }

    #[test]
    fn period_grid() {
        assert_eq!(period_count(24.0, 1.0), 24);
        assert_eq!(period_count(2.5, 1.0), 3);
        assert_eq!(period_ends(2.5, 1.0), vec![1.0, 2.0, 2.5]);
    }
}
