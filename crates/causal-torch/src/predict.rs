//! A graph-aligned MLP predictor (regressor or binary classifier) with three modes on one code
//! path: plain ERM on every feature, a hard restriction to a feature set (the target's causal
//! parents, or a stable set from `causal_core::identify::StableSetSearch`), and a soft
//! graph-alignment penalty with per-edge charges ([`AlignmentPrior`]).
//!
//! Every mode is the same network: a [`MaskedMlp`] with one node whose first layer reads the
//! features the mode allows (all of them, except under a hard restriction), trained by the
//! shared [`Trainer`](crate::trainer::Trainer) on the prediction loss plus, in the soft mode, `weight · Σᵢ chargeᵢ ·
//! Gᵢ` where `Gᵢ` is the root-mean-square gradient of the output with respect to input i over
//! the batch ([`input_gradient_norms`]): a group lasso on what the network does with each
//! input, which growing later layers cannot evade as it can a first-layer weight penalty.
//! Inputs (and a regression target) are standardised with the training rows' mean and
//! standard deviation, which the fitted model keeps.

use std::path::{Path, PathBuf};

use causal_core::contract::ParamGuard;
use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tch::nn::VarStore;
use tch::{Device, Kind, Reduction, Tensor};

use crate::checkpoint;
use crate::data::{dataset_to_tensor, tensor_to_vec};
use crate::error::{Result, TorchError};
use crate::loss::{AlignmentPrior, group_norms, input_gradient_norms};
use crate::nn::{Activation, MaskedMlp};
use crate::seed::manual_seed;
use crate::trainer::{History, Objective, TrainerParams};

/// What is predicted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PredictTask {
    /// A real target; squared loss; the target is standardised.
    #[default]
    Regression,
    /// A 0/1 target; logistic loss; predictions are probabilities.
    Binary,
}

/// How the causal graph shapes the predictor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Alignment {
    /// Plain empirical risk minimisation on every feature.
    #[default]
    Erm,
    /// Only these features reach the network (the others are masked out of the first layer).
    Restrict {
        /// The allowed features.
        features: Vec<String>,
    },
    /// A soft penalty `weight · Σᵢ chargeᵢ · Gᵢ` on the root-mean-square input gradients.
    Penalty {
        /// The penalty weight (≥ 0).
        weight: f64,
        /// The charge of each feature, in feature order: 0 for a parent the prior is sure of,
        /// 1 for a non-parent, `1 − c` for an edge held with confidence `c`.
        charges: Vec<f64>,
    },
}

impl Alignment {
    /// A short name: `erm`, `restrict` or `align`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Erm => "erm",
            Self::Restrict { .. } => "restrict",
            Self::Penalty { .. } => "align",
        }
    }
}

/// Hyperparameters of a [`Predictor`] (unchecked).
///
/// Defaults: regression, ERM, hidden `[32, 32]` with ReLU, 20% of the rows held out for early
/// stopping (patience 20), the trainer's defaults otherwise (Adam 1e-3, 100 epochs, batches of
/// 256) on the CPU unless the trainer says otherwise, seed 0.
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_core::data::Dataset;
/// use causal_core::graph::MixedGraph;
/// use causal_torch::predict::PredictorParams;
/// use causal_torch::trainer::TrainerParams;
///
/// // y = x + noise, and c = y + noise: an anti-causal feature.
/// let x: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0).collect();
/// let y: Vec<f64> = x.iter().enumerate().map(|(i, v)| v + ((i * 53) % 17) as f64 / 40.0).collect();
/// let c: Vec<f64> = y.iter().enumerate().map(|(i, v)| v + ((i * 29) % 13) as f64 / 60.0).collect();
/// let data = Dataset::new(vec!["x".into(), "y".into(), "c".into()], vec![x, y, c])?;
/// let mut g = MixedGraph::with_nodes(["x", "y", "c"])?;
/// g.add_directed("x", "y")?;
/// g.add_directed("y", "c")?;
/// let fit = PredictorParams::new("y", &["x", "c"])
///     .align_graph(&g, 1.0)?
///     .trainer(TrainerParams::new().epochs(20).quiet(true))
///     .check()?
///     .fit(&data)?;
/// assert_eq!(fit.predict(&data)?.len(), 200);
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PredictorParams {
    target: String,
    features: Vec<String>,
    task: PredictTask,
    alignment: Alignment,
    hidden: Vec<usize>,
    activation: Activation,
    trainer: TrainerParams,
    valid_fraction: f64,
    seed: u64,
    /// A column of row weights for the loss (none: every row weighs 1).
    #[serde(default)]
    weights: Option<String>,
}

impl PredictorParams {
    /// A predictor of `target` from `features`.
    pub fn new<S: AsRef<str>>(target: &str, features: &[S]) -> Self {
        Self {
            target: target.to_owned(),
            features: features.iter().map(|s| s.as_ref().to_owned()).collect(),
            task: PredictTask::Regression,
            alignment: Alignment::Erm,
            hidden: vec![32, 32],
            activation: Activation::Relu,
            trainer: TrainerParams::new()
                .patience(Some(20))
                .device(Device::Cpu)
                .quiet(true),
            valid_fraction: 0.2,
            seed: 0,
            weights: None,
        }
    }

    /// Regression or binary classification.
    pub fn task(mut self, task: PredictTask) -> Self {
        self.task = task;
        self
    }

    /// The alignment mode.
    pub fn alignment(mut self, alignment: Alignment) -> Self {
        self.alignment = alignment;
        self
    }

    /// Hard restriction to `features` (e.g. the target's parents, or a stable set).
    pub fn restrict<S: AsRef<str>>(self, features: &[S]) -> Self {
        let features = features.iter().map(|s| s.as_ref().to_owned()).collect();
        self.alignment(Alignment::Restrict { features })
    }

    /// The soft penalty with the charges of `prior` for each feature into the target.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] naming a feature or the target that the prior lacks.
    pub fn align(self, prior: &AlignmentPrior, weight: f64) -> Result<Self> {
        let charges = self
            .features
            .iter()
            .map(|f| {
                prior.weight(f, &self.target).ok_or_else(|| {
                    TorchError::InvalidParameter(format!(
                        "the alignment prior has no charge for '{f}' -> '{}'",
                        self.target
                    ))
                })
            })
            .collect::<Result<Vec<f64>>>()?;
        Ok(self.alignment(Alignment::Penalty { weight, charges }))
    }

    /// The soft penalty from a prior graph: a feature that is not a parent of the target is
    /// charged 1, a parent 0 (per-edge confidences: build an [`AlignmentPrior`] and use
    /// [`PredictorParams::align`]).
    ///
    /// # Errors
    ///
    /// [`causal_core::CoreError::UnknownNode`] (wrapped) for a feature or target the graph
    /// lacks; as [`AlignmentPrior::from_graph`].
    pub fn align_graph(self, graph: &MixedGraph, weight: f64) -> Result<Self> {
        let prior = AlignmentPrior::from_graph(
            graph,
            &self.features,
            std::slice::from_ref(&self.target),
            1.0,
        )?;
        self.align(&prior, weight)
    }

    /// Hidden widths (at least one layer).
    pub fn hidden(mut self, widths: &[usize]) -> Self {
        self.hidden = widths.to_vec();
        self
    }

    /// Hidden activation.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// The training loop's settings (its seed is replaced by [`PredictorParams::seed`]).
    pub fn trainer(mut self, trainer: TrainerParams) -> Self {
        self.trainer = trainer;
        self
    }

    /// Share of the rows held out for early stopping, in `[0, 0.9)`; 0 trains on every row
    /// for the trainer's epochs.
    pub fn valid_fraction(mut self, f: f64) -> Self {
        self.valid_fraction = f;
        self
    }

    /// Seed of the split, the initialisation and the batch order.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Weighs each row's loss by the column `name` (finite, non-negative, not all zero): the
    /// training and validation losses become `Σ wᵢ ℓᵢ / Σ wᵢ`, and a regression target is
    /// standardised with its weighted mean and standard deviation.
    pub fn weight_column(mut self, name: &str) -> Self {
        self.weights = Some(name.to_owned());
        self
    }
}

impl ParamGuard for PredictorParams {
    type Checked = Predictor;
    type Error = TorchError;

    /// Validates the parameters.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] naming the problem: no features, a repeated feature, the
    /// target among the features, a restricted feature that is not a feature, a negative or
    /// non-finite penalty weight or charge, charges not one per feature, no hidden layer or a
    /// zero width, a validation share outside `[0, 0.9)`; and the trainer's own checks.
    fn check(mut self) -> Result<Predictor> {
        let bad = |m: String| Err(TorchError::InvalidParameter(m));
        if self.features.is_empty() {
            return bad("a predictor needs at least one feature".into());
        }
        for (i, f) in self.features.iter().enumerate() {
            if *f == self.target {
                return bad(format!("the target '{f}' is also listed as a feature"));
            }
            if self.features[..i].contains(f) {
                return bad(format!("feature '{f}' is listed twice"));
            }
        }
        match &self.alignment {
            Alignment::Erm => {}
            Alignment::Restrict { features } => {
                if let Some(f) = features.iter().find(|f| !self.features.contains(f)) {
                    return bad(format!(
                        "restricted feature '{f}' is not one of the features ({})",
                        self.features.join(", ")
                    ));
                }
            }
            Alignment::Penalty { weight, charges } => {
                if !(weight.is_finite() && *weight >= 0.0) {
                    return bad(format!("the penalty weight must be ≥ 0, got {weight}"));
                }
                if charges.len() != self.features.len() {
                    return bad(format!(
                        "{} charges for {} features",
                        charges.len(),
                        self.features.len()
                    ));
                }
                if let Some((f, c)) = self
                    .features
                    .iter()
                    .zip(charges)
                    .find(|(_, c)| !(c.is_finite() && **c >= 0.0))
                {
                    return bad(format!("the charge of '{f}' must be ≥ 0, got {c}"));
                }
            }
        }
        if let Some(w) = &self.weights
            && (*w == self.target || self.features.contains(w))
        {
            return bad(format!(
                "the weight column '{w}' is also the target or a feature"
            ));
        }
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return bad(format!(
                "the predictor needs positive hidden widths, got {:?}",
                self.hidden
            ));
        }
        if !(0.0..0.9).contains(&self.valid_fraction) {
            return bad(format!(
                "valid_fraction must lie in [0, 0.9), got {}",
                self.valid_fraction
            ));
        }
        self.trainer = self.trainer.seed(self.seed);
        // Validate the trainer now, so that fit fails only on data.
        self.trainer.clone().check()?;
        Ok(Predictor { params: self })
    }
}

/// Checked predictor hyperparameters; [`Predictor::fit`] trains one.
#[derive(Clone, Debug)]
pub struct Predictor {
    params: PredictorParams,
}

/// Prediction quality on one data set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Number of rows.
    pub n: usize,
    /// Mean squared error (regression), or mean squared error of the probability (binary:
    /// the Brier score).
    pub mse: f64,
    /// Mean log loss (binary only).
    pub log_loss: Option<f64>,
    /// Share of correct 0/1 decisions at probability 0.5 (binary only).
    pub accuracy: Option<f64>,
}

/// The saved description of a fitted predictor (weights live beside it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Saved {
    format: String,
    target: String,
    features: Vec<String>,
    task: PredictTask,
    alignment: Alignment,
    hidden: Vec<usize>,
    activation: Activation,
    x_mean: Vec<f64>,
    x_sd: Vec<f64>,
    y_mean: f64,
    y_sd: f64,
    weights: String,
}

const FORMAT: &str = "causal-rs predictor 1";

/// A fitted predictor.
#[derive(Debug)]
pub struct PredictorFit {
    saved: Saved,
    vs: VarStore,
    net: MaskedMlp,
    history: History,
}

fn build(saved: &Saved, vs: &VarStore) -> Result<MaskedMlp> {
    let allowed: Vec<usize> = match &saved.alignment {
        Alignment::Restrict { features } => saved
            .features
            .iter()
            .enumerate()
            .filter(|(_, f)| features.contains(f))
            .map(|(i, _)| i)
            .collect(),
        _ => (0..saved.features.len()).collect(),
    };
    MaskedMlp::new(
        vs.root() / "predictor",
        saved.features.len(),
        &[allowed],
        &saved.hidden,
        1,
        saved.activation,
    )
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    weighted_mean_sd(v, None)
}

/// The (weighted) mean and standard deviation of `v`.
fn weighted_mean_sd(v: &[f64], w: Option<&[f64]>) -> (f64, f64) {
    let weight = |i: usize| w.map_or(1.0, |w| w[i]);
    let n = (0..v.len()).map(weight).sum::<f64>().max(f64::MIN_POSITIVE);
    let m = v
        .iter()
        .enumerate()
        .map(|(i, x)| weight(i) * x)
        .sum::<f64>()
        / n;
    let var = v
        .iter()
        .enumerate()
        .map(|(i, x)| weight(i) * (x - m) * (x - m))
        .sum::<f64>()
        / n;
    // A constant column keeps scale 1 so that standardising it cannot divide by zero.
    (m, if var > 1e-24 { var.sqrt() } else { 1.0 })
}

/// The training objective: the prediction loss plus the alignment penalty.
struct Fit<'a> {
    net: &'a MaskedMlp,
    task: PredictTask,
    x: Tensor,
    y: Tensor,
    /// Row weights of the loss, when given.
    w: Option<Tensor>,
    valid: Option<(Tensor, Tensor, Option<Tensor>)>,
    /// `weight · charges` as a `features × 1` tensor, in the soft mode.
    charges: Option<Tensor>,
}

impl Fit<'_> {
    fn loss_of(&self, out: &Tensor, y: &Tensor, w: Option<&Tensor>) -> Result<Tensor> {
        let out = out.f_view([-1])?;
        let Some(w) = w else {
            return Ok(match self.task {
                PredictTask::Regression => out.f_mse_loss(y, Reduction::Mean)?,
                PredictTask::Binary => out.f_binary_cross_entropy_with_logits::<Tensor>(
                    y,
                    None,
                    None,
                    Reduction::Mean,
                )?,
            });
        };
        let per_row = match self.task {
            PredictTask::Regression => out.f_sub(y)?.f_square()?,
            PredictTask::Binary => {
                out.f_binary_cross_entropy_with_logits::<Tensor>(y, None, None, Reduction::None)?
            }
        };
        // A batch whose weights are all zero contributes nothing rather than 0/0.
        let total = w.f_sum(Kind::Float)?.f_clamp_min(1e-12)?;
        Ok(per_row.f_mul(w)?.f_sum(Kind::Float)?.f_div(&total)?)
    }

    /// The prediction loss and, in the soft mode, the alignment penalty on `x`'s rows.
    fn terms(
        &self,
        x: &Tensor,
        y: &Tensor,
        w: Option<&Tensor>,
    ) -> Result<(Tensor, Option<Tensor>)> {
        let Some(c) = &self.charges else {
            let out = self.net.f_forward(x)?;
            return Ok((self.loss_of(&out, y, w)?, None));
        };
        // Input gradients measure what the network does with each input whatever the scale
        // of its layers (a first-layer group norm can be shrunk by growing later layers).
        let xg = x.f_detach()?.set_requires_grad(true);
        let out = self.net.f_forward(&xg)?.f_view([-1, 1])?;
        let importance = input_gradient_norms(&out, &xg)?;
        let penalty = importance.f_mul(c)?.f_sum(Kind::Float)?;
        Ok((self.loss_of(&out, y, w)?, Some(penalty)))
    }
}

impl Objective for Fit<'_> {
    fn train_loss(&mut self, batch: &Tensor, _epoch: usize) -> Result<Vec<(String, Tensor)>> {
        let x = self.x.f_index_select(0, batch)?;
        let y = self.y.f_index_select(0, batch)?;
        let w = match &self.w {
            Some(w) => Some(w.f_index_select(0, batch)?),
            None => None,
        };
        let (loss, penalty) = self.terms(&x, &y, w.as_ref())?;
        let mut terms = vec![("loss".to_owned(), loss)];
        if let Some(p) = penalty {
            terms.push(("alignment".to_owned(), p));
        }
        Ok(terms)
    }

    fn validation_loss(&mut self, _epoch: usize) -> Result<Option<f64>> {
        let Some((x, y, w)) = &self.valid else {
            return Ok(None);
        };
        // The trainer calls this under no_grad; the penalty needs input gradients.
        let (loss, penalty) = tch::with_grad(|| self.terms(x, y, w.as_ref()))?;
        let mut v = loss.f_double_value(&[])?;
        if let Some(p) = penalty {
            v += p.f_double_value(&[])?;
        }
        Ok(Some(v))
    }
}

impl causal_core::contract::Fit for Predictor {
    type Object = PredictorFit;
    type Error = TorchError;

    /// As [`Predictor::fit`].
    fn fit(&self, data: &Dataset, (): ()) -> Result<PredictorFit> {
        Predictor::fit(self, data)
    }
}

impl Predictor {
    /// The validated hyperparameters.
    pub fn params(&self) -> &PredictorParams {
        &self.params
    }

    /// Trains the predictor on `data`.
    ///
    /// # Errors
    ///
    /// [`causal_core::CoreError::UnknownColumn`] (wrapped) for a feature or the target missing
    /// from `data`; [`causal_core::CoreError::BadValue`] for a binary target that is not 0/1;
    /// [`TorchError::InvalidParameter`] for fewer than 4 rows; training errors of the
    /// [`crate::trainer::Trainer`].
    pub fn fit(&self, data: &Dataset) -> Result<PredictorFit> {
        let p = &self.params;
        let y_raw = data.column(&p.target)?.to_vec();
        if p.task == PredictTask::Binary
            && let Some(i) = y_raw.iter().position(|&v| v != 0.0 && v != 1.0)
        {
            return Err(causal_core::CoreError::BadValue {
                row: i + 1,
                column: p.target.clone(),
                message: format!("a binary target must be 0 or 1, got {}", y_raw[i]),
            }
            .into());
        }
        let n = data.n_rows();
        if n < 4 {
            return Err(TorchError::InvalidParameter(format!(
                "{n} rows are too few to train a predictor"
            )));
        }
        let mut rows: Vec<usize> = (0..n).collect();
        rows.shuffle(&mut ChaCha8Rng::seed_from_u64(p.seed));
        let n_valid = (n as f64 * p.valid_fraction).round() as usize;
        let (valid_rows, train_rows) = rows.split_at(if n_valid >= 2 { n_valid } else { 0 });
        let train = data.take_rows(train_rows)?;
        let mut x_mean = Vec::with_capacity(p.features.len());
        let mut x_sd = Vec::with_capacity(p.features.len());
        for f in &p.features {
            let (m, s) = mean_sd(train.column(f)?);
            x_mean.push(m);
            x_sd.push(s);
        }
        let weights = match &p.weights {
            Some(name) => Some(checked_weights(data, name)?),
            None => None,
        };
        let pick = |rows: &[usize]| {
            weights
                .as_ref()
                .map(|w| rows.iter().map(|&i| w[i]).collect::<Vec<f64>>())
        };
        let (w_train, w_valid) = (pick(train_rows), pick(valid_rows));
        let (y_mean, y_sd) = match p.task {
            PredictTask::Regression => {
                weighted_mean_sd(train.column(&p.target)?, w_train.as_deref())
            }
            PredictTask::Binary => (0.0, 1.0),
        };
        let saved = Saved {
            format: FORMAT.into(),
            target: p.target.clone(),
            features: p.features.clone(),
            task: p.task,
            alignment: p.alignment.clone(),
            hidden: p.hidden.clone(),
            activation: p.activation,
            x_mean,
            x_sd,
            y_mean,
            y_sd,
            weights: String::new(),
        };
        let trainer = p.trainer.clone().check()?;
        let device = trainer.device();
        manual_seed(p.seed);
        let mut vs = VarStore::new(device);
        let net = build(&saved, &vs)?;
        let (x, y) = tensors(&saved, &train, device)?;
        let to_tensor = |w: Option<Vec<f64>>| -> Result<Option<Tensor>> {
            w.map(|w| -> Result<Tensor> {
                Ok(Tensor::f_from_slice(&w)?
                    .f_to_kind(Kind::Float)?
                    .f_to_device(device)?)
            })
            .transpose()
        };
        let w = to_tensor(w_train)?;
        let valid = if valid_rows.is_empty() {
            None
        } else {
            let (vx, vy) = tensors(&saved, &data.take_rows(valid_rows)?, device)?;
            Some((vx, vy, to_tensor(w_valid)?))
        };
        let charges = match &p.alignment {
            Alignment::Penalty { weight, charges } => Some(
                Tensor::f_from_slice(&charges.iter().map(|c| c * weight).collect::<Vec<f64>>())?
                    .f_view([-1, 1])?
                    .f_to_kind(Kind::Float)?
                    .f_to_device(device)?,
            ),
            _ => None,
        };
        let history = {
            let mut objective = Fit {
                net: &net,
                task: p.task,
                x,
                y,
                w,
                valid,
                charges,
            };
            trainer.fit(&mut vs, &mut objective, train.n_rows())?
        };
        Ok(PredictorFit {
            saved,
            vs,
            net,
            history,
        })
    }
}

/// The weight column `name` of `data`, checked: finite, non-negative, not all zero.
fn checked_weights(data: &Dataset, name: &str) -> Result<Vec<f64>> {
    let w = data.column(name)?.to_vec();
    if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(causal_core::CoreError::BadValue {
            row: i + 1,
            column: name.to_owned(),
            message: format!("a row weight must be finite and non-negative, got {}", w[i]),
        }
        .into());
    }
    if w.iter().all(|v| *v == 0.0) {
        return Err(TorchError::InvalidParameter(format!(
            "every row weight in '{name}' is zero"
        )));
    }
    Ok(w)
}

/// Standardised inputs and (for regression) target of `data` as tensors.
fn tensors(saved: &Saved, data: &Dataset, device: Device) -> Result<(Tensor, Tensor)> {
    let x = standardised_x(saved, data, device)?;
    let y: Vec<f64> = data
        .column(&saved.target)?
        .iter()
        .map(|v| (v - saved.y_mean) / saved.y_sd)
        .collect();
    let y = Tensor::f_from_slice(&y)?
        .f_to_kind(Kind::Float)?
        .f_to_device(device)?;
    Ok((x, y))
}

fn standardised_x(saved: &Saved, data: &Dataset, device: Device) -> Result<Tensor> {
    let x = dataset_to_tensor(data, &saved.features, device)?;
    let mean = Tensor::f_from_slice(&saved.x_mean)?
        .f_to_kind(Kind::Float)?
        .f_to_device(device)?;
    let sd = Tensor::f_from_slice(&saved.x_sd)?
        .f_to_kind(Kind::Float)?
        .f_to_device(device)?;
    Ok(x.f_sub(&mean)?.f_div(&sd)?)
}

impl PredictorFit {
    /// The target's name.
    pub fn target(&self) -> &str {
        &self.saved.target
    }

    /// The features, in input order.
    pub fn features(&self) -> &[String] {
        &self.saved.features
    }

    /// The features the network can read (all of them unless restricted).
    pub fn used_features(&self) -> Vec<String> {
        match &self.saved.alignment {
            Alignment::Restrict { features } => self
                .saved
                .features
                .iter()
                .filter(|f| features.contains(f))
                .cloned()
                .collect(),
            _ => self.saved.features.clone(),
        }
    }

    /// The alignment mode it was trained with.
    pub fn alignment(&self) -> &Alignment {
        &self.saved.alignment
    }

    /// The task.
    pub fn task(&self) -> PredictTask {
        self.saved.task
    }

    /// The training history (empty for a loaded model).
    pub fn history(&self) -> &History {
        &self.history
    }

    /// How strongly each feature feeds the network: the L2 norm of its first-layer weights
    /// (on standardised inputs), in feature order.
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn input_strengths(&self) -> Result<Vec<(String, f64)>> {
        let g = tch::no_grad(|| group_norms(&self.net.effective_first()?, 1))?;
        let v = tensor_to_vec(&g)?;
        Ok(self.saved.features.iter().cloned().zip(v).collect())
    }

    /// Predictions for every row of `data`: the target's scale for regression, probabilities
    /// for a binary target.
    ///
    /// # Errors
    ///
    /// [`causal_core::CoreError::UnknownColumn`] (wrapped) for a missing feature; LibTorch
    /// errors.
    pub fn predict(&self, data: &Dataset) -> Result<Vec<f64>> {
        let device = self.vs.device();
        let x = standardised_x(&self.saved, data, device)?;
        let out = tch::no_grad(|| self.net.f_forward(&x))?.f_view([-1])?;
        let out = match self.saved.task {
            PredictTask::Regression => out
                .f_mul_scalar(self.saved.y_sd)?
                .f_add_scalar(self.saved.y_mean)?,
            PredictTask::Binary => out.f_sigmoid()?,
        };
        tensor_to_vec(&out)
    }

    /// Prediction quality on `data` (which must hold the target).
    ///
    /// # Errors
    ///
    /// As [`PredictorFit::predict`], and [`causal_core::CoreError::UnknownColumn`] for the
    /// target.
    pub fn evaluate(&self, data: &Dataset) -> Result<Metrics> {
        let pred = self.predict(data)?;
        let y = data.column(&self.saved.target)?;
        Ok(metrics(self.saved.task, &pred, y))
    }

    /// Writes the model: a JSON description at `path` and the weights (safetensors) beside
    /// it, at `path` with the extension `safetensors`.
    ///
    /// # Errors
    ///
    /// [`TorchError::Output`] or [`TorchError::Checkpoint`] naming the file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let weights = weights_path(path)?;
        checkpoint::save(&self.vs, &weights)?;
        let mut saved = self.saved.clone();
        saved.weights = weights
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = serde_json::to_string_pretty(&saved).map_err(|e| output(path, e))?;
        std::fs::write(path, text).map_err(|e| output(path, e))
    }

    /// Reads a model written by [`PredictorFit::save`], onto the CPU.
    ///
    /// # Errors
    ///
    /// [`TorchError::Output`] naming the file for an unreadable or foreign description;
    /// [`TorchError::Checkpoint`] for missing or mismatched weights.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| output(path, e))?;
        let saved: Saved = serde_json::from_str(&text).map_err(|e| output(path, e))?;
        if saved.format != FORMAT {
            return Err(output(
                path,
                format!(
                    "not a predictor saved by causal-rs (format '{}')",
                    saved.format
                ),
            ));
        }
        let mut vs = VarStore::new(Device::Cpu);
        let net = build(&saved, &vs)?;
        let weights = path.with_file_name(&saved.weights);
        checkpoint::load(&mut vs, &weights)?;
        Ok(Self {
            saved,
            vs,
            net,
            history: History::default(),
        })
    }
}

fn weights_path(path: &Path) -> Result<PathBuf> {
    if path.extension().is_some_and(|e| e == "safetensors") {
        return Err(output(
            path,
            "the model description needs another extension than .safetensors (the weights go there)",
        ));
    }
    Ok(path.with_extension("safetensors"))
}

fn output(path: &Path, e: impl std::fmt::Display) -> TorchError {
    TorchError::Output {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Prediction quality of `pred` against `y`.
pub fn metrics(task: PredictTask, pred: &[f64], y: &[f64]) -> Metrics {
    let n = y.len();
    let nf = n.max(1) as f64;
    let mse = pred
        .iter()
        .zip(y)
        .map(|(p, y)| (p - y) * (p - y))
        .sum::<f64>()
        / nf;
    match task {
        PredictTask::Regression => Metrics {
            n,
            mse,
            log_loss: None,
            accuracy: None,
        },
        PredictTask::Binary => {
            let eps = 1e-7;
            let ll = pred
                .iter()
                .zip(y)
                .map(|(p, y)| {
                    let p = p.clamp(eps, 1.0 - eps);
                    -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
                })
                .sum::<f64>()
                / nf;
            let acc = pred
                .iter()
                .zip(y)
                .filter(|(p, y)| (**p >= 0.5) == (**y >= 0.5))
                .count() as f64
                / nf;
            Metrics {
                n,
                mse,
                log_loss: Some(ll),
                accuracy: Some(acc),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // LibTorch's generator is global: fits in parallel test threads would interleave their
    // draws, so the tests that fit hold `seed::generator_lock`, as every test that draws does.

    /// y = x1 + noise; c = y + small noise (anti-causal); w = noise.
    fn data(n: usize, seed: u64, shift: f64) -> Dataset {
        use rand_distr::{Distribution, Normal};
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let nrm = Normal::new(0.0, 1.0).unwrap();
        let mut cols = vec![Vec::new(); 4];
        for _ in 0..n {
            let x1: f64 = nrm.sample(&mut rng);
            let y = x1 + 0.5 * nrm.sample(&mut rng);
            // The child's mechanism flips with the shift.
            let c = (1.0 - shift) * y + 0.1 * nrm.sample(&mut rng);
            let w: f64 = nrm.sample(&mut rng);
            for (col, v) in cols.iter_mut().zip([x1, y, c, w]) {
                col.push(v);
            }
        }
        Dataset::new(["x1", "y", "c", "w"].map(str::to_owned).to_vec(), cols).unwrap()
    }

    fn trainer() -> TrainerParams {
        TrainerParams::new()
            .epochs(60)
            .learning_rate(1e-2)
            .batch_size(128)
            .device(Device::Cpu)
            .quiet(true)
    }

    #[test]
    fn restriction_is_exact_and_the_penalty_shrinks_charged_inputs() {
        let _rng = crate::seed::generator_lock();
        tch::set_num_threads(1);
        let train = data(600, 1, 0.0);
        let base = PredictorParams::new("y", &["x1", "c", "w"]).trainer(trainer());
        let erm = base.clone().check().unwrap().fit(&train).unwrap();
        let parents = base
            .clone()
            .restrict(&["x1"])
            .check()
            .unwrap()
            .fit(&train)
            .unwrap();
        let mut g = MixedGraph::with_nodes(["x1", "y", "c", "w"]).unwrap();
        g.add_directed("x1", "y").unwrap();
        g.add_directed("y", "c").unwrap();
        let soft = base
            .clone()
            .align_graph(&g, 0.5)
            .unwrap()
            .check()
            .unwrap()
            .fit(&train)
            .unwrap();
        // Restricted inputs have zero weight; ERM leans on the child.
        let s = parents.input_strengths().unwrap();
        // (group_norms floors each norm at 1e-6 to keep its gradient finite.)
        assert!(s[0].1 > 0.1 && s[1].1 < 1e-5 && s[2].1 < 1e-5, "{s:?}");
        // Under the shift the child flips sign: ERM breaks, the parents-only model does not.
        let shifted = data(2000, 2, 2.0);
        let (e_in, e_out) = (
            erm.evaluate(&data(2000, 3, 0.0)).unwrap(),
            erm.evaluate(&shifted).unwrap(),
        );
        let p_out = parents.evaluate(&shifted).unwrap();
        assert!(e_in.mse < 0.1, "{e_in:?}");
        assert!(e_out.mse > 1.0, "{e_out:?}");
        assert!((p_out.mse - 0.25).abs() < 0.05, "{p_out:?}");
        // The soft penalty keeps the child's influence small, so the shift costs it little.
        let a_out = soft.evaluate(&shifted).unwrap();
        assert!(a_out.mse < 0.4, "{a_out:?}");
    }

    #[test]
    fn seeded_fits_repeat_and_saved_models_predict_the_same() {
        let _rng = crate::seed::generator_lock();
        tch::set_num_threads(1);
        let train = data(300, 4, 0.0);
        let params = PredictorParams::new("y", &["x1", "c"])
            .trainer(trainer().epochs(10))
            .seed(7);
        let a = params.clone().check().unwrap().fit(&train).unwrap();
        let b = params.check().unwrap().fit(&train).unwrap();
        let (pa, pb) = (a.predict(&train).unwrap(), b.predict(&train).unwrap());
        assert_eq!(pa, pb);
        let dir = std::env::temp_dir().join(format!("predictor-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("model.json");
        a.save(&path).unwrap();
        let loaded = PredictorFit::load(&path).unwrap();
        assert_eq!(loaded.predict(&train).unwrap(), pa);
        assert!(dir.join("model.safetensors").is_file());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_settings_are_named() {
        let _rng = crate::seed::generator_lock();
        let cases = [
            (PredictorParams::new("y", &["y"]), "target 'y'"),
            (
                PredictorParams::new("y", &["a", "a"]),
                "'a' is listed twice",
            ),
            (PredictorParams::new("y", &["a"]).restrict(&["b"]), "'b'"),
            (
                PredictorParams::new("y", &[] as &[&str]),
                "at least one feature",
            ),
            (PredictorParams::new("y", &["a"]).hidden(&[]), "hidden"),
            (
                PredictorParams::new("y", &["a"]).valid_fraction(0.95),
                "valid_fraction",
            ),
        ];
        for (p, word) in cases {
            let err = p.check().unwrap_err().to_string();
            assert!(err.contains(word), "{err} should name {word}");
        }
        let train = data(50, 1, 0.0);
        let err = PredictorParams::new("y", &["x1", "zz"])
            .trainer(trainer().epochs(1))
            .check()
            .unwrap()
            .fit(&train)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'zz'"), "{err}");
        let err = PredictorParams::new("y", &["x1"])
            .task(PredictTask::Binary)
            .trainer(trainer().epochs(1))
            .check()
            .unwrap()
            .fit(&train)
            .unwrap_err()
            .to_string();
        assert!(err.contains("column 'y'"), "{err}");
    }
}
