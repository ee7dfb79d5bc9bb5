//! Per-edge confidences read with a graph, for priors over structure: a DOT edge attribute
//! (`A -> B [confidence=0.8]`, or `weight=0.8`) or an edge field of the graph JSON schema
//! (`{"from":"A","to":"B","confidence":0.8}`).

use super::format::GraphFormat;
use super::mark::Mark;
use super::mixed::MixedGraph;
use crate::error::{CoreError, Result};

/// How sure the author of a graph is that the edge `from → to` exists, in `[0, 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeConfidence {
    /// The edge's tail (for a directed edge, the cause).
    pub from: String,
    /// The edge's head.
    pub to: String,
    /// The confidence, in `[0, 1]`.
    pub confidence: f64,
}

impl MixedGraph {
    /// Parses `text` in `format` and the confidences its edges carry: the `confidence` edge
    /// attribute of DOT (else `weight`), the optional `confidence` field of a JSON edge.
    /// Edges without one are not listed (a reader of priors takes them as certain); dagitty
    /// text carries none. A DOT edge written against its direction (`B -> A [dir=back]`) is
    /// listed as `A → B`.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::{GraphFormat, MixedGraph};
    ///
    /// let (g, c) = MixedGraph::parse_with_confidence(
    ///     "digraph { X -> Y [confidence=0.8]; Y -> Z }",
    ///     GraphFormat::Dot,
    /// )?;
    /// assert_eq!(g.n_edges(), 2);
    /// assert_eq!((c[0].from.as_str(), c[0].to.as_str(), c[0].confidence), ("X", "Y", 0.8));
    /// assert_eq!(c.len(), 1);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The errors of [`MixedGraph::parse`]; [`CoreError::Parse`] naming the line and the edge
    /// (DOT) or [`CoreError::InvalidParameter`] naming the edge (JSON) for a confidence that is
    /// not a number in `[0, 1]`.
    pub fn parse_with_confidence(
        text: &str,
        format: GraphFormat,
    ) -> Result<(Self, Vec<EdgeConfidence>)> {
        let (g, raw): (Self, Vec<(usize, usize, Option<usize>, String)>) = match format {
            GraphFormat::Dagitty => (Self::from_dagitty(text)?, Vec::new()),
            GraphFormat::Dot => {
                let (g, raw) = Self::read_dot(text)?;
                let raw = raw
                    .into_iter()
                    .map(|(a, b, line, v)| (a, b, Some(line), v))
                    .collect();
                (g, raw)
            }
            GraphFormat::Json => {
                let (g, raw) = Self::read_json(text)?;
                let raw = raw
                    .into_iter()
                    .map(|(a, b, c)| (a, b, None, c.to_string()))
                    .collect();
                (g, raw)
            }
        };
        let mut out = Vec::with_capacity(raw.len());
        for (a, b, line, value) in raw {
            // `B -> A [dir=back]` is the edge A → B.
            let backwards = g
                .edges_between(a, b)
                .any(|e| e.a == a && e.mark_a == Mark::Arrow && e.mark_b == Mark::Tail);
            let (from, to) = if backwards { (b, a) } else { (a, b) };
            let (from, to) = (g.name(from).to_owned(), g.name(to).to_owned());
            let message =
                format!("edge {from} -> {to}: confidence '{value}' is not a number in [0, 1]");
            let confidence = match value.trim().parse::<f64>() {
                Ok(c) if (0.0..=1.0).contains(&c) => c,
                _ => {
                    return Err(match line {
                        Some(line) => CoreError::Parse { line, message },
                        None => CoreError::InvalidParameter(message),
                    });
                }
            };
            out.push(EdgeConfidence {
                from,
                to,
                confidence,
            });
        }
        Ok((g, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_json_carry_confidences() {
        let dot =
            "digraph {\n a -> b [weight=0.25]\n c -> b [dir=back, confidence=0.5]\n b -> d\n}";
        let (g, c) = MixedGraph::parse_with_confidence(dot, GraphFormat::Dot).unwrap();
        assert_eq!(g.n_edges(), 3);
        let got: Vec<(&str, &str, f64)> = c
            .iter()
            .map(|e| (e.from.as_str(), e.to.as_str(), e.confidence))
            .collect();
        assert_eq!(got, [("a", "b", 0.25), ("b", "c", 0.5)]);
        // The plain reader ignores the attribute; the JSON writer drops it.
        assert_eq!(MixedGraph::from_dot(dot).unwrap(), g);

        let json = r#"{"nodes":["a","b"],"edges":[{"from":"a","to":"b","confidence":0.9}]}"#;
        let (g, c) = MixedGraph::parse_with_confidence(json, GraphFormat::Json).unwrap();
        assert_eq!(c[0].confidence, 0.9);
        assert_eq!(MixedGraph::from_json(json).unwrap(), g);
        assert!(!g.to_json().contains("confidence"));
    }

    #[test]
    fn bad_confidences_name_the_edge() {
        let e = MixedGraph::parse_with_confidence(
            "digraph {\n a -> b\n a -> c [confidence=1.5]\n}",
            GraphFormat::Dot,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3: edge a -> c: confidence '1.5' is not a number in [0, 1]"
        );
        let e = MixedGraph::parse_with_confidence(
            r#"{"nodes":["a","b"],"edges":[{"from":"a","to":"b","confidence":-0.1}]}"#,
            GraphFormat::Json,
        )
        .unwrap_err();
        assert!(e.to_string().contains("edge a -> b"), "{e}");
        // A layout weight is no confidence, but only the prior reader minds.
        assert!(MixedGraph::from_dot("digraph { a -> b [weight=3] }").is_ok());
    }
}
