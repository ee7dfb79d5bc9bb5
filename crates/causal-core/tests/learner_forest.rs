//! The random forest against scikit-learn 1.9: one tree without bootstrap splits exactly as
//! `DecisionTreeRegressor` and `DecisionTreeClassifier` (gini) when every feature has few
//! values, and a 100-tree forest is as accurate as `RandomForestRegressor` /
//! `RandomForestClassifier` with the same settings.
//! Fixture: tests/fixtures/forest_sklearn.json, made by
//! scripts/fixtures/core/forest_sklearn_fixture.py.

mod est_common;

use causal_core::learner::{Learner, RandomForest};
use est_common::max_abs_diff;
use nalgebra::DMatrix;
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/forest_sklearn.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> DMatrix<f64> {
    let cols: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(numbers).collect();
    DMatrix::from_fn(cols[0].len(), cols.len(), |i, j| cols[j][i])
}

#[test]
fn one_tree_without_bootstrap_is_scikit_learns_tree() {
    let fx = fixture();
    // Few values a feature with the default bins; 300 distinct values with 1024 bins.
    for (name, bins) in [("tree", 256), ("tree_continuous", 1024)] {
        same_tree_as_scikit_learn(&fx[name], bins);
    }
}

fn same_tree_as_scikit_learn(case: &Value, bins: usize) {
    let x = matrix(&case["x"]);
    let rows: Vec<usize> = (0..x.nrows()).collect();
    let tree = RandomForest::new(1)
        .unwrap()
        .bootstrap(false)
        .max_bins(bins)
        .max_depth(case["max_depth"].as_u64().unwrap() as u16)
        .min_samples_leaf(case["min_samples_leaf"].as_u64().unwrap() as usize);
    for (target, reference) in [("y", "regressor"), ("label", "classifier")] {
        let y = numbers(&case[target]);
        let ours = tree.fit(&x, &y, &rows, target).unwrap().predict(&x, &rows);
        let theirs = numbers(&case[reference]);
        let diff = max_abs_diff(&ours, &theirs);
        assert!(
            diff < 1e-9,
            "{reference}: max |ours − scikit-learn| = {diff}"
        );
        if target == "y" {
            let mut leaves: Vec<f64> = ours.clone();
            leaves.sort_by(f64::total_cmp);
            leaves.dedup();
            assert_eq!(leaves.len() as u64, case["leaves"].as_u64().unwrap());
        }
    }
}

#[test]
fn a_forest_is_as_accurate_as_scikit_learns() {
    let fx = fixture();
    let case = &fx["forest"];
    let x = matrix(&case["x"]);
    let n = case["train_rows"].as_u64().unwrap() as usize;
    let train: Vec<usize> = (0..n).collect();
    let test: Vec<usize> = (n..x.nrows()).collect();
    // The fixture's truth, recomputed from the features.
    let mean: Vec<f64> = test
        .iter()
        .map(|&i| (2.0 * x[(i, 0)]).sin() + x[(i, 1)].powi(2) + 0.5 * x[(i, 2)] * x[(i, 3)])
        .collect();
    let prob: Vec<f64> = test
        .iter()
        .map(|&i| {
            let eta = 1.5 * ((2.0 * x[(i, 0)]).sin() + x[(i, 1)] - 0.5);
            1.0 / (1.0 + (-eta).exp())
        })
        .collect();
    let mse = |pred: &[f64], truth: &[f64]| {
        pred.iter()
            .zip(truth)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / truth.len() as f64
    };
    let (mut ours_mse, mut ours_brier) = (0.0, 0.0);
    let seeds = 5;
    for seed in 0..seeds {
        let forest = RandomForest::new(case["trees"].as_u64().unwrap() as usize)
            .unwrap()
            .features_per_split(case["features_per_split"].as_u64().unwrap() as usize)
            .min_samples_leaf(case["min_samples_leaf"].as_u64().unwrap() as usize)
            .seed(seed);
        let y = numbers(&case["y"]);
        let pred = forest.fit(&x, &y, &train, "y").unwrap().predict(&x, &test);
        ours_mse += mse(&pred, &mean) / f64::from(seeds as u32);
        let label = numbers(&case["label"]);
        let pred = forest
            .fit(&x, &label, &train, "label")
            .unwrap()
            .predict(&x, &test);
        assert!(pred.iter().all(|p| (0.0..=1.0).contains(p)));
        ours_brier += mse(&pred, &prob) / f64::from(seeds as u32);
    }
    let (sk_mse, sk_brier) = (
        case["sklearn_mse_vs_truth"].as_f64().unwrap(),
        case["sklearn_brier_vs_truth"].as_f64().unwrap(),
    );
    let spread = {
        let m = mean.iter().sum::<f64>() / mean.len() as f64;
        mean.iter().map(|v| (v - m).powi(2)).sum::<f64>() / mean.len() as f64
    };
    eprintln!(
        "MSE against E[y|x]: ours {ours_mse:.4}, scikit-learn {sk_mse:.4} (Var E[y|x] {spread:.4}); \
         Brier against P(1|x): ours {ours_brier:.5}, scikit-learn {sk_brier:.5}"
    );
    // Same settings, different random draws and binned splits: within 10% of scikit-learn.
    assert!(
        ours_mse < 1.10 * sk_mse && ours_mse < 0.5 * spread,
        "{ours_mse} vs {sk_mse}"
    );
    assert!(ours_brier < 1.10 * sk_brier, "{ours_brier} vs {sk_brier}");
}

/// A table where one feature decides the target, for the settings tests.
fn step_data(n: usize) -> (DMatrix<f64>, Vec<f64>) {
    let x = DMatrix::from_fn(n, 3, |i, j| ((i * (7 + 5 * j) + 3 * j) % 101) as f64 / 10.0);
    let y = (0..n)
        .map(|i| f64::from(u8::from(x[(i, 1)] > 4.0)) + 0.01 * ((i * 13) % 7) as f64)
        .collect();
    (x, y)
}

#[test]
fn depth_leaf_size_and_threads_are_respected() {
    let (x, y) = step_data(400);
    let rows: Vec<usize> = (0..400).collect();
    let stump = RandomForest::new(1).unwrap().bootstrap(false).max_depth(1);
    let pred = stump.fit(&x, &y, &rows, "y").unwrap().predict(&x, &rows);
    let mut values = pred.clone();
    values.sort_by(f64::total_cmp);
    values.dedup();
    assert_eq!(values.len(), 2, "a depth-1 tree has two leaves");
    // The stump finds the step in feature 2.
    for (i, p) in pred.iter().enumerate() {
        assert_eq!(*p > 0.5, x[(i, 1)] > 4.0, "row {i}");
    }

    let leafy = RandomForest::new(1)
        .unwrap()
        .bootstrap(false)
        .min_samples_leaf(25);
    let pred = leafy.fit(&x, &y, &rows, "y").unwrap().predict(&x, &rows);
    let mut sorted = pred.clone();
    sorted.sort_by(f64::total_cmp);
    for run in sorted.chunk_by(|a, b| a == b) {
        assert!(run.len() >= 25, "a leaf of {} rows", run.len());
    }

    let forest = RandomForest::new(30).unwrap().features_per_split(2).seed(4);
    let fit_with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| forest.fit(&x, &y, &rows, "y").unwrap().predict(&x, &rows))
    };
    assert_eq!(
        fit_with(1),
        fit_with(2),
        "the thread count changed the forest"
    );
    let other_seed = RandomForest::new(30).unwrap().features_per_split(2).seed(5);
    let moved = other_seed
        .fit(&x, &y, &rows, "y")
        .unwrap()
        .predict(&x, &rows);
    assert_ne!(fit_with(2), moved, "the seed has no effect");
}

#[test]
fn bad_input_is_an_error_naming_the_target() {
    let (x, mut y) = step_data(50);
    let rows: Vec<usize> = (0..50).collect();
    assert!(RandomForest::new(0).is_err());
    let forest = RandomForest::new(5).unwrap();
    y[3] = f64::NAN;
    let err = forest.fit(&x, &y, &rows, "outcome").err().unwrap();
    assert!(err.to_string().contains("outcome"), "{err}");
    let err = forest.fit(&x, &y, &[], "outcome").err().unwrap();
    assert!(err.to_string().contains("outcome"), "{err}");
    let mut bad_x = x.clone();
    bad_x[(7, 2)] = f64::INFINITY;
    y[3] = 0.0;
    let err = forest.fit(&bad_x, &y, &rows, "outcome").err().unwrap();
    assert!(err.to_string().contains("feature 3"), "{err}");
    let none = DMatrix::<f64>::zeros(50, 0);
    assert!(forest.fit(&none, &y, &rows, "outcome").is_err());
}
