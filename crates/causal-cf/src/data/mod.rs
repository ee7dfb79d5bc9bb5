//! Observational data for individual-effect estimation, the IHDP benchmark and its split
//! protocol. A table is a [`Dataset`](causal_core::data::Dataset) with
//! [`ColumnRoles`](causal_core::data::ColumnRoles) naming the treatment, the outcome and the
//! covariates; a simulated one comes as an [`IteSample`], with its [`Truth`].

mod ihdp;
mod sample;
mod split;
mod surface_b;
pub(crate) mod units;

pub use ihdp::{load_npci, parse_npci};
pub use sample::IteSample;
pub use split::{Split, cevae_split, holdout_split, kfold};
pub use surface_b::{SurfaceB, simulate_surface_b};

use crate::error::{CfError, Result};

/// The noiseless potential-outcome means (and optionally the realized counterfactual) of a
/// simulated data set: what makes √PEHE and the true policy value computable.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    /// E[Y(0) | x] per unit.
    pub mu0: Vec<f64>,
    /// E[Y(1) | x] per unit.
    pub mu1: Vec<f64>,
    /// The realized counterfactual outcome, where known.
    pub y_cf: Option<Vec<f64>>,
}

/// Checks that `t` is 0/1 with at least `needed` units per arm.
pub(crate) fn check_treatment(column: &str, t: &[f64], needed: usize) -> Result<()> {
    if let Some(i) = t.iter().position(|&v| v != 0.0 && v != 1.0) {
        return Err(CfError::NonBinaryTreatment {
            column: column.into(),
            row: i + 1,
            value: t[i],
        });
    }
    let treated = t.iter().filter(|&&v| v == 1.0).count();
    for (group, count) in [("treated", treated), ("control", t.len() - treated)] {
        if count < needed {
            return Err(CfError::TooFewUnits {
                group,
                count,
                needed,
            });
        }
    }
    Ok(())
}

/// Checks that every value of `v` is finite, naming the column and the (1-based) row.
pub(crate) fn check_finite(column: &str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(CfError::BadValue {
            row: i + 1,
            column: column.into(),
            value: v[i],
        }),
        None => Ok(()),
    }
}
