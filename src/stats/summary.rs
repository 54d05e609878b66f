//! Summaries of a metric across replications: mean, standard deviation, a
//! 95% confidence interval for the mean, and quantiles.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Summary of one metric across replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Mean across replications.
    pub mean: f64,
    /// Sample standard deviation across replications (n − 1 denominator).
    pub sd: f64,
    /// 95% confidence interval for the mean (Student t).
    pub ci95: [f64; 2],
    /// 5th percentile across replications.
    pub p05: f64,
    /// Median across replications.
    pub p50: f64,
    /// 95th percentile across replications.
    pub p95: f64,
}

/// A per-period band: mean and the 90% range across replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Band {
    /// Mean across replications.
    pub mean: f64,
    /// 5th percentile across replications.
    pub p05: f64,
    /// 95th percentile across replications.
    pub p95: f64,
}

/// Mean, summed in the given order (callers pass replication order).
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample standard deviation; 0 for fewer than two values.
pub fn sd(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    (ss / (xs.len() - 1) as f64).sqrt()
}

/// Quantile with linear interpolation between order statistics (Hyndman &
/// Fan 1996, type 7, the default of R and numpy). `sorted` must be ascending.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// The two-sided 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if df == 0 {
        return f64::INFINITY;
    }
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

/// `a` minus `b` run by run (the runs are paired: same customers, same
/// assumptions), summarised, and the share of runs in which `a` is ahead
/// (a tie counts half). `None` when the runs do not pair up.
pub fn paired(a: &[f64], b: &[f64]) -> Option<(Summary, f64)> {
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let ahead = d
        .iter()
        .map(|x| match x.partial_cmp(&0.0) {
            Some(std::cmp::Ordering::Greater) => 1.0,
            Some(std::cmp::Ordering::Equal) => 0.5,
            _ => 0.0,
        })
        .sum::<f64>()
        / d.len() as f64;
    Some((summarize(&d), ahead))
}

/// Summarise replication values.
pub fn summarize(xs: &[f64]) -> Summary {
    let m = mean(xs);
    let s = sd(xs);
    let half = if xs.len() >= 2 {
        t975(xs.len() - 1) * s / (xs.len() as f64).sqrt()
    } else {
        0.0
    };
    let v = sorted(xs);
    Summary {
        mean: m,
        sd: s,
        ci95: [m - half, m + half],
        p05: quantile(&v, 0.05),
        p50: quantile(&v, 0.5),
        p95: quantile(&v, 0.95),
    }
}

/// The mean and 90% band of replication values.
pub fn band(xs: &[f64]) -> Band {
    let v = sorted(xs);
    Band {
        mean: mean(xs),
        p05: quantile(&v, 0.05),
        p95: quantile(&v, 0.95),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_runs_by_hand() {
        // Differences 2, 0, -1, 3: ahead in two runs, tied in one.
        let (d, ahead) = paired(&[5.0, 1.0, 2.0, 4.0], &[3.0, 1.0, 3.0, 1.0]).unwrap();
        assert_eq!(d.mean, 1.0);
        assert_eq!(ahead, 2.5 / 4.0);
        assert!(paired(&[1.0], &[1.0, 2.0]).is_none());
        assert!(paired(&[], &[]).is_none());
    }

    #[test]
    fn hand_computed_summary() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        // t(4, 0.975) = 2.776445
        let half = 2.776_445_105 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((s.ci95[1] - 3.0 - half).abs() < 1e-6);
        assert!((s.p05 - 1.2).abs() < 1e-12);
        assert_eq!(s.p50, 3.0);
        assert!((s.p95 - 4.8).abs() < 1e-12);
    }

    #[test]
    fn single_value_has_zero_width() {
        let s = summarize(&[7.0]);
        assert_eq!((s.sd, s.ci95, s.p05, s.p95), (0.0, [7.0, 7.0], 7.0, 7.0));
    }
}
