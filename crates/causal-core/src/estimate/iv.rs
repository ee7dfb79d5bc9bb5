//! Two-stage least squares with instruments.

use serde_json::json;

use super::roles::{owned, role_methods};
use super::{AteEstimator, EffectFit, Method, ParamGuard, Roles};
use crate::contract::Fit;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::stats::{Design, ols_fit};

/// First-stage F statistics below this flag weak instruments (Staiger & Stock's rule of thumb).
const WEAK_F: f64 = 10.0;

/// Hyperparameters of [`TwoStageLeastSquares`].
#[derive(Clone, Debug)]
pub struct TwoStageLeastSquaresParams {
    roles: Roles,
}

impl TwoStageLeastSquaresParams {
    /// Treatment, instruments and outcome.
    pub fn new(treatment: &str, instruments: &[&str], outcome: &str) -> Self {
        Self {
            roles: Roles::with_extra(treatment, outcome, instruments),
        }
    }

    /// Exogenous covariates included in both stages.
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.roles.covariates = owned(names);
        self
    }
}

impl ParamGuard for TwoStageLeastSquaresParams {
    type Checked = TwoStageLeastSquares;
    type Error = crate::CoreError;
    fn check(self) -> Result<TwoStageLeastSquares> {
        self.roles
            .check_with_extras("instrument", "two-stage least squares")?;
        self.roles.check_extras_not_covariates("an instrument")?;
        Ok(TwoStageLeastSquares { params: self })
    }
}

/// Two-stage least squares.
///
/// # Formula
///
/// Stage 1: `T̂` from OLS of `T` on the instruments `Z` and covariates `W`. Stage 2: OLS of `Y`
/// on `T̂` and `W`; ATE = the coefficient of `T̂`. The variance is `σ² (X̂ᵀX̂)⁻¹` with `σ²` from
/// the residuals `Y − Xβ` computed with the actual `T`.
#[derive(Clone, Debug)]
pub struct TwoStageLeastSquares {
    params: TwoStageLeastSquaresParams,
}

impl Fit for TwoStageLeastSquares {
    type Object = EffectFit;
    type Error = CoreError;

    fn fit(&self, data: &Dataset, (): ()) -> Result<EffectFit> {
        let r = &self.params.roles;
        let n = data.n_rows();
        let t = data.column(&r.treatment)?;
        let y = data.column(&r.outcome)?;
        let covs = r.covariate_refs();
        let mut d1 = Design::empty(n, true);
        for c in &covs {
            d1.push_borrowed(c, data.column(c)?);
        }
        // Restricted first stage (covariates only) for the instruments' F statistic.
        let restricted = ols_fit(&d1, t)?;
        for z in &r.extra {
            d1.push_borrowed(z, data.column(z)?);
        }
        let first = ols_fit(&d1, t)?;
        let q = r.extra.len() as f64;
        let f_stat = ((restricted.rss - first.rss) / q) / (first.rss / first.df as f64);
        let t_hat = d1.predict(&first.coef);
        let mut d2 = Design::empty(n, true);
        d2.push_owned(&r.treatment, t_hat);
        for c in &covs {
            d2.push_borrowed(c, data.column(c)?);
        }
        let second = ols_fit(&d2, y).map_err(|e| match e {
            CoreError::Collinear { .. } => CoreError::InvalidParameter(format!(
                "the instruments [{}] do not predict '{}' beyond the covariates",
                r.extra.join(", "),
                r.treatment
            )),
            other => other,
        })?;
        let ate = second.coef[1];
        // Structural residuals use the actual treatment, not its projection.
        let mut d_actual = Design::empty(n, true);
        d_actual.push_borrowed(&r.treatment, t);
        for c in &covs {
            d_actual.push_borrowed(c, data.column(c)?);
        }
        let pred = d_actual.predict(&second.coef);
        let rss: f64 = y.iter().zip(&pred).map(|(y, p)| (y - p) * (y - p)).sum();
        let sigma2 = rss / second.df as f64;
        let se = (sigma2 * second.xtx_inv[(1, 1)]).sqrt();
        let mut warnings = Vec::new();
        if f_stat < WEAK_F {
            warnings.push(format!(
                "weak instruments: first-stage F = {f_stat:.2} < {WEAK_F} for [{}]; the estimate may be biased and its interval unreliable",
                r.extra.join(", ")
            ));
        }
        Ok(EffectFit {
            ate,
            se,
            warnings,
            details: json!({ "first_stage_f": f_stat }),
        })
    }
}

impl AteEstimator for TwoStageLeastSquares {
    fn method(&self) -> Method {
        Method::Iv
    }

    fn estimand(&self) -> String {
        let r = &self.params.roles;
        format!(
            "dE[{y} | do({t})]/d{t} = Cov({y}, {z}) / Cov({t}, {z}) (instruments {z}; two-stage least squares)",
            y = r.outcome,
            t = r.treatment,
            z = r.extra.join(", ")
        )
    }

    role_methods!();
}
