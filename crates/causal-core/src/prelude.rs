//! The types most programs need, in one `use causal_core::prelude::*`.

pub use crate::contract::{Fit, ParamGuard};
pub use crate::data::Dataset;
pub use crate::error::CoreError;
pub use crate::estimate::{AipwParams, AteEstimator, EffectEstimate, IpwParams, RegressionParams};
pub use crate::graph::{Admg, Dag, Edge, Mark, MixedGraph, NodeSet};
pub use crate::identify::{Identification, identify};
pub use crate::refute::{RefuteParams, refute_all};
pub use crate::scm::ScmSpec;
pub use crate::stats::Bootstrap;
