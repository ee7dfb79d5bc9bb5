//! Hyperparameters of the deep invariance methods.

use causal_torch::nn::Activation;
use serde::{Deserialize, Serialize};

use causal_core::contract::ParamGuard;

use crate::error::{IrmError, Result};

/// The training objective; every method shares one network, one training loop (causal-torch's
/// `Trainer`) and one model-selection rule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "method")]
pub enum Method {
    /// Empirical risk minimisation: the mean of the environment risks.
    Erm,
    /// IRMv1 (Arjovsky et al., 2019): `Σ_e R_e + λ Σ_e ‖∇_{w|w=1} R_e(w·f)‖²`; `λ = 1` for the
    /// first `anneal_epochs`, then `weight`, and the whole loss is divided by `λ` when `λ > 1`.
    Irm {
        /// Penalty weight after annealing.
        weight: f64,
        /// Epochs at penalty weight 1.
        anneal_epochs: usize,
    },
    /// V-REx (Krueger et al., 2021): `Σ_e R_e + λ Var_e(R_e)`, annealed as IRMv1.
    Vrex {
        /// Penalty weight after annealing.
        weight: f64,
        /// Epochs at penalty weight 1.
        anneal_epochs: usize,
    },
    /// Group DRO (Sagawa et al., 2020): `Σ_e q_e R_e` with `q_e ∝ q_e·exp(η R_e)` updated online.
    GroupDro {
        /// Step size `η` of the group weights.
        eta: f64,
    },
    /// DANN-style adversarial invariance (Ganin et al., 2016): a domain classifier on the learned
    /// features, behind a gradient-reversal layer; its weight ramps as `2/(1+e^{−10p}) − 1`.
    Dann {
        /// Weight of the domain-classification loss.
        weight: f64,
        /// Hidden width of the domain classifier.
        hidden: usize,
    },
}

impl Method {
    /// A short name (`erm`, `irm`, `vrex`, `groupdro`, `dann`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Erm => "erm",
            Self::Irm { .. } => "irm",
            Self::Vrex { .. } => "vrex",
            Self::GroupDro { .. } => "groupdro",
            Self::Dann { .. } => "dann",
        }
    }
}

/// The prediction task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    /// Labels in {0, 1}; logistic loss; accuracy is the metric.
    Binary,
    /// Real targets; squared loss; the metric is the negative mean squared error.
    Regression,
}

/// Hyperparameters of a deep invariance fit (unchecked).
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_irm::deep::{DeepParams, Method, Task};
///
/// let p = DeepParams::new(Method::Irm { weight: 1e4, anneal_epochs: 100 }, Task::Binary)
///     .hidden(&[64, 64])
///     .epochs(300)
///     .check()?;
/// assert_eq!(p.method().name(), "irm");
/// assert!(DeepParams::new(Method::GroupDro { eta: -1.0 }, Task::Binary).check().is_err());
/// # Ok::<(), causal_irm::IrmError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DeepParams {
    pub(crate) method: Method,
    pub(crate) task: Task,
    pub(crate) hidden: Vec<usize>,
    pub(crate) activation: Activation,
    pub(crate) dropout: f64,
    pub(crate) learning_rate: f64,
    pub(crate) l2: f64,
    pub(crate) epochs: usize,
    pub(crate) batch_size: Option<usize>,
    pub(crate) validation_fraction: f64,
    pub(crate) eval_every: usize,
    pub(crate) seed: u64,
    pub(crate) device: Option<String>,
}

impl DeepParams {
    /// Defaults: hidden `[256, 256]`, ReLU, no dropout, Adam at `1e-3`, `l2 = 1e-3` on weight
    /// matrices, 300 full-batch epochs, 20% of each training environment held out for
    /// validation, metrics after every epoch, seed 0, device from `CAUSAL_DEVICE` (else CUDA
    /// when available).
    pub fn new(method: Method, task: Task) -> Self {
        Self {
            method,
            task,
            hidden: vec![256, 256],
            activation: Activation::Relu,
            dropout: 0.0,
            learning_rate: 1e-3,
            l2: 1e-3,
            epochs: 300,
            batch_size: None,
            validation_fraction: 0.2,
            eval_every: 1,
            seed: 0,
            device: None,
        }
    }

    /// Hidden layer widths (empty: a linear model).
    pub fn hidden(mut self, widths: &[usize]) -> Self {
        self.hidden = widths.to_vec();
        self
    }
    /// Hidden activation.
    pub fn activation(mut self, a: Activation) -> Self {
        self.activation = a;
        self
    }
    /// Dropout probability after hidden layers.
    pub fn dropout(mut self, p: f64) -> Self {
        self.dropout = p;
        self
    }
    /// Adam learning rate.
    pub fn learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }
    /// Weight of `Σ‖W‖²` over weight matrices (annealed with the penalty, as in IRMv1's code).
    pub fn l2(mut self, l2: f64) -> Self {
        self.l2 = l2;
        self
    }
    /// Number of epochs.
    pub fn epochs(mut self, n: usize) -> Self {
        self.epochs = n;
        self
    }
    /// Mini-batch size (default: full batch, as in the Colored MNIST protocol).
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n);
        self
    }
    /// Fraction of each training environment held out for training-domain validation.
    pub fn validation_fraction(mut self, f: f64) -> Self {
        self.validation_fraction = f;
        self
    }
    /// Computes the metrics (training, validation, oracle and test accuracy) after every `k`-th
    /// epoch and after the last one, instead of after every epoch. Both selection rules then
    /// choose among those epochs. On large data (the full-scale Colored MNIST protocol) the
    /// evaluation passes cost half as much as a training step; `k = 10` makes them negligible.
    pub fn eval_every(mut self, k: usize) -> Self {
        self.eval_every = k;
        self
    }
    /// Seed of the split, the initialisation and the batch order.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Device: `cpu`, `cuda` or `cuda:N`.
    pub fn device(mut self, spec: &str) -> Self {
        self.device = Some(spec.to_owned());
        self
    }
}

impl ParamGuard for DeepParams {
    type Checked = Deep;
    type Error = IrmError;

    /// Validates the parameters.
    ///
    /// # Errors
    ///
    /// [`IrmError::InvalidParameter`] naming the parameter: a negative or non-finite weight or
    /// rate, a zero width, dropout or validation fraction outside `[0, 1)`, zero epochs or batch
    /// size, a zero `eval_every`, DANN without hidden layers.
    fn check(self) -> Result<Deep> {
        let bad = |m: String| Err(IrmError::InvalidParameter(m));
        let nonneg = |x: f64| x.is_finite() && x >= 0.0;
        match self.method {
            Method::Irm { weight, .. } | Method::Vrex { weight, .. } if !nonneg(weight) => {
                return bad(format!("penalty weight must be ≥ 0, got {weight}"));
            }
            Method::GroupDro { eta } if !nonneg(eta) => {
                return bad(format!("GroupDRO eta must be ≥ 0, got {eta}"));
            }
            Method::Dann { weight, hidden } => {
                if !nonneg(weight) {
                    return bad(format!("DANN weight must be ≥ 0, got {weight}"));
                }
                if hidden == 0 || self.hidden.is_empty() {
                    return bad("DANN needs hidden layers and a domain classifier width ≥ 1".into());
                }
            }
            _ => {}
        }
        if self.hidden.contains(&0) {
            return bad("hidden widths must be ≥ 1".into());
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!(
                "learning rate must be > 0, got {}",
                self.learning_rate
            ));
        }
        if !nonneg(self.l2) {
            return bad(format!("l2 must be ≥ 0, got {}", self.l2));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad(format!("dropout must lie in [0, 1), got {}", self.dropout));
        }
        if !(0.0..1.0).contains(&self.validation_fraction) {
            return bad(format!(
                "validation fraction must lie in [0, 1), got {}",
                self.validation_fraction
            ));
        }
        if self.epochs == 0 || self.batch_size == Some(0) {
            return bad("epochs and batch size must be ≥ 1".into());
        }
        if self.eval_every == 0 {
            return bad("eval_every must be ≥ 1".into());
        }
        Ok(Deep(self))
    }
}

/// Checked deep-invariance hyperparameters; `fit` trains a model.
#[derive(Clone, Debug, PartialEq)]
pub struct Deep(pub(crate) DeepParams);

impl Deep {
    /// The method.
    pub fn method(&self) -> Method {
        self.0.method
    }
    /// The task.
    pub fn task(&self) -> Task {
        self.0.task
    }
    /// Number of epochs.
    pub fn epochs(&self) -> usize {
        self.0.epochs
    }
}
