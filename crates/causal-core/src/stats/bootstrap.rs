//! The seeded nonparametric bootstrap, parallel over resamples with output identical to serial.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// Bootstrap settings: number of resamples, seed, confidence level, parallelism.
///
/// Resample `b` draws its rows from ChaCha8 seeded with `seed` on stream `b`, so every
/// resample is the same whether resamples run in parallel, serially, or in any order.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// Number of resamples.
    pub resamples: usize,
    /// Seed of the resampling.
    pub seed: u64,
    /// Confidence level of the percentile interval.
    pub level: f64,
    /// Run resamples on the rayon pool.
    pub parallel: bool,
}

/// What a bootstrap produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BootstrapSummary {
    /// Number of resamples requested.
    pub resamples: usize,
    /// Seed used.
    pub seed: u64,
    /// Confidence level.
    pub level: f64,
    /// Mean of the resampled estimates.
    pub mean: f64,
    /// Standard deviation of the resampled estimates (the bootstrap standard error).
    pub se: f64,
    /// Percentile interval.
    pub ci: [f64; 2],
    /// Resamples on which the estimator failed (a resample without treated units, say);
    /// they are left out of the summary.
    pub failed: usize,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Self {
            resamples: 1000,
            seed: 0,
            level: 0.95,
            parallel: true,
        }
    }
}

/// Row indices of resample `b` of `n` rows under `seed` (drawn with replacement).
pub fn resample_indices(n: usize, seed: u64, b: usize) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(b as u64);
    (0..n).map(|_| rng.random_range(0..n)).collect()
}

impl Bootstrap {
    /// Settings with `resamples` and `seed`, 95% level, parallel.
    pub fn new(resamples: usize, seed: u64) -> Self {
        Self {
            resamples,
            seed,
            ..Self::default()
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for fewer than 2 resamples or a level outside (0, 1).
    pub fn check(&self) -> Result<()> {
        if self.resamples < 2 {
            return Err(CoreError::InvalidParameter(format!(
                "the bootstrap needs at least 2 resamples, got {}",
                self.resamples
            )));
        }
        super::normal_quantile_two_sided(self.level).map(|_| ())
    }

    /// Runs `statistic` on every resample of `n` rows and summarises.
    ///
    /// # Errors
    ///
    /// As [`Bootstrap::check`], [`CoreError::Numerical`] when more than half of the resamples
    /// fail (the first failure is quoted).
    pub fn run<F>(&self, n: usize, statistic: F) -> Result<BootstrapSummary>
    where
        F: Fn(&[usize]) -> Result<f64> + Sync,
    {
        self.check()?;
        let one = |b: usize| statistic(&resample_indices(n, self.seed, b));
        let results: Vec<Result<f64>> = if self.parallel {
            (0..self.resamples).into_par_iter().map(one).collect()
        } else {
            (0..self.resamples).map(one).collect()
        };
        let mut values = Vec::with_capacity(results.len());
        let mut first_err = None;
        for r in results {
            match r {
                Ok(v) if v.is_finite() => values.push(v),
                Ok(v) => {
                    first_err.get_or_insert_with(|| format!("estimate {v} is not finite"));
                }
                Err(e) => {
                    first_err.get_or_insert_with(|| e.to_string());
                }
            }
        }
        let failed = self.resamples - values.len();
        if values.len() < 2 || failed * 2 > self.resamples {
            return Err(CoreError::Numerical(format!(
                "{failed} of {} bootstrap resamples failed; first: {}",
                self.resamples,
                first_err.unwrap_or_default()
            )));
        }
        let mean = super::mean(&values);
        let se = super::variance(&values).sqrt();
        values.sort_by(f64::total_cmp);
        let alpha = 1.0 - self.level;
        Ok(BootstrapSummary {
            resamples: self.resamples,
            seed: self.seed,
            level: self.level,
            mean,
            se,
            ci: [
                quantile(&values, alpha / 2.0),
                quantile(&values, 1.0 - alpha / 2.0),
            ],
            failed,
        })
    }
}

/// Linearly interpolated quantile of sorted values (R's type 7, numpy's default).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_equals_serial() {
        let x: Vec<f64> = (0..200).map(|i| (i as f64 * 0.37).sin()).collect();
        let stat = |rows: &[usize]| Ok(rows.iter().map(|&i| x[i]).sum::<f64>() / rows.len() as f64);
        let par = Bootstrap::new(64, 7).run(x.len(), stat).unwrap();
        let ser = Bootstrap {
            parallel: false,
            ..Bootstrap::new(64, 7)
        }
        .run(x.len(), stat)
        .unwrap();
        assert_eq!(par, ser);
        let other = Bootstrap::new(64, 8).run(x.len(), stat).unwrap();
        assert_ne!(par.mean, other.mean);
    }

    #[test]
    fn quantile_interpolates() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), 2.0);
        assert_eq!(quantile(&[1.0, 2.0], 0.5), 1.5);
        // numpy.quantile([1, 2, 3, 4], 0.95) = 3.85
        assert!((quantile(&[1.0, 2.0, 3.0, 4.0], 0.95) - 3.85).abs() < 1e-12);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.0), 1.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 1.0), 4.0);
    }

    #[test]
    fn too_few_resamples_is_an_error() {
        assert!(Bootstrap::new(1, 0).run(10, |_| Ok(0.0)).is_err());
    }
}
