//! `causal ite`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal ite`.
#[derive(Args)]
pub struct IteArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal ite`.
pub fn run(args: IteArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("ite"))
}
