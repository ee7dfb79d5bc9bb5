//! The MLP nuisance learner: causal-torch's [`Predictor`](crate::predict::Predictor) behind
//! causal-core's [`Learner`] trait, so that double machine learning and the CATE meta-learners
//! can estimate their nuisances `E[y | x]` and `P(t = 1 | x)` with a neural network.
//!
//! Each fit standardises the inputs (and a real target) on its training rows, holds out a
//! share of them for early stopping, and trains with the shared
//! [`Trainer`](crate::trainer::Trainer). Folds are fitted one after another, never in
//! parallel, and fits in different threads take turns: LibTorch's initialisation draws from
//! one process-wide generator ([`crate::seed::manual_seed`]), so interleaved fits would make
//! the result depend on thread timing.

use std::sync::Mutex;

use causal_core::CoreError;
use causal_core::contract::ParamGuard;
use causal_core::data::Dataset;
use causal_core::learner::{Fitted, Learner};
use nalgebra::DMatrix;
use tch::Device;

use crate::error::{Result, TorchError};
use crate::nn::Activation;
use crate::predict::{PredictTask, PredictorFit, PredictorParams};
use crate::trainer::TrainerParams;

/// A multilayer perceptron as a nuisance learner (regressor or binary classifier).
///
/// Defaults: hidden `[64, 64]` with ReLU, Adam at learning rate 1e-3 with weight decay 1e-4,
/// batches of 128, at most 300 epochs, 20% of the training rows held out for early stopping
/// with patience 20, seed 0, on the CPU with one thread.
///
/// This is a [`causal_core::learner::Learner`] (the nuisance-model interface of DML and the
/// meta-learners: fit on a matrix's rows, predict), not a family of the learner contract
/// (`XParams` → `ParamGuard` → `X` → `Fit` on a `Dataset`); its `check` only validates the
/// settings early and returns the same learner. On a `Dataset`, the same network is
/// [`PredictorParams`].
///
/// # Examples
///
/// ```
/// use causal_core::learner::Learner;
/// use causal_torch::learner::MlpLearner;
/// use nalgebra::DMatrix;
///
/// // y = x², which a linear model cannot fit.
/// let n = 400;
/// let x = DMatrix::from_fn(n, 1, |i, _| i as f64 / n as f64 * 4.0 - 2.0);
/// let y: Vec<f64> = (0..n).map(|i| x[(i, 0)] * x[(i, 0)]).collect();
/// let rows: Vec<usize> = (0..n).collect();
/// let mlp = MlpLearner::regressor().epochs(200).check()?;
/// let fit = mlp.fit(&x, &y, &rows, "y")?;
/// let pred = fit.predict(&x, &rows);
/// let mse = pred.iter().zip(&y).map(|(p, t)| (p - t).powi(2)).sum::<f64>() / n as f64;
/// assert!(mse < 0.1, "mse {mse}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MlpLearner {
    task: PredictTask,
    hidden: Vec<usize>,
    activation: Activation,
    learning_rate: f64,
    weight_decay: f64,
    batch_size: usize,
    epochs: usize,
    patience: usize,
    valid_fraction: f64,
    seed: u64,
    device: Device,
    threads: i32,
}

impl MlpLearner {
    /// A regressor of `E[y | x]`.
    pub fn regressor() -> Self {
        Self {
            task: PredictTask::Regression,
            hidden: vec![64, 64],
            activation: Activation::Relu,
            learning_rate: 1e-3,
            weight_decay: 1e-4,
            batch_size: 128,
            epochs: 300,
            patience: 20,
            valid_fraction: 0.2,
            seed: 0,
            device: Device::Cpu,
            threads: 1,
        }
    }

    /// A classifier of `P(y = 1 | x)` for a 0/1 target.
    pub fn classifier() -> Self {
        Self {
            task: PredictTask::Binary,
            ..Self::regressor()
        }
    }

    /// Hidden widths.
    pub fn hidden(mut self, widths: &[usize]) -> Self {
        self.hidden = widths.to_vec();
        self
    }

    /// The hidden layers' activation (ReLU by default).
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Adam's learning rate.
    pub fn learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }

    /// Weight decay (an L2 penalty on the weights).
    pub fn weight_decay(mut self, wd: f64) -> Self {
        self.weight_decay = wd;
        self
    }

    /// Mini-batch size.
    pub fn batch_size(mut self, batch: usize) -> Self {
        self.batch_size = batch;
        self
    }

    /// The most epochs a fit runs.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Epochs without improvement on the held-out rows before training stops.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }

    /// Share of each fit's training rows held out for early stopping, in `[0, 0.9)`.
    pub fn valid_fraction(mut self, f: f64) -> Self {
        self.valid_fraction = f;
        self
    }

    /// Seed of every fit's split, initialisation and batch order.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The device that trains.
    pub fn device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    /// LibTorch's CPU threads during a fit (1 by default: a nuisance network is small enough
    /// that more threads mostly wait on each other, 14× slower with two threads on a busy
    /// two-core machine). The process-wide setting is restored after each fit.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = i32::try_from(threads).unwrap_or(i32::MAX);
        self
    }

    /// The predictor parameters of one fit on `p` features named `x0 … x{p−1}` and target `y`.
    fn params(&self, p: usize) -> PredictorParams {
        let features: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
        PredictorParams::new("y", &features)
            .task(self.task)
            .hidden(&self.hidden)
            .activation(self.activation)
            .valid_fraction(self.valid_fraction)
            .seed(self.seed)
            .trainer(
                TrainerParams::new()
                    .learning_rate(self.learning_rate)
                    .weight_decay(self.weight_decay)
                    .batch_size(self.batch_size)
                    .epochs(self.epochs)
                    .patience(Some(self.patience))
                    .device(self.device)
                    .quiet(true),
            )
    }

    /// Validates the settings early (fitting validates them too), returning the same learner.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for an empty or zero hidden width, a validation share
    /// outside `[0, 0.9)`, and the trainer's own checks (a non-positive learning rate, zero
    /// epochs or batch size, …).
    pub fn check(self) -> Result<Self> {
        if self.threads < 1 {
            return Err(TorchError::InvalidParameter(
                "an MLP learner needs at least one thread".into(),
            ));
        }
        self.params(1).check()?;
        Ok(self)
    }

    /// A learner from its CLI name: `mlp` or `mlp:W1,W2,…` (hidden widths).
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for a name other than `mlp` or a width that is not a
    /// positive whole number.
    pub fn by_name(name: &str, classifier: bool) -> Result<Self> {
        let base = if classifier {
            Self::classifier()
        } else {
            Self::regressor()
        };
        let learner = match name.split_once(':') {
            None if name == "mlp" => base,
            Some(("mlp", widths)) => {
                let widths = widths
                    .split(',')
                    .map(|w| {
                        w.trim().parse::<usize>().ok().filter(|&w| w > 0).ok_or_else(|| {
                            TorchError::InvalidParameter(format!(
                                "learner '{name}': hidden width '{w}' is not a positive whole number"
                            ))
                        })
                    })
                    .collect::<Result<Vec<usize>>>()?;
                base.hidden(&widths)
            }
            _ => {
                return Err(TorchError::InvalidParameter(format!(
                    "unknown neural learner '{name}' (mlp, mlp:W1,W2,...)"
                )));
            }
        };
        learner.check()
    }
}

/// The training rows of `x` (and their targets and weights) as a table with columns `x0 …`,
/// `y` and `w`.
fn table(
    x: &DMatrix<f64>,
    y: Option<&[f64]>,
    weights: Option<&[f64]>,
    rows: &[usize],
) -> Result<Dataset> {
    let mut names: Vec<String> = (0..x.ncols()).map(|j| format!("x{j}")).collect();
    let mut columns: Vec<Vec<f64>> = (0..x.ncols())
        .map(|j| {
            let col = x.column(j);
            rows.iter().map(|&i| col[i]).collect()
        })
        .collect();
    for (name, values) in [("y", y), ("w", weights)] {
        if let Some(v) = values {
            names.push(name.into());
            columns.push(rows.iter().map(|&i| v[i]).collect());
        }
    }
    Ok(Dataset::new(names, columns)?)
}

impl MlpLearner {
    /// One fit on `rows`, with the loss weighted by `weights` (indexed like `y`) when given.
    fn fit_rows(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        weights: Option<&[f64]>,
        rows: &[usize],
        label: &str,
    ) -> causal_core::Result<Box<dyn Fitted>> {
        causal_core::learner::require_rows(rows, label)?;
        let data = table(x, Some(y), weights, rows).map_err(|e| to_core(e, label))?;
        let mut params = self.params(x.ncols());
        if weights.is_some() {
            params = params.weight_column("w");
        }
        let _rng = crate::seed::generator_lock();
        let threads = tch::get_num_threads();
        if self.device == Device::Cpu {
            tch::set_num_threads(self.threads);
        }
        let fit = params.check().and_then(|p| p.fit(&data));
        tch::set_num_threads(threads);
        let fit = fit.map_err(|e| to_core(e, label))?;
        Ok(Box::new(MlpFitted {
            fit: Mutex::new(fit),
        }))
    }
}

/// Wraps a causal-torch error as the core error that the [`Learner`] trait returns, naming
/// the nuisance.
fn to_core(e: TorchError, label: &str) -> CoreError {
    match e {
        TorchError::Core(c) => c,
        other => CoreError::Numerical(format!("the MLP for '{label}': {other}")),
    }
}

/// A fitted MLP. LibTorch tensors are not `Sync`, so the network sits behind a mutex.
struct MlpFitted {
    fit: Mutex<PredictorFit>,
}

impl Fitted for MlpFitted {
    fn predict(&self, x: &DMatrix<f64>, rows: &[usize]) -> Vec<f64> {
        // A failure here (which the fit's own checks make unreachable) gives non-finite
        // predictions, which cross-fitting reports as an error naming the nuisance.
        let nan = || vec![f64::NAN; rows.len()];
        let Ok(data) = table(x, None, None, rows) else {
            return nan();
        };
        match self.fit.lock() {
            Ok(fit) => fit.predict(&data).unwrap_or_else(|_| nan()),
            Err(_) => nan(),
        }
    }
}

impl Learner for MlpLearner {
    fn describe(&self) -> String {
        let widths: Vec<String> = self.hidden.iter().map(|w| w.to_string()).collect();
        // The default activation goes unnamed, as it always did in reports.
        let activation = match self.activation {
            Activation::Relu => String::new(),
            other => format!(" {}", format!("{other:?}").to_lowercase()),
        };
        format!(
            "mlp (hidden {}{activation}, Adam lr {}, batch {}, ≤ {} epochs, early stopping on {}% of the rows, seed {})",
            widths.join("-"),
            self.learning_rate,
            self.batch_size,
            self.epochs,
            self.valid_fraction * 100.0,
            self.seed
        )
    }

    fn fit(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        rows: &[usize],
        label: &str,
    ) -> causal_core::Result<Box<dyn Fitted>> {
        self.fit_rows(x, y, None, rows, label)
    }

    fn fit_weighted(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        weights: &[f64],
        rows: &[usize],
        label: &str,
    ) -> causal_core::Result<Box<dyn Fitted>> {
        causal_core::learner::require_weights(weights, y.len(), rows, label)?;
        self.fit_rows(x, y, Some(weights), rows, label)
    }

    fn takes_weights(&self) -> bool {
        true
    }

    fn parallel_folds(&self) -> bool {
        false
    }
}
