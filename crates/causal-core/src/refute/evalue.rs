//! The E-value of VanderWeele & Ding (2017).

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// E-values of a point estimate and of the confidence limit closer to the null.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EValue {
    /// The risk ratio the E-value was computed on.
    pub risk_ratio: f64,
    /// E-value of the point estimate.
    pub point: f64,
    /// E-value of the confidence limit closer to 1 (1 when the interval contains 1).
    pub ci: Option<f64>,
}

fn e_of(rr: f64) -> f64 {
    let rr = if rr < 1.0 { 1.0 / rr } else { rr };
    rr + (rr * (rr - 1.0)).sqrt()
}

/// The E-value of a risk ratio and, optionally, its confidence limits: the minimum strength of
/// association, on the risk-ratio scale, that an unmeasured confounder would need with both
/// treatment and outcome to explain the estimate away.
///
/// # Formula
///
/// `E = RR + √(RR (RR − 1))` for `RR ≥ 1` (use `1/RR` below 1).
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] for a non-positive ratio or limits that do not bracket it.
///
/// # Examples
///
/// VanderWeele & Ding's worked example (breastfeeding and infant respiratory death):
///
/// ```
/// use causal_core::refute::evalue_risk_ratio;
///
/// let e = evalue_risk_ratio(3.9, Some((1.8, 8.7)))?;
/// assert!((e.point - 7.26).abs() < 0.005);
/// assert!((e.ci.unwrap() - 3.0).abs() < 1e-12);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn evalue_risk_ratio(rr: f64, ci: Option<(f64, f64)>) -> Result<EValue> {
    if !(rr > 0.0 && rr.is_finite()) {
        return Err(CoreError::InvalidParameter(format!(
            "risk ratio {rr} must be positive"
        )));
    }
    let ci_e = match ci {
        None => None,
        Some((lo, hi)) => {
            if !(lo > 0.0 && lo <= rr && rr <= hi && hi.is_finite()) {
                return Err(CoreError::InvalidParameter(format!(
                    "limits ({lo}, {hi}) do not bracket the risk ratio {rr}"
                )));
            }
            Some(if lo <= 1.0 && hi >= 1.0 {
                1.0
            } else if rr > 1.0 {
                e_of(lo)
            } else {
                e_of(hi)
            })
        }
    };
    Ok(EValue {
        risk_ratio: rr,
        point: e_of(rr),
        ci: ci_e,
    })
}

/// The E-value of an odds ratio: with a rare outcome (< 15%) the odds ratio approximates the
/// risk ratio; otherwise `RR ≈ √OR` (VanderWeele & Ding 2017, Table 2).
///
/// # Errors
///
/// As [`evalue_risk_ratio`].
pub fn evalue_odds_ratio(or: f64, ci: Option<(f64, f64)>, rare_outcome: bool) -> Result<EValue> {
    let f = |v: f64| if rare_outcome { v } else { v.sqrt() };
    evalue_risk_ratio(f(or), ci.map(|(l, h)| (f(l), f(h))))
}

/// The E-value of a difference in a continuous outcome, via the standardised mean difference
/// `d = effect / sd(outcome)` and `RR ≈ exp(0.91 d)`, with limits `exp(0.91 d ± 1.78 se_d)`
/// (VanderWeele & Ding 2017, Table 2).
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] for a non-positive outcome sd.
pub fn evalue_smd(effect: f64, se: f64, outcome_sd: f64) -> Result<EValue> {
    if outcome_sd.is_nan() || outcome_sd <= 0.0 {
        return Err(CoreError::InvalidParameter(format!(
            "outcome sd {outcome_sd} must be positive"
        )));
    }
    let d = effect / outcome_sd;
    let sd = se / outcome_sd;
    let rr = (0.91 * d).exp();
    evalue_risk_ratio(
        rr,
        Some(((0.91 * d - 1.78 * sd).exp(), (0.91 * d + 1.78 * sd).exp())),
    )
}
