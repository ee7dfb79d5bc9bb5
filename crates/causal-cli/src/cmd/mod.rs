//! One module per subcommand: its arguments and its `run`.

pub mod compare;
pub mod completions;
pub mod discover;
pub mod estimate;
pub mod graph;
pub mod icp;
pub mod identify;
pub mod irm;
pub mod ite;
pub mod refute;
pub mod report;
pub mod scm;
pub mod simulate;
pub mod transport;
