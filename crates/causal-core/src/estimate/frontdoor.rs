//! The front-door estimator for linear mechanisms.

use serde_json::json;

use super::roles::{owned, role_methods};
use super::{AteEstimator, EffectFit, Method, ParamGuard, Roles};
use crate::contract::Fit;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::stats::{Design, ols_fit};

/// Hyperparameters of [`FrontDoor`].
#[derive(Clone, Debug)]
pub struct FrontDoorParams {
    roles: Roles,
}

impl FrontDoorParams {
    /// Treatment, the front-door mediators and the outcome.
    pub fn new(treatment: &str, mediators: &[&str], outcome: &str) -> Self {
        Self {
            roles: Roles::with_extra(treatment, outcome, mediators),
        }
    }

    /// Observed covariates added to both regressions (pre-treatment, not confounders that the
    /// front door must avoid).
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.roles.covariates = owned(names);
        self
    }
}

impl ParamGuard for FrontDoorParams {
    type Checked = FrontDoor;
    type Error = crate::CoreError;
    fn check(self) -> Result<FrontDoor> {
        self.roles
            .check_with_extras("mediator", "the front-door estimator")?;
        self.roles.check_extras_not_covariates("a mediator")?;
        Ok(FrontDoor { params: self })
    }
}

/// The front-door estimator: the effect of T on the mediators M times the effect of M on Y
/// holding T fixed.
///
/// # Formula
///
/// `M_k = a₀ + a_k T + … `, `Y = b₀ + Σ b_k M_k + c T + …`; ATE = `Σ a_k b_k`, with the
/// delta-method variance `Σ_jk (b_j b_k Cov(a_j, a_k) + a_j a_k Cov(b_j, b_k))`.
#[derive(Clone, Debug)]
pub struct FrontDoor {
    params: FrontDoorParams,
}

impl Fit for FrontDoor {
    type Object = EffectFit;
    type Error = CoreError;

    fn fit(&self, data: &Dataset, (): ()) -> Result<EffectFit> {
        let r = &self.params.roles;
        let n = data.n_rows();
        let t = data.column(&r.treatment)?;
        let y = data.column(&r.outcome)?;
        let covs = r.covariate_refs();
        // Stage 1: each mediator on T (and covariates); same design, so residual covariances
        // give the cross-covariances of the a_k.
        let mut d1 = Design::empty(n, true);
        d1.push_borrowed(&r.treatment, t);
        for c in &covs {
            d1.push_borrowed(c, data.column(c)?);
        }
        let mut a = Vec::new();
        let mut resid = Vec::new();
        let mut xtx_tt = 0.0;
        let mut df1 = 0;
        for m in &r.extra {
            let mv = data.column(m)?;
            let f = ols_fit(&d1, mv)?;
            a.push(f.coef_of(&r.treatment)?);
            let k = f.position(&r.treatment)?;
            xtx_tt = f.xtx_inv[(k, k)];
            df1 = f.df;
            let pred = d1.predict(&f.coef);
            resid.push(
                mv.iter()
                    .zip(&pred)
                    .map(|(v, p)| v - p)
                    .collect::<Vec<f64>>(),
            );
        }
        // Stage 2: outcome on mediators, T and covariates.
        let mut d2 = Design::empty(n, true);
        for m in &r.extra {
            d2.push_borrowed(m, data.column(m)?);
        }
        d2.push_borrowed(&r.treatment, t);
        for c in &covs {
            d2.push_borrowed(c, data.column(c)?);
        }
        let f2 = ols_fit(&d2, y)?;
        let q = r.extra.len();
        let b: Vec<f64> = (0..q).map(|k| f2.coef[1 + k]).collect();
        let ate: f64 = a.iter().zip(&b).map(|(a, b)| a * b).sum();
        let mut var = 0.0;
        for j in 0..q {
            for k in 0..q {
                let sigma_jk: f64 = resid[j]
                    .iter()
                    .zip(&resid[k])
                    .map(|(u, v)| u * v)
                    .sum::<f64>()
                    / df1 as f64;
                var += b[j] * b[k] * sigma_jk * xtx_tt;
                var += a[j] * a[k] * f2.cov[(1 + j, 1 + k)];
            }
        }
        Ok(EffectFit {
            ate,
            se: var.sqrt(),
            warnings: Vec::new(),
            details: json!({
                "treatment_to_mediator": r.extra.iter().zip(&a).map(|(m, a)| (m.clone(), json!(a))).collect::<serde_json::Map<_, _>>(),
                "mediator_to_outcome": r.extra.iter().zip(&b).map(|(m, b)| (m.clone(), json!(b))).collect::<serde_json::Map<_, _>>(),
            }),
        })
    }
}

impl AteEstimator for FrontDoor {
    fn method(&self) -> Method {
        Method::Frontdoor
    }

    fn estimand(&self) -> String {
        let r = &self.params.roles;
        let (t, y) = (&r.treatment, &r.outcome);
        let m = r.extra.join(", ");
        format!(
            "E[{y} | do({t})] = sum_{{{m}}} P({m} | {t}) sum_{{{t}'}} E[{y} | {t}', {m}] P({t}')"
        )
    }

    role_methods!();
}
