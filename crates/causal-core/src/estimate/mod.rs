//! Estimators of average treatment effects, each with a standard error and a seeded, rayon
//! parallel bootstrap interval.
//!
//! Every estimator follows the same shape (linfa's `ParamGuard` style): a `…Params` builder
//! whose [`ParamGuard::check`] validates the hyperparameters and returns the checked estimator,
//! which implements [`AteEstimator`] and the learner contract's [`Fit`]. [`Fit::fit`] gives the
//! point estimate, standard error and diagnostics (an [`EffectFit`], the result every ATE
//! estimator shares); [`AteEstimator::estimate`] adds the interval and the record that goes
//! into the assumptions report.
//!
//! | method | identification | estimator |
//! |---|---|---|
//! | [`Regression`] | back-door set | OLS of Y on T and the set (optionally with T × set interactions) |
//! | [`Ipw`] | back-door set | inverse propensity weighting, logistic propensity |
//! | [`Aipw`] | back-door set | augmented IPW (doubly robust), cross-fitted |
//! | [`FrontDoor`] | front-door set | product of the T→M and M→Y regressions |
//! | [`TwoStageLeastSquares`] | instruments | two-stage least squares |
//! | [`InteractionCate`] | back-door set + effect modifiers | OLS with T × modifier interactions |
//! | [`CateLearner`] | covariates + effect modifiers | DR-, R- and X-learner, final stage linear in the modifiers, HC1 intervals |
//! | [`Dml`] | covariates (or an instrument) | double machine learning: PLR, IRM, PLIV, IIVM with any [`crate::learner::Learner`] |

mod aipw;
mod cate;
mod dml;
mod frontdoor;
mod ipw;
mod iv;
mod overlap;
mod regression;
mod result;
mod roles;

pub use aipw::{Aipw, AipwParams};
pub use cate::{CateFunction, InteractionCate, InteractionCateParams};
pub use dml::{
    CateLearner, CateLearnerFit, CateLearnerParams, CateMethod, Dml, DmlFit, DmlJointFit, DmlModel,
    DmlParams, DmlScore, DoseResponse, DoseResponseFit, DoseResponseParams,
};
pub use frontdoor::{FrontDoor, FrontDoorParams};
pub use ipw::{Ipw, IpwParams, Weighting};
pub use iv::{TwoStageLeastSquares, TwoStageLeastSquaresParams};
pub use overlap::{OverlapSummary, overlap_summary};
pub use regression::{Regression, RegressionParams};
pub use result::{EffectEstimate, EffectFit, Method};
pub use roles::Roles;

pub use crate::contract::{Fit, ParamGuard};

use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::stats::{Bootstrap, normal_quantile_two_sided};

/// An estimator of an average treatment effect.
///
/// Its fit is the learner contract's [`Fit::fit`] (point estimate, standard error and
/// diagnostics as an [`EffectFit`]): a supertrait rather than a method of its own, so that one
/// `fit` is in scope with both traits imported, and `dyn AteEstimator` (the refuters' currency)
/// still fits. Its errors are missing columns, non-binary treatment where one is required,
/// collinear regressors, no overlap, too few rows: each names the column at fault.
pub trait AteEstimator: Fit<(), Object = EffectFit, Error = CoreError> + Send + Sync {
    /// Which method this is.
    fn method(&self) -> Method;

    /// The treatment, outcome and adjustment columns.
    fn roles(&self) -> &Roles;

    /// Every data column the estimator reads.
    fn columns(&self) -> Vec<String> {
        self.roles().all_columns()
    }

    /// The estimand this estimator targets, as text.
    fn estimand(&self) -> String;

    /// Point estimate only (the bootstrap calls this).
    ///
    /// # Errors
    ///
    /// As [`Fit::fit`].
    fn point(&self, data: &Dataset) -> Result<f64> {
        Ok(self.fit(data, ())?.ate)
    }

    /// The same estimator also adjusting for `name` (used by the random-common-cause refuter).
    fn with_extra_covariate(&self, name: &str) -> Box<dyn AteEstimator>;

    /// The same estimator reading the treatment from `treatment` and the outcome from
    /// `outcome` (used by the placebo and dummy-outcome refuters).
    fn with_roles(&self, treatment: &str, outcome: &str) -> Box<dyn AteEstimator>;

    /// Fits, then forms a confidence interval at `level`: the bootstrap percentile interval
    /// when `bootstrap` is given, else the normal interval `ate ± z·se`.
    ///
    /// # Errors
    ///
    /// As [`Fit::fit`] and [`Bootstrap::run`].
    fn estimate(
        &self,
        data: &Dataset,
        bootstrap: Option<&Bootstrap>,
        level: f64,
    ) -> Result<EffectEstimate> {
        let fit = self.fit(data, ())?;
        let z = normal_quantile_two_sided(level)?;
        let mut ci = [fit.ate - z * fit.se, fit.ate + z * fit.se];
        let mut ci_method = "normal".to_owned();
        let summary = match bootstrap {
            Some(b) => {
                let cols = self.columns();
                let names: Vec<&str> = cols.iter().map(String::as_str).collect();
                let sub = data.select(&names)?;
                let boot = Bootstrap { level, ..*b };
                let s = boot.run(sub.n_rows(), |rows| self.point(&sub.take_rows(rows)?))?;
                ci = s.ci;
                ci_method = "bootstrap-percentile".to_owned();
                Some(s)
            }
            None => None,
        };
        let roles = self.roles();
        Ok(EffectEstimate {
            estimand: self.estimand(),
            method: self.method().to_string(),
            treatment: roles.treatment.clone(),
            outcome: roles.outcome.clone(),
            covariates: roles.covariates.clone(),
            ate: fit.ate,
            se: fit.se,
            ci,
            ci_method,
            level,
            n: data.n_rows(),
            bootstrap: summary,
            warnings: fit.warnings,
            details: fit.details,
        })
    }
}
