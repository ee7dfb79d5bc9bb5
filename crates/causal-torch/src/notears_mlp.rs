//! NOTEARS-MLP (Zheng et al. 2020): nonlinear structure learning with one MLP per node in a
//! locally connected network, an augmented Lagrangian on the polynomial acyclicity of the
//! first-layer group norms, and core's bounded L-BFGS ([`causal_core::optim::Lbfgs`]) on the split positive/negative first layer —
//! the same formulation, defaults and solver settings as gCastle's `NotearsNonlinear`, with an
//! optional graph-alignment prior (see [`NotearsMlpParams::prior`]).

use causal_core::CoreError;
use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use causal_core::optim::{Bound, Lbfgs};
use nalgebra::DMatrix;
use tch::nn::{Init, VarStore};
use tch::{Device, Kind, Tensor};

use crate::data::{tensor_to_vec, to_tensor};
use crate::error::{Result, TorchError};
use crate::loss::{AlignmentPrior, group_norms, polynomial_h};
use crate::nn::LocallyConnected;

/// Hyperparameters of NOTEARS-MLP (gCastle's defaults); [`ParamGuard::check`] validates them
/// into a [`NotearsMlp`].
///
/// # Examples
///
/// ```no_run
/// use causal_core::contract::Fit;
/// use causal_core::data::Dataset;
/// use causal_torch::notears_mlp::NotearsMlpParams;
///
/// let data = Dataset::from_path("data.csv")?;
/// let fit = NotearsMlpParams::new().lambda1(0.01).w_threshold(0.3).fit(&data, ())?;
/// println!("{}", fit.graph().to_json());
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NotearsMlpParams {
    hidden: usize,
    lambda1: f64,
    lambda2: f64,
    max_iter: usize,
    h_tol: f64,
    rho_max: f64,
    w_threshold: f64,
    seed: u64,
    device: Device,
    prior: Option<(AlignmentPrior, f64)>,
}

impl Default for NotearsMlpParams {
    fn default() -> Self {
        Self::new()
    }
}

impl NotearsMlpParams {
    /// hidden 10, λ₁ = λ₂ = 0.01, 100 dual steps, h_tol 1e-8, ρ_max 1e16, threshold 0.3,
    /// seed 0, CPU.
    pub fn new() -> Self {
        Self {
            hidden: 10,
            lambda1: 0.01,
            lambda2: 0.01,
            max_iter: 100,
            h_tol: 1e-8,
            rho_max: 1e16,
            w_threshold: 0.3,
            seed: 0,
            device: Device::Cpu,
            prior: None,
        }
    }

    /// Hidden units per node.
    pub fn hidden(mut self, m: usize) -> Self {
        self.hidden = m;
        self
    }

    /// L1 weight on the first layer.
    pub fn lambda1(mut self, v: f64) -> Self {
        self.lambda1 = v;
        self
    }

    /// L2 weight on all weights.
    pub fn lambda2(mut self, v: f64) -> Self {
        self.lambda2 = v;
        self
    }

    /// Maximum dual-ascent steps.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }

    /// Stop once h(W) ≤ this.
    pub fn h_tol(mut self, v: f64) -> Self {
        self.h_tol = v;
        self
    }

    /// Stop once the penalty weight ρ reaches this.
    pub fn rho_max(mut self, v: f64) -> Self {
        self.rho_max = v;
        self
    }

    /// Edges with weight |W| below this are dropped.
    pub fn w_threshold(mut self, v: f64) -> Self {
        self.w_threshold = v;
        self
    }

    /// Seed for the initial weights.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Device.
    pub fn device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    /// A graph-alignment prior: an expert graph with per-edge confidences
    /// ([`AlignmentPrior`], built over the data's columns as both inputs and outputs), added to
    /// the objective with weight `weight` (μ). Edges the prior lacks cost μ per unit of their
    /// first-layer norm; edges it holds with confidence c cost μ(1 − c); none is rewarded.
    ///
    /// # Formula
    ///
    /// The objective gains μ Σᵢⱼ C[i, j] · A[i, j], where A[i, j] = ‖W₁[j·m : (j+1)·m, i]‖₂
    /// is the norm of the first-layer weights from input i into node j's hidden units (the
    /// square root of the weighted adjacency that NOTEARS-MLP thresholds, computed by
    /// [`group_norms`]), and C[i, j] is the prior's charge ([`AlignmentPrior::penalty`]):
    /// 0 for an edge i → j of the prior held with confidence 1, 1 − c for confidence c, and
    /// 1 (the `absent_confidence` it was built with) for a pair that is not an edge of the
    /// prior, the reverse of a prior edge included. Agreement is free rather than rewarded:
    /// a negative charge would make the objective unbounded below in the weights. The term is
    /// a weighted group lasso, so a strong dependence in the data outweighs a small μ.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use causal_core::contract::Fit;
    /// use causal_core::data::Dataset;
    /// use causal_core::graph::MixedGraph;
    /// use causal_torch::loss::AlignmentPrior;
    /// use causal_torch::notears_mlp::NotearsMlpParams;
    ///
    /// let data = Dataset::from_path("abc.csv")?;
    /// let mut g = MixedGraph::with_nodes(["a", "b", "c"])?;
    /// g.add_directed("a", "b")?;
    /// g.add_directed("b", "c")?;
    /// let prior = AlignmentPrior::from_graph(&g, data.names(), data.names(), 1.0)?
    ///     .edge_confidence("b", "c", 0.8)?;
    /// let fit = NotearsMlpParams::new().prior(prior, 0.1).fit(&data, ())?;
    /// println!("{}", fit.graph().to_json());
    /// # Ok::<(), causal_torch::TorchError>(())
    /// ```
    pub fn prior(mut self, prior: AlignmentPrior, weight: f64) -> Self {
        self.prior = Some((prior, weight));
        self
    }
}

impl ParamGuard for NotearsMlpParams {
    type Checked = NotearsMlp;
    type Error = TorchError;

    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] naming the bad value.
    fn check(self) -> Result<NotearsMlp> {
        let bad = |m: String| Err(TorchError::InvalidParameter(m));
        if self.hidden == 0 {
            return bad("NOTEARS-MLP needs at least one hidden unit".into());
        }
        for (name, v) in [
            ("lambda1", self.lambda1),
            ("lambda2", self.lambda2),
            ("w_threshold", self.w_threshold),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(format!("{name} must be ≥ 0, got {v}"));
            }
        }
        if !(self.h_tol > 0.0 && self.rho_max > 1.0) || self.max_iter == 0 {
            return bad("h_tol > 0, rho_max > 1 and max_iter ≥ 1 are required".into());
        }
        if let Some((_, w)) = &self.prior
            && !(w.is_finite() && *w >= 0.0)
        {
            return bad(format!("prior weight must be ≥ 0, got {w}"));
        }
        Ok(NotearsMlp { params: self })
    }
}

/// NOTEARS-MLP with validated hyperparameters ([`NotearsMlpParams`] checked); fitting it to a
/// [`Dataset`] ([`Fit`], nothing beside the table) learns a [`NotearsMlpFit`].
#[derive(Clone, Debug, PartialEq)]
pub struct NotearsMlp {
    params: NotearsMlpParams,
}

impl Fit for NotearsMlp {
    type Object = NotearsMlpFit;
    type Error = TorchError;

    /// Learns a DAG over the columns of `data`.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] (wrapped) for fewer than
    /// two columns or for a prior that names a node that is not a column, or lacks a column
    /// (the message names it); [`TorchError::Diverged`] if the objective
    /// diverges; LibTorch errors.
    fn fit(&self, data: &Dataset, (): ()) -> Result<NotearsMlpFit> {
        let p = &self.params;
        let d = data.n_cols();
        if d < 2 {
            return Err(CoreError::InvalidParameter(
                "NOTEARS-MLP needs at least two variables".into(),
            )
            .into());
        }
        // The prior's charges in the data's column order (inputs and outputs alike).
        let prior = match &p.prior {
            None => None,
            Some((p, w)) => {
                let names = data.names();
                let bad = |m: String| Err(CoreError::InvalidParameter(m).into());
                if let Some(n) = p
                    .inputs()
                    .iter()
                    .chain(p.outputs())
                    .find(|n| !names.contains(n))
                {
                    return bad(format!(
                        "the alignment prior names node '{n}', which is not a column of the data"
                    ));
                }
                if let Some(n) = names
                    .iter()
                    .find(|n| !p.inputs().contains(n) || !p.outputs().contains(n))
                {
                    return bad(format!(
                        "column '{n}' is not a node of the alignment prior (give the prior \
                         every column, as an input and as an output)"
                    ));
                }
                Some((p.reindex(names, names)?, *w))
            }
        };
        let m = p.hidden;
        // The model trains in f64, so the data go in as f64, unrounded.
        let x = to_tensor(data, data.names(), Kind::Double, p.device)?;
        let n = data.n_rows() as f64;

        crate::seed::manual_seed(p.seed);
        let mut vs = VarStore::new(p.device);
        vs.set_kind(Kind::Double);
        let root = vs.root();
        if root.kind() != Kind::Double {
            return Err(TorchError::InvalidParameter(
                "could not make a double-precision store".into(),
            ));
        }
        let b = 1.0 / (d as f64).sqrt();
        let init = Init::Uniform { lo: -b, up: b };
        let dm = (d * m) as i64;
        let pos_w = root.f_var("fc1_pos_weight", &[dm, d as i64], init)?;
        let pos_b = root.f_var("fc1_pos_bias", &[dm], init)?;
        let neg_w = root.f_var("fc1_neg_weight", &[dm, d as i64], init)?;
        let neg_b = root.f_var("fc1_neg_bias", &[dm], init)?;
        let lc = LocallyConnected::new(&root / "fc2", d, m, 1)?;
        let params = [&pos_w, &pos_b, &neg_w, &neg_b, &lc.weight, &lc.bias];
        let sizes: Vec<usize> = params.iter().map(|t| t.numel()).collect();
        let mut bounds = Vec::new();
        for (k, size) in sizes.iter().enumerate() {
            if k == 0 || k == 2 {
                // Row j·m + u, column i: node j's unit u reading input i; i = j is fixed at 0.
                for r in 0..d * m {
                    for i in 0..d {
                        bounds.push(if i == r / m {
                            Bound::Zero
                        } else {
                            Bound::NonNegative
                        });
                    }
                }
            } else {
                bounds.extend(std::iter::repeat_n(Bound::Free, *size));
            }
        }
        let mut flat: Vec<f64> = Vec::with_capacity(bounds.len());
        for t in &params {
            flat.extend(tensor_to_vec(t)?);
        }

        let first = |pw: &Tensor, nw: &Tensor| -> Result<Tensor> { Ok(pw.f_sub(nw)?) };
        let adjacency_sq = |w1: &Tensor| -> Result<Tensor> {
            // [j·m, i] -> [j, m, i] -> Σ_m -> [j, i] -> transpose to [i, j].
            Ok(w1
                .f_view([d as i64, m as i64, d as i64])?
                .f_square()?
                .f_sum_dim_intlist(1, false, Kind::Double)?
                .f_tr()?)
        };
        let h_of = |pw: &Tensor, nw: &Tensor| -> Result<Tensor> {
            polynomial_h(&adjacency_sq(&first(pw, nw)?)?)
        };

        let (mut rho, mut alpha, mut h) = (1.0f64, 0.0f64, f64::INFINITY);
        let solver = Lbfgs::default();
        let mut dual_steps = 0;
        for _ in 0..p.max_iter {
            dual_steps += 1;
            let mut h_new = f64::INFINITY;
            while rho < p.rho_max {
                let (r, a) = (rho, alpha);
                let objective = |xs: &[f64], grad: &mut [f64]| -> Result<f64> {
                    let mut off = 0;
                    tch::no_grad(|| -> Result<()> {
                        for (t, &size) in params.iter().zip(&sizes) {
                            let src = Tensor::f_from_slice(&xs[off..off + size])?
                                .f_view(t.size().as_slice())?
                                .f_to_device(p.device)?;
                            t.shallow_clone().f_copy_(&src)?;
                            off += size;
                        }
                        Ok(())
                    })?;
                    for t in &params {
                        let mut g = t.f_grad()?;
                        if g.defined() {
                            let _ = g.f_zero_()?;
                        }
                    }
                    let h1 = x
                        .f_linear(&first(&pos_w, &neg_w)?, Some(&pos_b.f_sub(&neg_b)?))?
                        .f_view([-1, d as i64, m as i64])?
                        .f_sigmoid()?;
                    let xhat = lc.f_forward(&h1)?.f_squeeze_dim(2)?;
                    let loss = xhat
                        .f_sub(&x)?
                        .f_square()?
                        .f_sum(Kind::Double)?
                        .f_mul_scalar(0.5 / n)?;
                    let hv = h_of(&pos_w, &neg_w)?;
                    let penalty = hv
                        .f_square()?
                        .f_mul_scalar(0.5 * r)?
                        .f_add(&hv.f_mul_scalar(a)?)?;
                    let w1 = first(&pos_w, &neg_w)?;
                    let l2 = w1
                        .f_square()?
                        .f_sum(Kind::Double)?
                        .f_add(&lc.weight.f_square()?.f_sum(Kind::Double)?)?
                        .f_mul_scalar(0.5 * p.lambda2)?;
                    let l1 = pos_w
                        .f_add(&neg_w)?
                        .f_sum(Kind::Double)?
                        .f_mul_scalar(p.lambda1)?;
                    let mut total = loss.f_add(&penalty)?.f_add(&l2)?.f_add(&l1)?;
                    if let Some((prior, mu)) = &prior {
                        let align = prior.penalty(&group_norms(&w1, d)?)?;
                        total = total.f_add(&align.f_mul_scalar(*mu)?)?;
                    }
                    total.f_backward()?;
                    let value = total.f_double_value(&[])?;
                    if !value.is_finite() {
                        return Err(TorchError::Diverged {
                            term: "notears-mlp objective".into(),
                            epoch: dual_steps,
                            value,
                        });
                    }
                    let mut off = 0;
                    for (t, &size) in params.iter().zip(&sizes) {
                        let g = t.f_grad()?;
                        if g.defined() {
                            grad[off..off + size].copy_from_slice(&tensor_to_vec(&g)?);
                        } else {
                            grad[off..off + size].fill(0.0);
                        }
                        off += size;
                    }
                    Ok(value)
                };
                flat = solver.minimize(objective, flat, &bounds)?.x;
                // Load the solution and measure h.
                let mut off = 0;
                tch::no_grad(|| -> Result<()> {
                    for (t, &size) in params.iter().zip(&sizes) {
                        let src = Tensor::f_from_slice(&flat[off..off + size])?
                            .f_view(t.size().as_slice())?
                            .f_to_device(p.device)?;
                        t.shallow_clone().f_copy_(&src)?;
                        off += size;
                    }
                    Ok(())
                })?;
                h_new = tch::no_grad(|| h_of(&pos_w, &neg_w))?.f_double_value(&[])?;
                if h_new > 0.25 * h {
                    rho *= 10.0;
                } else {
                    break;
                }
            }
            alpha += rho * h_new;
            h = h_new;
            if h <= p.h_tol || rho >= p.rho_max {
                break;
            }
        }
        let w = tch::no_grad(|| -> Result<Tensor> {
            Ok(adjacency_sq(&first(&pos_w, &neg_w)?)?.f_sqrt()?)
        })?;
        let wv = tensor_to_vec(&w)?;
        let weights = DMatrix::from_row_slice(d, d, &wv);
        let names = data.names().to_vec();
        let mut graph = MixedGraph::with_nodes(names.iter().map(String::as_str))?;
        for i in 0..d {
            for j in 0..d {
                if i != j && weights[(i, j)].abs() >= p.w_threshold {
                    graph.add_directed(&names[i], &names[j])?;
                }
            }
        }
        Ok(NotearsMlpFit {
            weights,
            graph,
            h,
            rho,
            dual_steps,
        })
    }
}

/// The result of NOTEARS-MLP.
#[derive(Clone, Debug)]
pub struct NotearsMlpFit {
    weights: DMatrix<f64>,
    graph: MixedGraph,
    h: f64,
    rho: f64,
    dual_steps: usize,
}

impl NotearsMlpFit {
    /// W[i, j] = ‖first-layer weights from i into j's units‖₂ (before thresholding).
    pub fn weights(&self) -> &DMatrix<f64> {
        &self.weights
    }

    /// The thresholded DAG (edges with W ≥ w_threshold). Thresholding can leave a cycle when
    /// h has not reached 0; [`MixedGraph::find_directed_cycle`] tells.
    pub fn graph(&self) -> &MixedGraph {
        &self.graph
    }

    /// The final acyclicity value h(W).
    pub fn h(&self) -> f64 {
        self.h
    }

    /// The final penalty weight ρ.
    pub fn rho(&self) -> f64 {
        self.rho
    }

    /// Dual-ascent steps taken.
    pub fn dual_steps(&self) -> usize {
        self.dual_steps
    }
}
