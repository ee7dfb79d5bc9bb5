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
    /// [`CoreError::InvalidArgument`] or [`CoreError::Duplicate`] naming the column.
    pub fn check(&self, extra_label: &str) -> Result<()> {
        if self.treatment.is_empty() || self.outcome.is_empty() {
            return Err(CoreError::InvalidArgument(
                "treatment and outcome must be named".into(),
            ));
        }
        if self.treatment == self.outcome {
            return Err(CoreError::InvalidArgument(format!(
                "'{}' cannot be both treatment and outcome",
                self.treatment
            )));
        }
        for (list, label) in [(&self.covariates, "covariate"), (&self.extra, extra_label)] {
            let mut seen = std::collections::HashSet::new();
            for c in list {
                if c == &self.treatment || c == &self.outcome {
                    return Err(CoreError::InvalidArgument(format!(
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
