//! Ordinary least squares with classical standard errors.

use nalgebra::DMatrix;

use super::design::{Design, inverse_scaled, solve_scaled};
use crate::error::{CoreError, Result};

/// A fitted least-squares regression.
#[derive(Clone, Debug)]
pub struct OlsFit {
    /// Coefficient names (`intercept` first when present).
    pub names: Vec<String>,
    /// Coefficients in `names` order.
    pub coef: Vec<f64>,
    /// Classical covariance `σ² (XᵀX)⁻¹`.
    pub cov: DMatrix<f64>,
    /// `(XᵀX)⁻¹`.
    pub xtx_inv: DMatrix<f64>,
    /// Residual variance `RSS / df`.
    pub sigma2: f64,
    /// Residual sum of squares.
    pub rss: f64,
    /// Residual degrees of freedom `n - p`.
    pub df: usize,
    /// Number of rows.
    pub n: usize,
}

impl OlsFit {
    /// Position of a coefficient.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`].
    pub fn position(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| CoreError::UnknownColumn(name.to_owned()))
    }

    /// A coefficient by name.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`].
    pub fn coef_of(&self, name: &str) -> Result<f64> {
        Ok(self.coef[self.position(name)?])
    }

    /// The standard error of a coefficient by name.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`].
    pub fn se_of(&self, name: &str) -> Result<f64> {
        let k = self.position(name)?;
        Ok(self.cov[(k, k)].sqrt())
    }

    /// The t statistic of a coefficient by name.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`].
    pub fn t_of(&self, name: &str) -> Result<f64> {
        Ok(self.coef_of(name)? / self.se_of(name)?)
    }
}

/// Regresses `y` on a design by least squares.
///
/// # Formula
///
/// `β = (XᵀX)⁻¹ Xᵀy`, `Cov(β) = σ² (XᵀX)⁻¹` with `σ² = RSS / (n - p)`.
///
/// # Errors
///
/// [`CoreError::Collinear`] naming a redundant regressor, [`CoreError::InvalidParameter`] when
/// there are no more rows than coefficients.
///
/// # Examples
///
/// ```
/// use causal_core::stats::{Design, ols_fit};
///
/// let x = [0.0, 1.0, 2.0, 3.0];
/// let y = [1.0, 3.1, 4.9, 7.0];
/// let mut d = Design::empty(4, true);
/// d.push_borrowed("x", &x);
/// let fit = ols_fit(&d, &y)?;
/// assert!((fit.coef_of("x")? - 1.98).abs() < 1e-9);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn ols_fit(design: &Design<'_>, y: &[f64]) -> Result<OlsFit> {
    let n = design.n_rows();
    let p = design.n_coef();
    if y.len() != n {
        return Err(CoreError::InvalidParameter(format!(
            "outcome has {} rows, design has {n}",
            y.len()
        )));
    }
    if n <= p {
        return Err(CoreError::InvalidParameter(format!(
            "{n} rows are too few for {p} coefficients"
        )));
    }
    let (g, xy) = design.gram(y, None);
    let (l, scale) = design.check_gram(&g)?;
    let beta = solve_scaled(&l, &scale, &xy);
    let coef: Vec<f64> = beta.iter().copied().collect();
    let fitted = design.predict(&coef);
    let rss: f64 = y.iter().zip(&fitted).map(|(y, f)| (y - f) * (y - f)).sum();
    let df = n - p;
    let sigma2 = rss / df as f64;
    let xtx_inv = inverse_scaled(&l, &scale);
    let cov = &xtx_inv * sigma2;
    Ok(OlsFit {
        names: design.coef_names(),
        coef,
        cov,
        xtx_inv,
        sigma2,
        rss,
        df,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn matches_textbook_simple_regression() {
        // y = 1 + 2x exactly plus residuals (+1, -1, -1, +1): slope 2 by symmetry.
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [2.0, 2.0, 4.0, 8.0];
        let mut d = Design::empty(4, true);
        d.push_borrowed("x", &x);
        let f = ols_fit(&d, &y).unwrap();
        // Closed form: slope = Sxy/Sxx = (-1.5*-2 + -0.5*-2 + 0.5*0 + 1.5*4)/5 = 10/5 = 2.
        assert_relative_eq!(f.coef_of("x").unwrap(), 2.0, epsilon = 1e-12);
        assert_relative_eq!(f.coef_of("intercept").unwrap(), 1.0, epsilon = 1e-12);
        // Residuals 1, -1, -1, 1: RSS 4, df 2, sigma² 2, se(slope) = sqrt(2/5).
        assert_relative_eq!(
            f.se_of("x").unwrap(),
            (2.0f64 / 5.0).sqrt(),
            epsilon = 1e-12
        );
    }
}
