//! Tabular data: [`Dataset`], named typed columns (continuous, binary, categorical) in one
//! column-major buffer with a missing mask, its text reader and writer, and [`MissingPolicy`].

mod column;
mod dataset;
mod parse;
#[cfg(test)]
mod tests;

pub use column::{ColumnKind, MissingPolicy};
pub use dataset::Dataset;
