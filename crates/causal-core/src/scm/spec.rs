//! A JSON format for linear-Gaussian and logistic-binary SCMs, so models can be written by hand.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::linear::LinearGaussianScm;
use super::model::{Mechanism, Noise, Scm};
use crate::error::{CoreError, Result};
use crate::stats::sigmoid;

/// How a node is generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// `X = intercept + Σ coef·parent + N(0, sd²)`.
    Gaussian,
    /// `X ~ Bernoulli(σ(intercept + Σ coef·parent))`, coded 0/1.
    Binary,
}

/// One node of an [`ScmSpec`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Name.
    pub name: String,
    /// `gaussian` (default) or `binary`.
    #[serde(default = "default_kind", rename = "type")]
    pub kind: NodeKind,
    /// Intercept (default 0).
    #[serde(default)]
    pub intercept: f64,
    /// Noise standard deviation of a Gaussian node (default 1).
    #[serde(default = "default_sd")]
    pub sd: f64,
    /// Parent name → coefficient.
    #[serde(default)]
    pub parents: BTreeMap<String, f64>,
}

fn default_kind() -> NodeKind {
    NodeKind::Gaussian
}

fn default_sd() -> f64 {
    1.0
}

/// An SCM written by hand:
///
/// ```json
/// {"nodes": [
///   {"name": "Z", "type": "binary", "intercept": 0.0},
///   {"name": "T", "type": "binary", "intercept": -0.3, "parents": {"Z": 1.0}},
///   {"name": "Y", "type": "gaussian", "sd": 1.0, "parents": {"T": 2.0, "Z": 1.5}}
/// ]}
/// ```
///
/// # Examples
///
/// ```
/// use causal_core::scm::ScmSpec;
///
/// let spec = ScmSpec::from_json(r#"{"nodes":[{"name":"X"},{"name":"Y","parents":{"X":2}}]}"#)?;
/// let data = spec.to_scm()?.sample(10, 1)?;
/// assert_eq!(data.names(), &["X", "Y"]);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScmSpec {
    /// The nodes, in output column order.
    pub nodes: Vec<NodeSpec>,
}

impl ScmSpec {
    /// Parses the JSON text.
    ///
    /// # Errors
    ///
    /// [`CoreError::Parse`] with the line of a JSON error, and the checks of
    /// [`ScmSpec::to_scm`].
    pub fn from_json(text: &str) -> Result<Self> {
        let spec: Self = serde_json::from_str(text).map_err(|e| CoreError::Parse {
            line: e.line(),
            message: e.to_string(),
        })?;
        spec.to_scm()?;
        Ok(spec)
    }

    /// The spec as a general [`Scm`].
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] for a parent that is not a node, [`CoreError::Duplicate`],
    /// [`CoreError::Cycle`], [`CoreError::InvalidParameter`] for a bad coefficient or sd.
    pub fn to_scm(&self) -> Result<Scm> {
        let mut b = Scm::builder();
        for n in &self.nodes {
            if !(n.sd.is_finite() && n.sd >= 0.0) {
                return Err(CoreError::InvalidParameter(format!(
                    "node '{}': sd {} must be finite and non-negative",
                    n.name, n.sd
                )));
            }
            if let Some((p, c)) = n.parents.iter().find(|(_, c)| !c.is_finite()) {
                return Err(CoreError::InvalidParameter(format!(
                    "node '{}': coefficient {c} of '{p}' is not finite",
                    n.name
                )));
            }
            let names: Vec<&str> = n.parents.keys().map(String::as_str).collect();
            let coef: Vec<f64> = n.parents.values().copied().collect();
            let c = n.intercept;
            let lin = move |v: &[f64]| c + coef.iter().zip(v).map(|(b, x)| b * x).sum::<f64>();
            b = match n.kind {
                NodeKind::Gaussian => b.node(
                    &n.name,
                    &names,
                    Mechanism::Additive(Arc::new(lin)),
                    Noise::Gaussian(n.sd),
                ),
                NodeKind::Binary => b.node(
                    &n.name,
                    &names,
                    Mechanism::General(Arc::new(move |v: &[f64], u: f64| {
                        f64::from(u8::from(u < sigmoid(lin(v))))
                    })),
                    Noise::Uniform,
                ),
            };
        }
        b.build()
    }

    /// The spec as a [`LinearGaussianScm`] when every node is Gaussian.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming a binary node, and the checks of
    /// [`ScmSpec::to_scm`].
    pub fn to_linear_gaussian(&self) -> Result<LinearGaussianScm> {
        if let Some(n) = self.nodes.iter().find(|n| n.kind != NodeKind::Gaussian) {
            return Err(CoreError::InvalidParameter(format!(
                "node '{}' is binary, so the model is not linear-Gaussian",
                n.name
            )));
        }
        let names: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
        let edges: Vec<(&str, &str, f64)> = self
            .nodes
            .iter()
            .flat_map(|n| {
                n.parents
                    .iter()
                    .map(move |(p, c)| (p.as_str(), n.name.as_str(), *c))
            })
            .collect();
        let intercept: Vec<f64> = self.nodes.iter().map(|n| n.intercept).collect();
        let sd: Vec<f64> = self.nodes.iter().map(|n| n.sd).collect();
        LinearGaussianScm::new(&names, &edges, &intercept, &sd)
    }
}
