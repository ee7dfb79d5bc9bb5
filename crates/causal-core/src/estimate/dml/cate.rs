//! CATE meta-learners with cross-fitted nuisances: the DR-learner (Kennedy 2023), the
//! R-learner (Nie & Wager 2021) and the X-learner (Künzel et al. 2019), with a final stage
//! linear in chosen features and heteroskedasticity-robust (HC1) intervals, as EconML's
//! `LinearDRLearner` reports them.

use std::borrow::Cow;
use std::sync::Arc;

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use super::final_bootstrap::{StageTarget, bootstrap_bands};
use super::folds::{by_arm, cross_predict, joint_arms, random_folds, test_sets};
use super::named_columns;
use crate::contract::{Fit, ParamGuard};
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::learner::{Learner, LinearRegression, LogisticRegression};
use crate::stats::normal_quantile_two_sided;

/// The meta-learners.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CateMethod {
    /// Doubly robust pseudo-outcome regressed on the features.
    Dr,
    /// Robinson residual-on-residual regression (Nie & Wager's loss), with a linear or
    /// flexible effect.
    R,
    /// Imputed effects in each arm, combined by the propensity.
    X,
}

impl std::str::FromStr for CateMethod {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "dr" => Ok(Self::Dr),
            "r" => Ok(Self::R),
            "x" => Ok(Self::X),
            other => Err(CoreError::InvalidParameter(format!(
                "unknown CATE method '{other}' (dr, r, x)"
            ))),
        }
    }
}

/// Hyperparameters of [`CateLearner`].
#[derive(Clone, Debug)]
pub struct CateLearnerParams {
    method: CateMethod,
    treatment: String,
    outcome: String,
    covariates: Vec<String>,
    features: Vec<String>,
    regressor: Arc<dyn Learner>,
    classifier: Arc<dyn Learner>,
    folds: usize,
    seed: u64,
    trimming: f64,
    level: f64,
    final_stage: Option<Arc<dyn Learner>>,
    bootstrap: usize,
    joint_outcome: bool,
    overlap_weights: bool,
    plugin_offset: bool,
    composed_outcome: bool,
}

impl CateLearnerParams {
    /// A meta-learner of the effect of a binary `treatment` on `outcome`, linear in
    /// `features` (the effect modifiers; empty for a constant effect). Defaults: OLS and
    /// unpenalised logistic nuisances, 5 folds, seed 0, propensities clipped to [0.01, 0.99],
    /// 95% intervals.
    pub fn new(method: CateMethod, treatment: &str, outcome: &str, features: &[&str]) -> Self {
        Self {
            method,
            treatment: treatment.into(),
            outcome: outcome.into(),
            covariates: Vec::new(),
            features: features.iter().map(|s| (*s).to_owned()).collect(),
            regressor: Arc::new(LinearRegression),
            classifier: Arc::new(LogisticRegression::unpenalised()),
            folds: 5,
            seed: 0,
            trimming: 0.01,
            level: 0.95,
            final_stage: None,
            bootstrap: 0,
            joint_outcome: false,
            overlap_weights: false,
            plugin_offset: false,
            composed_outcome: false,
        }
    }

    /// A flexible final stage: `learner` (an MLP, a forest) regresses the DR pseudo-outcome on
    /// the features instead of OLS, or for the R-learner minimises
    /// `Σ (Y − m − (T − e) τ(v))²` as a weighted regression of `(Y − m)/(T − e)` with weights
    /// `(T − e)²` (so it must take row weights: [`Learner::takes_weights`]). The per-unit
    /// effects then come without intervals unless
    /// [`CateLearnerParams::final_stage_bootstrap`] asks for them. The DR-learner's ATE keeps
    /// the pseudo-outcome's standard error; the R-learner's is the mean effect, with the
    /// bootstrap's standard error when it runs.
    pub fn final_stage(mut self, learner: Box<dyn Learner>) -> Self {
        self.final_stage = Some(Arc::from(learner));
        self
    }

    /// Per-unit standard errors and intervals for the flexible final stage from `replicates`
    /// refits on bootstrap resamples of the pseudo-outcomes (0, the default: none; 200 or
    /// more for intervals). The resampling is seeded by the fold seed; see
    /// [`CateLearnerFit::cate_ci`] for the formula.
    pub fn final_stage_bootstrap(mut self, replicates: usize) -> Self {
        self.bootstrap = replicates;
        self
    }

    /// Weights the DR-learner's flexible final stage by the overlap `ê(x)(1 − ê(x))`.
    ///
    /// The pseudo-outcome's variance grows as `1/ê(x)` for treated and `1/(1 − ê(x))` for
    /// control units, so where overlap is poor a few units with extreme weights dominate an
    /// unweighted fit. Weights that depend on `x` alone leave the target of a flexible final
    /// stage unchanged: the minimiser of `E[w(X)(φ − f(X))²]` over all functions is still
    /// `E[φ | X = x] = τ(x)` wherever `w(x) > 0`. (A linear stage's target would change to a
    /// weighted projection, so the weights need a flexible stage that takes them.)
    ///
    /// # Formula
    ///
    /// `τ̂ = argmin_f Σᵢ ê(xᵢ)(1 − ê(xᵢ)) (φᵢ − f(vᵢ))²`, with `ê` clipped to
    /// `[trimming, 1 − trimming]`.
    pub fn overlap_weights(mut self, weighted: bool) -> Self {
        self.overlap_weights = weighted;
        self
    }

    /// Starts the flexible final stage from the plug-in effect `μ̂₁(x) − μ̂₀(x)` of the
    /// outcome models, so that the stage learns only the pseudo-outcome's departure from it.
    ///
    /// The stage still regresses the DR pseudo-outcome (or minimises the R-loss); only its
    /// functions are `τ̂₀ + g` instead of `g`, as a boosted regression starts from a base
    /// prediction. `E[φ − τ̂₀(X) | X] = τ(X) − τ̂₀(X)`, so the target is unchanged, while a
    /// stage that early-stops on noisy pseudo-outcomes (an MLP) now shrinks towards the
    /// plug-in rather than towards a constant. That helps as far as the plug-in is good: on
    /// IHDP with MLP nuisances (`cargo xtask experiment ihdp-meta`) it lowers the DR- and
    /// R-learners' √PEHE; with forest nuisances on a smooth simulated effect it changes little
    /// or costs a little. The out-of-fold `μ̂` serve the fitted rows; new
    /// rows get the average of every fold's models. The R-learner fits the per-arm outcome
    /// models for this besides `m(x)`. Bootstrap bands shift by `τ̂₀` (their widths and the
    /// mean effect's standard error are those of `g`).
    ///
    /// # Formula
    ///
    /// DR: `τ̂ = τ̂₀ + argmin_g Σᵢ wᵢ (φᵢ − τ̂₀(xᵢ) − g(vᵢ))²`. R:
    /// `τ̂ = τ̂₀ + argmin_g Σᵢ (Yᵢ − m̂ᵢ − (Tᵢ − êᵢ)(τ̂₀(xᵢ) + g(vᵢ)))²`.
    pub fn plugin_offset(mut self, offset: bool) -> Self {
        self.plugin_offset = offset;
        self
    }

    /// The R-learner's `m(x) = E[Y | x]` composed from the outcome models and the propensity,
    /// `m̂ = ê μ̂₁ + (1 − ê) μ̂₀` (all out of fold, the propensity clipped as everywhere),
    /// instead of a regression of Y on X alone.
    ///
    /// `E[Y | x] = e(x) μ₁(x) + (1 − e(x)) μ₀(x)`, so the composed `m̂` is consistent whenever
    /// its parts are, at the slower of their rates, and Nie & Wager's analysis leaves `m̂`'s
    /// estimator free. Two things make it the better choice when the arms' surfaces differ in
    /// shape: each part fits one smooth surface where a direct regression of Y on X must fit
    /// their propensity-weighted mixture, and `m̂`, `ê` and the plug-in agree with one another.
    /// With [`CateLearnerParams::plugin_offset`] the R-loss's starting residual becomes the
    /// factual residual `Y − μ̂_T(x)`, so the stage corrects the plug-in only where the
    /// outcome models miss the observed outcomes. On IHDP with MLP nuisances
    /// (`cargo xtask experiment ihdp-meta`) it lowers the R-learner's out-of-sample √PEHE from
    /// 1.25 to 0.95 on the shared replications and from 0.96 to 0.77 on fresh draws. No
    /// regression of Y on X is fitted: the per-arm (or joint) outcome models, which the
    /// plug-in offset fits anyway, take its place.
    ///
    /// # Formula
    ///
    /// `τ̂ = argmin_τ Σᵢ (Yᵢ − êᵢ μ̂₁(xᵢ) − (1 − êᵢ) μ̂₀(xᵢ) − (Tᵢ − êᵢ) τ(vᵢ))²`; with the
    /// plug-in offset, `τ̂ = τ̂₀ + argmin_g Σᵢ (Yᵢ − μ̂_{Tᵢ}(xᵢ) − (Tᵢ − êᵢ) g(vᵢ))²`.
    pub fn composed_outcome(mut self, composed: bool) -> Self {
        self.composed_outcome = composed;
        self
    }

    /// The DR- and X-learners' outcome models `μ₀(x)`, `μ₁(x)` from one regression of the
    /// outcome on the covariates and the treatment, fitted on both arms and predicted at
    /// `T = 0` and `T = 1` (EconML's `DRLearner` fits its `model_regression` so), instead of
    /// one regression per arm (the default). A flexible learner then fits the smaller arm with
    /// the other arm's rows to lean on; a linear one gives a constant effect.
    pub fn joint_outcome(mut self, joint: bool) -> Self {
        self.joint_outcome = joint;
        self
    }

    /// The confounders X the nuisance models read (the features are added to them).
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.covariates = names.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    super::nuisance_methods!();

    /// Confidence level of the intervals (default 0.95).
    pub fn level(mut self, level: f64) -> Self {
        self.level = level;
        self
    }
}

impl ParamGuard for CateLearnerParams {
    type Checked = CateLearner;
    type Error = crate::CoreError;
    fn check(self) -> Result<CateLearner> {
        if self.treatment == self.outcome {
            return Err(CoreError::InvalidParameter(format!(
                "'{}' cannot be both treatment and outcome",
                self.treatment
            )));
        }
        for f in self.features.iter().chain(&self.covariates) {
            if f == &self.treatment || f == &self.outcome {
                return Err(CoreError::InvalidParameter(format!(
                    "'{f}' is the treatment or outcome and cannot be a feature or covariate"
                )));
            }
        }
        if self.folds < 2 {
            return Err(CoreError::InvalidParameter(format!(
                "folds = {} must be at least 2",
                self.folds
            )));
        }
        if !(self.trimming >= 0.0 && self.trimming < 0.5) {
            return Err(CoreError::InvalidParameter(format!(
                "trimming = {} must be in [0, 0.5)",
                self.trimming
            )));
        }
        normal_quantile_two_sided(self.level)?;
        if let Some(stage) = &self.final_stage {
            if self.method == CateMethod::X {
                return Err(CoreError::InvalidParameter(
                    "a flexible final stage needs the DR- or R-learner; the X-learner's final \
                     stage is linear"
                        .into(),
                ));
            }
            if self.method == CateMethod::R && !stage.takes_weights() {
                return Err(CoreError::InvalidParameter(format!(
                    "the R-learner's final stage is a weighted regression, and the {} learner \
                     takes no row weights (linear, forest and mlp do)",
                    stage.describe()
                )));
            }
        }
        if self.composed_outcome && self.method != CateMethod::R {
            return Err(CoreError::InvalidParameter(
                "the composed outcome model m = e·μ₁ + (1 − e)·μ₀ serves the R-learner; the \
                 DR- and X-learners use μ₀ and μ₁ directly"
                    .into(),
            ));
        }
        if self.joint_outcome
            && self.method == CateMethod::R
            && !(self.plugin_offset || self.composed_outcome)
        {
            return Err(CoreError::InvalidParameter(
                "the joint outcome model serves the DR- and X-learners, the plug-in offset and \
                 the composed outcome model; the R-learner otherwise models E[Y | X] without \
                 the treatment"
                    .into(),
            ));
        }
        if self.plugin_offset && (self.final_stage.is_none() || self.method == CateMethod::X) {
            return Err(CoreError::InvalidParameter(
                "the plug-in offset starts a flexible final stage of the DR- or R-learner".into(),
            ));
        }
        if self.overlap_weights {
            match &self.final_stage {
                Some(stage) if self.method == CateMethod::Dr && stage.takes_weights() => {}
                _ => {
                    return Err(CoreError::InvalidParameter(
                        "overlap weights serve the DR-learner's flexible final stage, with a \
                         learner that takes row weights (linear, forest, mlp)"
                            .into(),
                    ));
                }
            }
        }
        if self.bootstrap > 0 && (self.final_stage.is_none() || self.bootstrap < 2) {
            return Err(CoreError::InvalidParameter(format!(
                "{} bootstrap replicates: the bootstrap serves a flexible final stage and needs \
                 at least 2 replicates",
                self.bootstrap
            )));
        }
        if self.final_stage.is_some() && self.features.is_empty() {
            return Err(CoreError::InvalidParameter(
                "a flexible final stage needs at least one feature".into(),
            ));
        }
        Ok(CateLearner { params: self })
    }
}

/// A checked meta-learner: see [`CateLearnerParams`].
///
/// # Formula
///
/// DR: `φ = μ₁ − μ₀ + T (Y − μ₁) / e − (1 − T)(Y − μ₀) / (1 − e)`, then OLS of φ on
/// `[1, V]`. R: OLS of `Y − m` on `(T − e) [1, V]`. X: `τ = e τ₀ + (1 − e) τ₁` with
/// `τ₁` the OLS of `Y − μ₀` on `[1, V]` among the treated and `τ₀` of `μ₁ − Y` among the
/// controls. Intervals (DR, R) from the HC1 sandwich covariance of the final stage. A flexible
/// final stage regresses φ on `V` (DR), or `(Y − m)/(T − e)` on `V` with weights `(T − e)²`
/// (R), with bootstrap intervals when asked.
#[derive(Clone, Debug)]
pub struct CateLearner {
    params: CateLearnerParams,
}

/// The result of a meta-learner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CateLearnerFit {
    /// The method.
    pub method: CateMethod,
    /// Final-stage coefficient names: `intercept`, then the features.
    pub names: Vec<String>,
    /// Final-stage coefficients: `τ(v) = β₀ + v·β`.
    pub coef: Vec<f64>,
    /// Their robust standard errors (`None` for the X-learner).
    pub se: Option<Vec<f64>>,
    /// Their intervals at `level` (`None` for the X-learner).
    pub ci: Option<Vec<[f64; 2]>>,
    /// The average effect: the mean of the pseudo-outcome (DR) or of the per-unit effects.
    pub ate: f64,
    /// Its standard error (DR and R).
    pub ate_se: Option<f64>,
    /// The effect of every row.
    pub cate: Vec<f64>,
    /// Its standard error (DR and R; a flexible final stage's from the bootstrap, if asked).
    pub cate_se: Option<Vec<f64>>,
    /// Per-unit intervals at `level` of a flexible final stage, from the bootstrap
    /// ([`CateLearnerParams::final_stage_bootstrap`]); the linear final stages' intervals are
    /// `cate ± z · cate_se`.
    ///
    /// # Formula
    ///
    /// The pairs bootstrap of the second stage: replicate `r` draws `n` rows with replacement,
    /// refits the final stage to their pseudo-outcomes `φ` and predicts every row; a row's
    /// standard error is the SD of its `B` predictions, its interval their `(1 − level)/2` and
    /// `(1 + level)/2` quantiles. The cross-fitted nuisances are held fixed (their error is
    /// second order in the orthogonal pseudo-outcome), so the bands describe the final stage's
    /// sampling error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cate_ci: Option<Vec<[f64; 2]>>,
    /// Confidence level.
    pub level: f64,
    /// Propensities clipped.
    pub clipped: usize,
}

impl Fit for CateLearner {
    type Object = CateLearnerFit;
    type Error = CoreError;

    /// As [`CateLearner::fit_cate`].
    fn fit(&self, data: &Dataset, (): ()) -> Result<CateLearnerFit> {
        self.fit_cate(data)
    }
}

impl CateLearner {
    /// Cross-fits the nuisances and fits the final stage.
    ///
    /// # Errors
    ///
    /// Unknown columns, a non-binary treatment, learner failures, a singular final stage.
    pub fn fit_cate(&self, data: &Dataset) -> Result<CateLearnerFit> {
        Ok(self.fit_inner(data, None)?.0)
    }

    /// Fits on `data` and predicts the effects of the rows of `new` (which needs the feature
    /// columns only): out-of-sample CATEs, for the DR- and R-learners.
    ///
    /// # Errors
    ///
    /// As [`CateLearner::fit_cate`]; a feature missing from `new`; the X-learner, whose
    /// prediction needs the propensity of the new rows.
    pub fn fit_predict(&self, data: &Dataset, new: &Dataset) -> Result<(CateLearnerFit, Vec<f64>)> {
        if self.params.method == CateMethod::X {
            return Err(CoreError::InvalidParameter(
                "the X-learner predicts in-sample only".into(),
            ));
        }
        let (fit, pred) = self.fit_inner(data, Some(new))?;
        Ok((fit, pred.unwrap_or_default()))
    }

    fn fit_inner(
        &self,
        data: &Dataset,
        new: Option<&Dataset>,
    ) -> Result<(CateLearnerFit, Option<Vec<f64>>)> {
        let p = &self.params;
        let y = data.column(&p.outcome)?;
        let t = data.check_binary(&p.treatment)?;
        let n = data.n_rows();
        let mut xnames: Vec<&String> = p.covariates.iter().collect();
        for f in &p.features {
            if !xnames.contains(&f) {
                xnames.push(f);
            }
        }
        // The final stage's design: an intercept, then the features.
        let design = |d: &Dataset| named_columns(d, Some(&vec![1.0; d.n_rows()]), &p.features);
        let x = named_columns(data, None, &xnames)?;
        let v = design(data)?;
        // The nuisances' features at the new rows, for the plug-in offset there.
        let x_new = new
            .filter(|_| p.plugin_offset)
            .map(|d| named_columns(d, None, &xnames))
            .transpose()?;
        let v_new = new.map(design).transpose()?;
        let ones = t.iter().filter(|v| **v == 1.0).count();
        if p.folds > ones.min(n - ones) {
            return Err(CoreError::InvalidParameter(format!(
                "{} folds, but the smaller arm of '{}' has {} rows",
                p.folds,
                p.treatment,
                ones.min(n - ones)
            )));
        }
        let tests = test_sets(&random_folds(n, p.folds, p.seed, 0), p.folds);
        let reg = p.regressor.as_ref();
        let mut e = cross_predict(
            p.classifier.as_ref(),
            &x,
            t,
            &tests,
            &|_| true,
            &p.treatment,
        )?;
        let mut clipped = 0;
        for ei in e.iter_mut() {
            let c = ei.clamp(p.trimming, 1.0 - p.trimming);
            clipped += usize::from(c != *ei);
            *ei = c;
        }
        let arms = if p.joint_outcome { joint_arms } else { by_arm };
        let z = normal_quantile_two_sided(p.level)?;
        let mut names = vec!["intercept".to_owned()];
        names.extend(p.features.iter().cloned());
        match p.method {
            CateMethod::Dr | CateMethod::R => {
                // DR: the pseudo-outcome φ. R: the outcome residual `Y − m` and the treatment
                // residual `T − e`.
                let outcome_arms =
                    if p.method == CateMethod::Dr || p.plugin_offset || p.composed_outcome {
                        Some(arms(reg, &x, y, t, &tests, &p.outcome, x_new.as_ref())?)
                    } else {
                        None
                    };
                let (target, t_res) = match (&outcome_arms, p.method) {
                    (Some(a), CateMethod::Dr) => {
                        let (mu0, mu1) = (&a.mu0, &a.mu1);
                        let phi: Vec<f64> = (0..n)
                            .map(|i| {
                                mu1[i] - mu0[i] + t[i] * (y[i] - mu1[i]) / e[i]
                                    - (1.0 - t[i]) * (y[i] - mu0[i]) / (1.0 - e[i])
                            })
                            .collect();
                        (phi, None)
                    }
                    (fitted, _) => {
                        let m = match fitted.as_ref().filter(|_| p.composed_outcome) {
                            Some(a) => (0..n)
                                .map(|i| e[i] * a.mu1[i] + (1.0 - e[i]) * a.mu0[i])
                                .collect(),
                            None => cross_predict(reg, &x, y, &tests, &|_| true, &p.outcome)?,
                        };
                        let res: Vec<f64> = (0..n).map(|i| y[i] - m[i]).collect();
                        (res, Some((0..n).map(|i| t[i] - e[i]).collect::<Vec<f64>>()))
                    }
                };
                let offset = outcome_arms.filter(|_| p.plugin_offset).map(|a| {
                    let plug = a.mu1.iter().zip(&a.mu0).map(|(m1, m0)| m1 - m0).collect();
                    let plug_new = a
                        .new
                        .map(|(n0, n1)| n1.iter().zip(&n0).map(|(m1, m0)| m1 - m0).collect());
                    Offset { plug, plug_new }
                });
                if let Some(stage) = &p.final_stage {
                    let pseudo = Pseudo {
                        target: &target,
                        t_res: t_res.as_deref(),
                        e: &e,
                        offset: offset.as_ref(),
                    };
                    return self.flexible(stage.as_ref(), &v, v_new.as_ref(), pseudo, clipped);
                }
                let design = match &t_res {
                    None => v.clone(),
                    Some(w) => {
                        let mut d = v.clone();
                        for (i, wi) in w.iter().enumerate() {
                            d.row_mut(i).iter_mut().for_each(|c| *c *= wi);
                        }
                        d
                    }
                };
                let (beta, cov) = robust_ols(&design, &target, &names)?;
                let se: Vec<f64> = (0..beta.len()).map(|j| cov[(j, j)].sqrt()).collect();
                let ci = beta
                    .iter()
                    .zip(&se)
                    .map(|(b, s)| [b - z * s, b + z * s])
                    .collect();
                let cate: Vec<f64> = (0..n).map(|i| v.row(i).dot(&beta.transpose())).collect();
                let cate_se: Vec<f64> = (0..n)
                    .map(|i| {
                        let r = v.row(i);
                        (r * &cov * r.transpose())[(0, 0)].max(0.0).sqrt()
                    })
                    .collect();
                // The ATE is the final stage at the mean features; its variance the sandwich
                // form at that point.
                let vbar =
                    DVector::from_iterator(v.ncols(), (0..v.ncols()).map(|j| v.column(j).mean()));
                let ate = vbar.dot(&beta);
                let ate_se = (vbar.transpose() * &cov * &vbar)[(0, 0)].max(0.0).sqrt();
                let pred = v_new.map(|m| (m * &beta).iter().copied().collect());
                let fit = CateLearnerFit {
                    method: p.method,
                    names,
                    coef: beta.iter().copied().collect(),
                    se: Some(se),
                    ci: Some(ci),
                    ate,
                    ate_se: Some(ate_se),
                    cate,
                    cate_se: Some(cate_se),
                    cate_ci: None,
                    level: p.level,
                    clipped,
                };
                Ok((fit, pred))
            }
            CateMethod::X => {
                let a = arms(reg, &x, y, t, &tests, &p.outcome, None)?;
                let (mu0, mu1) = (a.mu0, a.mu1);
                let arm = |treated: bool| -> Result<DVector<f64>> {
                    let rows: Vec<usize> = (0..n).filter(|&i| (t[i] == 1.0) == treated).collect();
                    let d = v.select_rows(&rows);
                    let target: Vec<f64> = rows
                        .iter()
                        .map(|&i| {
                            if treated {
                                y[i] - mu0[i]
                            } else {
                                mu1[i] - y[i]
                            }
                        })
                        .collect();
                    Ok(robust_ols(&d, &target, &names)?.0)
                };
                let (b1, b0) = (arm(true)?, arm(false)?);
                let cate: Vec<f64> = (0..n)
                    .map(|i| {
                        let r = v.row(i).transpose();
                        e[i] * r.dot(&b0) + (1.0 - e[i]) * r.dot(&b1)
                    })
                    .collect();
                let ate = cate.iter().sum::<f64>() / n as f64;
                // The reported coefficients are the propensity-averaged arm models.
                let ebar = e.iter().sum::<f64>() / n as f64;
                let coef = (&b0 * ebar + &b1 * (1.0 - ebar)).iter().copied().collect();
                let fit = CateLearnerFit {
                    method: p.method,
                    names,
                    coef,
                    se: None,
                    ci: None,
                    ate,
                    ate_se: None,
                    cate,
                    cate_se: None,
                    cate_ci: None,
                    level: p.level,
                    clipped,
                };
                Ok((fit, None))
            }
        }
    }
}

impl CateLearner {
    /// The flexible final stage of the DR-learner (`t_res` is `None`: `target` is φ) or the
    /// R-learner (`target` is `Y − m`, `t_res` is `T − e`: the stage regresses
    /// `(Y − m)/(T − e)` on the features with weights `(T − e)²`, which minimises
    /// `Σ (Y − m − (T − e) τ(v))²`, Nie & Wager's loss, as EconML's `NonParamDML` does).
    fn flexible(
        &self,
        stage: &dyn Learner,
        v: &DMatrix<f64>,
        v_new: Option<&DMatrix<f64>>,
        pseudo: Pseudo<'_>,
        clipped: usize,
    ) -> Result<(CateLearnerFit, Option<Vec<f64>>)> {
        let p = &self.params;
        let Pseudo {
            target,
            t_res,
            e,
            offset,
        } = pseudo;
        let n = target.len();
        let (mut values, weights): (Cow<'_, [f64]>, Option<Vec<f64>>) = match t_res {
            None => (
                Cow::Borrowed(target),
                p.overlap_weights
                    .then(|| e.iter().map(|e| e * (1.0 - e)).collect()),
            ),
            // A zero treatment residual (no trimming and e ∈ {0, 1}) gets weight zero.
            Some(w) => (
                target
                    .iter()
                    .zip(w)
                    .map(|(r, w)| if *w == 0.0 { 0.0 } else { r / w })
                    .collect(),
                Some(w.iter().map(|w| w * w).collect()),
            ),
        };
        if let Some(o) = offset {
            values
                .to_mut()
                .iter_mut()
                .zip(&o.plug)
                .for_each(|(v, b)| *v -= b);
        }
        let stage_target = StageTarget {
            values: &values,
            weights: weights.as_deref(),
            name: if t_res.is_some() {
                "the R-learner's pseudo-outcome"
            } else {
                "the DR pseudo-outcome"
            },
        };
        // The features without `v`'s intercept column, copied once for the fit and the bootstrap.
        let features = v.columns(1, v.ncols() - 1).into_owned();
        let mut bands = if p.bootstrap > 0 {
            Some(bootstrap_bands(
                stage,
                &features,
                stage_target,
                p.bootstrap,
                p.seed,
                p.level,
            )?)
        } else {
            None
        };
        let (mut cate, mut pred) = flexible_final_stage(stage, &features, v_new, stage_target)?;
        if let Some(o) = offset {
            let add =
                |to: &mut [f64], base: &[f64]| to.iter_mut().zip(base).for_each(|(c, b)| *c += b);
            add(&mut cate, &o.plug);
            if let (Some(pr), Some(base)) = (pred.as_mut(), o.plug_new.as_ref()) {
                add(pr, base);
            }
            if let Some(b) = bands.as_mut() {
                for (ci, base) in b.ci.iter_mut().zip(&o.plug) {
                    ci[0] += base;
                    ci[1] += base;
                }
            }
        }
        let nf = n as f64;
        let (ate, ate_se) = if t_res.is_none() {
            // The DR pseudo-outcome's mean and its standard error.
            let ate = target.iter().sum::<f64>() / nf;
            let var = target.iter().map(|f| (f - ate).powi(2)).sum::<f64>() / (nf - 1.0).max(1.0);
            (ate, Some((var / nf).sqrt()))
        } else {
            // The R-learner's effects' mean; its standard error from the bootstrap, if run.
            (
                cate.iter().sum::<f64>() / nf,
                bands.as_ref().map(|b| b.mean_se),
            )
        };
        let (cate_se, cate_ci) = match bands {
            Some(b) => (Some(b.se), Some(b.ci)),
            None => (None, None),
        };
        Ok((
            CateLearnerFit {
                method: p.method,
                names: vec![],
                coef: vec![],
                se: None,
                ci: None,
                ate,
                ate_se,
                cate,
                cate_se,
                cate_ci,
                level: p.level,
                clipped,
            },
            pred,
        ))
    }
}

/// The plug-in effect `μ̂₁ − μ̂₀` a flexible final stage starts from
/// ([`CateLearnerParams::plugin_offset`]): out of fold at the fitted rows, fold-averaged at
/// the new rows.
struct Offset {
    plug: Vec<f64>,
    plug_new: Option<Vec<f64>>,
}

/// What a flexible final stage regresses: the DR pseudo-outcome `target` (`t_res` is `None`)
/// or the R-learner's outcome residual with the treatment residual `t_res`; the clipped
/// propensities `e` (for overlap weights) and the plug-in offset, if any.
#[derive(Clone, Copy)]
struct Pseudo<'a> {
    target: &'a [f64],
    t_res: Option<&'a [f64]>,
    e: &'a [f64],
    offset: Option<&'a Offset>,
}

/// A flexible final stage: `stage` fitted on every row's `features` with `target`, predicting
/// every row and the rows of `v_new` (whose first column is the intercept).
fn flexible_final_stage(
    stage: &dyn Learner,
    features: &DMatrix<f64>,
    v_new: Option<&DMatrix<f64>>,
    target: StageTarget<'_>,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let rows: Vec<usize> = (0..target.values.len()).collect();
    let fitted = target.fit(stage, features, &rows, target.name)?;
    let cate = fitted.predict(features, &rows);
    let pred = v_new.map(|m| {
        let f = m.columns(1, m.ncols() - 1).into_owned();
        let all: Vec<usize> = (0..f.nrows()).collect();
        fitted.predict(&f, &all)
    });
    if cate
        .iter()
        .chain(pred.iter().flatten())
        .any(|c| !c.is_finite())
    {
        return Err(CoreError::Numerical(format!(
            "the final stage on {} predicted a non-finite effect",
            target.name
        )));
    }
    Ok((cate, pred))
}

/// OLS of `y` on the columns of `d` (no intercept added) with the HC1 sandwich covariance
/// `n / (n − k) (DᵀD)⁻¹ Dᵀ diag(r²) D (DᵀD)⁻¹`.
fn robust_ols(
    d: &DMatrix<f64>,
    y: &[f64],
    names: &[String],
) -> Result<(DVector<f64>, DMatrix<f64>)> {
    let (n, k) = d.shape();
    if n <= k {
        return Err(CoreError::InvalidParameter(format!(
            "the final stage has {n} rows for {k} coefficients"
        )));
    }
    let yv = DVector::from_column_slice(y);
    let gram = d.tr_mul(d);
    let inv = gram
        .clone()
        .try_inverse()
        .filter(|m| m.iter().all(|v| v.is_finite()))
        .ok_or_else(|| {
            CoreError::Numerical(format!(
                "the final stage on [{}] is singular (a constant or collinear feature)",
                names.join(", ")
            ))
        })?;
    let beta = &inv * d.tr_mul(&yv);
    let resid = &yv - d * &beta;
    let mut meat = DMatrix::<f64>::zeros(k, k);
    for i in 0..n {
        let r = d.row(i);
        meat += r.transpose() * r * (resid[i] * resid[i]);
    }
    let cov = &inv * meat * &inv * (n as f64 / (n - k) as f64);
    Ok((beta, cov))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::learner::Fitted;

    /// OLS that keeps the targets and weights of its last weighted fit, to see what the
    /// R-learner's final stage was asked to fit.
    #[derive(Debug, Default)]
    struct Recording {
        seen: Arc<Mutex<Vec<(f64, f64)>>>,
    }

    impl Learner for Recording {
        fn describe(&self) -> String {
            "recording ols".into()
        }
        fn fit(
            &self,
            x: &DMatrix<f64>,
            y: &[f64],
            rows: &[usize],
            label: &str,
        ) -> Result<Box<dyn Fitted>> {
            LinearRegression.fit(x, y, rows, label)
        }
        fn fit_weighted(
            &self,
            x: &DMatrix<f64>,
            y: &[f64],
            weights: &[f64],
            rows: &[usize],
            label: &str,
        ) -> Result<Box<dyn Fitted>> {
            if let Ok(mut seen) = self.seen.lock() {
                *seen = rows.iter().map(|&i| (y[i], weights[i])).collect();
            }
            LinearRegression.fit_weighted(x, y, weights, rows, label)
        }
        fn takes_weights(&self) -> bool {
            true
        }
    }

    /// `x ~ U(−1, 1)`, `T` alternating in a pattern that depends on x, `Y` with arm-specific
    /// curvature, so that the composed `m̂` differs from a regression of Y on x.
    fn data(n: usize) -> Dataset {
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.731).sin()).collect();
        let t: Vec<f64> = (0..n)
            .map(|i| f64::from(u8::from((i as f64 * 1.37).cos() + 0.5 * x[i] > 0.2)))
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| x[i] + t[i] * (1.0 + x[i] * x[i]) + 0.3 * (i as f64 * 2.1).cos())
            .collect();
        Dataset::new(vec!["x".into(), "t".into(), "y".into()], vec![x, t, y]).unwrap()
    }

    #[test]
    fn the_composed_outcome_model_with_the_offset_fits_factual_residuals() {
        // With m̂ = ê μ̂₁ + (1 − ê) μ̂₀ and the offset μ̂₁ − μ̂₀, the R-loss's residual is
        // Y − μ̂_T(x): the stage regresses (Y − μ̂_T)/(T − ê) with weights (T − ê)², as the
        // out-of-fold OLS and logistic nuisances recomputed here give them.
        let n = 300;
        let d = data(n);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stage = Recording { seen: seen.clone() };
        CateLearnerParams::new(CateMethod::R, "t", "y", &["x"])
            .final_stage(Box::new(stage))
            .plugin_offset(true)
            .composed_outcome(true)
            .seed(4)
            .check()
            .unwrap()
            .fit_cate(&d)
            .unwrap();
        let (x, t, y) = (
            named_columns(&d, None, &["x"]).unwrap(),
            d.column("t").unwrap(),
            d.column("y").unwrap(),
        );
        let tests = test_sets(&random_folds(n, 5, 4, 0), 5);
        let e = cross_predict(
            &LogisticRegression::unpenalised(),
            &x,
            t,
            &tests,
            &|_| true,
            "t",
        )
        .unwrap();
        let a = by_arm(&LinearRegression, &x, y, t, &tests, "y", None).unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), n);
        for (i, (value, weight)) in seen.iter().enumerate() {
            let e = e[i].clamp(0.01, 0.99);
            let own = if t[i] == 1.0 { a.mu1[i] } else { a.mu0[i] };
            assert!((value - (y[i] - own) / (t[i] - e)).abs() < 1e-9, "row {i}");
            assert!((weight - (t[i] - e).powi(2)).abs() < 1e-12, "row {i}");
        }
    }

    #[test]
    fn the_composed_outcome_model_changes_the_linear_r_learner_and_serves_it_alone() {
        let d = data(400);
        let fit = |composed: bool| {
            CateLearnerParams::new(CateMethod::R, "t", "y", &["x"])
                .composed_outcome(composed)
                .seed(2)
                .check()
                .unwrap()
                .fit_cate(&d)
                .unwrap()
        };
        let (composed, direct) = (fit(true), fit(false));
        assert_ne!(composed.coef, direct.coef);
        // τ(x) = 1 + x², whose projection on [1, x] has intercept 1 + E[x²] ≈ 1.5: both
        // land near it.
        for f in [&composed, &direct] {
            assert!((f.coef[0] - 1.5).abs() < 0.3, "{:?}", f.coef);
        }
        for method in [CateMethod::Dr, CateMethod::X] {
            let e = CateLearnerParams::new(method, "t", "y", &["x"])
                .composed_outcome(true)
                .check()
                .unwrap_err()
                .to_string();
            assert!(e.contains("composed outcome model"), "{e}");
        }
    }
}
