//! Sharding: `--shard K/N` runs a deterministic subset of a sweep's points,
//! those whose index `i` (0-based, in grid order) has `i mod N == K - 1`.
//! Shards 1..=N together cover every point exactly once.

use crate::error::{Error, Result};
use std::fmt;

/// Shard `k` of `n` (1-based `k`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// The whole sweep as one shard.
    pub const ALL: Shard = Shard { k: 1, n: 1 };

    /// Parse `K/N` with 1 ≤ K ≤ N.
    pub fn parse(s: &str) -> Result<Shard> {
        let bad = |why: &str| {
            Error::input(format!(
                "--shard {s}: {why}; write K/N with 1 <= K <= N, e.g. --shard 2/4"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(|| bad("missing '/'"))?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| bad("K is not a whole number"))?;
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| bad("N is not a whole number"))?;
        if n == 0 {
            return Err(bad("N must be at least 1"));
        }
        if k == 0 || k > n {
            return Err(bad("K must be between 1 and N"));
        }
        Ok(Shard { k, n })
    }

    /// Whether point `index` belongs to this shard.
    pub fn contains(&self, index: usize) -> bool {
        index % self.n == self.k - 1
    }

    /// This shard's point indices among `total`, ascending.
    pub fn indices(&self, total: usize) -> impl Iterator<Item = usize> + use<> {
        (self.k - 1..total).step_by(self.n)
    }

    /// Number of this shard's points among `total`.
    pub fn count(&self, total: usize) -> usize {
        self.indices(total).count()
    }

    /// The shard that owns point `index` in a split into `n`.
    pub fn owner(index: usize, n: usize) -> Shard {
        Shard {
            k: index % n + 1,
            n,
        }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { k: 2, n: 3 });
        assert_eq!(Shard::parse("2/3").unwrap().to_string(), "2/3");
        for bad in ["0/3", "4/3", "1/0", "x/2", "3", "1/y"] {
            assert!(
                matches!(Shard::parse(bad), Err(Error::Input(m)) if m.starts_with(&format!("--shard {bad}:"))),
                "{bad}"
            );
        }
    }

    #[test]
    fn shards_partition_the_points() {
        for n in 1..6 {
            let mut seen = [0; 17];
            for k in 1..=n {
                let s = Shard { k, n };
                assert_eq!(s.count(17), s.indices(17).count());
                for i in s.indices(17) {
                    assert!(s.contains(i));
                    assert_eq!(Shard::owner(i, n), s);
                    seen[i] += 1;
                }
            }
            assert!(seen.iter().all(|&c| c == 1));
        }
        assert_eq!(Shard { k: 3, n: 4 }.indices(10).collect::<Vec<_>>(), [2, 6]);
        assert_eq!(Shard { k: 4, n: 4 }.indices(2).count(), 0);
    }
}
