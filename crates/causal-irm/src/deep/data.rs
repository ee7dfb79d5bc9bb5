//! Reading the training table: a [`Dataset`] with roles (environment, outcome as the target,
//! covariates as the features) cut into one internal block of f32 rows per environment.

use causal_core::data::{ColumnRoles, Dataset};

use crate::environments::Environments;
use crate::error::{IrmError, Result};

/// The rows of one environment: row-major features and one target per row. Internal: the
/// public API takes a [`Dataset`] and [`ColumnRoles`] (issue 13, one table type).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EnvData {
    pub(crate) x: Vec<f32>,
    pub(crate) y: Vec<f32>,
    pub(crate) n_features: usize,
}

impl EnvData {
    /// Builds an environment from row-major features (`n × n_features`) and targets (`n`).
    ///
    /// # Errors
    ///
    /// [`IrmError::Environments`] for fewer than 2 rows, a length mismatch, or a non-finite value.
    pub(crate) fn new(x: Vec<f32>, n_features: usize, y: Vec<f32>) -> Result<Self> {
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
    pub(crate) fn len(&self) -> usize {
        self.y.len()
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

/// The feature columns named by `roles.covariates`, as row-major f32 (the dtype the networks
/// train in), and their count.
///
/// # Errors
///
/// [`IrmError::Environments`] when no feature (covariate) column is named, or a value is not
/// finite; core's error for an unknown column or one with missing cells.
pub(crate) fn feature_rows(data: &Dataset, roles: &ColumnRoles) -> Result<(Vec<f32>, usize)> {
    let view = data.with_roles(roles.clone())?;
    let columns = view.covariates()?;
    if columns.is_empty() {
        return Err(IrmError::Environments(
            "no feature columns were given (the covariates role)".into(),
        ));
    }
    let n = data.n_rows();
    let mut x = Vec::with_capacity(n * columns.len());
    for i in 0..n {
        x.extend(columns.iter().map(|c| c[i] as f32));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(IrmError::Environments(format!(
            "feature '{}' at row {} is not finite",
            roles.covariates[i % columns.len()],
            i / columns.len() + 1
        )));
    }
    Ok((x, columns.len()))
}

/// Cuts `data` into one block per environment label (ascending), using the roles
/// `environment` (integer labels), `outcome` (the target) and `covariates` (the features).
/// Labels listed in `test_envs` go to the second list, the others to the first.
///
/// # Errors
///
/// [`IrmError::Environments`] for a missing role, a label in `test_envs` that the column lacks,
/// or an environment that [`EnvData::new`] rejects (the message names its label);
/// [`IrmError::Column`] for non-integer labels; core's error for unknown columns.
pub(crate) fn split_environments(
    data: &Dataset,
    roles: &ColumnRoles,
    test_envs: &[i64],
) -> Result<(Vec<EnvData>, Vec<EnvData>)> {
    let view = data.with_roles(roles.clone())?;
    let env_name = roles.environment.as_deref().ok_or_else(|| {
        IrmError::Environments("no environment column was given (the environment role)".into())
    })?;
    let target = roles.outcome.as_deref().ok_or_else(|| {
        IrmError::Environments("no target column was given (the outcome role)".into())
    })?;
    let envs = Environments::from_column(data, env_name)?;
    if let Some(l) = test_envs.iter().find(|l| !envs.labels().contains(l)) {
        return Err(IrmError::Environments(format!(
            "test environment {l} is not a label of column '{env_name}' ({:?})",
            envs.labels()
        )));
    }
    let y = data.column(target)?;
    let columns = view.covariates()?;
    if columns.is_empty() {
        return Err(IrmError::Environments(
            "no feature columns were given (the covariates role)".into(),
        ));
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (k, &label) in envs.labels().iter().enumerate() {
        let rows = envs.rows(k);
        let mut x = Vec::with_capacity(rows.len() * columns.len());
        for &i in rows {
            x.extend(columns.iter().map(|c| c[i] as f32));
        }
        let t: Vec<f32> = rows.iter().map(|&i| y[i] as f32).collect();
        let env = EnvData::new(x, columns.len(), t).map_err(|e| match e {
            IrmError::Environments(m) => {
                IrmError::Environments(format!("environment {label} of '{env_name}': {m}"))
            }
            other => other,
        })?;
        if test_envs.contains(&label) {
            test.push(env);
        } else {
            train.push(env);
        }
    }
    Ok((train, test))
}
