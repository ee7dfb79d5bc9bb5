//! Row weights in the nuisance learners that take them (the R-learner's flexible final stage
//! needs them): a whole-number weight is the row repeated that many times, a zero weight drops
//! the row, and learners without weights say so.

mod est_common;

use causal_core::learner::{Lasso, Learner, LinearRegression, RandomForest};
use est_common::max_abs_diff;
use nalgebra::DMatrix;

/// 60 rows, 2 features, a target with noise; and weights 0, 1, 2 or 3.
fn data() -> (DMatrix<f64>, Vec<f64>, Vec<f64>) {
    let n = 60;
    let x = DMatrix::from_fn(n, 2, |i, j| (((i * (13 + 4 * j)) % 29) as f64) / 7.0 - 2.0);
    let y = (0..n)
        .map(|i| 1.0 + 0.5 * x[(i, 0)] - x[(i, 1)] + (((i * 17) % 11) as f64 - 5.0) / 10.0)
        .collect();
    let w = (0..n).map(|i| ((i * 7) % 4) as f64).collect();
    (x, y, w)
}

/// The rows repeated as many times as their weight says.
fn repeated(x: &DMatrix<f64>, y: &[f64], w: &[f64]) -> (DMatrix<f64>, Vec<f64>) {
    let idx: Vec<usize> = (0..y.len())
        .flat_map(|i| std::iter::repeat_n(i, w[i] as usize))
        .collect();
    (x.select_rows(&idx), idx.iter().map(|&i| y[i]).collect())
}

fn predictions(
    learner: &dyn Learner,
    x: &DMatrix<f64>,
    y: &[f64],
    w: Option<&[f64]>,
    probe: &DMatrix<f64>,
) -> Vec<f64> {
    let rows: Vec<usize> = (0..y.len()).collect();
    let fitted = match w {
        Some(w) => learner.fit_weighted(x, y, w, &rows, "y").unwrap(),
        None => learner.fit(x, y, &rows, "y").unwrap(),
    };
    fitted.predict(probe, &(0..probe.nrows()).collect::<Vec<_>>())
}

#[test]
fn a_whole_number_weight_repeats_the_row() {
    let (x, y, w) = data();
    let (xr, yr) = repeated(&x, &y, &w);
    // One tree on every row (no bootstrap), one row a leaf: the split sums are the same, so
    // the trees are too. Least squares: the normal equations are the same.
    let tree = RandomForest::new(1).unwrap().bootstrap(false);
    let learners: [(&str, &dyn Learner); 2] = [("OLS", &LinearRegression), ("tree", &tree)];
    for (name, learner) in learners {
        assert!(learner.takes_weights());
        let weighted = predictions(learner, &x, &y, Some(&w), &x);
        let repeat = predictions(learner, &xr, &yr, None, &x);
        let unweighted = predictions(learner, &x, &y, None, &x);
        let gap = max_abs_diff(&weighted, &repeat);
        assert!(
            gap < 1e-9,
            "{name}: weighted vs repeated rows differ by {gap}"
        );
        assert!(
            max_abs_diff(&weighted, &unweighted) > 1e-3,
            "{name}: the weights changed nothing"
        );
    }
}

#[test]
fn weighted_least_squares_matches_its_normal_equations() {
    let (x, y, w) = data();
    // (Xᵀ W X) β = Xᵀ W y with an intercept column, solved directly.
    let n = y.len();
    let design = DMatrix::from_fn(n, 3, |i, j| if j == 0 { 1.0 } else { x[(i, j - 1)] });
    let wd = DMatrix::from_fn(n, 3, |i, j| design[(i, j)] * w[i]);
    let beta = (wd.transpose() * &design).try_inverse().unwrap()
        * (wd.transpose() * nalgebra::DVector::from_column_slice(&y));
    let direct: Vec<f64> = (0..n).map(|i| (design.row(i) * &beta)[(0, 0)]).collect();
    let ours = predictions(&LinearRegression, &x, &y, Some(&w), &x);
    assert!(max_abs_diff(&ours, &direct) < 1e-10);
}

#[test]
fn bad_weights_and_learners_without_weights_are_refused() {
    let (x, y, mut w) = data();
    let rows: Vec<usize> = (0..y.len()).collect();
    let e = Lasso::new(0.1)
        .unwrap()
        .fit_weighted(&x, &y, &w, &rows, "outcome")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("lasso") && e.contains("outcome"), "{e}");
    let forest = RandomForest::new(3).unwrap();
    for bad in [-1.0, f64::NAN] {
        w[4] = bad;
        for learner in [&forest as &dyn Learner, &LinearRegression] {
            let e = learner
                .fit_weighted(&x, &y, &w, &rows, "outcome")
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains("row 5") && e.contains("outcome"), "{e}");
        }
    }
    let zeros = vec![0.0; y.len()];
    let e = forest
        .fit_weighted(&x, &y, &zeros, &rows, "outcome")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("zero"), "{e}");
}
