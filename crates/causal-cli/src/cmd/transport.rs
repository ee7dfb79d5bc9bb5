//! `causal transport`: transport `P*(y | do(x))` from a source population with experiments to a
//! target population with observations, given a selection diagram.

use std::path::PathBuf;

use causal::core::identify::{Transport, Transporter};
use clap::Args;
use serde_json::json;

use crate::cmd::identify::{names_or_role, read_admg};
use crate::error::CliError;

/// Arguments of `causal transport`.
#[derive(Args)]
pub struct TransportArgs {
    /// Selection diagram: an ADMG whose selection nodes (dagitty `selected`/`selection`, or
    /// nodes named S, S1, S_2, ..) point at the variables whose mechanisms differ.
    graph: PathBuf,
    /// Graph format, overriding the file extension.
    #[arg(long)]
    format: Option<String>,
    /// Comma-separated treatments (default: the graph's exposure nodes).
    #[arg(long)]
    treatment: Option<String>,
    /// Comma-separated outcomes (default: the graph's outcome nodes).
    #[arg(long)]
    outcome: Option<String>,
}

/// Runs `causal transport`.
pub fn run(args: TransportArgs) -> Result<serde_json::Value, CliError> {
    let graph = read_admg(&args.graph, args.format.as_deref())?;
    let x = names_or_role(
        args.treatment.as_deref(),
        &graph,
        |r| r.exposure,
        "--treatment",
    )?;
    let y = names_or_role(args.outcome.as_deref(), &graph, |r| r.outcome, "--outcome")?;
    let t = Transporter::new(&graph)?;
    let result = t.transport(&x, &y)?;
    let base = json!({
        "query": format!("P*({} | do({}))", y.join(", "), x.join(", ")),
        "selection": t.selection_nodes(),
        "differing": t.differing(),
    });
    let mut out = match &result {
        Transport::Transportable(e) => json!({
            "transportable": true,
            "estimand": e.to_string(),
            "latex": e.to_latex(),
            "expression": e,
            "reason": null,
            "hedge": null,
        }),
        Transport::NotTransportable { hedge, reason, .. } => json!({
            "transportable": false,
            "estimand": null,
            "latex": null,
            "reason": reason,
            "hedge": hedge,
        }),
    };
    for (k, v) in base.as_object().into_iter().flatten() {
        out[k] = v.clone();
    }
    Ok(out)
}
