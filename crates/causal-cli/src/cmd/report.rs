//! `causal report`.

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal report`.
#[derive(Args)]
pub struct ReportArgs {
    /// Arguments, accepted once this capability lands.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `causal report`.
pub fn run(args: ReportArgs) -> Result<serde_json::Value, CliError> {
    let _ = args.rest;
    Err(CliError::unavailable("report"))
}
