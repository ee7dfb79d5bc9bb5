//! Logistic regression with an optional L2 penalty, as a nuisance classifier.

use nalgebra::{DMatrix, DVector};

use super::linear::solve_spd;
use super::{Fitted, Learner, LinearPredictor, require_rows};
use crate::error::{CoreError, Result};
use crate::stats::sigmoid;

/// Logistic regression `P(y = 1 | x) = σ(b0 + x·w)` with scikit-learn's penalty convention:
/// it minimises `C Σᵢ logloss_i + ½‖w‖²` (the intercept unpenalised); `C = ∞` is the
/// unpenalised maximum-likelihood fit.
///
/// # Formula
///
/// Newton steps on the penalised log-likelihood until the largest step is below `1e-12`
/// relative to the coefficient.
#[derive(Clone, Copy, Debug)]
pub struct LogisticRegression {
    c: f64,
}

impl LogisticRegression {
    /// The unpenalised maximum-likelihood fit (`C = ∞`), the default classifier of the
    /// estimators.
    pub const fn unpenalised() -> Self {
        Self { c: f64::INFINITY }
    }

    /// Logistic regression with inverse penalty strength `c` (`f64::INFINITY`: none).
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] unless `c > 0`.
    pub fn new(c: f64) -> Result<Self> {
        if c.is_nan() || c <= 0.0 {
            return Err(CoreError::InvalidParameter(format!(
                "logistic regression: C = {c} must be positive (inf for no penalty)"
            )));
        }
        Ok(Self { c })
    }
}

/// Linear predictors this large mean probabilities of exactly 0 or 1: separated classes.
const SEPARATION_ETA: f64 = 30.0;

impl Learner for LogisticRegression {
    fn describe(&self) -> String {
        if self.c.is_infinite() {
            "logistic (unpenalised)".into()
        } else {
            format!("logistic (L2, C = {})", self.c)
        }
    }

    fn fit(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        rows: &[usize],
        label: &str,
    ) -> Result<Box<dyn Fitted>> {
        require_rows(rows, label)?;
        let p = x.ncols();
        let k = p + 1;
        if let Some(&i) = rows.iter().find(|&&i| y[i] != 0.0 && y[i] != 1.0) {
            return Err(CoreError::InvalidParameter(format!(
                "'{label}' must be 0/1 for a classifier (row {} has {})",
                i + 1,
                y[i]
            )));
        }
        let ones = rows.iter().filter(|&&i| y[i] == 1.0).count();
        if ones == 0 || ones == rows.len() {
            return Err(CoreError::NoOverlap(format!(
                "'{label}' takes one value on the {} training rows of its model",
                rows.len()
            )));
        }
        let lambda = if self.c.is_infinite() {
            0.0
        } else {
            1.0 / self.c
        };
        // Design with the intercept as column 0, copied once for the training rows.
        let n = rows.len();
        let mut a = DMatrix::<f64>::zeros(n, k);
        a.column_mut(0).fill(1.0);
        for j in 0..p {
            let src = x.column(j);
            let mut dst = a.column_mut(j + 1);
            for (r, &i) in rows.iter().enumerate() {
                dst[r] = src[i];
            }
        }
        let yt: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        let mut beta = DVector::<f64>::zeros(k);
        for _ in 0..200 {
            let eta = &a * &beta;
            if lambda == 0.0 && eta.iter().any(|e| e.abs() > SEPARATION_ETA) {
                return Err(CoreError::NoOverlap(format!(
                    "the logistic model of '{label}' predicts it perfectly (fitted probabilities reach 0 or 1)"
                )));
            }
            let prob: Vec<f64> = eta.iter().map(|e| sigmoid(*e)).collect();
            let mut grad = DVector::<f64>::zeros(k);
            let mut weighted = a.clone();
            for r in 0..n {
                let w = prob[r] * (1.0 - prob[r]);
                let res = yt[r] - prob[r];
                for j in 0..k {
                    grad[j] += a[(r, j)] * res;
                    weighted[(r, j)] *= w;
                }
            }
            let mut hess = a.transpose() * &weighted;
            for j in 1..k {
                grad[j] -= lambda * beta[j];
                hess[(j, j)] += lambda;
            }
            let step = solve_spd(hess, grad).ok_or_else(|| {
                CoreError::Numerical(format!(
                    "the logistic model of '{label}' is singular (collinear or constant features)"
                ))
            })?;
            let mut max_step = 0.0f64;
            for (b, s) in beta.iter_mut().zip(&step) {
                *b += s;
                max_step = max_step.max(s.abs() / (1.0 + b.abs()));
            }
            if !max_step.is_finite() {
                return Err(CoreError::Numerical(format!(
                    "the logistic model of '{label}' diverged"
                )));
            }
            if max_step < 1e-12 {
                return Ok(Box::new(LinearPredictor {
                    intercept: beta[0],
                    weights: beta.iter().skip(1).copied().collect(),
                    logistic: true,
                }));
            }
        }
        Err(CoreError::Numerical(format!(
            "the logistic model of '{label}' did not converge in 200 Newton steps"
        )))
    }
}
