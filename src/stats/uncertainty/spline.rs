//! A one-dimensional smoother: the expected value of an outcome y as a smooth
//! function of one input x, estimated from pairs (xᵣ, yᵣ), one per replication.
//!
//! Method: a penalised regression spline of the P-spline kind (Eilers & Marx
//! 1996, "Flexible smoothing with B-splines and penalties", Statistical
//! Science 11(2)): up to ten cubic B-splines on equally spaced knots over the
//! range of x, fitted by least squares with a penalty λ Σ (Δ²β)² on the
//! second differences of neighbouring coefficients. λ = 0 interpolates
//! noise, λ → ∞ gives the least-squares straight line (the penalty's null
//! space), and λ is chosen by restricted maximum likelihood (REML), the
//! criterion Wood (2011, "Fast stable restricted maximum likelihood and
//! marginal likelihood estimation of semiparametric generalized linear
//! models", JRSS B 73(1)) recommends over GCV because it undersmooths less
//! often: an undersmoothed curve follows the noise, which would inflate every
//! figure built on it. In R's mgcv this is `s(x, bs = "ps")` (ten cubic
//! B-splines, second-order difference penalty) with `method = "REML"`.
//!
//! The fit is a Bayesian posterior (Wahba 1983; Silverman 1985): the
//! coefficients are N(β̂, σ² (XᵀX + λP)⁻¹). Its standard errors and draws of
//! the coefficients from it give the error estimates of the figures above.
//!
//! Beyond the range of the data the curve continues as a straight line with
//! the slope at the end (like a natural spline), so a percentile just outside
//! the drawn values does not fall off the end of the basis.

use super::linalg::{Chol, Mat};
use crate::model::rng::Stream;
use crate::model::sampling::normal;

/// Most basis functions per input (mgcv's default k = 10 for `s(x)`).
pub(crate) const MAX_BASIS: usize = 10;
/// Fewest observations a smoother is fitted to.
pub(crate) const MIN_OBSERVATIONS: usize = 5;

/// Cubic B-splines on equally spaced knots over [lo, hi].
#[derive(Debug, Clone)]
pub(crate) struct Basis {
    lo: f64,
    hi: f64,
    h: f64,
    segments: usize,
}

impl Basis {
    /// `len` ≥ 4 basis functions over [lo, hi] (lo < hi).
    pub(crate) fn new(lo: f64, hi: f64, len: usize) -> Basis {
        debug_assert!(len >= 4 && lo < hi);
        let segments = len - 3;
        Basis {
            lo,
            hi,
            h: (hi - lo) / segments as f64,
            segments,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.segments + 3
    }

    /// The first non-zero basis function at x in [lo, hi], the four values
    /// and their derivatives in x. Uniform cubic B-spline pieces in the
    /// local coordinate u ∈ [0, 1].
    fn local(&self, x: f64) -> (usize, [f64; 4], [f64; 4]) {
        let t = (x - self.lo) / self.h;
        let s = (t.floor().max(0.0) as usize).min(self.segments - 1);
        let u = (t - s as f64).clamp(0.0, 1.0);
        let (u2, u3, v) = (u * u, u * u * u, 1.0 - u);
        let values = [
            v * v * v / 6.0,
            (3.0 * u3 - 6.0 * u2 + 4.0) / 6.0,
            (-3.0 * u3 + 3.0 * u2 + 3.0 * u + 1.0) / 6.0,
            u3 / 6.0,
        ];
        let derivs = [
            -v * v / 2.0 / self.h,
            (3.0 * u2 - 4.0 * u) / 2.0 / self.h,
            (-3.0 * u2 + 2.0 * u + 1.0) / 2.0 / self.h,
            u2 / 2.0 / self.h,
        ];
        (s, values, derivs)
    }

    /// The weights of the coefficients in the curve's value at x: the four
    /// non-zero basis values inside [lo, hi], the tangent line at the nearer
    /// end outside it.
    pub(crate) fn row(&self, x: f64) -> (usize, [f64; 4]) {
        let end = x.clamp(self.lo, self.hi);
        let (s, mut w, d) = self.local(end);
        if x != end {
            for (wi, di) in w.iter_mut().zip(d) {
                *wi += di * (x - end);
            }
        }
        (s, w)
    }

    /// The second-difference penalty P = DᵀD (Σ (βⱼ − 2βⱼ₊₁ + βⱼ₊₂)² = βᵀPβ).
    pub(crate) fn penalty(&self) -> Mat {
        let k = self.len();
        let mut p = Mat::zeros(k);
        let d = [1.0, -2.0, 1.0];
        for r in 0..k - 2 {
            for (a, da) in d.iter().enumerate() {
                for (b, db) in d.iter().enumerate() {
                    p.add(r + a, r + b, da * db);
                }
            }
        }
        p
    }
}

/// Σ wᵢ βₛ₊ᵢ.
#[inline]
fn dot_row(row: &(usize, [f64; 4]), beta: &[f64]) -> f64 {
    let (s, w) = row;
    w.iter().zip(&beta[*s..*s + 4]).map(|(a, b)| a * b).sum()
}

/// A smoother for one input: its basis, design rows and the parts of the
/// normal equations that do not depend on the outcome, so that several
/// outcomes (one per program) share them.
#[derive(Debug, Clone)]
pub(crate) struct Smoother {
    basis: Basis,
    rows: Vec<(usize, [f64; 4])>,
    xtx: Mat,
    pen: Mat,
    /// tr(XᵀX) / tr(P): puts the λ search on a scale-free footing.
    scale: f64,
}

/// One fitted curve.
#[derive(Debug, Clone)]
pub(crate) struct Fit {
    pub beta: Vec<f64>,
    pub lambda: f64,
    /// Effective degrees of freedom tr((XᵀX + λP)⁻¹ XᵀX): 2 for a straight
    /// line, up to the number of basis functions.
    pub edf: f64,
    pub rss: f64,
    /// Residual variance RSS / (n − edf).
    pub sigma2: f64,
    /// Factor of XᵀX + λP (the posterior precision over σ²).
    chol: Chol,
}

/// The REML criterion's search range for ln(λ / scale), and its grid step.
const LOG_LAMBDA_MIN: f64 = -12.0;
const LOG_LAMBDA_MAX: f64 = 16.0;
const LOG_LAMBDA_STEP: f64 = 0.5;
/// Dimension of the penalty's null space (intercept and slope).
const NULL_SPACE: usize = 2;

impl Smoother {
    /// None when there is nothing to smooth: fewer than [`MIN_OBSERVATIONS`]
    /// points, a non-finite value, or x constant.
    pub(crate) fn new(x: &[f64]) -> Option<Smoother> {
        if x.len() < MIN_OBSERVATIONS || x.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if lo >= hi {
            return None;
        }
        let mut sorted = x.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        let basis = Basis::new(lo, hi, sorted.len().clamp(4, MAX_BASIS));
        let rows: Vec<_> = x.iter().map(|&v| basis.row(v)).collect();
        let mut xtx = Mat::zeros(basis.len());
        for (s, w) in &rows {
            for a in 0..4 {
                for b in 0..4 {
                    xtx.add(s + a, s + b, w[a] * w[b]);
                }
            }
        }
        let pen = basis.penalty();
        let scale = xtx.trace() / pen.trace();
        Some(Smoother {
            basis,
            rows,
            xtx,
            pen,
            scale,
        })
    }

    pub(crate) fn n(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn basis(&self) -> &Basis {
        &self.basis
    }

    /// Xᵀy.
    fn xty(&self, y: &[f64]) -> Vec<f64> {
        let mut v = vec![0.0; self.basis.len()];
        for ((s, w), yi) in self.rows.iter().zip(y) {
            for a in 0..4 {
                v[s + a] += w[a] * yi;
            }
        }
        v
    }

    /// The penalised fit at one λ: (β, RSS, factor), or None if XᵀX + λP is
    /// numerically singular.
    fn solve(&self, y: &[f64], xty: &[f64], lambda: f64) -> Option<(Vec<f64>, f64, Chol)> {
        let chol = Chol::new(&self.xtx.plus_scaled(&self.pen, lambda))?;
        let beta = chol.solve(xty);
        let rss = self
            .rows
            .iter()
            .zip(y)
            .map(|(row, yi)| (yi - dot_row(row, &beta)).powi(2))
            .sum();
        Some((beta, rss, chol))
    }

    /// The profiled REML criterion (Wood 2011, up to constants):
    /// (n − M) ln(RSS + λβᵀPβ) + ln|XᵀX + λP| − (k − M) ln λ, M = 2.
    fn reml(&self, y: &[f64], xty: &[f64], rho: f64) -> f64 {
        let lambda = self.scale * libm::exp(rho);
        match self.solve(y, xty, lambda) {
            Some((beta, rss, chol)) => {
                let n = self.n() as f64;
                let k = self.basis.len() as f64;
                let m = NULL_SPACE as f64;
                let dev = (rss + lambda * self.pen.quad(&beta)).max(f64::MIN_POSITIVE);
                (n - m) * libm::log(dev) + chol.log_det() - (k - m) * libm::log(lambda)
            }
            None => f64::INFINITY,
        }
    }

    /// The REML fit of y on x: λ minimising the criterion over a grid of
    /// ln λ (steps of 0.5 over 28 units around the scale where penalty and
    /// data weigh alike), refined by golden-section search between the grid
    /// neighbours of the best point. None if y has a non-finite value.
    pub(crate) fn fit(&self, y: &[f64]) -> Option<Fit> {
        debug_assert_eq!(y.len(), self.n());
        if y.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let xty = self.xty(y);
        let steps = ((LOG_LAMBDA_MAX - LOG_LAMBDA_MIN) / LOG_LAMBDA_STEP).round() as usize;
        let (mut best, mut best_v) = (LOG_LAMBDA_MAX, f64::INFINITY);
        for i in 0..=steps {
            let rho = LOG_LAMBDA_MIN + i as f64 * LOG_LAMBDA_STEP;
            let v = self.reml(y, &xty, rho);
            // `<=`: among ties (a curve that is exactly a line) prefer the smoother fit.
            if v <= best_v {
                best_v = v;
                best = rho;
            }
        }
        let (mut a, mut b) = (
            (best - LOG_LAMBDA_STEP).max(LOG_LAMBDA_MIN),
            (best + LOG_LAMBDA_STEP).min(LOG_LAMBDA_MAX),
        );
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
        let (mut vc, mut vd) = (self.reml(y, &xty, c), self.reml(y, &xty, d));
        for _ in 0..24 {
            if vc <= vd {
                b = d;
                d = c;
                vd = vc;
                c = b - g * (b - a);
                vc = self.reml(y, &xty, c);
            } else {
                a = c;
                c = d;
                vc = vd;
                d = a + g * (b - a);
                vd = self.reml(y, &xty, d);
            }
        }
        let (rho, v) = [(best, best_v), (c, vc), (d, vd)]
            .into_iter()
            .fold((best, f64::INFINITY), |m, x| if x.1 < m.1 { x } else { m });
        if !v.is_finite() {
            return None;
        }
        self.fit_with(y, self.scale * libm::exp(rho))
    }

    /// The penalised fit at a given λ, with its degrees of freedom and
    /// residual variance.
    pub(crate) fn fit_with(&self, y: &[f64], lambda: f64) -> Option<Fit> {
        let xty = self.xty(y);
        let (beta, rss, chol) = self.solve(y, &xty, lambda)?;
        let edf = chol.inverse().trace_of_product_sym(&self.xtx);
        let resid_df = self.n() as f64 - edf;
        let sigma2 = if resid_df > 0.0 {
            rss / resid_df
        } else {
            f64::NAN
        };
        Some(Fit {
            beta,
            lambda,
            edf,
            rss,
            sigma2,
            chol,
        })
    }

    /// The fitted values at the observations.
    pub(crate) fn fitted(&self, beta: &[f64]) -> Vec<f64> {
        self.rows.iter().map(|row| dot_row(row, beta)).collect()
    }

    /// The curve's value at x.
    pub(crate) fn value(&self, beta: &[f64], x: f64) -> f64 {
        dot_row(&self.basis.row(x), beta)
    }

    /// The posterior standard error of the curve's value at x (the tests
    /// use it to set their tolerances):
    /// sqrt(σ² rᵀ (XᵀX + λP)⁻¹ r), r the weights of the coefficients at x.
    #[cfg(test)]
    pub(crate) fn se(&self, fit: &Fit, x: f64) -> f64 {
        let (s, w) = self.basis.row(x);
        let mut r = vec![0.0; self.basis.len()];
        r[s..s + 4].copy_from_slice(&w);
        let v = fit.chol.solve(&r);
        (fit.sigma2 * r.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>()).sqrt()
    }

    /// One draw of the coefficients from their posterior N(β̂, σ²(XᵀX + λP)⁻¹).
    pub(crate) fn draw(&self, fit: &Fit, rng: &mut Stream) -> Vec<f64> {
        let z: Vec<f64> = (0..self.basis.len()).map(|_| normal(rng)).collect();
        let sd = fit.sigma2.max(0.0).sqrt();
        fit.chol
            .backward(&z)
            .iter()
            .zip(&fit.beta)
            .map(|(e, b)| b + sd * e)
            .collect()
    }

    /// The design row of observation r (for the additive model).
    pub(crate) fn row(&self, r: usize) -> (usize, [f64; 4]) {
        self.rows[r]
    }

    /// The penalty matrix.
    pub(crate) fn penalty(&self) -> &Mat {
        &self.pen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_is_a_partition_of_unity_and_its_derivative_is_right() {
        let b = Basis::new(-1.0, 3.0, 10);
        for i in 0..=400 {
            let x = -1.0 + 4.0 * i as f64 / 400.0;
            let (_, v, d) = b.local(x);
            assert!((v.iter().sum::<f64>() - 1.0).abs() < 1e-14);
            assert!(d.iter().sum::<f64>().abs() < 1e-12);
            assert!(v.iter().all(|w| *w >= 0.0));
            // Central difference of the curve with coefficients j² (a smooth
            // function of x) against the analytic derivative.
            let beta: Vec<f64> = (0..10).map(|j| (j * j) as f64).collect();
            let h = 1e-6;
            if x - h >= -1.0 && x + h <= 3.0 {
                let num =
                    (dot_row(&b.row(x + h), &beta) - dot_row(&b.row(x - h), &beta)) / (2.0 * h);
                let (s, _, d) = b.local(x);
                let ana: f64 = d.iter().zip(&beta[s..s + 4]).map(|(a, c)| a * c).sum();
                assert!(
                    (num - ana).abs() < 1e-5 * ana.abs().max(1.0),
                    "{x}: {num} vs {ana}"
                );
            }
        }
    }

    #[test]
    fn coefficients_on_a_line_give_that_line_and_extend_it() {
        // Cubic B-splines reproduce linear functions: βⱼ = a + b·tⱼ* with the
        // Greville abscissae tⱼ* = lo + (j − 1)h give a + b·x exactly, and the
        // tangent-line extension continues it.
        let (lo, hi, k) = (2.0, 7.0, 8);
        let b = Basis::new(lo, hi, k);
        let h = (hi - lo) / (k - 3) as f64;
        let beta: Vec<f64> = (0..k)
            .map(|j| 1.5 - 0.5 * (lo + (j as f64 - 1.0) * h))
            .collect();
        for x in [0.0, 2.0, 3.3, 6.99, 7.0, 9.5] {
            assert!(
                (dot_row(&b.row(x), &beta) - (1.5 - 0.5 * x)).abs() < 1e-12,
                "{x}"
            );
        }
        // And the penalty does not charge a line.
        assert!(b.penalty().quad(&beta).abs() < 1e-20);
    }

    #[test]
    fn exact_line_is_recovered_with_two_degrees_of_freedom() {
        let x: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin()).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 - 2.0 * v).collect();
        let sm = Smoother::new(&x).unwrap();
        let fit = sm.fit(&y).unwrap();
        assert!((fit.edf - 2.0).abs() < 1e-3, "edf {}", fit.edf);
        for (f, yi) in sm.fitted(&fit.beta).iter().zip(&y) {
            assert!((f - yi).abs() < 1e-6);
        }
    }

    #[test]
    fn nothing_to_smooth() {
        assert!(Smoother::new(&[1.0; 20]).is_none());
        assert!(Smoother::new(&[1.0, 2.0, 3.0]).is_none());
        assert!(Smoother::new(&[1.0, 2.0, 3.0, f64::NAN, 5.0]).is_none());
    }
}
