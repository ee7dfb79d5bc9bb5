//! `causal-neural`: the companion of the `causal` front end, holding its neural (LibTorch)
//! subcommands. It is the same program as `causal` (main.rs, included below as a module),
//! except that [`torch`] runs a neural subcommand here instead of handing it over. `causal`
//! runs it for those subcommands; calling it directly works too.

#[path = "main.rs"]
mod app;

// The subcommands name their helpers from the crate root (`crate::io`, `crate::error`, ...),
// which here is this file, one level above main.rs.
use app::{bounds, cmd, error, io, learners, progress};

use crate::error::CliError;

/// Runs a neural subcommand in this process (LibTorch is linked here).
fn torch<T>(run: impl FnOnce() -> Result<T, CliError>) -> Result<T, CliError> {
    run()
}

/// The MLP nuisance learner named `name` (`mlp` or `mlp:W1,W2,…`), seeded.
fn neural_learner(
    name: &str,
    classifier: bool,
    seed: u64,
) -> Result<Box<dyn causal::core::learner::Learner>, CliError> {
    let learner = causal::torch::learner::MlpLearner::by_name(name, classifier)
        .and_then(|l| l.seed(seed).check())
        .map_err(CliError::bad_input_from)?;
    Ok(Box::new(learner))
}

fn main() {
    app::main();
}
