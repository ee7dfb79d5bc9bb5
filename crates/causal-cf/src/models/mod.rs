//! Individual-effect estimators trained on the causal-torch [`Trainer`](causal_torch::trainer::Trainer): CEVAE, TARNet, CFR,
//! DragonNet and the S-/T-learner baselines.
//!
//! Each follows the same pattern: a consuming builder (`*Params`) validated by `check()` into an
//! estimator, whose `fit(train, roles, valid)` returns a fitted model implementing [`IteModel`].
//! The tables are [`Dataset`]s read through [`ColumnRoles`] (treatment, outcome, covariates);
//! the validation units drive early stopping only; the best-validation weights are kept.

use causal_core::contract::ParamGuard;
mod cevae;
mod cfr;
mod crossfit;
mod dragonnet;
mod ensemble;
mod fitted;
mod heads;
mod ipm;
mod learners;
pub(crate) mod prep;
mod propensity;
mod settings;

pub use cevae::{Cevae, CevaeEncoder, CevaeFit, CevaeParams, OutcomeNoise};
pub use cfr::{Cfr, CfrFit, CfrParams};
pub use crossfit::{CrossFit, cross_fit};
pub use dragonnet::{DragonNet, DragonNetFit, DragonNetParams};
pub use ensemble::Ensemble;
pub use ipm::Ipm;
pub use learners::{SLearner, SLearnerFit, SLearnerParams, TLearner, TLearnerFit, TLearnerParams};
pub use propensity::Propensity;
pub use settings::{ANNEALED, TrainSettings};

use causal_core::data::{ColumnRoles, Dataset};
use causal_torch::trainer::History;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

use crate::data::units::Units;
use crate::error::{CfError, Result};

/// Estimated potential outcomes ŷ(0), ŷ(1) per unit, on the outcome's own scale.
#[derive(Clone, Debug, PartialEq)]
pub struct PotentialOutcomes {
    /// ŷᵢ(0) = E[Y | do(t = 0), xᵢ].
    pub y0: Vec<f64>,
    /// ŷᵢ(1) = E[Y | do(t = 1), xᵢ].
    pub y1: Vec<f64>,
}

impl PotentialOutcomes {
    /// The estimated conditional effects τ̂ᵢ = ŷᵢ(1) − ŷᵢ(0).
    pub fn cate(&self) -> Vec<f64> {
        self.y1.iter().zip(&self.y0).map(|(a, b)| a - b).collect()
    }

    /// The estimated average effect, mean of [`PotentialOutcomes::cate`].
    pub fn ate(&self) -> f64 {
        let c = self.cate();
        c.iter().sum::<f64>() / c.len().max(1) as f64
    }
}

/// A fitted individual-effect model: the counterfactual query API.
///
/// Every query reads the rows of a [`Dataset`] through the covariates role of its
/// [`ColumnRoles`] (the columns the model was fit on, in the same order); the treatment and
/// outcome roles may be set, and are not read.
pub trait IteModel {
    /// The model's name, e.g. `TARNet`.
    fn name(&self) -> &str;

    /// Number of covariates the model was fit on.
    fn dim(&self) -> usize;

    /// ŷ(0) and ŷ(1) for every row of `data`.
    ///
    /// # Errors
    ///
    /// [`CfError::Shape`] for a number of covariates other than [`IteModel::dim`];
    /// [`CfError::InvalidParameter`] when no covariate is named; [`CfError::Core`] for an unknown
    /// covariate, a categorical one of more than two levels or one with missing cells;
    /// [`CfError::BadValue`]; LibTorch errors.
    fn predict(&self, data: &Dataset, roles: &ColumnRoles) -> Result<PotentialOutcomes>;

    /// `n_samples` draws of y | do(t), x for each row of `data` (one inner vector per row).
    ///
    /// CEVAE samples its latent confounder and its outcome distribution; the deterministic
    /// networks add Gaussian noise with the arm's training residual spread to ŷ(t).
    ///
    /// # Errors
    ///
    /// As [`IteModel::predict`].
    fn sample_do(
        &self,
        data: &Dataset,
        roles: &ColumnRoles,
        treated: bool,
        n_samples: usize,
        seed: u64,
    ) -> Result<Vec<Vec<f64>>>;

    /// The propensity P(t = 1 | x) for every row of `data`, for models with a propensity head.
    ///
    /// # Errors
    ///
    /// As [`IteModel::predict`].
    fn propensity(&self, _data: &Dataset, _roles: &ColumnRoles) -> Result<Option<Vec<f64>>> {
        Ok(None)
    }

    /// The training history (the last stage's, for multi-stage fits).
    fn history(&self) -> &History;
}

/// Training residual spread per arm, for the deterministic models' outcome samples.
pub(crate) fn residual_sd(train: &Units<'_>, po: &PotentialOutcomes) -> [f64; 2] {
    let mut out = [1.0; 2];
    for (arm, slot) in out.iter_mut().enumerate() {
        let r: Vec<f64> = (0..train.n())
            .filter(|&i| train.t[i] == arm as f64)
            .map(|i| train.y[i] - if arm == 1 { po.y1[i] } else { po.y0[i] })
            .collect();
        if r.len() > 1 {
            *slot = (r.iter().map(|v| v * v).sum::<f64>() / r.len() as f64).sqrt();
        }
    }
    out
}

/// Gaussian draws around ŷ(t) with the arm's residual spread.
pub(crate) fn gaussian_samples(
    mean: &[f64],
    sd: f64,
    n_samples: usize,
    seed: u64,
) -> Result<Vec<Vec<f64>>> {
    let normal = Normal::new(0.0, sd.max(1e-12))
        .map_err(|e| CfError::InvalidParameter(format!("residual spread {sd}: {e}")))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Ok(mean
        .iter()
        .map(|m| {
            (0..n_samples)
                .map(|_| m + normal.sample(&mut rng))
                .collect()
        })
        .collect())
}

/// The models `fit_model` knows, by CLI name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ModelKind {
    /// CEVAE (Louizos et al. 2017), with this crate's default inference
    /// ([`CevaeParams::new`]).
    Cevae,
    /// CEVAE with Louizos et al.'s inference q(z | x, t, y) and the plain ELBO
    /// ([`CevaeParams::paper`]).
    CevaePaper,
    /// TARNet (Shalit et al. 2017).
    Tarnet,
    /// CFR with the Wasserstein IPM.
    CfrWass,
    /// CFR with the (linear) MMD IPM.
    CfrMmd,
    /// DragonNet with targeted regularization (Shi et al. 2019).
    DragonNet,
    /// One MLP on (x, t).
    SLearner,
    /// One MLP per arm.
    TLearner,
}

impl ModelKind {
    /// Every model, in the order of the benchmark table.
    pub const ALL: [ModelKind; 8] = [
        Self::Cevae,
        Self::CevaePaper,
        Self::Tarnet,
        Self::CfrWass,
        Self::CfrMmd,
        Self::DragonNet,
        Self::SLearner,
        Self::TLearner,
    ];

    /// The CLI name (`cevae`, `cevae-paper`, `tarnet`, `cfr-wass`, `cfr-mmd`, `dragonnet`,
    /// `s-learner`, `t-learner`).
    pub fn cli_name(self) -> &'static str {
        match self {
            Self::Cevae => "cevae",
            Self::CevaePaper => "cevae-paper",
            Self::Tarnet => "tarnet",
            Self::CfrWass => "cfr-wass",
            Self::CfrMmd => "cfr-mmd",
            Self::DragonNet => "dragonnet",
            Self::SLearner => "s-learner",
            Self::TLearner => "t-learner",
        }
    }

    /// Parses a CLI name.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidParameter`] listing the known names.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.cli_name() == name.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                CfError::InvalidParameter(format!(
                    "unknown model '{name}'; use one of {}",
                    Self::ALL.map(Self::cli_name).join(", ")
                ))
            })
    }
}

/// Settings [`fit_model_with`] applies on top of a model's default (paper) hyperparameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FitOptions {
    /// Seed of the initialisation, the shuffling and the Monte Carlo draws.
    pub seed: u64,
    /// Hide the progress bar.
    pub quiet: bool,
    /// Cap on the number of epochs (default: the model's own, with early stopping).
    pub epochs: Option<usize>,
    /// Device (default: `CAUSAL_DEVICE`, else CUDA if available, else CPU).
    pub device: Option<String>,
    /// Fit this many members with seeds `seed, seed + 1, …` and average them ([`Ensemble`]);
    /// 0 and 1 mean one model.
    pub ensemble: usize,
    /// The learning-rate schedule (default: the model's own, [`ANNEALED`] for every effect
    /// model but [`CevaeParams::paper`]).
    pub schedule: Option<causal_torch::trainer::LrSchedule>,
}

/// Fits the named model with its default (paper) hyperparameters and the given seed, on the
/// rows of `train` read through `roles` (treatment, outcome, covariates), early-stopping on
/// `valid` (read through the same roles) when given.
///
/// # Errors
///
/// Every error of the model's `check` and `fit`.
pub fn fit_model(
    kind: ModelKind,
    train: &Dataset,
    roles: &ColumnRoles,
    valid: Option<&Dataset>,
    seed: u64,
    quiet: bool,
) -> Result<Box<dyn IteModel>> {
    let options = FitOptions {
        seed,
        quiet,
        ..FitOptions::default()
    };
    fit_model_with(kind, train, roles, valid, &options)
}

/// Fits the named model with its default (paper) hyperparameters, changed by `options`; the
/// tables are read as in [`fit_model`].
///
/// # Examples
///
/// ```
/// use causal_cf::models::{FitOptions, IteModel, ModelKind, fit_model_with};
/// use causal_core::data::{ColumnRoles, Dataset};
///
/// let a: Vec<f64> = (0..40).map(|i| (i % 7) as f64 / 7.0).collect();
/// let b: Vec<f64> = (0..40).map(|i| (i % 2) as f64).collect();
/// let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// let y: Vec<f64> = a.iter().zip(&t).map(|(a, t)| a + 2.0 * t).collect();
/// let data = Dataset::new(vec!["a".into(), "b".into(), "t".into(), "y".into()], vec![a, b, t, y])?;
/// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["a", "b"]);
/// let options = FitOptions { seed: 3, quiet: true, epochs: Some(5), ..FitOptions::default() };
/// let model = fit_model_with(ModelKind::DragonNet, &data, &roles, None, &options)?;
/// assert_eq!(model.history().epochs(), 5);
/// assert_eq!(model.predict(&data, &roles)?.cate().len(), 40);
/// # Ok::<(), causal_cf::CfError>(())
/// ```
///
/// # Errors
///
/// Every error of the model's `check` and `fit`.
pub fn fit_model_with(
    kind: ModelKind,
    train: &Dataset,
    roles: &ColumnRoles,
    valid: Option<&Dataset>,
    options: &FitOptions,
) -> Result<Box<dyn IteModel>> {
    if options.ensemble > 1 {
        let members = (0..options.ensemble as u64)
            .map(|j| {
                let member = FitOptions {
                    seed: options.seed.wrapping_add(j),
                    ensemble: 1,
                    ..options.clone()
                };
                fit_model_with(kind, train, roles, valid, &member)
            })
            .collect::<Result<Vec<_>>>()?;
        return Ok(Box::new(Ensemble::new(members)?));
    }
    // Every builder takes the same settings and fits the same way.
    macro_rules! fit {
        ($params:expr) => {{
            let mut p = $params.seed(options.seed).quiet(options.quiet);
            if let Some(e) = options.epochs {
                p = p.epochs(e);
            }
            if let Some(d) = &options.device {
                p = p.device(d);
            }
            if let Some(s) = options.schedule {
                p = p.schedule(s);
            }
            Box::new(p.check()?.fit(train, roles, valid)?)
        }};
    }
    Ok(match kind {
        ModelKind::Cevae => fit!(CevaeParams::new()),
        ModelKind::CevaePaper => fit!(CevaeParams::paper()),
        ModelKind::Tarnet => fit!(CfrParams::tarnet()),
        ModelKind::CfrWass => fit!(CfrParams::wasserstein()),
        ModelKind::CfrMmd => fit!(CfrParams::mmd()),
        ModelKind::DragonNet => fit!(DragonNetParams::new()),
        ModelKind::SLearner => fit!(SLearnerParams::new()),
        ModelKind::TLearner => fit!(TLearnerParams::new()),
    })
}
