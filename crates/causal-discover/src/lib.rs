#![doc = include_str!("../README.md")]

pub mod bootstrap;
pub mod causal_learn;
pub mod ci;
pub mod error;
pub mod fci;
pub mod ges;
pub mod knowledge;
pub mod learner;
pub mod lingam;
pub mod notears;
pub mod pc;
pub mod prelude;
mod search_setup;
pub mod sepset;
mod work_graph;

pub use error::{DiscoverError, Result};
pub use learner::{DiscoverOptions, Discovered, GraphLearner, Method, discover};

/// NOTEARS-MLP (Zheng et al. 2020), implemented in causal-torch (needs LibTorch).
#[cfg(feature = "torch")]
pub use causal_torch::notears_mlp;
