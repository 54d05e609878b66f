//! What a shop owner asks of a run beyond the flows of the recorder: how
//! each segment fares, how often customers come back, how concentrated the
//! revenue is and how many customers are one-time buyers, repeat buyers,
//! regulars or ambassadors at the end of each report period (docs/model.md,
//! "Customer answers", section 7).
//!
//! Everything is gathered per customer while the customer is simulated (a
//! few scalars, no allocation per event) and folded into fixed-size totals
//! when the customer's life ends ([`Answers::end_customer`]), so memory does
//! not grow with the number of customers. Totals of blocks of customers are
//! merged in block order ([`Answers::merge`]), like the recorder's flows, so
//! results do not depend on the thread count.
//!
//! Ambassadors are the exception: who made a recommendation is known only
//! in the arrival process, after every customer has been simulated; it
//! books each attributed recommendation here ([`Answers::referral`]).

use crate::record::recorder::Flow;

/// Purchases within the regular window that make a customer a regular.
pub const REGULAR_PURCHASES: u32 = 3;

/// Per-segment totals, one slot each (see [`Seg`]).
pub const SEG_SLOTS: usize = 15;

/// Slots of a segment's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg {
    /// Customers of the segment in the simulation (arrived by the horizon).
    Customers,
    Initial,
    Acquired,
    Referred,
    ActiveEnd,
    InitialActiveEnd,
    /// Customers who bought at least once.
    Buyers,
    Purchases,
    RevenueGross,
    Discounts,
    RewardCost,
    /// Fixed costs booked by the customer (per-member costs).
    FixedCost,
    /// Recommendations by the segment's customers that brought a customer.
    Referrals,
    /// The segment's customers who made one (ambassadors, within the horizon).
    Ambassadors,
    /// Those of them still customers at the horizon.
    AmbassadorsEnd,
}

/// Stages counted at the end of each report period (see [`Answers::stage`]).
pub const STAGES: usize = 4;

/// Loyalty stages of active customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Exactly one purchase so far.
    OneTime,
    /// Two or more purchases so far.
    Repeat,
    /// At least [`REGULAR_PURCHASES`] purchases in the regular window
    /// ending at the period's end.
    Regular,
    /// Recommended the shop to someone who became a customer, by the
    /// period's end (whether they buy or not).
    Ambassador,
}

/// How the customer who has just been simulated began and ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Life {
    pub segment: usize,
    /// Arrival time (within the horizon).
    pub arrived: f64,
    /// Churn time, `None` when still active at the horizon.
    pub churned: Option<f64>,
    pub initial: bool,
    pub referred: bool,
}

/// What the customer being simulated did, as far as the answers need it:
/// what their end folds into the totals ([`Answers::end_customer`]). The
/// recorder keeps one for the customer it books; the control's loop keeps
/// its own on the stack, so that its fields can live in registers while
/// the customer's events are booked.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// The flows a segment sums ([`slot`]), booked since the last customer
    /// ended; the last slot takes every other flow and is never read.
    flows: [f64; SLOTS],
    purchases: u32,
    /// First and second purchase times and the first's period.
    first: f64,
    second: f64,
    first_period: usize,
    second_period: usize,
    /// The two purchase times before the latest (for the regular window).
    older: f64,
    old: f64,
    /// The regular span being built, in periods [start, end).
    regular: Option<(usize, usize)>,
}

/// Slots of [`Tally::flows`]: the five flows a segment sums, then one for the rest.
const SLOTS: usize = 6;
const SLOT: [u8; Flow::COUNT] = {
    let mut t = [5u8; Flow::COUNT];
    t[Flow::Purchases as usize] = 0;
    t[Flow::RevenueGross as usize] = 1;
    t[Flow::Discounts as usize] = 2;
    t[Flow::RewardCost as usize] = 3;
    t[Flow::FixedCost as usize] = 4;
    t
};

impl Tally {
    /// Note a booking of `v` to `flow` by the customer.
    #[inline(always)]
    pub fn note(&mut self, flow: Flow, v: f64) {
        // The last slot is never read: flows that land there are skipped
        // (decided at compile time where `flow` is a constant).
        let slot = SLOT[flow as usize] as usize;
        if slot < SLOTS - 1 {
            self.flows[slot] += v;
        }
    }

    /// Ready for the next customer (only what the next one reads first).
    #[inline]
    pub fn reset(&mut self) {
        self.flows = [0.0; SLOTS];
        self.purchases = 0;
        self.regular = None;
    }

    /// Nothing noted since the last reset (or since it was made).
    pub fn is_reset(&self) -> bool {
        self.flows == [0.0; SLOTS] && self.purchases == 0 && self.regular.is_none()
    }
}

impl Default for Tally {
    #[inline]
    fn default() -> Self {
        Tally {
            flows: [0.0; SLOTS],
            purchases: 0,
            first: f64::NAN,
            second: f64::NAN,
            first_period: 0,
            second_period: 0,
            older: f64::NAN,
            old: f64::NAN,
            regular: None,
        }
    }
}

/// The per-customer answers of one recorder.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    periods: usize,
    horizon: f64,
    /// Window of the "bought again within" share (one report period).
    again_window: f64,
    /// Window in which a regular makes [`REGULAR_PURCHASES`] purchases.
    regular_window: f64,
    segments: Vec<[f64; SEG_SLOTS]>,
    /// Frequency: buyers, purchases by buyers, buyers with 2+ purchases,
    /// buyers whose first purchase leaves a whole window before the
    /// horizon, and those of them who bought again within it.
    pub(crate) frequency: Frequency,
    /// Changes per period of each stage's count (`stage × periods + p`);
    /// the count at a period's end is the sum up to that period.
    stages: Vec<f64>,
    revenue: Histogram,
}

/// Purchase-frequency counts (whole numbers, so any order of addition is exact).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Frequency {
    pub buyers: f64,
    pub buyer_purchases: f64,
    pub repeat_buyers: f64,
    pub again_eligible: f64,
    pub again_within: f64,
}

impl Answers {
    pub fn new(horizon: f64, report_every: f64, periods: usize) -> Answers {
        Answers {
            periods,
            horizon,
            again_window: report_every,
            // Until set for a scenario: a year of months.
            regular_window: 12.0,
            segments: Vec::new(),
            frequency: Frequency::default(),
            stages: vec![0.0; STAGES * periods],
            revenue: Histogram::default(),
        }
    }

    pub fn set_regular_window(&mut self, w: f64) {
        self.regular_window = w;
    }

    pub fn regular_window(&self) -> f64 {
        self.regular_window
    }

    pub fn again_window(&self) -> f64 {
        self.again_window
    }

    /// Note customer `c`'s purchase at `t` (in period `period`); its list
    /// value is noted by its `RevenueGross` booking ([`Tally::note`]), which
    /// the recorder makes for every purchase and for nothing else.
    /// `period_of` gives the period of a later time (the end of a regular
    /// window).
    #[inline(always)]
    pub fn purchase(
        &mut self,
        c: &mut Tally,
        t: f64,
        period: usize,
        period_of: impl Fn(f64) -> usize,
    ) {
        c.purchases += 1;
        match c.purchases {
            1 => {
                c.first = t;
                c.first_period = period;
            }
            2 => {
                c.second = t;
                c.second_period = period;
            }
            _ => {}
        }
        if c.purchases >= REGULAR_PURCHASES {
            // Regular at period ends in [t, t_{i-2} + window).
            let until = c.older + self.regular_window;
            let end = if until > self.horizon {
                self.periods
            } else {
                period_of(until)
            };
            if period < end {
                match c.regular.as_mut() {
                    Some((_, e)) if period <= *e => *e = (*e).max(end),
                    Some(&mut (s, e)) => {
                        // The earlier span ended before this purchase, so
                        // before the customer's churn: it is complete.
                        add_span(&mut self.stages, self.periods, Stage::Regular, s, e);
                        c.regular = Some((period, end));
                    }
                    None => c.regular = Some((period, end)),
                }
            }
        }
        c.older = c.old;
        c.old = t;
    }

    /// Fold customer `c` into the totals (the caller resets `c` for the
    /// next customer). `first` is the period of the arrival and `last` the
    /// first period at whose end the customer is no longer active (the
    /// churn's period, or `periods`).
    pub fn end_customer(&mut self, c: &Tally, life: &Life, first: usize, last: usize) {
        self.fold(c, life, first, last);
    }

    /// [`Answers::end_customer`] inlined into the caller: the control's
    /// loop, whose tally then need not be stored first.
    #[inline(always)]
    pub fn end_customer_inline(&mut self, c: &Tally, life: &Life, first: usize, last: usize) {
        self.fold(c, life, first, last);
    }

    #[inline(always)]
    fn fold(&mut self, c: &Tally, life: &Life, first: usize, last: usize) {
        if self.segments.len() <= life.segment {
            self.segments.resize(life.segment + 1, [0.0; SEG_SLOTS]);
        }
        let s = &mut self.segments[life.segment];
        let bought = c.purchases > 0;
        s[Seg::Customers as usize] += 1.0;
        s[if life.initial {
            Seg::Initial
        } else {
            Seg::Acquired
        } as usize] += 1.0;
        if life.referred {
            s[Seg::Referred as usize] += 1.0;
        }
        if life.churned.is_none() {
            s[Seg::ActiveEnd as usize] += 1.0;
            if life.initial {
                s[Seg::InitialActiveEnd as usize] += 1.0;
            }
        }
        if bought {
            s[Seg::Buyers as usize] += 1.0;
        }
        // The five flows a segment sums, in slot order (each slot its own
        // sum, so adding them side by side changes no figure).
        const FLOWS: usize = SLOTS - 1;
        const _: () = assert!(
            Seg::RevenueGross as usize == Seg::Purchases as usize + 1
                && Seg::Discounts as usize == Seg::Purchases as usize + 2
                && Seg::RewardCost as usize == Seg::Purchases as usize + 3
                && Seg::FixedCost as usize == Seg::Purchases as usize + 4
                && SLOT[Flow::Purchases as usize] == 0
                && SLOT[Flow::RevenueGross as usize] == 1
                && SLOT[Flow::Discounts as usize] == 2
                && SLOT[Flow::RewardCost as usize] == 3
                && SLOT[Flow::FixedCost as usize] == 4
        );
        let sums = &mut s[Seg::Purchases as usize..Seg::Purchases as usize + FLOWS];
        for (x, y) in sums.iter_mut().zip(&c.flows[..FLOWS]) {
            *x += y;
        }
        if !bought {
            return;
        }
        let q = &mut self.frequency;
        q.buyers += 1.0;
        q.buyer_purchases += f64::from(c.purchases);
        if c.purchases >= 2 {
            q.repeat_buyers += 1.0;
        }
        if c.first + self.again_window <= self.horizon {
            q.again_eligible += 1.0;
            if c.purchases >= 2 && c.second - c.first <= self.again_window {
                q.again_within += 1.0;
            }
        }
        // The customer's list revenue: their RevenueGross bookings, which
        // are their purchases' baskets added in order.
        self.revenue
            .insert(c.flows[SLOT[Flow::RevenueGross as usize] as usize]);
        let p = self.periods;
        let last = last.max(first);
        let one_end = if c.purchases >= 2 {
            c.second_period
        } else {
            last
        };
        add_span(
            &mut self.stages,
            p,
            Stage::OneTime,
            c.first_period,
            one_end.min(last),
        );
        if c.purchases >= 2 {
            add_span(&mut self.stages, p, Stage::Repeat, c.second_period, last);
        }
        if let Some((s, e)) = c.regular {
            add_span(&mut self.stages, p, Stage::Regular, s, e.min(last));
        }
    }

    /// A recommendation by a customer of `segment` brought a customer in
    /// period `first`; `new` if it is the referrer's first, who is then an
    /// ambassador at the ends of periods [first, last) (`last`: the first
    /// period at whose end they are no longer a customer), and at the
    /// horizon if `stays`.
    pub fn referral(&mut self, segment: usize, new: bool, first: usize, last: usize, stays: bool) {
        if self.segments.len() <= segment {
            self.segments.resize(segment + 1, [0.0; SEG_SLOTS]);
        }
        let s = &mut self.segments[segment];
        s[Seg::Referrals as usize] += 1.0;
        if new {
            s[Seg::Ambassadors as usize] += 1.0;
            if stays {
                s[Seg::AmbassadorsEnd as usize] += 1.0;
            }
            add_span(
                &mut self.stages,
                self.periods,
                Stage::Ambassador,
                first,
                last,
            );
        }
    }

    /// Attributed recommendations and ambassadors over the horizon (all segments).
    pub fn referrals(&self) -> (f64, f64) {
        self.segments.iter().fold((0.0, 0.0), |(r, a), s| {
            (
                r + s[Seg::Referrals as usize],
                a + s[Seg::Ambassadors as usize],
            )
        })
    }

    /// Add another recorder's answers (same shape) into these.
    pub fn merge(&mut self, other: &Answers) {
        if self.segments.len() < other.segments.len() {
            self.segments.resize(other.segments.len(), [0.0; SEG_SLOTS]);
        }
        for (a, b) in self.segments.iter_mut().zip(&other.segments) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        let (q, o) = (&mut self.frequency, &other.frequency);
        q.buyers += o.buyers;
        q.buyer_purchases += o.buyer_purchases;
        q.repeat_buyers += o.repeat_buyers;
        q.again_eligible += o.again_eligible;
        q.again_within += o.again_within;
        for (a, b) in self.stages.iter_mut().zip(&other.stages) {
            *a += b;
        }
        self.revenue.merge(&other.revenue);
    }

    /// Segment `s`'s totals (zeros for a segment nobody belonged to).
    pub fn segment(&self, s: usize) -> [f64; SEG_SLOTS] {
        self.segments.get(s).copied().unwrap_or([0.0; SEG_SLOTS])
    }

    /// Number of segments seen.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    pub fn frequency(&self) -> Frequency {
        self.frequency
    }

    /// Active customers in a stage at the end of each period.
    pub fn stage(&self, stage: Stage) -> Vec<f64> {
        let d = &self.stages[stage as usize * self.periods..(stage as usize + 1) * self.periods];
        let mut acc = 0.0;
        d.iter()
            .map(|x| {
                acc += x;
                acc
            })
            .collect()
    }

    /// Share of the revenue of buyers that the top `share` of buyers (by
    /// revenue over the horizon) brought (see [`Histogram::top_share`]).
    pub fn top_share(&self, share: f64) -> f64 {
        self.revenue.top_share(share)
    }
}

/// Count a customer in `stage` at the ends of periods [s, e).
#[inline]
fn add_span(stages: &mut [f64], periods: usize, stage: Stage, s: usize, e: usize) {
    if s < e {
        stages[stage as usize * periods + s] += 1.0;
        if e < periods {
            stages[stage as usize * periods + e] -= 1.0;
        }
    }
}

/// Customers by revenue, in bins a sixteenth of an octave wide: the bin of
/// a positive amount is the top 16 bits of its `f64` (sign, exponent and the
/// first 4 bits of the mantissa), so an amount's bin is found exactly, on
/// every host, without a logarithm, and the bins are in order of amount.
/// Each bin holds the exact number of customers and the sum of their
/// revenue; a bin's upper edge is at most 17/16 of its lower edge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// Bin key of `bins[0]`.
    lo: u16,
    /// (customers, revenue) per bin, from `lo` up.
    bins: Vec<(f64, f64)>,
}

impl Histogram {
    fn key(x: f64) -> u16 {
        (x.to_bits() >> 48) as u16
    }

    /// Make room for bins `lo..=hi` (keys).
    fn cover(&mut self, lo: u16, hi: u16) {
        if self.bins.is_empty() {
            self.lo = lo;
            self.bins = vec![(0.0, 0.0); usize::from(hi - lo) + 1];
            return;
        }
        if lo < self.lo {
            let extra = usize::from(self.lo - lo);
            self.bins
                .splice(0..0, std::iter::repeat_n((0.0, 0.0), extra));
            self.lo = lo;
        }
        let need = usize::from(hi - self.lo) + 1;
        if need > self.bins.len() {
            self.bins.resize(need, (0.0, 0.0));
        }
    }

    /// Count one customer with revenue `x` (positive amounts only; a
    /// customer who bought nothing free is left out).
    pub fn insert(&mut self, x: f64) {
        // Positive and finite (NaN fails both tests).
        if !(x > 0.0 && x < f64::INFINITY) {
            return;
        }
        let k = Self::key(x);
        // Most customers fall in a bin that is already there.
        if k < self.lo || usize::from(k - self.lo) >= self.bins.len() {
            self.cover(k, k);
        }
        let b = &mut self.bins[usize::from(k - self.lo)];
        b.0 += 1.0;
        b.1 += x;
    }

    /// Add another histogram's bins, bin by bin.
    pub fn merge(&mut self, other: &Histogram) {
        if other.bins.is_empty() {
            return;
        }
        let hi = other.lo + (other.bins.len() - 1) as u16;
        self.cover(other.lo, hi);
        let off = usize::from(other.lo - self.lo);
        for (a, b) in self.bins[off..].iter_mut().zip(&other.bins) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    /// Share of the total revenue brought by the top `share` of customers
    /// (0 to 1): whole bins from the top, then of the bin holding the cut,
    /// the fraction of its customers needed times its revenue (its
    /// customers' mean revenue each). Exact when the customers of that bin
    /// spend the same; otherwise off by at most 1/16 of that bin's revenue
    /// over the total. A fractional number of customers counts as that
    /// fraction of the next customer (the Lorenz curve, interpolated): with
    /// every customer alike the top 20% bring 20%. 0 without revenue.
    pub fn top_share(&self, share: f64) -> f64 {
        let total: f64 = self.bins.iter().map(|b| b.1).sum();
        let customers: f64 = self.bins.iter().map(|b| b.0).sum();
        if total.is_nan() || total <= 0.0 {
            return 0.0;
        }
        let mut left = customers * share;
        let mut top = 0.0;
        for &(n, r) in self.bins.iter().rev() {
            if n <= 0.0 {
                continue;
            }
            if n <= left {
                top += r;
                left -= n;
            } else {
                top += r * (left / n);
                break;
            }
            if left <= 0.0 {
                break;
            }
        }
        (top / total).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_bins_are_ordered_and_narrow() {
        let mut prev = Histogram::key(1e-3);
        let mut x = 1e-3;
        while x < 1e9 {
            x *= 1.01;
            let k = Histogram::key(x);
            assert!(k >= prev);
            prev = k;
        }
        // A bin spans at most a factor 17/16.
        let lo = f64::from_bits(u64::from(Histogram::key(100.0)) << 48);
        let hi = f64::from_bits(u64::from(Histogram::key(100.0) + 1) << 48);
        assert!(lo <= 100.0 && 100.0 < hi && hi / lo <= 17.0 / 16.0 + 1e-15);
    }

    #[test]
    fn top_share_of_a_small_population() {
        // Ten customers: 100 once, 50 twice, 10 seven times. Top 20% = two
        // customers: 100 + 50 of 270.
        let mut h = Histogram::default();
        for x in [10.0, 50.0, 10.0, 10.0, 100.0, 10.0, 50.0, 10.0, 10.0, 10.0] {
            h.insert(x);
        }
        assert_eq!(h.top_share(0.2), 150.0 / 270.0);
        // Top 30% = 100 + 50 + 50; top 5% = half of the 100.
        assert_eq!(h.top_share(0.3), 200.0 / 270.0);
        assert_eq!(h.top_share(0.05), 50.0 / 270.0);
        // Merging halves gives the same bins.
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        for x in [10.0, 50.0, 10.0, 10.0, 100.0] {
            a.insert(x);
        }
        for x in [10.0, 50.0, 10.0, 10.0, 10.0] {
            b.insert(x);
        }
        a.merge(&b);
        assert_eq!(a.top_share(0.2), h.top_share(0.2));
        // Equal customers: the top 20% bring 20%.
        let mut e = Histogram::default();
        for _ in 0..7 {
            e.insert(3.0);
        }
        assert!((e.top_share(0.2) - 0.2).abs() < 1e-15);
        assert_eq!(Histogram::default().top_share(0.2), 0.0);
    }
}
