//! A simulated individual-effect table: the data, the roles that name its treatment, outcome and
//! covariates, and the truth of the simulation (the potential-outcome means).

use causal_core::data::{ColumnRoles, Dataset};

use super::{Truth, check_finite};
use crate::error::{CfError, Result};

/// A table for individual-effect estimation together with the truth that made it: what the
/// IHDP loader ([`super::load_npci`]) and the response-surface simulation
/// ([`super::simulate_surface_b`]) return.
///
/// Fit a model on [`IteSample::data`] through [`IteSample::roles`]; score it against
/// [`IteSample::true_ite`] (√PEHE, ε_ATE) or [`IteSample::truth`] (policy values). The truth is
/// per row, so [`IteSample::take_rows`] cuts it with the data.
///
/// # Examples
///
/// ```
/// use causal_cf::data::{IteSample, Truth};
/// use causal_core::data::{ColumnRoles, Dataset};
///
/// let data = Dataset::new(
///     vec!["x".into(), "t".into(), "y".into()],
///     vec![vec![0.1, 0.4, -0.3, 0.9], vec![0.0, 1.0, 0.0, 1.0], vec![1.0, 3.0, 1.5, 3.5]],
/// )?;
/// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["x"]);
/// let truth = Truth { mu0: vec![1.0; 4], mu1: vec![3.0, 3.0, 2.0, 3.0], y_cf: None };
/// let sample = IteSample::new(data, roles, truth)?;
/// assert_eq!(sample.true_ite(), [2.0, 2.0, 1.0, 2.0]);
/// let part = sample.take_rows(&[2, 3])?;
/// assert_eq!((part.n(), part.true_ite()), (2, vec![1.0, 2.0]));
/// # Ok::<(), causal_cf::CfError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct IteSample {
    data: Dataset,
    roles: ColumnRoles,
    truth: Truth,
}

impl IteSample {
    /// Bundles a table, its roles and the truth of its rows.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidParameter`] when the treatment or outcome role is missing; core's errors
    /// for a role naming an unknown column or a column given two roles; [`CfError::Shape`] for
    /// a truth whose length is not the number of rows; [`CfError::BadValue`] in the truth.
    pub fn new(data: Dataset, roles: ColumnRoles, truth: Truth) -> Result<Self> {
        if roles.treatment.is_none() || roles.outcome.is_none() {
            return Err(CfError::InvalidParameter(
                "an individual-effect sample needs a treatment and an outcome role".into(),
            ));
        }
        data.with_roles(roles.clone())?;
        let n = data.n_rows();
        let lens = [
            truth.mu0.len(),
            truth.mu1.len(),
            truth.y_cf.as_ref().map_or(n, Vec::len),
        ];
        if lens.iter().any(|&l| l != n) {
            return Err(CfError::Shape(format!(
                "truth of lengths {lens:?} for {n} units"
            )));
        }
        check_finite("mu0", &truth.mu0)?;
        check_finite("mu1", &truth.mu1)?;
        if let Some(ycf) = &truth.y_cf {
            check_finite("y_cfactual", ycf)?;
        }
        Ok(Self { data, roles, truth })
    }

    /// A sample whose table holds the treatment column, the outcome column and then the
    /// covariates, in that order, with the roles naming them.
    pub(crate) fn from_columns(
        (treatment, t): (&str, Vec<f64>),
        (outcome, y): (&str, Vec<f64>),
        covariates: Vec<(String, Vec<f64>)>,
        truth: Truth,
    ) -> Result<Self> {
        let (covariates, x): (Vec<String>, Vec<Vec<f64>>) = covariates.into_iter().unzip();
        let mut names = vec![treatment.to_owned(), outcome.to_owned()];
        names.extend(covariates.iter().cloned());
        let mut columns = vec![t, y];
        columns.extend(x);
        let roles = ColumnRoles::new()
            .treatment(treatment)
            .outcome(outcome)
            .covariates(covariates);
        Self::new(Dataset::new(names, columns)?, roles, truth)
    }

    /// The table: treatment, factual outcome and covariates.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The roles naming the treatment, the outcome and the covariates of [`IteSample::data`].
    pub fn roles(&self) -> &ColumnRoles {
        &self.roles
    }

    /// The true potential-outcome means (and realized counterfactuals) per row.
    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    /// Number of units.
    pub fn n(&self) -> usize {
        self.data.n_rows()
    }

    /// The true individual effects μ₁ − μ₀.
    pub fn true_ite(&self) -> Vec<f64> {
        let t = &self.truth;
        t.mu1.iter().zip(&t.mu0).map(|(a, b)| a - b).collect()
    }

    /// The treatment column.
    ///
    /// # Errors
    ///
    /// Never for a sample built by [`IteSample::new`] (the role was checked there).
    pub fn treatment(&self) -> Result<&[f64]> {
        self.role_column(self.roles.treatment.as_deref())
    }

    /// The factual outcome column.
    ///
    /// # Errors
    ///
    /// As [`IteSample::treatment`].
    pub fn outcome(&self) -> Result<&[f64]> {
        self.role_column(self.roles.outcome.as_deref())
    }

    fn role_column(&self, name: Option<&str>) -> Result<&[f64]> {
        let name = name.ok_or_else(|| CfError::InvalidParameter("a role is missing".into()))?;
        Ok(self.data.column(name)?)
    }

    /// The given rows, in order, with their truth (the table's column kinds are kept).
    ///
    /// # Errors
    ///
    /// Core's error for no rows or an index out of range.
    pub fn take_rows(&self, rows: &[usize]) -> Result<Self> {
        let data = self.data.take_rows(rows)?;
        let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let truth = Truth {
            mu0: pick(&self.truth.mu0),
            mu1: pick(&self.truth.mu1),
            y_cf: self.truth.y_cf.as_deref().map(pick),
        };
        Ok(Self {
            data,
            roles: self.roles.clone(),
            truth,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> (Dataset, ColumnRoles, Truth) {
        let data = Dataset::new(
            vec!["x".into(), "t".into(), "y".into()],
            vec![vec![0.5, 1.5, 2.5], vec![0., 1., 0.], vec![1., 2., 3.]],
        )
        .unwrap();
        let roles = ColumnRoles::new()
            .treatment("t")
            .outcome("y")
            .covariates(["x"]);
        let truth = Truth {
            mu0: vec![1.0; 3],
            mu1: vec![2.0; 3],
            y_cf: Some(vec![0.0; 3]),
        };
        (data, roles, truth)
    }

    #[test]
    fn a_truth_of_another_length_or_a_missing_role_is_refused() {
        let (data, roles, mut truth) = parts();
        truth.y_cf = Some(vec![0.0; 2]);
        let err = IteSample::new(data.clone(), roles.clone(), truth).unwrap_err();
        assert!(matches!(err, CfError::Shape(_)), "{err}");
        let (_, _, truth) = parts();
        let no_outcome = ColumnRoles::new().treatment("t").covariates(["x"]);
        let err = IteSample::new(data.clone(), no_outcome, truth.clone()).unwrap_err();
        assert!(err.to_string().contains("outcome role"), "{err}");
        let err = IteSample::new(data, roles.covariates(["z"]), truth).unwrap_err();
        assert!(err.to_string().contains('z'), "{err}");
    }

    #[test]
    fn rows_are_taken_with_their_truth() {
        let (data, roles, mut truth) = parts();
        truth.mu1 = vec![2.0, 3.0, 4.0];
        let s = IteSample::new(data, roles, truth).unwrap();
        let part = s.take_rows(&[2, 0]).unwrap();
        assert_eq!(part.true_ite(), [3.0, 1.0]);
        assert_eq!(part.outcome().unwrap(), &[3.0, 1.0]);
        assert_eq!(part.truth().y_cf.as_deref(), Some(&[0.0, 0.0][..]));
        assert_eq!(part.roles(), s.roles());
    }
}
