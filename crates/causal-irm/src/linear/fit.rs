//! Training the authors' linear IRMv1 on per-environment sufficient statistics.

use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use serde::Serialize;

use super::params::LinearIrm;
use crate::environments::Environments;
use crate::error::{IrmError, Result};
use causal_core::contract::Fit;
use causal_core::data::Dataset;

/// One value of the `reg` grid and what training with it gave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GridPoint {
    /// The risk's weight `reg` (the penalty's is `1 − reg`).
    pub risk_weight: f64,
    /// Mean squared error of `Φ·w` on the validation (last) environment; NaN if training
    /// diverged.
    pub validation_error: f64,
    /// `Σ_e R_e` over the training environments at the end of training.
    pub risk: f64,
    /// `Σ_e |∂R_e/∂w|²/d` over the training environments at the end of training.
    pub penalty: f64,
}

/// The fitted linear IRMv1 of the authors' code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinearIrmFit {
    /// The solution `Φ·w` (one coefficient per column of `x`).
    pub coefficients: Vec<f64>,
    /// The trained featurizer `Φ` (`d × d`) of the selected grid value.
    #[serde(skip)]
    pub phi: DMatrix<f64>,
    /// Index into [`LinearIrmFit::grid`] of the selected value.
    pub selected: usize,
    /// Every grid value tried, in order.
    pub grid: Vec<GridPoint>,
}

impl LinearIrmFit {
    /// The selected risk weight `reg`.
    pub fn risk_weight(&self) -> f64 {
        self.grid[self.selected].risk_weight
    }
}

/// `S = XᵀX/n`, `b = Xᵀy/n` and `c = yᵀy/n` of one environment; `S` row-major.
pub(super) struct Moments {
    pub(super) s: Vec<f64>,
    pub(super) b: Vec<f64>,
    pub(super) c: f64,
}

impl Moments {
    pub(super) fn new(x: &DMatrix<f64>, y: &DVector<f64>) -> Self {
        let n = x.nrows() as f64;
        let s = (x.transpose() * x) / n;
        let b = (x.transpose() * y) / n;
        Self {
            // S is symmetric, so nalgebra's column-major storage is also row-major.
            s: s.as_slice().to_vec(),
            b: b.as_slice().to_vec(),
            c: y.norm_squared() / n,
        }
    }
}

/// `out = M·a` for a row-major `d × d` matrix.
fn mat_vec(m: &[f64], a: &[f64], out: &mut [f64]) {
    let d = a.len();
    for (i, o) in out.iter_mut().enumerate() {
        *o = m[i * d..(i + 1) * d]
            .iter()
            .zip(a)
            .map(|(x, y)| x * y)
            .sum();
    }
}

/// `out = Mᵀ·a` for a row-major `d × d` matrix.
fn mat_t_vec(m: &[f64], a: &[f64], out: &mut [f64]) {
    let d = a.len();
    out.fill(0.0);
    for (i, &ai) in a.iter().enumerate() {
        for (o, x) in out.iter_mut().zip(&m[i * d..(i + 1) * d]) {
            *o += x * ai;
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Scratch vectors of one objective evaluation, allocated once per training run.
pub(super) struct Scratch {
    u: Vec<f64>,
    su: Vec<f64>,
    v: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
    r: Vec<f64>,
}

impl Scratch {
    pub(super) fn new(d: usize) -> Self {
        let z = vec![0.0; d];
        Self {
            u: z.clone(),
            su: z.clone(),
            v: z.clone(),
            p: z.clone(),
            q: z.clone(),
            r: z,
        }
    }
}

/// `(Σ_e R_e, Σ_e P_e)` at the row-major `Φ` and dummy `w`, and the gradient of
/// `reg·Σ R_e + (1 − reg)·Σ P_e` in `Φ` written to `grad` (row-major). See the module's
/// `# Formula`; every step is a matrix-vector product, so the cost is `O(E·d²)`.
pub(super) fn objective(
    envs: &[Moments],
    phi: &[f64],
    w: &[f64],
    reg: f64,
    grad: &mut [f64],
    t: &mut Scratch,
) -> (f64, f64) {
    let d = w.len();
    let (a, k) = (2.0 * reg, (1.0 - reg) * 8.0 / d as f64);
    mat_vec(phi, w, &mut t.u);
    grad.fill(0.0);
    let (mut risk, mut penalty) = (0.0, 0.0);
    for e in envs {
        mat_vec(&e.s, &t.u, &mut t.su);
        for ((v, su), b) in t.v.iter_mut().zip(&t.su).zip(&e.b) {
            *v = su - b;
        }
        risk += dot(&t.u, &t.su) - 2.0 * dot(&e.b, &t.u) + e.c;
        mat_t_vec(phi, &t.v, &mut t.p);
        penalty += 4.0 * dot(&t.p, &t.p) / d as f64;
        mat_vec(phi, &t.p, &mut t.q);
        mat_vec(&e.s, &t.q, &mut t.r);
        for i in 0..d {
            let (row, vi) = (a * t.v[i] + k * t.r[i], k * t.v[i]);
            for ((g, wj), pj) in grad[i * d..(i + 1) * d].iter_mut().zip(w).zip(&t.p) {
                *g += row * wj + vi * pj;
            }
        }
    }
    (risk, penalty)
}

/// PyTorch's Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8, bias-corrected, no weight decay).
pub(super) struct Adam {
    lr: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Adam {
    const B1: f64 = 0.9;
    const B2: f64 = 0.999;
    const EPS: f64 = 1e-8;

    pub(super) fn new(lr: f64, n: usize) -> Self {
        Self {
            lr,
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    pub(super) fn step(&mut self, p: &mut [f64], g: &[f64]) {
        self.t += 1;
        let c1 = 1.0 - Self::B1.powi(self.t);
        let c2 = (1.0 - Self::B2.powi(self.t)).sqrt();
        for (((p, g), m), v) in p.iter_mut().zip(g).zip(&mut self.m).zip(&mut self.v) {
            *m = Self::B1 * *m + (1.0 - Self::B1) * g;
            *v = Self::B2 * *v + (1.0 - Self::B2) * g * g;
            // As torch.optim.Adam: ε is added after the second moment's bias correction.
            *p -= self.lr / c1 * *m / (v.sqrt() / c2 + Self::EPS);
        }
    }
}

/// Trains `Φ` (from the identity, dummy `w = 1`) with one risk weight; returns the row-major
/// `Φ` and the final `(Σ R_e, Σ P_e)`.
fn train(envs: &[Moments], d: usize, reg: f64, lr: f64, iterations: usize) -> (Vec<f64>, f64, f64) {
    let mut phi = vec![0.0; d * d];
    for i in 0..d {
        phi[i * d + i] = 1.0;
    }
    let w = vec![1.0; d];
    let mut grad = vec![0.0; d * d];
    let mut scratch = Scratch::new(d);
    let mut adam = Adam::new(lr, d * d);
    for _ in 0..iterations {
        objective(envs, &phi, &w, reg, &mut grad, &mut scratch);
        if grad.iter().any(|g| !g.is_finite()) {
            // Diverged: later steps would only spread the NaN; the caller sees it in Φ.
            phi.fill(f64::NAN);
            break;
        }
        adam.step(&mut phi, &grad);
    }
    let (risk, penalty) = objective(envs, &phi, &w, reg, &mut grad, &mut scratch);
    (phi, risk, penalty)
}

fn validate(envs: &[(DMatrix<f64>, DVector<f64>)]) -> Result<usize> {
    if envs.len() < 2 {
        return Err(IrmError::Environments(format!(
            "linear IRM needs at least 2 environments (training ones, then the validation one), got {}",
            envs.len()
        )));
    }
    let d = envs[0].0.ncols();
    if d == 0 {
        return Err(IrmError::Environments("x has no columns".into()));
    }
    for (k, (x, y)) in envs.iter().enumerate() {
        if x.ncols() != d {
            return Err(IrmError::Environments(format!(
                "environment {k} has {} columns, environment 0 has {d}",
                x.ncols()
            )));
        }
        if x.nrows() == 0 || x.nrows() != y.len() {
            return Err(IrmError::Environments(format!(
                "environment {k} has {} rows of x and {} targets (need as many, at least 1)",
                x.nrows(),
                y.len()
            )));
        }
        if x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
            return Err(IrmError::Environments(format!(
                "environment {k} holds a non-finite value"
            )));
        }
    }
    Ok(d)
}

impl<'a> Fit<(&'a str, &'a Environments)> for LinearIrm {
    type Object = LinearIrmFit;
    type Error = IrmError;

    /// Fits `target` on every other column but the environment column, one environment per
    /// group of `envs`, in their order (the last validates), as [`LinearIrm::fit`].
    ///
    /// # Errors
    ///
    /// [`causal_core::CoreError::UnknownColumn`] (wrapped) for an unknown target;
    /// [`IrmError::Environments`] when `envs` names rows the data lacks; the errors of
    /// [`LinearIrm::fit`].
    fn fit(
        &self,
        data: &Dataset,
        (target, envs): (&'a str, &'a Environments),
    ) -> Result<LinearIrmFit> {
        let y = data.column(target)?;
        let env_col = data.environment_name();
        let columns = data
            .names()
            .iter()
            .filter(|n| n.as_str() != target && Some(n.as_str()) != env_col)
            .map(|n| data.column(n))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if envs.max_row().is_some_and(|r| r >= data.n_rows()) {
            return Err(IrmError::Environments(format!(
                "environments name rows beyond the data's {} rows",
                data.n_rows()
            )));
        }
        let tables: Vec<(DMatrix<f64>, DVector<f64>)> = (0..envs.len())
            .map(|k| {
                let rows = envs.rows(k);
                (
                    DMatrix::from_fn(rows.len(), columns.len(), |i, j| columns[j][rows[i]]),
                    DVector::from_iterator(rows.len(), rows.iter().map(|&r| y[r])),
                )
            })
            .collect();
        LinearIrm::fit(self, &tables)
    }
}

impl LinearIrm {
    /// Trains on every environment but the last, once per risk weight, and keeps the one whose
    /// `Φ·w` has the least mean squared error on the last environment (no intercept, as the
    /// authors' code).
    ///
    /// # Errors
    ///
    /// [`IrmError::Environments`] for fewer than 2 environments, differing column counts, an
    /// environment without rows or with as many targets as rows, or a non-finite value;
    /// [`IrmError::Numerical`] when training diverges for every risk weight.
    pub fn fit(&self, envs: &[(DMatrix<f64>, DVector<f64>)]) -> Result<LinearIrmFit> {
        let d = validate(envs)?;
        let (train_envs, validation) = envs.split_at(envs.len() - 1);
        let moments: Vec<Moments> = train_envs.iter().map(|(x, y)| Moments::new(x, y)).collect();
        let (xv, yv) = &validation[0];
        // The grid values are independent runs; an order-preserving collect keeps the output
        // deterministic.
        let runs: Vec<(DMatrix<f64>, Vec<f64>, GridPoint)> = self
            .risk_weights()
            .par_iter()
            .map(|&reg| {
                let (phi, risk, penalty) =
                    train(&moments, d, reg, self.learning_rate(), self.iterations());
                let phi = DMatrix::from_row_slice(d, d, &phi);
                let sol = &phi * DVector::from_element(d, 1.0);
                let validation_error = (xv * &sol - yv).norm_squared() / yv.len() as f64;
                let point = GridPoint {
                    risk_weight: reg,
                    validation_error,
                    risk,
                    penalty,
                };
                let coefficients = sol.as_slice().to_vec();
                (phi, coefficients, point)
            })
            .collect();
        // Strict `<` in grid order, as the authors' loop: the first of equal errors wins, and
        // a NaN (diverged) error never does.
        let mut selected: Option<usize> = None;
        for (i, (_, _, p)) in runs.iter().enumerate() {
            if p.validation_error.is_finite()
                && selected.is_none_or(|s| p.validation_error < runs[s].2.validation_error)
            {
                selected = Some(i);
            }
        }
        let selected = selected.ok_or_else(|| {
            IrmError::Numerical(format!(
                "linear IRM diverged for every risk weight in {:?}; lower the learning rate",
                self.risk_weights()
            ))
        })?;
        let (phi, coefficients) = (runs[selected].0.clone(), runs[selected].1.clone());
        Ok(LinearIrmFit {
            coefficients,
            phi,
            selected,
            grid: runs.into_iter().map(|(_, _, p)| p).collect(),
        })
    }
}
