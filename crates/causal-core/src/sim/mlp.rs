//! NOTEARS' `simulate_nonlinear_sem(..., 'mlp')` on a random DAG.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::random_dag;
use crate::data::Dataset;
use crate::error::{CoreError, Result};

/// Hidden units of each mechanism, as in NOTEARS' simulator.
const HIDDEN: usize = 100;

/// `n` rows from an MLP SEM on a random DAG with `d` nodes and exactly `edges` edges
/// ([`random_dag`]), and the DAG as `(parent, child)` index pairs (sorted).
///
/// Each node is `x_j = Σ_u w2_u σ(Σ_k pa_k w1_ku) + N(0, 1)` with 100 sigmoid hidden units and
/// weights `±U(0.5, 2)`; root nodes are pure noise. Columns are named `x0, x1, ...`.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] when `n == 0`, `d == 0` or `edges > d(d-1)/2`.
///
/// # Examples
///
/// ```
/// use causal_core::sim::simulate_mlp_sem;
///
/// let (data, dag) = simulate_mlp_sem(5, 4, 200, 7)?;
/// assert_eq!((data.n_rows(), data.n_cols(), dag.len()), (200, 5, 4));
/// assert_eq!(data.names()[0], "x0");
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn simulate_mlp_sem(
    d: usize,
    edges: usize,
    n: usize,
    seed: u64,
) -> Result<(Dataset, Vec<(usize, usize)>)> {
    if n == 0 || d == 0 {
        return Err(CoreError::InvalidParameter(format!(
            "cannot simulate {n} rows of {edges} edges on {d} nodes"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (order, mut dag) = random_dag(d, edges, &mut rng)?;
    dag.sort_unstable();
    let weight = |rng: &mut ChaCha8Rng| {
        let u: f64 = rng.random_range(0.5..2.0);
        if rng.random::<bool>() { u } else { -u }
    };
    let mut x = vec![vec![0.0; n]; d];
    for &j in &order {
        let pa: Vec<usize> = dag.iter().filter(|e| e.1 == j).map(|e| e.0).collect();
        let w1: Vec<Vec<f64>> = pa
            .iter()
            .map(|_| (0..HIDDEN).map(|_| weight(&mut rng)).collect())
            .collect();
        let w2: Vec<f64> = (0..HIDDEN).map(|_| weight(&mut rng)).collect();
        for r in 0..n {
            let mut v: f64 = StandardNormal.sample(&mut rng);
            if !pa.is_empty() {
                for u in 0..HIDDEN {
                    let a: f64 = pa
                        .iter()
                        .enumerate()
                        .map(|(k, &p)| x[p][r] * w1[k][u])
                        .sum();
                    v += w2[u] / (1.0 + (-a).exp());
                }
            }
            x[j][r] = v;
        }
    }
    let names = (0..d).map(|j| format!("x{j}")).collect();
    Ok((Dataset::new(names, x)?, dag))
}
