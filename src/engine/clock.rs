//! An exponential clock for a Poisson process whose rate changes only at
//! events, or fades between them. It holds the absolute time of the next
//! event; when the rate changes, the unused part of the exponential budget
//! is carried over to the new rate (exact by memorylessness). An unchanged
//! constant rate leaves the time untouched, bit for bit, which keeps common
//! random numbers exact.
//!
//! A fading rate `base + excess·e^{−(s − t)/tau}` (a member's carry-over or
//! membership effect wearing off) is integrated exactly: the next event is
//! where the integrated rate reaches the budget, found by a safeguarded
//! Newton iteration on that closed-form integral.

/// The next event time of one process.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub at: f64,
    /// The constant rate, or the long-run part of a fading one.
    rate: f64,
    /// Budget held while the rate is zero.
    frozen: f64,
    /// The fading part of the rate at `since` (0: a constant rate).
    excess: f64,
    tau: f64,
    since: f64,
    /// The budget left at `since` (fading rates only).
    left: f64,
}

impl Clock {
    #[inline]
    pub fn start(t: f64, budget: f64, rate: f64) -> Clock {
        let (at, frozen) = if rate > 0.0 {
            (t + budget / rate, 0.0)
        } else {
            (f64::INFINITY, budget)
        };
        Clock {
            at,
            rate,
            frozen,
            excess: 0.0,
            tau: 1.0,
            since: t,
            left: 0.0,
        }
    }

    /// A clock that never rings (a dormant customer's, until the engine
    /// starts a new one).
    #[inline]
    pub fn dormant(t: f64) -> Clock {
        Clock::start(t, f64::INFINITY, 0.0)
    }

    /// Start with the rate `base + excess·e^{−(s − t)/tau}`; `base` ≥ 0 and
    /// `base + excess` ≥ 0 (so the rate is never negative).
    #[inline]
    pub fn start_fading(t: f64, budget: f64, base: f64, excess: f64, tau: f64) -> Clock {
        if excess == 0.0 {
            return Clock::start(t, budget, base);
        }
        Clock {
            at: t + solve(base, excess, tau, budget),
            rate: base,
            frozen: 0.0,
            excess,
            tau,
            since: t,
            left: budget,
        }
    }

    /// The budget not yet used at `t` (≥ the last change).
    #[inline]
    fn remaining(&self, t: f64) -> f64 {
        if self.excess != 0.0 {
            (self.left - integral(self.rate, self.excess, self.tau, t - self.since)).max(0.0)
        } else if self.rate > 0.0 {
            (self.at - t).max(0.0) * self.rate
        } else {
            self.frozen
        }
    }

    /// Change to a constant rate at time `t`, keeping the unused budget.
    #[inline]
    pub fn set_rate(&mut self, t: f64, rate: f64) {
        if rate == self.rate && self.excess == 0.0 {
            return;
        }
        *self = Clock::start(t, self.remaining(t), rate);
    }

    /// Change to a fading rate at time `t` (see [`Clock::start_fading`]),
    /// keeping the unused budget. Without a fading part this is
    /// [`Clock::set_rate`].
    #[inline]
    pub fn set_fading(&mut self, t: f64, base: f64, excess: f64, tau: f64) {
        if excess == 0.0 {
            self.set_rate(t, base);
            return;
        }
        *self = Clock::start_fading(t, self.remaining(t), base, excess, tau);
    }
}

/// ∫₀ˣ (base + excess·e^{−s/tau}) ds.
#[inline]
fn integral(base: f64, excess: f64, tau: f64, x: f64) -> f64 {
    base * x - excess * tau * libm::expm1(-x / tau)
}

/// The x ≥ 0 at which the integrated rate reaches `budget` (infinity if it
/// never does). The integral is increasing, and concave or convex
/// throughout, so a Newton iteration kept inside a shrinking bracket
/// converges; the iteration count is deterministic for given inputs.
fn solve(base: f64, excess: f64, tau: f64, budget: f64) -> f64 {
    if budget <= 0.0 {
        return 0.0;
    }
    if base <= 0.0 {
        // Only the fading part: it delivers excess·tau at most.
        let total = excess * tau;
        if excess <= 0.0 || budget >= total {
            return f64::INFINITY;
        }
        return -tau * libm::log1p(-budget / total);
    }
    // Bracket: the rate lies between `base` and `base + excess`.
    let fast = base + excess.max(0.0);
    let slow = base + excess.min(0.0);
    let mut lo = budget / fast;
    let mut hi = if slow > 0.0 {
        budget / slow
    } else {
        (budget - excess * tau) / base
    };
    let mut x = lo;
    for _ in 0..100 {
        let f = integral(base, excess, tau, x) - budget;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let rate = base + excess * libm::exp(-x / tau);
        let mut next = x - f / rate;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 1e-15 * next.abs() || hi - lo <= 1e-15 * hi {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescaling_keeps_the_unused_budget() {
        let mut c = Clock::start(0.0, 2.0, 1.0);
        assert_eq!(c.at, 2.0);
        c.set_rate(1.0, 2.0); // 1 unit of budget left, now used twice as fast
        assert_eq!(c.at, 1.5);
        c.set_rate(1.5, 2.0);
        assert_eq!(c.at, 1.5);
        c.set_rate(1.25, 0.0);
        assert!(c.at.is_infinite());
        c.set_rate(2.0, 1.0); // the frozen 0.5 resumes
        assert_eq!(c.at, 2.5);
    }

    #[test]
    fn a_fading_rate_uses_its_budget_exactly() {
        for &(base, excess, budget) in &[
            (1.0, 0.5, 0.3),
            (1.0, 0.5, 7.0),
            (2.0, -1.5, 1.0),
            (0.5, -0.5, 4.0),
            (0.0, 3.0, 1.0),
        ] {
            let tau = 2.0;
            let c = Clock::start_fading(1.0, budget, base, excess, tau);
            let used = integral(base, excess, tau, c.at - 1.0);
            assert!(
                (used - budget).abs() <= 1e-12 * budget,
                "{base} {excess} {budget}: {used}"
            );
        }
        // The fading part alone cannot deliver more than excess·tau.
        assert!(
            Clock::start_fading(0.0, 7.0, 0.0, 3.0, 2.0)
                .at
                .is_infinite()
        );
    }

    #[test]
    fn a_change_midway_carries_the_budget_over() {
        // Fade for a while, then switch to a constant rate: the total
        // budget used equals the budget drawn.
        let mut c = Clock::start_fading(0.0, 3.0, 1.0, 1.0, 1.5);
        let used = integral(1.0, 1.0, 1.5, 0.7);
        c.set_rate(0.7, 2.0);
        assert!((c.at - (0.7 + (3.0 - used) / 2.0)).abs() < 1e-12);
        // Without a fading part the fading setter is the constant one, bit for bit.
        let mut a = Clock::start(0.0, 1.3, 1.0);
        let mut b = a;
        a.set_rate(0.4, 1.7);
        b.set_fading(0.4, 1.7, 0.0, 9.0);
        assert_eq!(a.at.to_bits(), b.at.to_bits());
    }
}
