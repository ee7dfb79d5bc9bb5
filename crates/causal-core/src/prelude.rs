//! The types most programs need, in one `use causal_core::prelude::*`.

pub use crate::data::Dataset;
pub use crate::error::CoreError;
pub use crate::graph::{Admg, Dag, Edge, Mark, MixedGraph, NodeSet};
