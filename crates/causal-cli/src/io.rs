//! Reading inputs named on the command line.

use std::path::Path;

use causal::core::CoreError;
use causal::core::data::Dataset;
use causal::core::graph::{GraphFormat, MixedGraph};

use crate::error::CliError;

/// Reads a text file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))
}

/// Reads a graph; the format comes from `format` (json, dagitty, dot, gv) or else the file
/// extension (`.json`, `.dagitty`, `.dot`, `.gv`). Errors name the file and the line.
pub fn read_graph(path: &Path, format: Option<&str>) -> Result<MixedGraph, CliError> {
    let bad = |e: CoreError| CliError::BadInput(format!("{}: {e}", path.display()));
    let format = match format {
        Some(name) => GraphFormat::from_name(name).map_err(bad)?,
        None => GraphFormat::from_path(path).map_err(|e| CliError::BadInput(e.to_string()))?,
    };
    let text = read_text(path)?;
    MixedGraph::parse(&text, format).map_err(bad)
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
