//! Several treatments at once, with simultaneous confidence bands from the multiplier
//! bootstrap (Chernozhukov, Chetverikov and Kato 2013), as DoubleML's `confint(joint=True)`.
//!
//! Each treatment gets its own DML fit in which the other treatments join the covariates (as
//! DoubleML treats several `d_cols`), on the same sample splits. The band's critical value is
//! the `level` quantile of `max_j |t*_j|` over bootstrap draws, where
//! `t*_j = Σᵢ ξᵢ φ_ij / (n se_j)` reweights each treatment's influence values `φ_ij` with one
//! shared standard normal draw `ξᵢ` per row, so the maximum carries the treatments'
//! correlation. With several repetitions the critical value is the median of the
//! repetitions' critical values.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Dml, DmlFit, median};
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::stats::quantile;

/// The result of [`Dml::fit_joint`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DmlJointFit {
    /// The treatments, in the order asked.
    pub treatments: Vec<String>,
    /// One fit per treatment (the others among its covariates).
    pub fits: Vec<DmlFit>,
    /// The band's confidence level.
    pub level: f64,
    /// Bootstrap draws per repetition.
    pub bootstrap: usize,
    /// The simultaneous critical value `c` (≥ the pointwise normal quantile).
    pub critical_value: f64,
    /// The pointwise normal quantile at `level`, for comparison.
    pub pointwise_critical_value: f64,
    /// Simultaneous bands `θ_j ± c se_j`, one per treatment.
    pub bands: Vec<[f64; 2]>,
}

impl Dml {
    /// Fits the model for each of `treatments` (the others join the covariates, the sample
    /// splits are shared) and a simultaneous band at `level` from `bootstrap` multiplier
    /// bootstrap draws per repetition.
    ///
    /// # Formula
    ///
    /// `c = quantile_level( max_j |Σᵢ ξᵢ φ_ij| / (n se_j) )` over draws `ξ ~ N(0, I_n)`;
    /// band `θ_j ± c se_j`.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::data::Dataset;
    /// use causal_core::estimate::{DmlParams, ParamGuard};
    ///
    /// let n = 300;
    /// let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0).collect();
    /// let d1: Vec<f64> = (0..n).map(|i| x[i] + ((i * 53) % 97) as f64 / 48.0 - 1.0).collect();
    /// let d2: Vec<f64> = (0..n).map(|i| -x[i] + ((i * 29) % 89) as f64 / 44.0 - 1.0).collect();
    /// let y: Vec<f64> = (0..n)
    ///     .map(|i| d1[i] - 0.5 * d2[i] + x[i] + ((i * 13) % 31) as f64 / 150.0)
    ///     .collect();
    /// let data = Dataset::new(
    ///     vec!["x".into(), "d1".into(), "d2".into(), "y".into()],
    ///     vec![x, d1, d2, y],
    /// )?;
    /// let joint = DmlParams::plr("d1", "y")
    ///     .covariates(&["x"])
    ///     .check()?
    ///     .fit_joint(&data, &["d1", "d2"], 0.95, 500)?;
    /// assert!(joint.critical_value > joint.pointwise_critical_value);
    /// assert!(joint.bands[0][0] < 1.0 && 1.0 < joint.bands[0][1]);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for no treatment, a repeated one, a level outside
    /// (0, 1) or fewer than 10 draws; and every error of [`Dml::fit_dml`], naming the
    /// treatment.
    pub fn fit_joint(
        &self,
        data: &Dataset,
        treatments: &[&str],
        level: f64,
        bootstrap: usize,
    ) -> Result<DmlJointFit> {
        let bad = |m: String| Err(CoreError::InvalidParameter(m));
        if treatments.is_empty() {
            return bad("a joint DML fit needs at least one treatment".into());
        }
        if let Some((i, t)) = treatments
            .iter()
            .enumerate()
            .find(|(i, t)| treatments[..*i].contains(t))
        {
            return bad(format!(
                "treatment '{t}' is listed twice (position {})",
                i + 1
            ));
        }
        if !(level > 0.0 && level < 1.0) {
            return bad(format!("the band's level must lie in (0, 1), got {level}"));
        }
        if bootstrap < 10 {
            return bad(format!(
                "the multiplier bootstrap needs at least 10 draws, got {bootstrap}"
            ));
        }
        let base = &self.params.roles.covariates;
        let mut fits = Vec::with_capacity(treatments.len());
        let mut influence = Vec::with_capacity(treatments.len());
        for t in treatments {
            let mut p = self.params.clone();
            p.roles.treatment = (*t).to_owned();
            p.roles.covariates = base
                .iter()
                .filter(|c| !treatments.contains(&c.as_str()))
                .cloned()
                .chain(
                    treatments
                        .iter()
                        .filter(|o| *o != t)
                        .map(|o| (*o).to_owned()),
                )
                .collect();
            let (fit, phi) = Dml { params: p }.fit_with_influence(data)?;
            fits.push(fit);
            influence.push(phi);
        }
        let n = data.n_rows();
        let repeats = fits[0].all_coef.len();
        let per_rep: Vec<f64> = (0..repeats)
            .map(|r| {
                let mut maxima: Vec<f64> = (0..bootstrap)
                    .into_par_iter()
                    .map(|b| {
                        // One generator per (repetition, draw): the same draws in any thread order.
                        let mut rng = ChaCha8Rng::seed_from_u64(
                            self.params.seed
                                ^ 0xB007_5742_u64.wrapping_mul(r as u64 + 1)
                                ^ (b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                        );
                        let xi: Vec<f64> =
                            (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
                        fits.iter()
                            .zip(&influence)
                            .map(|(f, phi)| {
                                let s: f64 = xi.iter().zip(&phi[r]).map(|(x, p)| x * p).sum();
                                (s / (n as f64 * f.all_se[r])).abs()
                            })
                            .fold(0.0, f64::max)
                    })
                    .collect();
                maxima.sort_by(f64::total_cmp);
                quantile(&maxima, level)
            })
            .collect();
        let critical_value = median(&per_rep);
        let bands = fits
            .iter()
            .map(|f| {
                [
                    f.coef - critical_value * f.se,
                    f.coef + critical_value * f.se,
                ]
            })
            .collect();
        Ok(DmlJointFit {
            treatments: treatments.iter().map(|t| (*t).to_owned()).collect(),
            fits,
            level,
            bootstrap,
            critical_value,
            pointwise_critical_value: crate::stats::normal_quantile_two_sided(level)?,
            bands,
        })
    }
}
