//! `causal refute`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal refute`.
#[derive(Args)]
pub struct RefuteArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal refute`.
pub fn run(args: RefuteArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("refute"))
}
