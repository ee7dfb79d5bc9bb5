//! causal-learn's `GeneralGraph` queries, phrased on the shared endpoint matrix.
//!
//! `WorkGraph::get(i, j)` is the mark at `i` on the edge `i – j`; causal-learn's
//! `get_endpoint(x, y)` is the mark at `y`, so [`end`] swaps the arguments. Keeping causal-learn's
//! vocabulary here lets the rule files read line by line against the reference.

use crate::knowledge::ResolvedKnowledge;
use crate::work_graph::{ARROW, CIRCLE, TAIL, WorkGraph};

/// The mark at `y` on the edge `x – y` (0 when not adjacent): causal-learn's `get_endpoint(x, y)`.
#[inline]
pub(crate) fn end(g: &WorkGraph, x: usize, y: usize) -> i8 {
    g.get(y, x)
}

/// Sets the mark at `y` on `x – y`, keeping the mark at `x`.
#[inline]
pub(crate) fn set_end(g: &mut WorkGraph, x: usize, y: usize, m: i8) {
    let at_x = g.get(x, y);
    g.set_marks(x, y, at_x, m);
}

/// Nodes `v` whose edge to `b` has mark `m` at `b` (`get_nodes_into`), in index order.
pub(crate) fn nodes_into(g: &WorkGraph, b: usize, m: i8) -> Vec<usize> {
    (0..g.n).filter(|&v| g.get(b, v) == m).collect()
}

/// Nodes `v` whose edge to `b` has mark `m` at `v` (`get_nodes_out_of`), in index order.
pub(crate) fn nodes_out_of(g: &WorkGraph, b: usize, m: i8) -> Vec<usize> {
    (0..g.n)
        .filter(|&v| g.adjacent(b, v) && g.get(v, b) == m)
        .collect()
}

/// `a *-> b <-* c`.
#[inline]
pub(crate) fn is_def_collider(g: &WorkGraph, a: usize, b: usize, c: usize) -> bool {
    g.adjacent(a, b) && g.adjacent(b, c) && g.get(b, a) == ARROW && g.get(b, c) == ARROW
}

/// `a --> c`.
#[inline]
pub(crate) fn is_parent_of(g: &WorkGraph, a: usize, c: usize) -> bool {
    g.get(a, c) == TAIL && g.get(c, a) == ARROW
}

/// Whether every consecutive-but-one pair of `path` is non-adjacent.
pub(crate) fn is_uncovered(g: &WorkGraph, path: &[usize]) -> bool {
    path.windows(3).all(|w| !g.adjacent(w[0], w[2]))
}

/// causal-learn's `is_arrow_point_allowed(x, y)`: may the edge `x – y` get an arrowhead at `y`?
///
/// Exactly as the reference: an existing arrowhead is allowed, a tail is not, and a circle is,
/// unless the mark at `x` is an arrow or a tail and knowledge forbids `x → y`.
pub(crate) fn arrow_allowed(
    g: &WorkGraph,
    x: usize,
    y: usize,
    k: Option<&ResolvedKnowledge>,
) -> bool {
    let at_y = end(g, x, y);
    let at_x = end(g, y, x);
    if at_y == ARROW {
        return true;
    }
    if at_y == TAIL {
        return false;
    }
    if (at_x == ARROW || at_x == TAIL) && k.is_some_and(|k| k.is_forbidden(x, y)) {
        return false;
    }
    at_y == CIRCLE
}

/// causal-learn's `get_graph_edges` as `(node1, node2)`: pairs `i < j`, except that an edge
/// with an arrowhead at `i` and none at `j` is reported `(j, i)` (its `Edge` flips left-pointing
/// edges). FCI's possible-d-sep stage keys its separating sets by this order.
pub(crate) fn graph_edges(g: &WorkGraph) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for i in 0..g.n {
        for j in (i + 1)..g.n {
            if !g.adjacent(i, j) {
                continue;
            }
            if g.get(i, j) == ARROW && g.get(j, i) != ARROW {
                out.push((j, i));
            } else {
                out.push((i, j));
            }
        }
    }
    out
}

/// causal-learn's `existsSemiDirectedPath`: a breadth-first search that starts at the
/// neighbours of `from` and crosses an edge when the current end carries no arrowhead.
pub(crate) fn exists_semi_directed_path(g: &WorkGraph, from: usize, to: usize) -> bool {
    let n = g.n;
    let mut seen = vec![false; n];
    let mut queue = std::collections::VecDeque::new();
    let step = |t: usize, u: usize| g.adjacent(t, u) && g.get(t, u) != ARROW;
    for u in 0..n {
        if step(from, u) && !seen[u] {
            seen[u] = true;
            queue.push_back(u);
        }
    }
    while let Some(t) = queue.pop_front() {
        if t == to {
            return true;
        }
        for u in 0..n {
            if step(t, u) && !seen[u] {
                seen[u] = true;
                queue.push_back(u);
            }
        }
    }
    false
}

/// Whether `t – u` can be crossed from `t` on a possibly directed path: no arrowhead at `t`,
/// no tail at `u`.
#[inline]
pub(crate) fn potentially_directed(g: &WorkGraph, t: usize, u: usize) -> bool {
    g.adjacent(t, u) && g.get(t, u) != ARROW && g.get(u, t) != TAIL
}

/// causal-learn's `existsUncoveredPdPath(from, next, to)`: a breadth-first search over
/// possibly directed edges from `next`, where each node is reached once (by its first path) and
/// the search succeeds when the first path that reaches `to` is uncovered.
pub(crate) fn exists_uncovered_pd_path(g: &WorkGraph, from: usize, next: usize, to: usize) -> bool {
    let n = g.n;
    let mut seen = vec![false; n];
    seen[from] = true;
    seen[next] = true;
    let mut queue = std::collections::VecDeque::new();
    for u in 0..n {
        if potentially_directed(g, next, u) && !seen[u] {
            seen[u] = true;
            queue.push_back((u, vec![from, next, u]));
        }
    }
    while let Some((t, path)) = queue.pop_front() {
        if t == to && is_uncovered(g, &path) {
            return true;
        }
        for u in 0..n {
            if potentially_directed(g, t, u) && !seen[u] {
                seen[u] = true;
                let mut p = path.clone();
                p.push(u);
                queue.push_back((u, p));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_pointing_edges_are_reported_flipped() {
        let mut g = WorkGraph::empty(3);
        g.set_marks(0, 1, ARROW, CIRCLE); // 0 <-o 1
        g.set_marks(1, 2, CIRCLE, CIRCLE);
        assert_eq!(graph_edges(&g), vec![(1, 0), (1, 2)]);
        assert_eq!(end(&g, 1, 0), ARROW);
        // A circle at 1 may become an arrowhead, unless knowledge forbids 0 -> 1.
        assert!(arrow_allowed(&g, 0, 1, None));
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let k = crate::knowledge::Knowledge::new()
            .forbid("a", "b")
            .resolve(&names)
            .unwrap();
        assert!(!arrow_allowed(&g, 0, 1, Some(&k)));
        // An existing arrowhead is always allowed, a tail never.
        assert!(arrow_allowed(&g, 1, 0, Some(&k)));
        g.set_marks(1, 2, TAIL, CIRCLE);
        assert!(!arrow_allowed(&g, 2, 1, None));
    }

    #[test]
    fn semi_directed_and_uncovered_paths() {
        // 0 o-o 1 --> 2, and 2 <-> 3.
        let mut g = WorkGraph::empty(4);
        g.set_marks(0, 1, CIRCLE, CIRCLE);
        g.set_marks(1, 2, TAIL, ARROW);
        g.set_marks(2, 3, ARROW, ARROW);
        assert!(exists_semi_directed_path(&g, 0, 2));
        assert!(!exists_semi_directed_path(&g, 2, 0));
        assert!(!exists_semi_directed_path(&g, 3, 2));
        assert!(exists_uncovered_pd_path(&g, 0, 1, 2));
        g.set_marks(0, 2, CIRCLE, ARROW); // now the path 0, 1, 2 is covered
        assert!(!exists_uncovered_pd_path(&g, 0, 1, 2));
    }
}
