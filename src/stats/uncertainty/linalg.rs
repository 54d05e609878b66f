//! The little dense linear algebra the penalised regressions need: symmetric
//! positive-definite systems of at most about a hundred unknowns (ten spline
//! coefficients per assumption), solved by Cholesky factorisation.
//!
//! Written here rather than taken from a crate because it is forty lines and
//! the sizes are tiny; every routine is checked against a hand-made case.

/// A dense square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mat {
    n: usize,
    a: Vec<f64>,
}

impl Mat {
    pub(crate) fn zeros(n: usize) -> Mat {
        Mat {
            n,
            a: vec![0.0; n * n],
        }
    }

    #[inline]
    pub(crate) fn get(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.n + j]
    }

    #[inline]
    pub(crate) fn add(&mut self, i: usize, j: usize, x: f64) {
        self.a[i * self.n + j] += x;
    }

    /// The trace.
    pub(crate) fn trace(&self) -> f64 {
        (0..self.n).map(|i| self.get(i, i)).sum()
    }

    /// self + s × other.
    pub(crate) fn plus_scaled(&self, other: &Mat, s: f64) -> Mat {
        debug_assert_eq!(self.n, other.n);
        Mat {
            n: self.n,
            a: self
                .a
                .iter()
                .zip(&other.a)
                .map(|(x, y)| x + s * y)
                .collect(),
        }
    }

    /// xᵀ self x.
    pub(crate) fn quad(&self, x: &[f64]) -> f64 {
        let n = self.n;
        (0..n)
            .map(|i| x[i] * (0..n).map(|j| self.get(i, j) * x[j]).sum::<f64>())
            .sum()
    }

    /// tr(self × other) for symmetric `other`: Σᵢⱼ selfᵢⱼ otherᵢⱼ.
    pub(crate) fn trace_of_product_sym(&self, other: &Mat) -> f64 {
        self.a.iter().zip(&other.a).map(|(x, y)| x * y).sum()
    }
}

/// The Cholesky factor L of a symmetric positive-definite A = L Lᵀ.
#[derive(Debug, Clone)]
pub(crate) struct Chol {
    n: usize,
    l: Vec<f64>,
}

impl Chol {
    /// None when A is not numerically positive definite (a pivot at or below
    /// 1e-13 of the largest diagonal entry): the caller then treats that
    /// smoothing parameter as unusable rather than solve a singular system.
    pub(crate) fn new(a: &Mat) -> Option<Chol> {
        let n = a.n;
        let scale = (0..n).map(|i| a.get(i, i)).fold(0.0f64, f64::max);
        if !(scale > 0.0 && scale.is_finite()) {
            return None;
        }
        let mut l = vec![0.0; n * n];
        for j in 0..n {
            let mut d = a.get(j, j);
            for k in 0..j {
                d -= l[j * n + k] * l[j * n + k];
            }
            // (NaN fails too.)
            if d.is_nan() || d <= 1e-13 * scale {
                return None;
            }
            let d = d.sqrt();
            l[j * n + j] = d;
            for i in j + 1..n {
                let mut s = a.get(i, j);
                for k in 0..j {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / d;
            }
        }
        Some(Chol { n, l })
    }

    /// ln |A| = 2 Σ ln Lᵢᵢ.
    pub(crate) fn log_det(&self) -> f64 {
        (0..self.n)
            .map(|i| 2.0 * libm::log(self.l[i * self.n + i]))
            .sum()
    }

    /// Solves L y = b.
    fn forward(&self, b: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut y = b.to_vec();
        for i in 0..n {
            let row = &self.l[i * n..i * n + i];
            let s = y[i] - row.iter().zip(&y[..i]).map(|(l, v)| l * v).sum::<f64>();
            y[i] = s / self.l[i * n + i];
        }
        y
    }

    /// Solves Lᵀ x = y. With y standard normal, x ~ N(0, A⁻¹): this is how
    /// coefficient vectors are drawn from their posterior.
    pub(crate) fn backward(&self, y: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut x = y.to_vec();
        for i in (0..n).rev() {
            let s = x[i] - (i + 1..n).map(|k| self.l[k * n + i] * x[k]).sum::<f64>();
            x[i] = s / self.l[i * n + i];
        }
        x
    }

    /// Solves A x = b.
    pub(crate) fn solve(&self, b: &[f64]) -> Vec<f64> {
        self.backward(&self.forward(b))
    }

    /// A⁻¹, column by column.
    pub(crate) fn inverse(&self) -> Mat {
        let n = self.n;
        let mut inv = Mat::zeros(n);
        let mut e = vec![0.0; n];
        for j in 0..n {
            e.iter_mut().for_each(|x| *x = 0.0);
            e[j] = 1.0;
            let col = self.solve(&e);
            for (i, v) in col.into_iter().enumerate() {
                inv.a[i * n + j] = v;
            }
        }
        inv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mat(n: usize, a: &[f64]) -> Mat {
        Mat { n, a: a.to_vec() }
    }

    #[test]
    fn cholesky_solves_a_hand_made_system() {
        // A = L Lᵀ with L = [[2,0,0],[1,3,0],[-1,2,1]].
        let a = mat(3, &[4.0, 2.0, -2.0, 2.0, 10.0, 5.0, -2.0, 5.0, 6.0]);
        let c = Chol::new(&a).expect("positive definite");
        // |A| = (2·3·1)² = 36.
        assert!((c.log_det() - 36.0f64.ln()).abs() < 1e-12);
        // x = (1, -1, 2): b = A x.
        let b = [4.0 - 2.0 - 4.0, 2.0 - 10.0 + 10.0, -2.0 - 5.0 + 12.0];
        let x = c.solve(&b);
        for (xi, want) in x.iter().zip([1.0, -1.0, 2.0]) {
            assert!((xi - want).abs() < 1e-12, "{x:?}");
        }
        let inv = c.inverse();
        for i in 0..3 {
            for j in 0..3 {
                let prod: f64 = (0..3).map(|k| a.get(i, k) * inv.get(k, j)).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((prod - want).abs() < 1e-12);
            }
        }
        // xᵀ A x = x · b = -2 - 2 + 10.
        assert!((a.quad(&[1.0, -1.0, 2.0]) - 6.0).abs() < 1e-12);
    }

    #[test]
    fn singular_matrices_are_refused() {
        assert!(Chol::new(&mat(2, &[1.0, 1.0, 1.0, 1.0])).is_none());
        assert!(Chol::new(&mat(2, &[1.0, 2.0, 2.0, 1.0])).is_none());
        assert!(Chol::new(&mat(1, &[f64::NAN])).is_none());
    }
}
