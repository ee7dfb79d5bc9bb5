//! One module per subcommand: its arguments and its `run`.

pub mod compare;
pub mod discover;
pub mod effect;
pub mod estimate;
pub mod graph;
pub mod icp;
pub mod identify;
pub mod ite;
pub mod refute;
pub mod report;
pub mod simulate;
pub mod transport;
