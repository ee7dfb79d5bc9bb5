//! The lasso by cyclic coordinate descent, as a nuisance regressor.

use nalgebra::{DMatrix, DVector};

use super::crossfit::{gram_learner_fits, linear_per_fold, one_target};
use super::linear::fit_linear;
use super::{Fitted, Keep, Learner, matrix_columns};
use crate::error::{CoreError, Result};

/// L1-penalised least squares with scikit-learn's `Lasso` objective.
///
/// # Formula
///
/// `min over (b0, w) of (1 / 2n) ‖y − b0 − X w‖² + α ‖w‖₁`, the intercept unpenalised:
/// the features and outcome are centred, then cyclic coordinate descent on the centred Gram
/// matrix updates `w_j ← S(ρ_j, α) / G_jj` with `ρ_j = (x̃ᵀỹ)_j / n − Σ_{k≠j} G_jk w_k`,
/// `G = x̃ᵀx̃ / n` and `S` the soft-threshold, until no coefficient moves by more than `1e-13`
/// (relative to the largest), and `b0 = ȳ − x̄·w`.
#[derive(Clone, Copy, Debug)]
pub struct Lasso {
    alpha: f64,
}

impl Lasso {
    /// The lasso with penalty `alpha`.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] unless `alpha ≥ 0` and finite.
    pub fn new(alpha: f64) -> Result<Self> {
        if !(alpha >= 0.0 && alpha.is_finite()) {
            return Err(CoreError::InvalidParameter(format!(
                "lasso: alpha = {alpha} must be finite and non-negative"
            )));
        }
        Ok(Self { alpha })
    }
}

/// Coordinate-descent sweeps before giving up.
const MAX_SWEEPS: usize = 100_000;

impl Learner for Lasso {
    fn describe(&self) -> String {
        format!("lasso (alpha = {})", self.alpha)
    }

    gram_learner_fits!();
}

impl Lasso {
    /// Coordinate descent on the centred Gram matrix of `n` training rows: O(p²) a sweep,
    /// independent of n.
    fn weights(
        &self,
        gram: DMatrix<f64>,
        xty: DVector<f64>,
        n: usize,
        label: &str,
    ) -> Result<Vec<f64>> {
        let p = gram.nrows();
        let nf = n as f64;
        let g = gram / nf;
        let c = xty / nf;
        let mut w = vec![0.0; p];
        // gw_j = Σ_k G_jk w_k, kept up to date as coefficients move.
        let mut gw = vec![0.0; p];
        let mut converged = p == 0;
        for _ in 0..MAX_SWEEPS {
            if converged {
                break;
            }
            let mut max_change = 0.0f64;
            let mut max_w = 0.0f64;
            for j in 0..p {
                // Column j of the symmetric G, as a slice: the update loop vectorises.
                let gj = &g.as_slice()[j * p..(j + 1) * p];
                let gjj = gj[j];
                if gjj <= 0.0 {
                    continue; // a constant feature stays at 0
                }
                let rho = c[j] - (gw[j] - gjj * w[j]);
                let new = soft_threshold(rho, self.alpha) / gjj;
                let delta = new - w[j];
                if delta != 0.0 {
                    for (gwk, gkj) in gw.iter_mut().zip(gj) {
                        *gwk += gkj * delta;
                    }
                    w[j] = new;
                }
                max_change = max_change.max(delta.abs());
                max_w = max_w.max(new.abs());
            }
            if !max_change.is_finite() {
                return Err(CoreError::Numerical(format!(
                    "the lasso model of '{label}' diverged"
                )));
            }
            converged = max_change <= 1e-13 * max_w.max(1e-300) || max_change == 0.0;
        }
        if !converged {
            return Err(CoreError::Numerical(format!(
                "the lasso model of '{label}' did not converge in {MAX_SWEEPS} sweeps"
            )));
        }
        Ok(w)
    }
}

fn soft_threshold(z: f64, t: f64) -> f64 {
    if z > t {
        z - t
    } else if z < -t {
        z + t
    } else {
        0.0
    }
}
