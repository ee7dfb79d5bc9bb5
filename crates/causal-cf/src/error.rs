//! Errors of causal-cf.

use thiserror::Error;

/// Result alias for causal-cf.
pub type Result<T, E = CfError> = std::result::Result<T, E>;

/// Everything that can go wrong in causal-cf.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CfError {
    /// An error from causal-core (data, graphs).
    #[error(transparent)]
    Core(#[from] causal_core::CoreError),
    /// An error from the torch substrate (including diverging losses).
    #[error(transparent)]
    Torch(#[from] causal_torch::TorchError),
    /// Inputs of mismatched or empty shape.
    #[error("shape: {0}")]
    Shape(String),
}
