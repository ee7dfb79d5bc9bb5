//! `causal transport`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal transport`.
#[derive(Args)]
pub struct TransportArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal transport`.
pub fn run(args: TransportArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("transport"))
}
