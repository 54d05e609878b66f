//! Random streams. Every stream is derived from (seed, replication, customer,
//! purpose) by hashing, never from thread order, so results do not depend on
//! how work is split across threads or shards, and every program in a run sees
//! the same customers (common random numbers).
//!
//! The generator is xoshiro256++ (Blackman & Vigna 2018), seeded through
//! SplitMix64 so that nearby keys give unrelated streams. It is written out
//! here rather than taken from a crate so that its output can never change
//! under a dependency update: results are part of our contract.

/// What a stream is used for. Separate purposes keep, say, basket draws from
/// shifting when a program changes how many purchase-time draws are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Per-customer traits (rate, dropout parameter, basket parameter, segment).
    Traits = 1,
    /// Unit-exponential budgets for purchase times.
    Purchases = 2,
    /// Churn coins and lifetime budgets.
    Churn = 3,
    /// Basket values.
    Basket = 4,
    /// Program decisions: enrolment, redemption coins.
    Program = 5,
    /// The population-level arrival process.
    Acquisition = 6,
    /// Random numbers handed to scripts.
    Script = 7,
    /// One draw per replication of each uncertain response parameter.
    Assumptions = 8,
    /// A win-back campaign's coins: does a message bring a lapsed customer back?
    Campaign = 9,
    /// Who made each recommendation that brought a customer (its own
    /// stream, so attributing referrals leaves every other draw unchanged).
    Attribution = 10,
}

/// A xoshiro256++ generator.
#[derive(Debug, Clone)]
pub struct Stream {
    s: [u64; 4],
}

#[inline]
fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A bijective 64-bit mixer (SplitMix64's step and finaliser).
#[inline]
fn mix(x: u64) -> u64 {
    let mut y = x;
    splitmix64(&mut y)
}

/// The part of a stream key shared by all of one replication's customers,
/// so the hashing of (seed, replication) is done once per replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicationKey(u64);

impl ReplicationKey {
    #[inline]
    pub fn new(seed: u64, replication: u64) -> ReplicationKey {
        ReplicationKey(mix(mix(seed) ^ replication))
    }

    /// The key of one customer's streams: the same as
    /// [`CustomerKey::new`] with this key's seed and replication.
    #[inline]
    pub fn customer(self, customer: u64) -> CustomerKey {
        CustomerKey(mix(self.0 ^ customer))
    }
}

/// The part of a stream key shared by all of one customer's streams, so the
/// hashing of (seed, replication, customer) is done once per customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerKey(u64);

impl CustomerKey {
    /// Fold the key in one part at a time, mixing after each, so that
    /// (a, b) and (b, a) give unrelated streams.
    #[inline]
    pub fn new(seed: u64, replication: u64, customer: u64) -> CustomerKey {
        ReplicationKey::new(seed, replication).customer(customer)
    }

    /// The stream for one purpose of this customer.
    #[inline]
    pub fn stream(self, purpose: Purpose) -> Stream {
        Stream::from_hash(mix(self.0 ^ purpose as u64))
    }
}

impl Stream {
    /// The stream for one (seed, replication, customer, purpose).
    pub fn new(seed: u64, replication: u64, customer: u64, purpose: Purpose) -> Stream {
        CustomerKey::new(seed, replication, customer).stream(purpose)
    }

    /// A stream for an analysis of finished results (the parameter draws
    /// behind an error estimate), keyed by `label`. It never meets a
    /// customer stream: those are keyed through [`CustomerKey`], and the salt
    /// keeps the two key spaces apart.
    pub fn for_analysis(label: u64) -> Stream {
        const ANALYSIS_SALT: u64 = 0x5EED_A7A1_5150_0001;
        Stream::from_hash(mix(mix(ANALYSIS_SALT) ^ label))
    }

    #[inline]
    fn from_hash(h: u64) -> Stream {
        let mut x = h;
        let mut s = [0u64; 4];
        for v in &mut s {
            *v = splitmix64(&mut x);
        }
        Stream { s }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
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

    /// Uniform on the open interval (0, 1): never 0, so `ln` is always finite.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A unit exponential, Exp(1).
    #[inline]
    pub fn exp1(&mut self) -> f64 {
        -libm::log(self.uniform())
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

/// A coin from one of a customer's streams, derived on first use: when every
/// outcome is certain (probability 0 or 1) no draw is made and the stream is
/// never derived, which matters because deriving a stream costs about as
/// much as a purchase event. The program's enrolment and redemption coins
/// and a win-back campaign's coins are such coins.
#[derive(Debug, Clone)]
pub struct LazyCoin {
    key: CustomerKey,
    purpose: Purpose,
    rng: Option<Stream>,
}

impl LazyCoin {
    /// The coin of the customer `key`'s stream for `purpose`.
    #[inline]
    pub fn new(key: CustomerKey, purpose: Purpose) -> LazyCoin {
        LazyCoin {
            key,
            purpose,
            rng: None,
        }
    }

    /// True with probability `p`; no draw when the outcome is certain.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        if p >= 1.0 {
            true
        } else if p <= 0.0 {
            false
        } else {
            let (key, purpose) = (self.key, self.purpose);
            self.rng
                .get_or_insert_with(|| key.stream(purpose))
                .uniform()
                < p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_by_every_key_part() {
        let base = Stream::new(1, 2, 3, Purpose::Traits).next_u64();
        assert_ne!(base, Stream::new(2, 2, 3, Purpose::Traits).next_u64());
        assert_ne!(base, Stream::new(1, 3, 3, Purpose::Traits).next_u64());
        assert_ne!(base, Stream::new(1, 2, 4, Purpose::Traits).next_u64());
        assert_ne!(base, Stream::new(1, 2, 3, Purpose::Churn).next_u64());
        assert_ne!(
            Stream::new(1, 2, 3, Purpose::Traits).next_u64(),
            Stream::new(1, 3, 2, Purpose::Traits).next_u64()
        );
    }

    #[test]
    fn a_replication_key_gives_the_customer_keys() {
        let r = ReplicationKey::new(7, 3);
        for id in [0, 1, 42, u64::MAX] {
            assert_eq!(r.customer(id), CustomerKey::new(7, 3, id));
        }
        // The fold is unchanged: the streams of existing results.
        assert_eq!(
            CustomerKey::new(7, 3, 42),
            CustomerKey(mix(mix(mix(7) ^ 3) ^ 42))
        );
    }

    #[test]
    fn same_key_same_stream() {
        let mut a = Stream::new(7, 0, 42, Purpose::Basket);
        let mut b = Stream::new(7, 0, 42, Purpose::Basket);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn a_lazy_coin_draws_only_for_uncertain_outcomes() {
        let key = CustomerKey::new(3, 1, 9);
        let mut coin = LazyCoin::new(key, Purpose::Program);
        assert!(coin.chance(1.0) && !coin.chance(0.0) && !coin.chance(-1.0));
        // Certain outcomes drew nothing: the next coin is the stream's first draw.
        let u = key.stream(Purpose::Program).uniform();
        assert!(coin.chance(u + 1e-12));
        let mut coin = LazyCoin::new(key, Purpose::Program);
        assert!(!coin.chance(u));
    }

    #[test]
    fn uniform_mean_and_variance() {
        let mut r = Stream::new(1, 0, 0, Purpose::Traits);
        let n = 200_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let u = r.uniform();
            assert!(u > 0.0 && u < 1.0);
            s += u;
            s2 += u * u;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        // Standard error of the mean: sqrt(1/12 / n) ≈ 6.5e-4; allow 4 SE.
        assert!((mean - 0.5).abs() < 4.0 * (1.0 / 12.0 / n as f64).sqrt());
        assert!((var - 1.0 / 12.0).abs() < 0.002);
    }
}
