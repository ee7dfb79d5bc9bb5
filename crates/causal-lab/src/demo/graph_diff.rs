//! A learned graph against the truth as one DOT picture (correct, misoriented, extra and
//! missing edges styled apart), rendered to SVG when Graphviz's `dot` is installed.

use std::path::Path;

use causal::core::graph::{Edge, Mark, MixedGraph};

use crate::output::write;
use crate::{LabError, Result};

fn shape(m: Mark) -> &'static str {
    match m {
        Mark::Tail => "none",
        Mark::Arrow => "normal",
        Mark::Circle => "odot",
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}

fn edge_line(g: &MixedGraph, e: &Edge, style: &str) -> String {
    format!(
        "  {} -> {} [dir=both, arrowtail={}, arrowhead={}, {style}];\n",
        quoted(g.name(e.a)),
        quoted(g.name(e.b)),
        shape(e.mark_a),
        shape(e.mark_b)
    )
}

/// Same endpoints and marks, read by node name.
fn same(truth: &MixedGraph, t: &Edge, learned: &MixedGraph, l: &Edge) -> bool {
    let oriented = |g: &MixedGraph, e: &Edge, first: &str| {
        if g.name(e.a) == first {
            (e.mark_a, e.mark_b)
        } else {
            (e.mark_b, e.mark_a)
        }
    };
    let first = truth.name(t.a);
    oriented(truth, t, first) == oriented(learned, l, first)
}

/// The DOT text, and counts of (correct, misoriented, extra, missing) edges.
///
/// # Errors
///
/// A node of one graph that the other lacks.
pub fn diff_dot(truth: &MixedGraph, learned: &MixedGraph) -> Result<(String, [usize; 4])> {
    const CORRECT: &str = "color=black, penwidth=2";
    const MISORIENTED: &str = "color=darkorange, penwidth=2, label=\"orientation\"";
    const EXTRA: &str = "color=red, style=dashed, label=\"extra\"";
    const MISSING: &str = "color=gray55, style=dotted, label=\"missing\"";
    let mut counts = [0usize; 4];
    let mut body = String::new();
    for l in learned.edges() {
        let (a, b) = (
            truth.index(learned.name(l.a))?,
            truth.index(learned.name(l.b))?,
        );
        let style = match truth.edges_between(a, b).next() {
            Some(t) if same(truth, &t, learned, l) => (0, CORRECT),
            Some(_) => (1, MISORIENTED),
            None => (2, EXTRA),
        };
        counts[style.0] += 1;
        body.push_str(&edge_line(learned, l, style.1));
    }
    for t in truth.edges() {
        let (a, b) = (
            learned.index(truth.name(t.a))?,
            learned.index(truth.name(t.b))?,
        );
        if learned.edges_between(a, b).next().is_none() {
            counts[3] += 1;
            body.push_str(&edge_line(truth, t, MISSING));
        }
    }
    let mut dot = String::from(
        "digraph {\n  node [shape=ellipse, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    for n in truth.nodes() {
        dot.push_str(&format!("  {};\n", quoted(n)));
    }
    dot.push_str(&body);
    dot.push_str("}\n");
    Ok((dot, counts))
}

/// Writes `stem.dot` under `out` and, when Graphviz is on the PATH, `stem.svg`; returns whether
/// the SVG was rendered.
///
/// # Errors
///
/// Writing the DOT file, or a `dot` run that starts but fails.
pub fn write_and_render(out: &Path, stem: &str, dot: &str) -> Result<bool> {
    let dot_name = format!("{stem}.dot");
    write(out, &dot_name, dot)?;
    let svg = out.join(format!("{stem}.svg"));
    match std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg(out.join(&dot_name))
        .arg("-o")
        .arg(&svg)
        .status()
    {
        Ok(s) if s.success() => Ok(true),
        Ok(s) => Err(LabError::Usage(format!(
            "Graphviz `dot` failed ({s}) on {}",
            out.join(&dot_name).display()
        ))),
        // Graphviz is optional: without it the report links the DOT file instead.
        Err(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_edge() {
        let truth = MixedGraph::from_dagitty("dag { A -> B  B -> C  C -> D }").unwrap();
        // B -> C right, A - B undirected (misoriented), A -> D extra, C -> D missing.
        let learned = MixedGraph::from_dagitty("pdag { A -- B  B -> C  A -> D }").unwrap();
        let (dot, counts) = diff_dot(&truth, &learned).unwrap();
        assert_eq!(counts, [1, 1, 1, 1], "{dot}");
        assert!(
            dot.contains(r#""A" -> "D" [dir=both, arrowtail=none, arrowhead=normal, color=red"#)
        );
        assert!(dot.contains(r#""C" -> "D""#), "{dot}");
    }
}
