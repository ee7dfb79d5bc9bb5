//! Zhang's rules R5–R7 for selection bias, which causal-learn 0.1.4.8's `fci` always runs.
//!
//! - **R5**: `a o-o b` with an uncovered circle path `a o-o c … d o-o b` (`a`, `d` and `b`, `c`
//!   non-adjacent) ⇒ `a — b` and every edge of the path becomes `—`.
//! - **R6**: `a — b o-* c` ⇒ `b -* c`.
//! - **R7**: `a -o b o-* c`, `a`, `c` non-adjacent ⇒ `b -* c`.
//!
//! Without selection variables R5 alone can fire (on an `o-o` cycle), and R6/R7 then follow.

use std::collections::VecDeque;

use super::graph_ops::{end, is_uncovered, nodes_into};
use crate::work_graph::{CIRCLE, TAIL, WorkGraph};

fn is_circle_edge(g: &WorkGraph, u: usize, v: usize) -> bool {
    g.adjacent(u, v) && g.get(u, v) == CIRCLE && g.get(v, u) == CIRCLE
}

/// causal-learn's `GetUncoveredCirclePath(c, d, exclude)` driven to the end, handing each path
/// it yields to `on_path` at once. causal-learn's generator runs lazily while the caller
/// reorients, so every step here reads the current graph, as there.
fn for_each_uncovered_circle_path(
    g: &mut WorkGraph,
    from: usize,
    to: usize,
    exclude: [usize; 2],
    mut on_path: impl FnMut(&mut WorkGraph, &[usize]),
) {
    let n = g.n;
    let mut seen = vec![false; n];
    let mut queue: VecDeque<(usize, Vec<usize>)> = VecDeque::new();
    for u in 0..n {
        if exclude.contains(&u) || !is_circle_edge(g, from, u) {
            continue;
        }
        if !seen[u] {
            seen[u] = true;
            queue.push_back((u, vec![from, u]));
        }
    }
    while let Some((t, path)) = queue.pop_front() {
        if t == to && is_uncovered(g, &path) {
            on_path(g, &path);
        }
        for u in 0..n {
            if exclude.contains(&u) || !is_circle_edge(g, t, u) || seen[u] {
                continue;
            }
            seen[u] = true;
            let mut p = path.clone();
            p.push(u);
            queue.push_back((u, p));
        }
    }
}

/// causal-learn's `ruleR5`.
pub(crate) fn rule5(g: &mut WorkGraph) -> bool {
    let mut changed = false;
    for b in 0..g.n {
        let circles_into_b = nodes_into(g, b, CIRCLE);
        for &a in &circles_into_b {
            if end(g, b, a) != CIRCLE {
                continue;
            }
            let circle_nbrs = |g: &WorkGraph, v: usize| -> Vec<usize> {
                g.neighbors(v)
                    .into_iter()
                    .filter(|&u| u != a && u != b && is_circle_edge(g, u, v))
                    .collect()
            };
            let a_side = circle_nbrs(g, a);
            let b_side = circle_nbrs(g, b);
            let mut pairs = Vec::new();
            for &c in &a_side {
                if g.adjacent(b, c) {
                    continue;
                }
                for &d in &b_side {
                    if !g.adjacent(a, d) {
                        pairs.push((c, d));
                    }
                }
            }
            for (c, d) in pairs {
                for_each_uncovered_circle_path(g, c, d, [a, b], |g, path| {
                    changed = true;
                    g.set_marks(a, b, TAIL, TAIL);
                    g.set_marks(a, path[0], TAIL, TAIL);
                    g.set_marks(b, path[path.len() - 1], TAIL, TAIL);
                    for w in path.windows(2) {
                        g.set_marks(w[0], w[1], TAIL, TAIL);
                    }
                });
            }
        }
    }
    changed
}

/// causal-learn's `ruleR6`.
pub(crate) fn rule6(g: &mut WorkGraph) -> bool {
    let mut changed = false;
    for b in 0..g.n {
        let tails_into_b = nodes_into(g, b, TAIL);
        if !tails_into_b.iter().any(|&a| end(g, b, a) == TAIL) {
            continue;
        }
        for c in nodes_into(g, b, CIRCLE) {
            changed = true;
            let at_c = g.get(c, b);
            g.set_marks(b, c, TAIL, at_c);
        }
    }
    changed
}

/// causal-learn's `ruleR7`.
pub(crate) fn rule7(g: &mut WorkGraph) -> bool {
    let mut changed = false;
    for b in 0..g.n {
        let circles_into_b = nodes_into(g, b, CIRCLE);
        let tails_a: Vec<usize> = circles_into_b
            .iter()
            .copied()
            .filter(|&v| end(g, b, v) == TAIL)
            .collect();
        for &c in &circles_into_b {
            for &a in &tails_a {
                if a != c && !g.adjacent(a, c) {
                    changed = true;
                    let at_c = g.get(c, b);
                    g.set_marks(b, c, TAIL, at_c);
                }
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// causal-learn's own `test_rule5`: an uncovered `o-o` cycle of seven nodes becomes `—`.
    #[test]
    fn rule5_turns_an_uncovered_circle_cycle_into_tails() {
        let n = 7;
        let mut g = WorkGraph::empty(n);
        for (i, j) in [
            (0, 1),
            (0, 2),
            (0, 5),
            (0, 6),
            (1, 3),
            (2, 4),
            (3, 5),
            (4, 6),
        ] {
            g.set_marks(i, j, CIRCLE, CIRCLE);
        }
        assert!(rule5(&mut g));
        for i in 0..n {
            for j in 0..n {
                if g.adjacent(i, j) {
                    assert_eq!(g.get(i, j), TAIL, "{i}-{j}");
                }
            }
        }
    }

    #[test]
    fn rule6_and_rule7_put_tails_after_an_undirected_edge() {
        // 0 — 1 o-o 2: R6 gives 1 —o 2. Then with 3 o-o 2 ... keep it small: R7 on 1 -o 2 o-o 3.
        let mut g = WorkGraph::complete(4, CIRCLE);
        for i in 0..4 {
            for j in (i + 1)..4 {
                g.set_marks(i, j, 0, 0);
            }
        }
        g.set_marks(0, 1, TAIL, TAIL);
        g.set_marks(1, 2, CIRCLE, CIRCLE);
        g.set_marks(2, 3, CIRCLE, CIRCLE);
        assert!(rule6(&mut g));
        assert_eq!((g.get(1, 2), g.get(2, 1)), (TAIL, CIRCLE));
        assert!(rule7(&mut g));
        assert_eq!((g.get(2, 3), g.get(3, 2)), (TAIL, CIRCLE));
        assert!(!rule7(&mut g));
    }
}
