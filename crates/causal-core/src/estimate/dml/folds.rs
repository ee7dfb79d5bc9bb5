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

/// The outcome models of both arms: out-of-fold predictions at every row, and (when new rows
/// were given) every fold's models averaged at the new rows.
pub(super) struct Arms {
    pub(super) mu0: Vec<f64>,
    pub(super) mu1: Vec<f64>,
    /// `(μ̂₀, μ̂₁)` at the new rows.
    pub(super) new: Option<(Vec<f64>, Vec<f64>)>,
}

/// Out-of-fold predictions of `target` fitted within each arm of the 0/1 column `arm`:
/// the models of `E[target | arm = 0, X]` and `E[target | arm = 1, X]`, and with `new` their
/// fold-averaged predictions at those rows.
pub(super) fn by_arm(
    learner: &dyn Learner,
    x: &DMatrix<f64>,
    target: &[f64],
    arm: &[f64],
    tests: &[Vec<usize>],
    label: &str,
    new: Option<&DMatrix<f64>>,
) -> Result<Arms> {
    let Some(xn) = new else {
        return Ok(Arms {
            mu0: cross_predict(learner, x, target, tests, &|i| arm[i] == 0.0, label)?,
            mu1: cross_predict(learner, x, target, tests, &|i| arm[i] == 1.0, label)?,
            new: None,
        });
    };
    let one = |a: f64| -> Result<(Vec<f64>, Vec<f64>)> {
        let (mut oof, mut there) = crate::learner::per_fold_at(
            learner,
            x,
            (target, label),
            tests,
            &|i| arm[i] == a,
            &[x],
            Some(&[xn]),
        )?;
        let (o, t) = (
            oof.pop().unwrap_or_default(),
            there.pop().unwrap_or_default(),
        );
        check_finite(&o, label)?;
        check_finite(&t, label)?;
        Ok((o, t))
    };
    let ((mu0, new0), (mu1, new1)) = (one(0.0)?, one(1.0)?);
    Ok(Arms {
        mu0,
        mu1,
        new: Some((new0, new1)),
    })
}

/// Out-of-fold predictions of `target` at `arm = 0` and `arm = 1` from one model of
/// `E[target | X, arm]` fitted on both arms, with the 0/1 column `arm` appended to the
/// features (EconML's `DRLearner` fits its `model_regression` so): each arm's model borrows
/// strength from the other's rows, where [`by_arm`] fits the smaller arm on its own.
pub(super) fn joint_arms(
    learner: &dyn Learner,
    x: &DMatrix<f64>,
    target: &[f64],
    arm: &[f64],
    tests: &[Vec<usize>],
    label: &str,
    new: Option<&DMatrix<f64>>,
) -> Result<Arms> {
    let with_arm = |m: &DMatrix<f64>, value: Option<f64>| {
        let p = m.ncols();
        let mut m = m.clone().insert_column(p, 0.0);
        for (i, c) in m.column_mut(p).iter_mut().enumerate() {
            *c = value.unwrap_or_else(|| arm[i]);
        }
        m
    };
    let (xa, x0, x1) = (
        with_arm(x, None),
        with_arm(x, Some(0.0)),
        with_arm(x, Some(1.0)),
    );
    let new_at = new.map(|m| [with_arm(m, Some(0.0)), with_arm(m, Some(1.0))]);
    let new_refs = new_at.as_ref().map(|[a, b]| [a, b]);
    let (mut oof, mut there) = crate::learner::per_fold_at(
        learner,
        &xa,
        (target, label),
        tests,
        &|_| true,
        &[&x0, &x1],
        new_refs.as_ref().map(|r| &r[..]),
    )?;
    for o in oof.iter().chain(&there) {
        check_finite(o, label)?;
    }
    let mu1 = oof.pop().unwrap_or_default();
    let mu0 = oof.pop().unwrap_or_default();
    let new = (there.len() == 2).then(|| {
        let n1 = there.pop().unwrap_or_default();
        let n0 = there.pop().unwrap_or_default();
        (n0, n1)
    });
    Ok(Arms { mu0, mu1, new })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learner::LinearRegression;

    #[test]
    fn a_joint_linear_outcome_model_shifts_by_the_treatment_coefficient() {
        // y = 1 + 2x + 3t + noise-free wobble: OLS on [x, t] within each fold's training rows;
        // its predictions at t = 1 and t = 0 differ by that fit's t coefficient, and the
        // factual prediction is one of the two.
        let n = 60;
        let xv: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        let t: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| 1.0 + 2.0 * xv[i] + 3.0 * t[i] + 0.1 * (i as f64 * 1.3).cos())
            .collect();
        let x = DMatrix::from_column_slice(n, 1, &xv);
        let tests = test_sets(&random_folds(n, 3, 5, 0), 3);
        let Arms { mu0, mu1, .. } =
            joint_arms(&LinearRegression, &x, &y, &t, &tests, "y", None).unwrap();
        let mut with_t = x.clone().insert_column(1, 0.0);
        with_t.column_mut(1).copy_from_slice(&t);
        for test in &tests {
            let train: Vec<usize> = (0..n).filter(|i| !test.contains(i)).collect();
            let probe = DMatrix::from_row_slice(2, 2, &[0.0, 0.0, 0.0, 1.0]);
            let fit = LinearRegression.fit(&with_t, &y, &train, "y").unwrap();
            let shift = {
                let p = fit.predict(&probe, &[0, 1]);
                p[1] - p[0]
            };
            assert!((shift - 3.0).abs() < 0.1, "{shift}");
            let factual = fit.predict(&with_t, test);
            for (k, &i) in test.iter().enumerate() {
                assert!((mu1[i] - mu0[i] - shift).abs() < 1e-9);
                let own = if t[i] == 1.0 { mu1[i] } else { mu0[i] };
                assert!((own - factual[k]).abs() < 1e-9);
            }
        }
    }

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
