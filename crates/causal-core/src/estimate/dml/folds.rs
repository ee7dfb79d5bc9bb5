//! Fold assignment and cross-fitted nuisance predictions.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{CoreError, Result};
use crate::learner::Learner;

/// The fold of every row, for one repetition of the sample splitting.
pub(super) type FoldIds = Vec<usize>;

/// Seeded K-fold assignment as scikit-learn's `KFold(shuffle=True)` makes it: a random
/// permutation cut into `k` consecutive blocks, the first `n mod k` one row larger.
pub(super) fn random_folds(n: usize, k: usize, seed: u64, repetition: usize) -> FoldIds {
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed ^ (repetition as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut perm: Vec<usize> = (0..n).collect();
    perm.shuffle(&mut rng);
    let mut ids = vec![0; n];
    let (base, extra) = (n / k, n % k);
    let mut start = 0;
    for fold in 0..k {
        let len = base + usize::from(fold < extra);
        for &i in &perm[start..start + len] {
            ids[i] = fold;
        }
        start += len;
    }
    ids
}

/// The test rows of each fold.
pub(super) fn test_sets(ids: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut sets = vec![Vec::new(); k];
    for (i, &f) in ids.iter().enumerate() {
        sets[f].push(i);
    }
    sets
}

/// Checks user-given fold ids (one per row, every fold in `0..k` non-empty) and returns the
/// test rows of each fold.
pub(super) fn check_fold_ids(
    ids: &[usize],
    n: usize,
    repetition: usize,
) -> Result<Vec<Vec<usize>>> {
    if ids.len() != n {
        return Err(CoreError::InvalidParameter(format!(
            "fold assignment {} has {} entries for {n} rows",
            repetition + 1,
            ids.len()
        )));
    }
    let k = ids.iter().max().map_or(0, |m| m + 1);
    let sets = test_sets(ids, k);
    if k < 2 || sets.iter().any(Vec::is_empty) {
        return Err(CoreError::InvalidParameter(format!(
            "fold assignment {} must use every fold 0..K-1 with K >= 2",
            repetition + 1
        )));
    }
    Ok(sets)
}

/// Out-of-fold predictions: for each fold, `learner` is fitted on the other folds' rows that
/// pass `keep` and predicts the fold's rows. Folds run in parallel; the result is the same as
/// a serial run.
pub(super) fn cross_predict(
    learner: &dyn Learner,
    x: &DMatrix<f64>,
    target: &[f64],
    tests: &[Vec<usize>],
    keep: &(dyn Fn(usize) -> bool + Sync),
    label: &str,
) -> Result<Vec<f64>> {
    let out = learner.cross_fit(x, target, tests, keep, label)?;
    check_finite(&out, label)?;
    Ok(out)
}

/// [`cross_predict`] for several targets on the same features, given as the data set's
/// columns (the linear learners read them in place and share one Gram matrix for all).
pub(super) fn cross_predict_many(
    learner: &dyn Learner,
    features: &[&[f64]],
    targets: &[(&[f64], &str)],
    tests: &[Vec<usize>],
    keep: &(dyn Fn(usize) -> bool + Sync),
) -> Result<Vec<Vec<f64>>> {
    let out = learner.cross_fit_columns(features, targets, tests, keep)?;
    for (o, (_, label)) in out.iter().zip(targets) {
        check_finite(o, label)?;
    }
    Ok(out)
}

fn check_finite(out: &[f64], label: &str) -> Result<()> {
    match out.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(CoreError::Numerical(format!(
            "the model of '{label}' predicted a non-finite value for row {}",
            i + 1
        ))),
        None => Ok(()),
    }
}

/// Out-of-fold predictions of `target` fitted within each arm of the 0/1 column `arm`:
/// the models of `E[target | arm = 0, X]` and `E[target | arm = 1, X]`.
pub(super) fn by_arm(
    learner: &dyn Learner,
    x: &DMatrix<f64>,
    target: &[f64],
    arm: &[f64],
    tests: &[Vec<usize>],
    label: &str,
) -> Result<(Vec<f64>, Vec<f64>)> {
    Ok((
        cross_predict(learner, x, target, tests, &|i| arm[i] == 0.0, label)?,
        cross_predict(learner, x, target, tests, &|i| arm[i] == 1.0, label)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_balanced_and_seeded() {
        let a = random_folds(103, 5, 7, 0);
        let sizes: Vec<usize> = test_sets(&a, 5).iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![21, 21, 21, 20, 20]);
        assert_eq!(a, random_folds(103, 5, 7, 0));
        assert_ne!(a, random_folds(103, 5, 7, 1));
    }

    #[test]
    fn bad_fold_ids_are_named() {
        let err = check_fold_ids(&[0, 0, 2, 2], 4, 0).unwrap_err();
        assert!(err.to_string().contains("fold assignment 1"), "{err}");
        assert!(check_fold_ids(&[0, 1, 1], 4, 1).is_err());
        assert_eq!(
            check_fold_ids(&[0, 1, 1, 0], 4, 0).unwrap(),
            vec![vec![0, 3], vec![1, 2]]
        );
    }
}
