//! The documented structural causal model used by the demo's smoke section.
//!
//! ```text
//! Z ~ N(0, 1)
//! X = 0.8 Z + N(0, 1)
//! Y = 2 X + 1.5 Z + N(0, 1)        true effect of X on Y: 2
//! ```
//! Z confounds X and Y, so the naive regression of Y on X is biased
//! (its slope is 2 + 1.5·0.8/1.64 ≈ 2.73) while adjusting for Z recovers 2.

use causal::core::data::Dataset;
use causal::core::stats::{Design, ols_fit};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::Result;

/// The true average effect of X on Y.
pub const TRUE_EFFECT: f64 = 2.0;

/// Samples `n` rows of (Z, X, Y).
pub fn confounded(n: usize, seed: u64) -> Result<Dataset> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut noise = || -> f64 { StandardNormal.sample(&mut rng) };
    let (mut z, mut x, mut y) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for _ in 0..n {
        let zi = noise();
        let xi = 0.8 * zi + noise();
        let yi = TRUE_EFFECT * xi + 1.5 * zi + noise();
        z.push(zi);
        x.push(xi);
        y.push(yi);
    }
    Ok(Dataset::new(
        vec!["Z".into(), "X".into(), "Y".into()],
        vec![z, x, y],
    )?)
}

/// The OLS coefficient of X in `Y ~ 1 + regressors` (which must include X).
pub fn effect_of_x(data: &Dataset, regressors: &[&str]) -> Result<f64> {
    let design = Design::from_data(data, regressors, true)?;
    Ok(ols_fit(&design, data.column("Y")?)?.coef_of("X")?)
}
