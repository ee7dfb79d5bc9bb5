//! Linear NOTEARS (Zheng et al. 2018): structure learning as continuous optimisation.
//!
//! The weighted adjacency `W = W⁺ - W⁻` (both non-negative) minimises the least-squares loss
//! plus an l1 penalty subject to the acyclicity constraint `h(W) = tr(e^{W∘W}) - d = 0`,
//! handled by the augmented Lagrangian as in the authors' reference code; each subproblem is
//! solved by core's bounded L-BFGS ([`causal_core::optim::Lbfgs`]). Small weights are then
//! thresholded away. The loss and its gradient use the covariance matrix, so a subproblem
//! costs `O(d³)` per evaluation whatever `n`.
//!
//! Background knowledge enters as constraints: a forbidden `i -> j` fixes both halves of
//! `W[i, j]` at 0; a required `i -> j` is not penalised and survives the threshold.

use std::convert::Infallible;

use causal_core::data::Dataset;
use causal_core::graph::{Edge, MixedGraph};
use causal_core::optim::{Bound, Lbfgs};
use nalgebra::DMatrix;

use causal_core::contract::{Fit, ParamGuard};

use crate::error::{DiscoverError, Result};
use crate::ges::{EdgeRules, continuous_covariance};
use crate::knowledge::Knowledge;
use crate::search_setup::given;

/// NOTEARS hyperparameters (consuming builder; [`ParamGuard::check`] validates them into a
/// [`Notears`]).
///
/// # Formula
///
/// `min_W 1/(2n) ‖X - XW‖²_F + λ₁ ‖W‖₁  s.t.  h(W) = tr(e^{W∘W}) - d = 0`, solved as a
/// sequence of `F(W) + ρ/2 h(W)² + α h(W)`, with `ρ ← 10ρ` while `h` does not fall below a
/// quarter of its previous value and `α ← α + ρ h` after each subproblem; finally `|W_ij| <
/// threshold` is set to 0.
///
/// # Examples
///
/// ```
/// use causal_core::contract::Fit;
/// use causal_discover::knowledge::Knowledge;
/// use causal_discover::notears::NotearsParams;
/// use causal_core::sim::{random_dag_weights, simulate, weights_to_dag, Noise};
///
/// let w = random_dag_weights(5, 5, 0.5, 2.0, 1)?;
/// let data = simulate(&w, 500, Noise::Gaussian, 2)?;
/// let fit = NotearsParams::new().fit(&data, &Knowledge::new())?;
/// assert!(fit.graph().is_acyclic());
/// assert!(fit.graph().n_edges() >= 3);
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug)]
pub struct NotearsParams {
    lambda1: f64,
    threshold: f64,
    max_iter: usize,
    h_tol: f64,
    rho_max: f64,
}

impl Default for NotearsParams {
    fn default() -> Self {
        Self::new()
    }
}

/// NOTEARS with validated hyperparameters: fit it to a [`Dataset`] with background
/// [`Knowledge`] ([`Fit`]), or with knowledge already in index form ([`Notears::fit_rules`]).
#[derive(Clone, Debug)]
pub struct Notears {
    params: NotearsParams,
}

impl NotearsParams {
    /// The reference defaults: `λ₁ = 0.1`, threshold 0.3, 100 outer iterations,
    /// `h_tol = 1e-8`, `ρ_max = 1e16`.
    pub fn new() -> Self {
        Self {
            lambda1: 0.1,
            threshold: 0.3,
            max_iter: 100,
            h_tol: 1e-8,
            rho_max: 1e16,
        }
    }

    /// The l1 penalty `λ₁`.
    pub fn lambda1(mut self, l: f64) -> Self {
        self.lambda1 = l;
        self
    }

    /// The weight threshold.
    pub fn threshold(mut self, t: f64) -> Self {
        self.threshold = t;
        self
    }

    /// The maximum number of augmented-Lagrangian (outer) iterations.
    pub fn max_iter(mut self, k: usize) -> Self {
        self.max_iter = k;
        self
    }

    /// The tolerance on `h(W)` at which the outer loop stops.
    pub fn h_tol(mut self, t: f64) -> Self {
        self.h_tol = t;
        self
    }
}

impl ParamGuard for NotearsParams {
    type Checked = Notears;
    type Error = DiscoverError;

    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] for a negative or non-finite `λ₁` or threshold, a
    /// non-positive tolerance or zero iterations.
    fn check(self) -> Result<Notears> {
        let bad = |what: &str, v: f64| {
            Err(DiscoverError::InvalidParameter(format!(
                "NOTEARS {what} out of range: {v}"
            )))
        };
        if !(self.lambda1.is_finite() && self.lambda1 >= 0.0) {
            return bad("lambda1", self.lambda1);
        }
        if !(self.threshold.is_finite() && self.threshold >= 0.0) {
            return bad("threshold", self.threshold);
        }
        if !(self.h_tol.is_finite() && self.h_tol > 0.0) {
            return bad("h_tol", self.h_tol);
        }
        if self.max_iter == 0 {
            return bad("max_iter", 0.0);
        }
        Ok(Notears { params: self })
    }
}

/// Learns a DAG, the knowledge resolved against the data's columns ([`EdgeRules`]).
impl Fit<&Knowledge> for Notears {
    type Object = NotearsFit;
    type Error = DiscoverError;

    fn fit(&self, data: &Dataset, knowledge: &Knowledge) -> Result<NotearsFit> {
        let rules = given(knowledge)
            .map(|k| EdgeRules::from_knowledge(k, data.names()))
            .transpose()?;
        self.fit_inner(data, rules.as_ref())
    }
}

impl Notears {
    /// Learns a DAG with knowledge indexed like the data's columns.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::KnowledgeConflict`] for an edge both required and forbidden;
    /// [`DiscoverError::ConstantColumn`], [`DiscoverError::Singular`],
    /// [`DiscoverError::TooFewRows`] (fewer than 2 rows); [`DiscoverError::Diverged`] if the
    /// objective turns NaN or infinite; [`DiscoverError::KnowledgeConflict`] when the knowledge
    /// has another number of nodes than the data has columns.
    pub fn fit_rules(&self, data: &Dataset, rules: &EdgeRules) -> Result<NotearsFit> {
        self.fit_inner(data, Some(rules))
    }

    fn fit_inner(&self, data: &Dataset, rules: Option<&EdgeRules>) -> Result<NotearsFit> {
        let p = &self.params;
        EdgeRules::check_consistent(rules)?;
        let d = data.n_cols();
        let rules = EdgeRules::for_columns(rules, d)?;
        let cov = continuous_covariance(data, "NOTEARS", 2)?;
        let dd = d * d;
        // Variables: W⁺ then W⁻, row-major (i, j) = i -> j.
        let mut bounds = vec![Bound::NonNegative; 2 * dd];
        let mut l1 = vec![p.lambda1; 2 * dd];
        for i in 0..d {
            for j in 0..d {
                if i == j || rules.is_forbidden(i, j) {
                    bounds[i * d + j] = Bound::Zero;
                    bounds[dd + i * d + j] = Bound::Zero;
                }
                if rules.is_required(i, j) {
                    l1[i * d + j] = 0.0;
                    l1[dd + i * d + j] = 0.0;
                }
            }
        }
        let mut w = vec![0.0; 2 * dd];
        let (mut rho, mut alpha, mut h) = (1.0f64, 0.0f64, f64::INFINITY);
        let solver = Lbfgs::default();
        let mut outer = 0;
        let mut inner = 0;
        for _ in 0..p.max_iter {
            outer += 1;
            let mut w_new = w.clone();
            let mut h_new = h;
            while rho < p.rho_max {
                let objective = |x: &[f64], g: &mut [f64]| {
                    Ok::<_, Infallible>(augmented_lagrangian(x, g, &cov, &l1, rho, alpha))
                };
                let Ok(m) = solver.minimize(objective, w.clone(), &bounds);
                if !m.value.is_finite() {
                    return Err(DiscoverError::Diverged(format!(
                        "NOTEARS objective is not finite (outer iteration {outer}, ρ = {rho:e}, L-BFGS iteration {})",
                        m.iterations
                    )));
                }
                inner += m.iterations;
                w_new = m.x;
                h_new = acyclicity(&adjacency(&w_new, d)).0;
                if h_new > 0.25 * h {
                    rho *= 10.0;
                } else {
                    break;
                }
            }
            w = w_new;
            h = h_new;
            alpha += rho * h;
            if h <= p.h_tol || rho >= p.rho_max {
                break;
            }
        }
        let raw = adjacency(&w, d);
        let mut est = raw.clone();
        for i in 0..d {
            for j in 0..d {
                if est[(i, j)].abs() < p.threshold && !rules.is_required(i, j) {
                    est[(i, j)] = 0.0;
                }
            }
        }
        break_cycles(&mut est, &rules);
        let mut graph = MixedGraph::with_nodes(data.names().iter().cloned())?;
        for i in 0..d {
            for j in 0..d {
                if est[(i, j)] != 0.0 || rules.is_required(i, j) {
                    graph.add_edge(Edge::directed(i, j))?;
                }
            }
        }
        Ok(NotearsFit {
            weights: est,
            raw,
            h,
            outer,
            inner,
            graph,
        })
    }
}

/// `W = W⁺ - W⁻` as a `d × d` matrix.
fn adjacency(w: &[f64], d: usize) -> DMatrix<f64> {
    let dd = d * d;
    DMatrix::from_fn(d, d, |i, j| w[i * d + j] - w[dd + i * d + j])
}

/// `h(W) = tr(e^{W∘W}) - d` and its gradient `(e^{W∘W})ᵀ ∘ 2W`.
fn acyclicity(w: &DMatrix<f64>) -> (f64, DMatrix<f64>) {
    let d = w.nrows();
    let e = w.component_mul(w).exp();
    let h = e.trace() - d as f64;
    let grad = e.transpose().component_mul(w) * 2.0;
    (h, grad)
}

/// The subproblem objective and its gradient over `(W⁺, W⁻)`, from the covariance `S`:
/// loss `½ tr((I - W)ᵀ S (I - W))` with gradient `-S (I - W)`.
fn augmented_lagrangian(
    x: &[f64],
    g: &mut [f64],
    cov: &DMatrix<f64>,
    l1: &[f64],
    rho: f64,
    alpha: f64,
) -> f64 {
    let d = cov.nrows();
    let dd = d * d;
    let w = adjacency(x, d);
    let r = DMatrix::<f64>::identity(d, d) - &w;
    let sr = cov * &r;
    let loss = 0.5 * r.component_mul(&sr).sum();
    let (h, gh) = acyclicity(&w);
    let smooth = -sr + gh * (rho * h + alpha);
    let penalty: f64 = x.iter().zip(l1).map(|(v, l)| v * l).sum();
    for i in 0..d {
        for j in 0..d {
            let k = i * d + j;
            g[k] = smooth[(i, j)] + l1[k];
            g[dd + k] = -smooth[(i, j)] + l1[dd + k];
        }
    }
    loss + 0.5 * rho * h * h + alpha * h + penalty
}

/// Thresholding normally leaves a DAG; if a cycle survives, drop its weakest non-required
/// edge until none is left.
fn break_cycles(w: &mut DMatrix<f64>, rules: &EdgeRules) {
    let d = w.nrows();
    loop {
        let mut g = MixedGraph::with_nodes((0..d).map(|i| format!("{i}"))).unwrap_or_default();
        for i in 0..d {
            for j in 0..d {
                if w[(i, j)] != 0.0 {
                    let _ = g.add_edge(Edge::directed(i, j));
                }
            }
        }
        let Some(cycle) = g.find_directed_cycle() else {
            return;
        };
        let weakest = cycle
            .windows(2)
            .map(|p| (p[0], p[1]))
            .filter(|&(a, b)| !rules.is_required(a, b))
            .min_by(|&(a, b), &(c, e)| w[(a, b)].abs().total_cmp(&w[(c, e)].abs()));
        match weakest {
            Some((a, b)) => w[(a, b)] = 0.0,
            None => return,
        }
    }
}

/// The result of fitting [`Notears`].
#[derive(Clone, Debug)]
pub struct NotearsFit {
    weights: DMatrix<f64>,
    raw: DMatrix<f64>,
    h: f64,
    outer: usize,
    inner: usize,
    graph: MixedGraph,
}

impl NotearsFit {
    /// The thresholded weights, `W[(i, j)]` for `i -> j`.
    pub fn weights(&self) -> &DMatrix<f64> {
        &self.weights
    }

    /// The weights before thresholding.
    pub fn raw_weights(&self) -> &DMatrix<f64> {
        &self.raw
    }

    /// `h(W)` at the solution (before thresholding).
    pub fn acyclicity(&self) -> f64 {
        self.h
    }

    /// Outer (augmented-Lagrangian) iterations and total L-BFGS iterations.
    pub fn iterations(&self) -> (usize, usize) {
        (self.outer, self.inner)
    }

    /// The learned DAG.
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

    #[test]
    fn gradient_matches_finite_differences() {
        let cov = DMatrix::from_row_slice(3, 3, &[2.0, 0.5, 0.1, 0.5, 1.0, 0.3, 0.1, 0.3, 1.5]);
        let l1 = vec![0.1; 18];
        let x: Vec<f64> = (0..18).map(|k| ((k * 7) % 5) as f64 * 0.1).collect();
        let mut g = vec![0.0; 18];
        augmented_lagrangian(&x, &mut g, &cov, &l1, 10.0, 0.5);
        for k in 0..18 {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[k] += 1e-6;
            xm[k] -= 1e-6;
            let mut tmp = vec![0.0; 18];
            let fd = (augmented_lagrangian(&xp, &mut tmp, &cov, &l1, 10.0, 0.5)
                - augmented_lagrangian(&xm, &mut tmp, &cov, &l1, 10.0, 0.5))
                / 2e-6;
            assert!(
                (fd - g[k]).abs() < 1e-5 * (1.0 + fd.abs()),
                "k {k}: {fd} vs {}",
                g[k]
            );
        }
    }

    #[test]
    fn acyclicity_is_zero_on_a_dag_and_positive_on_a_cycle() {
        let dag = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 0.0, 0.0]);
        assert!(acyclicity(&dag).0.abs() < 1e-12);
        let cyc = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
        assert!(acyclicity(&cyc).0 > 0.5);
    }
}
