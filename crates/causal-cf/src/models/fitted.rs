//! The steps every network shares: setting up a fit (scaling, tensors, seed, parameter store),
//! training it on the causal-torch Trainer, and what a fitted model keeps to answer queries.

use causal_torch::nn::{Activation, Mlp, MlpParams};
use causal_torch::tch::nn::{Path, VarStore};
use causal_torch::tch::{Device, Tensor};
use causal_torch::trainer::{History, Objective};

use causal_core::data::{ColumnRoles, Dataset};

use super::prep::{FitTensors, Scaler, YScale, to_vec};
use super::settings::TrainSettings;
use super::{IteModel, PotentialOutcomes, gaussian_samples, residual_sd};
use crate::data::units::{Units, covariates};
use crate::error::{CfError, Result};

/// Passes a causal-cf error through the trainer's error type.
pub(crate) fn to_torch(e: CfError) -> causal_torch::TorchError {
    match e {
        CfError::Torch(t) => t,
        other => causal_torch::TorchError::InvalidParameter(other.to_string()),
    }
}

/// Widths must be positive, and a representation non-empty.
pub(crate) fn check_widths(rep: &[usize], heads: &[usize]) -> Result<()> {
    if rep.is_empty() || rep.contains(&0) || heads.contains(&0) {
        return Err(CfError::InvalidParameter(format!(
            "representation widths {rep:?} and head widths {heads:?} must be non-empty and positive"
        )));
    }
    Ok(())
}

/// Loss weights must be non-negative (and not NaN); the error lists them all, e.g.
/// "alpha 1, beta -1 and head L2 0.01 must be non-negative".
pub(crate) fn check_non_negative(weights: &[(&str, f64)]) -> Result<()> {
    if weights.iter().all(|(_, w)| *w >= 0.0) {
        return Ok(());
    }
    let named: Vec<String> = weights.iter().map(|(n, w)| format!("{n} {w}")).collect();
    let list = match named.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => named.concat(),
    };
    Err(CfError::InvalidParameter(format!(
        "{list} must be non-negative"
    )))
}

/// An ELU MLP `input → hidden.. → output` under `path`.
pub(crate) fn elu_mlp<'a>(
    input: usize,
    hidden: &[usize],
    output: usize,
    path: impl std::borrow::Borrow<Path<'a>>,
) -> Result<Mlp> {
    Ok(MlpParams::new(input, hidden, output)
        .activation(Activation::Elu)
        .build(path)?)
}

/// A representation network Φ with ELU layers `widths` (the last is Φ's size) and its size.
pub(crate) fn representation<'a>(
    input: usize,
    widths: &[usize],
    path: impl std::borrow::Borrow<Path<'a>>,
) -> Result<(Mlp, usize)> {
    let (hidden, out) = widths.split_at(widths.len() - 1);
    Ok((elu_mlp(input, hidden, out[0], path)?, out[0]))
}

/// The start of every fit: the device, scalers fit on the training units and an empty parameter
/// store, with LibTorch's generator seeded for the initialisation.
pub(crate) struct Setup {
    /// Number of covariates.
    pub(crate) d: usize,
    /// Share of treated training units.
    pub(crate) treated_share: f64,
    /// Per covariate, whether it is binary.
    pub(crate) binary: Vec<bool>,
    pub(crate) device: Device,
    scaler: Scaler,
    pub(crate) ys: YScale,
    vs: VarStore,
    n: usize,
    with_valid: bool,
    /// LibTorch's process-wide generator, held from seeding until training ends (the
    /// networks' initialisation draws from it), so that fits in concurrent threads cannot
    /// interleave their draws and make a seeded fit depend on thread timing.
    _rng: std::sync::MutexGuard<'static, ()>,
}

impl Setup {
    /// The setup and the training (and validation) tensors, both tables read through `roles`
    /// (see [`Units::new`] for what is checked); `scale_all` whitens binary covariates too
    /// (Pyro's CEVAE).
    pub(crate) fn new(
        train: &Dataset,
        roles: &ColumnRoles,
        valid: Option<&Dataset>,
        settings: &TrainSettings,
        scale_all: bool,
    ) -> Result<(Self, FitTensors)> {
        let train = Units::new(train, roles)?;
        let valid = valid.map(|v| Units::new(v, roles)).transpose()?;
        let device = settings.resolve_device()?;
        let rng = causal_torch::seed::generator_lock();
        causal_torch::seed::manual_seed(settings.seed);
        let scaler = Scaler::fit(&train, scale_all);
        let ys = YScale::fit(train.y);
        let data = FitTensors::new(&train, valid.as_ref(), &scaler, &ys, device)?;
        let setup = Self {
            d: train.d(),
            treated_share: train.n_treated() as f64 / train.n() as f64,
            binary: train.binary.clone(),
            device,
            scaler,
            ys,
            vs: VarStore::new(device),
            n: train.n(),
            with_valid: valid.is_some(),
            _rng: rng,
        };
        Ok((setup, data))
    }

    /// The parameter store's root, for building the networks.
    pub(crate) fn root(&self) -> Path<'_> {
        self.vs.root()
    }

    /// Trains the stored parameters on the loss `terms` over `data` (early stopping when there
    /// was validation data) and returns the fitted state; see [`TermsObjective`].
    pub(crate) fn train<F>(
        mut self,
        settings: &TrainSettings,
        data: &FitTensors,
        terms: F,
    ) -> Result<FitState>
    where
        F: FnMut(&Tensor, &Tensor, &Tensor, bool) -> Result<Vec<(String, Tensor)>>,
    {
        let trainer = settings.trainer(self.device, self.with_valid)?;
        let mut objective = TermsObjective { data, terms };
        let history = trainer.fit(&mut self.vs, &mut objective, self.n)?;
        Ok(FitState {
            _vs: self.vs,
            scaler: self.scaler,
            ys: self.ys,
            device: self.device,
            history,
            sd: [1.0; 2],
        })
    }
}

/// The objective every network trains on: `terms(x, t, y, train)` names the loss terms on the
/// units (x, t, y). Training sums them on each mini-batch (`train` true); early stopping scores
/// the validation units by the sum of their values with `train` false, where a model leaves out
/// its penalties.
struct TermsObjective<'a, F> {
    data: &'a FitTensors,
    terms: F,
}

impl<F> Objective for TermsObjective<'_, F>
where
    F: FnMut(&Tensor, &Tensor, &Tensor, bool) -> Result<Vec<(String, Tensor)>>,
{
    fn train_loss(
        &mut self,
        batch: &Tensor,
        _epoch: usize,
    ) -> causal_torch::Result<Vec<(String, Tensor)>> {
        let (x, t, y) = self.data.batch(batch)?;
        (self.terms)(&x, &t, &y, true).map_err(to_torch)
    }

    fn validation_loss(&mut self, _epoch: usize) -> causal_torch::Result<Option<f64>> {
        let Some((x, t, y)) = self.data.valid() else {
            return Ok(None);
        };
        let terms = (self.terms)(x, t, y, false).map_err(to_torch)?;
        let mut total = 0.0;
        for (_, v) in &terms {
            total += v.f_double_value(&[])?;
        }
        Ok(Some(total))
    }
}

/// What a fitted network keeps besides its layers.
pub(crate) struct FitState {
    _vs: VarStore,
    pub(crate) scaler: Scaler,
    pub(crate) ys: YScale,
    pub(crate) device: Device,
    pub(crate) history: History,
    /// Training residual spread per arm, for the deterministic models' outcome samples.
    pub(crate) sd: [f64; 2],
}

impl FitState {
    /// Number of covariates.
    pub(crate) fn dim(&self) -> usize {
        self.scaler.dim()
    }

    /// The number of rows of `data` and the scaled tensor of its covariates (the columns named
    /// by `roles.covariates`, in the order the model was fit on; other roles are not read).
    ///
    /// # Errors
    ///
    /// [`CfError::Shape`] for a number of covariates other than the model's; the errors of
    /// [`covariates`] (no covariates, an unknown, categorical, incomplete or non-finite one).
    pub(crate) fn input(&self, data: &Dataset, roles: &ColumnRoles) -> Result<(usize, Tensor)> {
        let x = covariates(data, roles)?;
        if x.len() != self.dim() {
            return Err(CfError::Shape(format!(
                "the model was fit on {} covariates, {} were given",
                self.dim(),
                x.len()
            )));
        }
        Ok((data.n_rows(), self.scaler.tensor(&x, self.device)?))
    }

    /// Standardized outcome tensors back on the outcome's scale.
    pub(crate) fn outcomes(&self, y0: &Tensor, y1: &Tensor) -> Result<PotentialOutcomes> {
        Ok(PotentialOutcomes {
            y0: self.ys.back(&to_vec(y0)?),
            y1: self.ys.back(&to_vec(y1)?),
        })
    }

    /// Gaussian draws of y | do(t), x around ŷ(t) with the arm's residual spread.
    pub(crate) fn sample_around(
        &self,
        po: &PotentialOutcomes,
        treated: bool,
        n_samples: usize,
        seed: u64,
    ) -> Result<Vec<Vec<f64>>> {
        let (mean, sd) = if treated {
            (&po.y1, self.sd[1])
        } else {
            (&po.y0, self.sd[0])
        };
        gaussian_samples(mean, sd, n_samples, seed)
    }
}

/// A freshly fitted deterministic model, with the training residual spread per arm recorded in
/// its [`FitState`] (reached through `state`) for its Gaussian `sample_do` draws.
pub(crate) fn with_residuals<M: IteModel>(
    mut model: M,
    train: &Dataset,
    roles: &ColumnRoles,
    state: fn(&mut M) -> &mut FitState,
) -> Result<M> {
    let po = model.predict(train, roles)?;
    state(&mut model).sd = residual_sd(&Units::new(train, roles)?, &po);
    Ok(model)
}

/// The [`IteModel`] methods every model answers from its [`FitState`] in field
/// `state`; with `deterministic`, also `sample_do` as Gaussian draws around ŷ(t).
macro_rules! state_methods {
    () => {
        fn dim(&self) -> usize {
            self.state.dim()
        }

        fn history(&self) -> &causal_torch::trainer::History {
            &self.state.history
        }
    };
    (deterministic) => {
        $crate::models::fitted::state_methods!();

        fn sample_do(
            &self,
            data: &causal_core::data::Dataset,
            roles: &causal_core::data::ColumnRoles,
            treated: bool,
            n_samples: usize,
            seed: u64,
        ) -> $crate::error::Result<Vec<Vec<f64>>> {
            let po = self.predict(data, roles)?;
            self.state.sample_around(&po, treated, n_samples, seed)
        }
    };
}
pub(crate) use state_methods;
