//! Nuisance learners by name, for `causal estimate --method dml-*` and `causal cate`: the
//! torch-free ones (`linear`, `logistic`, `lasso[:α]`, `forest[:trees]`) from causal-core, and
//! `mlp[:W1,W2,…]` from causal-torch, which only the companion binary builds
//! ([`crate::neural_learner`]): a command that names it is handed over before any data is read.

use causal::core::learner::{Learner, LearnerChoice, by_name};

use crate::error::CliError;

/// Whether the learner name needs LibTorch.
pub fn needs_torch(name: &str) -> bool {
    name == "mlp" || name.starts_with("mlp:")
}

/// The regressor and the classifier that `name` stands for; the MLP's fits take `seed`.
pub fn pair(name: &str, seed: u64) -> Result<(Box<dyn Learner>, Box<dyn Learner>), CliError> {
    if needs_torch(name) {
        return Ok((
            crate::neural_learner(name, false, seed)?,
            crate::neural_learner(name, true, seed)?,
        ));
    }
    Ok((
        by_name(name, LearnerChoice::Regressor)?,
        by_name(name, LearnerChoice::Classifier)?,
    ))
}
