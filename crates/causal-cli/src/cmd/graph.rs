//! `causal graph`: read, check, convert and query causal graphs.

use std::path::PathBuf;

use causal::core::graph::{Admg, GraphFormat, MixedGraph, NodeSet};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::error::CliError;
use crate::io::{read_graph, split_names};

/// Arguments of `causal graph`.
#[derive(Args)]
pub struct GraphArgs {
    #[command(subcommand)]
    action: GraphAction,
}

/// The graph file and its format, shared by every action.
#[derive(Args)]
struct Input {
    /// Graph file (.json, .dagitty, .dot or .gv).
    graph: PathBuf,
    /// Graph format (json, dagitty, dot), overriding the file extension.
    #[arg(long)]
    format: Option<String>,
}

#[derive(Subcommand)]
enum GraphAction {
    /// Report the graph's kind, size and acyclicity.
    Check {
        #[command(flatten)]
        input: Input,
    },
    /// Write the graph in another format (dot and dagitty as text, json as JSON).
    Convert {
        #[command(flatten)]
        input: Input,
        /// Output format: dot, json or dagitty.
        #[arg(long)]
        to: String,
        /// Replace the nodes marked latent by their latent projection (an ADMG).
        #[arg(long)]
        project_latents: bool,
    },
    /// Test d-/m-separation of two node sets given a third.
    Dsep {
        #[command(flatten)]
        input: Input,
        /// First set (comma-separated).
        #[arg(long)]
        x: String,
        /// Second set (comma-separated).
        #[arg(long)]
        y: String,
        /// Conditioning set (comma-separated).
        #[arg(long, default_value = "")]
        given: String,
    },
    /// List the conditional independences the graph implies, one per non-adjacent pair.
    Implied {
        #[command(flatten)]
        input: Input,
    },
    /// Adjustment sets, front-door sets and instruments for a causal effect.
    Adjust {
        #[command(flatten)]
        input: Input,
        /// Treatment nodes (comma-separated); default: the nodes marked exposure.
        #[arg(long)]
        treatment: Option<String>,
        /// Outcome nodes (comma-separated); default: the nodes marked outcome.
        #[arg(long)]
        outcome: Option<String>,
    },
}

fn bad(e: impl std::fmt::Display) -> CliError {
    CliError::BadInput(e.to_string())
}

/// The graph as an ADMG, or a clear refusal for CPDAGs, PAGs and cyclic graphs.
fn admg(g: &MixedGraph, what: &str) -> Result<Admg, CliError> {
    Admg::from_mixed(g).map_err(|e| bad(format!("`causal graph {what}` needs a DAG or ADMG: {e}")))
}

fn node_set(g: &Admg, list: &str, what: &str) -> Result<NodeSet, CliError> {
    let names = split_names(list);
    g.set(&names).map_err(|e| bad(format!("--{what}: {e}")))
}

fn names(g: &Admg, s: &NodeSet) -> Vec<String> {
    g.names_of(s).into_iter().map(str::to_owned).collect()
}

/// Treatment or outcome: the option if given, else the nodes with the role.
fn role_set(
    g: &Admg,
    list: Option<&str>,
    what: &str,
    role: fn(&causal::core::graph::NodeRoles) -> bool,
) -> Result<NodeSet, CliError> {
    let s = match list {
        Some(l) => node_set(g, l, what)?,
        None => g.nodes_with(role),
    };
    if s.is_empty() {
        return Err(bad(format!(
            "no {what} given: use --{what} or mark nodes in the graph"
        )));
    }
    Ok(s)
}

/// Runs `causal graph`.
pub fn run(args: GraphArgs) -> Result<serde_json::Value, CliError> {
    match args.action {
        GraphAction::Check { input } => {
            let g = read_graph(&input.graph, input.format.as_deref())?;
            Ok(json!({
                "kind": g.kind(),
                "nodes": g.n_nodes(),
                "edges": g.n_edges(),
                "acyclic": g.is_acyclic(),
            }))
        }
        GraphAction::Convert {
            input,
            to,
            project_latents,
        } => {
            let mut g = read_graph(&input.graph, input.format.as_deref())?;
            let to = GraphFormat::from_name(&to).map_err(bad)?;
            if project_latents {
                g = admg(&g, "convert --project-latents")?
                    .project_latents()
                    .to_mixed();
            }
            match to {
                GraphFormat::Json => Ok(g.to_json_value()),
                other => {
                    print!("{}", g.write(other));
                    Ok(serde_json::Value::Null)
                }
            }
        }
        GraphAction::Dsep { input, x, y, given } => {
            let g = admg(&read_graph(&input.graph, input.format.as_deref())?, "dsep")?;
            let (xs, ys, zs) = (split_names(&x), split_names(&y), split_names(&given));
            let separated = g.m_separated_names(&xs, &ys, &zs).map_err(bad)?;
            Ok(json!({ "separated": separated }))
        }
        GraphAction::Implied { input } => {
            let g = admg(
                &read_graph(&input.graph, input.format.as_deref())?,
                "implied",
            )?;
            Ok(json!({ "independencies": g.implied_independencies() }))
        }
        GraphAction::Adjust {
            input,
            treatment,
            outcome,
        } => {
            let g = admg(
                &read_graph(&input.graph, input.format.as_deref())?,
                "adjust",
            )?;
            let x = role_set(&g, treatment.as_deref(), "treatment", |r| r.exposure)?;
            let y = role_set(&g, outcome.as_deref(), "outcome", |r| r.outcome)?;
            g.check_effect(&x, &y).map_err(bad)?;
            let minimal: Vec<Vec<String>> = g
                .minimal_adjustment_sets(&x, &y)
                .iter()
                .map(|s| names(&g, s))
                .collect();
            let optimal = g.optimal_adjustment_set(&x, &y).map(|s| names(&g, &s));
            let frontdoor: Vec<Vec<String>> = g
                .frontdoor_sets(&x, &y)
                .iter()
                .map(|s| names(&g, s))
                .collect();
            let instruments: Vec<serde_json::Value> = match (x.first(), y.first()) {
                (Some(xv), Some(yv)) if x.len() == 1 && y.len() == 1 => g
                    .instruments(xv, yv)
                    .into_iter()
                    .map(|iv| {
                        json!({
                            "instrument": g.name(iv.instrument),
                            "given": names(&g, &iv.given),
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Ok(json!({
                "minimal": minimal,
                "optimal": optimal,
                "frontdoor": frontdoor,
                "instruments": instruments,
            }))
        }
    }
}
