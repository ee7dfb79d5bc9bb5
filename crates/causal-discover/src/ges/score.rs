//! Decomposable local scores (higher is better) and their cache.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use nalgebra::DMatrix;
use rayon::prelude::*;
use statrs::function::gamma::ln_gamma;

/// A decomposable score: the score of a DAG is the sum of `local(j, parents of j)`.
pub(crate) trait LocalScore: Sync {
    /// The local score of node `j` with the given (sorted) parents.
    fn local(&self, j: usize, parents: &[usize]) -> f64;
}

/// Gaussian BIC from the covariance (divisor n), as causal-learn's `local_score_BIC_from_cov`:
/// `-n/2 (1 + ln σ̂²) - λ (|Pa| + 1) ln n`, σ̂² the residual variance of the regression of the
/// node on its parents.
pub(crate) struct Bic {
    pub(crate) cov: DMatrix<f64>,
    pub(crate) n: f64,
    pub(crate) lambda: f64,
}

impl LocalScore for Bic {
    fn local(&self, j: usize, parents: &[usize]) -> f64 {
        let mut sigma = self.cov[(j, j)];
        if !parents.is_empty() {
            let k = parents.len();
            let xx = DMatrix::from_fn(k, k, |a, b| self.cov[(parents[a], parents[b])]);
            let yx = DMatrix::from_fn(k, 1, |a, _| self.cov[(parents[a], j)]);
            let explained = match xx.clone().cholesky() {
                Some(ch) => yx.dot(&ch.solve(&yx)),
                // Singular parent block: the pseudo-inverse, as causal-learn falls back to.
                None => xx
                    .svd(true, true)
                    .solve(&yx, 1e-12)
                    .map(|b| yx.dot(&b))
                    .unwrap_or(0.0),
            };
            sigma -= explained;
        }
        if sigma <= 0.0 {
            sigma = f64::EPSILON;
        }
        -0.5 * self.n * (1.0 + sigma.ln())
            - self.lambda * (parents.len() as f64 + 1.0) * self.n.ln()
    }
}

/// BDeu for discrete data, as causal-learn's `local_score_BDeu`, including its structure
/// prior term `|Pa| ln(s/(d-1)) + (d-1-|Pa|) ln(1 - s/(d-1))` (with `0 ln 0 = 0`).
pub(crate) struct Bdeu {
    pub(crate) codes: Vec<Vec<u32>>,
    pub(crate) levels: Vec<usize>,
    pub(crate) sample_prior: f64,
    pub(crate) structure_prior: f64,
}

impl Bdeu {
    fn structure_term(&self, n_parents: usize) -> f64 {
        let vm = self.codes.len() as f64 - 1.0;
        if vm <= 0.0 {
            return 0.0;
        }
        let p = self.structure_prior / vm;
        let k = n_parents as f64;
        let xlny = |x: f64, y: f64| if x == 0.0 { 0.0 } else { x * y.ln() };
        xlny(k, p) + xlny(vm - k, 1.0 - p)
    }

    /// Counts `N_ijk` keyed by parent configuration (dense when small, hashed otherwise).
    fn counts(&self, j: usize, parents: &[usize]) -> Vec<Vec<u64>> {
        let n = self.codes[j].len();
        let r = self.levels[j];
        let mut radix: Vec<u64> = Vec::with_capacity(parents.len());
        let mut q: Option<u64> = Some(1);
        for &p in parents {
            radix.push(q.unwrap_or(0));
            q = q.and_then(|q| q.checked_mul(self.levels[p] as u64));
        }
        let config = |row: usize| -> u64 {
            parents
                .iter()
                .zip(&radix)
                .map(|(&p, &m)| m.wrapping_mul(self.codes[p][row] as u64))
                .fold(0u64, u64::wrapping_add)
        };
        match q {
            Some(q) if q <= (1 << 16) => {
                let mut dense = vec![0u64; q as usize * r];
                for row in 0..n {
                    dense[config(row) as usize * r + self.codes[j][row] as usize] += 1;
                }
                dense.chunks(r).map(<[u64]>::to_vec).collect()
            }
            _ => {
                let mut map: HashMap<Vec<u32>, Vec<u64>> = HashMap::new();
                for row in 0..n {
                    let key: Vec<u32> = parents.iter().map(|&p| self.codes[p][row]).collect();
                    map.entry(key).or_insert_with(|| vec![0; r])[self.codes[j][row] as usize] += 1;
                }
                let mut rows: Vec<(Vec<u32>, Vec<u64>)> = map.into_iter().collect();
                rows.sort();
                rows.into_iter().map(|(_, c)| c).collect()
            }
        }
    }
}

impl LocalScore for Bdeu {
    fn local(&self, j: usize, parents: &[usize]) -> f64 {
        let q: f64 = parents.iter().map(|&p| self.levels[p] as f64).product();
        let r = self.levels[j] as f64;
        let a_j = self.sample_prior / q;
        let a_jk = self.sample_prior / (r * q);
        let mut score = self.structure_term(parents.len());
        for row in self.counts(j, parents) {
            let nij: u64 = row.iter().sum();
            if nij == 0 {
                continue;
            }
            score += ln_gamma(a_j) - ln_gamma(nij as f64 + a_j);
            for &nijk in row.iter().filter(|&&c| c > 0) {
                score += ln_gamma(nijk as f64 + a_jk) - ln_gamma(a_jk);
            }
        }
        score
    }
}

/// FxHash's mixing step with a SplitMix64 finaliser: the cache's keys are short integer slices made by this crate, so a
/// fast non-cryptographic hash is safe and much cheaper than SipHash in the GES inner loop.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn finish(&self) -> u64 {
        // SplitMix64's finaliser: hashbrown reads the top bits, which a bare multiply leaves
        // poorly mixed for small integer keys.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Batches smaller than this are scored serially: spawning rayon tasks costs more.
const PARALLEL_MIN: usize = 64;

/// Local scores already computed: one map per node, keyed by the sorted parent set (so a
/// lookup borrows the parents and allocates nothing).
#[derive(Default)]
pub(crate) struct ScoreCache {
    maps: Vec<FxMap<Vec<usize>, f64>>,
}

impl ScoreCache {
    pub(crate) fn len(&self) -> usize {
        self.maps.iter().map(HashMap::len).sum()
    }

    fn map(&mut self, j: usize) -> &mut FxMap<Vec<usize>, f64> {
        if self.maps.len() <= j {
            self.maps.resize_with(j + 1, FxMap::default);
        }
        &mut self.maps[j]
    }

    fn cached(&self, j: usize, parents: &[usize]) -> Option<f64> {
        self.maps.get(j).and_then(|m| m.get(parents)).copied()
    }

    /// Computes (in parallel for large batches) every key not yet cached.
    pub(crate) fn fill<'a>(
        &mut self,
        score: &dyn LocalScore,
        keys: impl IntoIterator<Item = (usize, &'a [usize])>,
    ) {
        let mut missing: Vec<(usize, &[usize])> = keys
            .into_iter()
            .filter(|(j, pa)| self.cached(*j, pa).is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let values: Vec<f64> = if missing.len() >= PARALLEL_MIN {
            missing
                .par_iter()
                .map(|(j, pa)| score.local(*j, pa))
                .collect()
        } else {
            missing.iter().map(|(j, pa)| score.local(*j, pa)).collect()
        };
        for ((j, pa), v) in missing.into_iter().zip(values) {
            self.map(j).insert(pa.to_vec(), v);
        }
    }

    /// A cached value, computing it if absent.
    pub(crate) fn get(&mut self, score: &dyn LocalScore, j: usize, parents: &[usize]) -> f64 {
        if let Some(v) = self.cached(j, parents) {
            return v;
        }
        let v = score.local(j, parents);
        self.map(j).insert(parents.to_vec(), v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bic_prefers_the_true_parent() {
        // y = 2x + small noise: adding x as parent must raise the score.
        let cov = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 4.01]);
        let s = Bic {
            cov,
            n: 1000.0,
            lambda: 0.5,
        };
        assert!(s.local(1, &[0]) > s.local(1, &[]));
    }

    #[test]
    fn bdeu_matches_hand_computation() {
        // One binary node, no parents, counts (3, 1), ess 1 over 3 variables.
        let s = Bdeu {
            codes: vec![vec![0, 0, 0, 1], vec![0; 4], vec![0; 4]],
            levels: vec![2, 1, 1],
            sample_prior: 1.0,
            structure_prior: 1.0,
        };
        let expect = 2.0 * (0.5f64).ln() + ln_gamma(1.0) - ln_gamma(5.0) + ln_gamma(3.5)
            - ln_gamma(0.5)
            + ln_gamma(1.5)
            - ln_gamma(0.5);
        assert!((s.local(0, &[]) - expect).abs() < 1e-12);
    }
}
