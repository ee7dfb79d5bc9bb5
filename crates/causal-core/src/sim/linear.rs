//! Linear SEMs on a random DAG: weights `±U[lo, hi]`, Gaussian, uniform or exponential noise.

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::random_dag;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::graph::{Edge, MixedGraph};

/// The noise distribution of every variable (unit scale, zero mean).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noise {
    /// Standard normal (equal variances).
    Gaussian,
    /// Uniform on `[-1, 1]`.
    Uniform,
    /// Exponential(1) minus 1.
    Exponential,
}

/// A random DAG on `d` nodes with exactly `n_edges` edges ([`random_dag`]); weights
/// `±U[lo, hi]`. `W[(i, j)]` is the weight of `i -> j`.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] when `n_edges > d(d-1)/2` or `0 < lo <= hi` fails.
///
/// # Examples
///
/// ```
/// use causal_core::sim::random_dag_weights;
///
/// let w = random_dag_weights(20, 20, 0.5, 2.0, 7)?;
/// assert_eq!(w.iter().filter(|v| **v != 0.0).count(), 20);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn random_dag_weights(
    d: usize,
    n_edges: usize,
    lo: f64,
    hi: f64,
    seed: u64,
) -> Result<DMatrix<f64>> {
    if !(lo > 0.0 && lo <= hi) {
        return Err(CoreError::InvalidParameter(format!(
            "cannot draw weights in [{lo}, {hi}] (need 0 < lo <= hi)"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (_, edges) = random_dag(d, n_edges, &mut rng)?;
    let mut w = DMatrix::zeros(d, d);
    for (a, b) in edges {
        let mag = rng.random_range(lo..=hi);
        let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
        w[(a, b)] = sign * mag;
    }
    Ok(w)
}

/// `n` rows from the linear SEM `X = Xᵀ W + E` with the given noise; columns `x0, x1, ...`.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] if `W` is not square or `n == 0`; the cycle error (naming
/// the cycle) if `W` is cyclic.
///
/// # Examples
///
/// ```
/// use causal_core::sim::{Noise, random_dag_weights, simulate};
///
/// let w = random_dag_weights(5, 4, 0.5, 2.0, 1)?;
/// let data = simulate(&w, 100, Noise::Gaussian, 3)?;
/// assert_eq!((data.n_rows(), data.n_cols()), (100, 5));
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn simulate(w: &DMatrix<f64>, n: usize, noise: Noise, seed: u64) -> Result<Dataset> {
    let d = w.nrows();
    if w.ncols() != d || n == 0 {
        return Err(CoreError::InvalidParameter(
            "W must be square and n positive".into(),
        ));
    }
    let names: Vec<String> = (0..d).map(|i| format!("x{i}")).collect();
    let order = weights_to_dag(w, &names)?.topological_order()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cols = vec![vec![0.0; n]; d];
    for &j in &order {
        let mut col: Vec<f64> = (0..n)
            .map(|_| match noise {
                Noise::Gaussian => rand_normal(&mut rng),
                Noise::Uniform => rng.random_range(-1.0..1.0),
                Noise::Exponential => -(1.0 - rng.random::<f64>()).ln() - 1.0,
            })
            .collect();
        for i in 0..d {
            let wij = w[(i, j)];
            if wij != 0.0 {
                for (v, x) in col.iter_mut().zip(&cols[i]) {
                    *v += wij * x;
                }
            }
        }
        cols[j] = col;
    }
    Dataset::new(names, cols)
}

/// A standard normal draw by Box–Muller (the draws the published simulations were made with;
/// `rand_distr`'s ziggurat would give other numbers).
fn rand_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The DAG with an edge `i -> j` wherever `W[(i, j)] != 0`.
///
/// # Errors
///
/// Core errors for bad names or a self-loop.
pub fn weights_to_dag(w: &DMatrix<f64>, names: &[String]) -> Result<MixedGraph> {
    let mut g = MixedGraph::with_nodes(names.iter().cloned())?;
    for i in 0..w.nrows() {
        for j in 0..w.ncols() {
            if w[(i, j)] != 0.0 {
                g.add_edge(Edge::directed(i, j))?;
            }
        }
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulation_is_seeded_and_follows_the_weights() {
        let w = random_dag_weights(5, 4, 0.5, 2.0, 1).unwrap();
        let a = simulate(&w, 100, Noise::Gaussian, 3).unwrap();
        assert_eq!(a, simulate(&w, 100, Noise::Gaussian, 3).unwrap());
        assert_ne!(a, simulate(&w, 100, Noise::Gaussian, 4).unwrap());
        assert!(weights_to_dag(&w, a.names()).unwrap().is_acyclic());
        assert!(random_dag_weights(3, 4, 0.5, 2.0, 1).is_err());
        assert!(random_dag_weights(3, 2, 2.0, 0.5, 1).is_err());
    }
}
