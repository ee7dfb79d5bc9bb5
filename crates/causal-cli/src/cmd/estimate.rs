//! `causal estimate`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal estimate`.
#[derive(Args)]
pub struct EstimateArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal estimate`.
pub fn run(args: EstimateArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("estimate"))
}
