//! Cross-fitting: out-of-fold potential outcomes and propensities, so that every unit's
//! doubly-robust term uses models that never saw it.

use causal_core::data::{ColumnRoles, Dataset};

use super::{FitOptions, ModelKind, PotentialOutcomes, Propensity, fit_model_with};
use crate::data::{holdout_split, kfold};
use crate::error::Result;

/// Out-of-fold predictions for every unit of a data set.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossFit {
    /// ŷᵢ(0), ŷᵢ(1) from the model fit without unit i's fold.
    pub po: PotentialOutcomes,
    /// êᵢ = P(t = 1 | xᵢ) from the same model's propensity head, or from a logistic
    /// regression fit on the same folds when the model has none.
    pub propensity: Vec<f64>,
}

/// Fits `kind` `folds` times on the rows of `data` read through `roles` (treatment, outcome,
/// covariates), each time on all folds but one (less a `valid_fraction` share held out for
/// early stopping), and predicts the left-out fold.
///
/// Feed the result to [`crate::policy::dr_policy_value`] or [`crate::policy::aipw_ate`]: the
/// doubly-robust estimates then rest on nuisance models independent of each unit's outcome.
///
/// # Examples
///
/// ```
/// use causal_cf::models::{FitOptions, ModelKind, cross_fit};
/// use causal_core::data::{ColumnRoles, Dataset};
///
/// let a: Vec<f64> = (0..60).map(|i| (i % 7) as f64 / 7.0).collect();
/// let b: Vec<f64> = (0..60).map(|i| (i % 2) as f64).collect();
/// let t: Vec<f64> = (0..60).map(|i| ((i / 2) % 2) as f64).collect();
/// let y: Vec<f64> = a.iter().zip(&t).map(|(a, t)| a + 2.0 * t).collect();
/// let data = Dataset::new(vec!["a".into(), "b".into(), "t".into(), "y".into()], vec![a, b, t, y])?;
/// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["a", "b"]);
/// let options = FitOptions { seed: 1, quiet: true, epochs: Some(5), ..FitOptions::default() };
/// let cf = cross_fit(ModelKind::Tarnet, &data, &roles, 3, 0.3, &options)?;
/// assert_eq!((cf.po.y0.len(), cf.propensity.len()), (60, 60));
/// # Ok::<(), causal_cf::CfError>(())
/// ```
///
/// # Errors
///
/// [`crate::CfError::InvalidParameter`] for fewer than 2 folds, more folds than units or a
/// validation share outside [0, 1); every error of the model's fit, e.g.
/// [`crate::CfError::TooFewUnits`] when a training part lacks treated or control units.
pub fn cross_fit(
    kind: ModelKind,
    data: &Dataset,
    roles: &ColumnRoles,
    folds: usize,
    valid_fraction: f64,
    options: &FitOptions,
) -> Result<CrossFit> {
    let n = data.n_rows();
    let parts = kfold(n, folds, options.seed)?;
    let (mut y0, mut y1, mut e) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for (k, fold) in parts.iter().enumerate() {
        let rest: Vec<usize> = (0..n).filter(|i| fold.binary_search(i).is_err()).collect();
        let seed = options.seed.wrapping_add(k as u64);
        let (kept, held) = holdout_split(rest.len(), valid_fraction, seed)?;
        let pick = |idx: &[usize]| idx.iter().map(|&j| rest[j]).collect::<Vec<_>>();
        let train = data.take_rows(&pick(&kept))?;
        let valid = if held.len() >= 2 {
            Some(data.take_rows(&pick(&held))?)
        } else {
            None
        };
        let test = data.take_rows(fold)?;
        let fold_options = FitOptions {
            seed,
            ..options.clone()
        };
        let model = fit_model_with(kind, &train, roles, valid.as_ref(), &fold_options)?;
        let po = model.predict(&test, roles)?;
        let ps = match model.propensity(&test, roles)? {
            Some(p) => p,
            None => Propensity::fit(&train, roles, valid.as_ref(), seed)?.predict(&test, roles)?,
        };
        for (j, &i) in fold.iter().enumerate() {
            y0[i] = po.y0[j];
            y1[i] = po.y1[j];
            e[i] = ps[j];
        }
    }
    Ok(CrossFit {
        po: PotentialOutcomes { y0, y1 },
        propensity: e,
    })
}
