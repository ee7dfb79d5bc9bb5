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
    fn mismatched_lengths_are_rejected() {
        assert!(sqrt_pehe(&[1.0], &[]).is_err());
        assert!(ate_error(&[], &[]).is_err());
    }
}
