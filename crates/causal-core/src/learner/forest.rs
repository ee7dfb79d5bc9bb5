//! Random forests (smartcore's CART forests) as nuisance learners.

use nalgebra::DMatrix;
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;

use super::{Fitted, Learner, require_rows};
use crate::error::{CoreError, Result};

/// A random forest of squared-error CART trees on bootstrap samples, with `features_per_split`
/// features drawn at each split (default: all, as scikit-learn's regressor).
///
/// It serves 0/1 targets too: with the squared-error criterion on a 0/1 target, a split's
/// impurity decrease is half the Gini decrease, so the trees split as a Gini classifier does,
/// and the averaged leaf means are the class-1 probabilities that scikit-learn's
/// `predict_proba` averages.
#[derive(Clone, Copy, Debug)]
pub struct RandomForest {
    trees: usize,
    max_depth: Option<u16>,
    min_samples_leaf: usize,
    features_per_split: Option<usize>,
    seed: u64,
}

impl RandomForest {
    /// A forest of `trees` trees; depth unlimited, 1 row a leaf, all features per split,
    /// seed 0 (scikit-learn's regressor defaults, which gave 36/40 DML-PLR coverage on the
    /// nonlinear design of `tests/estimate_dml_forest.rs` against 29/40 with 5 rows a leaf).
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for zero trees.
    pub fn new(trees: usize) -> Result<Self> {
        if trees == 0 {
            return Err(CoreError::InvalidParameter(
                "random forest: trees must be at least 1".into(),
            ));
        }
        Ok(Self {
            trees,
            max_depth: None,
            min_samples_leaf: 1,
            features_per_split: None,
            seed: 0,
        })
    }

    /// Maximum tree depth.
    pub fn max_depth(mut self, depth: u16) -> Self {
        self.max_depth = Some(depth);
        self
    }

    /// Minimum rows in a leaf.
    pub fn min_samples_leaf(mut self, rows: usize) -> Self {
        self.min_samples_leaf = rows.max(1);
        self
    }

    /// Features drawn at each split.
    pub fn features_per_split(mut self, m: usize) -> Self {
        self.features_per_split = Some(m.max(1));
        self
    }

    /// Seed of the bootstrap samples and feature draws.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// The training or prediction block of `x` for `rows`, column-major, as smartcore takes it.
fn block(x: &DMatrix<f64>, rows: &[usize]) -> Result<DenseMatrix<f64>> {
    let mut values = Vec::with_capacity(rows.len() * x.ncols());
    for j in 0..x.ncols() {
        let col = x.column(j);
        values.extend(rows.iter().map(|&i| col[i]));
    }
    DenseMatrix::new(rows.len(), x.ncols(), values, true)
        .map_err(|e| CoreError::Numerical(format!("random forest: {e}")))
}

struct FittedForest(RandomForestRegressor<f64, f64, DenseMatrix<f64>, Vec<f64>>);

impl Fitted for FittedForest {
    fn predict(&self, x: &DMatrix<f64>, rows: &[usize]) -> Vec<f64> {
        if rows.is_empty() {
            return Vec::new();
        }
        // A prediction failure leaves NaN, which cross-fitting reports naming the model.
        block(x, rows)
            .ok()
            .and_then(|b| self.0.predict(&b).ok())
            .unwrap_or_else(|| vec![f64::NAN; rows.len()])
    }
}

impl Learner for RandomForest {
    fn describe(&self) -> String {
        format!(
            "random forest ({} trees, depth {}, {} rows a leaf, {} features a split)",
            self.trees,
            self.max_depth.map_or("unlimited".into(), |d| d.to_string()),
            self.min_samples_leaf,
            self.features_per_split
                .map_or("all".into(), |m| m.to_string())
        )
    }

    fn fit(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        rows: &[usize],
        label: &str,
    ) -> Result<Box<dyn Fitted>> {
        require_rows(rows, label)?;
        if x.ncols() == 0 {
            return Err(CoreError::InvalidParameter(format!(
                "the forest for '{label}' has no features"
            )));
        }
        let xb = block(x, rows)?;
        let yb: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        let params = RandomForestRegressorParameters {
            max_depth: self.max_depth,
            min_samples_leaf: self.min_samples_leaf,
            min_samples_split: 2 * self.min_samples_leaf,
            n_trees: self.trees,
            m: Some(self.features_per_split.unwrap_or(x.ncols()).min(x.ncols())),
            keep_samples: false,
            seed: self.seed,
        };
        let forest = RandomForestRegressor::fit(&xb, &yb, params).map_err(|e| {
            CoreError::Numerical(format!("the random forest for '{label}' failed: {e}"))
        })?;
        Ok(Box::new(FittedForest(forest)))
    }
}
