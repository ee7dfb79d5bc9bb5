//! Bootstrap intervals for the DR- and R-learners' flexible final stage (an MLP, a forest),
//! whose per-unit effects have no closed-form standard error.

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{CoreError, Result};
use crate::learner::{Fitted, Learner};

/// Per-row bootstrap standard errors and percentile intervals of the final stage's effects.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Bands {
    pub(super) se: Vec<f64>,
    pub(super) ci: Vec<[f64; 2]>,
    /// The standard deviation of the replicates' mean effect.
    pub(super) mean_se: f64,
}

/// The regression a flexible final stage runs: a pseudo-outcome, optional row weights, and
/// what to call it in errors.
#[derive(Clone, Copy)]
pub(super) struct StageTarget<'a> {
    pub(super) values: &'a [f64],
    pub(super) weights: Option<&'a [f64]>,
    pub(super) name: &'a str,
}

impl StageTarget<'_> {
    /// Fits `stage` on `rows` of `features`, weighted when the target has weights.
    pub(super) fn fit(
        &self,
        stage: &dyn Learner,
        features: &DMatrix<f64>,
        rows: &[usize],
        label: &str,
    ) -> Result<Box<dyn Fitted>> {
        match self.weights {
            Some(w) => stage.fit_weighted(features, self.values, w, rows, label),
            None => stage.fit(features, self.values, rows, label),
        }
    }
}

/// Refits `stage` on `replicates` resamples of the rows of (`features`, `target`) and reads
/// each row's effect across the refits.
///
/// # Formula
///
/// The pairs bootstrap of the second stage: replicate `r` draws `n` rows with replacement
/// (ChaCha8 seeded by `seed`, stream `r + 1`), regresses the pseudo-outcomes `φ` of those rows
/// on their features (weighted by the rows' weights, for the R-learner), and predicts every
/// row: `τ̂⁽ʳ⁾(vᵢ)`. The standard error of row `i` is the
/// standard deviation of `τ̂⁽¹⁾(vᵢ), …, τ̂⁽ᴮ⁾(vᵢ)` (divisor `B − 1`), its interval their
/// `(1 − level)/2` and `(1 + level)/2` quantiles (linear interpolation, NumPy's default);
/// `mean_se` is the standard deviation of the replicates' mean effect `Σᵢ τ̂⁽ʳ⁾(vᵢ) / n`. The
/// cross-fitted nuisances behind `φ` are held fixed, so the bands leave out their estimation
/// error, which the orthogonal pseudo-outcome makes second order. Replicates run in parallel;
/// each has its own random stream, so the result does not depend on the thread count.
///
/// # Errors
///
/// The stage's own errors; [`CoreError::Numerical`] for a non-finite prediction.
pub(super) fn bootstrap_bands(
    stage: &dyn Learner,
    features: &DMatrix<f64>,
    target: StageTarget<'_>,
    replicates: usize,
    seed: u64,
    level: f64,
) -> Result<Bands> {
    let n = target.values.len();
    let label = format!("a bootstrap of {}", target.name);
    let all: Vec<usize> = (0..n).collect();
    let draws: Vec<Result<Vec<f64>>> = (0..replicates)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(r as u64 + 1);
            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let fitted = target.fit(stage, features, &rows, &label)?;
            let pred = fitted.predict(features, &all);
            if pred.iter().any(|v| !v.is_finite()) {
                return Err(CoreError::Numerical(format!(
                    "bootstrap replicate {} of the final stage on {} predicted a non-finite \
                     effect",
                    r + 1,
                    target.name
                )));
            }
            Ok(pred)
        })
        .collect();
    let draws = draws.into_iter().collect::<Result<Vec<_>>>()?;
    let b = replicates as f64;
    let means: Vec<f64> = draws
        .iter()
        .map(|d| d.iter().sum::<f64>() / n as f64)
        .collect();
    let grand = means.iter().sum::<f64>() / b;
    let mean_se = (means.iter().map(|m| (m - grand).powi(2)).sum::<f64>() / (b - 1.0)).sqrt();
    let (lo, hi) = ((1.0 - level) / 2.0, (1.0 + level) / 2.0);
    let mut se = Vec::with_capacity(n);
    let mut ci = Vec::with_capacity(n);
    let mut row = vec![0.0; replicates];
    for i in 0..n {
        for (v, d) in row.iter_mut().zip(&draws) {
            *v = d[i];
        }
        let mean = row.iter().sum::<f64>() / b;
        se.push((row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (b - 1.0)).sqrt());
        row.sort_by(f64::total_cmp);
        ci.push([quantile(&row, lo), quantile(&row, hi)]);
    }
    Ok(Bands { se, ci, mean_se })
}

/// The `q` quantile of sorted values, interpolating linearly between order statistics.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (k, frac) = (pos.floor() as usize, pos.fract());
    match sorted.get(k + 1) {
        Some(next) => sorted[k] + frac * (next - sorted[k]),
        None => sorted[k],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_as_numpy() {
        // numpy.quantile([1, 2, 3, 4], [0.025, 0.5, 0.975]) = [1.075, 2.5, 3.925]
        let v = [1.0, 2.0, 3.0, 4.0];
        for (q, want) in [(0.025, 1.075), (0.5, 2.5), (0.975, 3.925), (1.0, 4.0)] {
            assert!((quantile(&v, q) - want).abs() < 1e-12, "{q}");
        }
    }
}
