//! The dose-response curve of a continuous treatment, `θ(t) = E[Y(t)]`, by the doubly robust
//! kernel estimator of Kennedy, Ma, McHugh and Small (2017), with cross-fitted nuisances from
//! any [`Learner`].
//!
//! Nuisances, each predicted out of fold: the outcome model `μ(t, x) = E[Y | T = t, X = x]`
//! (the regressor on the features `(T, X)`), and the treatment's conditional density
//! `π(t | x)`, modelled as normal with mean `m(x) = E[T | X = x]` (the regressor) and the
//! out-of-fold residual variance. The pseudo-outcome
//!
//! `ξᵢ = (Yᵢ − μ(Tᵢ, Xᵢ)) · ϖ(Tᵢ) / π(Tᵢ | Xᵢ) + μ̄(Tᵢ)`, with `ϖ(t) = mean_j π(t | X_j)` and
//! `μ̄(t) = mean_j μ(t, X_j)`,
//!
//! has conditional mean `θ(t)` given `T = t` when either nuisance is right; its local linear
//! regression on `T` (Gaussian kernel) is the curve. `ϖ` and `μ̄` are computed on a fine grid
//! of treatment values and interpolated, so the cost is linear in the rows. Pointwise
//! intervals use the local linear fit's heteroskedasticity-robust (sandwich) variance, which
//! Kennedy et al. show is valid when the nuisances converge fast enough; the bandwidth is
//! Silverman's rule unless set.

use std::sync::Arc;

use nalgebra::{Matrix2, Vector2};
use serde::{Deserialize, Serialize};

use super::folds;
use crate::contract::{Fit, ParamGuard};
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::learner::{Learner, LinearRegression};
use crate::stats::quantile;

/// Treatment values at which `ϖ` and `μ̄` are computed exactly (linear interpolation between).
const INNER_GRID: usize = 101;

/// Hyperparameters of [`DoseResponse`].
#[derive(Clone, Debug)]
pub struct DoseResponseParams {
    treatment: String,
    outcome: String,
    covariates: Vec<String>,
    regressor: Arc<dyn Learner>,
    treatment_regressor: Option<Arc<dyn Learner>>,
    folds: usize,
    seed: u64,
    grid: Option<Vec<f64>>,
    points: usize,
    bandwidth: Option<f64>,
    level: f64,
}

impl DoseResponseParams {
    /// The curve of `outcome` against the continuous `treatment`.
    ///
    /// Defaults: no covariates, OLS nuisances, 5 folds, seed 0, 25 evaluation points between
    /// the 5th and 95th percentiles of the treatment, Silverman's bandwidth, 95% intervals.
    pub fn new(treatment: &str, outcome: &str) -> Self {
        Self {
            treatment: treatment.to_owned(),
            outcome: outcome.to_owned(),
            covariates: Vec::new(),
            regressor: Arc::new(LinearRegression),
            treatment_regressor: None,
            folds: 5,
            seed: 0,
            grid: None,
            points: 25,
            bandwidth: None,
            level: 0.95,
        }
    }

    /// The confounders adjusted for.
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.covariates = names.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// The learner of `μ(t, x)` and `m(x)`.
    pub fn regressor(mut self, learner: impl Learner + 'static) -> Self {
        self.regressor = Arc::new(learner);
        self
    }

    /// A separate learner for the treatment model `m(x)` (default: the outcome's learner).
    pub fn treatment_regressor(mut self, learner: impl Learner + 'static) -> Self {
        self.treatment_regressor = Some(Arc::new(learner));
        self
    }

    /// The learner, boxed (as [`crate::learner::by_name`] returns it).
    pub fn regressor_boxed(mut self, learner: Box<dyn Learner>) -> Self {
        self.regressor = Arc::from(learner);
        self
    }

    /// Cross-fitting folds.
    pub fn folds(mut self, k: usize) -> Self {
        self.folds = k;
        self
    }

    /// Seed of the sample splitting.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Treatment values at which the curve is reported.
    pub fn grid(mut self, values: &[f64]) -> Self {
        self.grid = Some(values.to_vec());
        self
    }

    /// Number of evenly spaced points between the treatment's 5th and 95th percentiles (when
    /// no explicit grid is given).
    pub fn points(mut self, k: usize) -> Self {
        self.points = k;
        self
    }

    /// The kernel bandwidth (default: chosen by leave-one-out cross-validation among 1/4 to 1
    /// times Silverman's rule `1.06 sd(T) n^(−1/5)`).
    pub fn bandwidth(mut self, h: f64) -> Self {
        self.bandwidth = Some(h);
        self
    }

    /// Level of the pointwise intervals.
    pub fn level(mut self, level: f64) -> Self {
        self.level = level;
        self
    }
}

impl ParamGuard for DoseResponseParams {
    type Checked = DoseResponse;
    type Error = CoreError;

    /// Validates the parameters.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming the problem: fewer than 2 folds, fewer than 2
    /// points, a non-finite grid value, a bandwidth that is not positive and finite, a level
    /// outside (0, 1), the treatment among the covariates or equal to the outcome.
    fn check(self) -> Result<DoseResponse> {
        let bad = |m: String| Err(CoreError::InvalidParameter(m));
        if self.folds < 2 {
            return bad(format!(
                "dose-response needs at least 2 folds, got {}",
                self.folds
            ));
        }
        match &self.grid {
            Some(g) if g.is_empty() => return bad("the dose-response grid is empty".into()),
            Some(g) if g.iter().any(|v| !v.is_finite()) => {
                return bad("the dose-response grid has a non-finite value".into());
            }
            None if self.points < 2 => {
                return bad(format!(
                    "dose-response needs at least 2 points, got {}",
                    self.points
                ));
            }
            _ => {}
        }
        if let Some(h) = self.bandwidth
            && !(h.is_finite() && h > 0.0)
        {
            return bad(format!("the bandwidth must be positive, got {h}"));
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return bad(format!("the level must lie in (0, 1), got {}", self.level));
        }
        if self.treatment == self.outcome || self.covariates.contains(&self.treatment) {
            return bad(format!(
                "the treatment '{}' is also the outcome or a covariate",
                self.treatment
            ));
        }
        Ok(DoseResponse { params: self })
    }
}

/// Checked dose-response parameters; [`DoseResponse::fit_dose`] (or [`Fit::fit`]) estimates
/// the curve.
#[derive(Clone, Debug)]
pub struct DoseResponse {
    params: DoseResponseParams,
}

/// An estimated dose-response curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoseResponseFit {
    /// The treatment values.
    pub grid: Vec<f64>,
    /// `θ(t)` at each value.
    pub theta: Vec<f64>,
    /// Pointwise standard errors.
    pub se: Vec<f64>,
    /// Lower pointwise bounds.
    pub lower: Vec<f64>,
    /// Upper pointwise bounds.
    pub upper: Vec<f64>,
    /// The interval level.
    pub level: f64,
    /// The kernel bandwidth used.
    pub bandwidth: f64,
    /// The residual standard deviation of the treatment model (the density's scale).
    pub treatment_sd: f64,
    /// Rows.
    pub n: usize,
    /// The learner, described.
    pub learner: String,
}

/// Linear interpolation of `values` (at the evenly spaced `knots` from `lo` to `hi`) at `t`,
/// held constant outside.
fn interpolate(lo: f64, hi: f64, values: &[f64], t: f64) -> f64 {
    let k = values.len() - 1;
    let pos = ((t - lo) / (hi - lo) * k as f64).clamp(0.0, k as f64);
    let i = (pos.floor() as usize).min(k - 1);
    let f = pos - i as f64;
    values[i] * (1.0 - f) + values[i + 1] * f
}

impl Fit for DoseResponse {
    type Object = DoseResponseFit;
    type Error = CoreError;

    /// As [`DoseResponse::fit_dose`].
    fn fit(&self, data: &Dataset, (): ()) -> Result<DoseResponseFit> {
        self.fit_dose(data)
    }
}

impl DoseResponse {
    /// Estimates the curve.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::contract::ParamGuard;
    /// use causal_core::data::Dataset;
    /// use causal_core::estimate::DoseResponseParams;
    ///
    /// // Y = 2 T + X, T = X + noise: θ(t) = 2 t.
    /// let n = 400;
    /// let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0).collect();
    /// let t: Vec<f64> = (0..n).map(|i| x[i] + ((i * 53) % 97) as f64 / 48.0 - 1.0).collect();
    /// let y: Vec<f64> = (0..n).map(|i| 2.0 * t[i] + x[i]).collect();
    /// let data = Dataset::new(vec!["x".into(), "t".into(), "y".into()], vec![x, t, y])?;
    /// let fit = DoseResponseParams::new("t", "y")
    ///     .covariates(&["x"])
    ///     .grid(&[-0.5, 0.0, 0.5])
    ///     .check()?
    ///     .fit_dose(&data)?;
    /// assert!((fit.theta[2] - 1.0).abs() < 0.1, "{:?}", fit.theta);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Unknown columns; a treatment with one value; more folds than rows; learner failures
    /// (naming the nuisance and the fold); a grid point with no rows within reach of the
    /// kernel ([`CoreError::Numerical`], naming the value).
    pub fn fit_dose(&self, data: &Dataset) -> Result<DoseResponseFit> {
        let p = &self.params;
        let n = data.n_rows();
        let t = data.column(&p.treatment)?;
        let y = data.column(&p.outcome)?;
        if t.iter().all(|v| *v == t[0]) {
            return Err(CoreError::InvalidParameter(format!(
                "dose-response: the treatment '{}' takes one value only",
                p.treatment
            )));
        }
        if p.folds > n {
            return Err(CoreError::InvalidParameter(format!(
                "dose-response: {} folds, but there are {n} rows",
                p.folds
            )));
        }
        let q = p.covariates.len();
        // Column 0 is the treatment, so μ's design is `xt` and m's is its other columns.
        let mut xt = super::named_columns(data, Some(t), &p.covariates)?;
        let x = xt.columns(1, q).into_owned();
        let ids = folds::random_folds(n, p.folds, p.seed, 0);
        let tests = folds::test_sets(&ids, p.folds);

        let mut sorted = t.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (t_lo, t_hi) = (sorted[0], sorted[n - 1]);
        let knots: Vec<f64> = (0..INNER_GRID)
            .map(|k| t_lo + (t_hi - t_lo) * k as f64 / (INNER_GRID - 1) as f64)
            .collect();

        // Out-of-fold μ(Tᵢ, Xᵢ), m(Xᵢ), and Σ_j μ(knot, X_j) summed over every fold.
        let mut mu = vec![0.0; n];
        let mut m = vec![0.0; n];
        let mut mu_bar = vec![0.0; INNER_GRID];
        let label_mu = format!("{} given {} and the covariates", p.outcome, p.treatment);
        for (k, test) in tests.iter().enumerate() {
            let train: Vec<usize> = (0..n).filter(|&i| ids[i] != k).collect();
            let fold_err = |e: CoreError| match e {
                CoreError::Numerical(s) => CoreError::Numerical(format!("fold {}: {s}", k + 1)),
                other => other,
            };
            let fit_mu = p
                .regressor
                .fit(&xt, y, &train, &label_mu)
                .map_err(fold_err)?;
            for (i, v) in test.iter().zip(fit_mu.predict(&xt, test)) {
                mu[*i] = v;
            }
            // The fold's rows at every knot: the treatment column is set to the knot in place
            // (no copy of the rows per knot) and put back before the next fold's fits.
            for (knot, slot) in knots.iter().zip(mu_bar.iter_mut()) {
                xt.column_mut(0).fill(*knot);
                *slot += fit_mu.predict(&xt, test).iter().sum::<f64>();
            }
            xt.column_mut(0).copy_from_slice(t);
            let fit_m = if q == 0 {
                None
            } else {
                Some(
                    p.treatment_regressor
                        .as_ref()
                        .unwrap_or(&p.regressor)
                        .fit(&x, t, &train, &p.treatment)
                        .map_err(fold_err)?,
                )
            };
            match fit_m {
                Some(f) => {
                    for (i, v) in test.iter().zip(f.predict(&x, test)) {
                        m[*i] = v;
                    }
                }
                None => {
                    let mean = train.iter().map(|&i| t[i]).sum::<f64>() / train.len() as f64;
                    test.iter().for_each(|&i| m[i] = mean);
                }
            }
        }
        if let Some(i) = mu
            .iter()
            .chain(&m)
            .chain(&mu_bar)
            .position(|v| !v.is_finite())
        {
            return Err(CoreError::Numerical(format!(
                "dose-response: a nuisance prediction is not finite (value {i})"
            )));
        }
        mu_bar.iter_mut().for_each(|v| *v /= n as f64);
        let resid: Vec<f64> = t.iter().zip(&m).map(|(t, m)| t - m).collect();
        let sd = (resid.iter().map(|r| r * r).sum::<f64>() / n as f64).sqrt();
        if sd.is_nan() || sd <= 0.0 {
            return Err(CoreError::Numerical(format!(
                "dose-response: the covariates predict '{}' exactly, so its density is degenerate",
                p.treatment
            )));
        }
        let density = |z: f64| (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
        // ϖ at the knots: the mean over rows of π(knot | X_j).
        let varpi: Vec<f64> = knots
            .iter()
            .map(|&tv| m.iter().map(|mj| density((tv - mj) / sd)).sum::<f64>() / n as f64)
            .collect();
        let xi: Vec<f64> = (0..n)
            .map(|i| {
                let pi = density(resid[i] / sd).max(1e-300);
                (y[i] - mu[i]) * interpolate(t_lo, t_hi, &varpi, t[i]) / pi
                    + interpolate(t_lo, t_hi, &mu_bar, t[i])
            })
            .collect();

        let grid = match &p.grid {
            Some(g) => g.clone(),
            None => {
                let (a, b) = (quantile(&sorted, 0.05), quantile(&sorted, 0.95));
                (0..p.points)
                    .map(|k| a + (b - a) * k as f64 / (p.points - 1) as f64)
                    .collect()
            }
        };
        let t_mean = t.iter().sum::<f64>() / n as f64;
        let t_sd =
            (t.iter().map(|v| (v - t_mean).powi(2)).sum::<f64>() / (n - 1).max(1) as f64).sqrt();
        let h = match p.bandwidth {
            Some(h) => h,
            None => cv_bandwidth(t, &xi, 1.06 * t_sd * (n as f64).powf(-0.2)),
        };
        let z = crate::stats::normal_quantile_two_sided(p.level)?;
        let mut theta = Vec::with_capacity(grid.len());
        let mut se = Vec::with_capacity(grid.len());
        for &t0 in &grid {
            let (b, s) = local_linear(t, &xi, t0, h).ok_or_else(|| {
                CoreError::Numerical(format!(
                    "dose-response: too few rows near {} = {t0} for bandwidth {h:.4}",
                    p.treatment
                ))
            })?;
            theta.push(b);
            se.push(s);
        }
        Ok(DoseResponseFit {
            lower: theta.iter().zip(&se).map(|(b, s)| b - z * s).collect(),
            upper: theta.iter().zip(&se).map(|(b, s)| b + z * s).collect(),
            grid,
            theta,
            se,
            level: p.level,
            bandwidth: h,
            treatment_sd: sd,
            n,
            learner: p.regressor.describe(),
        })
    }
}

/// The bandwidth among `silverman × {1/4, 1/3, 1/2, 2/3, 1}` with the least leave-one-out
/// squared error of the local linear fit, `Σᵢ ((vᵢ − v̂ᵢ) / (1 − Lᵢᵢ))²`, over at most 500
/// evaluation rows spread evenly through the data (all rows enter every fit).
fn cv_bandwidth(t: &[f64], v: &[f64], silverman: f64) -> f64 {
    let n = t.len();
    let step = n.div_ceil(500).max(1);
    let mut best = (f64::INFINITY, silverman);
    for factor in [0.25, 1.0 / 3.0, 0.5, 2.0 / 3.0, 1.0] {
        let h = silverman * factor;
        let risk: f64 = (0..n)
            .step_by(step)
            .map(|i| match local_linear_hat(t, v, t[i], h) {
                Some((fit, lii)) if lii < 1.0 => ((v[i] - fit) / (1.0 - lii)).powi(2),
                _ => f64::INFINITY,
            })
            .sum();
        if risk < best.0 {
            best = (risk, h);
        }
    }
    best.1
}

/// The local linear fit at `t0` and the weight of a row at `t0` in it (`Lᵢᵢ` when `t0 = tᵢ`).
fn local_linear_hat(t: &[f64], v: &[f64], t0: f64, h: f64) -> Option<(f64, f64)> {
    let mut a = Matrix2::<f64>::zeros();
    let mut rhs = Vector2::<f64>::zeros();
    for (ti, vi) in t.iter().zip(v) {
        let w = (-0.5 * ((ti - t0) / h).powi(2)).exp();
        let zi = Vector2::new(1.0, ti - t0);
        a += w * zi * zi.transpose();
        rhs += w * *vi * zi;
    }
    let inv = a.try_inverse()?;
    Some(((inv * rhs)[0], inv[(0, 0)]))
}

/// The local linear fit of `v` on `t` at `t0` with a Gaussian kernel of bandwidth `h`: the
/// intercept and its sandwich standard error `√(e₁ᵀ A⁻¹ B A⁻¹ e₁)`, `A = Σ wᵢ zᵢ zᵢᵀ`,
/// `B = Σ wᵢ² rᵢ² zᵢ zᵢᵀ`, `zᵢ = (1, tᵢ − t0)`. `None` when `A` is singular.
fn local_linear(t: &[f64], v: &[f64], t0: f64, h: f64) -> Option<(f64, f64)> {
    let mut a = Matrix2::<f64>::zeros();
    let mut rhs = Vector2::<f64>::zeros();
    let weights: Vec<f64> = t
        .iter()
        .map(|ti| (-0.5 * ((ti - t0) / h).powi(2)).exp())
        .collect();
    for ((ti, vi), w) in t.iter().zip(v).zip(&weights) {
        let zi = Vector2::new(1.0, ti - t0);
        a += *w * zi * zi.transpose();
        rhs += *w * *vi * zi;
    }
    let inv = a.try_inverse()?;
    let beta = inv * rhs;
    let mut b = Matrix2::<f64>::zeros();
    for ((ti, vi), w) in t.iter().zip(v).zip(&weights) {
        let zi = Vector2::new(1.0, ti - t0);
        let r = vi - beta.dot(&zi);
        b += (w * r).powi(2) * zi * zi.transpose();
    }
    let var = (inv * b * inv)[(0, 0)];
    (beta[0].is_finite() && var.is_finite() && var >= 0.0).then(|| (beta[0], var.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::{interpolate, local_linear};

    #[test]
    fn interpolation_and_local_linear_are_exact_on_lines() {
        let vals = [0.0, 2.0, 4.0];
        assert!((interpolate(0.0, 1.0, &vals, 0.25) - 1.0).abs() < 1e-12);
        assert_eq!(interpolate(0.0, 1.0, &vals, 5.0), 4.0);
        let t: Vec<f64> = (0..50).map(|i| i as f64 / 10.0).collect();
        let v: Vec<f64> = t.iter().map(|x| 3.0 * x - 1.0).collect();
        let (b, s) = local_linear(&t, &v, 2.0, 0.7).unwrap();
        assert!((b - 5.0).abs() < 1e-9 && s < 1e-9, "{b} {s}");
    }
}
