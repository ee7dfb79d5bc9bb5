//! Optimisation settings shared by every model, and their builder methods.

use causal_core::contract::ParamGuard;
use causal_torch::tch::Device;
use causal_torch::trainer::{LrSchedule, Optimizer, Trainer, TrainerParams};

use crate::error::Result;

/// The effect models' default schedule: the rate multiplied by 0.99 each epoch (a tenth by
/// epoch 230).
///
/// At a constant rate a network's fit of a sparse, heavy tail wanders from epoch to epoch, and
/// early stopping keeps whichever epoch the validation rows liked; with the decay it settles.
/// Both references decay too: Shalit et al.'s CFR code by 0.97 every 100 steps, Shi et al.'s
/// DragonNet on plateaus (Pyro's CEVAE to a tenth over training). Measured with `causal ite`
/// (its refit on, seed 0) on the 10 shared IHDP replications, mean √PEHE at a constant rate →
/// with the decay: TARNet 0.77 → 0.67, CFR-Wass 0.69 → 0.47, DragonNet 0.82 → 0.86, and with no
/// refit at the constant rate, CFR-MMD 1.11 → 0.85, S-learner 0.81 → 0.71, T-learner 0.85 →
/// 0.76; at seed 1, TARNet 0.85 → 0.78, CFR-Wass 0.57 → 0.46, DragonNet 0.81 → 0.83. CEVAE's
/// module doc has its own. On 10 fresh surface-B draws (seeds 101–110 of the `surface_b_draws`
/// example, never used to choose; the constant rate without refit → both): TARNet 0.69 → 0.69,
/// CFR-Wass 0.47 → 0.42, DragonNet 0.67 → 0.73 (it stops after about 20 epochs, where the
/// decay does little and a refit is noisy), CEVAE 0.49 → 0.48. `causal ite --lr-decay 1
/// --refit false` reproduces the earlier fits.
pub const ANNEALED: LrSchedule = LrSchedule::Exponential { gamma: 0.99 };

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
    /// How the learning rate changes from epoch to epoch (default [`ANNEALED`]).
    pub schedule: LrSchedule,
    /// Gradient-norm clipping.
    pub grad_clip: Option<f64>,
    /// Epochs without validation improvement before stopping (needs validation data).
    pub patience: Option<usize>,
    /// Seed of the initialisation, the shuffling and the Monte Carlo draws.
    pub seed: u64,
    /// Device as text (`cpu`, `cuda` or `cuda:N`); `None` follows `CAUSAL_DEVICE`, else CUDA
    /// when available, else CPU. Text keeps LibTorch's types out of this crate's API.
    pub device: Option<String>,
    /// Hide the progress bar.
    pub quiet: bool,
}

impl TrainSettings {
    /// Settings with the given epochs, batch size, learning rate and weight decay, the rate
    /// [`ANNEALED`].
    pub fn new(epochs: usize, batch_size: usize, learning_rate: f64, weight_decay: f64) -> Self {
        Self {
            epochs,
            batch_size,
            learning_rate,
            weight_decay,
            schedule: ANNEALED,
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
    /// [`causal_torch::TorchError`] (wrapped) for an unknown device name; as
    /// [`causal_torch::device::default_device`].
    pub(crate) fn resolve_device(&self) -> Result<Device> {
        Ok(match &self.device {
            Some(spec) => causal_torch::device::parse_device(spec)?,
            None => causal_torch::device::default_device()?,
        })
    }

    /// A validated trainer; `with_validation` enables early stopping.
    ///
    /// # Errors
    ///
    /// [`causal_torch::TorchError::InvalidParameter`] (wrapped) for invalid settings.
    pub(crate) fn trainer(&self, device: Device, with_validation: bool) -> Result<Trainer> {
        Ok(TrainerParams::new()
            .optimizer(Optimizer::Adam)
            .learning_rate(self.learning_rate)
            .weight_decay(self.weight_decay)
            .schedule(self.schedule)
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

/// Consuming builder methods `name(value)`, one per `name: Type;` line with its doc comment,
/// that set field `name`, or with a leading `in outer;` field `outer.name`.
macro_rules! setters {
    (in $outer:ident; $($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $name: $ty) -> Self {
                self.$outer.$name = $name;
                self
            }
        )*
    };
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $name: $ty) -> Self {
                self.$name = $name;
                self
            }
        )*
    };
}
pub(crate) use setters;

/// Builder methods for the [`TrainSettings`] held in field `train`.
macro_rules! train_builders {
    () => {
        $crate::models::settings::setters! {
            in train;
            /// Maximum number of epochs.
            epochs: usize;
            /// Mini-batch size.
            batch_size: usize;
            /// Adam's learning rate.
            learning_rate: f64;
            /// Adam's weight decay.
            weight_decay: f64;
            /// The learning-rate schedule (default [`ANNEALED`](crate::models::ANNEALED)).
            schedule: causal_torch::trainer::LrSchedule;
            /// Gradient-norm clipping.
            grad_clip: Option<f64>;
            /// Early-stopping patience in epochs (used when validation data is given).
            patience: Option<usize>;
            /// Seed of initialisation, shuffling and sampling.
            seed: u64;
            /// Hide the progress bar.
            quiet: bool;
        }
        /// Device: `cpu`, `cuda` or `cuda:N` (default: `CAUSAL_DEVICE`, else CUDA if
        /// available, else CPU); an unknown name fails at fit, naming it.
        pub fn device(mut self, spec: &str) -> Self {
            self.train.device = Some(spec.to_owned());
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
