//! The operations budget of a script: what one hook call, one member and one
//! group of customers may spend, counted in Rhai operations.
//!
//! Rhai's own `max_operations` bounds one hook call only, and not even that
//! fully: a closure called back from a native function (a `sort` comparator,
//! `map`, `filter`, ...) starts from a copy of the call's count that is never
//! added back. So loyalsim counts every operation itself (Rhai's progress
//! callback, into a per-thread [`Meter`]) and stops a hook call once it passes
//! the smaller of
//!
//! - the per-call limit (`Limits::max_operations`), and
//! - what is left of the member's allowance: [`Budget::reserve`] plus
//!   [`Budget::per_call`] for each hook call the member has made, this one
//!   included, minus what the member's earlier calls used.
//!
//! The engine charges the same rule to each group of customers (a block of
//! the initial cohort, or one replication's newcomers) in a fixed order
//! (`engine::customer::EventBudget`), so a population whose every member
//! stays just within its own allowance is stopped too. Operation counts are
//! a property of the script and its inputs, so the same scenario passes or
//! fails on every machine whatever the thread count.
//!
//! An operation is not a unit of time (a builtin `sort` of 1,000 elements is
//! one operation), so as a last resort a wall-clock guard stops a hook call
//! that has run for longer than [`Budget::wall_per_call`]: that one depends on
//! the machine, and its message says so.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The figures of the budget (documented in docs/scripting.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Operations a member (and a group of customers) may spend beyond the
    /// per-call average.
    pub reserve: u64,
    /// Average operations allowed per hook call.
    pub per_call: u64,
    /// Wall-clock time one hook call may take (the last resort).
    pub wall_per_call: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            reserve: 2_000_000,
            per_call: 10_000,
            wall_per_call: Duration::from_secs(10),
        }
    }
}

impl Budget {
    /// Operations allowed so far to hooks that made `calls` calls in all.
    pub fn allowance(&self, calls: u64) -> u64 {
        self.reserve
            .saturating_add(self.per_call.saturating_mul(calls))
    }
}

/// What stopped a hook call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trip {
    /// The per-call limit.
    Call,
    /// The member's allowance.
    Member,
    /// The wall-clock guard.
    Wall,
}

/// The count of the hook call running on this thread (its bounds; the count
/// itself lives in [`Fast`] between checks).
#[derive(Debug, Clone, Copy)]
struct Meter {
    ops: u64,
    limit: u64,
    /// Which bound `limit` is.
    bound: Trip,
    started: Instant,
    wall: Duration,
    tripped: Option<Trip>,
}

/// The count of operations and the count at which [`tick`] must next look
/// at the [`Meter`] (the first count past the limit, the next multiple of
/// [`WALL_EVERY`], or 0 outside a metered call and once tripped): one
/// addition and one comparison per operation in between.
#[derive(Debug, Clone, Copy)]
struct Fast {
    ops: u64,
    check_at: u64,
}

thread_local! {
    static METER: Cell<Option<Meter>> = const { Cell::new(None) };
    static FAST: Cell<Fast> = const { Cell::new(Fast { ops: 0, check_at: 0 }) };
}

/// How often (in operations) the wall clock is read.
pub(crate) const WALL_EVERY: u64 = 4096;

/// Count one operation of the hook call on this thread; `Some(trip)` once a
/// bound is passed (every later operation of the call trips too, so a
/// comparator whose error Rhai swallows cannot run on).
#[inline]
pub fn tick() -> Option<Trip> {
    FAST.with(|f| {
        let mut x = f.get();
        x.ops += 1;
        f.set(x);
        if x.ops < x.check_at {
            None
        } else {
            check(f, x.ops)
        }
    })
}

/// The per-operation rule, at the counts where it can change anything:
/// past the limit the call trips; at every [`WALL_EVERY`]-th operation
/// within it the wall clock is read.
#[cold]
fn check(f: &Cell<Fast>, ops: u64) -> Option<Trip> {
    METER.with(|c| {
        let mut m = c.get()?;
        m.ops = ops;
        if m.tripped.is_none() {
            if m.ops > m.limit {
                m.tripped = Some(m.bound);
            } else if m.ops.is_multiple_of(WALL_EVERY) && m.started.elapsed() > m.wall {
                m.tripped = Some(Trip::Wall);
            }
        }
        c.set(Some(m));
        f.set(Fast {
            ops,
            check_at: next_check(&m),
        });
        m.tripped
    })
}

fn next_check(m: &Meter) -> u64 {
    if m.tripped.is_some() {
        return 0;
    }
    let wall = (m.ops / WALL_EVERY + 1).saturating_mul(WALL_EVERY);
    wall.min(m.limit.saturating_add(1))
}

/// What one metered call used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Used {
    pub ops: u64,
    pub tripped: Option<Trip>,
}

/// Run `f` as one hook call allowed `limit` operations (`bound` says which
/// bound that is) and at most `wall` of wall-clock time.
pub fn metered<T>(limit: u64, bound: Trip, wall: Duration, f: impl FnOnce() -> T) -> (T, Used) {
    let meter = Meter {
        ops: 0,
        limit,
        bound,
        started: Instant::now(),
        wall,
        tripped: None,
    };
    let outer = METER.with(|c| c.replace(Some(meter)));
    let outer_fast = FAST.with(|c| {
        c.replace(Fast {
            ops: 0,
            check_at: next_check(&meter),
        })
    });
    let r = f();
    let fast = FAST.with(|c| c.replace(outer_fast));
    let m = METER.with(|c| c.replace(outer)).expect("meter set above");
    (
        r,
        Used {
            ops: fast.ops,
            tripped: m.tripped,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_trips_at_the_limit_and_stays_tripped() {
        let (_, u) = metered(3, Trip::Member, Duration::from_secs(60), || {
            let seen: Vec<_> = (0..5).map(|_| tick()).collect();
            assert_eq!(
                seen,
                [None, None, None, Some(Trip::Member), Some(Trip::Member)]
            );
        });
        assert_eq!(
            u,
            Used {
                ops: 5,
                tripped: Some(Trip::Member)
            }
        );
        // Outside a metered call nothing is counted.
        assert_eq!(tick(), None);
    }

    #[test]
    fn the_wall_clock_guard_trips_a_slow_call() {
        let (_, u) = metered(u64::MAX, Trip::Call, Duration::ZERO, || {
            std::thread::sleep(Duration::from_millis(2));
            for _ in 0..WALL_EVERY {
                tick();
            }
        });
        assert_eq!(u.tripped, Some(Trip::Wall));
    }

    #[test]
    fn allowance_grows_with_calls() {
        let b = Budget::default();
        assert_eq!(b.allowance(0), 2_000_000);
        assert_eq!(b.allowance(3), 2_030_000);
        assert_eq!(
            Budget {
                per_call: u64::MAX,
                ..b
            }
            .allowance(2),
            u64::MAX
        );
    }
}
