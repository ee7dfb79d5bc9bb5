//! Ordinary least squares for the smoke sections (causal-core's estimators supersede it).

use causal::core::CoreError;
use causal::core::data::Dataset;
use nalgebra::{DMatrix, DVector};

use crate::Result;

/// Coefficients of `outcome ~ 1 + regressors`, intercept first.
pub fn fit(data: &Dataset, outcome: &str, regressors: &[&str]) -> Result<Vec<f64>> {
    let n = data.n_rows();
    let cols = regressors
        .iter()
        .map(|r| data.column(r))
        .collect::<Result<Vec<_>, _>>()?;
    let x = DMatrix::from_fn(
        n,
        cols.len() + 1,
        |i, j| if j == 0 { 1.0 } else { cols[j - 1][i] },
    );
    let y = DVector::from_column_slice(data.column(outcome)?);
    let beta = (x.transpose() * &x)
        .cholesky()
        .ok_or_else(|| CoreError::Numerical(format!("regressors {regressors:?} are collinear")))?
        .solve(&(x.transpose() * y));
    Ok(beta.iter().copied().collect())
}
