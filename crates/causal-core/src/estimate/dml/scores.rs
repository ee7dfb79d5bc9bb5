//! The orthogonal (Neyman) scores of the four DML models, linear in the parameter:
//! `ψ(W; θ, η) = ψ_a(W; η) θ + ψ_b(W; η)`, with the nuisances η cross-fitted.

use std::sync::OnceLock;

use nalgebra::DMatrix;

use super::folds::{Arms, by_arm, cross_predict, cross_predict_many};
use super::{DmlModel, DmlScore};
use crate::error::Result;
use crate::learner::{Learner, columns_matrix};

/// The data one repetition reads, with names for messages.
pub(super) struct Inputs<'a> {
    /// The covariate columns, as the data set stores them.
    pub covariates: Vec<&'a [f64]>,
    /// The covariates as one matrix, copied on first use: DML-PLR's partialling-out score
    /// never needs it (its linear learners read the columns in place).
    pub x: OnceLock<DMatrix<f64>>,
    pub y: &'a [f64],
    pub d: &'a [f64],
    pub z: Option<&'a [f64]>,
    pub y_name: &'a str,
    pub d_name: &'a str,
    pub z_name: &'a str,
    pub regressor: &'a dyn Learner,
    pub classifier: &'a dyn Learner,
    /// Propensities are clipped to `[trim, 1 − trim]`.
    pub trim: f64,
}

impl Inputs<'_> {
    /// The covariate matrix (n × p, column-major), built once.
    fn x(&self) -> &DMatrix<f64> {
        self.x
            .get_or_init(|| columns_matrix(&self.covariates, self.y.len()))
    }
}

/// `ψ_a` and `ψ_b` for every row, and how many propensities were clipped.
pub(super) struct Elements {
    pub psi_a: Vec<f64>,
    pub psi_b: Vec<f64>,
    pub clipped: usize,
}

/// The score elements of `model` with `score`, cross-fitted on the folds `tests`.
pub(super) fn elements(
    model: DmlModel,
    score: DmlScore,
    inp: &Inputs<'_>,
    tests: &[Vec<usize>],
) -> Result<Elements> {
    match model {
        DmlModel::Plr => plr(score, inp, tests),
        DmlModel::Irm => irm(score, inp, tests),
        DmlModel::Pliv => pliv(inp, tests),
        DmlModel::Iivm => iivm(inp, tests),
    }
}

fn all(_: usize) -> bool {
    true
}

/// PLR, `Y = θ D + g(X) + ε`, `D = m(X) + V`: with `l(X) = E[Y | X]`,
/// partialling out `ψ = (Y − l − θ (D − m)) (D − m)`; IV-type `ψ = (Y − θ D − g) (D − m)`,
/// where `g` is learned from `Y − θ₀ D` with `θ₀` the partialling-out estimate (DoubleML's
/// construction).
fn plr(score: DmlScore, inp: &Inputs<'_>, tests: &[Vec<usize>]) -> Result<Elements> {
    // One pass for both nuisances: the linear learners share the features' Gram matrix.
    let mut lm = cross_predict_many(
        inp.regressor,
        &inp.covariates,
        &[(inp.y, inp.y_name), (inp.d, inp.d_name)],
        tests,
        &all,
    )?;
    let (m, l) = (lm.pop().unwrap_or_default(), lm.pop().unwrap_or_default());
    let v: Vec<f64> = inp.d.iter().zip(&m).map(|(d, m)| d - m).collect();
    let u: Vec<f64> = inp.y.iter().zip(&l).map(|(y, l)| y - l).collect();
    let (psi_a, psi_b) = match score {
        DmlScore::IvType => {
            let sa: f64 = v.iter().map(|v| v * v).sum();
            let sb: f64 = v.iter().zip(&u).map(|(v, u)| v * u).sum();
            let theta0 = sb / sa;
            let target: Vec<f64> = inp
                .y
                .iter()
                .zip(inp.d)
                .map(|(y, d)| y - theta0 * d)
                .collect();
            let g = cross_predict(inp.regressor, inp.x(), &target, tests, &all, inp.y_name)?;
            (
                v.iter().zip(inp.d).map(|(v, d)| -v * d).collect(),
                v.iter()
                    .zip(inp.y)
                    .zip(&g)
                    .map(|((v, y), g)| v * (y - g))
                    .collect(),
            )
        }
        _ => (
            v.iter().map(|v| -v * v).collect(),
            v.iter().zip(&u).map(|(v, u)| v * u).collect(),
        ),
    };
    Ok(Elements {
        psi_a,
        psi_b,
        clipped: 0,
    })
}

/// Clips propensities to `[trim, 1 − trim]`, counting the rows moved.
fn clip(p: &mut [f64], trim: f64) -> usize {
    let mut moved = 0;
    for v in p.iter_mut() {
        let c = v.clamp(trim, 1.0 - trim);
        if c != *v {
            moved += 1;
            *v = c;
        }
    }
    moved
}

/// IRM for a binary treatment, `g_d(X) = E[Y | D = d, X]`, `m(X) = P(D = 1 | X)`. ATE:
/// `ψ_b = g₁ − g₀ + D (Y − g₁) / m − (1 − D)(Y − g₀) / (1 − m)`, `ψ_a = −1`. ATTE, with
/// `p = mean(D)`: `ψ_b = D (g₁ − g₀) / p + (m / p)(D (Y − g₁) / m − (1 − D)(Y − g₀) / (1 − m))`
/// (the `D (Y − g₁)` terms cancel), `ψ_a = −D / p`.
fn irm(score: DmlScore, inp: &Inputs<'_>, tests: &[Vec<usize>]) -> Result<Elements> {
    let d = inp.d;
    let Arms {
        mu0: g0, mu1: g1, ..
    } = by_arm(inp.regressor, inp.x(), inp.y, d, tests, inp.y_name, None)?;
    let mut m = cross_predict(inp.classifier, inp.x(), d, tests, &all, inp.d_name)?;
    let clipped = clip(&mut m, inp.trim);
    let n = d.len();
    let p = d.iter().sum::<f64>() / n as f64;
    let (mut psi_a, mut psi_b) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let ipw =
            d[i] * (inp.y[i] - g1[i]) / m[i] - (1.0 - d[i]) * (inp.y[i] - g0[i]) / (1.0 - m[i]);
        if score == DmlScore::Atte {
            let w = d[i] / p;
            psi_b[i] = w * (g1[i] - g0[i]) + m[i] / p * ipw;
            psi_a[i] = -w;
        } else {
            psi_b[i] = g1[i] - g0[i] + ipw;
            psi_a[i] = -1.0;
        }
    }
    Ok(Elements {
        psi_a,
        psi_b,
        clipped,
    })
}

/// PLIV with one instrument, partialling out X: `l = E[Y | X]`, `m = E[Z | X]`,
/// `r = E[D | X]`; `ψ = (Y − l − θ (D − r)) (Z − m)`.
fn pliv(inp: &Inputs<'_>, tests: &[Vec<usize>]) -> Result<Elements> {
    let z = inp.z.unwrap_or(&[]);
    let l = cross_predict(inp.regressor, inp.x(), inp.y, tests, &all, inp.y_name)?;
    let m = cross_predict(inp.regressor, inp.x(), z, tests, &all, inp.z_name)?;
    let r = cross_predict(inp.regressor, inp.x(), inp.d, tests, &all, inp.d_name)?;
    let n = inp.y.len();
    let (mut psi_a, mut psi_b) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let v = z[i] - m[i];
        psi_a[i] = -(inp.d[i] - r[i]) * v;
        psi_b[i] = v * (inp.y[i] - l[i]);
    }
    Ok(Elements {
        psi_a,
        psi_b,
        clipped: 0,
    })
}

/// IIVM (LATE) with a binary instrument Z and binary treatment D: `g_z = E[Y | Z = z, X]`,
/// `r_z = P(D = 1 | Z = z, X)`, `m = P(Z = 1 | X)`;
/// `ψ_b = g₁ − g₀ + Z (Y − g₁) / m − (1 − Z)(Y − g₀) / (1 − m)`,
/// `ψ_a = −(r₁ − r₀ + Z (D − r₁) / m − (1 − Z)(D − r₀) / (1 − m))`.
/// Without always-takers (D = 0 whenever Z = 0) `r₀ = 0`; without never-takers `r₁ = 1`.
fn iivm(inp: &Inputs<'_>, tests: &[Vec<usize>]) -> Result<Elements> {
    let z = inp.z.unwrap_or(&[]);
    let d = inp.d;
    let n = d.len();
    let Arms {
        mu0: g0, mu1: g1, ..
    } = by_arm(inp.regressor, inp.x(), inp.y, z, tests, inp.y_name, None)?;
    let mut m = cross_predict(inp.classifier, inp.x(), z, tests, &all, inp.z_name)?;
    let clipped = clip(&mut m, inp.trim);
    let always_takers = (0..n).any(|i| z[i] == 0.0 && d[i] == 1.0);
    let never_takers = (0..n).any(|i| z[i] == 1.0 && d[i] == 0.0);
    let r0 = if always_takers {
        cross_predict(
            inp.classifier,
            inp.x(),
            d,
            tests,
            &|i| z[i] == 0.0,
            inp.d_name,
        )?
    } else {
        vec![0.0; n]
    };
    let r1 = if never_takers {
        cross_predict(
            inp.classifier,
            inp.x(),
            d,
            tests,
            &|i| z[i] == 1.0,
            inp.d_name,
        )?
    } else {
        vec![1.0; n]
    };
    let (mut psi_a, mut psi_b) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let (zi, mi) = (z[i], m[i]);
        psi_b[i] = g1[i] - g0[i] + zi * (inp.y[i] - g1[i]) / mi
            - (1.0 - zi) * (inp.y[i] - g0[i]) / (1.0 - mi);
        psi_a[i] =
            -(r1[i] - r0[i] + zi * (d[i] - r1[i]) / mi - (1.0 - zi) * (d[i] - r0[i]) / (1.0 - mi));
    }
    Ok(Elements {
        psi_a,
        psi_b,
        clipped,
    })
}
