//! DirectLiNGAM (Shimizu et al. 2011) for linear non-Gaussian acyclic models.
//!
//! The causal order is found one variable at a time: the most exogenous remaining variable,
//! by the pairwise likelihood-ratio measure of Hyvärinen & Smith (2013), is taken and
//! regressed out of the others. Each variable is then regressed on its predecessors, pruned by
//! adaptive lasso with BIC on the LARS path, and refitted by least squares: the `lingam`
//! package's defaults, whose output this reproduces. The pairwise measures of each step run in
//! parallel (deterministically).

mod lars;
mod order;

use causal_core::data::Dataset;
use causal_core::graph::{Edge, MixedGraph};
use nalgebra::{DMatrix, DVector};

use causal_core::contract::{Fit, ParamGuard};

use crate::error::{DiscoverError, Result};
use crate::ges::{EdgeRules, continuous_covariance};
use crate::knowledge::Knowledge;
use crate::search_setup::given;

/// DirectLiNGAM hyperparameters (consuming builder; [`ParamGuard::check`] validates them into a
/// [`DirectLingam`]).
///
/// # Formula
///
/// Order search: for each candidate `i`, `M_i = Σ_j min(0, Δ_ij)²` with
/// `Δ_ij = H(x_j) + H(r_i|j) - H(x_i) - H(r_j|i)` (maximum-entropy approximations of the
/// entropies of standardised variables and residuals); the candidate with the smallest `M_i`
/// comes next. Pruning: adaptive lasso with weights `|β_OLS|` on standardised data, the
/// penalty chosen by `n ln(2πσ̂²) + RSS/σ̂² + ln(n)·df` on the LARS path.
///
/// # Examples
///
/// ```
/// use causal_core::contract::Fit;
/// use causal_core::data::Dataset;
/// use causal_discover::knowledge::Knowledge;
/// use causal_discover::lingam::DirectLingamParams;
///
/// // x -> y with uniform (non-Gaussian) noise.
/// let n = 2000;
/// let u = |i: usize, k: usize| ((i * k) % 1009) as f64 / 1009.0 - 0.5;
/// let x: Vec<f64> = (0..n).map(|i| u(i, 7919)).collect();
/// let y: Vec<f64> = (0..n).map(|i| 1.5 * x[i] + u(i, 104_729)).collect();
/// let data = Dataset::new(vec!["y".into(), "x".into()], vec![y, x])?;
/// let fit = DirectLingamParams::new().fit(&data, &Knowledge::new())?;
/// assert_eq!(fit.causal_order(), &[1, 0]);
/// assert!((fit.adjacency()[(0, 1)] - 1.5).abs() < 0.05);
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct DirectLingamParams {
    min_weight: f64,
}

/// DirectLiNGAM with validated hyperparameters: fit it to a [`Dataset`] with background
/// [`Knowledge`] ([`Fit`]), or with knowledge already in index form
/// ([`DirectLingam::fit_rules`]).
#[derive(Clone, Debug)]
pub struct DirectLingam {
    min_weight: f64,
}

impl DirectLingamParams {
    /// No extra weight threshold.
    pub fn new() -> Self {
        Self::default()
    }

    /// Drops edges whose absolute weight is below `w` after pruning (default 0: none).
    pub fn min_weight(mut self, w: f64) -> Self {
        self.min_weight = w;
        self
    }
}

impl ParamGuard for DirectLingamParams {
    type Checked = DirectLingam;
    type Error = DiscoverError;

    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] for a negative or non-finite weight threshold.
    fn check(self) -> Result<DirectLingam> {
        if !(self.min_weight.is_finite() && self.min_weight >= 0.0) {
            return Err(DiscoverError::InvalidParameter(format!(
                "LiNGAM min_weight must be finite and >= 0, got {}",
                self.min_weight
            )));
        }
        Ok(DirectLingam {
            min_weight: self.min_weight,
        })
    }
}

/// Background knowledge, resolved against the data's columns ([`EdgeRules`]): tiers and
/// required edges constrain the order, forbidden edges are left out of the regressions,
/// required edges are always kept.
impl Fit<&Knowledge> for DirectLingam {
    type Object = DirectLingamFit;
    type Error = DiscoverError;

    fn fit(&self, data: &Dataset, knowledge: &Knowledge) -> Result<DirectLingamFit> {
        let rules = given(knowledge)
            .map(|k| EdgeRules::from_knowledge(k, data.names()))
            .transpose()?;
        self.fit_inner(data, rules.as_ref())
    }
}

impl DirectLingam {
    /// Estimates the causal order, the weighted adjacency and the DAG, with knowledge indexed
    /// like the data's columns.
    ///
    /// # Errors
    ///
    /// As [`Fit::fit`].
    pub fn fit_rules(&self, data: &Dataset, rules: &EdgeRules) -> Result<DirectLingamFit> {
        self.fit_inner(data, Some(rules))
    }

    /// Estimates the causal order, the weighted adjacency and the DAG.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::KnowledgeConflict`] for an edge both required and forbidden;
    /// [`DiscoverError::TooFewRows`] with fewer than `d + 2` rows
    /// (the BIC's noise variance needs them), [`DiscoverError::ConstantColumn`],
    /// [`DiscoverError::Singular`], and [`DiscoverError::KnowledgeConflict`] when the
    /// knowledge has another number of nodes than the data has columns.
    fn fit_inner(&self, data: &Dataset, rules: Option<&EdgeRules>) -> Result<DirectLingamFit> {
        EdgeRules::check_consistent(rules)?;
        let d = data.n_cols();
        let rules = EdgeRules::for_columns(rules, d)?;
        let cov = continuous_covariance(data, "DirectLiNGAM", d + 2)?;
        let mut cols: Vec<Vec<f64>> = data.columns().into_iter().map(<[f64]>::to_vec).collect();
        let mut remaining: Vec<usize> = (0..d).collect();
        let mut order = Vec::with_capacity(d);
        while !remaining.is_empty() {
            let mut candidates: Vec<usize> = remaining
                .iter()
                .copied()
                .filter(|&i| {
                    !remaining
                        .iter()
                        .any(|&k| k != i && rules.must_precede(k, i))
                })
                .collect();
            if candidates.is_empty() {
                candidates.clone_from(&remaining);
            }
            let m = order::most_exogenous(&cols, &remaining, &candidates).unwrap_or(remaining[0]);
            let xm = cols[m].clone();
            for &i in &remaining {
                if i != m {
                    cols[i] = order::residual(&cols[i], &xm);
                }
            }
            order.push(m);
            remaining.retain(|&i| i != m);
        }
        let b = self.adjacency(data, &cov, &order, &rules);
        let mut graph = MixedGraph::with_nodes(data.names().iter().cloned())?;
        for j in 0..d {
            for i in 0..d {
                if b[(j, i)] != 0.0 {
                    graph.add_edge(Edge::directed(i, j))?;
                }
            }
        }
        Ok(DirectLingamFit {
            order,
            adjacency: b,
            graph,
        })
    }

    /// `B[target, source]`: each variable regressed on its pruned predecessors.
    fn adjacency(
        &self,
        data: &Dataset,
        cov: &DMatrix<f64>,
        order: &[usize],
        rules: &EdgeRules,
    ) -> DMatrix<f64> {
        let d = data.n_cols();
        let n = data.n_rows();
        let mean: Vec<f64> = data
            .columns()
            .iter()
            .map(|c| c.iter().sum::<f64>() / n as f64)
            .collect();
        let sd: Vec<f64> = (0..d).map(|j| cov[(j, j)].sqrt()).collect();
        let z = |j: usize, row: usize| (data.col(j)[row] - mean[j]) / sd[j];
        let mut b = DMatrix::zeros(d, d);
        for k in 1..order.len() {
            let target = order[k];
            let preds: Vec<usize> = order[..k]
                .iter()
                .copied()
                .filter(|&p| !rules.is_forbidden(p, target))
                .collect();
            if preds.is_empty() {
                continue;
            }
            // Adaptive lasso on standardised data, weights from least squares.
            let corr = |a: usize, c: usize| cov[(a, c)] / (sd[a] * sd[c]);
            let p = preds.len();
            let rpp = DMatrix::from_fn(p, p, |a, c| corr(preds[a], preds[c]));
            let rpy = DVector::from_fn(p, |a, _| corr(preds[a], target));
            let ols = solve(&rpp, &rpy);
            let w: Vec<f64> = ols.iter().map(|c| c.abs()).collect();
            let x = DMatrix::from_fn(n, p, |row, a| z(preds[a], row) * w[a]);
            let x = centre_columns(x);
            let y = DVector::from_fn(n, |row, _| z(target, row));
            let y = &y - DVector::repeat(n, y.mean());
            let lasso = lars::lasso_lars_bic(&x, &y);
            let kept: Vec<usize> = (0..p)
                .filter(|&a| (lasso[a] * w[a]).abs() > 0.0 || rules.is_required(preds[a], target))
                .map(|a| preds[a])
                .collect();
            if kept.is_empty() {
                continue;
            }
            let spp = DMatrix::from_fn(kept.len(), kept.len(), |a, c| cov[(kept[a], kept[c])]);
            let spy = DVector::from_fn(kept.len(), |a, _| cov[(kept[a], target)]);
            let coef = solve(&spp, &spy);
            for (a, &src) in kept.iter().enumerate() {
                if coef[a].abs() >= self.min_weight || rules.is_required(src, target) {
                    b[(target, src)] = coef[a];
                }
            }
        }
        b
    }
}

fn solve(a: &DMatrix<f64>, b: &DVector<f64>) -> DVector<f64> {
    match a.clone().cholesky() {
        Some(ch) => ch.solve(b),
        None => a
            .clone()
            .svd(true, true)
            .solve(b, 1e-12)
            .unwrap_or_else(|_| DVector::zeros(b.len())),
    }
}

fn centre_columns(mut x: DMatrix<f64>) -> DMatrix<f64> {
    for mut c in x.column_iter_mut() {
        let m = c.mean();
        c.add_scalar_mut(-m);
    }
    x
}

/// The result of fitting [`DirectLingam`].
#[derive(Clone, Debug)]
pub struct DirectLingamFit {
    order: Vec<usize>,
    adjacency: DMatrix<f64>,
    graph: MixedGraph,
}

impl DirectLingamFit {
    /// The estimated causal order (column indices, causes first).
    pub fn causal_order(&self) -> &[usize] {
        &self.order
    }

    /// `B[target, source]`: the weight of `source -> target` (0 for no edge), as `lingam`'s
    /// `adjacency_matrix_`.
    pub fn adjacency(&self) -> &DMatrix<f64> {
        &self.adjacency
    }

    /// The estimated DAG.
    pub fn graph(&self) -> &MixedGraph {
        &self.graph
    }

    /// Consumes the fit, returning the DAG.
    pub fn into_graph(self) -> MixedGraph {
        self.graph
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use causal_core::sim::{Noise, random_dag_weights, simulate};

    #[test]
    fn recovers_a_non_gaussian_dag() {
        let w = random_dag_weights(8, 10, 0.5, 1.5, 11).unwrap();
        let data = simulate(&w, 3000, Noise::Uniform, 12).unwrap();
        let fit = DirectLingamParams::new()
            .fit(&data, &Knowledge::new())
            .unwrap();
        let mut wrong = 0;
        for i in 0..8 {
            for j in 0..8 {
                wrong += usize::from((w[(i, j)] != 0.0) != fit.graph().children(i).contains(&j));
            }
        }
        assert!(wrong <= 1, "{wrong} edges differ");
        // The order respects every true edge.
        let pos = |v: usize| fit.causal_order().iter().position(|&u| u == v).unwrap();
        for i in 0..8 {
            for j in 0..8 {
                if w[(i, j)] != 0.0 {
                    assert!(pos(i) < pos(j), "{i} -> {j} against the order");
                }
            }
        }
    }

    #[test]
    fn tiers_fix_the_order() {
        let w = random_dag_weights(4, 3, 0.5, 1.5, 5).unwrap();
        let data = simulate(&w, 500, Noise::Uniform, 6).unwrap();
        let rules = EdgeRules::from_tiers(&[Some(3), Some(2), Some(1), Some(0)]);
        let fit = DirectLingamParams::new()
            .check()
            .unwrap()
            .fit_rules(&data, &rules)
            .unwrap();
        assert_eq!(fit.causal_order(), &[3, 2, 1, 0]);
        assert!(fit.graph().edges().iter().all(|e| e.a > e.b));
    }

    #[test]
    fn bad_input_is_named() {
        let c = Dataset::new(
            vec!["a".into(), "k".into()],
            vec![(0..10).map(f64::from).collect(), vec![1.0; 10]],
        )
        .unwrap();
        assert!(
            matches!(DirectLingamParams::new().fit(&c, &Knowledge::new()), Err(DiscoverError::ConstantColumn(ref k)) if k == "k")
        );
        let short = Dataset::new(
            vec!["a".into(), "b".into()],
            vec![vec![1.0, 2.0, 4.0], vec![0.0, 1.0, 5.0]],
        )
        .unwrap();
        assert!(matches!(
            DirectLingamParams::new().fit(&short, &Knowledge::new()),
            Err(DiscoverError::TooFewRows { .. })
        ));
        assert!(
            DirectLingamParams::new()
                .min_weight(f64::NAN)
                .check()
                .is_err()
        );
    }
}
