//! Roles: which columns of a [`Dataset`] are the treatment, the outcome, the covariates, the
//! environment label, the instruments and the time index, as a light view over the data.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::Dataset;
use crate::error::{CoreError, Result};

/// The part each named column plays in a causal question. Every field is optional; a method
/// asks [`RoleView`] for the roles it needs and gets an error naming the missing one.
///
/// # Examples
///
/// ```
/// use causal_core::data::{ColumnRoles, Dataset};
///
/// let d = Dataset::from_text("w,t,y\n0.5,0,1.0\n1.5,1,3.0\n")?;
/// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["w"]);
/// let v = d.with_roles(roles)?;
/// assert_eq!(v.treatment()?, &[0.0, 1.0]);
/// assert_eq!(v.covariate_matrix()?[(1, 0)], 1.5);
/// assert!(v.environment().is_err());
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnRoles {
    /// The treatment (cause) column.
    pub treatment: Option<String>,
    /// The outcome (effect) column.
    pub outcome: Option<String>,
    /// Covariates (adjustment set or features), in order.
    pub covariates: Vec<String>,
    /// The column that labels environments.
    pub environment: Option<String>,
    /// Instrument columns, in order.
    pub instruments: Vec<String>,
    /// The time index column.
    pub time: Option<String>,
}

impl ColumnRoles {
    /// No roles yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the treatment column.
    pub fn treatment(mut self, name: impl Into<String>) -> Self {
        self.treatment = Some(name.into());
        self
    }

    /// Sets the outcome column.
    pub fn outcome(mut self, name: impl Into<String>) -> Self {
        self.outcome = Some(name.into());
        self
    }

    /// Sets the covariate columns.
    pub fn covariates<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.covariates = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the environment column.
    pub fn environment(mut self, name: impl Into<String>) -> Self {
        self.environment = Some(name.into());
        self
    }

    /// Sets the instrument columns.
    pub fn instruments<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.instruments = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the time column.
    pub fn time(mut self, name: impl Into<String>) -> Self {
        self.time = Some(name.into());
        self
    }

    /// Every named column with its role, in role order.
    pub fn all(&self) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = Vec::new();
        if let Some(n) = &self.treatment {
            out.push(("treatment", n));
        }
        if let Some(n) = &self.outcome {
            out.push(("outcome", n));
        }
        out.extend(self.covariates.iter().map(|c| ("covariate", c.as_str())));
        if let Some(n) = &self.environment {
            out.push(("environment", n));
        }
        out.extend(self.instruments.iter().map(|c| ("instrument", c.as_str())));
        if let Some(n) = &self.time {
            out.push(("time", n));
        }
        out
    }
}

/// A [`Dataset`] seen through [`ColumnRoles`]; borrows the data, copies nothing.
#[derive(Clone, Debug)]
pub struct RoleView<'a> {
    data: &'a Dataset,
    roles: ColumnRoles,
}

impl Dataset {
    /// Views the data through `roles`, checking that every named column exists and that no
    /// column has two roles.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] for a name the data lack; [`CoreError::InvalidParameter`]
    /// naming a column given two roles.
    pub fn with_roles(&self, roles: ColumnRoles) -> Result<RoleView<'_>> {
        let all = roles.all();
        for (k, (role, name)) in all.iter().enumerate() {
            self.index_of(name)?;
            if let Some((other, _)) = all[..k].iter().find(|(_, n)| n == name) {
                return Err(CoreError::InvalidParameter(format!(
                    "column '{name}' is given two roles: {other} and {role}"
                )));
            }
        }
        Ok(RoleView { data: self, roles })
    }
}

impl<'a> RoleView<'a> {
    /// The data.
    pub fn data(&self) -> &'a Dataset {
        self.data
    }

    /// The roles.
    pub fn roles(&self) -> &ColumnRoles {
        &self.roles
    }

    fn one(&self, role: &str, name: Option<&String>) -> Result<&'a [f64]> {
        let name =
            name.ok_or_else(|| CoreError::InvalidParameter(format!("no {role} column was given")))?;
        self.data.column(name)
    }

    /// The treatment values.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] when no treatment was given; [`CoreError::Missing`].
    pub fn treatment(&self) -> Result<&'a [f64]> {
        self.one("treatment", self.roles.treatment.as_ref())
    }

    /// The outcome values.
    ///
    /// # Errors
    ///
    /// As [`RoleView::treatment`].
    pub fn outcome(&self) -> Result<&'a [f64]> {
        self.one("outcome", self.roles.outcome.as_ref())
    }

    /// The environment labels.
    ///
    /// # Errors
    ///
    /// As [`RoleView::treatment`].
    pub fn environment(&self) -> Result<&'a [f64]> {
        self.one("environment", self.roles.environment.as_ref())
    }

    /// The time index.
    ///
    /// # Errors
    ///
    /// As [`RoleView::treatment`].
    pub fn time(&self) -> Result<&'a [f64]> {
        self.one("time", self.roles.time.as_ref())
    }

    /// The covariate columns, in order.
    ///
    /// # Errors
    ///
    /// [`CoreError::Missing`] for a covariate with missing cells.
    pub fn covariates(&self) -> Result<Vec<&'a [f64]>> {
        self.roles
            .covariates
            .iter()
            .map(|c| self.data.column(c))
            .collect()
    }

    /// The instrument columns, in order.
    ///
    /// # Errors
    ///
    /// [`CoreError::Missing`] for an instrument with missing cells.
    pub fn instruments(&self) -> Result<Vec<&'a [f64]>> {
        self.roles
            .instruments
            .iter()
            .map(|c| self.data.column(c))
            .collect()
    }

    /// The covariates as an `n × d` matrix (one copy).
    ///
    /// # Errors
    ///
    /// As [`RoleView::covariates`], and [`CoreError::InvalidParameter`] when there are none.
    pub fn covariate_matrix(&self) -> Result<DMatrix<f64>> {
        let cols = self.covariates()?;
        if cols.is_empty() {
            return Err(CoreError::InvalidParameter(
                "no covariate columns were given".into(),
            ));
        }
        Ok(DMatrix::from_fn(self.data.n_rows(), cols.len(), |i, j| {
            cols[j][i]
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_checked_and_read() {
        let d = Dataset::from_text("e,t,y,z,time\n0,0,1.0,0.3,1\n1,1,3.0,0.1,2\n").unwrap();
        let v = d
            .with_roles(
                ColumnRoles::new()
                    .treatment("t")
                    .outcome("y")
                    .environment("e")
                    .instruments(["z"])
                    .time("time"),
            )
            .unwrap();
        assert_eq!(v.outcome().unwrap(), &[1.0, 3.0]);
        assert_eq!(v.environment().unwrap(), &[0.0, 1.0]);
        assert_eq!(v.instruments().unwrap(), vec![&[0.3, 0.1][..]]);
        assert_eq!(v.time().unwrap(), &[1.0, 2.0]);
        let err = v.covariate_matrix().unwrap_err().to_string();
        assert!(err.contains("no covariate"), "{err}");
        let err = d
            .with_roles(ColumnRoles::new().treatment("t").covariates(["y", "t"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'t'") && err.contains("treatment and covariate"),
            "{err}"
        );
        assert!(matches!(
            d.with_roles(ColumnRoles::new().outcome("nope")),
            Err(CoreError::UnknownColumn(n)) if n == "nope"
        ));
    }
}
