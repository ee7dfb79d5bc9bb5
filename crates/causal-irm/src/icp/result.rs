//! The fitted ICP result.

use serde::Serialize;

use super::params::IcpTest;

/// The test of one subset `S` of predictors.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SetTest {
    /// Indices into [`IcpFit::predictors`], increasing.
    pub set: Vec<usize>,
    /// Bonferroni-corrected p-value of invariance of `Y | X_S`.
    pub p_value: f64,
    /// Whether invariance was accepted (`p_value > alpha`).
    pub accepted: bool,
    /// Pooled OLS coefficients of the predictors in `set`, in order.
    pub coefficients: Vec<f64>,
    /// Pooled OLS intercept.
    pub intercept: f64,
    /// For an accepted set: the `(low, high)` interval of each coefficient in `set`.
    pub intervals: Option<Vec<(f64, f64)>>,
}

/// The result of Invariant Causal Prediction for one target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IcpFit {
    /// The target's name.
    pub target: String,
    /// Candidate predictors' names (before pre-selection).
    pub predictors: Vec<String>,
    /// Indices of the predictors kept by pre-selection (all of them without pre-selection).
    pub selected: Vec<usize>,
    /// The test used.
    pub test: IcpTest,
    /// The level.
    pub alpha: f64,
    /// Number of environments.
    pub n_environments: usize,
    /// Every tested subset, by size and then lexicographically (as `itertools.combinations`).
    pub tests: Vec<SetTest>,
    /// Indices (into [`IcpFit::tests`]) of the accepted subsets.
    pub accepted: Vec<usize>,
    /// The estimated causal predictors: the intersection of accepted subsets (empty if none).
    pub estimate: Vec<usize>,
    /// Per predictor: the largest p-value of a tested set that excludes it (1 when every set
    /// is rejected). Small values mean the predictor is needed for invariance.
    pub p_values: Vec<f64>,
    /// Per predictor `(low, high)`: the union over accepted sets of the coefficient's interval
    /// (a set without the predictor contributes 0). `None` when every set is rejected.
    pub intervals: Option<Vec<(f64, f64)>>,
    /// True when every tested set was rejected: no linear invariant model fits, e.g. hidden
    /// confounding, interventions on the target, or non-linearity.
    pub model_rejected: bool,
}

impl IcpFit {
    /// Names of the estimated causal predictors.
    pub fn estimate_names(&self) -> Vec<&str> {
        self.estimate
            .iter()
            .map(|&j| self.predictors[j].as_str())
            .collect()
    }

    /// The accepted subsets as lists of predictor names.
    pub fn accepted_names(&self) -> Vec<Vec<&str>> {
        self.accepted
            .iter()
            .map(|&t| {
                self.tests[t]
                    .set
                    .iter()
                    .map(|&j| self.predictors[j].as_str())
                    .collect()
            })
            .collect()
    }

    /// A JSON summary keyed by predictor names (used by the CLI).
    pub fn to_json(&self) -> serde_json::Value {
        let name = |j: &usize| self.predictors[*j].clone();
        let per_var: serde_json::Map<String, serde_json::Value> = self
            .predictors
            .iter()
            .enumerate()
            .map(|(j, n)| {
                let ci = self
                    .intervals
                    .as_ref()
                    .map(|iv| serde_json::json!([iv[j].0, iv[j].1]));
                (
                    n.clone(),
                    serde_json::json!({"p_value": self.p_values[j], "interval": ci,
                                       "selected": self.selected.contains(&j),
                                       "causal": self.estimate.contains(&j)}),
                )
            })
            .collect();
        serde_json::json!({
            "target": self.target,
            "test": self.test,
            "alpha": self.alpha,
            "environments": self.n_environments,
            "estimate": self.estimate.iter().map(name).collect::<Vec<_>>(),
            "model_rejected": self.model_rejected,
            "accepted_sets": self.accepted_names(),
            "predictors": per_var,
            "sets": self.tests.iter().map(|t| serde_json::json!({
                "set": t.set.iter().map(name).collect::<Vec<_>>(),
                "p_value": t.p_value,
                "accepted": t.accepted,
            })).collect::<Vec<_>>(),
        })
    }
}
