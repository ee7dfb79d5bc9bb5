//! The linear-Gaussian SCM with closed-form total effects, covariance and counterfactuals.

use std::sync::Arc;

use nalgebra::{DMatrix, DVector};

use super::model::{Mechanism, Noise, Scm};
use crate::error::{CoreError, Result};

/// `X = c + B X + U`, `U ~ N(0, diag(sd²))`, with `B[(j, i)]` the coefficient of `i` in `j`'s
/// equation.
///
/// # Examples
///
/// ```
/// use causal_core::scm::LinearGaussianScm;
///
/// let m = LinearGaussianScm::new(
///     &["Z", "X", "Y"],
///     &[("Z", "X", 0.5), ("X", "Y", 2.0), ("Z", "Y", 1.0)],
///     &[0.0, 0.0, 0.0],
///     &[1.0, 1.0, 1.0],
/// )?;
/// assert!((m.total_effect("X", "Y")? - 2.0).abs() < 1e-12);
/// assert!((m.total_effect("Z", "Y")? - 2.0).abs() < 1e-12);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LinearGaussianScm {
    names: Vec<String>,
    b: DMatrix<f64>,
    intercept: Vec<f64>,
    sd: Vec<f64>,
}

impl LinearGaussianScm {
    /// Builds the model from edges `(from, to, coefficient)`.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`], [`CoreError::Duplicate`], [`CoreError::Cycle`],
    /// [`CoreError::InvalidParameter`] for negative or non-finite noise scales or lengths that
    /// do not match the names.
    pub fn new(
        names: &[&str],
        edges: &[(&str, &str, f64)],
        intercept: &[f64],
        sd: &[f64],
    ) -> Result<Self> {
        let p = names.len();
        if intercept.len() != p || sd.len() != p {
            return Err(CoreError::InvalidParameter(format!(
                "{p} nodes but {} intercepts and {} noise scales",
                intercept.len(),
                sd.len()
            )));
        }
        if let Some(k) = sd.iter().position(|s| !(s.is_finite() && *s >= 0.0)) {
            return Err(CoreError::InvalidParameter(format!(
                "noise sd {} of '{}' must be finite and non-negative",
                sd[k], names[k]
            )));
        }
        let pos = |n: &str| {
            names
                .iter()
                .position(|m| *m == n)
                .ok_or_else(|| CoreError::UnknownNode(n.to_owned()))
        };
        let mut b = DMatrix::zeros(p, p);
        for &(from, to, c) in edges {
            b[(pos(to)?, pos(from)?)] = c;
        }
        let m = Self {
            names: names.iter().map(|s| (*s).to_owned()).collect(),
            b,
            intercept: intercept.to_vec(),
            sd: sd.to_vec(),
        };
        m.to_scm()?; // validates names and acyclicity
        Ok(m)
    }

    /// Node names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The coefficient matrix `B` (`B[(to, from)]`).
    pub fn coefficients(&self) -> &DMatrix<f64> {
        &self.b
    }

    /// The intercepts `c`, in node order.
    pub fn intercepts(&self) -> &[f64] {
        &self.intercept
    }

    /// The noise standard deviations, in node order.
    pub fn noise_sd(&self) -> &[f64] {
        &self.sd
    }

    fn pos(&self, n: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|m| m == n)
            .ok_or_else(|| CoreError::UnknownNode(n.to_owned()))
    }

    fn reduced_form(&self) -> Result<DMatrix<f64>> {
        let p = self.names.len();
        (DMatrix::identity(p, p) - &self.b)
            .try_inverse()
            .ok_or_else(|| CoreError::Numerical("I - B is singular".into()))
    }

    /// The total causal effect `∂E[to | do(from)] / ∂from`, entry of `(I − B)⁻¹`.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`].
    pub fn total_effect(&self, from: &str, to: &str) -> Result<f64> {
        let (i, j) = (self.pos(from)?, self.pos(to)?);
        Ok(self.reduced_form()?[(j, i)])
    }

    /// The covariance of the variables, `(I − B)⁻¹ D (I − B)⁻ᵀ`.
    ///
    /// # Errors
    ///
    /// [`CoreError::Numerical`] if `I − B` is singular (it is not for an acyclic model).
    pub fn covariance(&self) -> Result<DMatrix<f64>> {
        let a = self.reduced_form()?;
        let d = DMatrix::from_diagonal(&DVector::from_iterator(
            self.sd.len(),
            self.sd.iter().map(|s| s * s),
        ));
        Ok(&a * d * a.transpose())
    }

    /// The closed-form counterfactual of one observed row under `do(node = value)`:
    /// abduction `u = (I − B) x − c`, then `x' = (I − B')⁻¹ (c' + u')` with `node`'s row of
    /// `B` cleared and its equation set to `value`.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`], [`CoreError::InvalidParameter`] for a row of the wrong length.
    pub fn counterfactual_closed_form(
        &self,
        row: &[f64],
        node: &str,
        value: f64,
    ) -> Result<Vec<f64>> {
        let p = self.names.len();
        if row.len() != p {
            return Err(CoreError::InvalidParameter(format!(
                "row has {} values for {p} nodes",
                row.len()
            )));
        }
        let k = self.pos(node)?;
        let x = DVector::from_column_slice(row);
        let c = DVector::from_column_slice(&self.intercept);
        let u = (DMatrix::identity(p, p) - &self.b) * &x - &c;
        let mut b2 = self.b.clone();
        b2.row_mut(k).fill(0.0);
        let mut rhs = c + u;
        rhs[k] = value;
        let x2 = (DMatrix::identity(p, p) - b2)
            .try_inverse()
            .ok_or_else(|| CoreError::Numerical("I - B is singular".into()))?
            * rhs;
        Ok(x2.iter().copied().collect())
    }

    /// The same model as a general [`Scm`] with additive mechanisms.
    ///
    /// # Errors
    ///
    /// [`CoreError::Cycle`] for a cyclic coefficient matrix.
    pub fn to_scm(&self) -> Result<Scm> {
        let mut builder = Scm::builder();
        for j in 0..self.names.len() {
            let pa: Vec<usize> = (0..self.names.len())
                .filter(|&i| self.b[(j, i)] != 0.0)
                .collect();
            let coef: Vec<f64> = pa.iter().map(|&i| self.b[(j, i)]).collect();
            let c = self.intercept[j];
            let names: Vec<&str> = pa.iter().map(|&i| self.names[i].as_str()).collect();
            builder = builder.node(
                &self.names[j],
                &names,
                Mechanism::Additive(Arc::new(move |v: &[f64]| {
                    c + coef.iter().zip(v).map(|(b, x)| b * x).sum::<f64>()
                })),
                Noise::Gaussian(self.sd[j]),
            );
        }
        builder.build()
    }
}
