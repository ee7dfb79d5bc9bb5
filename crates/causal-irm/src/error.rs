//! Errors of causal-irm.

use thiserror::Error;

/// Result alias for causal-irm.
pub type Result<T, E = IrmError> = std::result::Result<T, E>;

/// Everything that can go wrong in causal-irm. Messages name the environment or column.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum IrmError {
    /// An error from causal-core (data, graphs).
    #[error(transparent)]
    Core(#[from] causal_core::CoreError),
    /// An error from the torch substrate.
    #[cfg(feature = "torch")]
    #[error(transparent)]
    Torch(#[from] causal_torch::TorchError),
    /// A deep method was called without the `torch` feature.
    #[error("'{0}' needs causal-irm's `torch` feature (not compiled with torch)")]
    NotCompiledWithTorch(&'static str),
    /// Environments that cannot support an invariance test.
    #[error("environments: {0}")]
    Environments(String),
}
