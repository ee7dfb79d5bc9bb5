//! Out-of-fold predictions: one fit per fold for any learner, and one pass over the data for
//! the linear learners, whose sufficient statistics (per-fold Gram matrices) give every fold's
//! training statistics by subtraction.

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

use super::{Fitted, Learner, LinearPredictor};
use crate::error::{CoreError, Result};

/// Which rows a nuisance model trains on (besides leaving its fold out).
pub type Keep<'a> = &'a (dyn Fn(usize) -> bool + Sync);

/// The one result of a one-target [`linear_per_fold`].
pub(crate) fn single(mut many: Vec<Vec<f64>>) -> Vec<f64> {
    many.pop().unwrap_or_default()
}

/// Places fold predictions into one vector, in row order.
fn assemble(n: usize, tests: &[Vec<usize>], per_fold: Vec<Vec<f64>>) -> Vec<f64> {
    let mut out = vec![f64::NAN; n];
    for (test, preds) in tests.iter().zip(per_fold) {
        for (&i, p) in test.iter().zip(preds) {
            out[i] = p;
        }
    }
    out
}

/// One fit per fold on the other folds' rows that pass `keep`; folds run in parallel and the
/// result equals a serial run.
pub(crate) fn per_fold<L: Learner + ?Sized>(
    learner: &L,
    x: &DMatrix<f64>,
    target: &[f64],
    tests: &[Vec<usize>],
    keep: Keep<'_>,
    label: &str,
) -> Result<Vec<f64>> {
    let n = target.len();
    let mut fold_of = vec![usize::MAX; n];
    for (k, test) in tests.iter().enumerate() {
        for &i in test {
            fold_of[i] = k;
        }
    }
    let fold = |(k, test): (usize, &Vec<usize>)| {
        let train: Vec<usize> = (0..n).filter(|&i| fold_of[i] != k && keep(i)).collect();
        let fitted = learner
            .fit(x, target, &train, label)
            .map_err(|e| in_fold(e, k))?;
        Ok(fitted.predict(x, test))
    };
    let per_fold: Vec<Vec<f64>> = if learner.parallel_folds() {
        tests
            .par_iter()
            .enumerate()
            .map(fold)
            .collect::<Result<_>>()?
    } else {
        tests.iter().enumerate().map(fold).collect::<Result<_>>()?
    };
    Ok(assemble(n, tests, per_fold))
}

/// A linear learner's weights from the centred training Gram matrix `x̃ᵀx̃`, `x̃ᵀỹ`, the
/// training row count and the target's name.
pub(crate) type LinearSolve<'a> =
    &'a (dyn Fn(DMatrix<f64>, DVector<f64>, usize, &str) -> Result<Vec<f64>> + Sync);

/// Out-of-fold predictions of linear models `b0 + x·w`, one per target `(values, label)`,
/// whose weights `solve` finds from the centred training Gram matrix `x̃ᵀx̃`, `x̃ᵀỹ` and the
/// training row count. The data are read once: each fold's raw moments of `[x, y₁, y₂, …]`
/// (centred at the overall means, so that the subtraction loses no precision) come from one
/// GEMM, a fold's training moments are the total minus its own, and the features' Gram
/// matrix serves every target (DML-PLR's `E[Y | X]` and `E[D | X]` share it).
pub(crate) fn linear_per_fold(
    x: &DMatrix<f64>,
    targets: &[(&[f64], &str)],
    tests: &[Vec<usize>],
    keep: Keep<'_>,
    solve: LinearSolve<'_>,
) -> Result<Vec<Vec<f64>>> {
    let (n, p, q) = (x.nrows(), x.ncols(), targets.len());
    let w = p + q;
    let mu: Vec<f64> = (0..p).map(|j| x.column(j).mean()).collect();
    let mu_y: Vec<f64> = targets
        .iter()
        .map(|(t, _)| t.iter().sum::<f64>() / n.max(1) as f64)
        .collect();
    // Per fold: count, column sums and the (p + q)² moment matrix of [x − μ, y − μ_y].
    let moments: Vec<(usize, DVector<f64>, DMatrix<f64>)> = tests
        .par_iter()
        .map(|test| {
            let rows: Vec<usize> = test.iter().copied().filter(|&i| keep(i)).collect();
            let mut b = DMatrix::<f64>::zeros(rows.len(), w);
            for j in 0..p {
                let src = x.column(j);
                let mut dst = b.column_mut(j);
                for (r, &i) in rows.iter().enumerate() {
                    dst[r] = src[i] - mu[j];
                }
            }
            for (k, (t, _)) in targets.iter().enumerate() {
                let mut dst = b.column_mut(p + k);
                for (r, &i) in rows.iter().enumerate() {
                    dst[r] = t[i] - mu_y[k];
                }
            }
            let sums = DVector::from_iterator(w, b.column_iter().map(|c| c.sum()));
            (rows.len(), sums, b.transpose() * &b)
        })
        .collect();
    let mut total_n = 0;
    let mut total_s = DVector::<f64>::zeros(w);
    let mut total_m = DMatrix::<f64>::zeros(w, w);
    for (nk, s, m) in &moments {
        total_n += nk;
        total_s += s;
        total_m += m;
    }
    targets
        .iter()
        .enumerate()
        .map(|(t, (_, label))| {
            let per_fold: Vec<Vec<f64>> = tests
                .par_iter()
                .zip(&moments)
                .enumerate()
                .map(|(k, (test, (nk, s, m)))| {
                    let nt = total_n - nk;
                    if nt == 0 {
                        return Err(in_fold(
                            CoreError::Empty(format!(
                                "no training rows for the model of '{label}'"
                            )),
                            k,
                        ));
                    }
                    let s = &total_s - s;
                    let m = &total_m - m;
                    let ntf = nt as f64;
                    let sx = s.rows(0, p);
                    let gram = m.view((0, 0), (p, p)) - sx * sx.transpose() / ntf;
                    let xty = m.view((0, p + t), (p, 1)) - sx * (s[p + t] / ntf);
                    let wts = solve(gram, xty.column(0).into_owned(), nt, label)
                        .map_err(|e| in_fold(e, k))?;
                    let xbar: Vec<f64> = (0..p).map(|j| mu[j] + s[j] / ntf).collect();
                    let ybar = mu_y[t] + s[p + t] / ntf;
                    let model = LinearPredictor {
                        intercept: ybar - xbar.iter().zip(&wts).map(|(m, w)| m * w).sum::<f64>(),
                        weights: wts,
                        logistic: false,
                    };
                    Ok(model.predict(x, test))
                })
                .collect::<Result<_>>()?;
            Ok(assemble(n, tests, per_fold))
        })
        .collect()
}

/// Adds the fold to a learner's error message.
pub(crate) fn in_fold(e: CoreError, k: usize) -> CoreError {
    let tag = |m: String| format!("{m} (cross-fitting fold {})", k + 1);
    match e {
        CoreError::NoOverlap(m) => CoreError::NoOverlap(tag(m)),
        CoreError::Numerical(m) => CoreError::Numerical(tag(m)),
        CoreError::Empty(m) => CoreError::Empty(tag(m)),
        CoreError::InvalidParameter(m) => CoreError::InvalidParameter(tag(m)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learner::{Lasso, LinearRegression};

    /// The one-pass path of the linear learners gives the per-fold fits' predictions.
    #[test]
    fn sufficient_statistics_match_one_fit_per_fold() {
        let (n, p) = (300, 4);
        // Features far from zero: the moments are taken about the overall means, so this
        // checks that no precision is lost to the offset.
        let x = DMatrix::from_fn(n, p, |i, j| {
            1e3 + ((i * 7 + j * 13) % 17) as f64 / 3.0 + j as f64
        });
        let y: Vec<f64> = (0..n)
            .map(|i| 2.0 * x[(i, 0)] - x[(i, 2)] + ((i * 31) % 11) as f64 / 5.0)
            .collect();
        let ids: Vec<usize> = (0..n).map(|i| (i * 5 + i / 7) % 3).collect();
        let mut tests = vec![Vec::new(); 3];
        for (i, &f) in ids.iter().enumerate() {
            tests[f].push(i);
        }
        let keep = |i: usize| i % 4 != 1;
        let learners: [Box<dyn Learner>; 2] = [
            Box::new(LinearRegression),
            Box::new(Lasso::new(0.05).unwrap()),
        ];
        for l in &learners {
            let fast = l.cross_fit(&x, &y, &tests, &keep, "y").unwrap();
            let slow = per_fold(l.as_ref(), &x, &y, &tests, &keep, "y").unwrap();
            for (a, b) in fast.iter().zip(&slow) {
                assert!(
                    (a - b).abs() < 1e-8 * (1.0 + b.abs()),
                    "{}: {a} vs {b}",
                    l.describe()
                );
            }
        }
    }
}
