//! Out-of-fold predictions: one fit per fold for any learner, and one pass over the data for
//! the linear learners, whose sufficient statistics (per-fold Gram matrices) give every fold's
//! training statistics by subtraction.

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, DVector, Dyn, MatrixView};
use rayon::prelude::*;

use super::{Learner, LinearPredictor, common_length};
use crate::error::{CoreError, Result};

/// Which rows a nuisance model trains on (besides leaving its fold out).
pub type Keep<'a> = &'a (dyn Fn(usize) -> bool + Sync);

/// The fitting methods of a [`Learner`] whose weights are a function of the centred Gram
/// matrix (its inherent `weights(gram, x̃ᵀỹ, n, label)`): `fit` through `fit_linear`, and the
/// cross-fits through one pass over the data for all folds and targets (`linear_per_fold`).
/// OLS and the lasso differ only in `weights`.
macro_rules! gram_learner_fits {
    () => {
        fn fit(
            &self,
            x: &DMatrix<f64>,
            y: &[f64],
            rows: &[usize],
            label: &str,
        ) -> Result<Box<dyn Fitted>> {
            fit_linear(x, y, None, rows, label, &|g, c, n| {
                self.weights(g, c, n, label)
            })
        }

        fn cross_fit(
            &self,
            x: &DMatrix<f64>,
            target: &[f64],
            tests: &[Vec<usize>],
            keep: Keep<'_>,
            label: &str,
        ) -> Result<Vec<f64>> {
            one_target(self, x, target, tests, keep, label)
        }

        fn cross_fit_many(
            &self,
            x: &DMatrix<f64>,
            targets: &[(&[f64], &str)],
            tests: &[Vec<usize>],
            keep: Keep<'_>,
        ) -> Result<Vec<Vec<f64>>> {
            self.cross_fit_columns(&matrix_columns(x), targets, tests, keep)
        }

        fn cross_fit_columns(
            &self,
            features: &[&[f64]],
            targets: &[(&[f64], &str)],
            tests: &[Vec<usize>],
            keep: Keep<'_>,
        ) -> Result<Vec<Vec<f64>>> {
            linear_per_fold(features, targets, tests, keep, &|g, c, n, label| {
                self.weights(g, c, n, label)
            })
        }
    };
}
pub(crate) use gram_learner_fits;

/// [`Learner::cross_fit`] as the one target of [`Learner::cross_fit_many`]: the linear
/// learners' override, whose many-target pass is the fast path.
pub(crate) fn one_target<L: Learner + ?Sized>(
    learner: &L,
    x: &DMatrix<f64>,
    target: &[f64],
    tests: &[Vec<usize>],
    keep: Keep<'_>,
    label: &str,
) -> Result<Vec<f64>> {
    let mut many = learner.cross_fit_many(x, &[(target, label)], tests, keep)?;
    Ok(many.pop().unwrap_or_default())
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
    let (mut out, _) = per_fold_at(learner, x, (target, label), tests, keep, &[x], None)?;
    Ok(out.pop().unwrap_or_default())
}

/// [`per_fold`] (of the target `(values, name)`) predicting each fold's rows of other
/// matrices `at` (the features with a column changed, as a model of `E[Y | X, T]` predicts
/// at `T = 0` and `T = 1`): one vector of out-of-fold predictions per matrix, from the same
/// fits. With `new` (matrices of other
/// rows, such as units to predict out of sample), each of its matrices is also predicted at
/// every row by every fold's model, and the folds' predictions averaged (summed in fold
/// order, so the result does not depend on the thread count).
///
/// # Errors
///
/// As [`Learner::fit`], with the fold named.
pub(crate) fn per_fold_at<L: Learner + ?Sized>(
    learner: &L,
    x: &DMatrix<f64>,
    (target, label): (&[f64], &str),
    tests: &[Vec<usize>],
    keep: Keep<'_>,
    at: &[&DMatrix<f64>],
    new: Option<&[&DMatrix<f64>]>,
) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>)> {
    let n = target.len();
    let mut fold_of = vec![usize::MAX; n];
    for (k, test) in tests.iter().enumerate() {
        for &i in test {
            fold_of[i] = k;
        }
    }
    let new = new.unwrap_or(&[]);
    let fold = |(k, test): (usize, &Vec<usize>)| {
        let train: Vec<usize> = (0..n).filter(|&i| fold_of[i] != k && keep(i)).collect();
        let fitted = learner
            .fit(x, target, &train, label)
            .map_err(|e| in_fold(e, k))?;
        let here: Vec<Vec<f64>> = at.iter().map(|m| fitted.predict(m, test)).collect();
        let there: Vec<Vec<f64>> = new
            .iter()
            .map(|m| fitted.predict(m, &(0..m.nrows()).collect::<Vec<_>>()))
            .collect();
        Ok((here, there))
    };
    let per_fold: Vec<(Vec<Vec<f64>>, Vec<Vec<f64>>)> = if learner.parallel_folds() {
        tests
            .par_iter()
            .enumerate()
            .map(fold)
            .collect::<Result<_>>()?
    } else {
        tests.iter().enumerate().map(fold).collect::<Result<_>>()?
    };
    let (mut here, there): (Vec<Vec<Vec<f64>>>, Vec<Vec<Vec<f64>>>) = per_fold.into_iter().unzip();
    let oof = (0..at.len())
        .map(|j| {
            let preds = here.iter_mut().map(|f| std::mem::take(&mut f[j])).collect();
            assemble(n, tests, preds)
        })
        .collect();
    let averaged = new
        .iter()
        .enumerate()
        .map(|(j, m)| {
            let mut sum = vec![0.0; m.nrows()];
            for f in &there {
                sum.iter_mut().zip(&f[j]).for_each(|(s, v)| *s += v);
            }
            sum.iter().map(|s| s / there.len() as f64).collect()
        })
        .collect();
    Ok((oof, averaged))
}

/// A linear learner's weights from the centred training Gram matrix `x̃ᵀx̃`, `x̃ᵀỹ`, the
/// training row count and the target's name.
pub(crate) type LinearSolve<'a> =
    &'a (dyn Fn(DMatrix<f64>, DVector<f64>, usize, &str) -> Result<Vec<f64>> + Sync);

/// Rows per block of the moment and prediction passes: a block's slice of every column
/// (2 048 rows × p values, 800 KB at p = 50) stays in the L2 cache while each fold takes its
/// rows from it, so the data are read from memory once a pass however the folds interleave.
const BLOCK: usize = 2048;

/// Blocks per parallel task. The tasks are fixed by the row count alone, and their partial
/// sums are added in order, so the result does not depend on the number of threads.
const BLOCKS_PER_TASK: usize = 8;

/// Rows sampled for the shift about which the moments are taken.
const SHIFT_SAMPLE: usize = 1024;

/// No fold: the row is in no test set.
const NO_FOLD: u32 = u32::MAX;

/// Out-of-fold predictions of linear models `b0 + x·w`, one per target `(values, label)`,
/// whose weights `solve` finds from the centred training Gram matrix `x̃ᵀx̃`, `x̃ᵀỹ` and the
/// training row count. The test sets are disjoint (the folds of a partition of the rows, or of
/// a subset of them).
///
/// The data are read twice, in row order, block by block: once for every fold's raw moment
/// matrix of `bᵢ = [1, x − a, y₁ − a₁, …]` (count, sums and cross-products, one GEMM per fold
/// and block), once for every target's predictions. A fold's training moments are the total
/// minus its own, centred by the parallel-axis correction `m − s sᵀ / n`, and the features'
/// Gram matrix serves every target (DML-PLR's `E[Y | X]` and `E[D | X]` share it).
///
/// The shift `a` is the mean of up to 1 024 evenly spaced rows: close enough to the mean (for
/// any row order) that the correction loses no precision, without a pass over the data.
pub(crate) fn linear_per_fold(
    features: &[&[f64]],
    targets: &[(&[f64], &str)],
    tests: &[Vec<usize>],
    keep: Keep<'_>,
    solve: LinearSolve<'_>,
) -> Result<Vec<Vec<f64>>> {
    let (n, p) = (common_length(features, targets)?, features.len());
    let cols: Vec<&[f64]> = features
        .iter()
        .copied()
        .chain(targets.iter().map(|(t, _)| *t))
        .collect();
    let mut fold_of = vec![NO_FOLD; n];
    for (k, test) in tests.iter().enumerate() {
        for &i in test {
            fold_of[i] = k as u32;
        }
    }
    let shift = sample_means(&cols, n);
    let moments = all_moments(&cols, &shift, &fold_of, tests.len(), keep);
    let w = cols.len() + 1;
    let mut total_n = 0;
    let mut total = DMatrix::<f64>::zeros(w, w);
    for (nk, m) in &moments {
        total_n += nk;
        total += m;
    }
    // models[t][k]: target t's model on fold k's training rows (targets outermost, so that the
    // first error reported is the first target's, as a target-by-target fit would report it).
    let models: Vec<Vec<LinearPredictor>> = targets
        .iter()
        .enumerate()
        .map(|(t, (_, label))| {
            moments
                .par_iter()
                .enumerate()
                .map(|(k, (nk, m))| {
                    let nt = total_n - nk;
                    if nt == 0 {
                        return Err(in_fold(
                            CoreError::Empty(format!(
                                "no training rows for the model of '{label}'"
                            )),
                            k,
                        ));
                    }
                    let train = &total - m;
                    let ntf = nt as f64;
                    // Row/column 0 holds the count and the sums of the shifted columns.
                    let sx = train.view((1, 0), (p, 1));
                    let sy = train[(1 + p + t, 0)];
                    let gram = train.view((1, 1), (p, p)) - sx * sx.transpose() / ntf;
                    let xty = train.view((1, 1 + p + t), (p, 1)) - sx * (sy / ntf);
                    let wts = solve(gram, xty.column(0).into_owned(), nt, label)
                        .map_err(|e| in_fold(e, k))?;
                    let xbar: Vec<f64> = (0..p).map(|j| shift[j] + sx[j] / ntf).collect();
                    let ybar = shift[p + t] + sy / ntf;
                    Ok(LinearPredictor {
                        intercept: ybar - xbar.iter().zip(&wts).map(|(m, w)| m * w).sum::<f64>(),
                        weights: wts,
                        logistic: false,
                    })
                })
                .collect()
        })
        .collect::<Result<_>>()?;
    Ok(predict_all(&cols[..p], &fold_of, &models))
}

/// The mean of each column over up to [`SHIFT_SAMPLE`] evenly spaced rows.
fn sample_means(cols: &[&[f64]], n: usize) -> Vec<f64> {
    let s = n.min(SHIFT_SAMPLE);
    let rows: Vec<usize> = (0..s).map(|r| r * n / s).collect();
    cols.iter()
        .map(|c| rows.iter().map(|&i| c[i]).sum::<f64>() / s.max(1) as f64)
        .collect()
}

/// The rows `lo..hi` of each fold (and passing `keep`, when given), in row order.
fn split_block(
    fold_of: &[u32],
    lo: usize,
    hi: usize,
    keep: Option<Keep<'_>>,
    parts: &mut [Vec<usize>],
) {
    parts.iter_mut().for_each(Vec::clear);
    for (i, &f) in fold_of[lo..hi].iter().enumerate() {
        let i = lo + i;
        if f != NO_FOLD && keep.is_none_or(|k| k(i)) {
            parts[f as usize].push(i);
        }
    }
}

/// Each fold's count of rows passing `keep` and their moment matrix `Σ bᵢ bᵢᵀ`, with
/// `bᵢ = [1, c₁ᵢ − a₁, c₂ᵢ − a₂, …]` over the columns `cols` shifted by `shift`.
fn all_moments(
    cols: &[&[f64]],
    shift: &[f64],
    fold_of: &[u32],
    folds: usize,
    keep: Keep<'_>,
) -> Vec<(usize, DMatrix<f64>)> {
    let n = fold_of.len();
    let w = cols.len() + 1;
    let task = BLOCK * BLOCKS_PER_TASK;
    let partial: Vec<Vec<(usize, DMatrix<f64>)>> = (0..n.div_ceil(task))
        .into_par_iter()
        .map(|t| {
            let mut acc = vec![(0, DMatrix::<f64>::zeros(w, w)); folds];
            let mut parts = vec![Vec::new(); folds];
            let mut buf = Vec::new();
            let mut spare = Vec::new();
            let end = n.min((t + 1) * task);
            for lo in (t * task..end).step_by(BLOCK) {
                split_block(fold_of, lo, end.min(lo + BLOCK), Some(keep), &mut parts);
                for (rows, (count, m)) in parts.iter().zip(&mut acc) {
                    let len = rows.len();
                    if len == 0 {
                        continue;
                    }
                    *count += len;
                    buf.clear();
                    buf.resize(len, 1.0);
                    for (col, a) in cols.iter().zip(shift) {
                        buf.extend(rows.iter().map(|&i| col[i] - a));
                    }
                    add_gram(m, &buf, len, w, &mut spare);
                }
            }
            acc
        })
        .collect();
    let mut out = vec![(0, DMatrix::<f64>::zeros(w, w)); folds];
    for acc in partial {
        for ((count, m), (c, a)) in out.iter_mut().zip(acc) {
            *count += c;
            *m += a;
        }
    }
    for (_, m) in &mut out {
        m.fill_upper_triangle_with_lower_triangle();
    }
    out
}

/// Dimensions above which [`add_gram`] reads its buffer through a transposed strided view.
/// nalgebra 0.34 hands such views to matrixmultiply's blocked GEMM, which takes any strides,
/// only when every dimension exceeds 5; below that its column-by-column fallback reads a
/// vector of stride > 1 past its end. The margin keeps well clear of that threshold.
const STRIDED_MIN: usize = 16;

/// `m += bᵀb` (its lower triangle at least) for the `len × w` column-major block `b` in
/// `buf`, through matrixmultiply's
/// blocked GEMM (nalgebra's `tr_mul` takes one dot product per entry, 4x slower). Large blocks
/// are read in place through a transposed view; small ones are transposed into `spare` first,
/// so that both operands have the standard layout.
fn add_gram(m: &mut DMatrix<f64>, buf: &[f64], len: usize, w: usize, spare: &mut Vec<f64>) {
    let b = DMatrixView::from_slice(buf, len, w);
    // Split point of a wide block, on the GEMM kernel's 8-column tiles.
    let h = w / 16 * 8;
    if len > STRIDED_MIN && w > STRIDED_MIN {
        let bt =
            MatrixView::<f64, Dyn, Dyn, Dyn, Dyn>::from_slice_with_strides(buf, w, len, len, 1);
        if h > STRIDED_MIN && w - h > STRIDED_MIN {
            // bᵀb is symmetric: the first h columns in full and the lower-right block, a
            // quarter less work; the caller fills the upper-right block from the lower-left.
            m.columns_mut(0, h).gemm(1.0, &bt, &b.columns(0, h), 1.0);
            m.view_mut((h, h), (w - h, w - h)).gemm(
                1.0,
                &bt.rows(h, w - h),
                &b.columns(h, w - h),
                1.0,
            );
        } else {
            m.gemm(1.0, &bt, &b, 1.0);
        }
    } else {
        spare.clear();
        spare.resize(w * len, 0.0);
        let mut bt = DMatrixViewMut::from_slice(spare, w, len);
        b.transpose_to(&mut bt);
        m.gemm(1.0, &bt, &b, 1.0);
    }
}

/// Out-of-fold predictions of every target, `models[t][k]` predicting fold k's rows for
/// target t; NaN for rows in no fold. Each sum runs in [`LinearPredictor::predict`]'s order
/// (intercept, then the non-zero weights in feature order), so the values are the same.
fn predict_all(
    features: &[&[f64]],
    fold_of: &[u32],
    models: &[Vec<LinearPredictor>],
) -> Vec<Vec<f64>> {
    let n = fold_of.len();
    let folds = models.first().map_or(0, Vec::len);
    let task = BLOCK * BLOCKS_PER_TASK;
    let pieces: Vec<Vec<Vec<f64>>> = (0..n.div_ceil(task))
        .into_par_iter()
        .map(|t| {
            let (start, end) = (t * task, n.min((t + 1) * task));
            let mut out = vec![vec![f64::NAN; end - start]; models.len()];
            let mut parts = vec![Vec::new(); folds];
            let mut vals = Vec::with_capacity(BLOCK);
            let mut acc = Vec::with_capacity(BLOCK);
            for lo in (start..end).step_by(BLOCK) {
                split_block(fold_of, lo, end.min(lo + BLOCK), None, &mut parts);
                for (k, rows) in parts.iter().enumerate() {
                    for (model, o) in models.iter().map(|m| &m[k]).zip(&mut out) {
                        acc.clear();
                        acc.resize(rows.len(), model.intercept);
                        for (col, &wj) in features.iter().zip(&model.weights) {
                            if wj == 0.0 {
                                continue;
                            }
                            vals.clear();
                            vals.extend(rows.iter().map(|&i| col[i]));
                            for (e, v) in acc.iter_mut().zip(&vals) {
                                *e += wj * v;
                            }
                        }
                        for (&i, e) in rows.iter().zip(&acc) {
                            o[i - start] = *e;
                        }
                    }
                }
            }
            out
        })
        .collect();
    let mut out = vec![Vec::with_capacity(n); models.len()];
    for piece in pieces {
        for (o, p) in out.iter_mut().zip(piece) {
            o.extend(p);
        }
    }
    out
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
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Both layouts of `add_gram` (strided view, transposed copy) give `bᵀb`, accumulated.
    #[test]
    fn block_gram_matches_the_definition() {
        let mut spare = Vec::new();
        for (len, w) in [
            (1, 1),
            (3, 4),
            (40, 6),
            (600, 3),
            (600, 20),
            (17, 17),
            (300, 53),
        ] {
            let buf: Vec<f64> = (0..len * w)
                .map(|i| ((i * 37) % 23) as f64 / 7.0 - 1.5)
                .collect();
            let mut m = DMatrix::from_element(w, w, 1.0);
            add_gram(&mut m, &buf, len, w, &mut spare);
            m.fill_upper_triangle_with_lower_triangle();
            for a in 0..w {
                for c in 0..w {
                    let want = 1.0
                        + (0..len)
                            .map(|r| buf[a * len + r] * buf[c * len + r])
                            .sum::<f64>();
                    assert!(
                        (m[(a, c)] - want).abs() < 1e-10 * (1.0 + want.abs()),
                        "{len}x{w}"
                    );
                }
            }
        }
    }

    /// The one-pass path of the linear learners gives the per-fold fits' predictions.
    #[test]
    fn sufficient_statistics_match_one_fit_per_fold() {
        // Small (the GEMM's transposed-copy path) and wide enough for the strided path, with
        // more rows than one block.
        for (n, p) in [(300, 4), (3000, 20)] {
            // Features far from zero: the moments are taken about a sample mean, so this
            // checks that no precision is lost to the offset.
            let mut rng = ChaCha8Rng::seed_from_u64(11);
            let x = DMatrix::from_fn(n, p, |_, j| 1e3 + j as f64 + rng.random::<f64>() * 6.0);
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
                        "{} (n = {n}, p = {p}): {a} vs {b}",
                        l.describe()
                    );
                }
            }
        }
    }
}
