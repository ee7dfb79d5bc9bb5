//! The steps every network shares: setting up a fit (scaling, tensors, seed, parameter store),
//! training it on the causal-torch Trainer, and what a fitted model keeps to answer queries.

use causal_torch::nn::{Activation, Mlp, MlpParams};
use causal_torch::tch::nn::{Path, VarStore};
use causal_torch::tch::{Device, Kind, Tensor};
use causal_torch::trainer::{History, Objective};

use super::prep::{FitTensors, Scaler, YScale, to_vec};
use super::settings::TrainSettings;
use super::{PotentialOutcomes, gaussian_samples, residual_sd, rows_of};
use crate::data::IteData;
use crate::error::{CfError, Result};

/// Passes a causal-cf error through the trainer's error type.
pub(crate) fn to_torch(e: CfError) -> causal_torch::TorchError {
    match e {
        CfError::Torch(t) => t,
        other => causal_torch::TorchError::InvalidConfig(other.to_string()),
    }
}

/// Validation data must have the training data's covariates.
pub(crate) fn check_valid(train: &IteData, valid: Option<&IteData>) -> Result<()> {
    if let Some(v) = valid
        && v.d() != train.d()
    {
        return Err(CfError::Shape(format!(
            "validation data has {} covariates, training data {}",
            v.d(),
            train.d()
        )));
    }
    Ok(())
}

/// Widths must be positive, and a representation non-empty.
pub(crate) fn check_widths(rep: &[usize], heads: &[usize]) -> Result<()> {
    if rep.is_empty() || rep.contains(&0) || heads.contains(&0) {
        return Err(CfError::InvalidConfig(format!(
            "representation widths {rep:?} and head widths {heads:?} must be non-empty and positive"
        )));
    }
    Ok(())
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

/// `scale · Σ ‖W‖²` over the weight matrices of `nets` (the heads' L2 penalty).
pub(crate) fn sum_sq_weights(nets: &[&Mlp], scale: f64, device: Device) -> Result<Tensor> {
    let mut acc = Tensor::f_zeros([], (Kind::Float, device))?;
    for l in nets.iter().flat_map(|n| n.layers()) {
        acc = acc.f_add(
            &l.weight
                .f_square()?
                .f_sum(Kind::Float)?
                .f_mul_scalar(scale)?,
        )?;
    }
    Ok(acc)
}

/// The start of every fit: the device, scalers fit on the training units and an empty parameter
/// store, with LibTorch's generator seeded for the initialisation.
pub(crate) struct Setup {
    pub(crate) device: Device,
    scaler: Scaler,
    pub(crate) ys: YScale,
    vs: VarStore,
    n: usize,
    with_valid: bool,
}

impl Setup {
    /// The setup and the training (and validation) tensors; `scale_all` whitens binary
    /// covariates too (Pyro's CEVAE).
    pub(crate) fn new(
        train: &IteData,
        valid: Option<&IteData>,
        settings: &TrainSettings,
        scale_all: bool,
    ) -> Result<(Self, FitTensors)> {
        check_valid(train, valid)?;
        let device = settings.resolve_device()?;
        causal_torch::seed::manual_seed(settings.seed);
        let scaler = Scaler::fit(train, scale_all);
        let ys = YScale::fit(train.y());
        let data = FitTensors::new(train, valid, &scaler, &ys, device)?;
        let setup = Self {
            device,
            scaler,
            ys,
            vs: VarStore::new(device),
            n: train.n(),
            with_valid: valid.is_some(),
        };
        Ok((setup, data))
    }

    /// The parameter store's root, for building the networks.
    pub(crate) fn root(&self) -> Path<'_> {
        self.vs.root()
    }

    /// Trains the stored parameters on `objective` (early stopping when there was validation
    /// data) and returns the fitted state.
    pub(crate) fn train(
        mut self,
        settings: &TrainSettings,
        objective: &mut impl Objective,
    ) -> Result<FitState> {
        let trainer = settings.trainer(self.device, self.with_valid)?;
        let history = trainer.fit(&mut self.vs, objective, self.n)?;
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

    /// The number of rows of `x` and their scaled tensor.
    pub(crate) fn input(&self, x: &[f64]) -> Result<(usize, Tensor)> {
        let n = rows_of(x, self.dim())?;
        Ok((n, self.scaler.tensor(x, self.device)?))
    }

    /// Standardized outcome tensors back on the outcome's scale.
    pub(crate) fn outcomes(&self, y0: &Tensor, y1: &Tensor) -> Result<PotentialOutcomes> {
        Ok(PotentialOutcomes {
            y0: self.ys.back(&to_vec(y0)?),
            y1: self.ys.back(&to_vec(y1)?),
        })
    }

    /// Records the training residual spread per arm, given the model's training-unit outcomes.
    pub(crate) fn set_residuals(&mut self, train: &IteData, po: &PotentialOutcomes) {
        self.sd = residual_sd(train, po);
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

/// The [`IteModel`](super::IteModel) methods every model answers from its [`FitState`] in field
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
            x: &[f64],
            treated: bool,
            n_samples: usize,
            seed: u64,
        ) -> $crate::error::Result<Vec<Vec<f64>>> {
            let po = self.potential_outcomes(x)?;
            self.state.sample_around(&po, treated, n_samples, seed)
        }
    };
}
pub(crate) use state_methods;
