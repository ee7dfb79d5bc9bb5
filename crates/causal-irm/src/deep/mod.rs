//! Deep invariance across environments on causal-torch (feature `torch`): ERM, IRMv1, V-REx,
//! GroupDRO and DANN-style adversarial invariance.
//!
//! Every method is one [`Method`] of a single objective family trained by causal-torch's
//! `Trainer` (this crate writes no training loop). Each training environment holds out a
//! validation split; the trainer keeps the weights of the epoch with the best accuracy on it
//! (training-domain validation, as in DomainBed). When test environments are given, an oracle
//! rule (test-domain validation on a held-out part of them) is recorded beside it, as is the
//! last epoch (a fixed budget, as in Arjovsky et al.).
//!
//! # Examples
//!
//! ```no_run
//! use causal_irm::deep::{DeepParams, EnvData, Method, Task};
//!
//! let env = |shift: f32| {
//!     let x: Vec<f32> = (0..40).map(|i| i as f32 / 10.0 + shift).collect();
//!     let y: Vec<f32> = x.iter().map(|v| f32::from(*v > 2.0 + shift)).collect();
//!     EnvData::new(x, 1, y)
//! };
//! let model = DeepParams::new(Method::Vrex { weight: 10.0, anneal_epochs: 10 }, Task::Binary)
//!     .hidden(&[8])
//!     .epochs(50)
//!     .check()?
//!     .fit(&[env(0.0)?, env(0.5)?], &[env(1.0)?])?;
//! println!("{:?}", model.selected());
//! # Ok::<(), causal_irm::IrmError>(())
//! ```

mod data;
mod model;
mod net;
mod objective;
mod params;
mod save;

pub use data::EnvData;
pub use model::{InvariantModel, Selected};
pub use objective::EpochMetrics;
pub use params::{DeepParams, DeepValidParams, Method, Task};
pub use save::{ARCHITECTURE_FILE, Architecture, WEIGHTS_FILE};
