//! A regression design: named columns plus an optional intercept, with collinearity checks.

use nalgebra::{DMatrix, DVector};

use crate::data::Dataset;
use crate::error::{CoreError, Result};

/// Regressor columns borrowed from a data set (or built on the fly), with names for errors.
#[derive(Clone, Debug)]
pub struct Design<'a> {
    names: Vec<String>,
    columns: Vec<std::borrow::Cow<'a, [f64]>>,
    intercept: bool,
    n: usize,
}

/// Relative residual variance below which a regressor counts as collinear with earlier ones
/// (its R² on them exceeds 1 - 1e-10).
const COLLINEAR_TOL: f64 = 1e-10;

impl<'a> Design<'a> {
    /// A design of the named data columns, with an intercept first if `intercept`.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] for a missing column.
    pub fn from_data(data: &'a Dataset, names: &[&str], intercept: bool) -> Result<Self> {
        let mut d = Self::empty(data.n_rows(), intercept);
        for name in names {
            d.push_borrowed(name, data.column(name)?);
        }
        Ok(d)
    }

    /// A design with no regressors yet, for `n` rows.
    pub fn empty(n: usize, intercept: bool) -> Self {
        Self {
            names: Vec::new(),
            columns: Vec::new(),
            intercept,
            n,
        }
    }

    /// Adds a borrowed column.
    pub fn push_borrowed(&mut self, name: &str, values: &'a [f64]) {
        self.names.push(name.to_owned());
        self.columns.push(std::borrow::Cow::Borrowed(values));
    }

    /// Adds an owned column (an interaction, say).
    pub fn push_owned(&mut self, name: &str, values: Vec<f64>) {
        self.names.push(name.to_owned());
        self.columns.push(std::borrow::Cow::Owned(values));
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n
    }

    /// Number of coefficients, the intercept included.
    pub fn n_coef(&self) -> usize {
        self.columns.len() + usize::from(self.intercept)
    }

    /// Coefficient names, `intercept` first when present.
    pub fn coef_names(&self) -> Vec<String> {
        let mut v = Vec::with_capacity(self.n_coef());
        if self.intercept {
            v.push("intercept".to_owned());
        }
        v.extend(self.names.iter().cloned());
        v
    }

    /// Whether the design has an intercept.
    pub fn has_intercept(&self) -> bool {
        self.intercept
    }

    /// Regressor `k` (after the intercept) as a slice.
    pub fn column(&self, k: usize) -> &[f64] {
        &self.columns[k]
    }

    /// The linear predictor `X β` for coefficients in [`Design::coef_names`] order.
    pub fn predict(&self, beta: &[f64]) -> Vec<f64> {
        let off = usize::from(self.intercept);
        let mut out = vec![if self.intercept { beta[0] } else { 0.0 }; self.n];
        for (k, col) in self.columns.iter().enumerate() {
            let b = beta[k + off];
            for (o, x) in out.iter_mut().zip(col.iter()) {
                *o += b * x;
            }
        }
        out
    }

    /// Weighted Gram matrix `Xᵀ W X` and `Xᵀ W y` (unit weights when `w` is `None`).
    pub fn gram(&self, y: &[f64], w: Option<&[f64]>) -> (DMatrix<f64>, DVector<f64>) {
        let p = self.n_coef();
        let off = usize::from(self.intercept);
        let col = |k: usize| -> Option<&[f64]> {
            if k < off {
                None
            } else {
                Some(&self.columns[k - off])
            }
        };
        let mut g = DMatrix::zeros(p, p);
        let mut xy = DVector::zeros(p);
        for a in 0..p {
            for b in a..p {
                let v = weighted_dot(col(a), col(b), w, self.n);
                g[(a, b)] = v;
                g[(b, a)] = v;
            }
            xy[a] = weighted_dot(col(a), Some(y), w, self.n);
        }
        (g, xy)
    }

    /// Checks that no regressor is (numerically) a linear combination of the earlier ones,
    /// given a Gram matrix from [`Design::gram`], and returns the Cholesky factor of the
    /// diagonally scaled Gram matrix with the scales.
    ///
    /// # Errors
    ///
    /// [`CoreError::Collinear`] naming the first redundant column and the columns it depends on.
    pub fn check_gram(&self, g: &DMatrix<f64>) -> Result<(DMatrix<f64>, Vec<f64>)> {
        let p = g.nrows();
        let names = self.coef_names();
        let scale: Vec<f64> = (0..p).map(|a| g[(a, a)].sqrt()).collect();
        let mut l = DMatrix::<f64>::zeros(p, p);
        for j in 0..p {
            if scale[j] == 0.0 || !scale[j].is_finite() {
                return Err(CoreError::Collinear {
                    column: names[j].clone(),
                    with: vec!["nothing (it is all zeros)".into()],
                });
            }
            let mut d = 1.0;
            for k in 0..j {
                d -= l[(j, k)] * l[(j, k)];
            }
            if d < COLLINEAR_TOL {
                return Err(CoreError::Collinear {
                    column: names[j].clone(),
                    with: self.dependencies(&l, g, &scale, j),
                });
            }
            let djj = d.sqrt();
            l[(j, j)] = djj;
            for i in j + 1..p {
                let mut s = g[(i, j)] / (scale[i] * scale[j]);
                for k in 0..j {
                    s -= l[(i, k)] * l[(j, k)];
                }
                l[(i, j)] = s / djj;
            }
        }
        Ok((l, scale))
    }

    /// The earlier columns that column `j` loads on (coefficients of its regression on them).
    fn dependencies(
        &self,
        l: &DMatrix<f64>,
        g: &DMatrix<f64>,
        scale: &[f64],
        j: usize,
    ) -> Vec<String> {
        let names = self.coef_names();
        if j == 0 {
            return vec!["nothing".into()];
        }
        let lj = l.view((0, 0), (j, j)).into_owned();
        let c = DVector::from_fn(j, |k, _| g[(k, j)] / (scale[k] * scale[j]));
        let z = lj
            .solve_lower_triangular(&c)
            .unwrap_or_else(|| DVector::zeros(j));
        let beta = lj
            .transpose()
            .solve_upper_triangular(&z)
            .unwrap_or_else(|| DVector::zeros(j));
        let with: Vec<String> = (0..j)
            .filter(|&k| beta[k].abs() > 1e-6)
            .map(|k| names[k].clone())
            .collect();
        if with.is_empty() {
            names[..j].to_vec()
        } else {
            with
        }
    }
}

/// Solves `G β = r` given the Cholesky factor `L` of the scaled Gram matrix `D⁻¹ G D⁻¹`.
pub(crate) fn solve_scaled(l: &DMatrix<f64>, scale: &[f64], r: &DVector<f64>) -> DVector<f64> {
    let p = r.len();
    let rs = DVector::from_fn(p, |a, _| r[a] / scale[a]);
    let z = l
        .solve_lower_triangular(&rs)
        .unwrap_or_else(|| DVector::zeros(p));
    let b = l
        .transpose()
        .solve_upper_triangular(&z)
        .unwrap_or_else(|| DVector::zeros(p));
    DVector::from_fn(p, |a, _| b[a] / scale[a])
}

/// The inverse of `G` from the same factorisation.
pub(crate) fn inverse_scaled(l: &DMatrix<f64>, scale: &[f64]) -> DMatrix<f64> {
    let p = scale.len();
    let mut inv = DMatrix::zeros(p, p);
    for a in 0..p {
        let mut e = DVector::zeros(p);
        e[a] = 1.0;
        let col = solve_scaled(l, scale, &e);
        inv.set_column(a, &col);
    }
    inv
}

fn weighted_dot(a: Option<&[f64]>, b: Option<&[f64]>, w: Option<&[f64]>, n: usize) -> f64 {
    match (a, b, w) {
        (None, None, None) => n as f64,
        (None, None, Some(w)) => w.iter().sum(),
        (Some(x), None, None) | (None, Some(x), None) => x.iter().sum(),
        (Some(x), None, Some(w)) | (None, Some(x), Some(w)) => {
            x.iter().zip(w).map(|(x, w)| x * w).sum()
        }
        (Some(x), Some(y), None) => x.iter().zip(y).map(|(x, y)| x * y).sum(),
        (Some(x), Some(y), Some(w)) => x.iter().zip(y).zip(w).map(|((x, y), w)| x * y * w).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collinear_column_is_named_with_its_sources() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [0.5, -1.0, 2.0, 0.0, 1.0];
        let c: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 2.0 * a - b).collect();
        let mut d = Design::empty(5, true);
        d.push_borrowed("a", &a);
        d.push_borrowed("b", &b);
        d.push_owned("c", c);
        let (g, _) = d.gram(&a, None);
        match d.check_gram(&g) {
            Err(CoreError::Collinear { column, with }) => {
                assert_eq!(column, "c");
                assert_eq!(with, vec!["a".to_string(), "b".to_string()]);
            }
            other => panic!("expected collinearity, got {other:?}"),
        }
    }

    #[test]
    fn constant_column_is_collinear_with_intercept() {
        let a = [3.0; 4];
        let mut d = Design::empty(4, true);
        d.push_borrowed("k", &a);
        let (g, _) = d.gram(&a, None);
        let err = d.check_gram(&g).unwrap_err().to_string();
        assert!(err.contains("'k'") && err.contains("intercept"), "{err}");
    }
}
