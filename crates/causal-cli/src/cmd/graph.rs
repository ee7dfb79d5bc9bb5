//! `causal graph`: read, check, convert and query causal graphs.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::error::CliError;
use crate::io::read_graph;

/// Arguments of `causal graph`.
#[derive(Args)]
pub struct GraphArgs {
    #[command(subcommand)]
    action: GraphAction,
}

#[derive(Subcommand)]
enum GraphAction {
    /// Report the graph's kind, size and acyclicity.
    Check {
        /// Graph file (.json).
        graph: PathBuf,
        /// Graph format, overriding the file extension.
        #[arg(long)]
        format: Option<String>,
    },
}

/// Runs `causal graph`.
pub fn run(args: GraphArgs) -> Result<serde_json::Value, CliError> {
    match args.action {
        GraphAction::Check { graph, format } => {
            let g = read_graph(&graph, format.as_deref())?;
            Ok(json!({
                "kind": g.kind(),
                "nodes": g.n_nodes(),
                "edges": g.n_edges(),
                "acyclic": g.is_acyclic(),
            }))
        }
    }
}
