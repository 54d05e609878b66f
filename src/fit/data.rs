//! From transactions to the customer summaries the models need (pure: no I/O;
//! the CSV streaming lives in `reader.rs`).
//!
//! Transactions arrive one at a time as (customer, day, amount) and are
//! accumulated per customer: the distinct purchase days (a customer's
//! same-day transactions are one transaction, their amounts summed), the
//! first day and the amount spent on it, and the amounts up to the
//! calibration end. Memory is one small record per customer plus 4 bytes per
//! distinct purchase day, never the rows themselves.
//!
//! The summary follows Fader, Hardie & Lee (2005), "Counting your customers
//! the easy way": per customer the number of repeat transactions x in the
//! calibration period, the time of the last of them t_x and the age T at the
//! calibration end, both measured from the customer's first purchase; for
//! Gamma-Gamma the mean value of the repeat transactions in the calibration
//! period (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves").

use std::collections::HashMap;

use super::Rfm;

/// The most tracking periods (rows of the tracking table and chart) a fit
/// makes; longer data are tracked in periods of several time units.
pub const MAX_TRACKING_PERIODS: usize = 2_000;

/// Per-customer running state while reading.
#[derive(Debug, Clone)]
struct CustomerAcc {
    id: String,
    /// Distinct purchase days (consecutive duplicates dropped while reading;
    /// sorted and deduplicated at the end).
    days: Vec<i32>,
    first_day: i32,
    /// Sum of the amounts on `first_day`.
    first_day_amount: f64,
    /// Sum of all amounts on days up to the calibration end.
    amount_to_cal: f64,
}

/// Accumulates transactions; then [`Accumulator::summarize`].
#[derive(Debug, Clone)]
pub struct Accumulator {
    index: HashMap<String, u32>,
    customers: Vec<CustomerAcc>,
    /// The calibration end, when known before reading (otherwise: the last day).
    cal_end: Option<i32>,
    min_day: i32,
    max_day: i32,
    rows: u64,
    with_amounts: bool,
}

impl Accumulator {
    /// `cal_end`: the calibration end as a day number, or `None` for "the last
    /// day in the data". `with_amounts`: whether amounts are recorded.
    pub fn new(cal_end: Option<i32>, with_amounts: bool) -> Self {
        Accumulator {
            index: HashMap::new(),
            customers: Vec::new(),
            cal_end,
            min_day: i32::MAX,
            max_day: i32::MIN,
            rows: 0,
            with_amounts,
        }
    }

    /// Whether amounts are recorded.
    pub fn with_amounts(&self) -> bool {
        self.with_amounts
    }

    /// Number of transactions (rows) added.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Number of distinct customers so far.
    pub fn customers(&self) -> usize {
        self.customers.len()
    }

    /// First and last day seen, if any transaction was added.
    pub fn day_range(&self) -> Option<(i32, i32)> {
        (self.rows > 0).then_some((self.min_day, self.max_day))
    }

    /// Add one transaction. `amount` is ignored without amounts; it must be
    /// finite and ≥ 0 (the reader checks).
    pub fn add(&mut self, customer: &str, day: i32, amount: f64) {
        self.rows += 1;
        self.min_day = self.min_day.min(day);
        self.max_day = self.max_day.max(day);
        let amount = if self.with_amounts { amount } else { 0.0 };
        let in_cal = self.cal_end.is_none_or(|c| day <= c);
        let idx = match self.index.get(customer) {
            Some(&i) => i as usize,
            None => {
                let i = self.customers.len();
                self.index.insert(customer.to_owned(), i as u32);
                self.customers.push(CustomerAcc {
                    id: customer.to_owned(),
                    days: vec![day],
                    first_day: day,
                    first_day_amount: amount,
                    amount_to_cal: if in_cal { amount } else { 0.0 },
                });
                return;
            }
        };
        let c = &mut self.customers[idx];
        if c.days.last() != Some(&day) {
            c.days.push(day);
        }
        if day < c.first_day {
            c.first_day = day;
            c.first_day_amount = amount;
        } else if day == c.first_day {
            c.first_day_amount += amount;
        }
        if in_cal {
            c.amount_to_cal += amount;
        }
    }

    /// Summarize at the calibration end given to [`Accumulator::new`] (or the
    /// last day in the data) in time units of `unit_days` days.
    pub fn summarize(mut self, unit_days: f64) -> Summary {
        let origin = self.min_day;
        let last = self.max_day;
        let cal_end = self.cal_end.unwrap_or(last);
        // Tracking periods of whole time units, as many as cover the data but
        // never more than MAX_TRACKING_PERIODS: memory and time must not grow
        // with the date span (one stray date in 9999 in a daily fit would
        // otherwise ask for three million periods).
        let units = if self.rows == 0 {
            0.0
        } else {
            ((last - origin + 1) as f64 / unit_days).ceil()
        };
        let period_units = (units / MAX_TRACKING_PERIODS as f64).ceil().max(1.0);
        let periods = (units / period_units).ceil() as usize;
        let period_days = unit_days * period_units;
        let mut period_repeats = vec![0u64; periods];
        let mut customers = Vec::with_capacity(self.customers.len());
        let mut excluded = 0usize;
        let mut transactions = 0u64;
        let mut repeat_cal = 0u64;
        let mut sum_amount_cal = 0.0;
        let mut n_amount_cal = 0u64;
        let mut sum_repeat_amount_cal = 0.0;
        for c in self.customers.iter_mut() {
            c.days.sort_unstable();
            c.days.dedup();
            transactions += c.days.len() as u64;
            if c.first_day > cal_end {
                excluded += 1;
                continue;
            }
            let in_cal = c.days.partition_point(|&d| d <= cal_end);
            let x = (in_cal - 1) as u32;
            let last_cal = c.days[in_cal - 1];
            for &d in &c.days[1..] {
                let k = (((d - origin) as f64) / period_days).floor() as usize;
                if k < periods {
                    period_repeats[k] += 1;
                }
            }
            repeat_cal += x as u64;
            let repeat_amount = if self.with_amounts {
                sum_amount_cal += c.amount_to_cal;
                n_amount_cal += in_cal as u64;
                let rep = (c.amount_to_cal - c.first_day_amount).max(0.0);
                sum_repeat_amount_cal += rep;
                (x > 0).then(|| rep / x as f64)
            } else {
                None
            };
            customers.push(CustomerSummary {
                id: std::mem::take(&mut c.id),
                first_day: c.first_day,
                x,
                t_x_days: last_cal - c.first_day,
                t_days: cal_end - c.first_day,
                repeat_amount,
            });
        }
        let mean_amount =
            (self.with_amounts && n_amount_cal > 0).then(|| sum_amount_cal / n_amount_cal as f64);
        let mean_repeat_amount = (self.with_amounts && repeat_cal > 0)
            .then(|| sum_repeat_amount_cal / repeat_cal as f64);
        Summary {
            origin_day: origin,
            cal_end_day: cal_end,
            last_day: last,
            unit_days,
            period_units,
            rows: self.rows,
            transactions,
            repeat_transactions_cal: repeat_cal,
            excluded_customers: excluded,
            customers,
            period_repeats,
            mean_amount,
            mean_repeat_amount,
        }
    }
}

/// One customer of the calibration cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerSummary {
    pub id: String,
    /// Day number of the first purchase.
    pub first_day: i32,
    /// Repeat transactions in the calibration period.
    pub x: u32,
    /// Days from the first purchase to the last repeat transaction in the
    /// calibration period (0 without one).
    pub t_x_days: i32,
    /// Days from the first purchase to the calibration end.
    pub t_days: i32,
    /// Mean value of the calibration-period repeat transactions (x > 0, with amounts).
    pub repeat_amount: Option<f64>,
}

/// Everything the fit needs from the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Day number of the first date in the file (time 0 of the cohort).
    pub origin_day: i32,
    pub cal_end_day: i32,
    /// Day number of the last date in the file.
    pub last_day: i32,
    /// Length of one time unit in days.
    pub unit_days: f64,
    /// Time units per tracking period: 1, unless the data span more than
    /// [`MAX_TRACKING_PERIODS`] time units.
    pub period_units: f64,
    /// Rows read (valid ones).
    pub rows: u64,
    /// Transactions after merging each customer's same-day rows (all customers, all dates).
    pub transactions: u64,
    /// Repeat transactions of the calibration cohort up to the calibration end.
    pub repeat_transactions_cal: u64,
    /// Customers whose first purchase is after the calibration end.
    pub excluded_customers: usize,
    /// The calibration cohort, in order of first appearance in the file.
    pub customers: Vec<CustomerSummary>,
    /// Repeat transactions of the calibration cohort per tracking period
    /// since the origin (period k covers days [k·p, (k+1)·p) after the
    /// origin, p = `period_units` time units), over calibration and holdout.
    pub period_repeats: Vec<u64>,
    /// Mean merged-transaction value in the calibration period (with amounts).
    pub mean_amount: Option<f64>,
    /// Mean repeat-transaction value in the calibration period (with amounts and repeats).
    pub mean_repeat_amount: Option<f64>,
}

impl Summary {
    /// (x, t_x, T) in time units, identical triples merged with a count,
    /// sorted by x (the likelihoods cache per-x terms).
    pub fn rfm(&self) -> Vec<Rfm> {
        let mut counts: HashMap<(u32, i32, i32), u64> = HashMap::new();
        for c in &self.customers {
            *counts.entry((c.x, c.t_x_days, c.t_days)).or_default() += 1;
        }
        let mut keys: Vec<_> = counts.into_iter().collect();
        keys.sort_unstable();
        keys.into_iter()
            .map(|((x, tx, t), n)| Rfm {
                x: x as f64,
                t_x: tx as f64 / self.unit_days,
                t: t as f64 / self.unit_days,
                n: n as f64,
            })
            .collect()
    }

    /// (x, mean repeat value) of the customers with x > 0 and a positive mean,
    /// the input of the Gamma-Gamma spend model.
    pub fn spend(&self) -> Vec<(f64, f64)> {
        self.customers
            .iter()
            .filter_map(|c| match c.repeat_amount {
                Some(m) if c.x > 0 && m > 0.0 => Some((c.x as f64, m)),
                _ => None,
            })
            .collect()
    }

    /// Each cohort member's start in time units since the origin.
    pub fn start(&self, c: &CustomerSummary) -> f64 {
        (c.first_day - self.origin_day) as f64 / self.unit_days
    }

    /// (start in time units, number of customers) per distinct first day, ascending.
    pub fn cohort_starts(&self) -> Vec<(f64, f64)> {
        let mut by_day: HashMap<i32, u64> = HashMap::new();
        for c in &self.customers {
            *by_day.entry(c.first_day).or_default() += 1;
        }
        let mut v: Vec<_> = by_day.into_iter().collect();
        v.sort_unstable();
        v.into_iter()
            .map(|(d, n)| ((d - self.origin_day) as f64 / self.unit_days, n as f64))
            .collect()
    }

    /// The calibration end in time units since the origin.
    pub fn cal_end_time(&self) -> f64 {
        (self.cal_end_day - self.origin_day) as f64 / self.unit_days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(rows: &[(&str, i32, f64)], cal_end: Option<i32>) -> Summary {
        let mut a = Accumulator::new(cal_end, true);
        for &(c, d, m) in rows {
            a.add(c, d, m);
        }
        a.summarize(7.0)
    }

    #[test]
    fn same_day_rows_merge_and_order_does_not_matter() {
        let rows = [
            ("a", 10, 5.0),
            ("a", 24, 3.0),
            ("a", 24, 4.0),
            ("a", 3, 1.0),
            ("a", 3, 2.0),
            ("b", 20, 9.0),
            ("a", 40, 100.0),
        ];
        let s = acc(&rows, Some(30));
        assert_eq!(s.origin_day, 3);
        let a = &s.customers[0];
        assert_eq!((a.x, a.t_x_days, a.t_days), (2, 21, 27));
        // Repeat days 10 (5) and 24 (3 + 4): mean 6; the first day (1 + 2) is excluded.
        assert_eq!(a.repeat_amount, Some(6.0));
        let b = &s.customers[1];
        assert_eq!(
            (b.x, b.t_x_days, b.t_days, b.repeat_amount),
            (0, 0, 10, None)
        );
        assert_eq!(s.transactions, 5);
        assert_eq!(s.repeat_transactions_cal, 2);
        // Periods of 7 days from day 3: repeats on days 10, 24, 40 → periods 1, 3, 5.
        assert_eq!(s.period_repeats, vec![0, 1, 0, 1, 0, 1]);
        assert_eq!(s.mean_amount, Some((3.0 + 5.0 + 7.0 + 9.0) / 4.0));
    }

    #[test]
    fn late_first_purchases_are_excluded() {
        let s = acc(
            &[("a", 0, 1.0), ("a", 5, 1.0), ("b", 50, 1.0), ("b", 60, 1.0)],
            Some(30),
        );
        assert_eq!(s.customers.len(), 1);
        assert_eq!(s.excluded_customers, 1);
        // b's repeat does not count in the cohort's periods.
        assert_eq!(s.period_repeats.iter().sum::<u64>(), 1);
    }

    #[test]
    fn rfm_groups_identical_customers() {
        let s = acc(
            &[("a", 0, 1.0), ("b", 0, 1.0), ("c", 0, 1.0), ("c", 7, 1.0)],
            Some(14),
        );
        let r = s.rfm();
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].x, r[0].t_x, r[0].t, r[0].n), (0.0, 0.0, 2.0, 2.0));
        assert_eq!((r[1].x, r[1].t_x, r[1].t, r[1].n), (1.0, 1.0, 2.0, 1.0));
    }
}
