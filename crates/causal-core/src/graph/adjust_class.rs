//! The generalised adjustment criterion on equivalence classes (Perković, Textor, Kalisch &
//! Maathuis 2018, JMLR 18(220)): amenability, validity of a given set, the constructive set
//! `Adjust(X, Y, G)` and, for DAGs, CPDAGs and maximally oriented PDAGs, the optimal set of
//! Henckel, Perković & Maathuis (2022).
//!
//! One [`Adjustment`] is built per graph and effect. Condition (c) of the criterion (every proper
//! definite-status non-causal path is blocked) is checked in one member of the class: a
//! consistent DAG extension of a (maximally oriented) PDAG, or Zhang's (2008) canonical MAG of a
//! PAG. For an amenable graph and a set that avoids `Forb(X, Y, G)`, condition (c) holds in the
//! class iff it holds in any member (Perković et al. 2018, proof of Theorem 3.6), and in a DAG
//! or MAG it is m-separation in the proper back-door graph.

use serde::{Deserialize, Serialize};

use super::admg::Admg;
use super::mark::Mark;
use super::marks::Marks;
use super::mixed::MixedGraph;
use super::nodeset::NodeSet;
use crate::error::{CoreError, Result};

/// Paths examined by the exact b-possibly-causal path search before it gives up.
const MAX_PATH_STEPS: usize = 5_000_000;

/// How a graph is read for adjustment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphClass {
    /// A causal DAG: every node observed unless marked latent.
    Dag,
    /// An ADMG: bidirected edges are hidden common causes of exactly those two nodes.
    Admg,
    /// A CPDAG: the Markov equivalence class of DAGs (as PC and GES return).
    Cpdag,
    /// A maximally oriented PDAG: a CPDAG with edges oriented by background knowledge.
    Pdag,
    /// A maximal ancestral graph: DAGs with latent variables, no selection.
    Mag,
    /// A partial ancestral graph: a Markov equivalence class of MAGs (as FCI returns).
    Pag,
}

impl std::fmt::Display for GraphClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Dag => "DAG",
            Self::Admg => "ADMG",
            Self::Cpdag => "CPDAG",
            Self::Pdag => "PDAG",
            Self::Mag => "MAG",
            Self::Pag => "PAG",
        })
    }
}

impl std::str::FromStr for GraphClass {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "dag" => Self::Dag,
            "admg" => Self::Admg,
            "cpdag" => Self::Cpdag,
            "pdag" | "mpdag" => Self::Pdag,
            "mag" => Self::Mag,
            "pag" => Self::Pag,
            other => {
                return Err(CoreError::InvalidParameter(format!(
                    "unknown graph class '{other}' (expected dag, admg, cpdag, pdag, mag or pag)"
                )));
            }
        })
    }
}

impl MixedGraph {
    /// The class a graph is read as by default: circle marks make a PAG; undirected edges a
    /// CPDAG when the graph is the CPDAG of its own DAG extensions, else a PDAG; bidirected edges
    /// an ADMG (pass [`GraphClass::Mag`] explicitly to read them as a MAG); directed edges only a
    /// DAG.
    pub fn graph_class(&self) -> GraphClass {
        let Ok(m) = Marks::from_mixed(self) else {
            return GraphClass::Admg;
        };
        if m.has_circle() {
            GraphClass::Pag
        } else if m.has_undirected() {
            if m.has_bidirected() {
                return GraphClass::Pag;
            }
            match m.one_extension() {
                Some(d) if Marks::cpdag_of(&d) == m => GraphClass::Cpdag,
                _ => GraphClass::Pdag,
            }
        } else if m.has_bidirected() {
            GraphClass::Admg
        } else {
            GraphClass::Dag
        }
    }

    /// The generalised adjustment criterion for the effect of `x` on `y`, reading the graph as
    /// `class` (see [`MixedGraph::graph_class`] for the default). A PDAG is first closed under
    /// Meek's rules.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for empty or overlapping `x` and `y`, marks the class does
    /// not allow, a PDAG with no consistent DAG extension, or a cyclic DAG/ADMG/MAG.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::{GraphClass, MixedGraph, NodeSet};
    ///
    /// // The CPDAG Z - X, Z - Y, X - Y is not amenable; with X -> Y known it still is not,
    /// // since X - Z -> Y may be causal. With Z -> X and Z -> Y (a v-structure-free PDAG from
    /// // knowledge) the set {Z} is valid.
    /// let mut g = MixedGraph::with_nodes(["Z", "X", "Y"])?;
    /// g.add_directed("Z", "X")?;
    /// g.add_directed("Z", "Y")?;
    /// g.add_undirected("X", "Y")?;
    /// let (x, y) = (NodeSet::from_indices(3, [1]), NodeSet::from_indices(3, [2]));
    /// let adj = g.adjustment(GraphClass::Pdag, &x, &y)?;
    /// assert!(adj.check_amenable().is_err()); // X - Y might point either way
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn adjustment(&self, class: GraphClass, x: &NodeSet, y: &NodeSet) -> Result<Adjustment> {
        Adjustment::new(self, class, x, y)
    }
}

/// The generalised adjustment criterion for one graph and one effect. See the module docs.
#[derive(Clone, Debug)]
pub struct Adjustment {
    class: GraphClass,
    names: Vec<String>,
    marks: Marks,
    x: NodeSet,
    y: NodeSet,
    latent: NodeSet,
    /// A proper possibly causal path whose first edge is not a (visible) directed edge.
    breaking_path: Option<Vec<usize>>,
    cn: NodeSet,
    forbidden: NodeSet,
    possible_ancestors: NodeSet,
    /// A DAG or MAG of the class, where condition (c) is checked.
    member: Admg,
}

impl Adjustment {
    fn new(g: &MixedGraph, class: GraphClass, x: &NodeSet, y: &NodeSet) -> Result<Self> {
        let n = g.n_nodes();
        if x.is_empty() || y.is_empty() {
            return Err(CoreError::InvalidParameter(
                "the treatment and the outcome need at least one node each".into(),
            ));
        }
        if let Some(v) = (x & y).first() {
            return Err(CoreError::InvalidParameter(format!(
                "node '{}' is both a treatment and an outcome",
                g.name(v)
            )));
        }
        let mut marks = Marks::from_mixed(g)?;
        let latent = NodeSet::from_indices(n, g.nodes_with(|r| r.latent));
        let allowed = |circle: bool, undirected: bool, bidirected: bool| -> Result<()> {
            let bad = (!circle && marks.has_circle())
                || (!undirected && marks.has_undirected())
                || (!bidirected && marks.has_bidirected());
            if bad {
                return Err(CoreError::InvalidParameter(format!(
                    "a {class} cannot have this graph's edges (undirected: {}, bidirected: {}, circle marks: {})",
                    marks.has_undirected(),
                    marks.has_bidirected(),
                    marks.has_circle()
                )));
            }
            Ok(())
        };
        let member = match class {
            GraphClass::Dag | GraphClass::Admg | GraphClass::Mag => {
                allowed(false, false, class != GraphClass::Dag)?;
                Admg::from_mixed(g)?
            }
            GraphClass::Cpdag | GraphClass::Pdag => {
                allowed(false, true, false)?;
                marks.meek_closure();
                let ext = marks.one_extension().ok_or_else(|| {
                    CoreError::InvalidParameter(
                        "the PDAG has no consistent DAG extension (its orientations contradict each other)"
                            .into(),
                    )
                })?;
                Admg::from_mixed(&ext.to_mixed(g))?
            }
            GraphClass::Pag => {
                if marks.has_undirected() {
                    return Err(CoreError::InvalidParameter(
                        "PAGs with undirected (selection) edges are not supported".into(),
                    ));
                }
                Admg::from_mixed(&canonical_mag(&marks)?.to_mixed(g))?
            }
        };
        let mut out = Self {
            class,
            names: g.nodes().to_vec(),
            marks,
            x: x.clone(),
            y: y.clone(),
            latent,
            breaking_path: None,
            cn: NodeSet::new(n),
            forbidden: NodeSet::new(n),
            possible_ancestors: NodeSet::new(n),
            member,
        };
        out.analyse()?;
        Ok(out)
    }

    /// Whether the graph needs the full b-possibly-causal path search: some directed edge
    /// `a -> b` with `a` possibly reachable from `b` (never in a CPDAG, MAG or PAG).
    fn needs_chords(&self) -> bool {
        let m = &self.marks;
        let n = m.n();
        let empty = NodeSet::new(n);
        (0..n).any(|a| {
            (0..n).any(|b| {
                m.directed(a, b)
                    && m.possible_reach(&NodeSet::from_indices(n, [b]), &empty, false)
                        .contains(a)
            })
        })
    }

    fn analyse(&mut self) -> Result<()> {
        let n = self.marks.n();
        if matches!(self.class, GraphClass::Dag | GraphClass::Admg) {
            // Exact nodes, every directed edge causal: Perković's criterion is Shpitser's.
            self.cn = self.member.causal_path_nodes(&self.x, &self.y);
            self.forbidden = self.member.forbidden(&self.x, &self.y);
            self.possible_ancestors = self.member.ancestors(&(&self.x | &self.y));
            return Ok(());
        }
        let chords = self.needs_chords();
        let mut search = PathSearch {
            m: &self.marks,
            chords,
            steps: 0,
        };
        // Amenability: every proper possibly causal path starts with a (visible) edge x -> d.
        'outer: for x in self.x.iter() {
            for d in self.marks.neighbors(x).collect::<Vec<_>>() {
                if self.x.contains(d) || !self.marks.possibly_out(x, d) {
                    continue;
                }
                if let Some(path) = search.path_from(x, d, &self.y, &self.x)? {
                    let ok = self.marks.directed(x, d)
                        && match self.class {
                            GraphClass::Mag | GraphClass::Pag => self.visible(x, d),
                            _ => true,
                        };
                    if !ok {
                        self.breaking_path = Some(path);
                        break 'outer;
                    }
                }
            }
        }
        self.cn = search.causal_nodes(&self.x, &self.y)?;
        let mut forb = search.reach(&self.cn, false)?;
        forb.union_with(&self.x);
        self.forbidden = forb;
        self.possible_ancestors = search.reach(&(&self.x | &self.y), true)?;
        let _ = n;
        Ok(())
    }

    /// Whether the directed edge `x -> d` is visible (Zhang 2008): some `v *-> x` with `v` not
    /// adjacent to `d`, directly or through a collider path `v *-> w1 <-> .. <-> x` whose inner
    /// nodes are all parents of `d`.
    fn visible(&self, x: usize, d: usize) -> bool {
        let m = &self.marks;
        let n = m.n();
        let mut chain = NodeSet::from_indices(n, [x]);
        let mut stack = vec![x];
        while let Some(w) = stack.pop() {
            for v in m.neighbors(w).collect::<Vec<_>>() {
                if v == d || m.mark(v, w) != Some(Mark::Arrow) {
                    continue;
                }
                if !m.adjacent(v, d) {
                    return true;
                }
                // v is adjacent to d: it extends the collider path if v <-> w and v -> d.
                if m.bidirected(v, w) && m.directed(v, d) && chain.insert(v) {
                    stack.push(v);
                }
            }
        }
        false
    }

    /// The class the graph was read as.
    pub fn class(&self) -> GraphClass {
        self.class
    }

    /// Whether the graph is adjustment amenable for the effect.
    pub fn is_amenable(&self) -> bool {
        self.breaking_path.is_none()
    }

    /// A proper possibly causal path from the treatment to the outcome whose first edge is not
    /// a (visible) directed edge out of the treatment, as node indices; `None` if amenable.
    pub fn breaking_path(&self) -> Option<&[usize]> {
        self.breaking_path.as_deref()
    }

    /// Fails with [`CoreError::NotAmenable`], naming the path that breaks amenability.
    ///
    /// # Errors
    ///
    /// [`CoreError::NotAmenable`].
    pub fn check_amenable(&self) -> Result<()> {
        match &self.breaking_path {
            None => Ok(()),
            Some(p) => Err(CoreError::NotAmenable(format!(
                "the possibly causal path {} does not start with a {} edge out of '{}', so no \
                 covariate set adjusts for this effect in every graph of the {}; orient that edge \
                 (background knowledge) or use IDA for the possible effects",
                self.render_path(p),
                if matches!(self.class, GraphClass::Mag | GraphClass::Pag) {
                    "visible directed"
                } else {
                    "directed"
                },
                self.names[p[0]],
                self.class
            ))),
        }
    }

    /// A path written with its edge marks, as `X o-> A -> Y`.
    pub fn render_path(&self, p: &[usize]) -> String {
        let mut s = self.names[p[0]].clone();
        for w in p.windows(2) {
            let (a, b) = (w[0], w[1]);
            let left = match self.marks.mark(b, a) {
                Some(Mark::Arrow) => "<",
                Some(Mark::Circle) => "o",
                _ => "",
            };
            let right = match self.marks.mark(a, b) {
                Some(Mark::Arrow) => ">",
                Some(Mark::Circle) => "o",
                _ => "",
            };
            s.push_str(&format!(" {left}-{right} {}", self.names[b]));
        }
        s
    }

    /// `Forb(X, Y, G)`: the treatment and every possible descendant of a node on a proper
    /// possibly causal path.
    pub fn forbidden(&self) -> &NodeSet {
        &self.forbidden
    }

    /// The nodes other than the treatment on proper possibly causal paths to the outcome.
    pub fn causal_nodes(&self) -> &NodeSet {
        &self.cn
    }

    /// Whether `z` is a valid adjustment set in every graph of the class: the graph is amenable,
    /// `z` avoids `Forb(X, Y, G)`, the outcome and the latent nodes, and blocks every proper
    /// definite-status non-causal path.
    pub fn is_valid(&self, z: &NodeSet) -> bool {
        if !self.is_amenable()
            || !z.is_disjoint(&self.forbidden)
            || !z.is_disjoint(&self.y)
            || !z.is_disjoint(&self.latent)
        {
            return false;
        }
        self.member.is_adjustment_set(&self.x, &self.y, z)
    }

    /// `Adjust(X, Y, G)`: the possible ancestors of `X ∪ Y` outside `Forb(X, Y, G)`, the outcome
    /// and the latent nodes, when it is valid. By Perković et al. (2018, Theorem 4.4) some valid
    /// set exists iff this one is valid.
    pub fn adjustment_set(&self) -> Option<NodeSet> {
        let mut z = self.possible_ancestors.clone();
        z.difference_with(&self.forbidden);
        z.difference_with(&self.y);
        z.difference_with(&self.x);
        z.difference_with(&self.latent);
        self.is_valid(&z).then_some(z)
    }

    /// The optimal set `O(X, Y, G) = Pa(Cn(X, Y, G)) \ Forb(X, Y, G)` (Henckel, Perković &
    /// Maathuis 2022), the valid set with the smallest asymptotic variance in linear models;
    /// for DAGs, CPDAGs and PDAGs with no latent nodes and an outcome that is a possible
    /// descendant of the treatment, when it is valid.
    pub fn optimal_set(&self) -> Option<NodeSet> {
        if !self.possibly_causal()
            || !matches!(
                self.class,
                GraphClass::Dag | GraphClass::Cpdag | GraphClass::Pdag
            )
            || !self.latent.is_empty()
        {
            return None;
        }
        let mut o = NodeSet::new(self.marks.n());
        for c in self.cn.iter() {
            for p in self.marks.parents(c) {
                o.insert(p);
            }
        }
        o.difference_with(&self.forbidden);
        self.is_valid(&o).then_some(o)
    }

    /// Whether the outcome is a possible descendant of the treatment (else the effect is zero).
    pub fn possibly_causal(&self) -> bool {
        !self.cn.is_disjoint(&self.y)
    }
}

/// Zhang's (2008, Theorem 2) canonical MAG of a PAG: `o->` becomes `->`, and the circle
/// component is oriented as a DAG without unshielded colliders.
fn canonical_mag(pag: &Marks) -> Result<Marks> {
    let n = pag.n();
    let mut out = pag.clone();
    let mut circle = Marks::empty(n);
    for a in 0..n {
        for b in a + 1..n {
            match (pag.mark(b, a), pag.mark(a, b)) {
                (Some(Mark::Circle), Some(Mark::Circle)) => {
                    circle.set(a, b, Mark::Tail, Mark::Tail);
                }
                (Some(Mark::Circle), Some(Mark::Arrow))
                | (Some(Mark::Circle), Some(Mark::Tail)) => {
                    out.orient(a, b);
                }
                (Some(Mark::Arrow), Some(Mark::Circle))
                | (Some(Mark::Tail), Some(Mark::Circle)) => {
                    out.orient(b, a);
                }
                _ => {}
            }
        }
    }
    let ext = circle.one_extension().ok_or_else(|| {
        CoreError::InvalidParameter(
            "the PAG's circle component is not chordal, so it is not a valid PAG".into(),
        )
    })?;
    for a in 0..n {
        for b in 0..n {
            if ext.directed(a, b) {
                out.orient(a, b);
            }
        }
    }
    Ok(out)
}

/// Searches for (b-)possibly causal paths: breadth-first when no chord can matter, else an
/// exhaustive depth-first search over simple paths that rejects a path with an edge `Vj -> Vi`
/// from a later node to an earlier one (Perković et al. 2017, Definition 3.1).
struct PathSearch<'a> {
    m: &'a Marks,
    chords: bool,
    steps: usize,
}

impl PathSearch<'_> {
    fn tick(&mut self) -> Result<()> {
        self.steps += 1;
        if self.steps > MAX_PATH_STEPS {
            return Err(CoreError::InvalidParameter(format!(
                "the graph is too large for the exact possibly-causal path search ({MAX_PATH_STEPS} steps)"
            )));
        }
        Ok(())
    }

    /// Whether `u` may follow the path `path` (forward): no directed edge from `u` into an
    /// earlier node.
    fn chord_free(&self, path: &[usize], u: usize) -> bool {
        !self.chords || path.iter().all(|&v| !self.m.directed(u, v))
    }

    /// A proper possibly causal path `x, d, ...` ending in `targets`, avoiding `avoid` after `x`.
    fn path_from(
        &mut self,
        x: usize,
        d: usize,
        targets: &NodeSet,
        avoid: &NodeSet,
    ) -> Result<Option<Vec<usize>>> {
        let n = self.m.n();
        if !self.chords {
            let mut pred = vec![usize::MAX; n];
            let mut seen = NodeSet::from_indices(n, [x, d]);
            let mut queue = std::collections::VecDeque::from([d]);
            pred[d] = x;
            while let Some(v) = queue.pop_front() {
                if targets.contains(v) {
                    let mut p = vec![v];
                    let mut u = v;
                    while u != x {
                        u = pred[u];
                        p.push(u);
                    }
                    p.reverse();
                    return Ok(Some(p));
                }
                for u in self.m.neighbors(v) {
                    if self.m.possibly_out(v, u) && !avoid.contains(u) && seen.insert(u) {
                        pred[u] = v;
                        queue.push_back(u);
                    }
                }
            }
            return Ok(None);
        }
        let mut path = vec![x, d];
        if !self.chord_free(&path[..1], d) {
            return Ok(None);
        }
        self.dfs_to(&mut path, targets, avoid)
    }

    fn dfs_to(
        &mut self,
        path: &mut Vec<usize>,
        targets: &NodeSet,
        avoid: &NodeSet,
    ) -> Result<Option<Vec<usize>>> {
        self.tick()?;
        let v = *path.last().unwrap_or(&0);
        if targets.contains(v) {
            return Ok(Some(path.clone()));
        }
        for u in self.m.neighbors(v).collect::<Vec<_>>() {
            if self.m.possibly_out(v, u)
                && !avoid.contains(u)
                && !path.contains(&u)
                && self.chord_free(path, u)
            {
                path.push(u);
                if let Some(p) = self.dfs_to(path, targets, avoid)? {
                    return Ok(Some(p));
                }
                path.pop();
            }
        }
        Ok(None)
    }

    /// Nodes outside `x` on proper possibly causal paths from `x` to `y`.
    fn causal_nodes(&mut self, x: &NodeSet, y: &NodeSet) -> Result<NodeSet> {
        let n = self.m.n();
        if !self.chords {
            let from_x = self.m.possible_reach(x, x, false);
            let to_y = self.m.possible_reach(y, x, true);
            return Ok(&(&from_x & &to_y) - x);
        }
        let mut out = NodeSet::new(n);
        for s in x.iter() {
            let mut path = vec![s];
            self.collect_paths(&mut path, y, x, &mut out)?;
        }
        Ok(out)
    }

    fn collect_paths(
        &mut self,
        path: &mut Vec<usize>,
        y: &NodeSet,
        x: &NodeSet,
        out: &mut NodeSet,
    ) -> Result<()> {
        self.tick()?;
        let v = *path.last().unwrap_or(&0);
        if y.contains(v) {
            for &u in &path[1..] {
                out.insert(u);
            }
        }
        for u in self.m.neighbors(v).collect::<Vec<_>>() {
            if self.m.possibly_out(v, u)
                && !x.contains(u)
                && !path.contains(&u)
                && self.chord_free(path, u)
            {
                path.push(u);
                self.collect_paths(path, y, x, out)?;
                path.pop();
            }
        }
        Ok(())
    }

    /// Possible descendants (or, `backward`, possible ancestors) of `set`, itself included.
    fn reach(&mut self, set: &NodeSet, backward: bool) -> Result<NodeSet> {
        let n = self.m.n();
        if !self.chords {
            return Ok(self.m.possible_reach(set, &NodeSet::new(n), backward));
        }
        let mut out = set.clone();
        for s in set.iter() {
            let mut path = vec![s];
            self.reach_dfs(&mut path, backward, &mut out)?;
        }
        Ok(out)
    }

    fn reach_dfs(
        &mut self,
        path: &mut Vec<usize>,
        backward: bool,
        out: &mut NodeSet,
    ) -> Result<()> {
        self.tick()?;
        let v = *path.last().unwrap_or(&0);
        for u in self.m.neighbors(v).collect::<Vec<_>>() {
            if path.contains(&u) {
                continue;
            }
            // Backward, `path` is the causal path read from its end: u comes before all of it,
            // so no path node may point into u.
            let ok = if backward {
                self.m.possibly_out(u, v) && path.iter().all(|&w| !self.m.directed(w, u))
            } else {
                self.m.possibly_out(v, u) && self.chord_free(path, u)
            };
            if ok {
                out.insert(u);
                path.push(u);
                self.reach_dfs(path, backward, out)?;
                path.pop();
            }
        }
        Ok(())
    }
}
