//! Reading inputs named on the command line.

use std::path::Path;

use causal::core::CoreError;
use causal::core::data::Dataset;
use causal::core::graph::{GraphFormat, MixedGraph};

use crate::error::CliError;

/// Reads a text file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| CliError::bad_input_in(path.display(), e))
}

/// Reads a graph; the format comes from `format` (json, dagitty, dot, gv) or else the file
/// extension (`.json`, `.dagitty`, `.dot`, `.gv`). Errors name the file and the line.
pub fn read_graph(path: &Path, format: Option<&str>) -> Result<MixedGraph, CliError> {
    let bad = |e: CoreError| CliError::bad_input_in(path.display(), e);
    let format = match format {
        Some(name) => GraphFormat::from_name(name).map_err(bad)?,
        None => GraphFormat::from_path(path).map_err(CliError::bad_input_from)?,
    };
    let text = read_text(path)?;
    MixedGraph::parse(&text, format).map_err(bad)
}

/// Reads a data file, in the format its extension names: Parquet (`.parquet`, `.pq`), Arrow
/// IPC (`.arrow`, `.ipc`, `.feather`, `.arrows`) with the default `parquet` feature, else CSV,
/// TSV or whitespace-separated text with a header. Every command's `--data` comes here.
///
/// No command handles missing cells yet, so they are refused, naming the file, the column and
/// the count. A text column of two levels is used as 0/1 codes (levels in sorted order; stderr
/// says which is 1); one of more levels is refused, naming it, since every command needs
/// numbers or integer codes.
pub fn read_data(path: &Path) -> Result<Dataset, CliError> {
    let data = Dataset::from_path(path)?;
    let bad = |e: CoreError| CliError::bad_input_in(path.display(), e);
    data.require_complete(&[]).map_err(bad)?;
    for (name, kind) in data.names().iter().zip(data.kinds()) {
        match kind.levels() {
            Some([zero, one]) => eprintln!(
                "{}: text column '{name}' read as 0 = '{zero}', 1 = '{one}'",
                path.display()
            ),
            Some(levels) if levels.len() > 2 => {
                return Err(CliError::BadInput(format!(
                    "{}: column '{name}' holds text ({} categories: {}), but the commands need \
                     numbers; recode it as integer codes or 0/1 indicator columns",
                    path.display(),
                    levels.len(),
                    levels.join(", ")
                )));
            }
            _ => {}
        }
    }
    Ok(data)
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
