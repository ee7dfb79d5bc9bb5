//! Augmented inverse propensity weighting (doubly robust), with cross-fitting.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::overlap::{OVERLAP_THRESHOLD, check_clip, overlap_summary};
use super::roles::{owned, role_methods};
use super::{AteEstimator, EffectFit, Method, ParamGuard, Roles};
use crate::contract::Fit;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::stats::{Design, logistic_fit, mean, ols_fit, variance};

/// Hyperparameters of [`Aipw`].
#[derive(Clone, Debug)]
pub struct AipwParams {
    roles: Roles,
    propensity_covariates: Option<Vec<String>>,
    outcome_covariates: Option<Vec<String>>,
    folds: usize,
    seed: u64,
    clip: f64,
}

impl AipwParams {
    /// Treatment and outcome; 5 folds, seed 0, propensities clipped to `[0.01, 0.99]`.
    pub fn new(treatment: &str, outcome: &str) -> Self {
        Self {
            roles: Roles::new(treatment, outcome),
            propensity_covariates: None,
            outcome_covariates: None,
            folds: 5,
            seed: 0,
            clip: 0.01,
        }
    }

    /// The adjustment set (used by both models unless overridden).
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.roles.covariates = owned(names);
        self
    }

    /// Regressors of the propensity model, instead of the adjustment set.
    pub fn propensity_covariates(mut self, names: &[&str]) -> Self {
        self.propensity_covariates = Some(owned(names));
        self
    }

    /// Regressors of the outcome models, instead of the adjustment set.
    pub fn outcome_covariates(mut self, names: &[&str]) -> Self {
        self.outcome_covariates = Some(owned(names));
        self
    }

    /// Number of cross-fitting folds (1 fits and predicts on all rows).
    pub fn folds(mut self, k: usize) -> Self {
        self.folds = k;
        self
    }

    /// Seed of the fold assignment.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Clips propensities into `[clip, 1 − clip]` (0 disables).
    pub fn clip(mut self, clip: f64) -> Self {
        self.clip = clip;
        self
    }
}

impl ParamGuard for AipwParams {
    type Checked = Aipw;
    type Error = crate::CoreError;
    fn check(mut self) -> Result<Aipw> {
        // The model-specific regressors join the roles so that every column read is listed.
        let mut extra = Vec::new();
        for list in [&self.propensity_covariates, &self.outcome_covariates]
            .into_iter()
            .flatten()
        {
            for c in list {
                if !self.roles.covariates.contains(c) && !extra.contains(c) {
                    extra.push(c.clone());
                }
            }
        }
        self.roles.extra = extra;
        self.roles.check("model covariate")?;
        if self.folds == 0 {
            return Err(CoreError::InvalidParameter(
                "AIPW needs at least 1 fold".into(),
            ));
        }
        check_clip(self.clip)?;
        Ok(Aipw { params: self })
    }
}

/// Augmented IPW for a binary treatment: consistent when either the propensity model or the
/// outcome models are correct.
///
/// # Formula
///
/// With cross-fitted `e(W)` (logistic) and `μ_t(W)` (OLS within arm `t`),
/// `ψ = μ₁ − μ₀ + T (Y − μ₁) / e − (1 − T)(Y − μ₀) / (1 − e)`,
/// ATE = `mean(ψ)`, SE = `sd(ψ) / √n`.
#[derive(Clone, Debug)]
pub struct Aipw {
    params: AipwParams,
}

fn subset(col: &[f64], rows: &[usize]) -> Vec<f64> {
    rows.iter().map(|&i| col[i]).collect()
}

fn owned_design(cols: &[(&str, &[f64])], rows: &[usize]) -> Design<'static> {
    let mut d = Design::empty(rows.len(), true);
    for (name, col) in cols {
        d.push_owned(name, subset(col, rows));
    }
    d
}

impl Fit for Aipw {
    type Object = EffectFit;
    type Error = CoreError;

    fn fit(&self, data: &Dataset, (): ()) -> Result<EffectFit> {
        let p = &self.params;
        let r = &p.roles;
        let n = data.n_rows();
        let t = data.check_binary(&r.treatment)?;
        let y = data.column(&r.outcome)?;
        let names = |o: &Option<Vec<String>>| o.clone().unwrap_or_else(|| r.covariates.clone());
        let pnames = names(&p.propensity_covariates);
        let onames = names(&p.outcome_covariates);
        let pcols = pnames
            .iter()
            .map(|c| Ok((c.as_str(), data.column(c)?)))
            .collect::<Result<Vec<_>>>()?;
        let ocols = onames
            .iter()
            .map(|c| Ok((c.as_str(), data.column(c)?)))
            .collect::<Result<Vec<_>>>()?;
        let k = p.folds.min(n);
        let mut perm: Vec<usize> = (0..n).collect();
        if k > 1 {
            perm.shuffle(&mut ChaCha8Rng::seed_from_u64(p.seed));
        }
        let mut fold = vec![0usize; n];
        for (pos, &i) in perm.iter().enumerate() {
            fold[i] = pos % k;
        }
        let mut e = vec![0.0; n];
        let mut mu1 = vec![0.0; n];
        let mut mu0 = vec![0.0; n];
        for f in 0..k {
            let test: Vec<usize> = (0..n).filter(|&i| k == 1 || fold[i] == f).collect();
            let train: Vec<usize> = (0..n).filter(|&i| k == 1 || fold[i] != f).collect();
            let pd = owned_design(&pcols, &train);
            let pfit = logistic_fit(&pd, &subset(t, &train), None, &r.treatment)?;
            let e_test = pfit.predict(&owned_design(&pcols, &test));
            let ptest = owned_design(&ocols, &test);
            for (arm, out) in [(1.0, &mut mu1), (0.0, &mut mu0)] {
                let rows: Vec<usize> = train.iter().copied().filter(|&i| t[i] == arm).collect();
                let fit =
                    ols_fit(&owned_design(&ocols, &rows), &subset(y, &rows)).map_err(|err| {
                        CoreError::InvalidParameter(format!(
                            "outcome model for {}={arm} in cross-fitting fold {}: {err}",
                            r.treatment,
                            f + 1
                        ))
                    })?;
                for (j, v) in ptest.predict(&fit.coef).into_iter().enumerate() {
                    out[test[j]] = v;
                }
            }
            for (j, &i) in test.iter().enumerate() {
                e[i] = e_test[j];
            }
        }
        let overlap = overlap_summary(t, &e, OVERLAP_THRESHOLD);
        if p.clip > 0.0 {
            e.iter_mut()
                .for_each(|v| *v = v.clamp(p.clip, 1.0 - p.clip));
        }
        let psi: Vec<f64> = (0..n)
            .map(|i| {
                mu1[i] - mu0[i] + t[i] * (y[i] - mu1[i]) / e[i]
                    - (1.0 - t[i]) * (y[i] - mu0[i]) / (1.0 - e[i])
            })
            .collect();
        let ate = mean(&psi);
        let se = (variance(&psi) / n as f64).sqrt();
        Ok(EffectFit {
            ate,
            se,
            warnings: overlap.warnings(&r.treatment),
            details: json!({
                "folds": k,
                "seed": p.seed,
                "clip": p.clip,
                "propensity_covariates": pnames,
                "outcome_covariates": onames,
                "overlap": overlap,
            }),
        })
    }
}

impl AteEstimator for Aipw {
    fn method(&self) -> Method {
        Method::Aipw
    }

    fn estimand(&self) -> String {
        self.params.roles.backdoor_estimand()
    }

    fn with_extra_covariate(&self, name: &str) -> Box<dyn AteEstimator> {
        let mut p = self.params.clone();
        p.roles.covariates.push(name.to_owned());
        for list in [&mut p.propensity_covariates, &mut p.outcome_covariates]
            .into_iter()
            .flatten()
        {
            list.push(name.to_owned());
        }
        Box::new(Self { params: p })
    }

    role_methods!(without_extra_covariate);
}
