#![doc = include_str!("../README.md")]

/// causal-core: data sets, graphs, identification, SCMs and estimators.
pub use causal_core as core;

/// causal-discover: causal discovery.
#[cfg(feature = "discover")]
pub use causal_discover as discover;

/// causal-torch: the LibTorch training substrate.
#[cfg(feature = "torch")]
pub use causal_torch as torch;

/// causal-irm: invariance across environments.
#[cfg(feature = "irm")]
pub use causal_irm as irm;

/// causal-cf: deep counterfactual and individual-effect estimators.
#[cfg(feature = "cf")]
pub use causal_cf as cf;

pub mod prelude;
