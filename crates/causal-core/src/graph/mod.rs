//! Causal graph types shared by every crate.
//!
//! - [`MixedGraph`] is the general container: named nodes and edges with a mark at each end
//!   (tail, arrow, circle). It represents DAGs, ADMGs, CPDAGs and PAGs, and reads and writes
//!   the project's one graph JSON schema.
//! - [`Dag`] and [`Admg`] are the acyclic graphs that causal questions are asked of: index-based
//!   adjacency, [`NodeSet`] bitsets for set queries (ancestors, districts), mutilations,
//!   induced subgraphs and latent projection.
//! - [`Adjustment`] is the generalised adjustment criterion on DAGs, ADMGs, CPDAGs, PDAGs with
//!   background knowledge, MAGs and PAGs ([`GraphClass`]); Meek's rules and the DAGs of a class
//!   are methods of [`MixedGraph`].
//! - [`NodeRoles`] carries dagitty's node attributes (exposure, outcome, latent, selected).
//! - [`EdgeConfidence`] is a per-edge confidence read with a graph, for priors over structure.
//! - Topological orders, cycles and petgraph views (`to_petgraph`, `directed_graph`) come from
//!   petgraph (`directed.rs`).
//! - [`metrics`] scores an estimated graph against the truth (SHD, SID, TPR, FDR, ...).

mod adjust;
mod adjust_class;
mod admg;
mod confidence;
mod dag;
mod dagitty;
mod directed;
mod dot;
mod format;
mod json;
mod lexer;
mod mark;
pub(crate) mod marks;
pub mod metrics;
mod mixed;
mod moral;
mod nodeset;
pub(crate) mod pdag;
mod roles;
mod separation;

pub use adjust::{Instrument, MAX_SETS};
pub use adjust_class::{Adjustment, GraphClass};
pub use admg::Admg;
pub use confidence::EdgeConfidence;
pub use dag::Dag;
pub(crate) use directed::cycle_through;
pub use format::GraphFormat;
pub use mark::{Edge, Mark};
pub use mixed::{GraphKind, MixedGraph};
pub use nodeset::NodeSet;
pub use roles::NodeRoles;
pub use separation::Independence;
