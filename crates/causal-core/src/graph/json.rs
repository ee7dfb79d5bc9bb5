//! The project's graph JSON schema:
//! `{"nodes":[...],"edges":[{"from":A,"to":B,"from_mark":"tail","to_mark":"arrow"}]}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::mark::{Edge, Mark};
use super::mixed::MixedGraph;
use crate::error::{CoreError, Result};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GraphJson {
    nodes: Vec<String>,
    #[serde(default)]
    edges: Vec<EdgeJson>,
    /// Node roles (exposure, outcome, latent, selected, adjusted) by node name; optional.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    roles: BTreeMap<String, Vec<String>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EdgeJson {
    from: String,
    to: String,
    #[serde(default = "tail")]
    from_mark: Mark,
    #[serde(default = "arrow")]
    to_mark: Mark,
    /// How sure the author is that the edge exists, in `[0, 1]`; optional, read by
    /// [`MixedGraph::parse_with_confidence`] (priors) and ignored by the other readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    confidence: Option<f64>,
}

fn tail() -> Mark {
    Mark::Tail
}

fn arrow() -> Mark {
    Mark::Arrow
}

impl MixedGraph {
    /// Parses the graph JSON schema. Marks default to a directed edge (`tail`, `arrow`).
    ///
    /// # Errors
    ///
    /// [`CoreError::Parse`] with the line for malformed JSON, [`CoreError::UnknownNode`] for an
    /// edge naming an undeclared node, and the errors of [`MixedGraph::add_edge`].
    pub fn from_json(text: &str) -> Result<Self> {
        Ok(Self::read_json(text)?.0)
    }

    /// [`MixedGraph::from_json`], also returning each edge's optional `confidence` as
    /// `(from, to, confidence)`, unchecked.
    pub(super) fn read_json(text: &str) -> Result<(Self, Vec<(usize, usize, f64)>)> {
        let parsed: GraphJson = serde_json::from_str(text).map_err(|e| CoreError::Parse {
            line: e.line(),
            message: format!("graph JSON: {e}"),
        })?;
        let mut g = Self::with_nodes(parsed.nodes)?;
        let mut confidences = Vec::new();
        for e in parsed.edges {
            let edge = Edge {
                a: g.index(&e.from)?,
                b: g.index(&e.to)?,
                mark_a: e.from_mark,
                mark_b: e.to_mark,
            };
            if let Some(c) = e.confidence {
                confidences.push((edge.a, edge.b, c));
            }
            g.add_edge(edge)?;
        }
        for (name, roles) in parsed.roles {
            let v = g.index(&name)?;
            for r in roles {
                if !g.roles_mut(v).set_by_name(&r) {
                    return Err(CoreError::InvalidParameter(format!(
                        "unknown role '{r}' for node '{name}'"
                    )));
                }
            }
        }
        Ok((g, confidences))
    }

    /// The graph as a JSON value in the project's schema.
    pub fn to_json_value(&self) -> serde_json::Value {
        let json = GraphJson {
            nodes: self.nodes().to_vec(),
            edges: self
                .edges()
                .iter()
                .map(|e| EdgeJson {
                    from: self.name(e.a).to_owned(),
                    to: self.name(e.b).to_owned(),
                    from_mark: e.mark_a,
                    to_mark: e.mark_b,
                    confidence: None,
                })
                .collect(),
            roles: (0..self.n_nodes())
                .filter(|&i| !self.roles(i).is_plain())
                .map(|i| {
                    let names = self.roles(i).names().into_iter().map(str::to_owned);
                    (self.name(i).to_owned(), names.collect())
                })
                .collect(),
        };
        serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
    }

    /// The graph as pretty-printed JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_json_value()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_is_lossless() {
        let mut g = MixedGraph::with_nodes(["X", "Y", "Z"]).unwrap();
        g.add_directed("X", "Y").unwrap();
        g.add_bidirected("X", "Y").unwrap();
        g.add_edge(Edge {
            a: 2,
            b: 1,
            mark_a: Mark::Circle,
            mark_b: Mark::Arrow,
        })
        .unwrap();
        g.roles_mut(0).exposure = true;
        g.roles_mut(2).latent = true;
        let again = MixedGraph::from_json(&g.to_json()).unwrap();
        assert_eq!(g, again);
    }

    #[test]
    fn malformed_json_names_line_and_unknown_node() {
        let err = MixedGraph::from_json("{\"nodes\": [\"A\"],\n \"edges\": [ }").unwrap_err();
        assert!(matches!(err, CoreError::Parse { line: 2, .. }), "{err}");
        let err = MixedGraph::from_json(r#"{"nodes":["A"],"edges":[{"from":"A","to":"B"}]}"#)
            .unwrap_err();
        assert_eq!(err.to_string(), "unknown node 'B'");
    }
}
