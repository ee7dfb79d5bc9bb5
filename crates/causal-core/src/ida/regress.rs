//! Least squares from one covariance matrix: every IDA regression on the same data reuses the
//! centred cross-products instead of rebuilding a design, so hundreds of regressions cost a
//! few small solves each.

use nalgebra::{DMatrix, DVector};

use crate::data::Dataset;
use crate::error::{CoreError, Result};

/// Centred cross-products of the graph's columns, in graph node order.
#[derive(Clone, Debug)]
pub struct CovRegression {
    names: Vec<String>,
    /// `Σ (x_i - x̄)(x_j - x̄)` over rows.
    cross: DMatrix<f64>,
    n: usize,
}

impl CovRegression {
    /// Cross-products of the columns `names` of `data` (graph node order).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] for a node that is not a column.
    pub fn new(data: &Dataset, names: &[String]) -> Result<Self> {
        let cols: Vec<&[f64]> = names
            .iter()
            .map(|n| data.column(n))
            .collect::<Result<_>>()?;
        let n = data.n_rows();
        let d = cols.len();
        let centred: Vec<Vec<f64>> = cols
            .iter()
            .map(|c| {
                let m = c.iter().sum::<f64>() / n.max(1) as f64;
                c.iter().map(|v| v - m).collect()
            })
            .collect();
        let mut cross = DMatrix::zeros(d, d);
        for i in 0..d {
            for j in i..d {
                let s: f64 = centred[i].iter().zip(&centred[j]).map(|(a, b)| a * b).sum();
                cross[(i, j)] = s;
                cross[(j, i)] = s;
            }
        }
        Ok(Self {
            names: names.to_vec(),
            cross,
            n,
        })
    }

    /// The coefficient of `x` and its classical standard error in the regression of `y` on
    /// `x`, `z` and an intercept.
    ///
    /// # Errors
    ///
    /// [`CoreError::Collinear`] when the regressors are singular, [`CoreError::InvalidParameter`]
    /// when there are too few rows.
    pub fn coef(&self, y: usize, x: usize, z: &[usize]) -> Result<(f64, f64)> {
        let mut s: Vec<usize> = vec![x];
        s.extend(z.iter().copied().filter(|&v| v != x));
        let p = s.len();
        if self.n <= p + 1 {
            return Err(CoreError::InvalidParameter(format!(
                "{} rows are too few for {} regressors",
                self.n,
                p + 1
            )));
        }
        let sxx = DMatrix::from_fn(p, p, |i, j| self.cross[(s[i], s[j])]);
        let sxy = DVector::from_fn(p, |i, _| self.cross[(s[i], y)]);
        let chol = sxx.clone().cholesky().ok_or_else(|| CoreError::Collinear {
            column: self.names[x].clone(),
            with: z.iter().map(|&v| self.names[v].clone()).collect(),
        })?;
        let beta = chol.solve(&sxy);
        let rss = (self.cross[(y, y)] - beta.dot(&sxy)).max(0.0);
        let sigma2 = rss / (self.n - p - 1) as f64;
        let mut e = DVector::zeros(p);
        e[0] = 1.0;
        let inv0 = chol.solve(&e)[0];
        Ok((beta[0], (sigma2 * inv0).sqrt()))
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n
    }
}
