//! Optimisation settings shared by every model, and their builder methods.

use causal_torch::tch::Device;
use causal_torch::trainer::{Optimizer, Trainer, TrainerParams};

use crate::error::Result;

/// Optimisation and stopping settings handed to the causal-torch [`Trainer`].
#[derive(Clone, Debug, PartialEq)]
pub struct TrainSettings {
    /// Maximum number of epochs.
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Adam's (L2) weight decay on every parameter.
    pub weight_decay: f64,
    /// Gradient-norm clipping.
    pub grad_clip: Option<f64>,
    /// Epochs without validation improvement before stopping (needs validation data).
    pub patience: Option<usize>,
    /// Seed of the initialisation, the shuffling and the Monte Carlo draws.
    pub seed: u64,
    /// Device; `None` follows `CAUSAL_DEVICE`, else CUDA when available, else CPU.
    pub device: Option<Device>,
    /// Hide the progress bar.
    pub quiet: bool,
}

impl TrainSettings {
    /// Settings with the given epochs, batch size, learning rate and weight decay.
    pub fn new(epochs: usize, batch_size: usize, learning_rate: f64, weight_decay: f64) -> Self {
        Self {
            epochs,
            batch_size,
            learning_rate,
            weight_decay,
            grad_clip: None,
            patience: None,
            seed: 0,
            device: None,
            quiet: true,
        }
    }

    /// The device to use.
    ///
    /// # Errors
    ///
    /// As [`causal_torch::device::default_device`].
    pub fn resolve_device(&self) -> Result<Device> {
        Ok(match self.device {
            Some(d) => d,
            None => causal_torch::device::default_device()?,
        })
    }

    /// A validated trainer; `with_validation` enables early stopping.
    ///
    /// # Errors
    ///
    /// [`causal_torch::TorchError::InvalidConfig`] (wrapped) for invalid settings.
    pub fn trainer(&self, device: Device, with_validation: bool) -> Result<Trainer> {
        Ok(TrainerParams::new()
            .optimizer(Optimizer::Adam)
            .learning_rate(self.learning_rate)
            .weight_decay(self.weight_decay)
            .grad_clip(self.grad_clip)
            .epochs(self.epochs)
            .batch_size(self.batch_size)
            .patience(if with_validation { self.patience } else { None })
            .seed(self.seed)
            .device(device)
            .quiet(self.quiet)
            .check()?)
    }
}

/// Builder methods for the [`TrainSettings`] held in field `train`.
macro_rules! train_builders {
    () => {
        /// Maximum number of epochs.
        pub fn epochs(mut self, epochs: usize) -> Self {
            self.train.epochs = epochs;
            self
        }
        /// Mini-batch size.
        pub fn batch_size(mut self, batch_size: usize) -> Self {
            self.train.batch_size = batch_size;
            self
        }
        /// Adam's learning rate.
        pub fn learning_rate(mut self, lr: f64) -> Self {
            self.train.learning_rate = lr;
            self
        }
        /// Adam's weight decay.
        pub fn weight_decay(mut self, wd: f64) -> Self {
            self.train.weight_decay = wd;
            self
        }
        /// Gradient-norm clipping.
        pub fn grad_clip(mut self, max_norm: Option<f64>) -> Self {
            self.train.grad_clip = max_norm;
            self
        }
        /// Early-stopping patience in epochs (used when validation data is given).
        pub fn patience(mut self, patience: Option<usize>) -> Self {
            self.train.patience = patience;
            self
        }
        /// Seed of initialisation, shuffling and sampling.
        pub fn seed(mut self, seed: u64) -> Self {
            self.train.seed = seed;
            self
        }
        /// Device (default: `CAUSAL_DEVICE`, else CUDA if available, else CPU).
        pub fn device(mut self, device: causal_torch::tch::Device) -> Self {
            self.train.device = Some(device);
            self
        }
        /// Hide the progress bar.
        pub fn quiet(mut self, quiet: bool) -> Self {
            self.train.quiet = quiet;
            self
        }
        /// Replaces all optimisation settings at once.
        pub fn settings(mut self, settings: $crate::models::TrainSettings) -> Self {
            self.train = settings;
            self
        }
        /// The optimisation settings.
        pub fn train_settings(&self) -> &$crate::models::TrainSettings {
            &self.train
        }
    };
}
pub(crate) use train_builders;

/// `representation` and `heads` builders for the fields `rep` and `heads` of a
/// representation-plus-heads network.
macro_rules! widths_builders {
    () => {
        /// Widths of the shared representation Φ (its last width is the representation size).
        pub fn representation(mut self, widths: &[usize]) -> Self {
            self.rep = widths.to_vec();
            self
        }

        /// Hidden widths of each outcome head.
        pub fn heads(mut self, widths: &[usize]) -> Self {
            self.heads = widths.to_vec();
            self
        }
    };
}
pub(crate) use widths_builders;
