//! The general mixed graph with endpoint marks.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::directed;
use super::mark::{Edge, Mark};
use super::roles::NodeRoles;
use crate::error::{CoreError, Result};

/// What kind of graph a [`MixedGraph`] holds, judged from its marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphKind {
    /// Directed edges only.
    Dag,
    /// Directed and bidirected edges.
    Admg,
    /// Directed and undirected edges.
    Cpdag,
    /// Any edge with a circle mark, or a mix beyond the kinds above.
    Pag,
}

/// Named nodes and edges with a mark at each end.
///
/// Between two nodes there may be several edges only if their marks differ (an ADMG's bow arc
/// `X -> Y` plus `X <-> Y`). Self-loops are rejected.
///
/// # Examples
///
/// ```
/// use causal_core::graph::{Edge, MixedGraph};
///
/// let mut g = MixedGraph::with_nodes(["X", "Y", "Z"])?;
/// g.add_directed("Z", "X")?;
/// g.add_directed("Z", "Y")?;
/// g.add_directed("X", "Y")?;
/// assert_eq!(g.parents(g.index("Y")?).len(), 2);
/// assert!(g.is_acyclic());
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MixedGraph {
    nodes: Vec<String>,
    index: HashMap<String, usize>,
    edges: Vec<Edge>,
    adjacency: Vec<Vec<usize>>,
    roles: Vec<NodeRoles>,
    /// Every edge in canonical form, so a duplicate is found in constant time: the readers
    /// insert group products (`{a b} -> {c d}`) whose duplicate checks were quadratic as scans.
    keys: HashSet<Edge>,
}

impl MixedGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// A graph with the given nodes and no edges.
    ///
    /// # Errors
    ///
    /// [`CoreError::Duplicate`] for a repeated name, [`CoreError::InvalidParameter`] for an empty one.
    pub fn with_nodes<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Result<Self> {
        let mut g = Self::new();
        for n in names {
            g.add_node(n)?;
        }
        Ok(g)
    }

    /// A graph with the given nodes and a directed edge `a -> b` for each index pair `(a, b)`
    /// (as simulators and peers' edge lists give them).
    ///
    /// # Errors
    ///
    /// As [`MixedGraph::with_nodes`], and [`MixedGraph::add_edge`]'s errors for an index out
    /// of range or a self-loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::MixedGraph;
    ///
    /// let g = MixedGraph::from_directed(["a", "b", "c"], &[(0, 1), (2, 1)])?;
    /// assert_eq!(g.parents(1), vec![0, 2]);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn from_directed<S: Into<String>>(
        names: impl IntoIterator<Item = S>,
        edges: &[(usize, usize)],
    ) -> Result<Self> {
        let mut g = Self::with_nodes(names)?;
        for &(a, b) in edges {
            g.add_edge(Edge::directed(a, b))?;
        }
        Ok(g)
    }

    /// Adds a node and returns its index.
    ///
    /// # Errors
    ///
    /// As [`MixedGraph::with_nodes`].
    pub fn add_node(&mut self, name: impl Into<String>) -> Result<usize> {
        let name = name.into();
        if name.is_empty() {
            return Err(CoreError::InvalidParameter("a node name is empty".into()));
        }
        if self.index.contains_key(&name) {
            return Err(CoreError::Duplicate(name));
        }
        let i = self.nodes.len();
        self.index.insert(name.clone(), i);
        self.nodes.push(name);
        self.adjacency.push(Vec::new());
        self.roles.push(NodeRoles::default());
        Ok(i)
    }

    /// The roles (exposure, outcome, latent, selection, adjusted) of node `i`.
    /// Panics if `i` is out of range, like slice indexing.
    pub fn roles(&self, i: usize) -> NodeRoles {
        self.roles[i]
    }

    /// Mutable access to the roles of node `i`. Panics if `i` is out of range.
    pub fn roles_mut(&mut self, i: usize) -> &mut NodeRoles {
        &mut self.roles[i]
    }

    /// Indices of the nodes whose roles satisfy `pred`, in index order.
    pub fn nodes_with(&self, pred: impl Fn(&NodeRoles) -> bool) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| pred(&self.roles[i]))
            .collect()
    }

    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Number of edges.
    pub fn n_edges(&self) -> usize {
        self.edges.len()
    }

    /// Node names in index order.
    pub fn nodes(&self) -> &[String] {
        &self.nodes
    }

    /// The name of node `i`. Panics if `i` is out of range, like slice indexing.
    pub fn name(&self, i: usize) -> &str {
        &self.nodes[i]
    }

    /// The index of a node.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`].
    pub fn index(&self, name: &str) -> Result<usize> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| CoreError::UnknownNode(name.to_owned()))
    }

    /// Indices of several nodes.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] naming the first unknown one.
    pub fn indices<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<usize>> {
        names.iter().map(|n| self.index(n.as_ref())).collect()
    }

    /// All edges, in insertion order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Adds an edge between node indices.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for a self-loop, an index out of range, or an exact duplicate.
    pub fn add_edge(&mut self, edge: Edge) -> Result<()> {
        let n = self.nodes.len();
        if edge.a >= n || edge.b >= n {
            return Err(CoreError::InvalidParameter(format!(
                "edge ({}, {}) refers to a node index out of range ({n} nodes)",
                edge.a, edge.b
            )));
        }
        if edge.a == edge.b {
            return Err(CoreError::InvalidParameter(format!(
                "self-loop on node '{}'",
                self.nodes[edge.a]
            )));
        }
        if !self.keys.insert(edge.canonical()) {
            return Err(CoreError::InvalidParameter(format!(
                "duplicate edge between '{}' and '{}'",
                self.nodes[edge.a], self.nodes[edge.b]
            )));
        }
        let k = self.edges.len();
        self.edges.push(edge);
        self.adjacency[edge.a].push(k);
        self.adjacency[edge.b].push(k);
        Ok(())
    }

    /// Adds `from -> to` by name.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`], and as [`MixedGraph::add_edge`].
    pub fn add_directed(&mut self, from: &str, to: &str) -> Result<()> {
        self.add_edge(Edge::directed(self.index(from)?, self.index(to)?))
    }

    /// Adds `a <-> b` by name.
    ///
    /// # Errors
    ///
    /// As [`MixedGraph::add_directed`].
    pub fn add_bidirected(&mut self, a: &str, b: &str) -> Result<()> {
        self.add_edge(Edge::bidirected(self.index(a)?, self.index(b)?))
    }

    /// Adds `a - b` by name.
    ///
    /// # Errors
    ///
    /// As [`MixedGraph::add_directed`].
    pub fn add_undirected(&mut self, a: &str, b: &str) -> Result<()> {
        self.add_edge(Edge::undirected(self.index(a)?, self.index(b)?))
    }

    /// Removes every edge between `a` and `b`; returns how many were removed.
    pub fn remove_edges_between(&mut self, a: usize, b: usize) -> usize {
        let before = self.edges.len();
        let between = |e: &Edge| (e.a == a && e.b == b) || (e.a == b && e.b == a);
        for e in self.edges.iter().filter(|e| between(e)) {
            self.keys.remove(&e.canonical());
        }
        self.edges.retain(|e| !between(e));
        let removed = before - self.edges.len();
        if removed > 0 {
            self.rebuild_adjacency();
        }
        removed
    }

    fn rebuild_adjacency(&mut self) {
        for adj in &mut self.adjacency {
            adj.clear();
        }
        for (k, e) in self.edges.iter().enumerate() {
            self.adjacency[e.a].push(k);
            self.adjacency[e.b].push(k);
        }
    }

    /// Whether this exact edge (same two nodes, same mark at each end) is in the graph; constant
    /// time.
    pub fn contains_edge(&self, edge: Edge) -> bool {
        self.keys.contains(&edge.canonical())
    }

    /// Edges incident to `v`, each written with `v` as its `a` end.
    pub fn incident(&self, v: usize) -> impl Iterator<Item = Edge> + '_ {
        self.adjacency[v].iter().map(move |&k| {
            let e = self.edges[k];
            if e.a == v { e } else { e.reversed() }
        })
    }

    /// Edges between `a` and `b`, each written with `a` as its `a` end.
    pub fn edges_between(&self, a: usize, b: usize) -> impl Iterator<Item = Edge> + '_ {
        self.incident(a).filter(move |e| e.b == b)
    }

    /// Whether any edge joins `a` and `b`.
    pub fn adjacent(&self, a: usize, b: usize) -> bool {
        self.edges_between(a, b).next().is_some()
    }

    /// Nodes adjacent to `v`, sorted, without repeats.
    pub fn neighbors(&self, v: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.incident(v).map(|e| e.b).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Nodes `p` with `p -> v`, sorted.
    pub fn parents(&self, v: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .incident(v)
            .filter(|e| e.mark_a == Mark::Arrow && e.mark_b == Mark::Tail)
            .map(|e| e.b)
            .collect();
        out.sort_unstable();
        out
    }

    /// Nodes `c` with `v -> c`, sorted.
    pub fn children(&self, v: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .incident(v)
            .filter(|e| e.mark_a == Mark::Tail && e.mark_b == Mark::Arrow)
            .map(|e| e.b)
            .collect();
        out.sort_unstable();
        out
    }

    /// Nodes `s` with `v <-> s`, sorted.
    pub fn spouses(&self, v: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .incident(v)
            .filter(|e| e.mark_a == Mark::Arrow && e.mark_b == Mark::Arrow)
            .map(|e| e.b)
            .collect();
        out.sort_unstable();
        out
    }

    /// The kind of graph, judged from the marks present.
    pub fn kind(&self) -> GraphKind {
        let (mut bi, mut un, mut circle) = (false, false, false);
        for e in &self.edges {
            match (e.mark_a, e.mark_b) {
                (Mark::Tail, Mark::Arrow) | (Mark::Arrow, Mark::Tail) => {}
                (Mark::Arrow, Mark::Arrow) => bi = true,
                (Mark::Tail, Mark::Tail) => un = true,
                _ => circle = true,
            }
        }
        match (bi, un, circle) {
            (false, false, false) => GraphKind::Dag,
            (true, false, false) => GraphKind::Admg,
            (false, true, false) => GraphKind::Cpdag,
            _ => GraphKind::Pag,
        }
    }

    /// A directed cycle through directed edges only, as node indices closed on its first node
    /// (`[a, b, a]`), if there is one (see `directed.rs` for which one).
    pub fn find_directed_cycle(&self) -> Option<Vec<usize>> {
        directed::find_cycle(&self.directed_graph())
    }

    /// Whether the directed part has no cycle.
    pub fn is_acyclic(&self) -> bool {
        self.directed_order().is_some()
    }

    /// The topological order of the directed part, `None` if it is cyclic.
    fn directed_order(&self) -> Option<Vec<usize>> {
        let n = self.nodes.len();
        let parents: Vec<Vec<usize>> = (0..n).map(|v| self.parents(v)).collect();
        let children: Vec<Vec<usize>> = (0..n).map(|v| self.children(v)).collect();
        directed::Adjacency {
            parents: &parents,
            children: &children,
        }
        .topological_order()
    }

    /// Fails with [`CoreError::Cycle`], naming the cycle, if the directed part is cyclic.
    ///
    /// # Errors
    ///
    /// [`CoreError::Cycle`].
    pub fn check_acyclic(&self) -> Result<()> {
        self.topological_order().map(|_| ())
    }

    /// A topological order of the directed part.
    ///
    /// # Errors
    ///
    /// [`CoreError::Cycle`] if there is none.
    pub fn topological_order(&self) -> Result<Vec<usize>> {
        self.directed_order().ok_or_else(|| {
            let cycle = self.find_directed_cycle().unwrap_or_default();
            CoreError::Cycle(cycle.iter().map(|&i| self.nodes[i].clone()).collect())
        })
    }

    /// The set of unordered adjacent pairs (the skeleton), as `(min, max)` index pairs.
    pub fn skeleton(&self) -> HashSet<(usize, usize)> {
        self.edges
            .iter()
            .map(|e| (e.a.min(e.b), e.a.max(e.b)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> MixedGraph {
        let mut g = MixedGraph::with_nodes(["A", "B", "C"]).unwrap();
        g.add_directed("A", "B").unwrap();
        g.add_directed("B", "C").unwrap();
        g
    }

    #[test]
    fn cycle_is_named() {
        let mut g = chain();
        g.add_directed("C", "A").unwrap();
        let err = g.check_acyclic().unwrap_err().to_string();
        assert!(err.contains("A -> B -> C -> A"), "{err}");
        assert!(g.topological_order().is_err());
    }

    #[test]
    fn topological_order_respects_edges() {
        let g = chain();
        assert_eq!(g.topological_order().unwrap(), vec![0, 1, 2]);
        assert_eq!(g.kind(), GraphKind::Dag);
    }

    #[test]
    fn bow_arc_is_allowed_but_duplicates_are_not() {
        let mut g = MixedGraph::with_nodes(["X", "Y"]).unwrap();
        g.add_directed("X", "Y").unwrap();
        g.add_bidirected("Y", "X").unwrap();
        assert_eq!(g.kind(), GraphKind::Admg);
        assert!(g.add_bidirected("X", "Y").is_err());
        assert!(g.add_directed("X", "X").is_err());
        assert!(matches!(g.add_directed("X", "Q"), Err(CoreError::UnknownNode(n)) if n == "Q"));
        assert_eq!(g.spouses(0), vec![1]);
        assert_eq!(g.remove_edges_between(0, 1), 2);
        assert_eq!(g.n_edges(), 0);
        // The duplicate check forgets removed edges.
        assert!(!g.contains_edge(Edge::directed(0, 1)));
        g.add_directed("X", "Y").unwrap();
        assert!(g.contains_edge(Edge::directed(0, 1)));
        assert!(!g.contains_edge(Edge::directed(1, 0)));
    }

    #[test]
    fn kinds_follow_marks() {
        let mut g = MixedGraph::with_nodes(["A", "B", "C"]).unwrap();
        g.add_undirected("A", "B").unwrap();
        assert_eq!(g.kind(), GraphKind::Cpdag);
        g.add_edge(Edge {
            a: 1,
            b: 2,
            mark_a: Mark::Circle,
            mark_b: Mark::Arrow,
        })
        .unwrap();
        assert_eq!(g.kind(), GraphKind::Pag);
    }
}
