//! Tabular data: named `f64` columns with discrete and environment annotations.

mod dataset;
mod parse;

pub use dataset::Dataset;
