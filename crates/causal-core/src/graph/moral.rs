//! Undirected separation in the augmented (moral) graph of an ancestral set, and the listing of
//! minimal separators that adjustment-set enumeration rests on.
//!
//! Inside an ancestral set `A`, `X` and `Y` are m-separated by `Z ⊆ A` iff `Z` separates them in
//! the augmented graph of `G[A]` (Richardson 2003; Lauritzen's moralisation for DAGs), where two
//! nodes are joined when a collider path links them: every district `D` of `G[A]` becomes a
//! clique together with its parents.

use super::admg::Admg;
use super::nodeset::NodeSet;

/// The augmented graph of `G[within]`, `within` an ancestral set, as adjacency sets.
pub(crate) struct Moral {
    adj: Vec<NodeSet>,
    within: NodeSet,
}

impl Moral {
    pub fn new(g: &Admg, within: &NodeSet) -> Self {
        let n = g.n();
        let mut adj = vec![NodeSet::new(n); n];
        for d in g.districts_within(within) {
            let mut clique = d.clone();
            for v in d.iter() {
                for &p in g.parents(v) {
                    if within.contains(p) {
                        clique.insert(p);
                    }
                }
            }
            // Joining every pair of `clique` is quadratic only in the clique size.
            for v in clique.iter() {
                adj[v].union_with(&clique);
                adj[v].remove(v);
            }
        }
        Self {
            adj,
            within: within.clone(),
        }
    }

    /// Neighbours of `set` outside it.
    fn neighbours(&self, set: &NodeSet) -> NodeSet {
        let mut out = NodeSet::new(self.within.capacity());
        for v in set.iter() {
            out.union_with(&self.adj[v]);
        }
        out.intersect_with(&self.within);
        out.difference_with(set);
        out
    }

    /// Nodes reachable from `start` without entering `removed` (members of `start` in
    /// `removed` are dropped).
    fn component(&self, start: &NodeSet, removed: &NodeSet) -> NodeSet {
        let mut allowed = &self.within - removed;
        let mut seen = start & &allowed;
        let mut frontier = seen.clone();
        allowed.difference_with(&seen);
        while !frontier.is_empty() {
            let mut next = self.neighbours(&frontier);
            next.intersect_with(&allowed);
            allowed.difference_with(&next);
            seen.union_with(&next);
            frontier = next;
        }
        seen
    }

    /// The minimal separator between `a` and `y` closest to `a`, growing `a` through nodes that
    /// may not be in a separator (`allowed` complement) and refusing to grow into `f`.
    /// Returns the grown `a` (the whole `a` side) and the separator.
    fn closest(
        &self,
        mut a: NodeSet,
        y: &NodeSet,
        allowed: &NodeSet,
        f: &NodeSet,
    ) -> Option<(NodeSet, NodeSet)> {
        loop {
            if !a.is_disjoint(y) {
                return None;
            }
            let na = self.neighbours(&a);
            if !na.is_disjoint(y) {
                return None;
            }
            let d = self.component(y, &na);
            let s = self.neighbours(&d);
            let side = self.component(&a, &s);
            if !side.is_disjoint(f) {
                return None;
            }
            let bad = &s - allowed;
            if bad.is_empty() {
                return Some((side, s));
            }
            if !bad.is_disjoint(f) {
                return None;
            }
            a = &side | &bad;
        }
    }

    /// The minimal `x`–`y` separator inside `allowed` closest to `x`, if any exists.
    pub fn closest_separator(
        &self,
        x: &NodeSet,
        y: &NodeSet,
        allowed: &NodeSet,
    ) -> Option<NodeSet> {
        let none = NodeSet::new(self.within.capacity());
        self.closest(x.clone(), y, allowed, &none).map(|(_, s)| s)
    }

    /// Every inclusion-minimal `x`–`y` separator made of nodes in `allowed`, at most `limit`.
    ///
    /// Branches on one node of the closest separator at a time: either it joins the `x` side,
    /// or it is fixed outside it (Takata 2010, as used by van der Zander et al. 2019). Each
    /// minimal separator is reached on exactly one branch.
    pub fn minimal_separators(
        &self,
        x: &NodeSet,
        y: &NodeSet,
        allowed: &NodeSet,
        limit: usize,
    ) -> Vec<NodeSet> {
        // Depth-first over the branches with an explicit stack (the depth can reach the
        // number of nodes); the second branch is pushed first so the order of the output is
        // that of the recursive formulation.
        let mut out = Vec::new();
        let mut stack = vec![(x.clone(), NodeSet::new(self.within.capacity()))];
        while let Some((a, f)) = stack.pop() {
            if out.len() >= limit {
                break;
            }
            let Some((side, s)) = self.closest(a, y, allowed, &f) else {
                continue;
            };
            match (&s - &f).first() {
                None => out.push(s),
                Some(v) => {
                    let mut a2 = side.clone();
                    a2.insert(v);
                    let mut f2 = f.clone();
                    f2.insert(v);
                    stack.push((side, f2));
                    stack.push((a2, f));
                }
            }
        }
        out
    }
}
