//! Nuisance learners for double machine learning and the meta-learners: regressors and
//! classifiers behind one trait, chosen by value in Rust and by name in the CLI.
//!
//! A learner sees the full feature matrix and a list of training rows, so cross-fitting never
//! copies the data per fold; its fitted model predicts for any list of rows.
//!
//! | name | task | model |
//! |---|---|---|
//! | `linear` | regression | ordinary least squares with an intercept |
//! | `logistic` | classification | logistic regression, optionally with an L2 penalty |
//! | `lasso` | regression | L1-penalised least squares by coordinate descent |
//! | `forest` | both | a random forest of CART trees on binned features (scikit-learn's forests) |

mod crossfit;
mod forest;
mod lasso;
mod linear;
mod logistic;

pub use crossfit::Keep;
pub(crate) use crossfit::per_fold_at;
pub use forest::RandomForest;
pub use lasso::Lasso;
pub use linear::LinearRegression;
pub use logistic::LogisticRegression;

use nalgebra::DMatrix;

use crate::error::{CoreError, Result};

/// A nuisance learner: fits `E[y | x]` (a regressor) or `P(y = 1 | x)` (a classifier) on a
/// subset of the rows of a feature matrix.
pub trait Learner: Send + Sync + std::fmt::Debug {
    /// The learner's name and settings, for reports.
    fn describe(&self) -> String;

    /// Fits on the rows `rows` of `x` (n × p, column-major) with targets `y[rows]`; `label`
    /// names the target in errors.
    ///
    /// # Errors
    ///
    /// [`CoreError::Empty`] with no rows, [`CoreError::Numerical`] or
    /// [`CoreError::NoOverlap`] when the fit fails, naming `label`.
    fn fit(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        rows: &[usize],
        label: &str,
    ) -> Result<Box<dyn Fitted>>;

    /// Fits with row weights: minimises `Σᵢ wᵢ ℓ(yᵢ, f(xᵢ))` over `rows`, with `weights`
    /// indexed like `y` (the R-learner's final stage needs them). The default is an error;
    /// the learners for which [`Learner::takes_weights`] holds override it.
    ///
    /// # Errors
    ///
    /// As [`Learner::fit`]; [`CoreError::InvalidParameter`] when the learner takes no
    /// weights, and for a negative or non-finite weight or weights that are all zero.
    fn fit_weighted(
        &self,
        x: &DMatrix<f64>,
        y: &[f64],
        weights: &[f64],
        rows: &[usize],
        label: &str,
    ) -> Result<Box<dyn Fitted>> {
        let _ = (x, y, weights, rows);
        Err(CoreError::InvalidParameter(format!(
            "the {} learner takes no row weights, which the model of '{label}' needs (linear, \
             forest and mlp do)",
            self.describe()
        )))
    }

    /// Whether [`Learner::fit_weighted`] is implemented.
    fn takes_weights(&self) -> bool {
        false
    }

    /// Out-of-fold predictions: for each fold (the test rows in `tests`), the model fitted on
    /// the other folds' rows that pass `keep` predicts the fold's rows. The default fits once
    /// per fold, folds in parallel; the linear learners override it to read the data once.
    ///
    /// # Errors
    ///
    /// As [`Learner::fit`], with the fold named.
    fn cross_fit(
        &self,
        x: &DMatrix<f64>,
        target: &[f64],
        tests: &[Vec<usize>],
        keep: Keep<'_>,
        label: &str,
    ) -> Result<Vec<f64>> {
        crossfit::per_fold(self, x, target, tests, keep, label)
    }

    /// [`Learner::cross_fit`] for several targets `(values, label)` on the same features, in
    /// order. The default fits each target in turn; the linear learners override it to build
    /// the features' Gram matrix once for all targets.
    ///
    /// # Errors
    ///
    /// As [`Learner::cross_fit`], naming the target.
    fn cross_fit_many(
        &self,
        x: &DMatrix<f64>,
        targets: &[(&[f64], &str)],
        tests: &[Vec<usize>],
        keep: Keep<'_>,
    ) -> Result<Vec<Vec<f64>>> {
        targets
            .iter()
            .map(|(t, label)| self.cross_fit(x, t, tests, keep, label))
            .collect()
    }

    /// [`Learner::cross_fit_many`] on features given as columns of one length (a data set's
    /// own storage). The default copies them into one matrix; the linear learners read them
    /// in place, sparing the n·p copy.
    ///
    /// # Errors
    ///
    /// As [`Learner::cross_fit_many`]; [`CoreError::InvalidParameter`] when the columns and
    /// targets differ in length.
    fn cross_fit_columns(
        &self,
        features: &[&[f64]],
        targets: &[(&[f64], &str)],
        tests: &[Vec<usize>],
        keep: Keep<'_>,
    ) -> Result<Vec<Vec<f64>>> {
        let n = common_length(features, targets)?;
        self.cross_fit_many(&columns_matrix(features, n), targets, tests, keep)
    }

    /// Whether [`Learner::cross_fit`]'s default may fit folds in parallel (it gives the same
    /// result either way). A learner whose fits share process-wide state, such as LibTorch's
    /// random generator, returns `false` so that its folds run one after another.
    fn parallel_folds(&self) -> bool {
        true
    }
}

/// A fitted nuisance model.
pub trait Fitted: Send + Sync {
    /// Predictions (means, or probabilities of class 1) for the rows `rows` of `x`.
    fn predict(&self, x: &DMatrix<f64>, rows: &[usize]) -> Vec<f64>;
}

/// A fitted linear predictor `b0 + x·w`, shared by the linear learners.
#[derive(Clone, Debug)]
pub(crate) struct LinearPredictor {
    pub(crate) intercept: f64,
    pub(crate) weights: Vec<f64>,
    /// Apply the logistic function to the linear predictor.
    pub(crate) logistic: bool,
}

impl Fitted for LinearPredictor {
    fn predict(&self, x: &DMatrix<f64>, rows: &[usize]) -> Vec<f64> {
        let mut eta = vec![self.intercept; rows.len()];
        for (j, w) in self.weights.iter().enumerate() {
            if *w == 0.0 {
                continue;
            }
            let col = x.column(j);
            for (e, &i) in eta.iter_mut().zip(rows) {
                *e += w * col[i];
            }
        }
        if self.logistic {
            eta.iter_mut().for_each(|e| *e = crate::stats::sigmoid(*e));
        }
        eta
    }
}

/// The n × p column-major matrix of `p` columns of length `n` (appended column by column: no
/// zero fill first).
pub(crate) fn columns_matrix(columns: &[&[f64]], n: usize) -> DMatrix<f64> {
    let mut buf = Vec::with_capacity(n * columns.len());
    for c in columns {
        buf.extend_from_slice(c);
    }
    DMatrix::from_vec(n, columns.len(), buf)
}

/// The length shared by the feature columns and the targets.
pub(crate) fn common_length(features: &[&[f64]], targets: &[(&[f64], &str)]) -> Result<usize> {
    let mut lens = features
        .iter()
        .map(|c| c.len())
        .chain(targets.iter().map(|(t, _)| t.len()));
    let n = lens.next().unwrap_or(0);
    if lens.any(|l| l != n) {
        return Err(CoreError::InvalidParameter(
            "cross-fitting: the feature columns and targets differ in length".into(),
        ));
    }
    Ok(n)
}

/// The columns of a column-major matrix, as slices.
pub(crate) fn matrix_columns(x: &DMatrix<f64>) -> Vec<&[f64]> {
    let n = x.nrows();
    (0..x.ncols())
        .map(|j| &x.as_slice()[j * n..(j + 1) * n])
        .collect()
}

/// Column means of `x` over `rows`.
pub(crate) fn column_means(x: &DMatrix<f64>, rows: &[usize]) -> Vec<f64> {
    let n = rows.len() as f64;
    (0..x.ncols())
        .map(|j| {
            let col = x.column(j);
            rows.iter().map(|&i| col[i]).sum::<f64>() / n
        })
        .collect()
}

/// The check every [`Learner::fit_weighted`] makes first: one weight per target (`n` of
/// them), and the weights of `rows` finite, non-negative and not all zero.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] naming `label` (and the row, for a bad weight).
pub fn require_weights(weights: &[f64], n: usize, rows: &[usize], label: &str) -> Result<()> {
    if weights.len() != n {
        return Err(CoreError::InvalidParameter(format!(
            "the model of '{label}' got {} weights for {n} rows",
            weights.len()
        )));
    }
    let mut any = false;
    for &i in rows {
        let w = *weights.get(i).ok_or_else(|| {
            CoreError::InvalidParameter(format!(
                "the model of '{label}' has {} weights for row {}",
                weights.len(),
                i + 1
            ))
        })?;
        if !(w.is_finite() && w >= 0.0) {
            return Err(CoreError::InvalidParameter(format!(
                "the model of '{label}' got the weight {w} for row {}; weights must be finite \
                 and non-negative",
                i + 1
            )));
        }
        any |= w > 0.0;
    }
    if !any {
        return Err(CoreError::InvalidParameter(format!(
            "every weight of the model of '{label}' is zero"
        )));
    }
    Ok(())
}

/// Fails with a message naming `label` when there are no training rows (every
/// [`Learner::fit`] checks this first).
///
/// # Errors
///
/// [`CoreError::Empty`] for no rows.
pub fn require_rows(rows: &[usize], label: &str) -> Result<()> {
    if rows.is_empty() {
        return Err(CoreError::Empty(format!(
            "no training rows for the model of '{label}'"
        )));
    }
    Ok(())
}

/// A learner chosen by name, as the CLI does: `linear`, `logistic`, `lasso`, `lasso:ALPHA`,
/// `forest` or `forest:TREES` (100 trees by default).
///
/// # Examples
///
/// ```
/// use causal_core::learner::{LearnerChoice, by_name};
///
/// let reg = by_name("lasso:0.1", LearnerChoice::Regressor)?;
/// assert!(reg.describe().contains("0.1"));
/// let clf = by_name("linear", LearnerChoice::Classifier)?; // linear → logistic for a 0/1 target
/// assert!(clf.describe().starts_with("logistic"));
/// # Ok::<(), causal_core::CoreError>(())
/// ```
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] for an unknown name or a bad penalty.
pub fn by_name(name: &str, task: LearnerChoice) -> Result<Box<dyn Learner>> {
    let (base, arg) = match name.split_once(':') {
        Some((b, a)) => (b, Some(a)),
        None => (name, None),
    };
    let number = |default: f64| -> Result<f64> {
        match arg {
            None => Ok(default),
            Some(a) => a.parse::<f64>().map_err(|_| {
                CoreError::InvalidParameter(format!("learner '{name}': '{a}' is not a number"))
            }),
        }
    };
    let classifier = task == LearnerChoice::Classifier;
    Ok(match (base, classifier) {
        ("linear" | "ols", false) => Box::new(LinearRegression),
        ("linear" | "logistic", true) => Box::new(LogisticRegression::new(number(f64::INFINITY)?)?),
        ("lasso", false) => Box::new(Lasso::new(number(0.1)?)?),
        // An L1 classifier is not implemented; L2 logistic regression with C = 1 stands in,
        // as DoubleML's examples pair Lasso with a default LogisticRegression.
        ("lasso", true) => Box::new(LogisticRegression::new(number(1.0)?)?),
        ("forest", _) => Box::new(RandomForest::new(number(100.0)? as usize)?),
        ("logistic", false) => {
            return Err(CoreError::InvalidParameter(format!(
                "learner '{name}' is a classifier; the target needs a regressor (linear, lasso)"
            )));
        }
        _ => {
            return Err(CoreError::InvalidParameter(format!(
                "unknown learner '{name}' (linear, logistic, lasso, lasso:ALPHA, forest, forest:TREES)"
            )));
        }
    })
}

/// Whether a learner is wanted for a continuous target or a 0/1 one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LearnerChoice {
    /// `E[y | x]` for a continuous target.
    Regressor,
    /// `P(y = 1 | x)` for a 0/1 target.
    Classifier,
}
