//! Errors of causal-torch.

use thiserror::Error;

/// Result alias for causal-torch.
pub type Result<T, E = TorchError> = std::result::Result<T, E>;

/// Everything that can go wrong in the torch substrate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TorchError {
    /// An error from causal-core (data, graphs).
    #[error(transparent)]
    Core(#[from] causal_core::CoreError),
    /// An error raised by LibTorch.
    #[error("libtorch: {0}")]
    Tch(#[from] tch::TchError),
    /// A device string or device that cannot be used.
    #[error("device: {0}")]
    Device(String),
    /// A loss became NaN or infinite (the same name as causal-discover's diverging optimiser).
    #[error("loss term '{term}' became {value} at epoch {epoch}")]
    Diverged {
        /// The loss term that diverged.
        term: String,
        /// The epoch (0-based) where it happened.
        epoch: usize,
        /// The offending value.
        value: f64,
    },
    /// A hyperparameter outside its valid range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A tensor whose shape does not fit where it is used, naming what was expected.
    #[error("shape: {0}")]
    Shape(String),
    /// A checkpoint that could not be written or read.
    #[error("checkpoint {path}: {source}")]
    Checkpoint {
        /// The checkpoint file.
        path: String,
        /// The LibTorch error.
        #[source]
        source: tch::TchError,
    },
    /// A file (history, plot) that could not be written.
    #[error("{path}: {message}")]
    Output {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}
