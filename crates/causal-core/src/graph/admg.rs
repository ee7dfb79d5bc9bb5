//! Acyclic directed mixed graphs: directed edges plus bidirected (hidden-confounder) edges.

use std::collections::HashMap;

use super::mark::{Edge, Mark};
use super::mixed::MixedGraph;
use super::nodeset::NodeSet;
use super::roles::NodeRoles;
use crate::error::{CoreError, Result};

/// An acyclic directed mixed graph (ADMG) over named nodes.
///
/// `a -> b` is a direct cause; `a <-> b` a hidden common cause. The directed part is always
/// acyclic: every constructor checks it and names the cycle otherwise. Adjacency is stored as
/// sorted index lists per node (parents, children, spouses), so neighbourhood queries are slices
/// and set queries ([`Admg::ancestors`], [`Admg::districts_within`]) are linear-time traversals
/// over [`NodeSet`] bitsets.
///
/// # Examples
///
/// ```
/// use causal_core::graph::Admg;
///
/// // The front-door graph: X -> M -> Y with X <-> Y.
/// let g = Admg::from_names(["X", "M", "Y"], &[("X", "M"), ("M", "Y")], &[("X", "Y")])?;
/// let y = g.set(&["Y"])?;
/// assert_eq!(g.names_of(&g.ancestors(&y)), vec!["X", "M", "Y"]);
/// let districts = g.districts();
/// assert_eq!(districts.len(), 2); // {X, Y} and {M}
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Admg {
    names: Vec<String>,
    index: HashMap<String, usize>,
    parents: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    spouses: Vec<Vec<usize>>,
    roles: Vec<NodeRoles>,
}

fn insert_sorted(list: &mut Vec<usize>, v: usize) -> bool {
    match list.binary_search(&v) {
        Ok(_) => false,
        Err(pos) => {
            list.insert(pos, v);
            true
        }
    }
}

impl Admg {
    /// A graph with the given nodes and no edges.
    ///
    /// # Errors
    ///
    /// [`CoreError::Duplicate`] for a repeated name, [`CoreError::InvalidParameter`] for an empty one.
    pub fn with_nodes<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Result<Self> {
        let mut g = Self::default();
        for n in names {
            let n = n.into();
            if n.is_empty() {
                return Err(CoreError::InvalidParameter("a node name is empty".into()));
            }
            if g.index.contains_key(&n) {
                return Err(CoreError::Duplicate(n));
            }
            g.index.insert(n.clone(), g.names.len());
            g.names.push(n);
        }
        let n = g.names.len();
        g.parents = vec![Vec::new(); n];
        g.children = vec![Vec::new(); n];
        g.spouses = vec![Vec::new(); n];
        g.roles = vec![NodeRoles::default(); n];
        Ok(g)
    }

    /// Builds a graph from node names and edges given as index pairs, checking acyclicity once.
    /// Repeated edges are merged.
    ///
    /// # Errors
    ///
    /// As [`Admg::with_nodes`]; [`CoreError::InvalidParameter`] for an index out of range or a
    /// self-loop; [`CoreError::Cycle`] naming a directed cycle.
    pub fn from_edges<S: Into<String>>(
        names: impl IntoIterator<Item = S>,
        directed: &[(usize, usize)],
        bidirected: &[(usize, usize)],
    ) -> Result<Self> {
        let mut g = Self::with_nodes(names)?;
        for &(a, b) in directed {
            g.check_pair(a, b)?;
            if insert_sorted(&mut g.children[a], b) {
                insert_sorted(&mut g.parents[b], a);
            }
        }
        for &(a, b) in bidirected {
            g.check_pair(a, b)?;
            insert_sorted(&mut g.spouses[a], b);
            insert_sorted(&mut g.spouses[b], a);
        }
        g.check_acyclic()?;
        Ok(g)
    }

    /// Builds a graph from node names and edges given by name.
    ///
    /// # Errors
    ///
    /// As [`Admg::from_edges`], and [`CoreError::UnknownNode`] for an edge naming an absent node.
    pub fn from_names<S: Into<String>>(
        names: impl IntoIterator<Item = S>,
        directed: &[(&str, &str)],
        bidirected: &[(&str, &str)],
    ) -> Result<Self> {
        let g = Self::with_nodes(names)?;
        let pairs = |list: &[(&str, &str)]| -> Result<Vec<(usize, usize)>> {
            list.iter()
                .map(|(a, b)| Ok((g.index(a)?, g.index(b)?)))
                .collect()
        };
        let (d, b) = (pairs(directed)?, pairs(bidirected)?);
        let names = g.names;
        Self::from_edges(names, &d, &b)
    }

    fn check_pair(&self, a: usize, b: usize) -> Result<()> {
        let n = self.names.len();
        if a >= n || b >= n {
            return Err(CoreError::InvalidParameter(format!(
                "edge ({a}, {b}) refers to a node index out of range ({n} nodes)"
            )));
        }
        if a == b {
            return Err(CoreError::InvalidParameter(format!(
                "self-loop on node '{}'",
                self.names[a]
            )));
        }
        Ok(())
    }

    /// Adds `from -> to` by index.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for a bad index or self-loop; [`CoreError::Cycle`] (the
    /// graph is left unchanged) if the edge would close a directed cycle.
    pub fn add_directed_idx(&mut self, from: usize, to: usize) -> Result<()> {
        self.check_pair(from, to)?;
        if self.children[from].binary_search(&to).is_ok() {
            return Ok(());
        }
        // A cycle appears iff `from` is already a descendant of `to`.
        if let Some(path) = self.directed_path(to, from) {
            let mut cycle: Vec<String> = path.iter().map(|&i| self.names[i].clone()).collect();
            cycle.push(self.names[to].clone());
            return Err(CoreError::Cycle(cycle));
        }
        insert_sorted(&mut self.children[from], to);
        insert_sorted(&mut self.parents[to], from);
        Ok(())
    }

    /// Adds `from -> to` by name.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`], and as [`Admg::add_directed_idx`].
    pub fn add_directed(&mut self, from: &str, to: &str) -> Result<()> {
        self.add_directed_idx(self.index(from)?, self.index(to)?)
    }

    /// Adds `a <-> b` by index.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for a bad index or self-loop.
    pub fn add_bidirected_idx(&mut self, a: usize, b: usize) -> Result<()> {
        self.check_pair(a, b)?;
        insert_sorted(&mut self.spouses[a], b);
        insert_sorted(&mut self.spouses[b], a);
        Ok(())
    }

    /// Adds `a <-> b` by name.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`], and as [`Admg::add_bidirected_idx`].
    pub fn add_bidirected(&mut self, a: &str, b: &str) -> Result<()> {
        self.add_bidirected_idx(self.index(a)?, self.index(b)?)
    }

    /// A directed path `from -> .. -> to` as node indices, if one exists.
    pub fn directed_path(&self, from: usize, to: usize) -> Option<Vec<usize>> {
        let n = self.n();
        let mut pred = vec![usize::MAX; n];
        let mut seen = NodeSet::new(n);
        let mut stack = vec![from];
        seen.insert(from);
        while let Some(v) = stack.pop() {
            if v == to {
                let mut path = vec![to];
                let mut u = to;
                while u != from {
                    u = pred[u];
                    path.push(u);
                }
                path.reverse();
                return Some(path);
            }
            for &c in &self.children[v] {
                if seen.insert(c) {
                    pred[c] = v;
                    stack.push(c);
                }
            }
        }
        None
    }

    fn check_acyclic(&self) -> Result<()> {
        if self.topo().is_some() {
            return Ok(());
        }
        // Slow path only on failure: find and name a cycle.
        let mg = self.to_mixed();
        mg.check_acyclic()?;
        Err(CoreError::InvalidParameter(
            "the directed part is cyclic".into(),
        ))
    }

    fn topo(&self) -> Option<Vec<usize>> {
        super::directed::Adjacency {
            parents: &self.parents,
            children: &self.children,
        }
        .topological_order()
    }

    /// A topological order of the nodes (parents before children; ties by index).
    pub fn topological_order(&self) -> Vec<usize> {
        // Acyclicity is an invariant of the type.
        self.topo().unwrap_or_default()
    }

    /// Number of nodes.
    pub fn n(&self) -> usize {
        self.names.len()
    }

    /// Number of directed edges.
    pub fn n_directed(&self) -> usize {
        self.children.iter().map(Vec::len).sum()
    }

    /// Number of bidirected edges.
    pub fn n_bidirected(&self) -> usize {
        self.spouses.iter().map(Vec::len).sum::<usize>() / 2
    }

    /// Node names in index order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The name of node `i`. Panics if `i` is out of range, like slice indexing.
    pub fn name(&self, i: usize) -> &str {
        &self.names[i]
    }

    /// The names of the members of `set`, in index order.
    pub fn names_of(&self, set: &NodeSet) -> Vec<&str> {
        set.iter().map(|i| self.names[i].as_str()).collect()
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

    /// The set of the named nodes.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] naming the first unknown one.
    pub fn set<S: AsRef<str>>(&self, names: &[S]) -> Result<NodeSet> {
        let mut s = self.empty_set();
        for n in names {
            s.insert(self.index(n.as_ref())?);
        }
        Ok(s)
    }

    /// The empty set over this graph's nodes.
    pub fn empty_set(&self) -> NodeSet {
        NodeSet::new(self.n())
    }

    /// The set of all nodes.
    pub fn all(&self) -> NodeSet {
        NodeSet::full(self.n())
    }

    /// Parents of `v`, sorted.
    pub fn parents(&self, v: usize) -> &[usize] {
        &self.parents[v]
    }

    /// Children of `v`, sorted.
    pub fn children(&self, v: usize) -> &[usize] {
        &self.children[v]
    }

    /// Nodes joined to `v` by a bidirected edge, sorted.
    pub fn spouses(&self, v: usize) -> &[usize] {
        &self.spouses[v]
    }

    /// Whether `a -> b`.
    pub fn has_directed(&self, a: usize, b: usize) -> bool {
        self.children[a].binary_search(&b).is_ok()
    }

    /// Whether `a <-> b`.
    pub fn has_bidirected(&self, a: usize, b: usize) -> bool {
        self.spouses[a].binary_search(&b).is_ok()
    }

    /// Whether any edge joins `a` and `b`.
    pub fn adjacent(&self, a: usize, b: usize) -> bool {
        self.has_directed(a, b) || self.has_directed(b, a) || self.has_bidirected(a, b)
    }

    /// The roles of node `i`. Panics if `i` is out of range.
    pub fn roles(&self, i: usize) -> NodeRoles {
        self.roles[i]
    }

    /// Mutable access to the roles of node `i`. Panics if `i` is out of range.
    pub fn roles_mut(&mut self, i: usize) -> &mut NodeRoles {
        &mut self.roles[i]
    }

    /// The nodes whose roles satisfy `pred`.
    pub fn nodes_with(&self, pred: impl Fn(&NodeRoles) -> bool) -> NodeSet {
        NodeSet::from_indices(self.n(), (0..self.n()).filter(|&i| pred(&self.roles[i])))
    }

    /// Directed edges `(from, to)` in index order.
    pub fn directed_edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.children
            .iter()
            .enumerate()
            .flat_map(|(a, cs)| cs.iter().map(move |&b| (a, b)))
    }

    /// Bidirected edges `(a, b)` with `a < b`, in index order.
    pub fn bidirected_edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.spouses
            .iter()
            .enumerate()
            .flat_map(|(a, ss)| ss.iter().filter(move |&&b| b > a).map(move |&b| (a, b)))
    }

    fn reach<'g>(
        &'g self,
        start: &NodeSet,
        within: &NodeSet,
        step: impl Fn(usize) -> &'g [usize],
    ) -> NodeSet {
        // Built at this graph's capacity, whatever the capacity of the arguments.
        let mut seen = NodeSet::new(self.n());
        seen.union_with(start);
        seen.intersect_with(within);
        let mut stack: Vec<usize> = seen.to_vec();
        while let Some(v) = stack.pop() {
            for &w in step(v) {
                if within.contains(w) && seen.insert(w) {
                    stack.push(w);
                }
            }
        }
        seen
    }

    /// Ancestors of `set`, including `set` itself.
    pub fn ancestors(&self, set: &NodeSet) -> NodeSet {
        self.ancestors_within(set, &self.all())
    }

    /// Ancestors of `set ∩ within` in the subgraph induced by `within` (members included).
    pub fn ancestors_within(&self, set: &NodeSet, within: &NodeSet) -> NodeSet {
        self.reach(set, within, |v| &self.parents[v])
    }

    /// Descendants of `set`, including `set` itself.
    pub fn descendants(&self, set: &NodeSet) -> NodeSet {
        self.descendants_within(set, &self.all())
    }

    /// Descendants of `set ∩ within` in the subgraph induced by `within` (members included).
    pub fn descendants_within(&self, set: &NodeSet, within: &NodeSet) -> NodeSet {
        self.reach(set, within, |v| &self.children[v])
    }

    /// The district (c-component) of `v` in the subgraph induced by `within`: the nodes
    /// joined to `v` by bidirected paths inside `within`. Empty if `v` is not in `within`.
    pub fn district_within(&self, v: usize, within: &NodeSet) -> NodeSet {
        let start = NodeSet::from_indices(self.n(), [v]);
        self.reach(&start, within, |u| &self.spouses[u])
    }

    /// The districts (c-components) of the whole graph, ordered by smallest member.
    pub fn districts(&self) -> Vec<NodeSet> {
        self.districts_within(&self.all())
    }

    /// The districts of the subgraph induced by `within`, ordered by smallest member.
    pub fn districts_within(&self, within: &NodeSet) -> Vec<NodeSet> {
        let mut left = within.clone();
        let mut out = Vec::new();
        while let Some(v) = left.first() {
            let d = self.district_within(v, within);
            left.difference_with(&d);
            out.push(d);
        }
        out
    }

    /// `G` with every edge into `set` removed (directed edges pointing at it and bidirected
    /// edges touching it): Pearl's `G_{\bar X}`, the graph of `do(X)`.
    pub fn cut_incoming(&self, set: &NodeSet) -> Admg {
        let mut g = self.clone();
        for v in set.iter() {
            for p in std::mem::take(&mut g.parents[v]) {
                g.children[p].retain(|&c| c != v);
            }
            for s in std::mem::take(&mut g.spouses[v]) {
                g.spouses[s].retain(|&u| u != v);
            }
        }
        g
    }

    /// `G` with every directed edge out of `set` removed: Pearl's `G_{\underline X}`.
    pub fn cut_outgoing(&self, set: &NodeSet) -> Admg {
        let mut g = self.clone();
        for v in set.iter() {
            for c in std::mem::take(&mut g.children[v]) {
                g.parents[c].retain(|&p| p != v);
            }
        }
        g
    }

    /// `G` without the directed edge `from -> to` (unchanged if absent).
    pub fn without_directed(&self, from: usize, to: usize) -> Admg {
        let mut g = self.clone();
        g.remove_directed(from, to);
        g
    }

    /// Removes the directed edge `from -> to` in place (nothing if absent).
    pub fn remove_directed(&mut self, from: usize, to: usize) {
        self.children[from].retain(|&c| c != to);
        self.parents[to].retain(|&p| p != from);
    }

    /// The subgraph induced by `set`, re-indexed in index order (names and roles kept).
    pub fn induced(&self, set: &NodeSet) -> Admg {
        let keep = set.to_vec();
        let mut new_index = vec![usize::MAX; self.n()];
        for (k, &v) in keep.iter().enumerate() {
            new_index[v] = k;
        }
        let mut g = Admg {
            names: keep.iter().map(|&v| self.names[v].clone()).collect(),
            index: HashMap::new(),
            parents: vec![Vec::new(); keep.len()],
            children: vec![Vec::new(); keep.len()],
            spouses: vec![Vec::new(); keep.len()],
            roles: keep.iter().map(|&v| self.roles[v]).collect(),
        };
        for (k, name) in g.names.iter().enumerate() {
            g.index.insert(name.clone(), k);
        }
        let remap = |list: &[usize]| -> Vec<usize> {
            list.iter()
                .filter(|&&u| set.contains(u))
                .map(|&u| new_index[u])
                .collect()
        };
        for (k, &v) in keep.iter().enumerate() {
            g.parents[k] = remap(&self.parents[v]);
            g.children[k] = remap(&self.children[v]);
            g.spouses[k] = remap(&self.spouses[v]);
        }
        g
    }

    /// The latent projection onto the complement of `latent` (Verma & Pearl): the ADMG over
    /// the remaining nodes in which `a -> b` iff `G` has a directed path from `a` to `b` whose
    /// inner nodes are all latent, and `a <-> b` iff `G` has a path between them with
    /// arrowheads at both ends whose inner nodes are all latent non-colliders.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::Admg;
    ///
    /// let g = Admg::from_names(["U", "X", "M", "Y"],
    ///     &[("U", "X"), ("U", "Y"), ("X", "M"), ("M", "Y")], &[])?;
    /// let p = g.latent_projection(&g.set(&["U", "M"])?);
    /// assert!(p.has_directed(p.index("X")?, p.index("Y")?));
    /// assert!(p.has_bidirected(p.index("X")?, p.index("Y")?));
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn latent_projection(&self, latent: &NodeSet) -> Admg {
        let n = self.n();
        // For each node, its latent "sources": latent l with l -> .. -> v through latents only.
        let order = self.topological_order();
        let mut sources: Vec<NodeSet> = vec![NodeSet::new(n); n];
        for &v in &order {
            let mut s = NodeSet::new(n);
            for &p in &self.parents[v] {
                if latent.contains(p) {
                    s.insert(p);
                    s.union_with(&sources[p]);
                }
            }
            sources[v] = s;
        }
        let observed = latent.complement();
        let obs: Vec<usize> = observed.to_vec();
        let mut directed = Vec::new();
        let mut bidirected = Vec::new();
        let mut new_index = vec![usize::MAX; n];
        for (k, &v) in obs.iter().enumerate() {
            new_index[v] = k;
        }
        // Tops of treks into v: v itself and its latent sources.
        let tops: Vec<NodeSet> = (0..n)
            .map(|v| {
                let mut t = sources[v].clone();
                t.insert(v);
                t
            })
            .collect();
        // Nodes whose spouse set meets tops(v): spouse-closure of tops.
        let spouse_of_tops: Vec<NodeSet> = obs
            .iter()
            .map(|&v| {
                let mut s = NodeSet::new(n);
                for t in tops[v].iter() {
                    for &u in &self.spouses[t] {
                        s.insert(u);
                    }
                }
                s
            })
            .collect();
        for (ka, &a) in obs.iter().enumerate() {
            for &b in &obs[ka + 1..] {
                let common_latent = !sources[a].is_disjoint(&sources[b]);
                let via_spouse = !spouse_of_tops[ka].is_disjoint(&tops[b]);
                if common_latent || via_spouse {
                    bidirected.push((new_index[a], new_index[b]));
                }
            }
        }
        for &b in &obs {
            for t in tops[b].iter() {
                for &p in &self.parents[t] {
                    if observed.contains(p) {
                        directed.push((new_index[p], new_index[b]));
                    }
                }
            }
        }
        let names: Vec<String> = obs.iter().map(|&v| self.names[v].clone()).collect();
        // Projection of an acyclic graph is acyclic; the fallback keeps the type total.
        let mut g = Admg::from_edges(names, &directed, &bidirected).unwrap_or_default();
        for (k, &v) in obs.iter().enumerate() {
            if k < g.roles.len() {
                g.roles[k] = self.roles[v];
            }
        }
        g
    }

    /// The latent projection onto the nodes not marked latent in their roles.
    pub fn project_latents(&self) -> Admg {
        self.latent_projection(&self.nodes_with(|r| r.latent))
    }

    /// The graph as a [`MixedGraph`] (directed edges, then bidirected, in index order).
    pub fn to_mixed(&self) -> MixedGraph {
        let mut m = MixedGraph::new();
        for name in &self.names {
            // Names are unique and non-empty by construction.
            let _ = m.add_node(name.clone());
        }
        for (i, r) in self.roles.iter().enumerate() {
            *m.roles_mut(i) = *r;
        }
        for (a, b) in self.directed_edges() {
            let _ = m.add_edge(Edge::directed(a, b));
        }
        for (a, b) in self.bidirected_edges() {
            let _ = m.add_edge(Edge::bidirected(a, b));
        }
        m
    }

    /// Reads a [`MixedGraph`] holding only directed and bidirected edges.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming an undirected or circle-marked edge;
    /// [`CoreError::Cycle`] naming a directed cycle.
    pub fn from_mixed(m: &MixedGraph) -> Result<Self> {
        let mut directed = Vec::new();
        let mut bidirected = Vec::new();
        for e in m.edges() {
            match (e.mark_a, e.mark_b) {
                (Mark::Tail, Mark::Arrow) => directed.push((e.a, e.b)),
                (Mark::Arrow, Mark::Tail) => directed.push((e.b, e.a)),
                (Mark::Arrow, Mark::Arrow) => bidirected.push((e.a, e.b)),
                _ => {
                    return Err(CoreError::InvalidParameter(format!(
                        "edge {} between '{}' and '{}' is not directed or bidirected; \
                         an ADMG needs -> and <-> only",
                        mark_text(e.mark_a, e.mark_b),
                        m.name(e.a),
                        m.name(e.b)
                    )));
                }
            }
        }
        let mut g = Self::from_edges(m.nodes().iter().cloned(), &directed, &bidirected)?;
        for i in 0..g.n() {
            g.roles[i] = m.roles(i);
        }
        Ok(g)
    }
}

/// An edge's marks as text, e.g. `o->`.
pub(crate) fn mark_text(a: Mark, b: Mark) -> String {
    let left = match a {
        Mark::Tail => "-",
        Mark::Arrow => "<-",
        Mark::Circle => "o-",
    };
    let right = match b {
        Mark::Tail => "-",
        Mark::Arrow => ">",
        Mark::Circle => "o",
    };
    format!("{left}{right}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn napkin() -> Admg {
        Admg::from_names(
            ["W1", "W2", "X", "Y"],
            &[("W1", "W2"), ("W2", "X"), ("X", "Y")],
            &[("W1", "X"), ("W1", "Y")],
        )
        .unwrap()
    }

    #[test]
    fn cycles_are_refused_and_named() {
        let err = Admg::from_names(["A", "B", "C"], &[("A", "B"), ("B", "C"), ("C", "A")], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("A -> B -> C -> A"), "{err}");
        let mut g = Admg::from_names(["A", "B", "C"], &[("A", "B"), ("B", "C")], &[]).unwrap();
        let err = g.add_directed("C", "A").unwrap_err().to_string();
        assert!(err.contains("A -> B -> C -> A"), "{err}");
        assert_eq!(g.n_directed(), 2);
        assert!(matches!(g.add_directed("A", "Q"), Err(CoreError::UnknownNode(q)) if q == "Q"));
    }

    #[test]
    fn ancestors_descendants_districts() {
        let g = napkin();
        let y = g.set(&["Y"]).unwrap();
        assert_eq!(g.names_of(&g.ancestors(&y)), vec!["W1", "W2", "X", "Y"]);
        let w2 = g.set(&["W2"]).unwrap();
        assert_eq!(g.names_of(&g.descendants(&w2)), vec!["W2", "X", "Y"]);
        let d: Vec<Vec<&str>> = g.districts().iter().map(|d| g.names_of(d)).collect();
        assert_eq!(d, vec![vec!["W1", "X", "Y"], vec!["W2"]]);
        // Without W1 the bidirected path X <-> W1 <-> Y is gone.
        let within = g.set(&["W2", "X", "Y"]).unwrap();
        assert_eq!(g.districts_within(&within).len(), 3);
        let anc = g.ancestors_within(&y, &g.set(&["W1", "X", "Y"]).unwrap());
        assert_eq!(g.names_of(&anc), vec!["X", "Y"]);
    }

    #[test]
    fn mutilations_and_induced_subgraphs() {
        let g = napkin();
        let x = g.set(&["X"]).unwrap();
        let bar = g.cut_incoming(&x);
        assert!(bar.parents(2).is_empty() && bar.spouses(2).is_empty());
        assert!(bar.has_bidirected(0, 3));
        let under = g.cut_outgoing(&x);
        assert!(under.children(2).is_empty() && under.has_bidirected(0, 2));
        let sub = g.induced(&g.set(&["W1", "X", "Y"]).unwrap());
        assert_eq!(sub.names(), &["W1", "X", "Y"]);
        assert!(sub.has_directed(1, 2) && sub.has_bidirected(0, 1) && sub.n_directed() == 1);
    }

    #[test]
    fn latent_projection_of_classic_confounding() {
        // U -> X, U -> L -> Y, X -> M -> Y, and V <-> X with V latent and V -> Y.
        let g = Admg::from_names(
            ["U", "L", "V", "X", "M", "Y"],
            &[
                ("U", "X"),
                ("U", "L"),
                ("L", "Y"),
                ("X", "M"),
                ("M", "Y"),
                ("V", "Y"),
            ],
            &[("V", "X")],
        )
        .unwrap();
        let p = g.latent_projection(&g.set(&["U", "L", "V"]).unwrap());
        assert_eq!(p.names(), &["X", "M", "Y"]);
        let (x, m, y) = (0, 1, 2);
        assert!(p.has_directed(x, m) && p.has_directed(m, y) && !p.has_directed(x, y));
        assert!(p.has_bidirected(x, y) && !p.has_bidirected(x, m) && !p.has_bidirected(m, y));
        // Projecting the mediator turns X -> M -> Y into X -> Y.
        let q = g.latent_projection(&g.set(&["M"]).unwrap());
        assert!(q.has_directed(q.index("X").unwrap(), q.index("Y").unwrap()));
        // A latent collider induces nothing.
        let c = Admg::from_names(["A", "C", "B"], &[("A", "C"), ("B", "C")], &[]).unwrap();
        let pc = c.latent_projection(&c.set(&["C"]).unwrap());
        assert_eq!(pc.n_directed() + pc.n_bidirected(), 0);
    }

    #[test]
    fn mixed_round_trip_and_refusals() {
        let mut g = napkin();
        g.roles_mut(2).exposure = true;
        let m = g.to_mixed();
        assert_eq!(Admg::from_mixed(&m).unwrap(), g);
        let mut u = MixedGraph::with_nodes(["A", "B"]).unwrap();
        u.add_undirected("A", "B").unwrap();
        let err = Admg::from_mixed(&u).unwrap_err().to_string();
        assert!(err.contains("'A' and 'B'"), "{err}");
    }
}
