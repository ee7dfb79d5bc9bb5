//! The types most training programs need.

pub use crate::data::{dataset_tensor, dataset_to_tensor, to_tensor};
pub use crate::device::{default_device, parse_device};
pub use crate::error::{Result, TorchError};
pub use crate::nn::{Activation, Mlp, MlpParams};
pub use crate::predict::{PredictTask, PredictorFit, PredictorParams};
pub use crate::seed::manual_seed;
pub use crate::trainer::{History, LrSchedule, Objective, Optimizer, Trainer, TrainerParams};
