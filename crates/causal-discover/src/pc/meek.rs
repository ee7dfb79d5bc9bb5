//! Meek's orientation rules R1–R4, as causal-learn's `Meek.meek` and `Meek.definite_meek`.

use crate::knowledge::ResolvedKnowledge;
use crate::work_graph::WorkGraph;

fn blocked(k: Option<&ResolvedKnowledge>, from: usize, to: usize) -> bool {
    k.is_some_and(|k| k.is_forbidden(from, to) || k.is_required(to, from))
}

/// Orients `from – to` as `from -> to` unless that would close a cycle per the ancestor cache.
/// Returns whether it changed the graph.
fn try_orient(g: &mut WorkGraph, from: usize, to: usize) -> bool {
    if !g.adjacent(from, to) || g.is_ancestor_of(to, from) {
        return false;
    }
    g.orient(from, to);
    true
}

/// R1 (away from colliders), R2 (away from cycles) and R3 (kites), repeated to a fixed point in
/// causal-learn's order; then, only with background knowledge, R4 (which never fires without it,
/// and which causal-learn does not run), followed by R1–R3 again.
pub(crate) fn meek(g: &mut WorkGraph, k: Option<&ResolvedKnowledge>) {
    meek_r1_r3(g, k);
    if k.is_some() {
        while rule4(g, k) {
            meek_r1_r3(g, k);
        }
    }
}

/// Meek's R4: `i – j` becomes `i -> j` given a chain `i … k -> l -> j` with `i` adjacent to
/// `k` and `l`, and `k`, `j` non-adjacent. Returns whether anything changed.
fn rule4(g: &mut WorkGraph, k: Option<&ResolvedKnowledge>) -> bool {
    let n = g.n;
    let mut changed = false;
    for i in 0..n {
        for j in 0..n {
            if i == j || !g.is_undirected(i, j) || blocked(k, i, j) {
                continue;
            }
            let fires = (0..n).any(|l| {
                l != i
                    && l != j
                    && g.is_fully_directed(l, j)
                    && g.adjacent(i, l)
                    && (0..n).any(|kk| {
                        kk != i
                            && kk != j
                            && g.is_fully_directed(kk, l)
                            && g.adjacent(i, kk)
                            && !g.adjacent(kk, j)
                    })
            });
            if fires {
                changed |= try_orient(g, i, j);
            }
        }
    }
    changed
}

/// Meek's R2 over the triangles `(i, j, kk)`: `i -> j -> kk` with `i – kk` gives `i -> kk`.
/// Returns whether anything changed.
fn rule2(g: &mut WorkGraph, tri: &[(usize, usize, usize)], k: Option<&ResolvedKnowledge>) -> bool {
    let mut changed = false;
    for &(i, j, kk) in tri {
        if g.is_fully_directed(i, j)
            && g.is_fully_directed(j, kk)
            && g.is_undirected(i, kk)
            && !blocked(k, i, kk)
        {
            changed |= try_orient(g, i, kk);
        }
    }
    changed
}

fn meek_r1_r3(g: &mut WorkGraph, k: Option<&ResolvedKnowledge>) {
    let ut = g.unshielded_triples();
    let tri = g.triangles();
    let kites = g.kites();
    let mut again = true;
    while again {
        again = false;
        for &(i, j, kk) in &ut {
            if g.is_fully_directed(i, j) && g.is_undirected(j, kk) && !blocked(k, j, kk) {
                again |= try_orient(g, j, kk);
            }
        }
        again |= rule2(g, &tri, k);
        for &(i, j, kk, l) in &kites {
            if g.is_undirected(i, j)
                && g.is_undirected(i, kk)
                && g.is_fully_directed(j, l)
                && g.is_fully_directed(kk, l)
                && g.is_undirected(i, l)
                && !blocked(k, i, l)
            {
                again |= try_orient(g, i, l);
            }
        }
    }
}

/// Meek's rules restricted to definite (non-)colliders, for uc_rule 2.
pub(crate) fn definite_meek(
    g: &mut WorkGraph,
    definite_uc: &[(usize, usize, usize)],
    definite_non_uc: &[(usize, usize, usize)],
    k: Option<&ResolvedKnowledge>,
) {
    let tri = g.triangles();
    let kites = g.kites();
    let mut again = true;
    while again {
        again = false;
        for &(i, j, kk) in definite_non_uc {
            if g.is_fully_directed(i, j) && g.is_undirected(j, kk) && !blocked(k, j, kk) {
                again |= try_orient(g, j, kk);
            } else if g.is_fully_directed(kk, j) && g.is_undirected(j, i) && !blocked(k, j, i) {
                again |= try_orient(g, j, i);
            }
        }
        again |= rule2(g, &tri, k);
        for &(i, j, kk, l) in &kites {
            let uc = definite_uc.contains(&(j, l, kk)) || definite_uc.contains(&(kk, l, j));
            let nuc =
                definite_non_uc.contains(&(j, i, kk)) || definite_non_uc.contains(&(kk, i, j));
            if uc && nuc && g.is_undirected(i, l) && !blocked(k, i, l) {
                again |= try_orient(g, i, l);
            }
        }
    }
}
