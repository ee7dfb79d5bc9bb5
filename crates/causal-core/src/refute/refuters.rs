//! Refuters: re-estimate under a change that should (or should not) move the estimate.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::contract::{Fit, ParamGuard};
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::estimate::AteEstimator;
use crate::stats::{mean, normal_p_value, variance};

/// Settings shared by the refuters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefuteParams {
    /// Simulations per refuter (placebos, random causes, subsets, dummy outcomes).
    pub simulations: usize,
    /// Seed.
    pub seed: u64,
    /// Fraction of rows kept by the data-subset refuter.
    pub subset_fraction: f64,
    /// Significance level of the refuters' tests.
    pub alpha: f64,
}

impl Default for RefuteParams {
    fn default() -> Self {
        Self {
            simulations: 20,
            seed: 0,
            subset_fraction: 0.8,
            alpha: 0.05,
        }
    }
}

/// The outcome of one refuter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refutation {
    /// Refuter name.
    pub refuter: String,
    /// The original estimate.
    pub original: f64,
    /// Mean estimate under the refuter.
    pub new_effect: f64,
    /// Standard deviation of the refuter's estimates over simulations.
    pub spread: f64,
    /// p-value of the refuter's test, where it has one.
    pub p_value: Option<f64>,
    /// Whether the estimate survived.
    pub passed: bool,
    /// What was checked, in words.
    pub detail: String,
}

const PLACEBO: &str = "__placebo_treatment";
const RANDOM_CAUSE: &str = "__random_common_cause";
const DUMMY: &str = "__dummy_outcome";

fn check(params: &RefuteParams) -> Result<()> {
    params.check().map(drop)
}

impl ParamGuard for RefuteParams {
    type Checked = Refute;
    type Error = CoreError;

    /// Checks the settings: at least 1 simulation, a subset fraction and a level strictly
    /// between 0 and 1 (a level of 1 or more would flip every verdict).
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming the setting and its allowed range.
    fn check(self) -> Result<Refute> {
        if self.simulations == 0 {
            return Err(CoreError::InvalidParameter(
                "simulations must be at least 1, got 0".into(),
            ));
        }
        if !(self.subset_fraction > 0.0 && self.subset_fraction < 1.0) {
            return Err(CoreError::InvalidParameter(format!(
                "subset fraction must be in (0, 1), got {}",
                self.subset_fraction
            )));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(CoreError::InvalidParameter(format!(
                "alpha must be in (0, 1), got {}",
                self.alpha
            )));
        }
        Ok(Refute { params: self })
    }
}

/// Checked refuter settings: fitting runs every refuter on an estimator ([`refute_all`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Refute {
    params: RefuteParams,
}

/// The verdicts of every refuter, in [`refute_all`]'s order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefuteFit {
    /// One verdict per refuter.
    pub refutations: Vec<Refutation>,
}

impl RefuteFit {
    /// True when every refuter passed.
    pub fn passed(&self) -> bool {
        self.refutations.iter().all(|r| r.passed)
    }
}

impl<'e> Fit<&'e dyn AteEstimator> for Refute {
    type Object = RefuteFit;
    type Error = CoreError;

    /// Runs every refuter on `est` (as [`refute_all`]; a refuter that errors is a failed
    /// verdict, so this returns `Ok` once the settings are checked).
    fn fit(&self, data: &Dataset, est: &'e dyn AteEstimator) -> Result<RefuteFit> {
        Ok(RefuteFit {
            refutations: refute_all(est, data, &self.params),
        })
    }
}

fn rng(params: &RefuteParams, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(params.seed);
    r.set_stream(stream);
    r
}

fn simulate<F>(params: &RefuteParams, salt: u64, f: F) -> Result<Vec<f64>>
where
    F: Fn(&mut ChaCha8Rng) -> Result<f64> + Sync,
{
    (0..params.simulations)
        .into_par_iter()
        .map(|s| f(&mut rng(params, salt * 1_000_003 + s as u64)))
        .collect()
}

/// Test of "the refuter's mean effect is zero" across simulations, with the estimate's own
/// standard error as the scale of one simulation (more conservative than their spread).
fn zero_test(values: &[f64], se: f64) -> f64 {
    let sd = variance(values).sqrt().max(se);
    normal_p_value(mean(values) / (sd / (values.len() as f64).sqrt()))
}

/// The verdict of a refuter whose true effect is zero: it passes when the mean of `values` is
/// not significantly different from zero ([`zero_test`] with the standard error `se`).
fn null_effect_refutation(
    refuter: &str,
    original: f64,
    values: &[f64],
    se: f64,
    alpha: f64,
    detail: String,
) -> Refutation {
    let p_value = zero_test(values, se);
    Refutation {
        refuter: refuter.into(),
        original,
        new_effect: mean(values),
        spread: variance(values).sqrt(),
        p_value: Some(p_value),
        passed: p_value >= alpha,
        detail,
    }
}

/// Placebo treatment: the treatment column is permuted, so the true effect is zero; the
/// refuter passes when the mean placebo estimate is not significantly different from zero.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] for bad settings, and any estimator error.
pub fn placebo_treatment(
    est: &dyn AteEstimator,
    data: &Dataset,
    params: &RefuteParams,
) -> Result<Refutation> {
    check(params)?;
    let original = est.fit(data, ())?;
    let t = data.column(&est.roles().treatment)?.to_vec();
    let placebo = est.with_roles(PLACEBO, &est.roles().outcome);
    let values = simulate(params, 1, |rng| {
        let mut p = t.clone();
        p.shuffle(rng);
        placebo.point(&data.clone().with_column(PLACEBO, p)?)
    })?;
    Ok(null_effect_refutation(
        "placebo_treatment",
        original.ate,
        &values,
        original.se,
        params.alpha,
        format!(
            "treatment permuted {} times; the mean placebo effect should be 0",
            params.simulations
        ),
    ))
}

/// Random common cause: an independent N(0, 1) covariate is added to the adjustment set; the
/// refuter passes when the estimate moves by less than one standard error.
///
/// # Errors
///
/// As [`placebo_treatment`].
pub fn random_common_cause(
    est: &dyn AteEstimator,
    data: &Dataset,
    params: &RefuteParams,
) -> Result<Refutation> {
    check(params)?;
    let original = est.fit(data, ())?;
    let with = est.with_extra_covariate(RANDOM_CAUSE);
    let n = data.n_rows();
    let values = simulate(params, 2, |rng| {
        let w: Vec<f64> = (0..n).map(|_| StandardNormal.sample(rng)).collect();
        with.point(&data.clone().with_column(RANDOM_CAUSE, w)?)
    })?;
    let new = mean(&values);
    let shift = (new - original.ate).abs();
    Ok(Refutation {
        refuter: "random_common_cause".into(),
        original: original.ate,
        new_effect: new,
        spread: variance(&values).sqrt(),
        p_value: None,
        passed: shift < original.se,
        detail: format!(
            "an independent random covariate added {} times; the estimate moved by {:.3}% (|Δ| = {shift:.4} vs SE {:.4})",
            params.simulations,
            100.0 * shift / original.ate.abs().max(f64::MIN_POSITIVE),
            original.se
        ),
    })
}

/// Data subset: re-estimation on random subsets (without replacement); passes when the mean
/// subset estimate is within one standard error of the original.
///
/// # Errors
///
/// As [`placebo_treatment`].
pub fn data_subset(
    est: &dyn AteEstimator,
    data: &Dataset,
    params: &RefuteParams,
) -> Result<Refutation> {
    check(params)?;
    let original = est.fit(data, ())?;
    let n = data.n_rows();
    let k = ((n as f64) * params.subset_fraction).round() as usize;
    let values = simulate(params, 3, |rng| {
        let mut rows: Vec<usize> = (0..n).collect();
        rows.shuffle(rng);
        rows.truncate(k.max(1));
        rows.sort_unstable();
        est.point(&data.take_rows(&rows)?)
    })?;
    let new = mean(&values);
    Ok(Refutation {
        refuter: "data_subset".into(),
        original: original.ate,
        new_effect: new,
        spread: variance(&values).sqrt(),
        p_value: None,
        passed: (new - original.ate).abs() < original.se,
        detail: format!(
            "{} random subsets of {:.0}% of the rows; the estimate should stay within one SE",
            params.simulations,
            100.0 * params.subset_fraction
        ),
    })
}

/// Dummy outcome: the outcome is replaced by independent noise with the outcome's spread, so
/// the true effect is zero; passes when the mean effect is not significantly different from 0.
///
/// # Errors
///
/// As [`placebo_treatment`].
pub fn dummy_outcome(
    est: &dyn AteEstimator,
    data: &Dataset,
    params: &RefuteParams,
) -> Result<Refutation> {
    check(params)?;
    let original = est.fit(data, ())?;
    let sd = variance(data.column(&est.roles().outcome)?).sqrt();
    let dummy = est.with_roles(&est.roles().treatment, DUMMY);
    let n = data.n_rows();
    let fits = (0..params.simulations)
        .into_par_iter()
        .map(|s| {
            let mut r = rng(params, 4 * 1_000_003 + s as u64);
            let y: Vec<f64> = (0..n)
                .map(|_| {
                    sd * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut r)
                })
                .collect();
            dummy.fit(&data.clone().with_column(DUMMY, y)?, ())
        })
        .collect::<Result<Vec<_>>>()?;
    let values: Vec<f64> = fits.iter().map(|f| f.ate).collect();
    let se = mean(&fits.iter().map(|f| f.se).collect::<Vec<_>>());
    Ok(null_effect_refutation(
        "dummy_outcome",
        original.ate,
        &values,
        se,
        params.alpha,
        format!(
            "outcome replaced {} times by independent noise; the mean effect should be 0",
            params.simulations
        ),
    ))
}

/// Runs every refuter; a refuter that errors is recorded as failed with the error as detail.
/// Bad settings make every refuter fail that way: call [`ParamGuard::check`] first to
/// reject them up front.
pub fn refute_all(
    est: &dyn AteEstimator,
    data: &Dataset,
    params: &RefuteParams,
) -> Vec<Refutation> {
    type Refuter = fn(&dyn AteEstimator, &Dataset, &RefuteParams) -> Result<Refutation>;
    let all: [(&str, Refuter); 4] = [
        ("placebo_treatment", placebo_treatment),
        ("random_common_cause", random_common_cause),
        ("data_subset", data_subset),
        ("dummy_outcome", dummy_outcome),
    ];
    all.iter()
        .map(|(name, f)| {
            f(est, data, params).unwrap_or_else(|e| Refutation {
                refuter: (*name).into(),
                original: f64::NAN,
                new_effect: f64::NAN,
                spread: f64::NAN,
                p_value: None,
                passed: false,
                detail: format!("the refuter could not run: {e}"),
            })
        })
        .collect()
}
