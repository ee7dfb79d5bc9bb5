//! Omitted-variable-bias sensitivity for the regression estimator (Cinelli & Hazlett 2020).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::error::{CoreError, Result};

/// Sensitivity statistics of a regression coefficient.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OvbSensitivity {
    /// The coefficient's t value.
    pub t_value: f64,
    /// Residual degrees of freedom.
    pub df: f64,
    /// Partial R² of the treatment with the outcome, `t² / (t² + df)`.
    pub partial_r2_yd: f64,
    /// Robustness value for reducing the estimate by `100·q%` (to zero for `q = 1`).
    pub rv_q: f64,
    /// Robustness value for making the estimate insignificant at level `alpha`.
    pub rv_q_alpha: f64,
    /// `q`.
    pub q: f64,
    /// `alpha`.
    pub alpha: f64,
}

/// Robustness values and partial R² from a coefficient's t value and degrees of freedom.
///
/// # Formula
///
/// `f_q = q |t| / √df`; `RV_q = ½ (√(f_q⁴ + 4 f_q²) − f_q²)`. For `RV_{q,α}`, `f = f_q − f*`
/// with `f* = |t_{α/2, df−1}| / √(df − 1)`: 0 if `f ≤ 0`; `(f_q² − f*²) / (1 + f_q²)` if
/// `f_q > 1/f*`; else `RV` of `f`.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] for `df < 2`, `q ≤ 0`, or `alpha` outside (0, 1).
///
/// # Examples
///
/// Cinelli & Hazlett's Darfur example (peacefulness on directly harmed: t = 4.18445, df = 783):
///
/// ```
/// use causal_core::refute::ovb_sensitivity;
///
/// let s = ovb_sensitivity(0.09731582 / 0.02325654, 783.0, 1.0, 0.05)?;
/// assert!((s.partial_r2_yd - 0.0219).abs() < 5e-4);
/// assert!((s.rv_q - 0.139).abs() < 5e-4);
/// assert!((s.rv_q_alpha - 0.076).abs() < 5e-4);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn ovb_sensitivity(t_value: f64, df: f64, q: f64, alpha: f64) -> Result<OvbSensitivity> {
    let valid = df >= 2.0 && q > 0.0 && alpha > 0.0 && alpha < 1.0 && t_value.is_finite();
    if !valid {
        return Err(CoreError::InvalidParameter(format!(
            "sensitivity needs df ≥ 2, q > 0, 0 < alpha < 1 and a finite t (got df {df}, q {q}, alpha {alpha}, t {t_value})"
        )));
    }
    let rv = |f: f64| 0.5 * ((f.powi(4) + 4.0 * f * f).sqrt() - f * f);
    let fq = q * t_value.abs() / df.sqrt();
    let tdist = StudentsT::new(0.0, 1.0, df - 1.0)
        .map_err(|e| CoreError::Numerical(format!("Student t with {} df: {e}", df - 1.0)))?;
    let f_crit = tdist.inverse_cdf(1.0 - alpha / 2.0).abs() / (df - 1.0).sqrt();
    let fqa = fq - f_crit;
    let rv_q_alpha = if fqa <= 0.0 {
        0.0
    } else if fq > 1.0 / f_crit {
        (fq * fq - f_crit * f_crit) / (1.0 + fq * fq)
    } else {
        rv(fqa)
    };
    Ok(OvbSensitivity {
        t_value,
        df,
        partial_r2_yd: t_value * t_value / (t_value * t_value + df),
        rv_q: rv(fq),
        rv_q_alpha,
        q,
        alpha,
    })
}

/// An estimate adjusted for a hypothetical confounder of given strength.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OvbAdjusted {
    /// Partial R² of the confounder with the outcome (given treatment and covariates).
    pub r2_yz: f64,
    /// Partial R² of the confounder with the treatment (given covariates).
    pub r2_dz: f64,
    /// The bias-adjusted estimate (reduced towards zero).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Its t value.
    pub t_value: f64,
}

/// The estimate, standard error and t value after removing the bias of a confounder with
/// partial R² `r2_yz` (with Y) and `r2_dz` (with D).
///
/// # Formula
///
/// `|bias| = se · √(df · r2_yz · r2_dz / (1 − r2_dz))`;
/// `se' = se · √((1 − r2_yz) / (1 − r2_dz) · df / (df − 1))`.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] for partial R² outside `[0, 1)`.
pub fn ovb_adjusted(
    estimate: f64,
    se: f64,
    df: f64,
    r2_yz: f64,
    r2_dz: f64,
) -> Result<OvbAdjusted> {
    if !(0.0..1.0).contains(&r2_dz) || !(0.0..=1.0).contains(&r2_yz) || df.is_nan() || df <= 1.0 {
        return Err(CoreError::InvalidParameter(format!(
            "partial R² must be in [0, 1) (got r2_yz {r2_yz}, r2_dz {r2_dz}) with df > 1"
        )));
    }
    let bias = se * (df * r2_yz * r2_dz / (1.0 - r2_dz)).sqrt();
    let adj = if estimate >= 0.0 {
        estimate - bias
    } else {
        estimate + bias
    };
    let se_adj = se * ((1.0 - r2_yz) / (1.0 - r2_dz) * df / (df - 1.0)).sqrt();
    Ok(OvbAdjusted {
        r2_yz,
        r2_dz,
        estimate: adj,
        se: se_adj,
        t_value: adj / se_adj,
    })
}

/// Bounds on a confounder `k_d` / `k_y` times as strong as an observed covariate, from that
/// covariate's partial R² with the treatment (`r2_dx`) and with the outcome (`r2_yx`); returns
/// `(r2_dz, r2_yz)`.
///
/// # Formula
///
/// `r2_dz = k_d r2_dx / (1 − r2_dx)`; `η = k_d r2_dx² / ((1 − k_d r2_dx)(1 − r2_dx))`;
/// `r2_yz = min(1, ((√k_y + √η) / √(1 − η))² · r2_yx / (1 − r2_yx))`.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] when the implied `r2_dz ≥ 1` (the benchmark is too strong).
pub fn benchmark_bounds(r2_dx: f64, r2_yx: f64, kd: f64, ky: f64) -> Result<(f64, f64)> {
    let r2_dz = kd * r2_dx / (1.0 - r2_dx);
    if !(0.0..1.0).contains(&r2_dz) {
        return Err(CoreError::InvalidParameter(format!(
            "a confounder {kd} times as strong as the benchmark would explain all of the treatment (r2_dz = {r2_dz})"
        )));
    }
    let eta = kd * r2_dx * r2_dx / ((1.0 - kd * r2_dx) * (1.0 - r2_dx));
    let r2_yz =
        (((ky.sqrt() + eta.sqrt()) / (1.0 - eta).sqrt()).powi(2) * r2_yx / (1.0 - r2_yx)).min(1.0);
    Ok((r2_dz, r2_yz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn darfur_worked_example_to_three_decimals() {
        // sensemakr: partial R2 0.02187309, RV 0.1387764, RV(alpha=0.05) 0.07625797.
        let s = ovb_sensitivity(0.097_315_82 / 0.023_256_54, 783.0, 1.0, 0.05).unwrap();
        assert!(
            (s.partial_r2_yd - 0.021_873_09).abs() < 5e-7,
            "{}",
            s.partial_r2_yd
        );
        assert!((s.rv_q - 0.138_776_4).abs() < 5e-6, "{}", s.rv_q);
        assert!(
            (s.rv_q_alpha - 0.076_257_97).abs() < 5e-6,
            "{}",
            s.rv_q_alpha
        );
    }

    #[test]
    fn a_confounder_at_the_robustness_value_explains_the_estimate_away() {
        let (est, se, df) = (0.5, 0.1, 500.0);
        let s = ovb_sensitivity(est / se, df, 1.0, 0.05).unwrap();
        let adj = ovb_adjusted(est, se, df, s.rv_q, s.rv_q).unwrap();
        assert!(adj.estimate.abs() < 1e-12, "{}", adj.estimate);
        // Half the robustness value for q = 0.5 halves the estimate.
        let h = ovb_sensitivity(est / se, df, 0.5, 0.05).unwrap();
        let adj = ovb_adjusted(est, se, df, h.rv_q, h.rv_q).unwrap();
        assert!((adj.estimate - 0.25).abs() < 1e-12);
    }

    #[test]
    fn benchmark_bounds_grow_with_strength() {
        let (d1, y1) = benchmark_bounds(0.01, 0.1, 1.0, 1.0).unwrap();
        let (d3, y3) = benchmark_bounds(0.01, 0.1, 3.0, 3.0).unwrap();
        assert!((d1 - 0.01 / 0.99).abs() < 1e-15);
        assert!(d3 > d1 && y3 > y1);
        assert!(benchmark_bounds(0.6, 0.1, 2.0, 1.0).is_err());
    }
}
