//! Zhang's rules R8–R10, which turn `a o-> c` into `a --> c`, as causal-learn 0.1.4.8 has them.
//!
//! - **R8**: `a --> b --> c` or `a -o b --> c`, with `a o-> c` ⇒ `a --> c`.
//! - **R9**: `a o-> c` and an uncovered possibly directed path `<a, b, …, c>` with `b`, `c`
//!   non-adjacent ⇒ `a --> c`.
//! - **R10**: `a o-> c`, `b --> c <-- d`, and possibly directed paths from two non-adjacent
//!   possible children of `a` to `b` and to `d` ⇒ `a --> c`.
//!
//! causal-learn searches R10's paths with `existsSemiDirectedPath` (not necessarily
//! uncovered), and draws the pairs of children from a Python `set`, whose order follows
//! string hashing; we take them in index order. The pair order matters only when the two paths
//! exist for one assignment of the children and not for the other.

use super::graph_ops::{end, exists_semi_directed_path, exists_uncovered_pd_path, nodes_into};
use crate::work_graph::{ARROW, CIRCLE, TAIL, WorkGraph};

/// causal-learn's `rule8`. Each pair of neighbours is tried in one order only, as there.
pub(crate) fn rule8(g: &mut WorkGraph) -> bool {
    let mut changed = false;
    for b in 0..g.n {
        let adj = g.neighbors(b);
        for (ia, &a) in adj.iter().enumerate() {
            for &c in &adj[ia + 1..] {
                let b_to_c = end(g, b, c) == ARROW && end(g, c, b) == TAIL;
                let a_o_to_c = g.adjacent(a, c) && end(g, a, c) == ARROW && end(g, c, a) == CIRCLE;
                let a_into_b = end(g, b, a) == TAIL && matches!(end(g, a, b), ARROW | CIRCLE);
                if b_to_c && a_o_to_c && a_into_b {
                    g.set_marks(a, c, TAIL, ARROW);
                    changed = true;
                }
            }
        }
    }
    changed
}

/// `a`'s neighbours other than `except` whose edge to `a` has no arrowhead at `a`
/// (causal-learn's `find_possible_children`), in index order.
fn possible_children(g: &WorkGraph, a: usize, except: usize) -> Vec<usize> {
    g.neighbors(a)
        .into_iter()
        .filter(|&v| v != except && g.get(a, v) != ARROW)
        .collect()
}

/// causal-learn's `rule9`.
pub(crate) fn rule9(g: &mut WorkGraph) -> bool {
    let mut changed = false;
    for c in 0..g.n {
        for a in nodes_into(g, c, ARROW) {
            if end(g, c, a) != CIRCLE {
                continue;
            }
            for b in possible_children(g, a, c) {
                if g.adjacent(b, c) {
                    continue;
                }
                if exists_uncovered_pd_path(g, a, b, c) {
                    g.set_marks(a, c, TAIL, ARROW);
                    changed = true;
                    break;
                }
            }
        }
    }
    changed
}

/// causal-learn's `rule10`.
pub(crate) fn rule10(g: &mut WorkGraph) -> bool {
    let mut changed = false;
    for c in 0..g.n {
        let into_c = nodes_into(g, c, ARROW);
        if into_c.len() < 2 {
            continue;
        }
        let a_nodes: Vec<usize> = into_c
            .iter()
            .copied()
            .filter(|&a| end(g, c, a) == CIRCLE)
            .collect();
        for a in a_nodes {
            let children = possible_children(g, a, c);
            if children.len() < 2 {
                continue;
            }
            for (ib, &b) in into_c.iter().enumerate() {
                for &d in &into_c[ib + 1..] {
                    if end(g, c, b) != TAIL || end(g, c, d) != TAIL {
                        continue;
                    }
                    'pairs: for (i1, &one) in children.iter().enumerate() {
                        for &two in &children[i1 + 1..] {
                            if !exists_semi_directed_path(g, one, b)
                                || !exists_semi_directed_path(g, two, d)
                            {
                                continue;
                            }
                            if !g.adjacent(one, two) {
                                g.set_marks(a, c, TAIL, ARROW);
                                changed = true;
                                break 'pairs;
                            }
                        }
                    }
                }
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule8_orients_the_shortcut_of_a_directed_chain() {
        // 0 --> 1 --> 2 and 0 o-> 2.
        let mut g = WorkGraph::empty(3);
        g.set_marks(0, 1, TAIL, ARROW);
        g.set_marks(1, 2, TAIL, ARROW);
        g.set_marks(0, 2, CIRCLE, ARROW);
        assert!(rule8(&mut g));
        assert_eq!((g.get(0, 2), g.get(2, 0)), (TAIL, ARROW));
        assert!(!rule8(&mut g));
    }

    #[test]
    fn rule9_needs_an_uncovered_possibly_directed_path() {
        // 0 o-> 3, and 0 o-o 1 o-o 2 --> 3 with 1, 3 non-adjacent: R9 gives 0 --> 3.
        let mut g = WorkGraph::empty(4);
        g.set_marks(0, 3, CIRCLE, ARROW);
        g.set_marks(0, 1, CIRCLE, CIRCLE);
        g.set_marks(1, 2, CIRCLE, CIRCLE);
        g.set_marks(2, 3, TAIL, ARROW);
        let mut covered = g.clone();
        assert!(rule9(&mut g));
        assert_eq!((g.get(0, 3), g.get(3, 0)), (TAIL, ARROW));
        // With 0 – 2 adjacent the path <0, 1, 2, 3> is covered.
        covered.set_marks(0, 2, CIRCLE, CIRCLE);
        assert!(!rule9(&mut covered));
    }

    #[test]
    fn rule10_uses_two_non_adjacent_children() {
        // 1 --> 0 <-- 2, 3 o-> 0, 3 o-o 1, 3 o-o 2 with 1, 2 non-adjacent: 3 --> 0.
        let mut g = WorkGraph::empty(4);
        g.set_marks(1, 0, TAIL, ARROW);
        g.set_marks(2, 0, TAIL, ARROW);
        g.set_marks(3, 0, CIRCLE, ARROW);
        g.set_marks(3, 1, CIRCLE, CIRCLE);
        g.set_marks(3, 2, CIRCLE, CIRCLE);
        assert!(rule10(&mut g));
        assert_eq!((g.get(3, 0), g.get(0, 3)), (TAIL, ARROW));
    }
}
