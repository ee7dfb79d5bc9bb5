//! The hedge: the witness that a causal effect is not identifiable.

use serde::{Deserialize, Serialize};

use super::cg::Cg;
use crate::error::Result;
use crate::graph::Admg;
use crate::graph::NodeSet;

/// Two R-rooted c-forests `F' ⊂ F` with `F ∩ X ≠ ∅` and `F' ∩ X = ∅` (Shpitser & Pearl 2006):
/// two models that agree on the observational distribution but not on `P(y | do(x))` live on
/// them, so no estimand exists. Node names, in graph order.
///
/// The hedge is stated for the query that the algorithm reduced the original one to: for a
/// conditional query, IDC first turns some conditioning variables into treatments and then
/// asks for the joint effect on the outcome and the remaining conditioning variables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hedge {
    /// The nodes of the larger c-forest `F`.
    pub f: Vec<String>,
    /// The nodes of the smaller c-forest `F'`.
    pub f_prime: Vec<String>,
    /// The treatments of the query the hedge refutes.
    pub treatment: Vec<String>,
    /// The outcomes of the query the hedge refutes.
    pub outcome: Vec<String>,
}

impl Hedge {
    pub(crate) fn from_sets(
        cg: &Cg,
        f: &NodeSet,
        f_prime: &NodeSet,
        x: &NodeSet,
        y: &NodeSet,
    ) -> Self {
        Self {
            f: cg.names_of(f),
            f_prime: cg.names_of(f_prime),
            treatment: cg.names_of(x),
            outcome: cg.names_of(y),
        }
    }

    /// Whether this is a hedge for its own query `P(outcome | do(treatment))` in `graph`
    /// (see [`Hedge::check`]).
    ///
    /// # Errors
    ///
    /// As [`Hedge::check`].
    pub fn verify(&self, graph: &Admg) -> Result<bool> {
        self.check(graph, &self.treatment, &self.outcome)
    }

    /// Whether this is a hedge for `P(outcome | do(treatment))` in `graph`: `F' ⊊ F`, each is
    /// a single c-component whose nodes all reach the same root set `R` (the nodes of `F'`
    /// without children in `F'`) by directed paths inside the set, so that both contain
    /// R-rooted c-forests as edge subgraphs; `F` meets the treatment and `F'` does not; and `R`
    /// lies among the ancestors of the outcome once the edges into the treatment are cut.
    ///
    /// # Errors
    ///
    /// [`crate::CoreError::UnknownNode`] for a name not in the graph.
    pub fn check<S: AsRef<str>>(
        &self,
        graph: &Admg,
        treatment: &[S],
        outcome: &[S],
    ) -> Result<bool> {
        let cg = Cg::observed(graph);
        let f = cg.set_of(&self.f)?;
        let fp = cg.set_of(&self.f_prime)?;
        let x = cg.set_of(treatment)?;
        let y = cg.set_of(outcome)?;
        Ok(is_hedge(&cg, &f, &fp, &x, &y))
    }
}

/// The sinks of `G[s]`: its nodes without children inside `s`.
fn sinks(cg: &Cg, s: &NodeSet) -> NodeSet {
    NodeSet::from_indices(cg.n, s.iter().filter(|&v| !cg.ch[v].intersects(s)))
}

/// Whether an edge subgraph of `G[s]` is an R-rooted c-forest: `s` is one c-component and
/// every node reaches `r` by a directed path inside `s` (so each node can keep one child on
/// such a path, and the nodes of `r` none).
fn is_c_forest(cg: &Cg, s: &NodeSet, r: &NodeSet) -> bool {
    !s.is_empty() && r.is_subset(s) && cg.districts(s).len() == 1 && cg.ancestors(r, s, None) == *s
}

pub(crate) fn is_hedge(cg: &Cg, f: &NodeSet, fp: &NodeSet, x: &NodeSet, y: &NodeSet) -> bool {
    // Every root set of a forest on F' contains the sinks of G[F'], and they suffice.
    let r = sinks(cg, fp);
    fp.is_subset(f)
        && fp != f
        && f.intersects(x)
        && !fp.intersects(x)
        && is_c_forest(cg, f, &r)
        && is_c_forest(cg, fp, &r)
        && r.is_subset(&cg.ancestors(y, &cg.all(), Some(x)))
}
