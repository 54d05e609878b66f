//! The additive model y ≈ α + f₁(x₁) + … + f_K(x_K): how much of the
//! variance of an outcome all the inputs together explain, as far as their
//! effects add up.
//!
//! A full K-dimensional smoother (one curve surface over ten inputs) needs
//! far more replications than a run has (100 to 200). The additive model
//! needs a few degrees of freedom per input, and is the standard compromise
//! (Hastie & Tibshirani 1990, "Generalized Additive Models"). What it misses
//! is the part of E[y | x] that is not a sum of one-input curves (the
//! interactions), so its share of explained variance is a lower bound of the
//! true one when inputs interact.
//!
//! Fitting: each fⱼ is the P-spline of [`super::spline`] with its own
//! smoothing parameter λⱼ. The λⱼ are chosen by backfitting (Hastie &
//! Tibshirani, ch. 4): repeatedly fit each input's curve, by REML, to what
//! the other curves leave unexplained, until the curves settle. With the λⱼ
//! then fixed, the whole model is solved once as one penalised least-squares
//! problem (the point backfitting converges to), which also gives its exact
//! effective degrees of freedom tr((XᵀX + S)⁻¹XᵀX).

use super::linalg::{Chol, Mat};
use super::spline::Smoother;

/// Most backfitting sweeps.
const MAX_SWEEPS: usize = 30;
/// Backfitting stops when no curve moves by more than this share of sd(y).
const SWEEP_TOLERANCE: f64 = 1e-6;

/// The fitted additive model.
#[derive(Debug, Clone)]
pub(crate) struct AdditiveFit {
    #[cfg_attr(not(test), allow(dead_code))]
    pub fitted: Vec<f64>,
    pub rss: f64,
    /// Effective degrees of freedom, intercept included.
    pub edf: f64,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The additive fit of y on the inputs behind `smoothers` (all of the same
/// length as y). None when the joint system is singular (inputs that are
/// exact functions of each other, or more unpenalised terms than data).
pub(crate) fn fit(smoothers: &[&Smoother], y: &[f64]) -> Option<AdditiveFit> {
    let n = y.len();
    let alpha = mean(y);
    let sd = (y.iter().map(|v| (v - alpha).powi(2)).sum::<f64>() / n as f64).sqrt();
    let mut curves: Vec<Vec<f64>> = vec![vec![0.0; n]; smoothers.len()];
    let mut lambdas = vec![f64::NAN; smoothers.len()];
    let mut partial = vec![0.0; n];
    for _ in 0..MAX_SWEEPS {
        let mut moved: f64 = 0.0;
        for j in 0..smoothers.len() {
            for r in 0..n {
                let others: f64 = curves
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != j)
                    .map(|(_, c)| c[r])
                    .sum();
                partial[r] = y[r] - alpha - others;
            }
            let f = smoothers[j].fit(&partial)?;
            let mut new = smoothers[j].fitted(&f.beta);
            let m = mean(&new);
            new.iter_mut().for_each(|v| *v -= m);
            for (a, b) in new.iter().zip(&curves[j]) {
                moved = moved.max((a - b).abs());
            }
            curves[j] = new;
            lambdas[j] = f.lambda;
        }
        if moved <= SWEEP_TOLERANCE * sd {
            break;
        }
    }
    joint(smoothers, &lambdas, y)
}

/// The one-shot penalised least-squares solution with fixed λⱼ. Design: an
/// intercept, then for each input its basis functions without the last one,
/// centred over the data. Centring removes the constant each curve could
/// otherwise trade with the intercept; dropping a column removes the
/// remaining dependence (the basis sums to one). Fixing the dropped
/// coefficient at zero changes no curve's shape, because second differences
/// do not see a constant shift, so the penalty stays λⱼ βⱼᵀPⱼβⱼ on the kept
/// coefficients.
fn joint(smoothers: &[&Smoother], lambdas: &[f64], y: &[f64]) -> Option<AdditiveFit> {
    let n = y.len();
    let widths: Vec<usize> = smoothers.iter().map(|s| s.basis().len() - 1).collect();
    let p = 1 + widths.iter().sum::<usize>();
    // Dense design, row-major n × p.
    let mut x = vec![0.0; n * p];
    let mut offset = 1;
    for (sm, &w) in smoothers.iter().zip(&widths) {
        for r in 0..n {
            x[r * p] = 1.0;
            let (s, vals) = sm.row(r);
            for (a, v) in vals.iter().enumerate() {
                if s + a < w {
                    x[r * p + offset + s + a] = *v;
                }
            }
        }
        for c in offset..offset + w {
            let m = (0..n).map(|r| x[r * p + c]).sum::<f64>() / n as f64;
            (0..n).for_each(|r| x[r * p + c] -= m);
        }
        offset += w;
    }
    if smoothers.is_empty() {
        (0..n).for_each(|r| x[r * p] = 1.0);
    }
    let mut xtx = Mat::zeros(p);
    let mut xty = vec![0.0; p];
    for r in 0..n {
        let row = &x[r * p..(r + 1) * p];
        for i in 0..p {
            if row[i] == 0.0 {
                continue;
            }
            xty[i] += row[i] * y[r];
            for j in 0..p {
                xtx.add(i, j, row[i] * row[j]);
            }
        }
    }
    let mut a = xtx.clone();
    let mut offset = 1;
    for ((sm, &w), &lambda) in smoothers.iter().zip(&widths).zip(lambdas) {
        let pen = sm.penalty();
        for i in 0..w {
            for j in 0..w {
                a.add(offset + i, offset + j, lambda * pen.get(i, j));
            }
        }
        offset += w;
    }
    let chol = Chol::new(&a)?;
    let beta = chol.solve(&xty);
    let fitted: Vec<f64> = (0..n)
        .map(|r| {
            x[r * p..(r + 1) * p]
                .iter()
                .zip(&beta)
                .map(|(a, b)| a * b)
                .sum()
        })
        .collect();
    let rss = fitted.iter().zip(y).map(|(f, v)| (v - f).powi(2)).sum();
    let edf = chol.inverse().trace_of_product_sym(&xtx);
    Some(AdditiveFit { fitted, rss, edf })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::Stream;

    #[test]
    fn additive_model_recovers_a_sum_of_curves() {
        // y = sin(2πx₁) + 2x₂ exactly (no noise): the additive model must
        // explain all of it, and backfitting's λ must not matter much.
        let mut rng = Stream::for_analysis(1);
        let n = 300;
        let x1: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
        let x2: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
        let y: Vec<f64> = (0..n)
            .map(|r| (2.0 * std::f64::consts::PI * x1[r]).sin() + 2.0 * x2[r])
            .collect();
        let s1 = Smoother::new(&x1).unwrap();
        let s2 = Smoother::new(&x2).unwrap();
        let fit = fit(&[&s1, &s2], &y).unwrap();
        let tss: f64 = {
            let m = mean(&y);
            y.iter().map(|v| (v - m).powi(2)).sum()
        };
        assert!(fit.rss / tss < 1e-4, "unexplained share {}", fit.rss / tss);
        // Intercept + a line (1) + a sine needing a few more.
        assert!(fit.edf > 3.0 && fit.edf < 12.0, "edf {}", fit.edf);
    }

    #[test]
    fn joint_solution_equals_converged_backfitting_for_one_input() {
        // With one input the additive model is the smoother itself.
        let mut rng = Stream::for_analysis(2);
        let n = 120;
        let x: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
        let y: Vec<f64> = x
            .iter()
            .map(|v| v * v + 0.1 * crate::model::sampling::normal(&mut rng))
            .collect();
        let sm = Smoother::new(&x).unwrap();
        let one = sm.fit(&y).unwrap();
        let add = fit(&[&sm], &y).unwrap();
        for (a, b) in sm.fitted(&one.beta).iter().zip(&add.fitted) {
            assert!((a - b).abs() < 1e-8, "{a} vs {b}");
        }
        assert!(
            (one.edf - add.edf).abs() < 1e-6,
            "{} vs {}",
            one.edf,
            add.edf
        );
    }
}
