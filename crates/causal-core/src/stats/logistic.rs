//! Logistic regression by Newton–Raphson (iteratively reweighted least squares).

use nalgebra::DVector;

use super::design::{Design, solve_scaled};
use super::sigmoid;
use crate::error::{CoreError, Result};

/// A fitted (unpenalised) logistic regression.
#[derive(Clone, Debug)]
pub struct LogisticFit {
    /// Coefficient names (`intercept` first when present).
    pub names: Vec<String>,
    /// Coefficients in `names` order.
    pub coef: Vec<f64>,
    /// Newton iterations used.
    pub iterations: usize,
}

impl LogisticFit {
    /// Predicted probabilities for the rows of a design with the same columns.
    pub fn predict(&self, design: &Design<'_>) -> Vec<f64> {
        design
            .predict(&self.coef)
            .into_iter()
            .map(sigmoid)
            .collect()
    }
}

/// Linear predictors beyond this size mean fitted probabilities of 0 or 1 to machine precision.
const SEPARATION_ETA: f64 = 30.0;

/// Fits `P(y = 1 | x) = σ(x β)` by maximum likelihood, with optional frequency weights.
///
/// `label` names the outcome in errors (the treatment, for a propensity model).
///
/// # Formula
///
/// Newton steps `β ← β + (Xᵀ W X)⁻¹ Xᵀ (y − p)` with `W = diag(p (1 − p))`, until the largest
/// step is below `1e-10`.
///
/// # Errors
///
/// [`CoreError::NoOverlap`] when the classes are (quasi-)separated so that fitted
/// probabilities reach 0 or 1, [`CoreError::Collinear`] for redundant regressors,
/// [`CoreError::Numerical`] when Newton's method does not converge.
pub fn logistic_fit(
    design: &Design<'_>,
    y: &[f64],
    weights: Option<&[f64]>,
    label: &str,
) -> Result<LogisticFit> {
    let n = design.n_rows();
    let p = design.n_coef();
    let (g0, _) = design.gram(y, weights);
    design.check_gram(&g0)?;
    let mut beta = vec![0.0; p];
    let mut w = vec![0.0; n];
    let mut resid = vec![0.0; n];
    for it in 1..=100 {
        let eta = design.predict(&beta);
        if eta.iter().any(|e| e.abs() > SEPARATION_ETA) {
            return Err(separated(label, design));
        }
        for i in 0..n {
            let pi = sigmoid(eta[i]);
            let wi = weights.map_or(1.0, |w| w[i]);
            w[i] = wi * pi * (1.0 - pi);
            resid[i] = y[i] - pi;
        }
        // Gram with weights w gives XᵀWX; the second output with "y" = resid / (p(1-p))
        // would be unstable, so compute Xᵀ (weights ⊙ resid) directly.
        let (h, _) = design.gram(&resid, Some(&w));
        let wr: Vec<f64> = match weights {
            Some(fw) => resid.iter().zip(fw).map(|(r, f)| r * f).collect(),
            None => resid.clone(),
        };
        let (_, grad) = design.gram(&wr, None);
        let (l, scale) = design
            .check_gram(&h)
            .map_err(|_| separated(label, design))?;
        let step: DVector<f64> = solve_scaled(&l, &scale, &grad);
        let mut max_step = 0.0f64;
        for (b, s) in beta.iter_mut().zip(step.iter()) {
            *b += s;
            max_step = max_step.max(s.abs() / (1.0 + b.abs()));
        }
        if !max_step.is_finite() {
            return Err(CoreError::Numerical(format!(
                "logistic regression for '{label}' diverged"
            )));
        }
        if max_step < 1e-10 {
            return Ok(LogisticFit {
                names: design.coef_names(),
                coef: beta,
                iterations: it,
            });
        }
    }
    Err(CoreError::Numerical(format!(
        "logistic regression for '{label}' did not converge in 100 Newton steps"
    )))
}

fn separated(label: &str, design: &Design<'_>) -> CoreError {
    CoreError::NoOverlap(format!(
        "the logistic model of '{label}' on [{}] predicts it perfectly (fitted probabilities reach 0 or 1)",
        design.coef_names().join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_saturated_model_for_a_binary_covariate() {
        // With a binary x the MLE reproduces the cell frequencies exactly.
        let x = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let y = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0];
        let mut d = Design::empty(x.len(), true);
        d.push_borrowed("x", &x);
        let f = logistic_fit(&d, &y, None, "y").unwrap();
        let p = f.predict(&d);
        assert!((p[0] - 0.25).abs() < 1e-9);
        assert!((p[8] - 0.8).abs() < 1e-9);
    }

    #[test]
    fn separation_is_reported_as_no_overlap() {
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let mut d = Design::empty(x.len(), true);
        d.push_borrowed("x", &x);
        let err = logistic_fit(&d, &y, None, "T").unwrap_err();
        assert!(matches!(err, CoreError::NoOverlap(_)), "{err}");
        assert!(err.to_string().contains("'T'"));
    }
}
