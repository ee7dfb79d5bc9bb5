//! Structural causal models: a general SCM with user-supplied mechanisms and noise, the
//! linear-Gaussian special case with closed forms, interventions (hard, soft, shift, stochastic
//! policies), seeded sampling, and counterfactuals by abduction–action–prediction.

mod counterfactual;
mod linear;
mod linear_fit;
mod model;
mod spec;

pub use linear::LinearGaussianScm;
pub use model::{Intervention, Mechanism, Noise, Scm, ScmNode};
pub use spec::{NodeKind, NodeSpec, ScmSpec};
