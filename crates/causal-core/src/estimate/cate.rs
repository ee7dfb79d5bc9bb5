//! Conditional average treatment effects by regression with treatment × modifier interactions.

use serde_json::json;

use super::regression::add_mean_variance;
use super::roles::{owned, role_methods};
use super::{AteEstimator, EffectFit, Method, ParamGuard, Roles};
use crate::contract::Fit;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::stats::{Design, OlsFit, mean, ols_fit};

/// Hyperparameters of [`InteractionCate`].
#[derive(Clone, Debug)]
pub struct InteractionCateParams {
    roles: Roles,
}

impl InteractionCateParams {
    /// Treatment, outcome and the effect modifiers `V`.
    pub fn new(treatment: &str, outcome: &str, modifiers: &[&str]) -> Self {
        Self {
            roles: Roles::with_extra(treatment, outcome, modifiers),
        }
    }

    /// The adjustment set (modifiers may be among them).
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.roles.covariates = owned(names);
        self
    }
}

impl ParamGuard for InteractionCateParams {
    type Checked = InteractionCate;
    type Error = crate::CoreError;
    fn check(self) -> Result<InteractionCate> {
        // Unlike mediators and instruments, modifiers may also be covariates.
        self.roles
            .check_with_extras("effect modifier", "CATE by interactions")?;
        Ok(InteractionCate { params: self })
    }
}

/// CATE by OLS with interactions: `τ(v) = τ₀ + γᵀ v`.
///
/// # Formula
///
/// `Y = α + τ₀ T + βᵀ W + δᵀ V + γᵀ (T · V) + ε` (V terms not already in W);
/// ATE = `τ₀ + γᵀ V̄`, with variance `gᵀ Cov(τ₀, γ) g + γᵀ Cov(V) γ / n`, `g = (1, V̄)`.
#[derive(Clone, Debug)]
pub struct InteractionCate {
    params: InteractionCateParams,
}

/// A fitted CATE function.
#[derive(Clone, Debug)]
pub struct CateFunction {
    /// Effect modifiers in order.
    pub modifiers: Vec<String>,
    /// `τ₀`.
    pub base: f64,
    /// `γ`, one per modifier.
    pub slopes: Vec<f64>,
}

impl CateFunction {
    /// `τ(v)`.
    pub fn at(&self, v: &[f64]) -> f64 {
        self.base + self.slopes.iter().zip(v).map(|(g, v)| g * v).sum::<f64>()
    }
}

impl InteractionCate {
    fn regress(&self, data: &Dataset) -> Result<(OlsFit, Vec<usize>)> {
        let r = &self.params.roles;
        let t = data.column(&r.treatment)?;
        let mut d = Design::empty(data.n_rows(), true);
        d.push_borrowed(&r.treatment, t);
        for c in &r.covariates {
            d.push_borrowed(c, data.column(c)?);
        }
        for v in &r.extra {
            if !r.covariates.contains(v) {
                d.push_borrowed(v, data.column(v)?);
            }
        }
        let mut pos = Vec::new();
        for v in &r.extra {
            let col = data.column(v)?;
            pos.push(d.n_coef());
            d.push_owned(
                &format!("{}:{v}", r.treatment),
                col.iter().zip(t).map(|(a, b)| a * b).collect(),
            );
        }
        Ok((ols_fit(&d, data.column(&r.outcome)?)?, pos))
    }

    /// Fits the CATE function `τ(v)`.
    ///
    /// # Errors
    ///
    /// As [`Fit::fit`].
    pub fn cate_function(&self, data: &Dataset) -> Result<CateFunction> {
        let (fit, pos) = self.regress(data)?;
        Ok(CateFunction {
            modifiers: self.params.roles.extra.clone(),
            base: fit.coef[1],
            slopes: pos.iter().map(|&k| fit.coef[k]).collect(),
        })
    }
}

impl Fit for InteractionCate {
    type Object = EffectFit;
    type Error = CoreError;

    fn fit(&self, data: &Dataset, (): ()) -> Result<EffectFit> {
        let r = &self.params.roles;
        let (fit, pos) = self.regress(data)?;
        let vcols = r
            .extra
            .iter()
            .map(|v| data.column(v))
            .collect::<Result<Vec<_>>>()?;
        let vbar: Vec<f64> = vcols.iter().map(|c| mean(c)).collect();
        let mut idx = vec![1usize];
        idx.extend(&pos);
        let mut g = vec![1.0];
        g.extend(&vbar);
        let ate: f64 = idx.iter().zip(&g).map(|(&k, g)| fit.coef[k] * g).sum();
        let mut var = 0.0;
        for (a, &ka) in idx.iter().enumerate() {
            for (b, &kb) in idx.iter().enumerate() {
                var += g[a] * g[b] * fit.cov[(ka, kb)];
            }
        }
        let centred: Vec<Vec<f64>> = vcols
            .iter()
            .zip(&vbar)
            .map(|(c, m)| c.iter().map(|v| v - m).collect())
            .collect();
        let gamma: Vec<f64> = pos.iter().map(|&k| fit.coef[k]).collect();
        add_mean_variance(&mut var, &gamma, &centred);
        let slopes: serde_json::Map<String, serde_json::Value> = r
            .extra
            .iter()
            .zip(&pos)
            .map(|(v, &k)| {
                (
                    v.clone(),
                    json!({"coef": fit.coef[k], "se": fit.cov[(k, k)].sqrt()}),
                )
            })
            .collect();
        Ok(EffectFit {
            ate,
            se: var.sqrt(),
            warnings: Vec::new(),
            details: json!({
                "cate": {"base": fit.coef[1], "modifiers": slopes},
            }),
        })
    }
}

impl AteEstimator for InteractionCate {
    fn method(&self) -> Method {
        Method::Cate
    }

    fn estimand(&self) -> String {
        let r = &self.params.roles;
        format!(
            "E[{y} | do({t}), {v}] with {}",
            r.backdoor_estimand(),
            y = r.outcome,
            t = r.treatment,
            v = r.extra.join(", ")
        )
    }

    role_methods!();
}
