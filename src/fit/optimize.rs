//! Maximum likelihood: Nelder-Mead on the logarithms of the parameters (so
//! they stay positive), restarted from its own optimum until the restart no
//! longer improves (a standard guard against premature collapse of the
//! simplex, Lagarias et al. 1998; Press et al., Numerical Recipes 10.5), from
//! several starting points. Standard errors come from the numerically
//! differentiated Hessian of the negative log-likelihood in the log
//! parameters, mapped to the natural parameters by the delta method:
//! se(φᵢ) = φᵢ · sqrt([H⁻¹]ᵢᵢ).

/// Log-parameters are confined to [-BOUND, BOUND] (e^±25 ≈ 7·10^10 / 1.4·10^-11).
pub const BOUND: f64 = 25.0;

/// The result of a minimization.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Minimizer (log-parameters).
    pub x: Vec<f64>,
    /// Objective at `x`.
    pub f: f64,
    pub evaluations: usize,
    /// Nelder-Mead runs (starts and restarts).
    pub runs: usize,
    /// The simplex met the tolerances and no parameter sits at the bound.
    pub converged: bool,
}

/// Minimize `f` from each of `starts` with restarted Nelder-Mead; the best wins.
/// `f` may return non-finite values; they count as +∞.
pub fn minimize(f: &dyn Fn(&[f64]) -> f64, starts: &[Vec<f64>]) -> Outcome {
    let mut best: Option<Outcome> = None;
    let mut evaluations = 0;
    let mut runs = 0;
    for x0 in starts {
        let mut x = x0.clone();
        let mut fx = f64::INFINITY;
        let mut converged = false;
        for _restart in 0..8 {
            let (nx, nf, evals, conv) = nelder_mead(f, &x, 0.5, 1e-10, 4000);
            evaluations += evals;
            runs += 1;
            let improved = fx - nf;
            let done =
                nf.is_finite() && fx.is_finite() && improved.abs() <= 1e-9 * (1.0 + nf.abs());
            x = nx;
            fx = nf;
            converged = conv;
            if done {
                break;
            }
        }
        let better = match &best {
            None => true,
            Some(b) => fx < b.f,
        };
        if better {
            best = Some(Outcome {
                x,
                f: fx,
                evaluations: 0,
                runs: 0,
                converged,
            });
        }
    }
    let mut out = best.expect("at least one start");
    out.evaluations = evaluations;
    out.runs = runs;
    out.converged =
        out.converged && out.f.is_finite() && out.x.iter().all(|v| v.abs() < BOUND - 1.0);
    out
}

fn clean(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> f64 {
    if x.iter().any(|v| v.abs() > BOUND) {
        return f64::INFINITY;
    }
    let v = f(x);
    if v.is_nan() { f64::INFINITY } else { v }
}

/// One Nelder-Mead run (standard coefficients 1, 2, ½, ½). Returns the best
/// point, its value, the evaluations used and whether the tolerances were met
/// (spread of values ≤ ftol·(1+|f|) and simplex diameter ≤ 1e-7).
fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    x0: &[f64],
    step: f64,
    ftol: f64,
    max_evals: usize,
) -> (Vec<f64>, f64, usize, bool) {
    let n = x0.len();
    let evals = std::cell::Cell::new(0usize);
    let eval = |x: &[f64]| {
        evals.set(evals.get() + 1);
        clean(f, x)
    };
    let mut simplex: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
    simplex.push(x0.to_vec());
    for i in 0..n {
        let mut v = x0.to_vec();
        v[i] += step;
        simplex.push(v);
    }
    let mut values: Vec<f64> = simplex.iter().map(|v| eval(v)).collect();
    let mut converged = false;
    loop {
        // Order best → worst (stable under ties).
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();
        let (fb, fw) = (values[0], values[n]);
        let diameter = simplex[1..]
            .iter()
            .map(|v| {
                v.iter()
                    .zip(&simplex[0])
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max)
            })
            .fold(0.0, f64::max);
        if fb.is_finite() && (fw - fb) <= ftol * (1.0 + fb.abs()) && diameter <= 1e-7 {
            converged = true;
            break;
        }
        if evals.get() >= max_evals {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|k| simplex[..n].iter().map(|v| v[k]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|k| centroid[k] + t * (simplex[n][k] - centroid[k]))
                .collect()
        };
        let xr = along(-1.0);
        let fr = eval(&xr);
        if fr < values[0] {
            let xe = along(-2.0);
            let fe = eval(&xe);
            if fe < fr {
                simplex[n] = xe;
                values[n] = fe;
            } else {
                simplex[n] = xr;
                values[n] = fr;
            }
            continue;
        }
        if fr < values[n - 1] {
            simplex[n] = xr;
            values[n] = fr;
            continue;
        }
        // Contraction: outside if the reflection helped a little, else inside.
        let (xc, fc) = if fr < values[n] {
            let xc = along(-0.5);
            let fc = eval(&xc);
            (xc, fc)
        } else {
            let xc = along(0.5);
            let fc = eval(&xc);
            (xc, fc)
        };
        if fc < values[n].min(fr) {
            simplex[n] = xc;
            values[n] = fc;
            continue;
        }
        // Shrink toward the best vertex.
        for i in 1..=n {
            let v: Vec<f64> = (0..n)
                .map(|k| simplex[0][k] + 0.5 * (simplex[i][k] - simplex[0][k]))
                .collect();
            values[i] = eval(&v);
            simplex[i] = v;
        }
    }
    (simplex[0].clone(), values[0], evals.get(), converged)
}

/// Central-difference Hessian of `f` at `x` with step `h`.
// Matrix code reads best with explicit row and column indices.
#[allow(clippy::needless_range_loop)]
pub fn hessian(f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<Vec<f64>> {
    let n = x.len();
    let at = |d: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, s) in d {
            y[i] += s;
        }
        f(&y)
    };
    let f0 = f(x);
    let mut hm = vec![vec![0.0; n]; n];
    for i in 0..n {
        hm[i][i] = (at(&[(i, h)]) - 2.0 * f0 + at(&[(i, -h)])) / (h * h);
        for j in 0..i {
            let v = (at(&[(i, h), (j, h)]) - at(&[(i, h), (j, -h)]) - at(&[(i, -h), (j, h)])
                + at(&[(i, -h), (j, -h)]))
                / (4.0 * h * h);
            hm[i][j] = v;
            hm[j][i] = v;
        }
    }
    hm
}

/// Inverse of a symmetric positive definite matrix by Cholesky; `None` if
/// the matrix is not positive definite (or not finite).
#[allow(clippy::needless_range_loop)]
pub fn invert_spd(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if !(s > 0.0) || !s.is_finite() {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    // Solve L Lᵀ X = I column by column.
    let mut inv = vec![vec![0.0; n]; n];
    for c in 0..n {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let e = if i == c { 1.0 } else { 0.0 };
            y[i] = (e - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
        }
        let mut xv = vec![0.0; n];
        for i in (0..n).rev() {
            xv[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * xv[k]).sum::<f64>()) / l[i][i];
        }
        for i in 0..n {
            inv[i][c] = xv[i];
        }
    }
    inv.iter().flatten().all(|v| v.is_finite()).then_some(inv)
}

/// Standard errors of the natural parameters φ = exp(θ) from the Hessian of
/// the negative log-likelihood in θ (delta method). `None` where the Hessian
/// is not positive definite (a flat or degenerate likelihood).
pub fn standard_errors(negll: &dyn Fn(&[f64]) -> f64, theta: &[f64]) -> Vec<Option<f64>> {
    let h = hessian(negll, theta, 1e-4);
    match invert_spd(&h) {
        Some(cov) => theta
            .iter()
            .enumerate()
            .map(|(i, t)| (cov[i][i] > 0.0).then(|| t.exp() * cov[i][i].sqrt()))
            .collect(),
        None => vec![None; theta.len()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_rosenbrock_valley() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let o = minimize(&f, &[vec![-1.2, 1.0]]);
        assert!(o.converged);
        assert!(
            (o.x[0] - 1.0).abs() < 1e-5 && (o.x[1] - 1.0).abs() < 1e-5,
            "{:?}",
            o.x
        );
    }

    #[test]
    fn hessian_and_inverse_of_a_quadratic() {
        // f = ½ xᵀ A x with A = [[4, 1], [1, 3]]: Hessian A, inverse 1/11 [[3, -1], [-1, 4]].
        let f = |x: &[f64]| 0.5 * (4.0 * x[0] * x[0] + 2.0 * x[0] * x[1] + 3.0 * x[1] * x[1]);
        let h = hessian(&f, &[0.3, -0.2], 1e-3);
        assert!((h[0][0] - 4.0).abs() < 1e-6 && (h[0][1] - 1.0).abs() < 1e-6);
        let inv = invert_spd(&h).unwrap();
        assert!((inv[0][0] - 3.0 / 11.0).abs() < 1e-6 && (inv[1][0] + 1.0 / 11.0).abs() < 1e-6);
        assert!(invert_spd(&[vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
    }

    #[test]
    fn nan_and_bounds_are_survived() {
        let f = |x: &[f64]| {
            if x[0] < 0.0 {
                f64::NAN
            } else {
                (x[0] - 30.0).powi(2)
            }
        };
        let o = minimize(&f, &[vec![1.0]]);
        assert!(o.f.is_finite());
        assert!(
            !o.converged,
            "a minimum beyond the bound is not convergence"
        );
    }
}
