//! The assumptions report: a serialisable record of the graph (with which edges came from
//! experts and which from discovery), the identification strategy and estimand, the estimate
//! and its interval, and every refutation and graph test with its outcome. Written as JSON and
//! as Markdown with the graph in DOT.

use serde::{Deserialize, Serialize};

use crate::estimate::EffectEstimate;
use crate::graph::{Mark, MixedGraph};
use crate::refute::{GraphTestFit, Refutation};

/// Where an edge came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeSource {
    /// Stated by a domain expert.
    Expert,
    /// Found by a discovery algorithm.
    Discovery,
}

/// One edge with its provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgeRecord {
    /// Tail-side node.
    pub from: String,
    /// Head-side node.
    pub to: String,
    /// `-->`, `<->`, `---`, or with circles `o->` etc.
    pub kind: String,
    /// Provenance.
    pub source: EdgeSource,
}

/// The identification step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identification {
    /// backdoor, frontdoor or iv.
    pub strategy: String,
    /// How the set was chosen (given, or which graph criterion).
    pub source: String,
    /// The estimand.
    pub estimand: String,
}

/// The assumptions report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssumptionsReport {
    /// The graph in the project's JSON schema.
    pub graph: serde_json::Value,
    /// Every edge with its provenance.
    pub edges: Vec<EdgeRecord>,
    /// Identification.
    pub identification: Identification,
    /// The estimate.
    pub estimate: EffectEstimate,
    /// Refutations.
    pub refutations: Vec<Refutation>,
    /// Graph test, when a graph and data were given.
    pub graph_test: Option<GraphTestFit>,
    /// Sensitivity analyses (E-value, robustness value), method-dependent.
    pub sensitivity: serde_json::Value,
}

fn mark_text(m: Mark, tail_side: bool) -> &'static str {
    match (m, tail_side) {
        (Mark::Tail, _) => "-",
        (Mark::Arrow, true) => "<",
        (Mark::Arrow, false) => ">",
        (Mark::Circle, _) => "o",
    }
}

/// Edge records of `graph`: an edge counts as discovered when `discovered` has an edge
/// between the same nodes, else as expert knowledge.
pub fn edge_records(graph: &MixedGraph, discovered: Option<&MixedGraph>) -> Vec<EdgeRecord> {
    graph
        .edges()
        .iter()
        .map(|e| {
            let (a, b) = (graph.name(e.a).to_owned(), graph.name(e.b).to_owned());
            let found = discovered.is_some_and(
                |d| matches!((d.index(&a), d.index(&b)), (Ok(i), Ok(j)) if d.adjacent(i, j)),
            );
            EdgeRecord {
                kind: format!(
                    "{}-{}",
                    mark_text(e.mark_a, true),
                    mark_text(e.mark_b, false)
                ),
                from: a,
                to: b,
                source: if found {
                    EdgeSource::Discovery
                } else {
                    EdgeSource::Expert
                },
            }
        })
        .collect()
}

/// The graph in Graphviz DOT; discovered edges are dashed and blue.
pub fn to_dot(graph: &MixedGraph, edges: &[EdgeRecord]) -> String {
    let mut out = String::from("digraph G {\n");
    for n in graph.nodes() {
        out.push_str(&format!("  \"{n}\";\n"));
    }
    for (e, r) in graph.edges().iter().zip(edges) {
        let arrow = |m: Mark| match m {
            Mark::Arrow => "normal",
            Mark::Tail => "none",
            Mark::Circle => "odot",
        };
        let mut attrs = vec![
            "dir=both".to_owned(),
            format!("arrowtail={}", arrow(e.mark_a)),
            format!("arrowhead={}", arrow(e.mark_b)),
        ];
        if r.source == EdgeSource::Discovery {
            attrs.push("style=dashed".into());
            attrs.push("color=blue".into());
        }
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [{}];\n",
            r.from,
            r.to,
            attrs.join(", ")
        ));
    }
    out.push_str("}\n");
    out
}

impl AssumptionsReport {
    /// The report as pretty JSON.
    ///
    /// # Errors
    ///
    /// [`crate::CoreError::InvalidParameter`] if serialisation fails (a non-finite number).
    pub fn to_json(&self) -> crate::Result<String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| crate::CoreError::InvalidParameter(format!("report JSON: {e}")))
    }

    /// The report as Markdown, with the graph as a DOT code block.
    pub fn to_markdown(&self, graph: &MixedGraph) -> String {
        let e = &self.estimate;
        let mut md = String::new();
        md.push_str(&format!(
            "# Causal assumptions report: effect of `{}` on `{}`\n\n",
            e.treatment, e.outcome
        ));
        md.push_str("## Graph\n\nDashed blue edges came from causal discovery; the others were stated by experts.\n\n```dot\n");
        md.push_str(&to_dot(graph, &self.edges));
        md.push_str("```\n\n| from | edge | to | source |\n|---|---|---|---|\n");
        for r in &self.edges {
            md.push_str(&format!(
                "| {} | `{}` | {} | {:?} |\n",
                r.from, r.kind, r.to, r.source
            ));
        }
        let id = &self.identification;
        md.push_str(&format!(
            "\n## Identification\n\n- strategy: **{}** ({})\n- estimand: `{}`\n",
            id.strategy, id.source, id.estimand
        ));
        md.push_str(&format!(
            "\n## Estimate\n\n| method | ATE | SE | {:.0}% interval | interval | n |\n|---|---|---|---|---|---|\n| {} | {:.6} | {:.6} | [{:.6}, {:.6}] | {} | {} |\n",
            100.0 * e.level, e.method, e.ate, e.se, e.ci[0], e.ci[1], e.ci_method, e.n
        ));
        for w in &e.warnings {
            md.push_str(&format!("\n> warning: {w}\n"));
        }
        md.push_str("\n## Refutations\n\n| refuter | original | new effect | p-value | outcome | detail |\n|---|---|---|---|---|---|\n");
        for r in &self.refutations {
            md.push_str(&format!(
                "| {} | {:.6} | {:.6} | {} | {} | {} |\n",
                r.refuter,
                r.original,
                r.new_effect,
                r.p_value.map_or("–".to_owned(), |p| format!("{p:.4}")),
                if r.passed { "pass" } else { "**FAIL**" },
                r.detail
            ));
        }
        match &self.graph_test {
            Some(g) => {
                md.push_str(&format!(
                    "\n## Graph test\n\n{} of {} implied independences rejected at {} ({:?} correction): **{}**\n\n| independence | test | statistic | p | adjusted p | rejected |\n|---|---|---|---|---|---|\n",
                    g.n_rejected,
                    g.tests.len(),
                    g.alpha,
                    g.correction,
                    if g.passed { "consistent with the data" } else { "CONTRADICTED by the data" }
                ));
                for t in &g.tests {
                    let given = if t.test.given.is_empty() {
                        String::new()
                    } else {
                        format!(" \\| {}", t.test.given.join(", "))
                    };
                    md.push_str(&format!(
                        "| {} ⫫ {}{} | {:?} | {:.4} | {:.4} | {:.4} | {} |\n",
                        t.test.x,
                        t.test.y,
                        given,
                        t.test.test,
                        t.test.statistic,
                        t.test.p_value,
                        t.p_adjusted,
                        t.rejected
                    ));
                }
            }
            None => md.push_str("\n## Graph test\n\nNot run (no graph).\n"),
        }
        if !self.sensitivity.is_null() {
            md.push_str("\n## Sensitivity\n\n```json\n");
            md.push_str(&serde_json::to_string_pretty(&self.sensitivity).unwrap_or_default());
            md.push_str("\n```\n");
        }
        md
    }
}

/// Sensitivity of an estimate to unmeasured confounding: the E-value on the standardised
/// mean-difference scale (continuous outcome with standard deviation `outcome_sd`), and for
/// the regression estimator Cinelli & Hazlett's robustness values.
///
/// # Errors
///
/// [`crate::CoreError::InvalidParameter`] for a non-positive `outcome_sd`.
pub fn sensitivity(estimate: &EffectEstimate, outcome_sd: f64) -> crate::Result<serde_json::Value> {
    let e = crate::refute::evalue_smd(estimate.ate, estimate.se, outcome_sd)?;
    let mut v = serde_json::json!({ "evalue": e });
    if estimate.method == "regression"
        && let (Some(t), Some(df)) = (
            estimate
                .details
                .get("t_value")
                .and_then(serde_json::Value::as_f64),
            estimate
                .details
                .get("df")
                .and_then(serde_json::Value::as_f64),
        )
    {
        v["robustness"] = serde_json::to_value(crate::refute::ovb_sensitivity(t, df, 1.0, 0.05)?)
            .unwrap_or(serde_json::Value::Null);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_and_dot() {
        let mut g = MixedGraph::with_nodes(["A", "B", "C"]).unwrap();
        g.add_directed("A", "B").unwrap();
        g.add_bidirected("B", "C").unwrap();
        let mut d = MixedGraph::with_nodes(["B", "C"]).unwrap();
        d.add_directed("B", "C").unwrap();
        let recs = edge_records(&g, Some(&d));
        assert_eq!(recs[0].source, EdgeSource::Expert);
        assert_eq!(recs[0].kind, "-->");
        assert_eq!(recs[1].source, EdgeSource::Discovery);
        assert_eq!(recs[1].kind, "<->");
        let dot = to_dot(&g, &recs);
        assert!(
            dot.contains("\"A\" -> \"B\" [dir=both, arrowtail=none, arrowhead=normal]"),
            "{dot}"
        );
        assert!(dot.contains("style=dashed"));
    }
}
