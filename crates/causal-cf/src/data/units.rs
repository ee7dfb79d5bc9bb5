//! The units a model trains on: a [`Dataset`] read through its [`ColumnRoles`] (treatment,
//! outcome, covariates) and validated once, borrowing the columns without a copy.

use causal_core::data::{ColumnKind, ColumnRoles, Dataset};

use super::{check_finite, check_treatment};
use crate::error::{CfError, Result};

/// The covariate columns named by `roles.covariates`, in order, as borrowed slices: each known,
/// numeric (a categorical column of more than two levels is refused: one-hot encode it) and
/// without missing or non-finite cells.
///
/// # Errors
///
/// [`CfError::InvalidParameter`] when no covariate is named; core's error for an unknown column,
/// a categorical one of more than two levels or missing cells; [`CfError::BadValue`].
pub(crate) fn covariates<'a>(data: &'a Dataset, roles: &ColumnRoles) -> Result<Vec<&'a [f64]>> {
    if roles.covariates.is_empty() {
        return Err(CfError::InvalidParameter(
            "no covariate columns were given (the covariates role)".into(),
        ));
    }
    let names: Vec<&str> = roles.covariates.iter().map(String::as_str).collect();
    data.require_numeric(&names)?;
    names
        .iter()
        .map(|name| {
            let col = data.column(name)?;
            check_finite(name, col)?;
            Ok(col)
        })
        .collect()
}

/// Treatment, outcome and covariates of one table, validated for training.
#[derive(Clone, Debug)]
pub(crate) struct Units<'a> {
    /// Covariate columns, in the order of the covariates role.
    pub(crate) x: Vec<&'a [f64]>,
    /// Treatment (0/1).
    pub(crate) t: &'a [f64],
    /// Observed (factual) outcome.
    pub(crate) y: &'a [f64],
    /// Per covariate: whether the table types it binary (0/1 values, or a categorical column
    /// of at most two levels, whose codes are 0/1). A row subset of a table keeps the kinds of
    /// the whole, so the flags of a training part are those of the full data.
    pub(crate) binary: Vec<bool>,
}

impl<'a> Units<'a> {
    /// Reads `data` through `roles`, checking what every estimator needs: the three roles
    /// present and distinct, finite values, a treatment in {0, 1} with at least two units in
    /// each arm.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidParameter`] for a missing treatment, outcome or covariates role;
    /// core's errors for an unknown column, a column given two roles, a categorical covariate
    /// of more than two levels or missing cells; [`CfError::BadValue`];
    /// [`CfError::NonBinaryTreatment`] naming the treatment column; [`CfError::TooFewUnits`].
    pub(crate) fn new(data: &'a Dataset, roles: &ColumnRoles) -> Result<Self> {
        let role = |name: &Option<String>, role: &str| {
            name.clone().ok_or_else(|| {
                CfError::InvalidParameter(format!("no {role} column was given (the {role} role)"))
            })
        };
        let treatment = role(&roles.treatment, "treatment")?;
        let outcome = role(&roles.outcome, "outcome")?;
        // Every named column exists and none has two roles.
        data.with_roles(roles.clone())?;
        let x = covariates(data, roles)?;
        let t = data.column(&treatment)?;
        let y = data.column(&outcome)?;
        check_finite(&treatment, t)?;
        check_finite(&outcome, y)?;
        check_treatment(&treatment, t, 2)?;
        let binary = roles
            .covariates
            .iter()
            .map(|c| Ok(!matches!(data.kind(c)?, ColumnKind::Continuous)))
            .collect::<Result<_>>()?;
        Ok(Self { x, t, y, binary })
    }

    /// Number of units.
    pub(crate) fn n(&self) -> usize {
        self.t.len()
    }

    /// Number of covariates.
    pub(crate) fn d(&self) -> usize {
        self.x.len()
    }

    /// Number of treated units.
    pub(crate) fn n_treated(&self) -> usize {
        self.t.iter().filter(|&&v| v == 1.0).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(t: Vec<f64>, c: Vec<f64>) -> Dataset {
        Dataset::new(
            vec!["b".into(), "c".into(), "t".into(), "y".into()],
            vec![vec![0., 1., 0., 1.], c, t, vec![1., 2., 3., 4.]],
        )
        .unwrap()
    }

    fn roles() -> ColumnRoles {
        ColumnRoles::new()
            .treatment("t")
            .outcome("y")
            .covariates(["b", "c"])
    }

    #[test]
    fn flags_binary_covariates_and_row_subsets_keep_them() {
        let d = table(vec![0., 1., 0., 1.], vec![1., 2., 3., 4.]);
        let u = Units::new(&d, &roles()).unwrap();
        assert_eq!((u.n(), u.d(), u.n_treated()), (4, 2, 2));
        assert_eq!(u.binary, [true, false]);
        // Rows where `c` happens to be 0/1 still see it continuous, as in the whole table.
        let wide = Dataset::new(
            vec!["b".into(), "c".into(), "t".into(), "y".into()],
            vec![
                vec![0., 1., 0., 1., 0.],
                vec![0., 1., 0., 1., 5.],
                vec![0., 1., 0., 1., 1.],
                vec![0.; 5],
            ],
        )
        .unwrap();
        let part = wide.take_rows(&[0, 1, 2, 3]).unwrap();
        assert_eq!(Units::new(&part, &roles()).unwrap().binary, [true, false]);
    }

    #[test]
    fn bad_inputs_are_named() {
        let d = table(vec![0., 2., 0., 1.], vec![1., 2., 3., 4.]);
        let err = Units::new(&d, &roles()).unwrap_err();
        assert!(
            matches!(&err, CfError::NonBinaryTreatment { row: 2, column, .. } if column == "t"),
            "{err}"
        );
        let d = table(vec![0., 1., 0., 0.], vec![1., 2., 3., 4.]);
        let err = Units::new(&d, &roles()).unwrap_err();
        assert!(err.to_string().contains("treated group has 1"), "{err}");
        let err = Units::new(&d, &ColumnRoles::new().treatment("t").outcome("y")).unwrap_err();
        assert!(err.to_string().contains("covariates role"), "{err}");
        let err = Units::new(&d, &roles().covariates(["b", "t"])).unwrap_err();
        assert!(err.to_string().contains("two roles"), "{err}");
        let err = Units::new(&d, &roles().covariates(["b", "nope"])).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn categorical_covariates_of_many_levels_are_refused() {
        let d = Dataset::from_text("g,t,y\na,0,1\nb,1,2\nc,0,3\na,1,4\n").unwrap();
        let roles = ColumnRoles::new().treatment("t").outcome("y");
        let err = Units::new(&d, &roles.clone().covariates(["g"])).unwrap_err();
        assert!(err.to_string().contains("'g' is categorical"), "{err}");
        let two = Dataset::from_text("g,t,y\na,0,1\nb,1,2\nb,0,3\na,1,4\n").unwrap();
        assert_eq!(
            Units::new(&two, &roles.covariates(["g"])).unwrap().binary,
            [true]
        );
    }
}
