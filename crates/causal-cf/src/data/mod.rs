//! Observational data for individual-effect estimation, the IHDP benchmark and its split protocol.

mod ihdp;
mod split;
mod surface_b;

pub use ihdp::{load_npci, parse_npci};
pub use split::{Split, cevae_split, holdout_split, kfold};
pub use surface_b::{SurfaceB, simulate_surface_b};

use causal_core::data::Dataset;

use crate::error::{CfError, Result};

/// The noiseless potential-outcome means (and optionally the realized counterfactual) of a
/// simulated data set: what makes √PEHE and the true policy value computable.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    /// E[Y(0) | x] per unit.
    pub mu0: Vec<f64>,
    /// E[Y(1) | x] per unit.
    pub mu1: Vec<f64>,
    /// The realized counterfactual outcome, where known.
    pub y_cf: Option<Vec<f64>>,
}

/// Covariates `x` (row-major `n × d`), a binary treatment `t` and an outcome `y`.
///
/// The constructor validates what every estimator needs: finite values, a treatment in {0, 1},
/// and at least two units in each arm.
///
/// # Examples
///
/// ```
/// use causal_cf::data::IteData;
///
/// let x = vec![vec![0.1, 1.0], vec![0.4, 0.0], vec![-0.3, 1.0], vec![0.9, 0.0]];
/// let d = IteData::new(vec!["a".into(), "b".into()], x, vec![0.0, 1.0, 0.0, 1.0], vec![1.0, 2.0, 1.5, 3.0])?;
/// assert_eq!((d.n(), d.d()), (4, 2));
/// assert_eq!(d.binary(), &[false, true]);
/// # Ok::<(), causal_cf::CfError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct IteData {
    names: Vec<String>,
    x: Vec<f64>,
    n: usize,
    d: usize,
    t: Vec<f64>,
    y: Vec<f64>,
    binary: Vec<bool>,
    truth: Option<Truth>,
}

/// Checks that `t` is 0/1 with at least `needed` units per arm.
pub(crate) fn check_treatment(column: &str, t: &[f64], needed: usize) -> Result<()> {
    if let Some(i) = t.iter().position(|&v| v != 0.0 && v != 1.0) {
        return Err(CfError::NonBinaryTreatment {
            column: column.into(),
            row: i + 1,
            value: t[i],
        });
    }
    let treated = t.iter().filter(|&&v| v == 1.0).count();
    for (group, count) in [("treated", treated), ("control", t.len() - treated)] {
        if count < needed {
            return Err(CfError::TooFewUnits {
                group,
                count,
                needed,
            });
        }
    }
    Ok(())
}

fn check_finite(column: &str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(CfError::NonFinite {
            row: i + 1,
            column: column.into(),
            value: v[i],
        }),
        None => Ok(()),
    }
}

impl IteData {
    /// Builds from covariate names, rows of covariates, treatment and outcome.
    ///
    /// A covariate is flagged binary when all its values are 0 or 1.
    ///
    /// # Errors
    ///
    /// [`CfError::Shape`] for no units, no covariates or ragged rows; [`CfError::NonFinite`] for
    /// a NaN or infinite value (naming row and column); [`CfError::NonBinaryTreatment`];
    /// [`CfError::TooFewUnits`] when an arm has fewer than 2 units.
    pub fn new(names: Vec<String>, rows: Vec<Vec<f64>>, t: Vec<f64>, y: Vec<f64>) -> Result<Self> {
        let n = rows.len();
        let d = names.len();
        if n == 0 || d == 0 {
            return Err(CfError::Shape(format!("{n} units and {d} covariates")));
        }
        if t.len() != n || y.len() != n {
            return Err(CfError::Shape(format!(
                "{n} covariate rows, {} treatments, {} outcomes",
                t.len(),
                y.len()
            )));
        }
        let mut x = Vec::with_capacity(n * d);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != d {
                return Err(CfError::Shape(format!(
                    "row {} has {} covariates, expected {d}",
                    i + 1,
                    row.len()
                )));
            }
            for (j, &v) in row.iter().enumerate() {
                if !v.is_finite() {
                    return Err(CfError::NonFinite {
                        row: i + 1,
                        column: names[j].clone(),
                        value: v,
                    });
                }
            }
            x.extend_from_slice(row);
        }
        check_finite("treatment", &t)?;
        check_finite("outcome", &y)?;
        check_treatment("treatment", &t, 2)?;
        let binary = (0..d)
            .map(|j| (0..n).all(|i| x[i * d + j] == 0.0 || x[i * d + j] == 1.0))
            .collect();
        Ok(Self {
            names,
            x,
            n,
            d,
            t,
            y,
            binary,
            truth: None,
        })
    }

    /// Builds from a [`Dataset`]: the named treatment and outcome, and the given covariates
    /// (every other column when `covariates` is `None`).
    ///
    /// # Errors
    ///
    /// [`causal_core::CoreError::UnknownColumn`] (wrapped) for a missing column,
    /// [`CfError::NonBinaryTreatment`] naming the treatment column, and every error of [`IteData::new`].
    pub fn from_dataset(
        data: &Dataset,
        treatment: &str,
        outcome: &str,
        covariates: Option<&[&str]>,
    ) -> Result<Self> {
        let t = data.column(treatment)?.to_vec();
        let y = data.column(outcome)?.to_vec();
        check_treatment(treatment, &t, 0)?;
        let names: Vec<String> = match covariates {
            Some(c) => c.iter().map(|s| (*s).to_owned()).collect(),
            None => data
                .names()
                .iter()
                .filter(|n| *n != treatment && *n != outcome)
                .cloned()
                .collect(),
        };
        if names.iter().any(|n| n == treatment || n == outcome) {
            return Err(CfError::InvalidConfig(format!(
                "the covariates must not include the treatment '{treatment}' or the outcome '{outcome}'"
            )));
        }
        let cols = names
            .iter()
            .map(|n| data.column(n))
            .collect::<causal_core::Result<Vec<_>>>()?;
        let rows = (0..data.n_rows())
            .map(|i| cols.iter().map(|c| c[i]).collect())
            .collect();
        Self::new(names, rows, t, y)
    }

    /// Attaches the true potential-outcome means.
    ///
    /// # Errors
    ///
    /// [`CfError::Shape`] for lengths other than `n`; [`CfError::NonFinite`].
    pub fn with_truth(mut self, truth: Truth) -> Result<Self> {
        let lens = [
            truth.mu0.len(),
            truth.mu1.len(),
            truth.y_cf.as_ref().map_or(self.n, Vec::len),
        ];
        if lens.iter().any(|&l| l != self.n) {
            return Err(CfError::Shape(format!(
                "truth of lengths {lens:?} for {} units",
                self.n
            )));
        }
        check_finite("mu0", &truth.mu0)?;
        check_finite("mu1", &truth.mu1)?;
        if let Some(ycf) = &truth.y_cf {
            check_finite("y_cfactual", ycf)?;
        }
        self.truth = Some(truth);
        Ok(self)
    }

    /// Number of units.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of covariates.
    pub fn d(&self) -> usize {
        self.d
    }

    /// Covariate names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Covariates, row-major `n × d`.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// Covariates of unit `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// Treatment (0/1).
    pub fn t(&self) -> &[f64] {
        &self.t
    }

    /// Observed (factual) outcome.
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// Per covariate: whether it only takes the values 0 and 1.
    pub fn binary(&self) -> &[bool] {
        &self.binary
    }

    /// The true potential-outcome means, where known.
    pub fn truth(&self) -> Option<&Truth> {
        self.truth.as_ref()
    }

    /// Number of treated units.
    pub fn n_treated(&self) -> usize {
        self.t.iter().filter(|&&v| v == 1.0).count()
    }

    /// The true individual effects μ₁ − μ₀, where known.
    pub fn true_ite(&self) -> Option<Vec<f64>> {
        self.truth
            .as_ref()
            .map(|tr| tr.mu1.iter().zip(&tr.mu0).map(|(a, b)| a - b).collect())
    }

    /// A new data set with the given units, in order (binary flags are kept from `self`).
    ///
    /// # Errors
    ///
    /// [`CfError::Shape`] for an index out of range or no rows; [`CfError::TooFewUnits`] when
    /// the subset leaves an arm with fewer than 2 units.
    pub fn subset(&self, rows: &[usize]) -> Result<Self> {
        if let Some(&bad) = rows.iter().find(|&&i| i >= self.n) {
            return Err(CfError::Shape(format!(
                "row index {bad} out of range for {} units",
                self.n
            )));
        }
        if rows.is_empty() {
            return Err(CfError::Shape("an empty subset".into()));
        }
        let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let t = pick(&self.t);
        check_treatment("treatment", &t, 2)?;
        let mut x = Vec::with_capacity(rows.len() * self.d);
        for &i in rows {
            x.extend_from_slice(self.row(i));
        }
        Ok(Self {
            names: self.names.clone(),
            x,
            n: rows.len(),
            d: self.d,
            y: pick(&self.y),
            t,
            binary: self.binary.clone(),
            truth: self.truth.as_ref().map(|tr| Truth {
                mu0: pick(&tr.mu0),
                mu1: pick(&tr.mu1),
                y_cf: tr.y_cf.as_deref().map(pick),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Vec<f64>> {
        vec![
            vec![0.0, 1.0],
            vec![1.0, 2.0],
            vec![0.0, 3.0],
            vec![1.0, 4.0],
        ]
    }

    fn names() -> Vec<String> {
        vec!["b".into(), "c".into()]
    }

    #[test]
    fn flags_binary_covariates_and_subsets_keep_them() {
        let d = IteData::new(names(), rows(), vec![0., 1., 0., 1.], vec![1., 2., 3., 4.]).unwrap();
        assert_eq!(d.binary(), &[true, false]);
        let s = d.subset(&[3, 0, 1, 2]).unwrap();
        assert_eq!(s.row(0), &[1.0, 4.0]);
        assert_eq!(s.y(), &[4.0, 1.0, 2.0, 3.0]);
        assert_eq!(s.binary(), &[true, false]);
    }

    #[test]
    fn bad_inputs_are_named() {
        let err = IteData::new(names(), rows(), vec![0., 2., 0., 1.], vec![0.; 4]).unwrap_err();
        assert!(
            matches!(err, CfError::NonBinaryTreatment { row: 2, .. }),
            "{err}"
        );
        let err = IteData::new(names(), rows(), vec![0., 1., 0., 0.], vec![0.; 4]).unwrap_err();
        assert!(err.to_string().contains("treated group has 1"), "{err}");
        let mut r = rows();
        r[2][1] = f64::NAN;
        let err = IteData::new(names(), r, vec![0., 1., 0., 1.], vec![0.; 4]).unwrap_err();
        assert!(err.to_string().contains("row 3, column 'c'"), "{err}");
    }

    #[test]
    fn from_dataset_names_the_treatment_column() {
        let ds = Dataset::new(
            vec!["x".into(), "w".into(), "y".into()],
            vec![vec![1., 2., 3., 4.], vec![0., 1., 0.5, 1.], vec![1.; 4]],
        )
        .unwrap();
        let err = IteData::from_dataset(&ds, "w", "y", None).unwrap_err();
        assert!(err.to_string().contains("treatment 'w'"), "{err}");
        let ok = IteData::from_dataset(&ds, "x", "y", Some(&["w"]));
        assert!(ok.is_err(), "x is not binary");
    }
}
