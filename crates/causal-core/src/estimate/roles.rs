//! The columns an estimator reads and their roles.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// Treatment, outcome, adjustment covariates and the method's extra columns (mediators for the
/// front door, instruments for IV, effect modifiers for CATE).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    /// Treatment column.
    pub treatment: String,
    /// Outcome column.
    pub outcome: String,
    /// Adjustment covariates.
    pub covariates: Vec<String>,
    /// Mediators, instruments or modifiers, by method.
    pub extra: Vec<String>,
}

impl Roles {
    /// Roles with no covariates.
    pub fn new(treatment: &str, outcome: &str) -> Self {
        Self {
            treatment: treatment.to_owned(),
            outcome: outcome.to_owned(),
            ..Self::default()
        }
    }

    /// Every column read, without repeats, treatment and outcome first.
    pub fn all_columns(&self) -> Vec<String> {
        let mut v = vec![self.treatment.clone(), self.outcome.clone()];
        for c in self.covariates.iter().chain(&self.extra) {
            if !v.contains(c) {
                v.push(c.clone());
            }
        }
        v
    }

    /// Checks names: non-empty, treatment ≠ outcome, neither among the covariates or extras,
    /// no repeats within a list. `extra_label` names the extra role in messages.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] or [`CoreError::Duplicate`] naming the column.
    pub fn check(&self, extra_label: &str) -> Result<()> {
        if self.treatment.is_empty() || self.outcome.is_empty() {
            return Err(CoreError::InvalidParameter(
                "treatment and outcome must be named".into(),
            ));
        }
        if self.treatment == self.outcome {
            return Err(CoreError::InvalidParameter(format!(
                "'{}' cannot be both treatment and outcome",
                self.treatment
            )));
        }
        for (list, label) in [(&self.covariates, "covariate"), (&self.extra, extra_label)] {
            let mut seen = std::collections::HashSet::new();
            for c in list {
                if c == &self.treatment || c == &self.outcome {
                    return Err(CoreError::InvalidParameter(format!(
                        "'{c}' is the treatment or outcome and cannot also be a {label}"
                    )));
                }
                if !seen.insert(c) {
                    return Err(CoreError::Duplicate(c.clone()));
                }
            }
        }
        Ok(())
    }

    /// Roles whose extra columns (mediators, instruments or modifiers) are `extra`.
    pub(super) fn with_extra(treatment: &str, outcome: &str, extra: &[&str]) -> Self {
        Self {
            extra: owned(extra),
            ..Self::new(treatment, outcome)
        }
    }

    /// [`Roles::check`], and at least one extra column: `method` names the estimator and
    /// `extra_label` the extra role in messages.
    pub(super) fn check_with_extras(&self, extra_label: &str, method: &str) -> Result<()> {
        self.check(extra_label)?;
        if self.extra.is_empty() {
            return Err(CoreError::InvalidParameter(format!(
                "{method} needs at least one {extra_label}"
            )));
        }
        Ok(())
    }

    /// Errors when an extra column is also a covariate (mediators and instruments must not
    /// be adjusted for as well); `a_role` is the extra role with its article, e.g. "a mediator".
    pub(super) fn check_extras_not_covariates(&self, a_role: &str) -> Result<()> {
        match self.extra.iter().find(|c| self.covariates.contains(c)) {
            Some(c) => Err(CoreError::InvalidParameter(format!(
                "'{c}' cannot be both {a_role} and a covariate"
            ))),
            None => Ok(()),
        }
    }

    /// Covariates as `&str`.
    pub fn covariate_refs(&self) -> Vec<&str> {
        self.covariates.iter().map(String::as_str).collect()
    }

    /// Extras as `&str`.
    pub fn extra_refs(&self) -> Vec<&str> {
        self.extra.iter().map(String::as_str).collect()
    }

    /// The back-door estimand `Σ_W E[Y | T, W] P(W)` as text.
    pub fn backdoor_estimand(&self) -> String {
        let (t, y) = (&self.treatment, &self.outcome);
        if self.covariates.is_empty() {
            format!("E[{y} | do({t})] = E[{y} | {t}]")
        } else {
            let w = self.covariates.join(", ");
            format!("E[{y} | do({t})] = sum_{{{w}}} E[{y} | {t}, {w}] P({w})")
        }
    }
}

/// Column names as owned strings (the builders take `&[&str]`).
pub(super) fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// The [`AteEstimator`](super::AteEstimator) methods that only read or rewrite the roles, for
/// an estimator that keeps its builder in `params` and the roles in `params.roles`.
/// `without_extra_covariate` leaves `with_extra_covariate` to the estimator, for one whose
/// model-specific covariate lists must grow too (AIPW).
macro_rules! role_methods {
    () => {
        $crate::estimate::roles::role_methods!(without_extra_covariate);

        fn with_extra_covariate(&self, name: &str) -> Box<dyn AteEstimator> {
            let mut p = self.params.clone();
            p.roles.covariates.push(name.to_owned());
            Box::new(Self { params: p })
        }
    };
    (without_extra_covariate) => {
        fn roles(&self) -> &Roles {
            &self.params.roles
        }

        fn with_roles(&self, treatment: &str, outcome: &str) -> Box<dyn AteEstimator> {
            let mut p = self.params.clone();
            p.roles.treatment = treatment.to_owned();
            p.roles.outcome = outcome.to_owned();
            Box::new(Self { params: p })
        }
    };
}
pub(super) use role_methods;
