//! A dense partially directed graph for the search, with the conversions GES needs:
//! a consistent DAG extension (Dor & Tarsi 1992), the CPDAG of a DAG (v-structures plus
//! Meek's rules), and the Meek closure used after background knowledge orients edges.

use causal_core::graph::{Edge, MixedGraph};

use super::rules::EdgeRules;
use crate::error::{DiscoverError, Result};

/// `arc[i*d+j]` is `i -> j`; `und[i*d+j] == und[j*d+i]` is `i - j`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pdag {
    d: usize,
    arc: Vec<bool>,
    und: Vec<bool>,
}

impl Pdag {
    pub(crate) fn empty(d: usize) -> Self {
        Self {
            d,
            arc: vec![false; d * d],
            und: vec![false; d * d],
        }
    }

    pub(crate) fn n(&self) -> usize {
        self.d
    }

    pub(crate) fn is_arc(&self, i: usize, j: usize) -> bool {
        self.arc[i * self.d + j]
    }

    pub(crate) fn is_und(&self, i: usize, j: usize) -> bool {
        self.und[i * self.d + j]
    }

    pub(crate) fn adjacent(&self, i: usize, j: usize) -> bool {
        self.is_arc(i, j) || self.is_arc(j, i) || self.is_und(i, j)
    }

    pub(crate) fn remove(&mut self, i: usize, j: usize) {
        let d = self.d;
        self.arc[i * d + j] = false;
        self.arc[j * d + i] = false;
        self.und[i * d + j] = false;
        self.und[j * d + i] = false;
    }

    /// Sets `i -> j`, replacing any edge between them.
    pub(crate) fn set_arc(&mut self, i: usize, j: usize) {
        self.remove(i, j);
        self.arc[i * self.d + j] = true;
    }

    /// Sets `i - j`, replacing any edge between them.
    pub(crate) fn set_und(&mut self, i: usize, j: usize) {
        self.remove(i, j);
        self.und[i * self.d + j] = true;
        self.und[j * self.d + i] = true;
    }

    pub(crate) fn parents(&self, j: usize) -> Vec<usize> {
        (0..self.d).filter(|&i| self.is_arc(i, j)).collect()
    }

    pub(crate) fn neighbors(&self, j: usize) -> Vec<usize> {
        (0..self.d).filter(|&i| self.is_und(i, j)).collect()
    }

    /// Whether the nodes are pairwise adjacent (edge direction ignored).
    pub(crate) fn is_clique(&self, nodes: &[usize]) -> bool {
        nodes
            .iter()
            .enumerate()
            .all(|(k, &a)| nodes[k + 1..].iter().all(|&b| self.adjacent(a, b)))
    }

    /// Whether some semi-directed path (`->` or `-` steps) leads from `from` to `to` with no
    /// intermediate node in `blocked`.
    pub(crate) fn semi_directed_path_avoiding(
        &self,
        from: usize,
        to: usize,
        blocked: &[bool],
    ) -> bool {
        let mut seen = vec![false; self.d];
        let mut stack = vec![from];
        seen[from] = true;
        while let Some(v) = stack.pop() {
            for w in 0..self.d {
                if seen[w] || !(self.is_arc(v, w) || self.is_und(v, w)) {
                    continue;
                }
                if w == to {
                    return true;
                }
                seen[w] = true;
                if !blocked[w] {
                    stack.push(w);
                }
            }
        }
        false
    }

    /// A DAG in the equivalence class described by this PDAG (Dor & Tarsi 1992): repeatedly
    /// remove a sink whose undirected neighbours are adjacent to all its other neighbours,
    /// orienting its undirected edges into it.
    pub(crate) fn consistent_extension(&self) -> Result<Pdag> {
        let d = self.d;
        let mut out = self.clone();
        let mut alive = vec![true; d];
        for _ in 0..d {
            let sink = (0..d).find(|&x| {
                alive[x] && !(0..d).any(|y| alive[y] && self.is_arc(x, y)) && {
                    let adj: Vec<usize> = (0..d)
                        .filter(|&y| alive[y] && self.adjacent(x, y))
                        .collect();
                    (0..d)
                        .filter(|&y| alive[y] && self.is_und(x, y))
                        .all(|y| adj.iter().all(|&z| z == y || self.adjacent(y, z)))
                }
            });
            let Some(x) = sink else {
                return Err(DiscoverError::NoConsistentExtension);
            };
            for y in 0..d {
                if alive[y] && self.is_und(x, y) {
                    out.set_arc(y, x);
                }
            }
            alive[x] = false;
        }
        Ok(out)
    }

    /// The CPDAG of this graph, which must be a DAG: keep the v-structures, close under
    /// Meek's rules 1-3 (Meek 1995), everything else undirected.
    pub(crate) fn dag_to_cpdag(&self) -> Pdag {
        let d = self.d;
        let mut out = Pdag::empty(d);
        for i in 0..d {
            for j in 0..d {
                if self.is_arc(i, j) {
                    out.set_und(i, j);
                }
            }
        }
        for c in 0..d {
            let pa = self.parents(c);
            for (k, &a) in pa.iter().enumerate() {
                for &b in &pa[k + 1..] {
                    if !self.adjacent(a, b) {
                        out.set_arc(a, c);
                        out.set_arc(b, c);
                    }
                }
            }
        }
        out.meek_closure(false);
        out
    }

    /// Applies Meek's rules until nothing changes; rule 4 only when `with_r4` (needed once
    /// background knowledge has oriented edges).
    pub(crate) fn meek_closure(&mut self, with_r4: bool) {
        let d = self.d;
        loop {
            let mut changed = false;
            for a in 0..d {
                for b in 0..d {
                    if !self.is_und(a, b) {
                        continue;
                    }
                    if self.meek_orients(a, b, with_r4) {
                        self.set_arc(a, b);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Whether one of Meek's rules orients the undirected edge `a - b` as `a -> b`.
    fn meek_orients(&self, a: usize, b: usize, with_r4: bool) -> bool {
        let d = self.d;
        // R1: c -> a - b, c not adjacent to b.
        if (0..d).any(|c| c != b && self.is_arc(c, a) && !self.adjacent(c, b)) {
            return true;
        }
        // R2: a -> c -> b.
        if (0..d).any(|c| self.is_arc(a, c) && self.is_arc(c, b)) {
            return true;
        }
        // R3: a - c -> b, a - e -> b, c and e not adjacent.
        let cs: Vec<usize> = (0..d)
            .filter(|&c| c != b && self.is_und(a, c) && self.is_arc(c, b))
            .collect();
        for (k, &c) in cs.iter().enumerate() {
            if cs[k + 1..].iter().any(|&e| !self.adjacent(c, e)) {
                return true;
            }
        }
        // R4: a - c -> e -> b, c not adjacent to b, a adjacent to e.
        if with_r4 {
            for c in 0..d {
                if c == b || !self.is_und(a, c) || self.adjacent(c, b) {
                    continue;
                }
                if (0..d).any(|e| self.is_arc(c, e) && self.is_arc(e, b) && self.adjacent(a, e)) {
                    return true;
                }
            }
        }
        false
    }

    /// Orients undirected edges as the rules demand (required `i -> j`, or `i -> j` because
    /// `j -> i` is forbidden), then closes under Meek's rules 1-4.
    pub(crate) fn apply_rules(&mut self, rules: &EdgeRules) {
        if rules.is_empty() {
            return;
        }
        let d = self.d;
        for i in 0..d {
            for j in 0..d {
                if self.is_und(i, j)
                    && (rules.is_required(i, j)
                        || (rules.is_forbidden(j, i) && !rules.is_forbidden(i, j)))
                {
                    self.set_arc(i, j);
                }
            }
        }
        self.meek_closure(true);
    }

    /// The graph as causal-core's mixed graph with the given node names, edges in row order.
    pub(crate) fn to_mixed(&self, names: &[String]) -> Result<MixedGraph> {
        let mut g = MixedGraph::with_nodes(names.iter().cloned())?;
        for i in 0..self.d {
            for j in 0..self.d {
                if self.is_arc(i, j) {
                    g.add_edge(Edge::directed(i, j))?;
                } else if i < j && self.is_und(i, j) {
                    g.add_edge(Edge::undirected(i, j))?;
                }
            }
        }
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_cpdag_is_undirected_and_collider_is_kept() {
        let mut chain = Pdag::empty(3);
        chain.set_arc(0, 1);
        chain.set_arc(1, 2);
        let c = chain.dag_to_cpdag();
        assert!(c.is_und(0, 1) && c.is_und(1, 2) && !c.adjacent(0, 2));

        let mut coll = Pdag::empty(3);
        coll.set_arc(0, 2);
        coll.set_arc(1, 2);
        let c = coll.dag_to_cpdag();
        assert!(c.is_arc(0, 2) && c.is_arc(1, 2));
    }

    #[test]
    fn meek_r1_propagates_below_a_collider() {
        // 0 -> 2 <- 1, 2 -> 3: the edge 2 -> 3 is compelled by R1.
        let mut g = Pdag::empty(4);
        g.set_arc(0, 2);
        g.set_arc(1, 2);
        g.set_arc(2, 3);
        let c = g.dag_to_cpdag();
        assert!(c.is_arc(2, 3));
    }

    #[test]
    fn extension_of_a_cpdag_is_a_member_of_its_class() {
        let mut g = Pdag::empty(4);
        g.set_arc(0, 2);
        g.set_arc(1, 2);
        g.set_und(2, 3);
        g.set_und(0, 1);
        // 2 - 3 would not be undirected in a CPDAG; use a valid one instead.
        let mut dag = Pdag::empty(4);
        dag.set_arc(0, 1);
        dag.set_arc(1, 2);
        dag.set_arc(0, 2);
        dag.set_arc(3, 2);
        let cp = dag.dag_to_cpdag();
        let ext = cp.consistent_extension().unwrap();
        assert_eq!(ext.dag_to_cpdag(), cp);
        assert!(g.consistent_extension().is_ok());
    }

    #[test]
    fn required_edge_orients_and_propagates() {
        // 0 - 1 - 2 (chain class); requiring 0 -> 1 forces 1 -> 2 by R1.
        let mut g = Pdag::empty(3);
        g.set_und(0, 1);
        g.set_und(1, 2);
        let mut rules = EdgeRules::none(3);
        rules.require(0, 1);
        g.apply_rules(&rules);
        assert!(g.is_arc(0, 1) && g.is_arc(1, 2));
    }
}
