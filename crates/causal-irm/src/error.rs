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
    /// A hyperparameter outside its valid range (named).
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A target or predictor column that cannot be used (named), e.g. a categorical target.
    #[error("column '{column}': {message}")]
    Column {
        /// The column.
        column: String,
        /// What is wrong with it.
        message: String,
    },
    /// More predictor subsets than ICP may enumerate; pre-select or cap the subset size.
    #[error(
        "{predictors} predictors give {sets} subsets to test (limit {limit}); \
         use pre-selection (lasso or boosting) or a maximum subset size"
    )]
    TooManySubsets {
        /// Number of candidate predictors.
        predictors: usize,
        /// Number of subsets that would be tested (saturating).
        sets: u128,
        /// The configured limit.
        limit: u128,
    },
    /// A numerical failure: a singular design (naming the predictors), a diverging loss.
    #[error("numerical failure: {0}")]
    Numerical(String),
}
