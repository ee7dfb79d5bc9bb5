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
    /// A treatment value other than 0 or 1.
    #[error("treatment '{column}' must be binary (0/1), but row {row} holds {value}")]
    NonBinaryTreatment {
        /// The treatment column.
        column: String,
        /// 1-based row.
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// A treatment arm with too few units to learn from.
    #[error("the {group} group has {count} unit(s); at least {needed} are needed")]
    TooFewUnits {
        /// `treated` or `control`.
        group: &'static str,
        /// Units in that group.
        count: usize,
        /// The minimum required.
        needed: usize,
    },
    /// A NaN or infinite value in the inputs.
    #[error("row {row}, column '{column}': value {value} is not finite")]
    BadValue {
        /// 1-based row.
        row: usize,
        /// The column.
        column: String,
        /// The offending value.
        value: f64,
    },
    /// A hyperparameter or argument outside its valid range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
}

impl From<causal_torch::tch::TchError> for CfError {
    fn from(e: causal_torch::tch::TchError) -> Self {
        Self::Torch(causal_torch::TorchError::Tch(e))
    }
}
