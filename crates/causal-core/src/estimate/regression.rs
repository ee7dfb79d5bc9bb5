//! Regression adjustment: OLS of the outcome on the treatment and the adjustment set.

use serde_json::json;

use super::roles::{owned, role_methods};
use super::{AteEstimator, EffectFit, Method, ParamGuard, Roles};
use crate::contract::Fit;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::stats::{Design, mean, ols_fit};

/// Hyperparameters of [`Regression`].
///
/// # Examples
///
/// ```
/// use causal_core::data::Dataset;
/// use causal_core::estimate::{Fit, ParamGuard, RegressionParams};
///
/// let data = Dataset::from_text("z,t,y\n0,0,1\n1,0,2.5\n0,1,3.1\n1,1,4.4\n0,1,2.9\n1,0,2.4\n")?;
/// let est = RegressionParams::new("t", "y").covariates(&["z"]).check()?;
/// let fit = est.fit(&data, ())?;
/// assert!(fit.ate > 1.5 && fit.ate < 2.5);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RegressionParams {
    roles: Roles,
    interactions: bool,
}

impl RegressionParams {
    /// Treatment and outcome, no covariates, no interactions.
    pub fn new(treatment: &str, outcome: &str) -> Self {
        Self {
            roles: Roles::new(treatment, outcome),
            interactions: false,
        }
    }

    /// The adjustment set.
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.roles.covariates = owned(names);
        self
    }

    /// Adds treatment × centred-covariate interactions (Lin's estimator), so that effect
    /// heterogeneity in the covariates does not bias the ATE.
    pub fn interactions(mut self, on: bool) -> Self {
        self.interactions = on;
        self
    }
}

impl ParamGuard for RegressionParams {
    type Checked = Regression;
    type Error = crate::CoreError;
    fn check(self) -> Result<Regression> {
        self.roles.check("covariate")?;
        Ok(Regression { params: self })
    }
}

/// Regression adjustment by OLS.
///
/// # Formula
///
/// `Y = α + τ T + βᵀ W + ε`, ATE = `τ`, classical standard error. With interactions,
/// `Y = α + τ T + βᵀ W + γᵀ T (W − W̄) + ε`; ATE = `τ`, and the standard error adds the
/// variance of `W̄`: `γᵀ Cov(W) γ / n`.
#[derive(Clone, Debug)]
pub struct Regression {
    params: RegressionParams,
}

impl Fit for Regression {
    type Object = EffectFit;
    type Error = CoreError;

    fn fit(&self, data: &Dataset, (): ()) -> Result<EffectFit> {
        let r = &self.params.roles;
        let t = data.column(&r.treatment)?;
        let y = data.column(&r.outcome)?;
        let mut design = Design::empty(data.n_rows(), true);
        design.push_borrowed(&r.treatment, t);
        let covs = r
            .covariates
            .iter()
            .map(|c| data.column(c))
            .collect::<Result<Vec<_>>>()?;
        for (name, col) in r.covariates.iter().zip(&covs) {
            design.push_borrowed(name, col);
        }
        let mut centred = Vec::new();
        if self.params.interactions {
            for (name, col) in r.covariates.iter().zip(&covs) {
                let m = mean(col);
                let c: Vec<f64> = col.iter().map(|v| v - m).collect();
                let inter: Vec<f64> = c.iter().zip(t).map(|(c, t)| c * t).collect();
                design.push_owned(&format!("{}:{name}", r.treatment), inter);
                centred.push(c);
            }
        }
        let fit = ols_fit(&design, y)?;
        let ate = fit.coef_of(&r.treatment)?;
        let mut var = fit.se_of(&r.treatment)?.powi(2);
        if self.params.interactions && !centred.is_empty() {
            let k0 = 2 + r.covariates.len();
            let g: Vec<f64> = (0..centred.len()).map(|k| fit.coef[k0 + k]).collect();
            add_mean_variance(&mut var, &g, &centred);
        }
        let coefficients: serde_json::Map<String, serde_json::Value> = fit
            .names
            .iter()
            .zip(&fit.coef)
            .map(|(n, c)| (n.clone(), json!(c)))
            .collect();
        Ok(EffectFit {
            ate,
            se: var.sqrt(),
            warnings: Vec::new(),
            details: json!({
                "coefficients": coefficients,
                "t_value": ate / var.sqrt(),
                "df": fit.df,
                "interactions": self.params.interactions,
            }),
        })
    }
}

impl AteEstimator for Regression {
    fn method(&self) -> Method {
        Method::Regression
    }

    fn estimand(&self) -> String {
        self.params.roles.backdoor_estimand()
    }

    role_methods!();
}

/// Adds `γᵀ Cov(W) γ / n` to `var`: the variance an effect `τ + γᵀ W̄` gains from estimating
/// the covariate means `W̄` (`centred` holds each `W − W̄`). Regression with interactions and
/// CATE by interactions both average over the sample this way.
pub(super) fn add_mean_variance(var: &mut f64, gamma: &[f64], centred: &[Vec<f64>]) {
    let n = centred.first().map_or(0, Vec::len) as f64;
    for a in 0..centred.len() {
        for b in 0..centred.len() {
            let cov_ab: f64 = centred[a]
                .iter()
                .zip(&centred[b])
                .map(|(u, v)| u * v)
                .sum::<f64>()
                / (n - 1.0);
            *var += gamma[a] * gamma[b] * cov_ab / n;
        }
    }
}
