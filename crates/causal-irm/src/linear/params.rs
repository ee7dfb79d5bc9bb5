//! Hyperparameters of the authors' linear IRMv1: a consuming builder validated by `check()`.

use causal_core::contract::ParamGuard;

use crate::error::{IrmError, Result};

/// The authors' grid of `reg`, the weight of the risk (the penalty gets `1 − reg`).
const AUTHORS_GRID: [f64; 6] = [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];

/// Hyperparameters of the authors' linear IRMv1 (unchecked).
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_irm::linear::LinearIrmParams;
///
/// let irm = LinearIrmParams::new().iterations(10_000).check()?;
/// assert_eq!(irm.learning_rate(), 1e-3);
/// assert!(LinearIrmParams::new().risk_weights(&[1.5]).check().is_err());
/// # Ok::<(), causal_irm::IrmError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LinearIrmParams {
    pub(crate) learning_rate: f64,
    pub(crate) iterations: usize,
    pub(crate) risk_weights: Vec<f64>,
}

impl Default for LinearIrmParams {
    fn default() -> Self {
        Self::new()
    }
}

impl LinearIrmParams {
    /// The defaults of the authors' `main.py`: Adam with learning rate `1e-3`, 100 000
    /// full-batch iterations, `reg ∈ {0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1}`.
    pub fn new() -> Self {
        Self {
            learning_rate: 1e-3,
            iterations: 100_000,
            risk_weights: AUTHORS_GRID.to_vec(),
        }
    }

    /// Adam's learning rate (β = 0.9, 0.999; ε = 1e-8, as PyTorch's defaults).
    pub fn learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }

    /// Full-batch Adam steps per grid value.
    pub fn iterations(mut self, n: usize) -> Self {
        self.iterations = n;
        self
    }

    /// The grid of `reg`, the risk's weight in `reg·risk + (1 − reg)·penalty`, tried in order
    /// (the first of equal validation errors wins).
    pub fn risk_weights(mut self, grid: &[f64]) -> Self {
        self.risk_weights = grid.to_vec();
        self
    }
}

impl ParamGuard for LinearIrmParams {
    type Checked = LinearIrm;
    type Error = IrmError;

    /// Validates the parameters.
    ///
    /// # Errors
    ///
    /// [`IrmError::InvalidParameter`] for a learning rate that is not positive and finite, zero
    /// iterations, an empty grid, or a grid value outside `[0, 1]`.
    fn check(self) -> Result<LinearIrm> {
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(IrmError::InvalidParameter(format!(
                "learning_rate must be positive and finite, got {}",
                self.learning_rate
            )));
        }
        if self.iterations == 0 {
            return Err(IrmError::InvalidParameter(
                "iterations must be at least 1".into(),
            ));
        }
        if self.risk_weights.is_empty() {
            return Err(IrmError::InvalidParameter(
                "risk_weights must hold at least one value".into(),
            ));
        }
        if let Some(r) = self.risk_weights.iter().find(|r| !(0.0..=1.0).contains(*r)) {
            return Err(IrmError::InvalidParameter(format!(
                "risk_weights must lie in [0, 1], got {r}"
            )));
        }
        Ok(LinearIrm(self))
    }
}

/// Checked hyperparameters of the authors' linear IRMv1; [`LinearIrm::fit`] trains it.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearIrm(pub(crate) LinearIrmParams);

impl LinearIrm {
    /// Adam's learning rate.
    pub fn learning_rate(&self) -> f64 {
        self.0.learning_rate
    }

    /// Full-batch Adam steps per grid value.
    pub fn iterations(&self) -> usize {
        self.0.iterations
    }

    /// The grid of risk weights `reg`.
    pub fn risk_weights(&self) -> &[f64] {
        &self.0.risk_weights
    }
}
