//! Linear IRMv1 exactly as the authors' released code for the synthetic experiments of
//! Arjovsky et al. (2019, §5.1) runs it (`code/experiment_synthetic/models.py` of
//! facebookresearch/InvariantRiskMinimization). Needs no LibTorch.
//!
//! The model is `x ↦ x·Φ·w` with a full `d × d` featurizer `Φ` started at the identity and a
//! fixed "dummy" classifier `w = 1` (a vector of ones that is differentiated through but never
//! updated). For each value `reg` of a grid, Adam trains `Φ` on every environment but the last
//! to minimise
//!
//! ```text
//! reg · Σ_e R_e(Φ) + (1 − reg) · Σ_e mean_j (∂R_e/∂w_j)²,    R_e = mean (x_e Φ w − y_e)²
//! ```
//!
//! and the `reg` whose `Φ·w` has the least mean squared error on the last environment wins.
//! The solution is `Φ·w`.
//!
//! Because the model is linear, everything is computed from per-environment sufficient
//! statistics `S_e = X_eᵀX_e/n_e`, `b_e = X_eᵀy_e/n_e`, so one iteration costs `O(E·d²)`
//! whatever the number of rows. Arithmetic is `f64` (the authors run `float32`).
//!
//! # Formula
//!
//! With `u = Φw` and `v_e = S_e u − b_e`: `R_e = uᵀS_e u − 2b_eᵀu + yᵀy/n`, the gradient in the
//! dummy is `g_e = 2Φᵀv_e`, the penalty `P_e = |g_e|²/d`, and
//!
//! ```text
//! ∂R_e/∂Φ = 2 v_e wᵀ,    ∂P_e/∂Φ = (8/d)·(S_e Φ Φᵀ v_e wᵀ + v_e v_eᵀ Φ).
//! ```
//!
//! # Examples
//!
//! ```
//! use causal_core::contract::ParamGuard;
//! use causal_irm::linear::LinearIrmParams;
//! use nalgebra::{DMatrix, DVector};
//!
//! // y = x exactly in both environments: every grid value finds the slope 1.
//! let env = |s: f64| {
//!     let x = DMatrix::from_fn(4, 1, |i, _| s * (i as f64 + 1.0));
//!     let y = DVector::from_fn(4, |i, _| s * (i as f64 + 1.0));
//!     (x, y)
//! };
//! let fit = LinearIrmParams::new()
//!     .iterations(2000)
//!     .learning_rate(1e-2)
//!     .check()?
//!     .fit(&[env(1.0), env(2.0)])?;
//! assert!((fit.coefficients[0] - 1.0).abs() < 1e-3);
//! # Ok::<(), causal_irm::IrmError>(())
//! ```

mod fit;
mod params;
#[cfg(test)]
mod tests;

pub use fit::{GridPoint, LinearIrmFit};
pub use params::{LinearIrm, LinearIrmParams};
