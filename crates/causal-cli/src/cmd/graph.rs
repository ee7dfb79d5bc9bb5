//! `causal graph`: read, check, convert and query causal graphs.

use std::path::PathBuf;

use causal::core::graph::{Admg, GraphClass, GraphFormat, MixedGraph, NodeSet};
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
        /// How to read the graph: dag, admg, cpdag, pdag, mag or pag (default: from its marks;
        /// bidirected edges are read as an ADMG unless `--class mag`).
        #[arg(long)]
        class: Option<String>,
        /// Also test whether this set (comma-separated) is a valid adjustment set.
        #[arg(long)]
        check: Option<String>,
    },
}

fn bad(e: impl Into<crate::error::Cause>) -> CliError {
    CliError::bad_input_from(e)
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
            class,
            check,
        } => {
            let mixed = read_graph(&input.graph, input.format.as_deref())?;
            let class = match class {
                Some(c) => c.parse::<GraphClass>().map_err(bad)?,
                None => mixed.graph_class(),
            };
            if !matches!(class, GraphClass::Dag | GraphClass::Admg) {
                return adjust_class(
                    &mixed,
                    class,
                    treatment.as_deref(),
                    outcome.as_deref(),
                    check.as_deref(),
                );
            }
            let g = admg(&mixed, "adjust")?;
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
            let checked = match check.as_deref() {
                Some(list) => Some(g.is_adjustment_set(&x, &y, &node_set(&g, list, "check")?)),
                None => None,
            };
            Ok(json!({
                "class": class,
                "amenable": true,
                "minimal": minimal,
                "optimal": optimal,
                "frontdoor": frontdoor,
                "instruments": instruments,
                "valid": checked,
            }))
        }
    }
}

/// Names of a list of nodes of a mixed graph as a set, naming the flag in errors.
fn mixed_set(g: &MixedGraph, list: &str, what: &str) -> Result<NodeSet, CliError> {
    let idx = g
        .indices(&split_names(list))
        .map_err(|e| bad(format!("--{what}: {e}")))?;
    Ok(NodeSet::from_indices(g.n_nodes(), idx))
}

/// Treatment or outcome of a mixed graph: the option if given, else the nodes with the role.
fn mixed_role_set(
    g: &MixedGraph,
    list: Option<&str>,
    what: &str,
    role: fn(&causal::core::graph::NodeRoles) -> bool,
) -> Result<NodeSet, CliError> {
    let s = match list {
        Some(l) => mixed_set(g, l, what)?,
        None => NodeSet::from_indices(g.n_nodes(), g.nodes_with(role)),
    };
    if s.is_empty() {
        return Err(bad(format!(
            "no {what} given: use --{what} or mark nodes in the graph"
        )));
    }
    Ok(s)
}

/// `causal graph adjust` on a CPDAG, PDAG, MAG or PAG: the generalised adjustment criterion.
fn adjust_class(
    g: &MixedGraph,
    class: GraphClass,
    treatment: Option<&str>,
    outcome: Option<&str>,
    check: Option<&str>,
) -> Result<serde_json::Value, CliError> {
    let x = mixed_role_set(g, treatment, "treatment", |r| r.exposure)?;
    let y = mixed_role_set(g, outcome, "outcome", |r| r.outcome)?;
    let adj = g.adjustment(class, &x, &y).map_err(bad)?;
    let names = |s: &NodeSet| -> Vec<String> { s.iter().map(|v| g.name(v).to_owned()).collect() };
    let checked = match check {
        Some(list) => Some(adj.is_valid(&mixed_set(g, list, "check")?)),
        None => None,
    };
    Ok(json!({
        "class": class,
        "amenable": adj.is_amenable(),
        "breaking_path": adj.breaking_path().map(|p| adj.render_path(p)),
        "message": adj.check_amenable().err().map(|e| e.to_string()),
        "adjustment_set": adj.adjustment_set().map(|s| names(&s)),
        "optimal": adj.optimal_set().map(|s| names(&s)),
        "forbidden": names(adj.forbidden()),
        "valid": checked,
    }))
}
