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
    // --- score-based and functional methods (GES, LiNGAM, NOTEARS) ---
    /// A column with (numerically) zero variance.
    #[error("column '{0}' is constant")]
    ConstantColumn(String),
    /// A column that is a linear combination of others (singular correlation matrix).
    #[error("column '{column}' is a linear combination of other columns ({}): the correlation matrix is singular", .others.join(", "))]
    CollinearColumns {
        /// The column found to be spanned by the others.
        column: String,
        /// The earlier columns that span it.
        others: Vec<String>,
    },
    /// A discrete method met a non-integer value.
    #[error(
        "row {row}, column '{column}': value {value} is not an integer code, but the method needs discrete data"
    )]
    NotDiscrete {
        /// Column name.
        column: String,
        /// 1-based data row.
        row: usize,
        /// The value found.
        value: f64,
    },
    /// Fewer rows than the method needs.
    #[error("{rows} rows, but the method needs at least {needed}")]
    TooFewRows {
        /// Rows given.
        rows: usize,
        /// Rows needed.
        needed: usize,
    },
    /// A hyperparameter out of range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// Background knowledge that contradicts itself or the data.
    #[error("inconsistent background knowledge: {0}")]
    KnowledgeConflict(String),
    /// A partially directed graph with no DAG in its class (should not happen in GES).
    #[error("the partially directed graph has no consistent DAG extension")]
    NoConsistentExtension,
    /// An optimiser whose objective became NaN or infinite, naming where.
    #[error("the optimisation diverged: {0}")]
    Diverged(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torch_error_names_the_method() {
        let msg = DiscoverError::NotCompiledWithTorch("notears-mlp").to_string();
        assert!(msg.contains("notears-mlp") && msg.contains("not compiled with torch"));
    }
}
