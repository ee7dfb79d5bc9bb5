//! A dense mark matrix over a [`MixedGraph`] with at most one edge per pair: the working form of
//! CPDAGs, maximally oriented PDAGs, MAGs and PAGs for the adjustment criterion, Meek's rules and
//! IDA. `mark(i, j)` is the mark at `j` on the edge `i *-* j`.

use super::mark::{Edge, Mark};
use super::mixed::MixedGraph;
use super::nodeset::NodeSet;
use crate::error::{CoreError, Result};

/// Marks of a graph with at most one edge between two nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Marks {
    n: usize,
    /// `m[i * n + j]`: the mark at `j` on the edge between `i` and `j`.
    m: Vec<Option<Mark>>,
}

impl Marks {
    /// No edges over `n` nodes.
    pub(crate) fn empty(n: usize) -> Self {
        Self {
            n,
            m: vec![None; n * n],
        }
    }

    /// The marks of `g`.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming a pair joined by two edges.
    pub(crate) fn from_mixed(g: &MixedGraph) -> Result<Self> {
        let mut out = Self::empty(g.n_nodes());
        for e in g.edges() {
            if out.adjacent(e.a, e.b) {
                return Err(CoreError::InvalidParameter(format!(
                    "two edges between '{}' and '{}': a CPDAG, MAG or PAG has at most one",
                    g.name(e.a),
                    g.name(e.b)
                )));
            }
            out.set(e.a, e.b, e.mark_a, e.mark_b);
        }
        Ok(out)
    }

    /// Back to a mixed graph with the node names (and roles) of `template`.
    pub(crate) fn to_mixed(&self, template: &MixedGraph) -> MixedGraph {
        let mut g = MixedGraph::with_nodes(template.nodes().iter().cloned())
            .unwrap_or_else(|_| template.clone());
        for i in 0..self.n {
            *g.roles_mut(i) = template.roles(i);
        }
        for a in 0..self.n {
            for b in a + 1..self.n {
                if let (Some(ma), Some(mb)) = (self.mark(b, a), self.mark(a, b)) {
                    // Pairs are unique here, so add_edge cannot fail.
                    let _ = g.add_edge(Edge {
                        a,
                        b,
                        mark_a: ma,
                        mark_b: mb,
                    });
                }
            }
        }
        g
    }

    /// Number of nodes.
    pub(crate) fn n(&self) -> usize {
        self.n
    }

    /// The mark at `j` on the edge `i *-* j`, if adjacent.
    #[inline]
    pub(crate) fn mark(&self, i: usize, j: usize) -> Option<Mark> {
        self.m[i * self.n + j]
    }

    /// Sets the edge `a *-* b` with `mark_a` at `a` and `mark_b` at `b`.
    pub(crate) fn set(&mut self, a: usize, b: usize, mark_a: Mark, mark_b: Mark) {
        self.m[b * self.n + a] = Some(mark_a);
        self.m[a * self.n + b] = Some(mark_b);
    }

    /// Removes the edge between `a` and `b`.
    #[allow(dead_code)] // Kept beside `set` for callers that delete edges.
    pub(crate) fn remove(&mut self, a: usize, b: usize) {
        self.m[b * self.n + a] = None;
        self.m[a * self.n + b] = None;
    }

    /// Whether `a` and `b` are adjacent.
    #[inline]
    pub(crate) fn adjacent(&self, a: usize, b: usize) -> bool {
        self.mark(a, b).is_some()
    }

    /// `a -> b`.
    #[inline]
    pub(crate) fn directed(&self, a: usize, b: usize) -> bool {
        self.mark(a, b) == Some(Mark::Arrow) && self.mark(b, a) == Some(Mark::Tail)
    }

    /// `a - b`.
    #[inline]
    pub(crate) fn undirected(&self, a: usize, b: usize) -> bool {
        self.mark(a, b) == Some(Mark::Tail) && self.mark(b, a) == Some(Mark::Tail)
    }

    /// `a <-> b`.
    #[inline]
    pub(crate) fn bidirected(&self, a: usize, b: usize) -> bool {
        self.mark(a, b) == Some(Mark::Arrow) && self.mark(b, a) == Some(Mark::Arrow)
    }

    /// Orients the edge as `a -> b`.
    pub(crate) fn orient(&mut self, a: usize, b: usize) {
        self.set(a, b, Mark::Tail, Mark::Arrow);
    }

    /// Nodes adjacent to `v`, in index order.
    pub(crate) fn neighbors(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.n).filter(move |&u| self.mark(v, u).is_some())
    }

    /// Parents `p -> v`.
    pub(crate) fn parents(&self, v: usize) -> Vec<usize> {
        self.neighbors(v).filter(|&u| self.directed(u, v)).collect()
    }

    /// Undirected neighbours `u - v`.
    pub(crate) fn siblings(&self, v: usize) -> Vec<usize> {
        self.neighbors(v)
            .filter(|&u| self.undirected(u, v))
            .collect()
    }

    /// Whether the edge between `a` and `b` may be directed `a -> b` in some member of the
    /// class: adjacent and no arrowhead at `a`.
    #[inline]
    pub(crate) fn possibly_out(&self, a: usize, b: usize) -> bool {
        matches!(self.mark(b, a), Some(m) if m != Mark::Arrow)
            && self
                .mark(a, b)
                .is_some_and(|m| m != Mark::Tail || self.undirected(a, b))
    }

    /// Whether any edge carries a circle mark.
    pub(crate) fn has_circle(&self) -> bool {
        self.m.contains(&Some(Mark::Circle))
    }

    /// Whether any edge is `a - b`.
    pub(crate) fn has_undirected(&self) -> bool {
        (0..self.n).any(|a| (a + 1..self.n).any(|b| self.undirected(a, b)))
    }

    /// Whether any edge is `a <-> b`.
    pub(crate) fn has_bidirected(&self) -> bool {
        (0..self.n).any(|a| (a + 1..self.n).any(|b| self.bidirected(a, b)))
    }

    /// Whether the directed edges form a cycle.
    pub(crate) fn directed_cyclic(&self) -> bool {
        let n = self.n;
        let mut indeg: Vec<usize> = (0..n).map(|v| self.parents(v).len()).collect();
        let mut ready: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
        let mut seen = 0;
        while let Some(v) = ready.pop() {
            seen += 1;
            for c in 0..n {
                if self.directed(v, c) {
                    indeg[c] -= 1;
                    if indeg[c] == 0 {
                        ready.push(c);
                    }
                }
            }
        }
        seen < n
    }

    /// The unshielded colliders `a -> c <- b` (`a < b`, directed edges), sorted.
    pub(crate) fn v_structures(&self) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for c in 0..self.n {
            let pa = self.parents(c);
            for (k, &a) in pa.iter().enumerate() {
                for &b in &pa[k + 1..] {
                    if !self.adjacent(a, b) {
                        out.push((a, c, b));
                    }
                }
            }
        }
        out
    }

    /// Nodes reachable from `sources` along possibly directed edges (no arrowhead at the near
    /// end), never entering `avoid`; `sources` are included. `backward` follows the edges the
    /// other way (possible ancestors).
    pub(crate) fn possible_reach(
        &self,
        sources: &NodeSet,
        avoid: &NodeSet,
        backward: bool,
    ) -> NodeSet {
        let mut seen = sources.clone();
        let mut stack: Vec<usize> = sources.to_vec();
        while let Some(v) = stack.pop() {
            for u in self.neighbors(v) {
                let ok = if backward {
                    self.possibly_out(u, v)
                } else {
                    self.possibly_out(v, u)
                };
                if ok && !avoid.contains(u) && seen.insert(u) {
                    stack.push(u);
                }
            }
        }
        seen
    }
}
