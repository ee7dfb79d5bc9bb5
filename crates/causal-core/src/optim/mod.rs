//! Numerical optimisation shared by the structure learners: the one bounded L-BFGS that
//! NOTEARS (causal-discover) and NOTEARS-MLP (causal-torch) both minimise with.

mod lbfgs;

pub use lbfgs::{Bound, Lbfgs, Minimum};
