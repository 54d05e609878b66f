//! Who made a recommendation. The arrival process (engine::replication)
//! decides that a new customer came through word of mouth, and whether from
//! a customer referring at the plain rate or from one referring at a boosted
//! (member's) rate; this picks that customer among those referring at that
//! moment, in proportion to their contact rate: uniformly among the plain
//! referrers, by multiplier among the boosted ones. A customer whose
//! recommendation brought someone is an ambassador from then on
//! (docs/model.md section 7).
//!
//! Customers there from the start who stay plain referrers to the horizon
//! ("steady": the same weight, active throughout) are kept as counts per
//! segment, with how many of them are already ambassadors: a pick among
//! S steady customers of whom k are ambassadors makes a new one with chance
//! (S − k)/S, which is exactly what picking one of them by name would give,
//! without storing anyone. The other customers ("tracked") each keep their
//! segment, when they leave for good, whether they are an ambassador and
//! their current weight: the plain ones in a set with uniform picks, the
//! boosted ones in a Fenwick tree of their multipliers.
//!
//! Weights are whole numbers (multipliers in fixed point), so sums and picks
//! are exact and never drift as customers come and go; the picks draw from
//! their own stream and never feed back into the arrival process.

use crate::model::rng::Stream;

/// No customer (a change of the population that is nobody's in particular).
pub const NOBODY: u32 = u32::MAX;

/// Fixed point of a multiplier: 2^32 steps per unit.
const ONE: f64 = 4_294_967_296.0;
/// Multipliers are capped here for the weights (so a sum of 2^32 of them
/// fits); beyond any scenario's meaning.
const MAX_FACTOR: f64 = 1e15;

/// How a tracked customer refers at the moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refers {
    /// Not at all (not arrived yet, or gone).
    No,
    /// At the plain rate.
    Plain,
    /// At a boosted rate, this many times the plain one.
    Boosted(f64),
}

/// The customer a recommendation is attributed to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Referrer {
    pub segment: usize,
    /// When they leave for good (infinity if they never do).
    pub gone_at: f64,
    /// True if this is their first recommendation that brought someone.
    pub new: bool,
}

#[derive(Debug, Clone)]
struct Tracked {
    segment: u32,
    gone_at: f64,
    ambassador: bool,
    /// Position in [`Referrers::plain`], or [`NOBODY`].
    pos: u32,
    /// Current fixed-point multiplier in the boosted tree (0 if not boosted).
    weight: u128,
}

/// Every customer who may refer, and who already has.
#[derive(Debug, Clone, Default)]
pub struct Referrers {
    steady: Vec<u64>,
    steady_ambassadors: Vec<u64>,
    steady_total: u64,
    tracked: Vec<Tracked>,
    /// Tracked customers referring at the plain rate, in no particular order.
    plain: Vec<u32>,
    boosted: Fenwick,
}

impl Referrers {
    pub fn new() -> Referrers {
        Referrers::default()
    }

    /// Add `n` steady customers of segment `segment`.
    pub fn add_steady(&mut self, segment: usize, n: u64) {
        if n == 0 {
            return;
        }
        if self.steady.len() <= segment {
            self.steady.resize(segment + 1, 0);
            self.steady_ambassadors.resize(segment + 1, 0);
        }
        self.steady[segment] += n;
        self.steady_total += n;
    }

    /// Track a customer (not referring yet); returns their number.
    pub fn track(&mut self, segment: usize, gone_at: f64) -> u32 {
        let who = u32::try_from(self.tracked.len())
            .ok()
            .filter(|&w| w != NOBODY)
            .expect("fewer than 2^32 - 1 customers who change word of mouth");
        self.tracked.push(Tracked {
            segment: segment as u32,
            gone_at,
            ambassador: false,
            pos: NOBODY,
            weight: 0,
        });
        self.boosted.push(0);
        who
    }

    /// Customer `who` now refers as `r`.
    pub fn set(&mut self, who: u32, r: Refers) {
        let w = who as usize;
        let pos = self.tracked[w].pos;
        let is_plain = pos != NOBODY;
        match (is_plain, r == Refers::Plain) {
            (false, true) => {
                self.tracked[w].pos = self.plain.len() as u32;
                self.plain.push(who);
            }
            (true, false) => {
                let last = self.plain.pop().expect("a plain referrer");
                if last != who {
                    self.plain[pos as usize] = last;
                    self.tracked[last as usize].pos = pos;
                }
                self.tracked[w].pos = NOBODY;
            }
            _ => {}
        }
        let weight = match r {
            Refers::Boosted(f) => fixed(f),
            _ => 0,
        };
        let old = std::mem::replace(&mut self.tracked[w].weight, weight);
        if old != weight {
            self.boosted.update(w, old, weight);
        }
    }

    /// Customers referring at the plain rate.
    pub fn plain_count(&self) -> u64 {
        self.steady_total + self.plain.len() as u64
    }

    /// Attribute a recommendation that brought a customer: to a boosted
    /// referrer if `boosted`, else to a plain one (to the other kind if
    /// there is none of the asked kind, which only rounding in the arrival
    /// rate could ask for). `None` only if nobody refers at all.
    pub fn attribute(&mut self, boosted: bool, rng: &mut Stream) -> Option<Referrer> {
        let has_plain = self.plain_count() > 0;
        let has_boosted = self.boosted.total() > 0;
        if has_boosted && (boosted || !has_plain) {
            let r = below128(rng, self.boosted.total());
            let w = self.boosted.find(r);
            return Some(self.tracked_referrer(w));
        }
        if !has_plain {
            return None;
        }
        let r = below(rng, self.plain_count());
        if r < self.steady_total {
            // Segment by the steady counts, then ambassador or not by the
            // position within the segment (the first k are ambassadors).
            let mut r = r;
            for (segment, (&s, k)) in self
                .steady
                .iter()
                .zip(self.steady_ambassadors.iter_mut())
                .enumerate()
            {
                if r < s {
                    let new = r >= *k;
                    if new {
                        *k += 1;
                    }
                    return Some(Referrer {
                        segment,
                        gone_at: f64::INFINITY,
                        new,
                    });
                }
                r -= s;
            }
            unreachable!("the steady counts sum to steady_total");
        }
        let w = self.plain[(r - self.steady_total) as usize] as usize;
        Some(self.tracked_referrer(w))
    }

    fn tracked_referrer(&mut self, w: usize) -> Referrer {
        let t = &mut self.tracked[w];
        let new = !t.ambassador;
        t.ambassador = true;
        Referrer {
            segment: t.segment as usize,
            gone_at: t.gone_at,
            new,
        }
    }
}

/// A multiplier in fixed point (rounded; capped at [`MAX_FACTOR`]).
fn fixed(f: f64) -> u128 {
    if f > 0.0 {
        (f.min(MAX_FACTOR) * ONE).round() as u128
    } else {
        0
    }
}

/// Uniform on 0..n (n ≥ 1): the top bits of a 64 × 64-bit product, off by
/// at most n/2^64 in any probability.
fn below(rng: &mut Stream, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

/// Uniform on 0..n (n ≥ 1), for the boosted weights.
fn below128(rng: &mut Stream, n: u128) -> u128 {
    if let Ok(small) = u64::try_from(n) {
        return u128::from(below(rng, small));
    }
    let x = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
    x % n
}

/// A Fenwick (binary indexed) tree of whole-number weights that grows one
/// entry at a time. Sums are modulo 2^128, and every true partial sum fits,
/// so they are exact.
#[derive(Debug, Clone, Default)]
struct Fenwick {
    /// 1-based: `tree[i]` sums the weights of entries (i − lowbit(i), i].
    tree: Vec<u128>,
    total: u128,
}

impl Fenwick {
    fn len(&self) -> usize {
        self.tree.len().saturating_sub(1)
    }

    fn total(&self) -> u128 {
        self.total
    }

    /// Sum of the first `i` entries.
    fn prefix(&self, mut i: usize) -> u128 {
        let mut s = 0u128;
        while i > 0 {
            s = s.wrapping_add(self.tree[i]);
            i &= i - 1;
        }
        s
    }

    /// Append an entry of weight `w`.
    fn push(&mut self, w: u128) {
        if self.tree.is_empty() {
            self.tree.push(0);
        }
        let i = self.tree.len();
        let low = i & i.wrapping_neg();
        let node = w
            .wrapping_add(self.prefix(i - 1))
            .wrapping_sub(self.prefix(i - low));
        self.tree.push(node);
        self.total = self.total.wrapping_add(w);
    }

    /// Entry `k` (0-based) changes from `old` to `new`.
    fn update(&mut self, k: usize, old: u128, new: u128) {
        let d = new.wrapping_sub(old);
        let mut i = k + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add(d);
            i += i & i.wrapping_neg();
        }
        self.total = self.total.wrapping_add(d);
    }

    /// The entry (0-based) whose weight covers `r` (< total): the first
    /// whose prefix sum exceeds `r`. Entries of weight 0 are never found.
    fn find(&self, mut r: u128) -> usize {
        let n = self.len();
        let mut pos = 0;
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= r {
                pos = next;
                r -= self.tree[next];
            }
            step >>= 1;
        }
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::Purpose;

    #[test]
    fn fenwick_sums_and_finds_exactly() {
        let mut f = Fenwick::default();
        let w = [3u128, 0, 5, 1, 0, 0, 7, 2, 4];
        for &x in &w {
            f.push(x);
        }
        for i in 0..=w.len() {
            assert_eq!(f.prefix(i), w[..i].iter().sum::<u128>());
        }
        // Every unit of weight maps to its entry.
        let mut r = 0;
        for (k, &x) in w.iter().enumerate() {
            for _ in 0..x {
                assert_eq!(f.find(r), k, "r = {r}");
                r += 1;
            }
        }
        f.update(2, 5, 0);
        f.update(4, 0, 6);
        assert_eq!(f.total(), 3 + 1 + 6 + 7 + 2 + 4);
        assert_eq!(f.find(3), 3);
        assert_eq!(f.find(4), 4);
        assert_eq!(f.find(9), 4);
        assert_eq!(f.find(10), 6);
    }

    #[test]
    fn picks_follow_the_contact_rates() {
        // Two steady customers (segment 0), a plain tracked one (segment 1),
        // boosted ones of multipliers 1 and 3 (segments 2, 3) and one who no
        // longer refers (segment 4).
        let mut p = Referrers::new();
        p.add_steady(0, 2);
        let a = p.track(1, f64::INFINITY);
        let b = p.track(2, 5.0);
        let c = p.track(3, f64::INFINITY);
        let d = p.track(4, 1.0);
        p.set(a, Refers::Plain);
        p.set(d, Refers::Plain);
        p.set(b, Refers::Plain);
        p.set(b, Refers::Boosted(1.0));
        p.set(c, Refers::Boosted(3.0));
        p.set(d, Refers::No);
        assert_eq!(p.plain_count(), 3);
        let mut rng = Stream::new(1, 0, 0, Purpose::Attribution);
        let n = 60_000;
        let mut plain = [0.0; 5];
        let mut boosted = [0.0; 5];
        for _ in 0..n {
            plain[p.attribute(false, &mut rng).unwrap().segment] += 1.0;
            boosted[p.attribute(true, &mut rng).unwrap().segment] += 1.0;
        }
        let check = |count: f64, prob: f64| {
            let se = (n as f64 * prob * (1.0 - prob)).sqrt();
            assert!(
                (count - n as f64 * prob).abs() <= 4.0 * se,
                "{count} vs {}",
                n as f64 * prob
            );
        };
        check(plain[0], 2.0 / 3.0);
        check(plain[1], 1.0 / 3.0);
        check(boosted[2], 0.25);
        check(boosted[3], 0.75);
        assert_eq!(plain[4] + boosted[4], 0.0);
        assert_eq!(plain[2] + plain[3] + boosted[0] + boosted[1], 0.0);
    }

    #[test]
    fn steady_customers_become_ambassadors_as_if_named() {
        // S steady customers and n picks: distinct ones picked have mean
        // S (1 − (1 − 1/S)^n).
        let (s, n, reps) = (10u64, 12, 4000);
        let mut rng = Stream::new(2, 0, 0, Purpose::Attribution);
        let mut xs = Vec::with_capacity(reps);
        for _ in 0..reps {
            let mut p = Referrers::new();
            p.add_steady(0, s);
            let mut amb = 0.0;
            for _ in 0..n {
                if p.attribute(false, &mut rng).unwrap().new {
                    amb += 1.0;
                }
            }
            xs.push(amb);
        }
        let mean = xs.iter().sum::<f64>() / reps as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (reps - 1) as f64;
        let se = (var / reps as f64).sqrt();
        let s = s as f64;
        let expected = s * (1.0 - (1.0 - 1.0 / s).powi(n));
        assert!(
            (mean - expected).abs() < 4.0 * se,
            "{mean} vs {expected} (se {se})"
        );
    }

    #[test]
    fn nobody_to_attribute_to() {
        let mut p = Referrers::new();
        let mut rng = Stream::new(3, 0, 0, Purpose::Attribution);
        assert_eq!(p.attribute(false, &mut rng), None);
        assert_eq!(p.attribute(true, &mut rng), None);
        // Only a boosted referrer: a plain pick falls back to them.
        let a = p.track(0, f64::INFINITY);
        p.set(a, Refers::Boosted(2.0));
        assert!(p.attribute(false, &mut rng).unwrap().new);
        assert!(!p.attribute(true, &mut rng).unwrap().new);
    }
}
