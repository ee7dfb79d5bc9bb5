//! Seeded random structural equation models, for tests, benchmarks and experiments of
//! structure learning: Erdős–Rényi DAGs ([`random_dag`]), linear SEMs with Gaussian or
//! non-Gaussian noise as in the NOTEARS and DirectLiNGAM papers ([`random_dag_weights`],
//! [`simulate`]), and NOTEARS' MLP SEM ([`simulate_mlp_sem`]). Every draw comes from a
//! `ChaCha8Rng` seeded by the caller, so a seed gives the same graph and data on every
//! platform.

mod linear;
mod mlp;

pub use linear::{Noise, random_dag_weights, simulate, weights_to_dag};
pub use mlp::simulate_mlp_sem;

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{CoreError, Result};

/// A random DAG on `d` nodes with exactly `n_edges` edges, every unordered pair equally likely,
/// oriented along a random causal order: that order (every parent before its children) and the
/// `(parent, child)` pairs in the order they were drawn. Draws one shuffle of the nodes, then
/// one of the pairs.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] when `n_edges > d(d-1)/2`.
///
/// # Examples
///
/// ```
/// use causal_core::sim::random_dag;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
///
/// let (order, edges) = random_dag(6, 5, &mut ChaCha8Rng::seed_from_u64(3))?;
/// assert_eq!(edges.len(), 5);
/// let rank = |v: usize| order.iter().position(|&u| u == v);
/// assert!(edges.iter().all(|&(p, c)| rank(p) < rank(c)));
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn random_dag(
    d: usize,
    n_edges: usize,
    rng: &mut ChaCha8Rng,
) -> Result<(Vec<usize>, Vec<(usize, usize)>)> {
    if n_edges > d * d.saturating_sub(1) / 2 {
        return Err(CoreError::InvalidParameter(format!(
            "cannot draw {n_edges} edges on {d} nodes (at most {})",
            d * d.saturating_sub(1) / 2
        )));
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.shuffle(rng);
    let mut pairs: Vec<(usize, usize)> = (0..d)
        .flat_map(|a| (a + 1..d).map(move |b| (a, b)))
        .collect();
    pairs.shuffle(rng);
    let edges = pairs[..n_edges]
        .iter()
        .map(|&(a, b)| (order[a], order[b]))
        .collect();
    Ok((order, edges))
}
