//! `causal discover`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal discover`.
#[derive(Args)]
pub struct DiscoverArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal discover`.
pub fn run(args: DiscoverArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("discover"))
}
