//! Causal graph types shared by every crate.
//!
//! [`MixedGraph`] is the general container: named nodes and edges with a mark at each end
//! (tail, arrow, circle). It represents DAGs, ADMGs, CPDAGs and PAGs, and reads and writes
//! the project's one graph JSON schema.

mod json;
mod mark;
mod mixed;

pub use mark::{Edge, Mark};
pub use mixed::{GraphKind, MixedGraph};
