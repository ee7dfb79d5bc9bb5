//! The base error of causal-rs. Every other crate wraps it with `#[from]`.

use thiserror::Error;

/// Result alias for causal-core.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Everything that can go wrong in causal-core. Each message names the offending thing.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Malformed text input (CSV, DOT, dagitty, JSON), with the 1-based line.
    #[error("line {line}: {message}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An error while reading a data file: the file, then what went wrong (with its line).
    #[error("{path}: {source}")]
    InFile {
        /// The file.
        path: String,
        /// What went wrong in it.
        #[source]
        source: Box<CoreError>,
    },
    /// Missing values in a column that the missing-value policy does not allow.
    #[error(
        "column '{column}' has {count} missing value(s); drop those rows (missing policy 'drop-rows') or fill them in first"
    )]
    Missing {
        /// The column.
        column: String,
        /// How many of its cells are missing.
        count: usize,
    },
    /// A column whose type a reader cannot use (a Parquet timestamp, say), naming it and why.
    #[error("column '{column}': {message}")]
    BadColumn {
        /// Column name.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A file that is not a readable table of its format (a corrupt Parquet footer, say).
    #[error("not a readable {format} file: {message}")]
    Format {
        /// The format expected from the extension (`Parquet`, `Arrow IPC`).
        format: &'static str,
        /// The underlying reader's message.
        message: String,
    },
    /// A bad value in a data set.
    #[error("row {row}, column '{column}': {message}")]
    BadValue {
        /// 1-based data row (the header is row 0).
        row: usize,
        /// Column name.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A column name that the data set does not have.
    #[error("unknown column '{0}'")]
    UnknownColumn(String),
    /// A node name that the graph does not have.
    #[error("unknown node '{0}'")]
    UnknownNode(String),
    /// A name given twice where names must be unique.
    #[error("duplicate name '{0}'")]
    Duplicate(String),
    /// A directed cycle where a DAG is required; the nodes of the cycle in order.
    #[error("the graph has a directed cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// Empty input where data is required.
    #[error("empty input: {0}")]
    Empty(String),
    /// An argument outside its valid range, or inconsistent arguments.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A numerical failure (singular matrix, no convergence), naming what failed.
    #[error("numerical failure: {0}")]
    Numerical(String),
    /// A regressor that is a linear combination of others (or constant), naming it and them.
    #[error("column '{column}' is collinear with {}; drop it or one of them", .with.join(", "))]
    Collinear {
        /// The column that adds no new direction.
        column: String,
        /// The columns (or `intercept`) it is a combination of.
        with: Vec<String>,
    },
    /// A graph that is not adjustment amenable for the effect asked; the message names the
    /// possibly causal path that breaks amenability.
    #[error("not adjustment amenable: {0}")]
    NotAmenable(String),
    /// Treated and control units do not overlap in their covariates (propensity 0 or 1).
    #[error("no overlap: {0}")]
    NoOverlap(String),
}
