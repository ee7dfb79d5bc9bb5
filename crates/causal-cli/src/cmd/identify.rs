//! `causal identify`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal identify`.
#[derive(Args)]
pub struct IdentifyArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal identify`.
pub fn run(args: IdentifyArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("identify"))
}
