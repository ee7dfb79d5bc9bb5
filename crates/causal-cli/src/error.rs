//! CLI errors and their exit codes.

use causal::core::CoreError;
use thiserror::Error;

/// A failure of one `causal` invocation.
#[derive(Debug, Error)]
pub enum CliError {
    /// Bad input: usage, unreadable or invalid data. Exit code 2.
    #[error("{0}")]
    BadInput(String),
    /// Any other failure. Exit code 1.
    #[error("{0}")]
    Failure(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::BadInput(_) => 2,
            Self::Failure(_) => 1,
        }
    }

    /// A capability that this build does not provide yet.
    pub fn unavailable(what: &str) -> Self {
        Self::Failure(format!(
            "`causal {what}` is not available in this build yet"
        ))
    }
}

impl From<CoreError> for CliError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Numerical(_) => Self::Failure(e.to_string()),
            _ => Self::BadInput(e.to_string()),
        }
    }
}
