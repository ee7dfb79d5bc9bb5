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
