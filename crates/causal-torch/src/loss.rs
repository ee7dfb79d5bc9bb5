//! Causal loss terms usable in any tch model: acyclicity penalties on a weighted adjacency
//! matrix, and a graph-alignment penalty that charges a model for using inputs outside the
//! parents a prior graph allows.

use causal_core::graph::MixedGraph;
use tch::{Kind, Tensor};

use crate::error::{Result, TorchError};

fn check_square(w: &Tensor, what: &str) -> Result<i64> {
    match w.size().as_slice() {
        [a, b] if a == b && *a > 0 => Ok(*a),
        s => Err(TorchError::Shape(format!(
            "{what} needs a non-empty square matrix, got shape {s:?}"
        ))),
    }
}

/// NOTEARS acyclicity, zero exactly when the weighted graph `W` is a DAG.
///
/// # Formula
///
/// h(W) = tr(exp(W ∘ W)) − d (Zheng et al. 2018).
///
/// # Examples
///
/// ```
/// use causal_torch::loss::notears_h;
/// use tch::Tensor;
///
/// let dag = Tensor::from_slice(&[0.0f64, 1.0, 0.0, 0.0]).view([2, 2]);
/// assert!(notears_h(&dag)?.double_value(&[]).abs() < 1e-12);
/// let cycle = Tensor::from_slice(&[0.0f64, 1.0, 1.0, 0.0]).view([2, 2]);
/// assert!(notears_h(&cycle)?.double_value(&[]) > 0.1);
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
///
/// # Errors
///
/// [`TorchError::Shape`] unless `w` is square; LibTorch errors.
pub fn notears_h(w: &Tensor) -> Result<Tensor> {
    let d = check_square(w, "notears_h")?;
    let e = w.f_mul(w)?.f_linalg_matrix_exp()?;
    Ok(e.f_trace()?.f_sub_scalar(d as f64)?)
}

/// The polynomial acyclicity of Yu et al. (2019), used by NOTEARS-MLP implementations
/// (including gCastle's); zero exactly for a DAG and cheaper than the matrix exponential.
///
/// # Formula
///
/// h(A) = tr((I + A/d)^d) − d for a non-negative A (e.g. A = W ∘ W).
///
/// # Errors
///
/// [`TorchError::Shape`] unless `a` is square; LibTorch errors.
pub fn polynomial_h(a: &Tensor) -> Result<Tensor> {
    let d = check_square(a, "polynomial_h")?;
    let eye = Tensor::f_eye(d, (a.kind(), a.device()))?;
    let m = eye.f_add(&a.f_div_scalar(d as f64)?)?;
    let e = m.f_matrix_power(d - 1)?;
    Ok(e.f_tr()?
        .f_mul(&m)?
        .f_sum(a.kind())?
        .f_sub_scalar(d as f64)?)
}

/// DAGMA's log-determinant acyclicity, zero exactly for a DAG inside its domain.
///
/// # Formula
///
/// h_s(W) = −log det(sI − W ∘ W) + d log s (Bello et al. 2022), defined while
/// sI − W∘W is an M-matrix (spectral radius of W∘W below s).
///
/// # Examples
///
/// ```
/// use causal_torch::loss::dagma_h;
/// use tch::Tensor;
///
/// let cycle = Tensor::from_slice(&[0.0f64, 0.5, 0.5, 0.0]).view([2, 2]);
/// assert!(dagma_h(&cycle, 1.0)?.double_value(&[]) > 0.0);
/// let far = Tensor::from_slice(&[0.0f64, 2.0, 2.0, 0.0]).view([2, 2]);
/// assert!(dagma_h(&far, 1.0).is_err());
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
///
/// # Errors
///
/// [`TorchError::Shape`] unless `w` is square; [`TorchError::InvalidParameter`] for `s ≤ 0`;
/// [`TorchError::Diverged`] (term `dagma_h`) when `W` has left the M-matrix domain
/// (non-positive determinant), where the penalty is undefined.
pub fn dagma_h(w: &Tensor, s: f64) -> Result<Tensor> {
    let d = check_square(w, "dagma_h")?;
    if !(s.is_finite() && s > 0.0) {
        return Err(TorchError::InvalidParameter(format!(
            "dagma_h needs s > 0, got {s}"
        )));
    }
    let eye = Tensor::f_eye(d, (w.kind(), w.device()))?;
    let m = eye.f_mul_scalar(s)?.f_sub(&w.f_mul(w)?)?;
    let (sign, logabs) = Tensor::f_linalg_slogdet(&m)?;
    let sign = sign.f_double_value(&[])?;
    if sign <= 0.0 {
        return Err(TorchError::Diverged {
            term: "dagma_h".into(),
            epoch: 0,
            value: f64::NAN,
        });
    }
    Ok(logabs.f_neg()?.f_add_scalar(d as f64 * s.ln())?)
}

/// Per-edge weights of the graph-alignment penalty: entry (i, j) is the charge for letting
/// input i influence output j, i.e. the expert's confidence that i is *not* a direct cause
/// of j.
///
/// Built from a prior graph: a non-edge i → j is charged `absent_confidence`; an edge i → j of
/// the prior is charged `1 − c` where c is the confidence in the edge (1 unless set with
/// [`AlignmentPrior::edge_confidence`]). Inputs and outputs are named, so a model predicting
/// one node from some others uses the relevant rows and columns only.
///
/// # Examples
///
/// ```
/// use causal_core::graph::MixedGraph;
/// use causal_torch::loss::AlignmentPrior;
///
/// let mut g = MixedGraph::with_nodes(["x", "z", "y"])?;
/// g.add_directed("x", "y")?;
/// let prior = AlignmentPrior::from_graph(&g, &["x", "z"], &["y"], 1.0)?
///     .edge_confidence("x", "y", 0.8)?;
/// assert_eq!(prior.weight("z", "y"), Some(1.0));
/// assert!((prior.weight("x", "y").unwrap() - 0.2).abs() < 1e-12);
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AlignmentPrior {
    inputs: Vec<String>,
    outputs: Vec<String>,
    /// Row-major `inputs × outputs`.
    weights: Vec<f64>,
}

impl AlignmentPrior {
    /// Charges from a prior graph for the named inputs and outputs.
    ///
    /// # Errors
    ///
    /// [`causal_core::CoreError::UnknownNode`] (wrapped) for a name the graph lacks;
    /// [`TorchError::InvalidParameter`] for a confidence outside `[0, ∞)` or no inputs/outputs.
    pub fn from_graph<S: AsRef<str>>(
        graph: &MixedGraph,
        inputs: &[S],
        outputs: &[S],
        absent_confidence: f64,
    ) -> Result<Self> {
        if !(absent_confidence.is_finite() && absent_confidence >= 0.0) {
            return Err(TorchError::InvalidParameter(format!(
                "absent_confidence must be ≥ 0, got {absent_confidence}"
            )));
        }
        if inputs.is_empty() || outputs.is_empty() {
            return Err(TorchError::InvalidParameter(
                "an alignment prior needs at least one input and one output".into(),
            ));
        }
        let ins = graph.indices(inputs)?;
        let outs = graph.indices(outputs)?;
        let mut weights = Vec::with_capacity(ins.len() * outs.len());
        for &i in &ins {
            for &j in &outs {
                let edge = graph.edges_between(i, j).any(|e| e.is_directed_from(i, j));
                weights.push(if i == j || edge {
                    0.0
                } else {
                    absent_confidence
                });
            }
        }
        Ok(Self {
            inputs: inputs.iter().map(|s| s.as_ref().to_string()).collect(),
            outputs: outputs.iter().map(|s| s.as_ref().to_string()).collect(),
            weights,
        })
    }

    /// Sets the expert's confidence `c ∈ [0, 1]` that `from → to` exists: the charge for
    /// using `from` in `to` becomes `1 − c`.
    ///
    /// # Errors
    ///
    /// [`causal_core::CoreError::UnknownNode`] (wrapped) for a name outside the prior's inputs
    /// or outputs; [`TorchError::InvalidParameter`] for `c` outside `[0, 1]`.
    pub fn edge_confidence(mut self, from: &str, to: &str, c: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&c) {
            return Err(TorchError::InvalidParameter(format!(
                "edge confidence for {from} -> {to} must be in [0, 1], got {c}"
            )));
        }
        let (i, j) = self.position(from, to)?;
        let k = self.outputs.len();
        self.weights[i * k + j] = 1.0 - c;
        Ok(self)
    }

    fn position(&self, from: &str, to: &str) -> Result<(usize, usize)> {
        let unknown = |n: &str| causal_core::CoreError::UnknownNode(n.to_string());
        let i = self
            .inputs
            .iter()
            .position(|n| n == from)
            .ok_or_else(|| unknown(from))?;
        let j = self
            .outputs
            .iter()
            .position(|n| n == to)
            .ok_or_else(|| unknown(to))?;
        Ok((i, j))
    }

    /// The inputs, in the order of the charge matrix's rows.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// The outputs, in the order of the charge matrix's columns.
    pub fn outputs(&self) -> &[String] {
        &self.outputs
    }

    /// The same charges over `inputs × outputs`, in the given order (a model's column order).
    ///
    /// # Errors
    ///
    /// [`causal_core::CoreError::UnknownNode`] (wrapped) for a name outside the prior's inputs
    /// or outputs.
    pub fn reindex<S: AsRef<str>>(&self, inputs: &[S], outputs: &[S]) -> Result<Self> {
        let mut weights = Vec::with_capacity(inputs.len() * outputs.len());
        for from in inputs {
            for to in outputs {
                let (i, j) = self.position(from.as_ref(), to.as_ref())?;
                weights.push(self.weights[i * self.outputs.len() + j]);
            }
        }
        Ok(Self {
            inputs: inputs.iter().map(|s| s.as_ref().to_string()).collect(),
            outputs: outputs.iter().map(|s| s.as_ref().to_string()).collect(),
            weights,
        })
    }

    /// The charge for input `from` into output `to`, if both are named.
    pub fn weight(&self, from: &str, to: &str) -> Option<f64> {
        let (i, j) = self.position(from, to).ok()?;
        Some(self.weights[i * self.outputs.len() + j])
    }

    /// The charges as an `inputs × outputs` tensor of `kind` on `device`.
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn weights_tensor(&self, kind: Kind, device: tch::Device) -> Result<Tensor> {
        Ok(Tensor::f_from_slice(&self.weights)?
            .f_view([self.inputs.len() as i64, self.outputs.len() as i64])?
            .f_to_kind(kind)?
            .f_to_device(device)?)
    }

    /// The penalty Σᵢⱼ charge(i, j) · importance(i, j) for an `inputs × outputs` importance
    /// matrix, such as [`group_norms`] or [`input_gradient_norms`].
    ///
    /// # Errors
    ///
    /// [`TorchError::Shape`] when `importance` is not `inputs × outputs`; LibTorch errors.
    pub fn penalty(&self, importance: &Tensor) -> Result<Tensor> {
        let want = vec![self.inputs.len() as i64, self.outputs.len() as i64];
        if importance.size() != want {
            return Err(TorchError::Shape(format!(
                "alignment penalty needs an importance matrix of shape {want:?}, got {:?}",
                importance.size()
            )));
        }
        let w = self.weights_tensor(importance.kind(), importance.device())?;
        Ok(w.f_mul(importance)?.f_sum(importance.kind())?)
    }
}

/// Group norms of a first layer laid out as NOTEARS-MLP's: `weight` is `(outputs·m) × inputs`,
/// hidden units `j·m .. (j+1)·m` belonging to output j. Entry (i, j) is the L2 norm of the
/// weights from input i into output j's units (a single-output MLP is `outputs = 1`).
///
/// # Formula
///
/// G[i, j] = ‖W[j·m : (j+1)·m, i]‖₂.
///
/// # Errors
///
/// [`TorchError::Shape`] when the rows are not a multiple of `outputs`; LibTorch errors.
pub fn group_norms(weight: &Tensor, outputs: usize) -> Result<Tensor> {
    let (rows, inputs) = match weight.size().as_slice() {
        [r, c] => (*r, *c),
        s => {
            return Err(TorchError::Shape(format!(
                "group_norms needs a 2-D weight, got shape {s:?}"
            )));
        }
    };
    if outputs == 0 || rows % outputs as i64 != 0 {
        return Err(TorchError::Shape(format!(
            "a first layer with {rows} rows cannot be split into {outputs} output groups"
        )));
    }
    let w = weight.f_view([outputs as i64, -1, inputs])?;
    // A tiny floor keeps the gradient of the norm finite at zero.
    let sq = w.f_square()?.f_sum_dim_intlist(1, false, weight.kind())?;
    Ok(sq.f_add_scalar(1e-12)?.f_sqrt()?.f_tr()?)
}

/// Root-mean-square input gradients: entry (i, j) is √mean_n (∂ outputs[n, j] / ∂ inputs[n, i])².
/// `inputs` must require grad and `outputs` must be computed from it; the result keeps the
/// graph (`create_graph`), so it can be penalised.
///
/// # Errors
///
/// [`TorchError::Shape`] unless both are 2-D with the same number of rows; LibTorch errors
/// (e.g. `inputs` does not require grad).
pub fn input_gradient_norms(outputs: &Tensor, inputs: &Tensor) -> Result<Tensor> {
    let (so, si) = (outputs.size(), inputs.size());
    if so.len() != 2 || si.len() != 2 || so[0] != si[0] {
        return Err(TorchError::Shape(format!(
            "input_gradient_norms needs n × k outputs and n × d inputs, got {so:?} and {si:?}"
        )));
    }
    let mut cols = Vec::with_capacity(so[1] as usize);
    for j in 0..so[1] {
        let yj = outputs.f_select(1, j)?.f_sum(outputs.kind())?;
        let g = Tensor::f_run_backward(&[yj], &[inputs], true, true)?;
        let gj = g
            .into_iter()
            .next()
            .ok_or_else(|| TorchError::Shape("no gradient returned for the inputs".into()))?;
        cols.push(
            gj.f_square()?
                .f_mean_dim(0, false, gj.kind())?
                .f_add_scalar(1e-12)?
                .f_sqrt()?,
        );
    }
    Ok(Tensor::f_stack(&cols, 1)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    fn mat(v: &[f64], d: i64) -> Tensor {
        Tensor::from_slice(v).view([d, d])
    }

    #[test]
    fn acyclicity_terms_vanish_exactly_on_dags() {
        let dag = mat(&[0.0, 0.7, 0.3, 0.0, 0.0, -1.2, 0.0, 0.0, 0.0], 3);
        let cyc = mat(&[0.0, 0.7, 0.0, 0.0, 0.0, 0.5, 0.4, 0.0, 0.0], 3);
        for h in [
            notears_h(&dag).unwrap(),
            polynomial_h(&dag.square()).unwrap(),
            dagma_h(&dag, 1.0).unwrap(),
        ] {
            assert!(h.double_value(&[]).abs() < 1e-10, "{h}");
        }
        for h in [
            notears_h(&cyc).unwrap(),
            polynomial_h(&cyc.square()).unwrap(),
            dagma_h(&cyc, 1.0).unwrap(),
        ] {
            assert!(h.double_value(&[]) > 1e-4, "{h}");
        }
        // tr(e^{A}) − d for a 2-cycle with weights a, b: 2cosh(ab) − 2 in closed form.
        let two = mat(&[0.0, 0.5, 0.8, 0.0], 2);
        let a: f64 = 0.25 * 0.64;
        let h = notears_h(&two).unwrap().double_value(&[]);
        assert!((h - (2.0 * a.sqrt().cosh() - 2.0)).abs() < 1e-10, "{h}");
        assert!(notears_h(&Tensor::zeros([2, 3], (Kind::Double, Device::Cpu))).is_err());
    }

    #[test]
    fn acyclicity_gradient_points_away_from_cycles() {
        let w = mat(&[0.0, 0.6, 0.6, 0.0], 2).set_requires_grad(true);
        let h = notears_h(&w).unwrap();
        h.backward();
        let g = w.grad();
        assert!(g.double_value(&[0, 1]) > 0.0 && g.double_value(&[1, 0]) > 0.0);
    }

    #[test]
    fn alignment_charges_only_disallowed_inputs() {
        let mut g = MixedGraph::with_nodes(["a", "b", "c"]).unwrap();
        g.add_directed("a", "c").unwrap();
        let prior = AlignmentPrior::from_graph(&g, &["a", "b"], &["c"], 2.0).unwrap();
        let imp = Tensor::from_slice(&[5.0f64, 3.0]).view([2, 1]);
        assert_eq!(prior.penalty(&imp).unwrap().double_value(&[]), 6.0);
        assert!(
            prior
                .penalty(&Tensor::ones([1, 2], (Kind::Double, Device::Cpu)))
                .is_err()
        );
        assert!(AlignmentPrior::from_graph(&g, &["a", "q"], &["c"], 1.0).is_err());
        assert!(prior.clone().edge_confidence("a", "c", 1.5).is_err());
        let swapped = prior.reindex(&["b", "a"], &["c"]).unwrap();
        assert_eq!(swapped.inputs(), ["b", "a"]);
        assert_eq!(swapped.weight("b", "c"), Some(2.0));
        assert_eq!(swapped.weight("a", "c"), Some(0.0));
        assert!(prior.reindex(&["a", "z"], &["c"]).is_err());
    }

    #[test]
    fn group_and_gradient_norms_agree_for_a_linear_map() {
        let _rng = crate::seed::generator_lock();
        // outputs = x Wᵀ with W 2 × 3: both importances equal |W[j, i]|.
        let w = Tensor::from_slice(&[1.0f64, -2.0, 0.0, 0.5, 0.0, 3.0]).view([2, 3]);
        let gn = group_norms(&w, 2).unwrap();
        let x = Tensor::randn([50, 3], (Kind::Double, Device::Cpu)).set_requires_grad(true);
        let y = x.matmul(&w.tr());
        let gr = input_gradient_norms(&y, &x).unwrap();
        let want = w.abs().tr();
        assert!(gn.allclose(&want, 1e-5, 1e-5, false), "{gn}");
        assert!(gr.allclose(&want, 1e-5, 1e-5, false), "{gr}");
        assert!(group_norms(&w, 4).is_err());
    }
}
