//! The compact ADMG that identification runs on: parents, children and spouses as bitsets over
//! node indices, a fixed topological order, and m-separation by reachability.

use crate::error::{CoreError, Result};
use crate::graph::Admg;
use crate::graph::NodeSet;

/// Directed plus bidirected adjacency over node indices.
#[derive(Clone, Debug)]
pub(crate) struct Cg {
    pub(crate) n: usize,
    pub(crate) names: Vec<String>,
    pub(crate) pa: Vec<NodeSet>,
    pub(crate) ch: Vec<NodeSet>,
    pub(crate) sp: Vec<NodeSet>,
    /// `rank[v]` is the position of `v` in a topological order of the directed part.
    pub(crate) rank: Vec<usize>,
}

impl Cg {
    /// The compact form of an ADMG.
    pub(crate) fn from_admg(g: &Admg) -> Self {
        let n = g.n();
        let set = |list: &[usize]| NodeSet::from_indices(n, list.iter().copied());
        let pa = (0..n).map(|v| set(g.parents(v))).collect();
        let ch = (0..n).map(|v| set(g.children(v))).collect();
        let sp = (0..n).map(|v| set(g.spouses(v))).collect();
        let mut rank = vec![0; n];
        for (k, v) in g.topological_order().into_iter().enumerate() {
            rank[v] = k;
        }
        Self {
            n,
            names: g.names().to_vec(),
            pa,
            ch,
            sp,
            rank,
        }
    }

    /// The compact form of the ADMG over the observed nodes: nodes marked latent in their roles
    /// are projected out first.
    pub(crate) fn observed(g: &Admg) -> Self {
        if g.nodes_with(|r| r.latent).is_empty() {
            Self::from_admg(g)
        } else {
            Self::from_admg(&g.project_latents())
        }
    }

    pub(crate) fn empty_set(&self) -> NodeSet {
        NodeSet::new(self.n)
    }

    pub(crate) fn all(&self) -> NodeSet {
        NodeSet::full(self.n)
    }

    /// Ancestors of `of` (inclusive) in `G[within]`, where nodes in `cut` lose their incoming
    /// directed edges (the graph `G_{\bar cut}`).
    pub(crate) fn ancestors(
        &self,
        of: &NodeSet,
        within: &NodeSet,
        cut: Option<&NodeSet>,
    ) -> NodeSet {
        let mut seen = of.intersection(within);
        let mut stack: Vec<usize> = seen.iter().collect();
        while let Some(v) = stack.pop() {
            if cut.is_some_and(|c| c.contains(v)) {
                continue;
            }
            for p in self.pa[v].intersection(within).iter() {
                if !seen.contains(p) {
                    seen.insert(p);
                    stack.push(p);
                }
            }
        }
        seen
    }

    /// The district (c-component) of `v` in `G[within]`.
    pub(crate) fn district(&self, v: usize, within: &NodeSet) -> NodeSet {
        let mut seen = NodeSet::from_indices(self.n, [v]);
        let mut stack = vec![v];
        while let Some(u) = stack.pop() {
            for s in self.sp[u].intersection(within).iter() {
                if !seen.contains(s) {
                    seen.insert(s);
                    stack.push(s);
                }
            }
        }
        seen
    }

    /// The districts of `G[within]`, each once, ordered by their smallest member.
    pub(crate) fn districts(&self, within: &NodeSet) -> Vec<NodeSet> {
        let mut left = within.clone();
        let mut out = Vec::new();
        while let Some(v) = left.first() {
            let d = self.district(v, within);
            left = left.difference(&d);
            out.push(d);
        }
        out
    }

    /// Members of `s` in topological order.
    pub(crate) fn in_order(&self, s: &NodeSet) -> Vec<usize> {
        let mut v: Vec<usize> = s.iter().collect();
        v.sort_unstable_by_key(|&u| self.rank[u]);
        v
    }

    /// Members of `within` that come before `v` in the topological order.
    pub(crate) fn predecessors(&self, v: usize, within: &NodeSet) -> NodeSet {
        let r = self.rank[v];
        NodeSet::from_indices(self.n, within.iter().filter(|&u| self.rank[u] < r))
    }

    /// Whether `a` and `b` are m-separated by `c` in the graph where nodes in `no_in` lose every
    /// edge with an arrowhead at them and nodes in `no_out` lose their outgoing directed edges.
    /// `a`, `b` and `c` need not be disjoint: a shared node of `a` and `b` outside `c` connects.
    pub(crate) fn m_separated(
        &self,
        a: &NodeSet,
        b: &NodeSet,
        c: &NodeSet,
        no_in: Option<&NodeSet>,
        no_out: Option<&NodeSet>,
    ) -> bool {
        let empty = self.empty_set();
        let no_in = no_in.unwrap_or(&empty);
        let no_out = no_out.unwrap_or(&empty);
        if a.difference(c).intersects(&b.difference(c)) {
            return false;
        }
        // Ancestors of the conditioning set in the mutilated graph decide which colliders open.
        let an_c = {
            let mut seen = c.clone();
            let mut stack: Vec<usize> = seen.iter().collect();
            while let Some(v) = stack.pop() {
                if no_in.contains(v) {
                    continue;
                }
                for p in self.pa[v].iter() {
                    if !no_out.contains(p) && !seen.contains(p) {
                        seen.insert(p);
                        stack.push(p);
                    }
                }
            }
            seen
        };
        // States: (node, arrived with an arrowhead at it). Index 2v + arrow.
        let mut visited = vec![false; 2 * self.n];
        let mut stack: Vec<(usize, bool)> = Vec::new();
        for v in a.difference(c).iter() {
            // The start is never a collider; a tail arrival models that.
            visited[2 * v] = true;
            stack.push((v, false));
        }
        while let Some((v, arrow_in)) = stack.pop() {
            if b.contains(v) {
                return false;
            }
            let in_c = c.contains(v);
            let pass_collider = an_c.contains(v);
            // Leaving v by an edge whose mark at v is `leave_arrow`.
            let may_leave = |leave_arrow: bool| {
                if arrow_in && leave_arrow {
                    pass_collider
                } else {
                    !in_c
                }
            };
            // v -> w: tail at v, arrow at w.
            if !no_out.contains(v) && may_leave(false) {
                for w in self.ch[v].iter() {
                    if !no_in.contains(w) && !visited[2 * w + 1] {
                        visited[2 * w + 1] = true;
                        stack.push((w, true));
                    }
                }
            }
            if !no_in.contains(v) && may_leave(true) {
                // w -> v: arrow at v, tail at w.
                for w in self.pa[v].iter() {
                    if !no_out.contains(w) && !visited[2 * w] {
                        visited[2 * w] = true;
                        stack.push((w, false));
                    }
                }
                // w <-> v.
                for w in self.sp[v].iter() {
                    if !no_in.contains(w) && !visited[2 * w + 1] {
                        visited[2 * w + 1] = true;
                        stack.push((w, true));
                    }
                }
            }
        }
        true
    }

    /// Node indices for names.
    pub(crate) fn set_of<S: AsRef<str>>(&self, names: &[S]) -> Result<NodeSet> {
        let mut s = self.empty_set();
        for name in names {
            let name = name.as_ref();
            let i = self
                .names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| CoreError::UnknownNode(name.to_owned()))?;
            s.insert(i);
        }
        Ok(s)
    }

    /// Names of a set's members, in index order.
    pub(crate) fn names_of(&self, s: &NodeSet) -> Vec<String> {
        s.iter().map(|i| self.names[i].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(edges: &[(&str, &str)], bi: &[(&str, &str)], nodes: &[&str]) -> Cg {
        Cg::from_admg(&Admg::from_names(nodes.iter().copied(), edges, bi).unwrap())
    }

    #[test]
    fn m_separation_on_collider_and_chain() {
        // A -> C <- B, C -> D; A <-> E.
        let cg = g(
            &[("A", "C"), ("B", "C"), ("C", "D")],
            &[("A", "E")],
            &["A", "B", "C", "D", "E"],
        );
        let s = |names: &[&str]| cg.set_of(names).unwrap();
        assert!(cg.m_separated(&s(&["A"]), &s(&["B"]), &s(&[]), None, None));
        assert!(!cg.m_separated(&s(&["A"]), &s(&["B"]), &s(&["D"]), None, None));
        assert!(!cg.m_separated(&s(&["E"]), &s(&["D"]), &s(&[]), None, None));
        assert!(cg.m_separated(&s(&["E"]), &s(&["D"]), &s(&["C"]), None, None));
        assert!(cg.m_separated(&s(&["E"]), &s(&["B"]), &s(&[]), None, None));
        assert!(!cg.m_separated(&s(&["E"]), &s(&["B"]), &s(&["C"]), None, None));
        // Cutting edges into A removes A <-> E.
        assert!(cg.m_separated(&s(&["E"]), &s(&["D"]), &s(&[]), Some(&s(&["A"])), None));
        // Cutting edges out of C blocks C -> D.
        assert!(cg.m_separated(&s(&["A"]), &s(&["D"]), &s(&[]), None, Some(&s(&["C"]))));
    }

    #[test]
    fn ancestors_and_districts() {
        let cg = g(&[("X", "Z"), ("Z", "Y")], &[("X", "Y")], &["X", "Z", "Y"]);
        let y = cg.set_of(&["Y"]).unwrap();
        assert_eq!(cg.ancestors(&y, &cg.all(), None).len(), 3);
        let x = cg.set_of(&["Z"]).unwrap();
        assert_eq!(cg.ancestors(&y, &cg.all(), Some(&x)).len(), 2);
        assert_eq!(cg.districts(&cg.all()).len(), 2);
        assert!(matches!(cg.set_of(&["Q"]), Err(CoreError::UnknownNode(_))));
    }
}
