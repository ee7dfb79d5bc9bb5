//! `causal compare`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal compare`.
#[derive(Args)]
pub struct CompareArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal compare`.
pub fn run(args: CompareArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("compare"))
}
