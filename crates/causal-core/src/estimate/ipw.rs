//! Inverse propensity weighting with a logistic propensity model.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::overlap::{OVERLAP_THRESHOLD, check_clip, overlap_summary};
use super::roles::{owned, role_methods};
use super::{AteEstimator, EffectFit, Method, ParamGuard, Roles};
use crate::contract::Fit;
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::stats::{Design, logistic_fit};

/// How the inverse-propensity weights are normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weighting {
    /// Horvitz–Thompson: `mean(T Y / e) − mean((1 − T) Y / (1 − e))`.
    HorvitzThompson,
    /// Hájek: weights normalised to sum to one within each arm (what dowhy's default
    /// `ips_weight` scheme computes, since it divides by the weight sum in each arm).
    Hajek,
}

/// Hyperparameters of [`Ipw`].
#[derive(Clone, Debug)]
pub struct IpwParams {
    roles: Roles,
    weighting: Weighting,
    clip: f64,
}

impl IpwParams {
    /// Treatment and outcome, no covariates, Hájek weights, no clipping.
    pub fn new(treatment: &str, outcome: &str) -> Self {
        Self {
            roles: Roles::new(treatment, outcome),
            weighting: Weighting::Hajek,
            clip: 0.0,
        }
    }

    /// The covariates of the propensity model (the adjustment set).
    pub fn covariates(mut self, names: &[&str]) -> Self {
        self.roles.covariates = owned(names);
        self
    }

    /// The weighting scheme.
    pub fn weighting(mut self, w: Weighting) -> Self {
        self.weighting = w;
        self
    }

    /// Clips propensities into `[clip, 1 − clip]` (0 disables; dowhy clips at 0.05 by default).
    pub fn clip(mut self, clip: f64) -> Self {
        self.clip = clip;
        self
    }
}

impl ParamGuard for IpwParams {
    type Checked = Ipw;
    type Error = crate::CoreError;
    fn check(self) -> Result<Ipw> {
        self.roles.check("covariate")?;
        check_clip(self.clip)?;
        Ok(Ipw { params: self })
    }
}

/// Inverse propensity weighting for a binary treatment.
///
/// # Formula
///
/// `e(W) = σ(α + βᵀ W)` by maximum likelihood. Hájek:
/// `ATE = Σ T Y / e ÷ Σ T / e − Σ (1 − T) Y / (1 − e) ÷ Σ (1 − T) / (1 − e)`.
/// The standard error comes from the influence function corrected for estimating the
/// propensity (Lunceford & Davidian 2004).
#[derive(Clone, Debug)]
pub struct Ipw {
    params: IpwParams,
}

impl Fit for Ipw {
    type Object = EffectFit;
    type Error = CoreError;

    fn fit(&self, data: &Dataset, (): ()) -> Result<EffectFit> {
        let r = &self.params.roles;
        let y = data.column(&r.outcome)?;
        let t = data.check_binary(&r.treatment)?;
        let design = Design::from_data(data, &r.covariate_refs(), true)?;
        let e_raw = logistic_fit(&design, t, None, &r.treatment)?.predict(&design);
        let overlap = overlap_summary(t, &e_raw, OVERLAP_THRESHOLD);
        let c = self.params.clip;
        let e: Vec<f64> = if c > 0.0 {
            e_raw.iter().map(|v| v.clamp(c, 1.0 - c)).collect()
        } else {
            e_raw.clone()
        };
        let n = y.len();
        let nf = n as f64;
        // Influence terms with the arm means centred (Hájek) or not (Horvitz–Thompson).
        let (ate, mu1, mu0, w1m, w0m) = match self.params.weighting {
            Weighting::HorvitzThompson => {
                let phi: Vec<f64> = (0..n)
                    .map(|i| t[i] * y[i] / e[i] - (1.0 - t[i]) * y[i] / (1.0 - e[i]))
                    .collect();
                (crate::stats::mean(&phi), 0.0, 0.0, 1.0, 1.0)
            }
            Weighting::Hajek => {
                let (mut s1, mut w1, mut s0, mut w0) = (0.0, 0.0, 0.0, 0.0);
                for i in 0..n {
                    if t[i] == 1.0 {
                        s1 += y[i] / e[i];
                        w1 += 1.0 / e[i];
                    } else {
                        s0 += y[i] / (1.0 - e[i]);
                        w0 += 1.0 / (1.0 - e[i]);
                    }
                }
                (s1 / w1 - s0 / w0, s1 / w1, s0 / w0, w1 / nf, w0 / nf)
            }
        };
        let centre = match self.params.weighting {
            Weighting::HorvitzThompson => ate,
            Weighting::Hajek => 0.0,
        };
        let phi: Vec<f64> = (0..n)
            .map(|i| {
                t[i] * (y[i] - mu1) / e[i] / w1m
                    - (1.0 - t[i]) * (y[i] - mu0) / (1.0 - e[i]) / w0m
                    - centre
            })
            .collect();
        // Lunceford & Davidian (2004): subtract the projection on the propensity score's
        // score, φ + Hᵀ I⁻¹ X (T − e) with H = E[∂φ/∂β], which accounts for estimating the propensity.
        let dphi: Vec<f64> = (0..n)
            .map(|i| {
                if e[i] != e_raw[i] {
                    return 0.0; // clipped: locally constant in β
                }
                -t[i] * (y[i] - mu1) * (1.0 - e[i]) / e[i] / w1m
                    - (1.0 - t[i]) * (y[i] - mu0) * e[i] / (1.0 - e[i]) / w0m
            })
            .collect();
        let info_w: Vec<f64> = e_raw.iter().map(|v| v * (1.0 - v)).collect();
        let (info, _) = design.gram(&dphi, Some(&info_w));
        let (_, h) = design.gram(&dphi, None);
        let (info, h) = (info / nf, h / nf);
        let a = info.cholesky().map(|ch| ch.solve(&h)).ok_or_else(|| {
            crate::CoreError::NoOverlap(format!(
                "the propensity model of '{}' has a singular information matrix",
                r.treatment
            ))
        })?;
        let proj = design.predict(a.as_slice());
        let ss: f64 = (0..n)
            .map(|i| {
                let v = phi[i] + proj[i] * (t[i] - e_raw[i]);
                v * v
            })
            .sum();
        let se = (ss / (nf * nf)).sqrt();
        Ok(EffectFit {
            ate,
            se,
            warnings: overlap.warnings(&r.treatment),
            details: json!({
                "weighting": self.params.weighting,
                "clip": self.params.clip,
                "overlap": overlap,
            }),
        })
    }
}

impl AteEstimator for Ipw {
    fn method(&self) -> Method {
        Method::Ipw
    }

    fn estimand(&self) -> String {
        self.params.roles.backdoor_estimand()
    }

    role_methods!();
}
