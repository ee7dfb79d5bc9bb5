//! Errors of causal-discover.

use thiserror::Error;

/// Result alias for causal-discover.
pub type Result<T, E = DiscoverError> = std::result::Result<T, E>;

/// Everything that can go wrong in discovery. Messages name the column, node or file.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// An error from causal-core (data, graphs).
    #[error(transparent)]
    Core(#[from] causal_core::CoreError),
    /// A method that needs the `torch` feature was called without it.
    #[error("'{0}' needs causal-discover's `torch` feature (not compiled with torch)")]
    NotCompiledWithTorch(&'static str),
    /// A hyperparameter outside its valid range, named with its value.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A column whose values do not vary, so no test can use it.
    #[error("column '{0}' is constant")]
    ConstantColumn(String),
    /// The correlation (sub)matrix of the named variables is singular: perfectly collinear columns.
    #[error("singular correlation matrix among {}: the columns are perfectly collinear", .0.join(", "))]
    Singular(Vec<String>),
    /// Fewer rows than a test needs.
    #[error("{test} needs more than {needed} rows for this conditioning set, the data has {rows}")]
    TooFewRows {
        /// The test.
        test: &'static str,
        /// Rows required (exclusive lower bound).
        needed: usize,
        /// Rows present.
        rows: usize,
    },
    /// A discrete test was given a column that is not made of integer codes.
    #[error("{test} needs discrete data, but column '{column}' has the non-integer value {value}")]
    NotDiscrete {
        /// The test.
        test: &'static str,
        /// The column.
        column: String,
        /// The first offending value.
        value: f64,
    },
    /// Background knowledge that contradicts itself or the data (GES, LiNGAM, NOTEARS).
    #[error("inconsistent background knowledge: {0}")]
    KnowledgeConflict(String),
    /// A partially directed graph with no DAG in its class (should not happen in GES).
    #[error("the partially directed graph has no consistent DAG extension")]
    NoConsistentExtension,
    /// An optimiser whose objective became NaN or infinite, naming where.
    #[error("the optimisation diverged: {0}")]
    Diverged(String),
    /// A variable name that the data or graph does not have (as core's `UnknownColumn`).
    #[error("unknown column '{0}'")]
    UnknownColumn(String),
    /// Malformed background-knowledge text, with the 1-based line.
    #[error("knowledge line {line}: {message}")]
    Knowledge {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A discovery method name that [`discover`](crate::learner::discover) does not know.
    #[error("unknown discovery method '{0}' (expected one of {names})", names = crate::learner::Method::NAMES.join(", "))]
    UnknownMethod(String),
    /// A failure inside causal-torch (NOTEARS-MLP): LibTorch, a device, a diverging loss.
    #[cfg(feature = "torch")]
    #[error(transparent)]
    Torch(causal_torch::TorchError),
}

/// causal-torch's errors in this crate's vocabulary: core errors and invalid parameters keep
/// their variants, so a caller matches them once for every method.
#[cfg(feature = "torch")]
impl From<causal_torch::TorchError> for DiscoverError {
    fn from(e: causal_torch::TorchError) -> Self {
        match e {
            causal_torch::TorchError::Core(c) => Self::Core(c),
            causal_torch::TorchError::InvalidParameter(m) => Self::InvalidParameter(m),
            other => Self::Torch(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_error_names_the_method() {
        let msg = DiscoverError::NotCompiledWithTorch("notears-mlp").to_string();
        assert!(msg.contains("notears-mlp") && msg.contains("not compiled with torch"));
    }

    #[test]
    fn singular_names_the_columns() {
        let msg = DiscoverError::Singular(vec!["a".into(), "b".into()]).to_string();
        assert!(msg.contains("a, b") && msg.contains("collinear"), "{msg}");
    }
}
