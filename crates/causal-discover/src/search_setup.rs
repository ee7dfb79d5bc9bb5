//! The setup PC and FCI share before their own phases: checking the level and thread count,
//! running on a private thread pool, and resolving the knowledge against the CI test's
//! variables.

use crate::ci::CiTest;
use crate::error::{DiscoverError, Result};
use crate::knowledge::{Knowledge, ResolvedKnowledge};

/// Errors unless `alpha` is in (0, 1) and `threads` is not `Some(0)`.
pub(crate) fn check_alpha_threads(alpha: f64, threads: Option<usize>) -> Result<()> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(DiscoverError::InvalidParameter(format!(
            "alpha must be in (0, 1), got {alpha}"
        )));
    }
    if threads == Some(0) {
        return Err(DiscoverError::InvalidParameter(
            "threads must be at least 1".into(),
        ));
    }
    Ok(())
}

/// Runs `f` on a private pool of `threads` threads, or on rayon's global pool for `None`.
///
/// Either way `f` itself runs on a worker of the pool, so that the search's many small
/// parallel steps start from inside it: from an outside thread (the Python interpreter's, a
/// CLI's main thread) each one would be injected into the pool and the caller put to sleep
/// until it is done, which cost PC at d = 50 a third of its time.
pub(crate) fn in_pool<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    match threads {
        // Already on a worker: run here. Else `join` moves `f` onto a worker of the global pool.
        None if rayon::current_thread_index().is_some() => f(),
        None => rayon::join(f, || ()).0,
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| DiscoverError::InvalidParameter(format!("thread pool: {e}")))?
            .install(f),
    }
}

/// Checks that `names` has one name per variable of `test`, then resolves the knowledge
/// against them.
pub(crate) fn resolve_knowledge(
    knowledge: Option<&Knowledge>,
    test: &dyn CiTest,
    names: &[String],
) -> Result<Option<ResolvedKnowledge>> {
    if names.len() != test.n_vars() {
        return Err(DiscoverError::InvalidParameter(format!(
            "{} names for a test over {} variables",
            names.len(),
            test.n_vars()
        )));
    }
    knowledge.map(|k| k.resolve(names)).transpose()
}

/// The knowledge a search applies: `None` when `k` holds nothing, so a search without
/// knowledge runs exactly as it always has.
pub(crate) fn given(k: &Knowledge) -> Option<&Knowledge> {
    (!k.is_empty()).then_some(k)
}
