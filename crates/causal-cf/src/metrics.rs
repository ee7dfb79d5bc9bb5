//! Evaluation metrics of individual-effect estimators (Hill 2011; Shalit et al. 2017).

use crate::error::{CfError, Result};

fn check(true_ite: &[f64], est_ite: &[f64]) -> Result<()> {
    if true_ite.is_empty() || true_ite.len() != est_ite.len() {
        return Err(CfError::Shape(format!(
            "{} true effects against {} estimates",
            true_ite.len(),
            est_ite.len()
        )));
    }
    Ok(())
}

/// Root of the precision in estimating heterogeneous effects.
///
/// # Formula
///
/// √PEHE = √( (1/n) Σᵢ (τ̂ᵢ − τᵢ)² )
///
/// # Errors
///
/// [`CfError::Shape`] for empty or unequal inputs.
pub fn sqrt_pehe(true_ite: &[f64], est_ite: &[f64]) -> Result<f64> {
    check(true_ite, est_ite)?;
    let sq: f64 = true_ite
        .iter()
        .zip(est_ite)
        .map(|(t, e)| (e - t).powi(2))
        .sum();
    Ok((sq / true_ite.len() as f64).sqrt())
}

/// Absolute error of the average treatment effect.
///
/// # Formula
///
/// ε_ATE = | (1/n) Σᵢ τ̂ᵢ − (1/n) Σᵢ τᵢ |
///
/// # Errors
///
/// [`CfError::Shape`] for empty or unequal inputs.
pub fn ate_error(true_ite: &[f64], est_ite: &[f64]) -> Result<f64> {
    check(true_ite, est_ite)?;
    let n = true_ite.len() as f64;
    Ok((est_ite.iter().sum::<f64>() / n - true_ite.iter().sum::<f64>() / n).abs())
}

/// A mean with its standard error, e.g. a metric over replications.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeanSe {
    /// The mean.
    pub mean: f64,
    /// Its standard error, sd / √n (0 for a single value).
    pub se: f64,
}

impl std::fmt::Display for MeanSe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = f.precision().unwrap_or(2);
        write!(f, "{:.p$} ± {:.p$}", self.mean, self.se)
    }
}

/// Mean and standard error of the mean.
///
/// # Formula
///
/// m = (1/n) Σ vᵢ,  SE = √( Σ (vᵢ − m)² / (n − 1) ) / √n
///
/// # Errors
///
/// [`CfError::Shape`] for no values.
pub fn mean_se(values: &[f64]) -> Result<MeanSe> {
    if values.is_empty() {
        return Err(CfError::Shape("no values to summarize".into()));
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let se = if values.len() < 2 {
        0.0
    } else {
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() / n.sqrt()
    };
    Ok(MeanSe { mean, se })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_shift_has_equal_pehe_and_ate_error() {
        let t = [0.5, -1.0, 2.0, 4.0];
        let e: Vec<f64> = t.iter().map(|v| v + 0.3).collect();
        assert!((sqrt_pehe(&t, &e).unwrap() - 0.3).abs() < 1e-12);
        assert!((ate_error(&t, &e).unwrap() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn mean_se_of_known_values() {
        let m = mean_se(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(m.mean, 2.5);
        assert!((m.se - (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-12);
        assert_eq!(format!("{m:.1}"), "2.5 ± 0.6");
        assert!(mean_se(&[]).is_err());
    }

    #[test]
    fn mismatched_lengths_are_rejected() {
        assert!(sqrt_pehe(&[1.0], &[]).is_err());
        assert!(ate_error(&[], &[]).is_err());
    }
}
