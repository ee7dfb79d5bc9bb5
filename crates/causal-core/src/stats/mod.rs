//! Statistical building blocks shared by the estimators, refuters and graph tests:
//! least squares, logistic regression, seeded bootstrap, conditional-independence tests and
//! multiple-testing corrections.

mod bootstrap;
mod citest;
mod design;
mod logistic;
mod multiple;
mod ols;

pub(crate) use bootstrap::quantile;
pub use bootstrap::{Bootstrap, BootstrapSummary, resample_indices};
pub use citest::{
    CiTestKind, CiTestResult, chi_square_test, fisher_z_p_value, fisher_z_test,
    fisher_z_test_missing, partial_correlation,
};
pub use design::Design;
pub use logistic::{LogisticFit, logistic_fit};
pub use multiple::{Correction, adjust_p_values};
pub use ols::{OlsFit, ols_fit};

use statrs::distribution::{ContinuousCDF, Normal};

/// The two-sided normal critical value for confidence `level` (1.959964 for 0.95).
///
/// # Errors
///
/// [`crate::CoreError::InvalidParameter`] unless `0 < level < 1`.
pub fn normal_quantile_two_sided(level: f64) -> crate::Result<f64> {
    if !(level > 0.0 && level < 1.0) {
        return Err(crate::CoreError::InvalidParameter(format!(
            "confidence level {level} is not strictly between 0 and 1"
        )));
    }
    Ok(std_normal().inverse_cdf(0.5 + level / 2.0))
}

/// Two-sided p-value of a z statistic.
pub fn normal_p_value(z: f64) -> f64 {
    2.0 * (1.0 - std_normal().cdf(z.abs()))
}

fn std_normal() -> Normal {
    // Mean 0 and sd 1 are valid parameters, so this cannot fail.
    Normal::standard()
}

/// The logistic function, computed without overflow.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Mean of a slice (0 for an empty slice).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Sample variance with denominator `n - 1` (0 for fewer than two values).
pub fn variance(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64
}
