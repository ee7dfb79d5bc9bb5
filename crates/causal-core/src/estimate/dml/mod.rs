//! Double/debiased machine learning (Chernozhukov et al. 2018) with K-fold cross-fitting and
//! repeated sample splits: the partially linear model (PLR), the interactive model (IRM: ATE
//! and ATTE), the partially linear IV model (PLIV) and the interactive IV model (IIVM, LATE),
//! with any [`Learner`] for the nuisances.
//!
//! The estimates follow DoubleML's `dml2` algorithm: within one repetition the score is solved
//! on all rows at once, `θ = −mean(ψ_b) / mean(ψ_a)`; over repetitions the point estimate is the
//! median, and the standard error is read off the median upper 95% bound, as DoubleML
//! aggregates. With DoubleML's fold assignments ([`DmlParams::fold_ids`]) and the same learners
//! the estimates agree with DoubleML 0.11 to 1e-6 (`tests/estimate_dml_doubleml.rs`).

mod dose;
mod folds;
mod joint;
mod scores;

pub use dose::{DoseResponse, DoseResponseFit, DoseResponseParams};
pub use joint::DmlJointFit;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::roles::owned;
use super::{AteEstimator, EffectFit, Method, ParamGuard, Roles};
use crate::contract::Fit;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::learner::{Lasso, Learner, LinearRegression, LogisticRegression};

/// The builder methods of the cross-fitted nuisances, shared by [`DmlParams`] and
/// [`CateLearnerParams`] (fields `regressor`, `classifier`, `folds`, `seed`, `trimming`).
macro_rules! nuisance_methods {
    () => {
        /// The learner of the conditional means (default: OLS).
        pub fn regressor(mut self, learner: impl Learner + 'static) -> Self {
            self.regressor = Arc::new(learner);
            self
        }

        /// The learner of the propensities and compliance probabilities (default:
        /// unpenalised logistic regression).
        pub fn classifier(mut self, learner: impl Learner + 'static) -> Self {
            self.classifier = Arc::new(learner);
            self
        }

        /// Both learners, boxed (as [`crate::learner::by_name`] returns them).
        pub fn learners(
            mut self,
            regressor: Box<dyn Learner>,
            classifier: Box<dyn Learner>,
        ) -> Self {
            self.regressor = Arc::from(regressor);
            self.classifier = Arc::from(classifier);
            self
        }

        /// Number of cross-fitting folds (default 5).
        pub fn folds(mut self, k: usize) -> Self {
            self.folds = k;
            self
        }

        /// Seed of the sample splitting (default 0).
        pub fn seed(mut self, seed: u64) -> Self {
            self.seed = seed;
            self
        }

        /// Propensities are clipped to `[t, 1 − t]` (default 0.01, as DoubleML).
        pub fn trimming(mut self, t: f64) -> Self {
            self.trimming = t;
            self
        }
    };
}
use nuisance_methods;

/// The columns `names` of `data` as an n × p matrix, after the column `lead` when given (the
/// final stage's intercept, the dose-response's treatment).
fn named_columns<S: AsRef<str>>(
    data: &Dataset,
    lead: Option<&[f64]>,
    names: &[S],
) -> Result<nalgebra::DMatrix<f64>> {
    let mut columns: Vec<&[f64]> = lead.into_iter().collect();
    for name in names {
        columns.push(data.column(name.as_ref())?);
    }
    Ok(crate::learner::columns_matrix(&columns, data.n_rows()))
}

mod cate;
mod final_bootstrap;
pub use cate::{CateLearner, CateLearnerFit, CateLearnerParams, CateMethod};

/// The four DML models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DmlModel {
    /// Partially linear regression `Y = θ D + g(X) + ε` (continuous or binary D).
    Plr,
    /// Interactive regression for a binary D (ATE or ATTE).
    Irm,
    /// Partially linear IV `Y = θ D + g(X) + ε`, with instrument Z.
    Pliv,
    /// Interactive IV: the local average treatment effect with a binary instrument.
    Iivm,
}

/// The score (and with it the target parameter) of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DmlScore {
    /// PLR and PLIV: the partialling-out score (the default).
    PartiallingOut,
    /// PLR: the IV-type score.
    IvType,
    /// IRM: the average treatment effect (the default).
    Ate,
    /// IRM: the average treatment effect on the treated.
    Atte,
    /// IIVM: the local average treatment effect.
    Late,
}

impl std::str::FromStr for DmlScore {
    type Err = CoreError;

    /// The score by its name: `partialling-out`, `iv-type`, `ate`, `atte` or `late`.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming the unknown score and the known ones.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "partialling-out" => Ok(Self::PartiallingOut),
            "iv-type" => Ok(Self::IvType),
            "ate" => Ok(Self::Ate),
            "atte" => Ok(Self::Atte),
            "late" => Ok(Self::Late),
            other => Err(CoreError::InvalidParameter(format!(
                "unknown score '{other}' (partialling-out, iv-type, ate, atte, late)"
            ))),
        }
    }
}

impl DmlModel {
    fn default_score(self) -> DmlScore {
        match self {
            Self::Plr | Self::Pliv => DmlScore::PartiallingOut,
            Self::Irm => DmlScore::Ate,
            Self::Iivm => DmlScore::Late,
        }
    }

    fn allows(self, score: DmlScore) -> bool {
        matches!(
            (self, score),
            (Self::Plr, DmlScore::PartiallingOut | DmlScore::IvType)
                | (Self::Irm, DmlScore::Ate | DmlScore::Atte)
                | (Self::Pliv, DmlScore::PartiallingOut)
                | (Self::Iivm, DmlScore::Late)
        )
    }

    fn name(self) -> &'static str {
        match self {
            Self::Plr => "dml-plr",
            Self::Irm => "dml-irm",
            Self::Pliv => "dml-pliv",
            Self::Iivm => "dml-iivm",
        }
    }
}

/// Hyperparameters of [`Dml`].
#[derive(Clone, Debug)]
pub struct DmlParams {
    model: DmlModel,
    score: DmlScore,
    roles: Roles,
    regressor: Arc<dyn Learner>,
    classifier: Arc<dyn Learner>,
    folds: usize,
    repeats: usize,
    seed: u64,
    trimming: f64,
    fold_ids: Option<Vec<Vec<usize>>>,
}

impl DmlParams {
    fn new(model: DmlModel, treatment: &str, outcome: &str, instrument: Option<&str>) -> Self {
        let mut roles = Roles::new(treatment, outcome);
        roles.extra = instrument.map(|z| vec![z.to_owned()]).unwrap_or_default();
        Self {
            model,
            score: model.default_score(),
            roles,
            regressor: Arc::new(LinearRegression),
            classifier: Arc::new(LogisticRegression::unpenalised()),
            folds: 5,
            repeats: 1,
            seed: 0,
            trimming: 0.01,
            fold_ids: None,
        }
    }

    /// Partially linear regression of `outcome` on `treatment`.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::data::Dataset;
    /// use causal_core::estimate::{DmlParams, ParamGuard};
    ///
    /// // y = 2 d + x + noise, d = x + noise (a small deterministic design).
    /// let n = 200;
    /// let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0).collect();
    /// let e: Vec<f64> = (0..n).map(|i| ((i * 53) % 97) as f64 / 48.0 - 1.0).collect();
    /// let d: Vec<f64> = x.iter().zip(&e).map(|(x, e)| x + e).collect();
    /// let y: Vec<f64> = (0..n).map(|i| 2.0 * d[i] + x[i] + 0.1 * e[(i + 7) % n]).collect();
    /// let data = Dataset::new(vec!["x".into(), "d".into(), "y".into()], vec![x, d, y])?;
    /// let fit = DmlParams::plr("d", "y").covariates(&["x"]).check()?.fit_dml(&data)?;
    /// assert!((fit.coef - 2.0).abs() < 0.1);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn plr(treatment: &str, outcome: &str) -> Self {
        Self::new(DmlModel::Plr, treatment, outcome, None)
    }

    /// Interactive regression model for a binary treatment (ATE by default).
    pub fn irm(treatment: &str, outcome: &str) -> Self {
        Self::new(DmlModel::Irm, treatment, outcome, None)
    }

    /// Partially linear IV model with one instrument.
    pub fn pliv(treatment: &str, outcome: &str, instrument: &str) -> Self {
        Self::new(DmlModel::Pliv, treatment, outcome, Some(instrument))
    }

    /// Interactive IV model (LATE) with a binary instrument and treatment.
    pub fn iivm(treatment: &str, outcome: &str, instrument: &str) -> Self {
        Self::new(DmlModel::Iivm, treatment, outcome, Some(instrument))
    }

    /// The model by name: `dml-plr`, `dml-irm`, `dml-pliv` or `dml-iivm` (the IV models need
    /// `instrument`).
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for an unknown name or a missing instrument.
    pub fn by_name(
        name: &str,
        treatment: &str,
        outcome: &str,
        instrument: Option<&str>,
    ) -> Result<Self> {
        let model = match name.strip_prefix("dml-").unwrap_or(name) {
            "plr" | "dml" => DmlModel::Plr,
            "irm" => DmlModel::Irm,
            "pliv" => DmlModel::Pliv,
            "iivm" => DmlModel::Iivm,
            _ => {
                return Err(CoreError::InvalidParameter(format!(
                    "unknown DML model '{name}' (dml-plr, dml-irm, dml-pliv, dml-iivm)"
                )));
            }
        };
        let iv = matches!(model, DmlModel::Pliv | DmlModel::Iivm);
        if iv && instrument.is_none() {
            return Err(CoreError::InvalidParameter(format!(
                "{} needs an instrument",
                model.name()
            )));
        }
        Ok(Self::new(
            model,
            treatment,
            outcome,
            instrument.filter(|_| iv),
        ))
    }

    /// The covariates X that the nuisance models read.
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.roles.covariates = owned(names);
        self
    }

    /// The score: partialling out or IV-type (PLR), ATE or ATTE (IRM).
    pub fn score(mut self, score: DmlScore) -> Self {
        self.score = score;
        self
    }

    nuisance_methods!();

    /// Number of repeated sample splits (default 1); estimates are aggregated by the median.
    pub fn repeats(mut self, r: usize) -> Self {
        self.repeats = r;
        self
    }

    /// Fixed fold assignments, one vector of fold ids (0..K) per repetition, instead of a
    /// seeded draw: to reproduce another implementation's splits exactly.
    pub fn fold_ids(mut self, ids: Vec<Vec<usize>>) -> Self {
        self.fold_ids = Some(ids);
        self
    }

    /// A lasso regressor with penalty `alpha` and an L2 logistic classifier with `C`.
    ///
    /// # Errors
    ///
    /// As [`Lasso::new`] and [`LogisticRegression::new`].
    pub fn lasso(self, alpha: f64, c: f64) -> Result<Self> {
        Ok(self
            .regressor(Lasso::new(alpha)?)
            .classifier(LogisticRegression::new(c)?))
    }
}

impl ParamGuard for DmlParams {
    type Checked = Dml;
    type Error = crate::CoreError;
    fn check(self) -> Result<Dml> {
        self.roles.check("instrument")?;
        let name = self.model.name();
        if !self.model.allows(self.score) {
            return Err(CoreError::InvalidParameter(format!(
                "{name} does not have the {:?} score",
                self.score
            )));
        }
        if self
            .roles
            .extra
            .iter()
            .any(|z| self.roles.covariates.contains(z))
        {
            return Err(CoreError::InvalidParameter(format!(
                "the instrument '{}' cannot also be a covariate",
                self.roles.extra[0]
            )));
        }
        if self.fold_ids.is_none() && self.folds < 2 {
            return Err(CoreError::InvalidParameter(format!(
                "{name}: folds = {} must be at least 2",
                self.folds
            )));
        }
        if self.fold_ids.as_ref().is_some_and(Vec::is_empty)
            || (self.fold_ids.is_none() && self.repeats == 0)
        {
            return Err(CoreError::InvalidParameter(format!(
                "{name}: repeats must be at least 1"
            )));
        }
        if !(self.trimming >= 0.0 && self.trimming < 0.5) {
            return Err(CoreError::InvalidParameter(format!(
                "{name}: trimming = {} must be in [0, 0.5)",
                self.trimming
            )));
        }
        Ok(Dml { params: self })
    }
}

/// A checked DML estimator: see [`DmlParams`].
///
/// # Formula
///
/// Per repetition `r`: `θ_r = −Σ ψ_b / Σ ψ_a`, `J = mean(ψ_a)`,
/// `se_r = √(mean(ψ²) / (n J²))` with `ψ = ψ_a θ_r + ψ_b`. Over repetitions:
/// `θ = median(θ_r)`, `se = (median(θ_r + 1.96 se_r) − θ) / 1.96`.
#[derive(Clone, Debug)]
pub struct Dml {
    params: DmlParams,
}

/// The result of a DML fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DmlFit {
    /// The model.
    pub model: DmlModel,
    /// The score.
    pub score: DmlScore,
    /// The estimate (median over repetitions).
    pub coef: f64,
    /// Its standard error.
    pub se: f64,
    /// The estimate of each repetition.
    pub all_coef: Vec<f64>,
    /// The standard error of each repetition.
    pub all_se: Vec<f64>,
    /// Folds per repetition.
    pub folds: usize,
    /// Propensities clipped to the trimming bounds, summed over repetitions.
    pub clipped: usize,
    /// Rows.
    pub n: usize,
    /// The learners, described.
    pub learners: Vec<String>,
}

impl Dml {
    /// Cross-fits the nuisances and solves the score.
    ///
    /// # Errors
    ///
    /// Unknown columns; a non-binary treatment (IRM, IIVM) or instrument (IIVM); a treatment
    /// with one value; folds with no training rows of a group; learner failures; every
    /// propensity outside the trimming bounds. Messages name the column or fold.
    pub fn fit_dml(&self, data: &Dataset) -> Result<DmlFit> {
        Ok(self.fit_with_influence(data)?.0)
    }

    /// As [`Dml::fit_dml`], with each repetition's influence values
    /// `φᵢ = −(ψ_a,i θ_r + ψ_b,i) / mean(ψ_a)` (so `θ_r − θ ≈ mean(φ)` and
    /// `se_r = √(mean(φ²) / n)`), which the multiplier bootstrap of [`Dml::fit_joint`] reweights.
    fn fit_with_influence(&self, data: &Dataset) -> Result<(DmlFit, Vec<Vec<f64>>)> {
        let p = &self.params;
        let r = &p.roles;
        let name = p.model.name();
        let y = data.column(&r.outcome)?;
        let d = data.column(&r.treatment)?;
        let n = data.n_rows();
        if d.iter().all(|v| *v == d[0]) {
            return Err(CoreError::InvalidParameter(format!(
                "{name}: the treatment '{}' takes one value only",
                r.treatment
            )));
        }
        let binary_d = matches!(p.model, DmlModel::Irm | DmlModel::Iivm);
        if binary_d {
            data.check_binary(&r.treatment)?;
        }
        let z = match r.extra.first() {
            Some(zn) => {
                let z = data.column(zn)?;
                if p.model == DmlModel::Iivm {
                    data.check_binary(zn)?;
                }
                if z.iter().all(|v| *v == z[0]) {
                    return Err(CoreError::InvalidParameter(format!(
                        "{name}: the instrument '{zn}' takes one value only"
                    )));
                }
                Some(z)
            }
            None => None,
        };
        let covariates: Vec<&[f64]> = r
            .covariates
            .iter()
            .map(|c| data.column(c))
            .collect::<Result<_>>()?;
        // Given assignments are borrowed, not copied (n ids a repetition).
        let assignments: std::borrow::Cow<'_, [Vec<usize>]> = match &p.fold_ids {
            Some(ids) => ids.as_slice().into(),
            None => (0..p.repeats)
                .map(|rep| folds::random_folds(n, p.folds, p.seed, rep))
                .collect::<Vec<_>>()
                .into(),
        };
        if p.fold_ids.is_none() {
            // The group models fit a nuisance within each treatment (IRM) or instrument (IIVM)
            // arm: every fold must be able to leave training rows of each arm.
            let (col, label) = match p.model {
                DmlModel::Irm => (Some(d), r.treatment.as_str()),
                DmlModel::Iivm => (z, r.extra[0].as_str()),
                _ => (None, ""),
            };
            let smallest = col.map_or(n, |c| {
                let ones = c.iter().filter(|v| **v == 1.0).count();
                ones.min(n - ones)
            });
            if p.folds > smallest {
                return Err(CoreError::InvalidParameter(format!(
                    "{name}: {} folds, but {} {smallest} rows{}",
                    p.folds,
                    if col.is_some() {
                        "the smaller arm has"
                    } else {
                        "there are"
                    },
                    if col.is_some() {
                        format!(" ('{label}' = 0 or 1)")
                    } else {
                        String::new()
                    }
                )));
            }
        }
        let inputs = scores::Inputs {
            covariates,
            x: std::sync::OnceLock::new(),
            y,
            d,
            z,
            y_name: &r.outcome,
            d_name: &r.treatment,
            z_name: r.extra.first().map_or("", String::as_str),
            regressor: p.regressor.as_ref(),
            classifier: p.classifier.as_ref(),
            trim: p.trimming,
        };
        let mut all_coef = Vec::with_capacity(assignments.len());
        let mut all_se = Vec::with_capacity(assignments.len());
        let mut clipped = 0;
        let mut k_used = 0;
        let mut influence = Vec::with_capacity(assignments.len());
        for (rep, ids) in assignments.iter().enumerate() {
            let tests = folds::check_fold_ids(ids, n, rep)?;
            k_used = tests.len();
            let el = scores::elements(p.model, p.score, &inputs, &tests)?;
            if binary_d && el.clipped == n && p.trimming > 0.0 {
                return Err(CoreError::NoOverlap(format!(
                    "{name}: every propensity of '{}' falls outside the trimming bounds [{t}, {}]",
                    r.treatment,
                    1.0 - p.trimming,
                    t = p.trimming
                )));
            }
            clipped += el.clipped;
            let (theta, se) = solve(&el.psi_a, &el.psi_b, name)?;
            let ja = el.psi_a.iter().sum::<f64>() / n as f64;
            influence.push(
                el.psi_a
                    .iter()
                    .zip(&el.psi_b)
                    .map(|(a, b)| -(a * theta + b) / ja)
                    .collect(),
            );
            all_coef.push(theta);
            all_se.push(se);
        }
        let (coef, se) = aggregate(&all_coef, &all_se);
        let fit = DmlFit {
            model: p.model,
            score: p.score,
            coef,
            se,
            all_coef,
            all_se,
            folds: k_used,
            clipped,
            n,
            learners: vec![p.regressor.describe(), p.classifier.describe()],
        };
        Ok((fit, influence))
    }
}

/// Solves the linear score on all rows: the estimate and its standard error.
fn solve(psi_a: &[f64], psi_b: &[f64], name: &str) -> Result<(f64, f64)> {
    let n = psi_a.len() as f64;
    let ja = psi_a.iter().sum::<f64>() / n;
    let jb = psi_b.iter().sum::<f64>() / n;
    if ja == 0.0 || !ja.is_finite() {
        return Err(CoreError::Numerical(format!(
            "{name}: the score's derivative is {ja} (no residual variation in the treatment or instrument)"
        )));
    }
    let theta = -jb / ja;
    let gamma = psi_a
        .iter()
        .zip(psi_b)
        .map(|(a, b)| (a * theta + b).powi(2))
        .sum::<f64>()
        / n;
    let se = (gamma / (n * ja * ja)).sqrt();
    if !theta.is_finite() || !se.is_finite() {
        return Err(CoreError::Numerical(format!(
            "{name}: the estimate is not finite"
        )));
    }
    Ok((theta, se))
}

/// The median (numpy's: the mean of the two middle values for an even count).
fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        0.5 * (s[m - 1] + s[m])
    }
}

/// DoubleML's aggregation over repetitions: the median estimate, and the standard error
/// implied by the median upper 95% bound.
fn aggregate(coef: &[f64], se: &[f64]) -> (f64, f64) {
    const Z: f64 = 1.96;
    let c = median(coef);
    let upper: Vec<f64> = coef.iter().zip(se).map(|(c, s)| c + Z * s).collect();
    (c, (median(&upper) - c) / Z)
}

impl Fit for Dml {
    type Object = EffectFit;
    type Error = CoreError;

    fn fit(&self, data: &Dataset, (): ()) -> Result<EffectFit> {
        let f = self.fit_dml(data)?;
        let mut warnings = Vec::new();
        if f.clipped > 0 {
            warnings.push(format!(
                "{} propensities (summed over {} repetitions) were clipped to [{t}, {}]",
                f.clipped,
                f.all_coef.len(),
                1.0 - self.params.trimming,
                t = self.params.trimming
            ));
        }
        Ok(EffectFit {
            ate: f.coef,
            se: f.se,
            warnings,
            details: json!(f),
        })
    }
}

impl AteEstimator for Dml {
    fn method(&self) -> Method {
        Method::Dml
    }

    fn estimand(&self) -> String {
        let r = &self.params.roles;
        let (t, y) = (&r.treatment, &r.outcome);
        let x = r.covariates.join(", ");
        match (self.params.model, self.params.score) {
            (DmlModel::Plr, _) => format!("θ in E[{y} | {t}, {x}] = θ {t} + g({x})"),
            (DmlModel::Irm, DmlScore::Atte) => {
                format!("E[{y}(1) − {y}(0) | {t} = 1] with {{{x}}} adjusted for")
            }
            (DmlModel::Irm, _) => r.backdoor_estimand(),
            (DmlModel::Pliv, _) => format!(
                "θ in {y} = θ {t} + g({x}) + ε, E[ε | {z}, {x}] = 0",
                z = r.extra.join(", ")
            ),
            (DmlModel::Iivm, _) => format!(
                "LATE of {t} on {y} among compliers of instrument {z}, given {{{x}}}",
                z = r.extra.join(", ")
            ),
        }
    }

    fn roles(&self) -> &Roles {
        &self.params.roles
    }

    fn with_extra_covariate(&self, name: &str) -> Box<dyn AteEstimator> {
        let mut p = self.params.clone();
        p.roles.covariates.push(name.to_owned());
        Box::new(Self { params: p })
    }

    fn with_roles(&self, treatment: &str, outcome: &str) -> Box<dyn AteEstimator> {
        let mut p = self.params.clone();
        p.roles.treatment = treatment.to_owned();
        p.roles.outcome = outcome.to_owned();
        Box::new(Self { params: p })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregation_is_doublemls() {
        let (c, s) = aggregate(&[1.0, 3.0, 2.0], &[0.1, 0.2, 0.3]);
        assert_eq!(c, 2.0);
        // upper bounds 1.196, 3.392, 2.588: median 2.588
        assert!((s - 0.3).abs() < 1e-12);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
