//! One environment's features and targets.

use crate::error::{IrmError, Result};

/// The rows of one environment: row-major features and one target per row.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvData {
    pub(crate) x: Vec<f32>,
    pub(crate) y: Vec<f32>,
    pub(crate) n_features: usize,
}

impl EnvData {
    /// Builds an environment from row-major features (`n × n_features`) and targets (`n`).
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_irm::deep::EnvData;
    ///
    /// let e = EnvData::new(vec![0.0, 1.0, 2.0, 3.0], 2, vec![0.0, 1.0])?;
    /// assert_eq!(e.len(), 2);
    /// # Ok::<(), causal_irm::IrmError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`IrmError::Environments`] for fewer than 2 rows, a length mismatch, or a non-finite value.
    pub fn new(x: Vec<f32>, n_features: usize, y: Vec<f32>) -> Result<Self> {
        if n_features == 0 || x.len() != y.len() * n_features {
            return Err(IrmError::Environments(format!(
                "{} feature values do not form {} rows of {n_features} features",
                x.len(),
                y.len()
            )));
        }
        if y.len() < 2 {
            return Err(IrmError::Environments(format!(
                "an environment has {} row(s); each needs at least 2",
                y.len()
            )));
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(IrmError::Environments(format!(
                "feature value at row {}, column {} is not finite",
                i / n_features + 1,
                i % n_features + 1
            )));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(IrmError::Environments(format!(
                "target at row {} is not finite",
                i + 1
            )));
        }
        Ok(Self { x, y, n_features })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Never true (at least 2 rows).
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The rows `idx`, in order.
    pub(crate) fn take(&self, idx: &[usize]) -> (Vec<f32>, Vec<f32>) {
        let d = self.n_features;
        let mut x = Vec::with_capacity(idx.len() * d);
        for &i in idx {
            x.extend_from_slice(&self.x[i * d..(i + 1) * d]);
        }
        (x, idx.iter().map(|&i| self.y[i]).collect())
    }
}
