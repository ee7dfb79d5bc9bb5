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
//! use causal_core::contract::ParamGuard;
//! use causal_core::data::{ColumnRoles, Dataset};
//! use causal_irm::deep::{DeepParams, Method, Task};
//!
//! // Three environments (labels 0, 1, 2), the threshold shifting with each.
//! let (mut e, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
//! for (label, shift) in [(0.0, 0.0), (1.0, 0.5), (2.0, 1.0)] {
//!     for i in 0..40 {
//!         let v = f64::from(i) / 10.0 + shift;
//!         e.push(label);
//!         x.push(v);
//!         y.push(f64::from(u8::from(v > 2.0 + shift)));
//!     }
//! }
//! let data = Dataset::new(vec!["e".into(), "x".into(), "y".into()], vec![e, x, y])?;
//! let roles = ColumnRoles::new().environment("e").outcome("y").covariates(["x"]);
//! let model = DeepParams::new(Method::Vrex { weight: 10.0, anneal_epochs: 10 }, Task::Binary)
//!     .hidden(&[8])
//!     .epochs(50)
//!     .check()?
//!     .fit(&data, &roles, &[2])?;
//! println!("{:?}", model.selected());
//! # Ok::<(), causal_irm::IrmError>(())
//! ```

mod data;
mod model;
mod net;
mod objective;
mod params;
mod save;

pub use model::{DeepFit, Selected};
pub use objective::EpochMetrics;
pub use params::{Deep, DeepParams, Method, Task};
pub use save::{ARCHITECTURE_FILE, Architecture, WEIGHTS_FILE};
