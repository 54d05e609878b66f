//! An exponential clock for a Poisson process whose rate is piecewise
//! constant. It holds the absolute time of the next event; when the rate
//! changes, the unused part of the exponential budget is carried over to the
//! new rate (exact by memorylessness). An unchanged rate leaves the time
//! untouched, bit for bit, which keeps common random numbers exact.

/// The next event time of one process.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub at: f64,
    rate: f64,
    /// Budget held while the rate is zero.
    frozen: f64,
}

impl Clock {
    pub fn start(t: f64, budget: f64, rate: f64) -> Clock {
        if rate > 0.0 {
            Clock {
                at: t + budget / rate,
                rate,
                frozen: 0.0,
            }
        } else {
            Clock {
                at: f64::INFINITY,
                rate,
                frozen: budget,
            }
        }
    }

    /// Change the rate at time `t`, keeping the unused budget.
    pub fn set_rate(&mut self, t: f64, rate: f64) {
        if rate == self.rate {
            return;
        }
        let left = if self.rate > 0.0 {
            (self.at - t).max(0.0) * self.rate
        } else {
            self.frozen
        };
        *self = Clock::start(t, left, rate);
    }
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
}
