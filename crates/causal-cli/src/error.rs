//! CLI errors and their exit codes.
//!
//! A library's error is kept whole ([`CliError::Library`]), not flattened into a string: its
//! variant (`UnknownColumn`, `BadValue`, ...) and its `source()` chain reach `main`, which
//! prints the message and every cause the message does not already contain
//! ([`CliError::report`]).

use std::fmt::Display;

use causal::core::CoreError;
use thiserror::Error;

/// A library error kept whole, so that its kind and its `source()` chain survive.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failure of one `causal` invocation.
#[derive(Debug, Error)]
pub enum CliError {
    /// Bad input found by the CLI itself: usage, an option's value. Exit code 2.
    #[error("{0}")]
    BadInput(String),
    /// Any other failure found by the CLI itself. Exit code 1.
    #[error("{0}")]
    Failure(String),
    /// A library's error, kept whole, with where it happened (a file) when that helps.
    /// Exit code 2 when it is bad input, else 1.
    #[error("{}{cause}", context.as_ref().map(|c| format!("{c}: ")).unwrap_or_default())]
    Library {
        /// Where it happened (a path), shown before the library's message.
        context: Option<String>,
        /// The library's error.
        #[source]
        cause: Cause,
        /// Whether the input is at fault (exit code 2) rather than the computation (1).
        bad_input: bool,
    },
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::BadInput(_)
            | Self::Library {
                bad_input: true, ..
            } => 2,
            Self::Failure(_) | Self::Library { .. } => 1,
        }
    }

    /// A capability that this build does not provide yet.
    pub fn unavailable(what: &str) -> Self {
        Self::Failure(format!(
            "`causal {what}` is not available in this build yet"
        ))
    }

    /// Bad input (exit code 2) that a library found.
    pub fn bad_input_from(cause: impl Into<Cause>) -> Self {
        Self::library(None, cause.into(), true)
    }

    /// A failure (exit code 1) that a library returned.
    pub fn failure_from(cause: impl Into<Cause>) -> Self {
        Self::library(None, cause.into(), false)
    }

    /// Bad input that a library found in `context` (a file).
    pub fn bad_input_in(context: impl Display, cause: impl Into<Cause>) -> Self {
        Self::library(Some(context.to_string()), cause.into(), true)
    }

    /// A failure that a library returned while working on `context` (a file).
    pub fn failure_in(context: impl Display, cause: impl Into<Cause>) -> Self {
        Self::library(Some(context.to_string()), cause.into(), false)
    }

    fn library(context: Option<String>, cause: Cause, bad_input: bool) -> Self {
        Self::Library {
            context,
            cause,
            bad_input,
        }
    }

    /// The message, then each cause in the `source()` chain that the text so far does not
    /// already say, one per line as `caused by: …`.
    pub fn report(&self) -> String {
        let mut text = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(cause) = next {
            let line = cause.to_string();
            if !text.contains(&line) {
                text.push_str("\n  caused by: ");
                text.push_str(&line);
            }
            next = cause.source();
        }
        text
    }
}

impl From<CoreError> for CliError {
    fn from(e: CoreError) -> Self {
        let bad_input = !matches!(e, CoreError::Numerical(_));
        Self::library(None, Box::new(e), bad_input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Error)]
    #[error("reading the spec")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_library_error_keeps_its_kind_and_chain() {
        let e = CliError::from(CoreError::UnknownColumn("z".into()));
        assert_eq!(e.exit_code(), 2);
        let source = std::error::Error::source(&e).expect("the library error is the source");
        assert!(matches!(
            source.downcast_ref::<CoreError>(),
            Some(CoreError::UnknownColumn(c)) if c == "z"
        ));
        // The message is the library's; the chain adds nothing it already says.
        assert_eq!(e.report(), e.to_string());
        assert!(e.to_string().contains('z'), "{e}");
    }

    #[test]
    fn the_report_adds_causes_the_message_does_not_say() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = CliError::failure_in("spec.json", Outer(io));
        assert_eq!(e.exit_code(), 1);
        assert_eq!(
            e.report(),
            "spec.json: reading the spec\n  caused by: no such file"
        );
        let numerical = CliError::from(CoreError::Numerical("singular".into()));
        assert_eq!(numerical.exit_code(), 1);
    }
}
