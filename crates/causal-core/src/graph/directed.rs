//! What the graph types take from petgraph: topological orders (petgraph's [`Topo`] walk),
//! cycle detection and naming (Kosaraju's strongly connected components, then the shortest
//! cycle through the first node of the first cyclic component), and petgraph views for users
//! ([`MixedGraph::to_petgraph`], [`Admg::to_petgraph`], `directed_graph`).
//!
//! The walk runs on [`Adjacency`], the graph's own parent and child lists seen through
//! petgraph's visit traits (no copy: identification sorts every graph it is given), with
//! [`NodeSet`] as the visit map. `Topo` pops from a stack: seeded with the roots in descending
//! index order, and offered each node's children in reverse stored order, it takes the
//! smallest root first and a node's children in stored order. That is the order of the
//! Kahn-by-stack sorts this module replaced, which the seeded simulators were published with
//! (`sim::simulate` draws the columns in this order). Both petgraph algorithms used here are
//! iterative, so a chain of 100 000 nodes does not overflow the stack.

use std::collections::{HashMap, VecDeque};
use std::iter::{Copied, Rev};
use std::slice::Iter;

use petgraph::Direction;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{GraphBase, IntoNeighbors, IntoNeighborsDirected, Topo, VisitMap, Visitable};

use super::{Admg, Edge, MixedGraph, NodeSet};

impl VisitMap<usize> for NodeSet {
    fn visit(&mut self, a: usize) -> bool {
        self.insert(a)
    }

    fn is_visited(&self, a: &usize) -> bool {
        self.contains(*a)
    }

    fn unvisit(&mut self, a: usize) -> bool {
        self.remove(a)
    }
}

/// The directed part of a graph as its parent and child lists, for petgraph's walks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Adjacency<'a> {
    pub(crate) parents: &'a [Vec<usize>],
    pub(crate) children: &'a [Vec<usize>],
}

impl GraphBase for Adjacency<'_> {
    type NodeId = usize;
    type EdgeId = (usize, usize);
}

impl<'b> IntoNeighbors for &Adjacency<'b> {
    type Neighbors = Rev<Copied<Iter<'b, usize>>>;

    /// Children, in reverse stored order (see the module docs).
    fn neighbors(self, v: usize) -> Self::Neighbors {
        self.children[v].iter().copied().rev()
    }
}

impl<'b> IntoNeighborsDirected for &Adjacency<'b> {
    type NeighborsDirected = Rev<Copied<Iter<'b, usize>>>;

    fn neighbors_directed(self, v: usize, d: Direction) -> Self::NeighborsDirected {
        match d {
            Direction::Outgoing => self.children[v].iter().copied().rev(),
            Direction::Incoming => self.parents[v].iter().copied().rev(),
        }
    }
}

impl Visitable for Adjacency<'_> {
    type Map = NodeSet;

    fn visit_map(&self) -> NodeSet {
        NodeSet::new(self.children.len())
    }

    fn reset_map(&self, map: &mut NodeSet) {
        *map = self.visit_map();
    }
}

impl Adjacency<'_> {
    /// A topological order (parents before children; ties broken as described in the module
    /// docs), or `None` when the graph has a directed cycle.
    pub(crate) fn topological_order(&self) -> Option<Vec<usize>> {
        let n = self.children.len();
        let mut topo = Topo::with_initials(self, (0..n).rev());
        let mut order = Vec::with_capacity(n);
        while let Some(v) = topo.next(self) {
            order.push(v);
        }
        (order.len() == n).then_some(order)
    }
}

/// The directed graph on `n` nodes with an edge `v -> c` for each `c` in `children(v)`.
pub(crate) fn digraph<I>(n: usize, children: impl Fn(usize) -> I) -> DiGraph<(), ()>
where
    I: IntoIterator<Item = usize>,
{
    let mut g = DiGraph::with_capacity(n, n);
    for _ in 0..n {
        g.add_node(());
    }
    for v in 0..n {
        for c in children(v) {
            g.add_edge(NodeIndex::new(v), NodeIndex::new(c), ());
        }
    }
    g
}

/// A directed cycle, closed (`[a, b, a]`): the shortest one through the smallest node of the
/// cyclic strongly connected component with the smallest node; `None` for a DAG.
pub(crate) fn find_cycle(g: &DiGraph<(), ()>) -> Option<Vec<usize>> {
    let start = kosaraju_scc(g)
        .into_iter()
        .filter(|c| c.len() > 1 || g.contains_edge(c[0], c[0]))
        .filter_map(|c| c.into_iter().min())
        .min()?;
    Some(cycle_through(g, start))
}

/// A cycle through `start` in parent-to-child direction, closed (`[a, b, a]`), found by a
/// breadth-first search so that its length, not the graph's depth, bounds the work; a node on
/// a cycle always has one.
pub(crate) fn cycle_through(g: &DiGraph<(), ()>, start: NodeIndex) -> Vec<usize> {
    let mut previous: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in g.neighbors(v) {
            if w == start {
                let mut path = vec![v.index()];
                let mut at = v;
                while at != start {
                    at = previous[&at];
                    path.push(at.index());
                }
                path.reverse();
                path.push(start.index());
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = previous.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start.index(), start.index()]
}

impl MixedGraph {
    /// The whole graph as a petgraph view: node `i` is `NodeIndex::new(i)` weighted by its
    /// name, and each edge goes from its `a` to its `b` end weighted by the [`Edge`] (whose
    /// marks tell directed, bidirected, undirected and circle edges apart).
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::MixedGraph;
    /// use petgraph::algo::has_path_connecting;
    ///
    /// let mut g = MixedGraph::with_nodes(["a", "b", "c"])?;
    /// g.add_directed("a", "b")?;
    /// g.add_directed("b", "c")?;
    /// let view = g.to_petgraph();
    /// assert_eq!(view[petgraph::graph::NodeIndex::new(2)], "c");
    /// assert!(has_path_connecting(&view, 0.into(), 2.into(), None));
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn to_petgraph(&self) -> DiGraph<String, Edge> {
        let mut g = DiGraph::with_capacity(self.n_nodes(), self.n_edges());
        for name in self.nodes() {
            g.add_node(name.clone());
        }
        for e in self.edges() {
            g.add_edge(NodeIndex::new(e.a), NodeIndex::new(e.b), *e);
        }
        g
    }

    /// The directed edges only, as a petgraph graph (node `i` is `NodeIndex::new(i)`).
    pub fn directed_graph(&self) -> DiGraph<(), ()> {
        digraph(self.n_nodes(), |v| self.children(v))
    }
}

impl Admg {
    /// The whole graph as a petgraph view: node `i` is `NodeIndex::new(i)` weighted by its
    /// name; directed edges go parent to child and bidirected edges from the smaller index,
    /// each weighted by its [`Edge`].
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::Admg;
    ///
    /// let g = Admg::from_names(["x", "y", "z"], &[("x", "y")], &[("y", "z")])?;
    /// let view = g.to_petgraph();
    /// assert_eq!((view.node_count(), view.edge_count()), (3, 2));
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn to_petgraph(&self) -> DiGraph<String, Edge> {
        let mut g = DiGraph::with_capacity(self.n(), self.n_directed() + self.n_bidirected());
        for name in self.names() {
            g.add_node(name.clone());
        }
        for (a, b) in self.directed_edges() {
            g.add_edge(NodeIndex::new(a), NodeIndex::new(b), Edge::directed(a, b));
        }
        for (a, b) in self.bidirected_edges() {
            g.add_edge(NodeIndex::new(a), NodeIndex::new(b), Edge::bidirected(a, b));
        }
        g
    }

    /// The directed edges only, as a petgraph graph (node `i` is `NodeIndex::new(i)`).
    pub fn directed_graph(&self) -> DiGraph<(), ()> {
        digraph(self.n(), |v| self.children(v).iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The Kahn-by-stack sort that `topological_order` replaced.
    fn kahn(n: usize, children: &[Vec<usize>]) -> Vec<usize> {
        let mut indeg = vec![0; n];
        for cs in children {
            for &c in cs {
                indeg[c] += 1;
            }
        }
        let mut ready: Vec<usize> = (0..n).rev().filter(|&v| indeg[v] == 0).collect();
        let mut order = Vec::new();
        while let Some(v) = ready.pop() {
            order.push(v);
            for &c in children[v].iter().rev() {
                indeg[c] -= 1;
                if indeg[c] == 0 {
                    ready.push(c);
                }
            }
        }
        order
    }

    #[test]
    fn petgraphs_walk_gives_the_published_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..200 {
            let n = rng.random_range(1..30);
            let perm: Vec<usize> = {
                let mut p: Vec<usize> = (0..n).collect();
                rand::seq::SliceRandom::shuffle(&mut p[..], &mut rng);
                p
            };
            let mut children = vec![Vec::new(); n];
            for a in 0..n {
                for b in a + 1..n {
                    if rng.random_bool(0.2) {
                        children[perm[a]].push(perm[b]);
                    }
                }
            }
            let mut parents = vec![Vec::new(); n];
            for (v, cs) in children.iter().enumerate() {
                for &c in cs {
                    parents[c].push(v);
                }
            }
            let adj = Adjacency {
                parents: &parents,
                children: &children,
            };
            assert_eq!(adj.topological_order(), Some(kahn(n, &children)));
            assert_eq!(find_cycle(&digraph(n, |v| children[v].clone())), None);
        }
    }

    #[test]
    fn cycles_are_found_closed_and_deep_chains_are_fine() {
        let children = [vec![1], vec![2], vec![3, 1], vec![]];
        let parents = [vec![], vec![0, 2], vec![1], vec![2]];
        let adj = Adjacency {
            parents: &parents,
            children: &children,
        };
        assert_eq!(adj.topological_order(), None);
        assert_eq!(
            find_cycle(&digraph(4, |v| children[v].clone())),
            Some(vec![1, 2, 1])
        );
        let n = 100_000;
        let chain = digraph(n, |v| (v + 1 < n).then_some(v + 1));
        assert_eq!(find_cycle(&chain), None);
        let down: Vec<Vec<usize>> = (0..n)
            .map(|v| (v + 1 < n).then_some(v + 1).into_iter().collect())
            .collect();
        let up: Vec<Vec<usize>> = (0..n)
            .map(|v| v.checked_sub(1).into_iter().collect())
            .collect();
        let adj = Adjacency {
            parents: &up,
            children: &down,
        };
        assert_eq!(adj.topological_order().map(|o| o[n - 1]), Some(n - 1));
    }
}
