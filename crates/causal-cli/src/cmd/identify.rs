//! `causal identify`: is `P(y | do(x) [, z])` identifiable, by which estimand, and (with data)
//! what is its plug-in value?

use std::path::PathBuf;

use causal::core::graph::Admg;
use causal::core::identify::{Identification, Identifier, plug_in};
use clap::Args;
use serde_json::json;

use crate::error::CliError;
use crate::io::{read_data, read_graph, split_names};

/// Arguments of `causal identify`.
#[derive(Args)]
pub struct IdentifyArgs {
    /// Graph file (.json, or any format `causal graph` reads); an ADMG.
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
    /// Comma-separated conditioning variables, for `P(y | do(x), z)` (IDC).
    #[arg(long)]
    given: Option<String>,
    /// Discrete data (CSV or whitespace-separated, with a header) for the plug-in estimate.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Treatment values for the plug-in estimate, e.g. `X=1` or `X1=1,X2=0`.
    #[arg(long = "do")]
    action: Option<String>,
    /// Outcome values for the plug-in estimate, e.g. `Y=1`.
    #[arg(long)]
    query: Option<String>,
    /// Values of the conditioning variables, e.g. `Z=0`.
    #[arg(long)]
    evidence: Option<String>,
}

/// Reads a graph file as an ADMG, naming the file in errors.
pub fn read_admg(path: &std::path::Path, format: Option<&str>) -> Result<Admg, CliError> {
    let g = read_graph(path, format)?;
    Admg::from_mixed(&g).map_err(|e| CliError::bad_input_in(path.display(), e))
}

/// Names from `--flag A,B`, or else the nodes carrying a role in the graph.
pub fn names_or_role(
    list: Option<&str>,
    graph: &Admg,
    role: fn(&causal::core::graph::NodeRoles) -> bool,
    flag: &str,
) -> Result<Vec<String>, CliError> {
    match list {
        Some(l) => Ok(split_names(l)),
        None => {
            let from_roles: Vec<String> = graph
                .nodes_with(role)
                .iter()
                .map(|i| graph.name(i).to_owned())
                .collect();
            if from_roles.is_empty() {
                Err(CliError::BadInput(format!(
                    "{flag} is required (the graph marks no such node)"
                )))
            } else {
                Ok(from_roles)
            }
        }
    }
}

/// Parses `A=1,B=0` into (name, value) pairs.
pub fn parse_assignment(text: &str, flag: &str) -> Result<Vec<(String, f64)>, CliError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').ok_or_else(|| {
                CliError::BadInput(format!("{flag} '{part}': expected NAME=VALUE"))
            })?;
            let v: f64 = value.trim().parse().map_err(|_| {
                CliError::BadInput(format!(
                    "{flag} '{part}': '{}' is not a number",
                    value.trim()
                ))
            })?;
            Ok((name.trim().to_owned(), v))
        })
        .collect()
}

/// Checks that an assignment names exactly the given variables.
fn covers(pairs: &[(String, f64)], names: &[String], flag: &str) -> Result<(), CliError> {
    let mut got: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
    let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
    got.sort_unstable();
    want.sort_unstable();
    if got != want {
        return Err(CliError::BadInput(format!(
            "{flag} must give a value to each of {{{}}} and nothing else (got {{{}}})",
            want.join(", "),
            got.join(", ")
        )));
    }
    Ok(())
}

fn view(pairs: &[(String, f64)]) -> Vec<(&str, f64)> {
    pairs.iter().map(|(n, v)| (n.as_str(), *v)).collect()
}

/// Runs `causal identify`.
pub fn run(args: IdentifyArgs) -> Result<serde_json::Value, CliError> {
    let graph = read_admg(&args.graph, args.format.as_deref())?;
    let x = names_or_role(
        args.treatment.as_deref(),
        &graph,
        |r| r.exposure,
        "--treatment",
    )?;
    let y = names_or_role(args.outcome.as_deref(), &graph, |r| r.outcome, "--outcome")?;
    let z = args.given.as_deref().map(split_names).unwrap_or_default();
    let id = Identifier::new(&graph).identify_given(&x, &y, &z)?;
    let query = if z.is_empty() {
        format!("P({} | do({}))", y.join(", "), x.join(", "))
    } else {
        format!(
            "P({} | do({}), {})",
            y.join(", "),
            x.join(", "),
            z.join(", ")
        )
    };
    let mut out = match &id {
        Identification::Identified(e) => json!({
            "query": query,
            "identifiable": true,
            "estimand": e.to_string(),
            "latex": e.to_latex(),
            "expression": e,
            "hedge": null,
        }),
        Identification::NotIdentifiable(h) => json!({
            "query": query,
            "identifiable": false,
            "estimand": null,
            "latex": null,
            "hedge": h,
        }),
    };
    if let Some(path) = &args.data {
        let action = parse_assignment(args.action.as_deref().unwrap_or(""), "--do")?;
        let target = parse_assignment(args.query.as_deref().unwrap_or(""), "--query")?;
        let evidence = parse_assignment(args.evidence.as_deref().unwrap_or(""), "--evidence")?;
        covers(&action, &x, "--do")?;
        covers(&target, &y, "--query")?;
        covers(&evidence, &z, "--evidence")?;
        let value = match id.estimand() {
            Some(e) => {
                let data = read_data(path)?;
                let (a, t, ev) = (view(&action), view(&target), view(&evidence));
                let v =
                    plug_in(e, &data, &a, &t, &ev).map_err(|err| match CliError::from(err) {
                        CliError::BadInput(m) => CliError::bad_input_in(path.display(), m),
                        other => other,
                    })?;
                json!(v)
            }
            None => serde_json::Value::Null,
        };
        out["value"] = value;
    } else if args.action.is_some() || args.query.is_some() || args.evidence.is_some() {
        return Err(CliError::BadInput(
            "--do, --query and --evidence need --data".into(),
        ));
    }
    Ok(out)
}
