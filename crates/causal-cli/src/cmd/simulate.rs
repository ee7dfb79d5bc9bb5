//! `causal simulate`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal simulate`.
#[derive(Args)]
pub struct SimulateArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal simulate`.
pub fn run(args: SimulateArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("simulate"))
}
