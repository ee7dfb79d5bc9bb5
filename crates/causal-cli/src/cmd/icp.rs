//! `causal icp`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal icp`.
#[derive(Args)]
pub struct IcpArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal icp`.
pub fn run(args: IcpArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("icp"))
}
