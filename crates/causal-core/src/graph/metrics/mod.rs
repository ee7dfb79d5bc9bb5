//! Comparing an estimated graph with the truth: SHD, TPR, FDR, precision and recall on the
//! skeleton and on arrowheads, and the structural intervention distance (SID).

mod sid;

use serde::Serialize;

pub use sid::sid;

use crate::error::{CoreError, Result};
use crate::graph::{Mark, MixedGraph};

/// Every metric of [`compare`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Structural Hamming distance: pairs whose adjacency or endpoint marks differ.
    pub shd: usize,
    /// True-positive rate: true adjacencies estimated with a compatible orientation, over true adjacencies.
    pub tpr: f64,
    /// False-discovery rate: estimated edges absent from the truth or reversed, over estimated edges.
    pub fdr: f64,
    /// Skeleton precision.
    pub skeleton_precision: f64,
    /// Skeleton recall.
    pub skeleton_recall: f64,
    /// Arrowhead precision (arrowheads at the same end of a true adjacency).
    pub arrowhead_precision: f64,
    /// Arrowhead recall.
    pub arrowhead_recall: f64,
    /// Structural intervention distance, when both graphs are DAGs.
    pub sid: Option<usize>,
    /// Edges in the truth.
    pub true_edges: usize,
    /// Edges in the estimate.
    pub estimated_edges: usize,
}

/// The marks of the (first) edge between `a` and `b`, written from `a`.
fn marks(g: &MixedGraph, a: usize, b: usize) -> Option<(Mark, Mark)> {
    g.edges_between(a, b).next().map(|e| (e.mark_a, e.mark_b))
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Compares `estimate` with `truth`. Nodes are matched by name, so their order may differ.
///
/// # Formula
///
/// Over unordered pairs: SHD counts pairs adjacent in exactly one graph, plus adjacent pairs
/// whose marks differ. An estimated edge is *compatible* with a true edge on the same pair
/// unless it carries an arrowhead where the truth has a tail, or a tail where the truth has an
/// arrowhead (so undirected and circle marks are compatible). TPR = compatible / true edges;
/// FDR = (estimated edges that are absent from the truth or incompatible) / estimated edges.
///
/// # Examples
///
/// ```
/// use causal_core::graph::MixedGraph;
/// use causal_core::graph::metrics::compare;
///
/// let mut truth = MixedGraph::with_nodes(["a", "b", "c"])?;
/// truth.add_directed("a", "b")?;
/// truth.add_directed("b", "c")?;
/// let mut est = MixedGraph::with_nodes(["a", "b", "c"])?;
/// est.add_directed("a", "b")?;
/// est.add_directed("c", "b")?;
/// let m = compare(&truth, &est)?;
/// assert_eq!(m.shd, 1);
/// assert_eq!(m.tpr, 0.5);
/// // Wrong: (b, c) as c is a parent of b there; (c, a) and (c, b) as c has no parents there.
/// assert_eq!(m.sid, Some(3));
/// # Ok::<(), causal_core::CoreError>(())
/// ```
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] if the graphs have different node sets (naming a node
/// present in only one).
pub fn compare(truth: &MixedGraph, estimate: &MixedGraph) -> Result<Comparison> {
    let n = truth.n_nodes();
    let est_index = |name: &str| {
        estimate.index(name).map_err(|_| {
            CoreError::InvalidParameter(format!(
                "node '{name}' is in the truth but not in the estimate"
            ))
        })
    };
    let map: Vec<usize> = truth
        .nodes()
        .iter()
        .map(|name| est_index(name))
        .collect::<Result<_>>()?;
    if estimate.n_nodes() != n {
        let extra = estimate
            .nodes()
            .iter()
            .find(|name| truth.index(name).is_err())
            .cloned()
            .unwrap_or_default();
        return Err(CoreError::InvalidParameter(format!(
            "node '{extra}' is in the estimate but not in the truth"
        )));
    }
    let (mut shd, mut compatible, mut bad_est) = (0, 0, 0);
    let (mut skel_tp, mut true_adj, mut est_adj) = (0, 0, 0);
    let (mut arrow_tp, mut true_arrows, mut est_arrows) = (0, 0, 0);
    for a in 0..n {
        for b in (a + 1)..n {
            let t = marks(truth, a, b);
            let e = marks(estimate, map[a], map[b]);
            if let Some((ta, tb)) = t {
                true_adj += 1;
                true_arrows += usize::from(ta == Mark::Arrow) + usize::from(tb == Mark::Arrow);
            }
            if let Some((ea, eb)) = e {
                est_adj += 1;
                est_arrows += usize::from(ea == Mark::Arrow) + usize::from(eb == Mark::Arrow);
            }
            match (t, e) {
                (Some(_), None) => shd += 1,
                (None, Some(_)) => {
                    shd += 1;
                    bad_est += 1;
                }
                (Some((ta, tb)), Some((ea, eb))) => {
                    skel_tp += 1;
                    if (ta, tb) != (ea, eb) {
                        shd += 1;
                    }
                    let clash = |t: Mark, e: Mark| {
                        (t == Mark::Tail && e == Mark::Arrow)
                            || (t == Mark::Arrow && e == Mark::Tail)
                    };
                    if clash(ta, ea) || clash(tb, eb) {
                        bad_est += 1;
                    } else {
                        compatible += 1;
                    }
                    arrow_tp += usize::from(ta == Mark::Arrow && ea == Mark::Arrow)
                        + usize::from(tb == Mark::Arrow && eb == Mark::Arrow);
                }
                (None, None) => {}
            }
        }
    }
    let sid = sid(truth, estimate).ok();
    Ok(Comparison {
        shd,
        tpr: ratio(compatible, true_adj),
        fdr: ratio(bad_est, est_adj),
        skeleton_precision: ratio(skel_tp, est_adj),
        skeleton_recall: ratio(skel_tp, true_adj),
        arrowhead_precision: ratio(arrow_tp, est_arrows),
        arrowhead_recall: ratio(arrow_tp, true_arrows),
        sid,
        true_edges: true_adj,
        estimated_edges: est_adj,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_graphs_score_perfectly_and_node_order_is_ignored() {
        let mut t = MixedGraph::with_nodes(["a", "b", "c"]).unwrap();
        t.add_directed("a", "b").unwrap();
        t.add_undirected("b", "c").unwrap();
        let mut e = MixedGraph::with_nodes(["c", "b", "a"]).unwrap();
        e.add_undirected("c", "b").unwrap();
        e.add_directed("a", "b").unwrap();
        let m = compare(&t, &e).unwrap();
        assert_eq!((m.shd, m.tpr, m.fdr), (0, 1.0, 0.0));
        assert_eq!((m.skeleton_precision, m.arrowhead_recall), (1.0, 1.0));
        assert_eq!(m.sid, None); // not DAGs
    }

    #[test]
    fn missing_extra_and_reversed_edges() {
        let mut t = MixedGraph::with_nodes(["a", "b", "c", "d"]).unwrap();
        t.add_directed("a", "b").unwrap();
        t.add_directed("b", "c").unwrap();
        let mut e = MixedGraph::with_nodes(["a", "b", "c", "d"]).unwrap();
        e.add_directed("b", "a").unwrap(); // reversed
        e.add_directed("c", "d").unwrap(); // extra; b -> c missing
        let m = compare(&t, &e).unwrap();
        assert_eq!(m.shd, 3);
        assert_eq!(m.tpr, 0.0);
        assert_eq!(m.fdr, 1.0);
        assert_eq!(m.skeleton_precision, 0.5);
        assert_eq!(m.skeleton_recall, 0.5);
        assert_eq!(m.arrowhead_precision, 0.0);
        let other = MixedGraph::with_nodes(["a", "b", "c", "x"]).unwrap();
        let err = compare(&t, &other).unwrap_err().to_string();
        assert!(err.contains("'d'"), "{err}");
    }
}
