//! Counterfactuals by abduction, action and prediction.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::model::{Intervention, Mechanism, Scm};
use crate::data::Dataset;
use crate::error::{CoreError, Result};

impl Scm {
    /// Counterfactual values of every observed row had `interventions` been in force.
    ///
    /// Abduction recovers each additive-noise node's noise `u = x − f(parents)` from the
    /// observed row; action applies the interventions; prediction recomputes the intervened
    /// nodes' descendants with the recovered noise. Non-descendants keep their observed values.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] when the data lacks a node, [`CoreError::InvalidParameter`]
    /// when a descendant of an intervened node has a non-additive mechanism (its noise cannot
    /// be recovered) or when a stochastic policy is asked for (it has no unit-level
    /// counterfactual).
    pub fn counterfactual(
        &self,
        observed: &Dataset,
        interventions: &[(&str, Intervention)],
    ) -> Result<Dataset> {
        let after = self.intervene(interventions)?;
        let p = self.nodes().len();
        let cols = self
            .names()
            .iter()
            .map(|n| observed.column(n))
            .collect::<Result<Vec<_>>>()?;
        // Which nodes change: the intervened ones and their descendants in the new model.
        let mut changed = vec![false; p];
        for (name, iv) in interventions {
            if matches!(iv, Intervention::Policy { .. }) {
                return Err(CoreError::InvalidParameter(format!(
                    "a stochastic policy on '{name}' has no unit-level counterfactual"
                )));
            }
            changed[self.node_index(name)?] = true;
        }
        for &j in after.order() {
            if !changed[j] {
                let reads_changed = after.nodes()[j]
                    .parents
                    .iter()
                    .any(|pa| self.node_index(pa).is_ok_and(|k| changed[k]));
                changed[j] = reads_changed;
            }
        }
        for j in 0..p {
            let intervened_hard =
                matches!(after.nodes()[j].intervention, Some(Intervention::Hard(_)));
            if changed[j]
                && !intervened_hard
                && matches!(self.nodes()[j].mechanism, Mechanism::General(_))
            {
                return Err(CoreError::InvalidParameter(format!(
                    "node '{}' has a non-additive mechanism, so its noise cannot be recovered for a counterfactual",
                    self.nodes()[j].name
                )));
            }
        }
        let n = observed.n_rows();
        let mut out = vec![vec![0.0; n]; p];
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut row = vec![0.0; p];
        let mut cf = vec![0.0; p];
        for r in 0..n {
            for j in 0..p {
                row[j] = cols[j][r];
            }
            cf.copy_from_slice(&row);
            for &j in after.order() {
                if !changed[j] {
                    continue;
                }
                // Abduction on the factual row (additive: u = x - f(parents)).
                let u = match &self.nodes()[j].mechanism {
                    Mechanism::Additive(f) => row[j] - f(&self.parent_values(j, &row)?),
                    Mechanism::General(_) => 0.0, // hard-intervened: u is not used
                };
                cf[j] = after.evaluate(j, &cf, u, &mut rng)?;
            }
            for j in 0..p {
                out[j][r] = cf[j];
            }
        }
        Dataset::new(self.names(), out)
    }
}
