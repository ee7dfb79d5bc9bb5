//! The train/validation/test protocol of CEVAE's IHDP experiments.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{CfError, Result};

/// Unit indices of a three-way split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Units the models are fit on.
    pub train: Vec<usize>,
    /// Units for early stopping (never used for gradients).
    pub valid: Vec<usize>,
    /// Held-out units: the out-of-sample metrics.
    pub test: Vec<usize>,
}

impl Split {
    /// Train and validation units together: the "within-sample" set of CEVAE's evaluation.
    pub fn in_sample(&self) -> Vec<usize> {
        self.train.iter().chain(&self.valid).copied().collect()
    }
}

/// CEVAE's split: 10% of the units for test, then 30% of the rest for validation.
///
/// Sizes round the held-out parts up, as scikit-learn's `train_test_split` does (747 units give
/// 470 / 202 / 75). The permutation is a seeded ChaCha8 shuffle, so it is reproducible but not
/// numpy's permutation for `random_state=1`.
///
/// # Examples
///
/// ```
/// let s = causal_cf::data::cevae_split(747, 1)?;
/// assert_eq!((s.train.len(), s.valid.len(), s.test.len()), (470, 202, 75));
/// # Ok::<(), causal_cf::CfError>(())
/// ```
///
/// # Errors
///
/// [`CfError::Shape`] for fewer than 10 units.
pub fn cevae_split(n: usize, seed: u64) -> Result<Split> {
    if n < 10 {
        return Err(CfError::Shape(format!(
            "{n} units are too few for a 10% test / 30% validation split"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut perm: Vec<usize> = (0..n).collect();
    perm.shuffle(&mut rng);
    let n_test = (n as f64 * 0.1).ceil() as usize;
    let rest = n - n_test;
    let n_valid = (rest as f64 * 0.3).ceil() as usize;
    let test = perm[..n_test].to_vec();
    let valid = perm[n_test..n_test + n_valid].to_vec();
    let train = perm[n_test + n_valid..].to_vec();
    Ok(Split { train, valid, test })
}

/// A seeded two-way split: `(kept, held_out)` with `round(n · fraction)` held-out units, each
/// part in ascending order.
///
/// # Errors
///
/// [`CfError::InvalidParameter`] for a fraction outside [0, 1).
pub fn holdout_split(n: usize, fraction: f64, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(0.0..1.0).contains(&fraction) {
        return Err(CfError::InvalidParameter(format!(
            "held-out fraction {fraction} must lie in [0, 1)"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut perm: Vec<usize> = (0..n).collect();
    perm.shuffle(&mut rng);
    let k = (n as f64 * fraction).round() as usize;
    let (held, kept) = perm.split_at(k);
    let (mut held, mut kept) = (held.to_vec(), kept.to_vec());
    held.sort_unstable();
    kept.sort_unstable();
    Ok((kept, held))
}

/// A seeded partition of `0..n` into `k` folds of near-equal size, each in ascending order.
///
/// # Errors
///
/// [`CfError::InvalidParameter`] for `k < 2` or more folds than units.
pub fn kfold(n: usize, k: usize, seed: u64) -> Result<Vec<Vec<usize>>> {
    if k < 2 || k > n {
        return Err(CfError::InvalidParameter(format!(
            "{k} folds of {n} units: need 2 ≤ folds ≤ units"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut perm: Vec<usize> = (0..n).collect();
    perm.shuffle(&mut rng);
    let mut folds = vec![Vec::with_capacity(n / k + 1); k];
    for (pos, &i) in perm.iter().enumerate() {
        folds[pos % k].push(i);
    }
    folds.iter_mut().for_each(|f| f.sort_unstable());
    Ok(folds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_a_seeded_partition() {
        let s = cevae_split(100, 5).unwrap();
        let mut all: Vec<usize> = s.in_sample().into_iter().chain(s.test.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!((s.train.len(), s.valid.len(), s.test.len()), (63, 27, 10));
        assert_eq!(s, cevae_split(100, 5).unwrap());
        assert_ne!(s, cevae_split(100, 6).unwrap());
        assert!(cevae_split(9, 0).is_err());
        let (kept, held) = holdout_split(10, 0.3, 2).unwrap();
        assert_eq!((kept.len(), held.len()), (7, 3));
        assert!(kept.iter().all(|i| !held.contains(i)));
        let folds = kfold(11, 3, 4).unwrap();
        assert_eq!(folds.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 3]);
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..11).collect::<Vec<_>>());
        assert_eq!(folds, kfold(11, 3, 4).unwrap());
        assert!(kfold(5, 1, 0).is_err() && kfold(2, 3, 0).is_err());
    }
}
