//! Trainer hyperparameters: optimizer, learning-rate schedule, regularisation, stopping.

use causal_core::contract::ParamGuard;
use serde::{Deserialize, Serialize};
use tch::Device;

use super::Trainer;
use crate::device::default_device;
use crate::error::{Result, TorchError};

/// The gradient-descent rule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Optimizer {
    /// Adam (β = 0.9, 0.999; ε = 1e-8); weight decay is an L2 term added to the gradient.
    Adam,
    /// AdamW: Adam with decoupled weight decay.
    AdamW,
    /// Stochastic gradient descent with (heavy-ball) momentum; weight decay is L2.
    Sgd {
        /// Momentum in `[0, 1)`.
        momentum: f64,
    },
}

/// How the learning rate changes from epoch to epoch (applied at the start of each epoch).
///
/// # Formula
///
/// With base rate η₀ and epoch t (0-based) of T:
/// `Constant`: η₀; `Step`: η₀·γ^⌊t/every⌋; `Exponential`: η₀·γ^t;
/// `Cosine`: η_min + (η₀ − η_min)·(1 + cos(π t / T)) / 2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum LrSchedule {
    /// The base rate throughout.
    #[default]
    Constant,
    /// Multiply by `gamma` every `every` epochs.
    Step {
        /// Epochs between decays (≥ 1).
        every: usize,
        /// Factor in (0, 1].
        gamma: f64,
    },
    /// Multiply by `gamma` every epoch.
    Exponential {
        /// Factor in (0, 1].
        gamma: f64,
    },
    /// Cosine annealing from the base rate down to `min_lr` over all epochs.
    Cosine {
        /// Final rate, in `[0, base]`.
        min_lr: f64,
    },
}

impl LrSchedule {
    /// The learning rate at `epoch` of `epochs`, starting from `base`.
    pub fn rate(&self, base: f64, epoch: usize, epochs: usize) -> f64 {
        match *self {
            Self::Constant => base,
            Self::Step { every, gamma } => base * gamma.powi((epoch / every.max(1)) as i32),
            Self::Exponential { gamma } => base * gamma.powi(epoch as i32),
            Self::Cosine { min_lr } => {
                let frac = epoch as f64 / epochs.max(1) as f64;
                min_lr + (base - min_lr) * (1.0 + (std::f64::consts::PI * frac).cos()) / 2.0
            }
        }
    }
}

/// Hyperparameters of a [`Trainer`]; a consuming builder validated by [`ParamGuard::check`].
///
/// Defaults: Adam, learning rate 1e-3, no weight decay, no clipping, 100 epochs, batches of
/// 256, no early stopping, seed 0, device from `CAUSAL_DEVICE` (else CUDA if available, else
/// CPU), progress bar on (it only draws on a terminal), constant learning rate.
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_torch::trainer::{LrSchedule, Optimizer, TrainerParams};
///
/// let trainer = TrainerParams::new()
///     .optimizer(Optimizer::AdamW)
///     .learning_rate(3e-3)
///     .weight_decay(1e-4)
///     .grad_clip(Some(5.0))
///     .epochs(50)
///     .batch_size(128)
///     .patience(Some(5))
///     .schedule(LrSchedule::Cosine { min_lr: 1e-5 })
///     .seed(7)
///     .device(tch::Device::Cpu)
///     .quiet(true)
///     .check()?;
/// assert_eq!(trainer.params().epochs, 50);
/// assert!(TrainerParams::new().learning_rate(-1.0).check().is_err());
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainerParams {
    /// The optimizer.
    pub optimizer: Optimizer,
    /// Base learning rate (> 0).
    pub learning_rate: f64,
    /// Weight decay (≥ 0).
    pub weight_decay: f64,
    /// Clip the global L2 norm of the gradients to this value (> 0), if set.
    pub grad_clip: Option<f64>,
    /// Maximum number of passes over the training rows (≥ 1).
    pub epochs: usize,
    /// Rows per mini-batch (≥ 1).
    pub batch_size: usize,
    /// Stop after this many epochs without a better validation loss, if set.
    pub patience: Option<usize>,
    /// Smallest decrease of the validation loss that counts as better (≥ 0).
    pub min_delta: f64,
    /// Learning-rate schedule.
    pub schedule: LrSchedule,
    /// Seed for batch shuffling and LibTorch's generators (dropout).
    pub seed: u64,
    /// The device; `None` resolves `CAUSAL_DEVICE` in [`ParamGuard::check`].
    #[serde(skip)]
    pub device: Option<Device>,
    /// No progress bar.
    pub quiet: bool,
}

impl Default for TrainerParams {
    fn default() -> Self {
        Self::new()
    }
}

impl TrainerParams {
    /// The defaults (see the type's documentation).
    pub fn new() -> Self {
        Self {
            optimizer: Optimizer::Adam,
            learning_rate: 1e-3,
            weight_decay: 0.0,
            grad_clip: None,
            epochs: 100,
            batch_size: 256,
            patience: None,
            min_delta: 0.0,
            schedule: LrSchedule::Constant,
            seed: 0,
            device: None,
            quiet: false,
        }
    }

    /// The optimizer.
    pub fn optimizer(mut self, optimizer: Optimizer) -> Self {
        self.optimizer = optimizer;
        self
    }

    /// The base learning rate.
    pub fn learning_rate(mut self, lr: f64) -> Self {
        self.learning_rate = lr;
        self
    }

    /// Weight decay (L2 for Adam and SGD, decoupled for AdamW).
    pub fn weight_decay(mut self, wd: f64) -> Self {
        self.weight_decay = wd;
        self
    }

    /// Gradient clipping by global L2 norm.
    pub fn grad_clip(mut self, max_norm: Option<f64>) -> Self {
        self.grad_clip = max_norm;
        self
    }

    /// Maximum number of epochs.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Mini-batch size.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Early-stopping patience in epochs (needs a validation loss).
    pub fn patience(mut self, patience: Option<usize>) -> Self {
        self.patience = patience;
        self
    }

    /// Smallest validation improvement that resets the patience counter.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// Learning-rate schedule.
    pub fn schedule(mut self, schedule: LrSchedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Device (overrides `CAUSAL_DEVICE`).
    pub fn device(mut self, device: Device) -> Self {
        self.device = Some(device);
        self
    }

    /// Hides the progress bar.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }
}

impl ParamGuard for TrainerParams {
    type Checked = Trainer;
    type Error = TorchError;

    /// Validates and returns the trainer.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] naming the first bad hyperparameter;
    /// [`TorchError::Device`] when no device is set and `CAUSAL_DEVICE` is unusable.
    fn check(mut self) -> Result<Trainer> {
        let bad = |m: String| Err(TorchError::InvalidParameter(m));
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!(
                "learning_rate must be positive and finite, got {}",
                self.learning_rate
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!(
                "weight_decay must be ≥ 0, got {}",
                self.weight_decay
            ));
        }
        if let Some(c) = self.grad_clip
            && !(c.is_finite() && c > 0.0)
        {
            return bad(format!("grad_clip must be positive, got {c}"));
        }
        if self.epochs == 0 {
            return bad("epochs must be at least 1".into());
        }
        if self.batch_size == 0 {
            return bad("batch_size must be at least 1".into());
        }
        if !(self.min_delta.is_finite() && self.min_delta >= 0.0) {
            return bad(format!("min_delta must be ≥ 0, got {}", self.min_delta));
        }
        if let Optimizer::Sgd { momentum } = self.optimizer
            && !(0.0..1.0).contains(&momentum)
        {
            return bad(format!("SGD momentum must be in [0, 1), got {momentum}"));
        }
        match self.schedule {
            LrSchedule::Constant => {}
            LrSchedule::Step { every, gamma } => {
                if every == 0 || !(gamma > 0.0 && gamma <= 1.0) {
                    return bad(format!(
                        "step schedule needs every ≥ 1 and gamma in (0, 1], got {every} and {gamma}"
                    ));
                }
            }
            LrSchedule::Exponential { gamma } => {
                if !(gamma > 0.0 && gamma <= 1.0) {
                    return bad(format!(
                        "exponential schedule needs gamma in (0, 1], got {gamma}"
                    ));
                }
            }
            LrSchedule::Cosine { min_lr } => {
                if !(min_lr >= 0.0 && min_lr <= self.learning_rate) {
                    return bad(format!(
                        "cosine schedule needs 0 ≤ min_lr ≤ learning_rate, got {min_lr}"
                    ));
                }
            }
        }
        if self.device.is_none() {
            self.device = Some(default_device()?);
        }
        Ok(Trainer { params: self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_each_bad_value_by_name() {
        let _rng = crate::seed::generator_lock();
        let cases = [
            (
                TrainerParams::new().learning_rate(f64::NAN),
                "learning_rate",
            ),
            (TrainerParams::new().weight_decay(-1.0), "weight_decay"),
            (TrainerParams::new().grad_clip(Some(0.0)), "grad_clip"),
            (TrainerParams::new().epochs(0), "epochs"),
            (TrainerParams::new().batch_size(0), "batch_size"),
            (
                TrainerParams::new().optimizer(Optimizer::Sgd { momentum: 1.5 }),
                "momentum",
            ),
            (
                TrainerParams::new().schedule(LrSchedule::Step {
                    every: 0,
                    gamma: 0.5,
                }),
                "step",
            ),
        ];
        for (p, word) in cases {
            let err = p.device(Device::Cpu).check().unwrap_err().to_string();
            assert!(err.contains(word), "{err} should name {word}");
        }
    }

    #[test]
    fn schedules() {
        let s = LrSchedule::Step {
            every: 2,
            gamma: 0.5,
        };
        assert_eq!(s.rate(1.0, 3, 10), 0.5);
        assert_eq!(s.rate(1.0, 4, 10), 0.25);
        let c = LrSchedule::Cosine { min_lr: 0.0 };
        assert_eq!(c.rate(1.0, 0, 10), 1.0);
        assert!((c.rate(1.0, 5, 10) - 0.5).abs() < 1e-12);
        assert!((LrSchedule::Exponential { gamma: 0.9 }.rate(1.0, 2, 5) - 0.81).abs() < 1e-12);
    }
}
