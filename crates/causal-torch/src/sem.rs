//! Seeded nonlinear structural equation models for testing structure learners: NOTEARS'
//! `simulate_nonlinear_sem(..., 'mlp')` on an Erdős–Rényi DAG, and the structural Hamming
//! distance as gCastle's `MetricsDAG` counts it.

use causal_core::data::Dataset;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::error::{Result, TorchError};

/// Hidden units of each mechanism, as in NOTEARS' simulator.
const HIDDEN: usize = 100;

/// `n` rows from an MLP SEM on a random DAG with `d` nodes and exactly `edges` edges, and the
/// DAG as `(parent, child)` index pairs (sorted).
///
/// The DAG orients `edges` uniformly drawn node pairs along a random causal order. Each node is
/// `x_j = Σ_u w2_u σ(Σ_k pa_k w1_ku) + N(0, 1)` with 100 sigmoid hidden units and weights
/// `±U(0.5, 2)`; root nodes are pure noise. Columns are named `x0, x1, ...`.
///
/// # Errors
///
/// [`TorchError::InvalidConfig`] when `n == 0`, `d == 0` or `edges > d(d-1)/2`.
///
/// # Examples
///
/// ```
/// use causal_torch::sem::simulate_mlp_sem;
///
/// let (data, dag) = simulate_mlp_sem(5, 4, 200, 7)?;
/// assert_eq!((data.n_rows(), data.n_cols(), dag.len()), (200, 5, 4));
/// assert_eq!(data.names()[0], "x0");
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
pub fn simulate_mlp_sem(
    d: usize,
    edges: usize,
    n: usize,
    seed: u64,
) -> Result<(Dataset, Vec<(usize, usize)>)> {
    if n == 0 || d == 0 || edges > d * (d - 1) / 2 {
        return Err(TorchError::InvalidConfig(format!(
            "cannot simulate {n} rows of {edges} edges on {d} nodes"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut perm: Vec<usize> = (0..d).collect();
    perm.shuffle(&mut rng);
    let mut pairs: Vec<(usize, usize)> = (0..d)
        .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
        .collect();
    pairs.shuffle(&mut rng);
    // Orient along the random order: perm[i] before perm[j].
    let mut dag: Vec<(usize, usize)> = pairs[..edges]
        .iter()
        .map(|&(i, j)| (perm[i], perm[j]))
        .collect();
    dag.sort_unstable();
    let mut rank = vec![0; d];
    for (k, &v) in perm.iter().enumerate() {
        rank[v] = k;
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by_key(|&v| rank[v]);
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

/// Structural Hamming distance between two DAGs on `d` nodes given as `(from, to)` pairs,
/// counted as gCastle's `MetricsDAG` does: 1 per unordered pair whose edge is missing, extra or
/// reversed.
///
/// # Examples
///
/// ```
/// use causal_torch::sem::shd;
///
/// // one reversed, one missing, one extra
/// assert_eq!(shd(4, &[(0, 1), (1, 2)], &[(1, 0), (2, 3)]), 3);
/// ```
pub fn shd(d: usize, truth: &[(usize, usize)], est: &[(usize, usize)]) -> usize {
    let mut count = 0;
    for i in 0..d {
        for j in i + 1..d {
            let t = (truth.contains(&(i, j)), truth.contains(&(j, i)));
            let e = (est.contains(&(i, j)), est.contains(&(j, i)));
            if t != e {
                count += 1;
            }
        }
    }
    count
}
