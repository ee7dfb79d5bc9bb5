//! `causal stable-set`: the features whose prediction of a target stays valid when the marked
//! mechanisms shift (a stable conditioning set on a selection diagram), and why each other
//! feature is unsafe.

use std::path::PathBuf;

use causal::core::identify::StableSetSearch;
use clap::Args;

use crate::cmd::identify::read_admg;
use crate::error::CliError;
use crate::io::{read_data, split_names};

/// Arguments of `causal stable-set`.
#[derive(Args)]
pub struct StableSetArgs {
    /// Graph file (DAG or ADMG; any format `causal graph` reads). Nodes with the `selection`
    /// role (or, with no --shifted, nodes named S, S1, ..) are read as selection nodes.
    #[arg(long)]
    graph: PathBuf,
    /// Graph format, overriding the file extension.
    #[arg(long)]
    format: Option<String>,
    /// The variable to predict.
    #[arg(long)]
    target: String,
    /// Comma-separated variables whose mechanisms may differ between populations.
    #[arg(long)]
    shifted: Option<String>,
    /// Data (CSV or whitespace-separated, with a header): graph nodes without a column are
    /// treated as latent, and the maximal stable set with the best validation error of a
    /// least-squares fit is chosen (else the largest stable set).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Share of the rows held out to score the candidate sets.
    #[arg(long, default_value_t = 0.3)]
    valid_fraction: f64,
    /// Seed of the validation split.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// Runs `causal stable-set`.
pub fn run(args: StableSetArgs) -> Result<serde_json::Value, CliError> {
    let mut graph = read_admg(&args.graph, args.format.as_deref())?;
    let shifted = args.shifted.as_deref().map(split_names).unwrap_or_default();
    let data = args.data.as_deref().map(read_data).transpose()?;
    let mut latent = Vec::new();
    if let Some(d) = &data {
        for i in 0..graph.n() {
            let r = graph.roles(i);
            if !r.selection && !d.has_column(graph.name(i)) && graph.name(i) != args.target {
                graph.roles_mut(i).latent = true;
                latent.push(graph.name(i).to_owned());
            }
        }
    }
    let search = StableSetSearch::new(&graph, &args.target, &shifted)?;
    let result = match &data {
        Some(d) => search
            .search_with_data(d, args.valid_fraction, args.seed)
            .map_err(|e| match &args.data {
                Some(p) => CliError::bad_input_in(p.display(), e),
                None => CliError::from(e),
            })?,
        None => search.search()?,
    };
    let mut out = serde_json::to_value(&result)
        .map_err(|e| CliError::Failure(format!("could not serialise the result: {e}")))?;
    out["latent"] = serde_json::json!(latent);
    Ok(out)
}
