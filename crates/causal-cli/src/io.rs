//! Reading inputs named on the command line.

use std::path::Path;

use causal::core::data::Dataset;
use causal::core::graph::MixedGraph;

use crate::error::CliError;

/// Reads a text file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))
}

/// Reads a graph; the format comes from `format` or else the file extension.
pub fn read_graph(path: &Path, format: Option<&str>) -> Result<MixedGraph, CliError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = format.unwrap_or(ext).to_ascii_lowercase();
    let text = read_text(path)?;
    let g = match format.as_str() {
        "json" => MixedGraph::from_json(&text),
        other => {
            return Err(CliError::BadInput(format!(
                "{}: graph format '{other}' is not supported by this build (use .json)",
                path.display()
            )));
        }
    };
    g.map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))
}

/// Reads a data file (CSV or whitespace-separated, with a header).
#[allow(dead_code)] // Used by the data subcommands as they land.
pub fn read_data(path: &Path) -> Result<Dataset, CliError> {
    Dataset::from_path(path).map_err(CliError::from)
}

/// Splits a comma-separated list of names, dropping empty entries.
#[allow(dead_code)] // Used by the subcommands as they land.
pub fn split_names(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
