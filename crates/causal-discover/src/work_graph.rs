//! The working graph of the constraint-based searches: an endpoint matrix plus causal-learn's
//! ancestor cache, so that PC and FCI make exactly the decisions causal-learn makes.
//!
//! It is private scaffolding: searches convert it to core's `MixedGraph` at the end.

use causal_core::graph::{Edge, Mark, MixedGraph};

use crate::error::Result;

pub(crate) const TAIL: i8 = -1;
pub(crate) const ARROW: i8 = 1;
pub(crate) const CIRCLE: i8 = 2;

/// `g[i * n + j]` is the mark at `i` on the edge `i – j` (0: no edge).
/// `dpath[j * n + i] == 1` means "i is an ancestor of j", maintained incrementally exactly as
/// causal-learn's `GeneralGraph.dpath` (which is not always the full transitive closure).
#[derive(Clone, Debug)]
pub(crate) struct WorkGraph {
    pub(crate) n: usize,
    g: Vec<i8>,
    dpath: Vec<u8>,
}

impl WorkGraph {
    /// The complete graph with every edge carrying mark `m` at both ends.
    pub(crate) fn complete(n: usize, m: i8) -> Self {
        let mut g = vec![m; n * n];
        for i in 0..n {
            g[i * n + i] = 0;
        }
        let mut dpath = vec![0; n * n];
        for i in 0..n {
            dpath[i * n + i] = 1;
        }
        Self { n, g, dpath }
    }

    /// `n` nodes and no edges (where the unit tests start).
    #[cfg(test)]
    pub(crate) fn empty(n: usize) -> Self {
        Self::complete(n, 0)
    }

    #[inline]
    pub(crate) fn get(&self, i: usize, j: usize) -> i8 {
        self.g[i * self.n + j]
    }

    #[inline]
    pub(crate) fn adjacent(&self, i: usize, j: usize) -> bool {
        self.g[j * self.n + i] != 0
    }

    pub(crate) fn neighbors(&self, i: usize) -> Vec<usize> {
        (0..self.n)
            .filter(|&j| self.g[i * self.n + j] != 0)
            .collect()
    }

    pub(crate) fn max_degree(&self) -> usize {
        (0..self.n)
            .map(|i| {
                self.g[i * self.n..(i + 1) * self.n]
                    .iter()
                    .filter(|&&v| v != 0)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// `i --> j`.
    #[inline]
    pub(crate) fn is_fully_directed(&self, i: usize, j: usize) -> bool {
        self.get(i, j) == TAIL && self.get(j, i) == ARROW
    }

    /// `i --- j`.
    #[inline]
    pub(crate) fn is_undirected(&self, i: usize, j: usize) -> bool {
        self.get(i, j) == TAIL && self.get(j, i) == TAIL
    }

    /// Whether `a` is an ancestor of `b` by the cache.
    #[inline]
    pub(crate) fn is_ancestor_of(&self, a: usize, b: usize) -> bool {
        self.dpath[b * self.n + a] == 1
    }

    /// Sets the marks of a pair directly (no ancestor bookkeeping), as FCI's endpoint edits do.
    pub(crate) fn set_marks(&mut self, i: usize, j: usize, mi: i8, mj: i8) {
        self.g[i * self.n + j] = mi;
        self.g[j * self.n + i] = mj;
    }

    /// Removes the edge `i – j`; rebuilds the ancestor cache if it was directed.
    pub(crate) fn remove_edge(&mut self, i: usize, j: usize) {
        let directed = self.is_fully_directed(i, j) || self.is_fully_directed(j, i);
        self.set_marks(i, j, 0, 0);
        if directed {
            self.reconstitute_dpath();
        }
    }

    /// Adds an edge with marks `mi` at `i` and `mj` at `j` to an empty pair.
    pub(crate) fn add_edge(&mut self, i: usize, j: usize, mi: i8, mj: i8) {
        self.set_marks(i, j, mi, mj);
        if mi == TAIL && mj == ARROW {
            self.adjust_dpath(i, j);
        } else if mi == ARROW && mj == TAIL {
            self.adjust_dpath(j, i);
        }
    }

    /// Replaces `i – j` by `i --> j`.
    pub(crate) fn orient(&mut self, i: usize, j: usize) {
        self.remove_edge(i, j);
        self.add_edge(i, j, TAIL, ARROW);
    }

    fn adjust_dpath(&mut self, i: usize, j: usize) {
        let n = self.n;
        self.dpath[j * n + i] = 1;
        for k in 0..n {
            if self.dpath[i * n + k] == 1 {
                self.dpath[j * n + k] = 1;
            }
            if self.dpath[k * n + j] == 1 {
                self.dpath[k * n + i] = 1;
            }
        }
    }

    fn reconstitute_dpath(&mut self) {
        let n = self.n;
        self.dpath.iter_mut().for_each(|v| *v = 0);
        for i in 0..n {
            self.adjust_dpath(i, i);
        }
        // causal-learn pops its edge list from the end: pairs (i < j) in reverse order.
        for i in (0..n).rev() {
            for j in ((i + 1)..n).rev() {
                if self.is_fully_directed(i, j) {
                    self.adjust_dpath(i, j);
                } else if self.is_fully_directed(j, i) {
                    self.adjust_dpath(j, i);
                }
            }
        }
    }

    /// causal-learn's `find_adj`: ordered adjacent pairs, tails first, each in row-major order.
    pub(crate) fn adj_list(&self) -> Vec<(usize, usize)> {
        let n = self.n;
        let mut out = Vec::new();
        for code in [TAIL, ARROW] {
            for row in 0..n {
                for col in 0..n {
                    if self.g[row * n + col] == code {
                        out.push((col, row));
                    }
                }
            }
        }
        out
    }

    /// Triples `(a, b, c)` with `a – b – c` over `adj_list` pairs, in causal-learn's
    /// `permutations` order; `shielded` selects triangles instead of unshielded triples.
    fn triples(&self, shielded: bool) -> Vec<(usize, usize, usize)> {
        let adj = self.adj_list();
        let mut from: Vec<Vec<usize>> = vec![Vec::new(); self.n];
        for &(b, c) in &adj {
            from[b].push(c);
        }
        let mut out = Vec::new();
        for &(a, b) in &adj {
            for &c in &from[b] {
                if c != a && self.adjacent(a, c) == shielded {
                    out.push((a, b, c));
                }
            }
        }
        out
    }

    pub(crate) fn unshielded_triples(&self) -> Vec<(usize, usize, usize)> {
        self.triples(false)
    }

    pub(crate) fn triangles(&self) -> Vec<(usize, usize, usize)> {
        self.triples(true)
    }

    /// causal-learn's `find_kites`: `(i, j, k, l)` from triangle pairs `(i, j, l)`, `(i, k, l)`
    /// with `j < k` and `j`, `k` non-adjacent.
    pub(crate) fn kites(&self) -> Vec<(usize, usize, usize, usize)> {
        let tri = self.triangles();
        let mut groups: std::collections::HashMap<(usize, usize), Vec<usize>> = Default::default();
        for (t, &(i, _, l)) in tri.iter().enumerate() {
            groups.entry((i, l)).or_default().push(t);
        }
        let mut out = Vec::new();
        for &(i, j, l) in &tri {
            for &t2 in &groups[&(i, l)] {
                let k = tri[t2].1;
                if j < k && self.get(j, k) == 0 {
                    out.push((i, j, k, l));
                }
            }
        }
        out
    }

    /// The graph with node names, edges in `(i, j)` order with `i < j`.
    pub(crate) fn to_mixed(&self, names: &[String]) -> Result<MixedGraph> {
        let mut g = MixedGraph::with_nodes(names.iter().cloned())?;
        let mark = |c: i8| match c {
            TAIL => Mark::Tail,
            ARROW => Mark::Arrow,
            _ => Mark::Circle,
        };
        for i in 0..self.n {
            for j in (i + 1)..self.n {
                if self.get(i, j) != 0 {
                    g.add_edge(Edge {
                        a: i,
                        b: j,
                        mark_a: mark(self.get(i, j)),
                        mark_b: mark(self.get(j, i)),
                    })?;
                }
            }
        }
        Ok(g)
    }
}

/// Lexicographic `k`-combinations of `items`, as Python's `itertools.combinations`.
pub(crate) fn for_each_combination<E>(
    items: &[usize],
    k: usize,
    mut f: impl FnMut(&[usize]) -> std::result::Result<bool, E>,
) -> std::result::Result<(), E> {
    let m = items.len();
    if k > m {
        return Ok(());
    }
    let mut idx: Vec<usize> = (0..k).collect();
    let mut buf: Vec<usize> = idx.iter().map(|&i| items[i]).collect();
    loop {
        if !f(&buf)? {
            return Ok(());
        }
        // Advance: find the rightmost index that can move.
        let mut i = k;
        loop {
            if i == 0 {
                return Ok(());
            }
            i -= 1;
            if idx[i] != i + m - k {
                break;
            }
            if i == 0 {
                return Ok(());
            }
        }
        idx[i] += 1;
        for j in (i + 1)..k {
            idx[j] = idx[j - 1] + 1;
        }
        for j in i..k {
            buf[j] = items[idx[j]];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn combos(items: &[usize], k: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        for_each_combination::<()>(items, k, |s| {
            out.push(s.to_vec());
            Ok(true)
        })
        .unwrap();
        out
    }

    #[test]
    fn combinations_match_itertools() {
        assert_eq!(
            combos(&[1, 3, 5, 7], 2),
            vec![
                vec![1, 3],
                vec![1, 5],
                vec![1, 7],
                vec![3, 5],
                vec![3, 7],
                vec![5, 7]
            ]
        );
        assert_eq!(combos(&[1, 3], 0), vec![Vec::<usize>::new()]);
        assert!(combos(&[1], 2).is_empty());
        assert_eq!(combos(&[4, 6, 8], 3), vec![vec![4, 6, 8]]);
    }

    #[test]
    fn triples_follow_causal_learn_order() {
        // Path 0 - 1 - 2 plus edge 1 - 3: unshielded triples with middle 1.
        let mut g = WorkGraph::complete(4, TAIL);
        g.remove_edge(0, 2);
        g.remove_edge(0, 3);
        g.remove_edge(2, 3);
        let ut = g.unshielded_triples();
        assert_eq!(
            ut,
            vec![
                (0, 1, 2),
                (0, 1, 3),
                (2, 1, 0),
                (2, 1, 3),
                (3, 1, 0),
                (3, 1, 2)
            ]
        );
        assert!(g.triangles().is_empty());
    }

    #[test]
    fn ancestor_cache_follows_directed_edges() {
        let mut g = WorkGraph::complete(3, TAIL);
        g.orient(0, 1);
        g.orient(1, 2);
        assert!(g.is_ancestor_of(0, 1) && g.is_ancestor_of(1, 2) && g.is_ancestor_of(0, 2));
        g.remove_edge(0, 1);
        assert!(!g.is_ancestor_of(0, 1) && g.is_ancestor_of(1, 2));
    }
}
