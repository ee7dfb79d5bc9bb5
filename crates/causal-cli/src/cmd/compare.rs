//! `causal compare --truth G1 --estimate G2`: SHD, TPR, FDR, precision/recall and SID.

use std::path::PathBuf;

use causal::core::graph::metrics::compare;
use clap::Args;

use crate::error::CliError;
use crate::io::read_graph;

/// Arguments of `causal compare`.
#[derive(Args)]
pub struct CompareArgs {
    /// The true graph (graph JSON).
    #[arg(long)]
    truth: PathBuf,
    /// The estimated graph (graph JSON).
    #[arg(long)]
    estimate: PathBuf,
}

/// Runs `causal compare`.
pub fn run(args: CompareArgs) -> Result<serde_json::Value, CliError> {
    let truth = read_graph(&args.truth, None)?;
    let estimate = read_graph(&args.estimate, None)?;
    let m = compare(&truth, &estimate)?;
    serde_json::to_value(m).map_err(CliError::failure_from)
}
