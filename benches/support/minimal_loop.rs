//! The exact minimal control loop: the yardstick for the engine's control
//! replication (docs/performance.md, "The control against its limit").
//!
//! It does the work of one control replication of the benchmark population
//! (BG/NBD, r 0.243, alpha 4.414, a 0.793, b 2.426, 78 weekly periods,
//! fixed baskets) with the same sampler algorithms as loyalsim — xoshiro256++
//! streams derived per customer and purpose from (seed, replication,
//! customer), Marsaglia–Tsang gamma with the small-shape boost, beta as a
//! gamma ratio, ziggurat normal and exponential (the same tables) — and
//! nothing else: no scenario, no arms, no recorder, no error paths. It
//! reproduces loyalsim's control bit for bit (same purchases in every
//! period, same churn count; `tests/minimal_loop.rs` checks this), so the
//! two do exactly the same random draws and arithmetic.
//!
//! Used by `benches/engine.rs` and `examples/throughput.rs` (variant
//! `minimal`) through `#[path]` (and `tests/minimal_loop.rs`); it is not part of the library.

#![allow(dead_code)]

use loyalsim::engine::answers::{Life, Tally};
use loyalsim::engine::recorder::{Flow, Recorder};
use rayon::prelude::*;

const LAYERS: usize = 256;

struct Ziggurat {
    x: [f64; LAYERS + 1],
    xs: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
    r: f64,
}

// The same literal tables as loyalsim's samplers (static NORMAL_ZIG, EXP_ZIG).
include!("../../src/model/ziggurat_tables.rs");

pub const R: f64 = 0.243;
pub const ALPHA: f64 = 4.414;
pub const A: f64 = 0.793;
pub const B: f64 = 2.426;
pub const HORIZON: f64 = 78.0;
const PERIODS: usize = 78;
const BLOCK: u64 = 8192;
/// The benchmark's fixed basket.
const BASKET: f64 = 35.0;

#[inline(always)]
fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline(always)]
fn mix(x: u64) -> u64 {
    let mut y = x;
    splitmix(&mut y)
}

struct Rng([u64; 4]);

impl Rng {
    #[inline(always)]
    fn new(key: u64, purpose: u64) -> Rng {
        let mut x = mix(key ^ purpose);
        Rng([
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
            splitmix(&mut x),
        ])
    }

    #[inline(always)]
    fn next(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    #[inline(always)]
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }
}

#[inline(always)]
fn normal(rng: &mut Rng) -> f64 {
    let z = &NORMAL_ZIG;
    loop {
        let bits = rng.next();
        let i = (bits & 0xff) as usize;
        let sign = (bits & 0x100) << 55;
        let x = ((bits >> 11) as f64 + 0.5) * z.xs[i];
        if x < z.x[i + 1] {
            return f64::from_bits(x.to_bits() | sign);
        }
        if i == 0 {
            let r = z.r;
            loop {
                let t = -rng.uniform().ln() / r;
                let e = -rng.uniform().ln();
                if 2.0 * e > t * t {
                    return f64::from_bits((r + t).to_bits() | sign);
                }
            }
        }
        let y = z.f[i] + rng.uniform() * (z.f[i + 1] - z.f[i]);
        if y < (-0.5 * x * x).exp() {
            return f64::from_bits(x.to_bits() | sign);
        }
    }
}

#[inline(always)]
fn exponential(rng: &mut Rng) -> f64 {
    let z = &EXP_ZIG;
    let mut offset = 0.0;
    loop {
        let bits = rng.next();
        let i = (bits & 0xff) as usize;
        let x = ((bits >> 11) as f64 + 0.5) * z.xs[i];
        if x < z.x[i + 1] {
            return offset + x;
        }
        if i == 0 {
            offset += z.r;
            continue;
        }
        let y = z.f[i] + rng.uniform() * (z.f[i + 1] - z.f[i]);
        if y < (-x).exp() {
            return offset + x;
        }
    }
}

/// Marsaglia–Tsang constants d, c for Gamma(shape) (shape + 1 when boosted),
/// and 1/shape for the boost (0 when shape ≥ 1).
#[derive(Clone, Copy)]
struct Gamma {
    d: f64,
    c: f64,
    inv: f64,
}

impl Gamma {
    fn new(shape: f64) -> Gamma {
        let (s, inv) = if shape < 1.0 {
            (shape + 1.0, 1.0 / shape)
        } else {
            (shape, 0.0)
        };
        let d = s - 1.0 / 3.0;
        Gamma {
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            inv,
        }
    }

    #[inline(always)]
    fn core(&self, rng: &mut Rng) -> f64 {
        loop {
            let (x, v) = loop {
                let x = normal(rng);
                let v = 1.0 + self.c * x;
                if v > 0.0 {
                    break (x, v);
                }
            };
            let v = v * v * v;
            let u = rng.uniform();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + self.d * (1.0 - v + v.ln()) {
                return self.d * v;
            }
        }
    }

    /// The draw as g · exp(t).
    #[inline(always)]
    fn parts(&self, rng: &mut Rng) -> (f64, f64) {
        let g = self.core(rng);
        if self.inv == 0.0 {
            (g, 0.0)
        } else {
            (g, -exponential(rng) * self.inv)
        }
    }
}

#[inline(always)]
fn beta(rng: &mut Rng, x: &Gamma, y: &Gamma) -> f64 {
    let (gx, tx) = x.parts(rng);
    let (gy, ty) = y.parts(rng);
    let dt = ty - tx;
    if dt == 0.0 {
        return gx / (gx + gy);
    }
    if dt.abs() < 600.0 {
        return 1.0 / (1.0 + (gy / gx) * dt.exp());
    }
    let lr = (gy / gx).ln() + dt;
    if lr > 0.0 {
        let e = (-lr).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + lr.exp())
    }
}

/// What one control replication gives: purchases per weekly period, and
/// how many customers churned within the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    pub purchases: Vec<f64>,
    pub churned: u64,
}

/// One control replication of `customers` BG/NBD customers with loyalsim's
/// streams for (`seed`, `replication`), in blocks of 8,192 over the rayon pool.
pub fn control(customers: u64, seed: u64, replication: u64) -> Totals {
    let rate = Gamma::new(R);
    let (ga, gb) = (Gamma::new(A), Gamma::new(B));
    let base = mix(mix(seed) ^ replication);
    (0..customers.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut purchases = vec![0.0; PERIODS];
            let mut churned = 0;
            for id in b * BLOCK..((b + 1) * BLOCK).min(customers) {
                let key = mix(base ^ id);
                let mut traits = Rng::new(key, 1);
                let (g, e) = rate.parts(&mut traits);
                let lambda = (1.0 / ALPHA) * (g * e.exp());
                let p = beta(&mut traits, &ga, &gb);
                let mut buys = Rng::new(key, 2);
                let mut t = if lambda > 0.0 {
                    0.0 + exponential(&mut buys) / lambda
                } else {
                    f64::INFINITY
                };
                let mut coins: Option<Rng> = None;
                while t <= HORIZON {
                    // The period (k - 1, k] holding t.
                    let k = t as i64 as usize;
                    let k = if k as f64 == t {
                        k.saturating_sub(1)
                    } else {
                        k
                    };
                    purchases[k.min(PERIODS - 1)] += 1.0;
                    if coins.get_or_insert_with(|| Rng::new(key, 3)).uniform() < p {
                        churned += 1;
                        break;
                    }
                    t += exponential(&mut buys) / lambda;
                }
            }
            Totals { purchases, churned }
        })
        .reduce(
            || Totals {
                purchases: vec![0.0; PERIODS],
                churned: 0,
            },
            |mut a, b| {
                // Whole numbers: the order of the additions does not matter.
                for (x, y) in a.purchases.iter_mut().zip(&b.purchases) {
                    *x += y;
                }
                a.churned += b.churned;
                a
            },
        )
}

/// The regular window of the benchmark's weekly scenario: a year of weeks.
const WEEKS_PER_YEAR: f64 = 365.25 / 7.0;

/// [`control`]'s loop doing also the rest of the control's work: every
/// booking loyalsim's control makes (arrival, each purchase with its
/// basket, the churn or the active stock at the end) into a
/// [`Recorder`](loyalsim::engine::recorder::Recorder), through the same
/// calls, with the customer's answers folded in at the end. Still one flat
/// loop with none of the engine's structure (scenario, arms, streams kept
/// in a struct, event budget, error paths), so that the ratio of the
/// control to this loop is what the engine's structure costs, and the
/// ratio of this loop to [`control`] what the bookings cost. It gives
/// loyalsim's control replication bit for bit (`tests/minimal_loop.rs`).
/// The customer's start is written out as in [`control`] rather than
/// shared: sharing it made the bare loop 8 instructions a customer
/// cheaper (884, callgrind), through inlining alone, and would move the
/// yardstick every earlier figure was measured against.
pub fn control_booked(customers: u64, seed: u64, replication: u64) -> Recorder {
    let rate = Gamma::new(R);
    let (ga, gb) = (Gamma::new(A), Gamma::new(B));
    let base = mix(mix(seed) ^ replication);
    let empty = || Recorder::new(HORIZON, 1.0).with_regular_window(WEEKS_PER_YEAR);
    let blocks: Vec<Recorder> = (0..customers.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut rec = empty();
            for id in b * BLOCK..((b + 1) * BLOCK).min(customers) {
                let key = mix(base ^ id);
                let mut traits = Rng::new(key, 1);
                let (g, e) = rate.parts(&mut traits);
                let lambda = (1.0 / ALPHA) * (g * e.exp());
                let p = beta(&mut traits, &ga, &gb);
                let mut buys = Rng::new(key, 2);
                let mut t = if lambda > 0.0 {
                    0.0 + exponential(&mut buys) / lambda
                } else {
                    f64::INFINITY
                };
                let mut tally = Tally::default();
                rec.booker_to(&mut tally).add_at_start(Flow::Arrivals, 1.0);
                let mut coins: Option<Rng> = None;
                let mut churned = None;
                while t <= HORIZON {
                    rec.add_purchase_to(&mut tally, rec.moment(t), BASKET);
                    if coins.get_or_insert_with(|| Rng::new(key, 3)).uniform() < p {
                        churned = Some(t);
                        break;
                    }
                    t += exponential(&mut buys) / lambda;
                }
                let mut booker = rec.booker_to(&mut tally);
                match churned {
                    Some(t) => {
                        let at = booker.moment(t);
                        booker.book(Flow::Churned, at, 1.0);
                        booker.book(Flow::InitialChurned, at, 1.0);
                    }
                    None => {
                        booker.add_at_end(Flow::ActiveAtEnd, 1.0);
                        booker.add_at_end(Flow::InitialActiveAtEnd, 1.0);
                    }
                }
                let life = Life {
                    segment: 0,
                    arrived: 0.0,
                    churned,
                    initial: true,
                    referred: false,
                };
                rec.end_customer_with(&tally, &life);
            }
            rec
        })
        .collect();
    // Merged in block order, as loyalsim merges its blocks' recorders.
    blocks.iter().fold(empty(), |mut all, b| {
        all.merge(b);
        all
    })
}
