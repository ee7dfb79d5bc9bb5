//! `causal-neural`: the companion of the `causal` front end, holding its neural (LibTorch)
//! subcommands. It is the same program as `causal` (main.rs, included below as a module),
//! except that [`torch`] runs a neural subcommand here instead of handing it over. `causal`
//! runs it for those subcommands; calling it directly works too.

#[path = "main.rs"]
mod app;

// The subcommands name their helpers from the crate root (`crate::io`, `crate::error`, ...),
// which here is this file, one level above main.rs.
use app::{bounds, cmd, error, io, progress};

use crate::error::CliError;

/// Runs a neural subcommand in this process (LibTorch is linked here).
fn torch<T>(run: impl FnOnce() -> Result<T, CliError>) -> Result<T, CliError> {
    run()
}

fn main() {
    app::main();
}
