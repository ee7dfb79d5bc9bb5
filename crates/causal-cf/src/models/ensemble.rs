//! Seed ensembles: one model kind fit with several seeds, predictions averaged.
//!
//! Neural effect estimators land in different local optima from seed to seed, and on IHDP the
//! spread between seeds is as large as the gap between models. Averaging the members' ŷ(0),
//! ŷ(1) never does worse on average than the members do: by convexity, the ensemble's ε_ATE
//! and squared PEHE are at most the mean of the members'.

use causal_core::data::{ColumnRoles, Dataset};
use causal_torch::trainer::History;

use super::{IteModel, PotentialOutcomes};
use crate::error::{CfError, Result};

/// Fitted members of one kind with seeds `s, s + 1, …`; [`IteModel`] averages them.
pub struct Ensemble {
    members: Vec<Box<dyn IteModel>>,
    name: String,
}

impl std::fmt::Debug for Ensemble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ensemble")
            .field("name", &self.name)
            .field("members", &self.members.len())
            .finish()
    }
}

impl Ensemble {
    /// Wraps fitted members of equal covariate width.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidParameter`] for no members or members of different widths.
    pub fn new(members: Vec<Box<dyn IteModel>>) -> Result<Self> {
        let Some(first) = members.first() else {
            return Err(CfError::InvalidParameter(
                "an ensemble needs a member".into(),
            ));
        };
        if let Some(m) = members.iter().find(|m| m.dim() != first.dim()) {
            return Err(CfError::InvalidParameter(format!(
                "ensemble members differ in width: {} has {} covariates, {} has {}",
                first.name(),
                first.dim(),
                m.name(),
                m.dim()
            )));
        }
        let name = format!("{} ×{}", first.name(), members.len());
        Ok(Self { members, name })
    }

    /// The fitted members.
    pub fn members(&self) -> &[Box<dyn IteModel>] {
        &self.members
    }
}

fn average(parts: &[Vec<f64>]) -> Vec<f64> {
    let k = parts.len() as f64;
    let mut out = vec![0.0; parts.first().map_or(0, Vec::len)];
    for p in parts {
        for (o, v) in out.iter_mut().zip(p) {
            *o += v / k;
        }
    }
    out
}

impl IteModel for Ensemble {
    fn name(&self) -> &str {
        &self.name
    }

    fn dim(&self) -> usize {
        self.members[0].dim()
    }

    fn predict(&self, data: &Dataset, roles: &ColumnRoles) -> Result<PotentialOutcomes> {
        let po: Vec<PotentialOutcomes> = self
            .members
            .iter()
            .map(|m| m.predict(data, roles))
            .collect::<Result<_>>()?;
        let (y0, y1): (Vec<Vec<f64>>, Vec<Vec<f64>>) = po.into_iter().map(|p| (p.y0, p.y1)).unzip();
        Ok(PotentialOutcomes {
            y0: average(&y0),
            y1: average(&y1),
        })
    }

    /// The mixture: draw j of each row comes from member j mod k.
    fn sample_do(
        &self,
        data: &Dataset,
        roles: &ColumnRoles,
        treated: bool,
        n_samples: usize,
        seed: u64,
    ) -> Result<Vec<Vec<f64>>> {
        let k = self.members.len();
        let draws: Vec<Vec<Vec<f64>>> = self
            .members
            .iter()
            .enumerate()
            .map(|(j, m)| {
                m.sample_do(
                    data,
                    roles,
                    treated,
                    n_samples.div_ceil(k),
                    seed.wrapping_add(j as u64),
                )
            })
            .collect::<Result<_>>()?;
        let rows = draws[0].len();
        Ok((0..rows)
            .map(|r| (0..n_samples).map(|s| draws[s % k][r][s / k]).collect())
            .collect())
    }

    /// The members' mean propensity, when every member has a propensity head.
    fn propensity(&self, data: &Dataset, roles: &ColumnRoles) -> Result<Option<Vec<f64>>> {
        let parts: Option<Vec<Vec<f64>>> = self
            .members
            .iter()
            .map(|m| m.propensity(data, roles))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .collect();
        Ok(parts.map(|p| average(&p)))
    }

    /// The first member's history.
    fn history(&self) -> &History {
        self.members[0].history()
    }
}
