//! Zhang's (2008) rules R0–R3 and the knowledge step, as causal-learn 0.1.4.8 applies them.
//!
//! - **R0** orients unshielded colliders `a *-> b <-* c` when `b` is not in the separating set
//!   of `(a, c)` (looked up in that order, see `sepmap`).
//! - **R1** away from a collider: `a *-> b o-* c`, `a`, `c` non-adjacent ⇒ `b --> c`.
//! - **R2** away from an ancestor: `a --> b *-> c` or `a *-> b --> c`, with `a *-o c` ⇒ `a *-> c`.
//! - **R3** double triangle: `a *-> b <-* c`, `a *-o d o-* c`, `a`, `c` non-adjacent,
//!   `d *-o b`, `d` in the separating set of `(a, c)` ⇒ `d *-> b`.
//!
//! Every arrowhead goes through `arrow_allowed`, which is where knowledge vetoes one.

use super::graph_ops::{arrow_allowed, end, graph_edges, is_def_collider, nodes_into, set_end};
use super::sepmap::SepMap;
use crate::knowledge::ResolvedKnowledge;
use crate::work_graph::{ARROW, CIRCLE, TAIL, WorkGraph};

/// Every edge becomes `o-o` (causal-learn's `reorientAllWith(CIRCLE)`).
pub(crate) fn reorient_all_circle(g: &mut WorkGraph) {
    for i in 0..g.n {
        for j in (i + 1)..g.n {
            if g.adjacent(i, j) {
                g.set_marks(i, j, CIRCLE, CIRCLE);
            }
        }
    }
}

/// causal-learn's `fci_orient_bk`: each edge, in edge order, becomes directed when knowledge
/// forbids one direction (it points the other way) or requires one.
pub(crate) fn orient_by_knowledge(g: &mut WorkGraph, k: &ResolvedKnowledge) {
    for (i, j) in graph_edges(g) {
        if k.is_forbidden(i, j) {
            g.set_marks(j, i, TAIL, ARROW);
        } else if k.is_forbidden(j, i) || k.is_required(i, j) {
            g.set_marks(i, j, TAIL, ARROW);
        } else if k.is_required(j, i) {
            g.set_marks(j, i, TAIL, ARROW);
        }
    }
}

/// R0 on a fresh `o-o` graph, after the knowledge step.
pub(crate) fn rule0(g: &mut WorkGraph, seps: &SepMap, k: Option<&ResolvedKnowledge>) {
    reorient_all_circle(g);
    if let Some(k) = k {
        orient_by_knowledge(g, k);
    }
    for b in 0..g.n {
        let adj = g.neighbors(b);
        for (ia, &a) in adj.iter().enumerate() {
            for &c in &adj[ia + 1..] {
                if g.adjacent(a, c) || is_def_collider(g, a, b, c) {
                    continue;
                }
                let Some(s) = seps.get(a, c) else { continue };
                if s.contains(&b) {
                    continue;
                }
                if !arrow_allowed(g, a, b, k) || !arrow_allowed(g, c, b, k) {
                    continue;
                }
                set_end(g, a, b, ARROW);
                set_end(g, c, b, ARROW);
            }
        }
    }
}

fn rule1(g: &mut WorkGraph, a: usize, b: usize, c: usize, k: Option<&ResolvedKnowledge>) -> bool {
    if g.adjacent(a, c) {
        return false;
    }
    if end(g, a, b) == ARROW && end(g, c, b) == CIRCLE {
        if !arrow_allowed(g, b, c, k) {
            return false;
        }
        g.set_marks(b, c, TAIL, ARROW);
        return true;
    }
    false
}

fn rule2(g: &mut WorkGraph, a: usize, b: usize, c: usize, k: Option<&ResolvedKnowledge>) -> bool {
    if g.adjacent(a, c)
        && end(g, a, c) == CIRCLE
        && end(g, a, b) == ARROW
        && end(g, b, c) == ARROW
        && (end(g, b, a) == TAIL || end(g, c, b) == TAIL)
    {
        if !arrow_allowed(g, a, c, k) {
            return false;
        }
        set_end(g, a, c, ARROW);
        return true;
    }
    false
}

/// causal-learn's `rulesR1R2cycle`: for each node `b` and each pair of its neighbours, R1 and
/// R2 both ways.
pub(crate) fn rules_r1_r2(g: &mut WorkGraph, k: Option<&ResolvedKnowledge>) -> bool {
    let mut changed = false;
    for b in 0..g.n {
        let adj = g.neighbors(b);
        for (ia, &a) in adj.iter().enumerate() {
            for &c in &adj[ia + 1..] {
                changed |= rule1(g, a, b, c, k);
                changed |= rule1(g, c, b, a, k);
                changed |= rule2(g, a, b, c, k);
                changed |= rule2(g, c, b, a, k);
            }
        }
    }
    changed
}

/// causal-learn's `ruleR3` (double triangle).
pub(crate) fn rule3(g: &mut WorkGraph, seps: &SepMap, k: Option<&ResolvedKnowledge>) -> bool {
    let mut changed = false;
    for b in 0..g.n {
        let arrows = nodes_into(g, b, ARROW);
        let circles = nodes_into(g, b, CIRCLE);
        if arrows.len() < 2 {
            continue;
        }
        for &d in &circles {
            for (ia, &a) in arrows.iter().enumerate() {
                for &c in &arrows[ia + 1..] {
                    if g.adjacent(a, c) || !g.adjacent(a, d) || !g.adjacent(c, d) {
                        continue;
                    }
                    if !seps.get(a, c).is_some_and(|s| s.contains(&d)) {
                        continue;
                    }
                    if end(g, a, d) != CIRCLE || end(g, c, d) != CIRCLE {
                        continue;
                    }
                    if !arrow_allowed(g, d, b, k) {
                        continue;
                    }
                    set_end(g, d, b, ARROW);
                    changed = true;
                }
            }
        }
    }
    changed
}
