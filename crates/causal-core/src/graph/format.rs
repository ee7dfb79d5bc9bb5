//! Picking a graph text format by name or file extension.

use std::path::Path;

use super::mixed::MixedGraph;
use crate::error::{CoreError, Result};

/// A text format for graphs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// The project's JSON schema (`.json`).
    Json,
    /// dagitty syntax (`.dagitty`).
    Dagitty,
    /// Graphviz DOT (`.dot`, `.gv`).
    Dot,
}

impl GraphFormat {
    /// The format named `name` (`json`, `dagitty`, `dot` or `gv`; case-insensitive).
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming an unknown format.
    pub fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "dagitty" => Ok(Self::Dagitty),
            "dot" | "gv" => Ok(Self::Dot),
            other => Err(CoreError::InvalidParameter(format!(
                "unknown graph format '{other}' (use json, dagitty or dot)"
            ))),
        }
    }

    /// The format given by a path's extension.
    ///
    /// # Errors
    ///
    /// As [`GraphFormat::from_name`], also for a path without extension.
    pub fn from_path(path: &Path) -> Result<Self> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        Self::from_name(ext).map_err(|_| {
            CoreError::InvalidParameter(format!(
                "{}: cannot tell the graph format from the extension '{ext}' \
                 (use .json, .dagitty, .dot or .gv, or give the format)",
                path.display()
            ))
        })
    }
}

impl MixedGraph {
    /// Parses `text` in `format`.
    ///
    /// # Errors
    ///
    /// The errors of [`MixedGraph::from_json`], [`MixedGraph::from_dagitty`] or
    /// [`MixedGraph::from_dot`].
    pub fn parse(text: &str, format: GraphFormat) -> Result<Self> {
        match format {
            GraphFormat::Json => Self::from_json(text),
            GraphFormat::Dagitty => Self::from_dagitty(text),
            GraphFormat::Dot => Self::from_dot(text),
        }
    }

    /// The graph as text in `format`.
    pub fn write(&self, format: GraphFormat) -> String {
        match format {
            GraphFormat::Json => self.to_json(),
            GraphFormat::Dagitty => self.to_dagitty(),
            GraphFormat::Dot => self.to_dot(),
        }
    }
}
