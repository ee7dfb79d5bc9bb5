//! Bootstrap edge frequencies: how often each edge appears when a method is rerun on rows
//! resampled with replacement. Replicates run in parallel (rayon); replicate `b` draws its
//! rows from its own ChaCha8 stream of the seed, so the result does not depend on the thread
//! count.

use causal_core::data::Dataset;
use causal_core::graph::{Mark, MixedGraph};
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{DiscoverError, Result};

/// Per-pair frequencies over the bootstrap replicates (each in `[0, 1]`).
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeFrequencies {
    names: Vec<String>,
    replicates: usize,
    directed: DMatrix<f64>,
    undirected: DMatrix<f64>,
    other: DMatrix<f64>,
}

/// One row of [`EdgeFrequencies::edges`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgeFrequency {
    /// First node.
    pub from: String,
    /// Second node.
    pub to: String,
    /// Share of replicates with `from -> to`.
    pub directed: f64,
    /// Share with `to -> from`.
    pub reversed: f64,
    /// Share with `from - to`.
    pub undirected: f64,
    /// Share with any other edge (bidirected, circle marks).
    pub other: f64,
    /// Share with any edge at all.
    pub adjacent: f64,
}

impl EdgeFrequencies {
    /// Number of replicates.
    pub fn replicates(&self) -> usize {
        self.replicates
    }

    /// Share of replicates with `i -> j`.
    pub fn directed(&self, i: usize, j: usize) -> f64 {
        self.directed[(i, j)]
    }

    /// Share of replicates with `i - j`.
    pub fn undirected(&self, i: usize, j: usize) -> f64 {
        self.undirected[(i.min(j), i.max(j))]
    }

    /// Share of replicates with any edge between `i` and `j`.
    pub fn adjacent(&self, i: usize, j: usize) -> f64 {
        let (a, b) = (i.min(j), i.max(j));
        self.directed[(a, b)] + self.directed[(b, a)] + self.undirected[(a, b)] + self.other[(a, b)]
    }

    /// Every pair seen adjacent at least once, `from` before `to` in column order.
    pub fn edges(&self) -> Vec<EdgeFrequency> {
        let d = self.names.len();
        let mut out = Vec::new();
        for a in 0..d {
            for b in a + 1..d {
                let adjacent = self.adjacent(a, b);
                if adjacent > 0.0 {
                    out.push(EdgeFrequency {
                        from: self.names[a].clone(),
                        to: self.names[b].clone(),
                        directed: self.directed[(a, b)],
                        reversed: self.directed[(b, a)],
                        undirected: self.undirected[(a, b)],
                        other: self.other[(a, b)],
                        adjacent,
                    });
                }
            }
        }
        out
    }
}

/// Runs `method` on `replicates` bootstrap resamples of `data` and counts the edges.
///
/// # Errors
///
/// [`DiscoverError::InvalidParameter`] for zero replicates; otherwise the error of the first
/// failing replicate in replicate order (a resample can, say, make a column constant).
///
/// # Examples
///
/// ```
/// use causal_core::contract::Fit;
/// use causal_discover::bootstrap::bootstrap;
/// use causal_discover::ges::GesParams;
/// use causal_discover::knowledge::Knowledge;
/// use causal_core::sim::{random_dag_weights, simulate, Noise};
///
/// let w = random_dag_weights(4, 3, 0.8, 1.5, 3)?;
/// let data = simulate(&w, 400, Noise::Gaussian, 4)?;
/// let ges = GesParams::new();
/// let f = bootstrap(&data, 8, 42, |d| Ok(ges.fit(d, &Knowledge::new())?.into_graph()))?;
/// assert_eq!(f.replicates(), 8);
/// assert!(f.edges().iter().all(|e| e.adjacent <= 1.0));
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
pub fn bootstrap<F>(
    data: &Dataset,
    replicates: usize,
    seed: u64,
    method: F,
) -> Result<EdgeFrequencies>
where
    F: Fn(&Dataset) -> Result<MixedGraph> + Sync,
{
    bootstrap_with(data, replicates, seed, method)
}

/// [`bootstrap`] for a method with its own error type (a CLI's, say), which must take
/// causal-discover's errors (zero replicates, a failed resample).
///
/// # Errors
///
/// As [`bootstrap`], converted into `E`, or the method's own error of the first failing
/// replicate in replicate order.
pub fn bootstrap_with<F, E>(
    data: &Dataset,
    replicates: usize,
    seed: u64,
    method: F,
) -> Result<EdgeFrequencies, E>
where
    F: Fn(&Dataset) -> Result<MixedGraph, E> + Sync,
    E: From<DiscoverError> + Send,
{
    if replicates == 0 {
        return Err(DiscoverError::InvalidParameter(
            "bootstrap needs at least one replicate".into(),
        )
        .into());
    }
    let n = data.n_rows();
    let graphs: Vec<Result<MixedGraph, E>> = (0..replicates)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64);
            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let sample = data.take_rows(&rows).map_err(DiscoverError::from)?;
            method(&sample)
        })
        .collect();
    let d = data.n_cols();
    let mut directed = DMatrix::zeros(d, d);
    let mut undirected = DMatrix::zeros(d, d);
    let mut other = DMatrix::zeros(d, d);
    let w = 1.0 / replicates as f64;
    for g in graphs {
        let g = g?;
        for e in g.edges() {
            let (a, b) = (e.a.min(e.b), e.a.max(e.b));
            match (e.mark_a, e.mark_b) {
                (Mark::Tail, Mark::Arrow) => directed[(e.a, e.b)] += w,
                (Mark::Arrow, Mark::Tail) => directed[(e.b, e.a)] += w,
                (Mark::Tail, Mark::Tail) => undirected[(a, b)] += w,
                _ => other[(a, b)] += w,
            }
        }
    }
    Ok(EdgeFrequencies {
        names: data.names().to_vec(),
        replicates,
        directed,
        undirected,
        other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Knowledge;
    use crate::notears::NotearsParams;
    use causal_core::contract::Fit;
    use causal_core::sim::{Noise, random_dag_weights, simulate};

    #[test]
    fn seeded_and_thread_count_independent() {
        let w = random_dag_weights(5, 4, 0.8, 1.5, 1).unwrap();
        let data = simulate(&w, 300, Noise::Gaussian, 2).unwrap();
        let run = || {
            bootstrap(&data, 6, 7, |d| {
                Ok(NotearsParams::new().fit(d, &Knowledge::new())?.into_graph())
            })
            .unwrap()
        };
        let a = run();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(run);
        assert_eq!(a, b);
        // Strong true edges are found in most resamples.
        for i in 0..5 {
            for j in 0..5 {
                if w[(i, j)] != 0.0 {
                    assert!(a.adjacent(i, j) >= 0.5, "{i} -> {j}: {}", a.adjacent(i, j));
                }
            }
        }
        assert!(
            bootstrap(&data, 0, 1, |d| Ok(NotearsParams::new()
                .fit(d, &Knowledge::new())?
                .into_graph()))
            .is_err()
        );
    }
}
