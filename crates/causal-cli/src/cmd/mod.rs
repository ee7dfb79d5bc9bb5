//! One module per subcommand: its arguments and its `run`.

pub mod cate;
pub mod compare;
pub mod completions;
pub mod discover;
pub mod dose_response;
pub mod effect;
pub mod estimate;
pub mod graph;
pub mod icp;
pub mod identify;
pub mod irm;
pub mod irm_predict;
pub mod ite;
pub mod predict;
pub mod refute;
pub mod report;
pub mod scm;
pub mod simulate;
pub mod stable_set;
pub mod transport;
