//! Orientation of unshielded colliders (causal-learn's `UCSepset`) and by background knowledge.

use std::collections::BTreeSet;

use crate::ci::CiTest;
use crate::error::Result;
use crate::knowledge::ResolvedKnowledge;
use crate::sepset::SepSets;
use crate::work_graph::{ARROW, TAIL, WorkGraph};

/// The working state of orientation: the graph plus causal-learn's definite (non-)collider lists.
pub(crate) struct Oriented {
    pub g: WorkGraph,
    pub definite_uc: Vec<(usize, usize, usize)>,
    pub definite_non_uc: Vec<(usize, usize, usize)>,
}

/// causal-learn's `orient_by_background_knowledge`, run after the skeleton.
pub(crate) fn orient_by_knowledge(g: &mut WorkGraph, k: &ResolvedKnowledge) {
    let n = g.n;
    for i in 0..n {
        for j in (i + 1)..n {
            if !g.is_undirected(i, j) {
                continue;
            }
            // causal-learn's order of checks: forbidden j->i, forbidden i->j, required j->i,
            // required i->j.
            if k.is_forbidden(j, i) {
                g.orient(i, j);
            } else if k.is_forbidden(i, j) || k.is_required(j, i) {
                g.orient(j, i);
            } else if k.is_required(i, j) {
                g.orient(i, j);
            }
        }
    }
}

fn knowledge_blocks(k: Option<&ResolvedKnowledge>, x: usize, y: usize, z: usize) -> bool {
    k.is_some_and(|k| {
        k.is_forbidden(x, y) || k.is_forbidden(z, y) || k.is_required(y, x) || k.is_required(y, z)
    })
}

/// Orients `x -> y <- z` with the given conflict-resolution priority (0, 1 or 2-like).
fn orient_collider(g: &mut WorkGraph, x: usize, y: usize, z: usize, priority: u8) {
    match priority {
        0 => {
            g.remove_edge(x, y);
            g.add_edge(x, y, TAIL, ARROW);
            g.remove_edge(y, z);
            g.add_edge(z, y, TAIL, ARROW);
        }
        1 => {
            for a in [x, z] {
                if g.adjacent(a, y) {
                    if g.get(a, y) == TAIL && g.get(y, a) == TAIL {
                        g.remove_edge(a, y);
                        g.add_edge(a, y, TAIL, ARROW);
                    } else if g.get(a, y) == ARROW && g.get(y, a) == TAIL {
                        g.remove_edge(a, y);
                        g.add_edge(a, y, ARROW, ARROW);
                    }
                } else {
                    g.add_edge(a, y, TAIL, ARROW);
                }
            }
        }
        _ => {
            if !g.is_fully_directed(y, x) && !g.is_fully_directed(y, z) {
                g.remove_edge(x, y);
                g.add_edge(x, y, TAIL, ARROW);
                g.remove_edge(z, y);
                g.add_edge(z, y, TAIL, ARROW);
            }
        }
    }
}

/// causal-learn's `find_cond_sets`: the union of the power sets of the neighbours of `i` and `j`.
fn cond_sets(g: &WorkGraph, i: usize, j: usize) -> Vec<Vec<usize>> {
    let mut all: BTreeSet<Vec<usize>> = BTreeSet::new();
    for v in [i, j] {
        let nb = g.neighbors(v);
        let m = nb.len();
        for mask in 0u64..(1u64 << m) {
            all.insert(
                (0..m)
                    .filter(|b| mask >> b & 1 == 1)
                    .map(|b| nb[b])
                    .collect(),
            );
        }
    }
    all.into_iter().collect()
}

fn max_p(test: &dyn CiTest, x: usize, z: usize, sets: &[Vec<usize>]) -> Result<f64> {
    let mut best = f64::NEG_INFINITY;
    for s in sets {
        best = best.max(test.p_value(x, z, s)?);
    }
    Ok(best)
}

fn unshielded(g: &WorkGraph) -> Vec<(usize, usize, usize)> {
    g.unshielded_triples()
        .into_iter()
        .filter(|&(i, _, k)| i < k)
        .collect()
}

fn apply_sorted(
    g: &mut WorkGraph,
    mut scored: Vec<((usize, usize, usize), f64)>,
    descending: Option<bool>,
    k: Option<&ResolvedKnowledge>,
    mut on_orient: impl FnMut((usize, usize, usize)),
) {
    // Stable sorts, as Python's `sorted` (also with reverse=True).
    match descending {
        Some(false) => scored.sort_by(|a, b| a.1.total_cmp(&b.1)),
        Some(true) => scored.sort_by(|a, b| b.1.total_cmp(&a.1)),
        None => {}
    }
    for ((x, y, z), _) in scored {
        if knowledge_blocks(k, x, y, z) {
            continue;
        }
        if !g.is_fully_directed(y, x) && !g.is_fully_directed(y, z) {
            g.remove_edge(x, y);
            g.add_edge(x, y, TAIL, ARROW);
            g.remove_edge(z, y);
            g.add_edge(z, y, TAIL, ARROW);
            on_orient((x, y, z));
        }
    }
}

/// causal-learn's `uc_sepset` (uc_rule 0).
pub(crate) fn uc_sepset(
    mut g: WorkGraph,
    sepsets: &SepSets,
    priority: u8,
    test: &dyn CiTest,
    k: Option<&ResolvedKnowledge>,
) -> Result<WorkGraph> {
    let mut r0 = Vec::new();
    for (x, y, z) in unshielded(&g) {
        if knowledge_blocks(k, x, y, z) {
            continue;
        }
        if !sepsets.contains(x, z, y) {
            if priority <= 2 {
                orient_collider(&mut g, x, y, z, priority);
            } else {
                r0.push((x, y, z));
            }
        }
    }
    if priority <= 2 {
        return Ok(g);
    }
    let mut scored = Vec::with_capacity(r0.len());
    for (x, y, z) in r0 {
        let sets: Vec<Vec<usize>> = cond_sets(&g, x, z)
            .into_iter()
            .filter(|s| (priority == 3) == s.contains(&y))
            .collect();
        scored.push(((x, y, z), max_p(test, x, z, &sets)?));
    }
    apply_sorted(&mut g, scored, Some(priority == 4), k, |_| {});
    Ok(g)
}

/// causal-learn's `maxp` (uc_rule 1).
pub(crate) fn maxp(
    mut g: WorkGraph,
    priority: u8,
    test: &dyn CiTest,
    k: Option<&ResolvedKnowledge>,
) -> Result<WorkGraph> {
    let mut scored = Vec::new();
    for (x, y, z) in unshielded(&g) {
        if knowledge_blocks(k, x, y, z) {
            continue;
        }
        let sets = cond_sets(&g, x, z);
        let (with, without): (Vec<Vec<usize>>, Vec<Vec<usize>>) =
            sets.into_iter().partition(|s| s.contains(&y));
        let p_with = max_p(test, x, z, &with)?;
        let p_without = max_p(test, x, z, &without)?;
        if p_without > p_with {
            match priority {
                0..=2 => orient_collider(&mut g, x, y, z, priority),
                3 => scored.push(((x, y, z), p_with)),
                _ => scored.push(((x, y, z), p_without)),
            }
        }
    }
    if priority <= 2 {
        return Ok(g);
    }
    apply_sorted(&mut g, scored, Some(priority == 4), k, |_| {});
    Ok(g)
}

/// causal-learn's `definite_maxp` (uc_rule 2); priorities 2, 3, 4.
pub(crate) fn definite_maxp(
    g: WorkGraph,
    alpha: f64,
    priority: u8,
    test: &dyn CiTest,
    k: Option<&ResolvedKnowledge>,
) -> Result<Oriented> {
    let mut out = Oriented {
        g,
        definite_uc: Vec::new(),
        definite_non_uc: Vec::new(),
    };
    let mut scored = Vec::new();
    for (x, y, z) in unshielded(&out.g) {
        let sets = cond_sets(&out.g, x, z);
        let (with, without): (Vec<Vec<usize>>, Vec<Vec<usize>>) =
            sets.into_iter().partition(|s| s.contains(&y));
        let (mut p_with, mut p_without) = (0.0f64, 0.0f64);
        let (mut uc, mut nuc) = (true, true);
        for s in &with {
            let p = test.p_value(x, z, s)?;
            if p > alpha {
                uc = false;
                break;
            } else if p > p_with {
                p_with = p;
            }
        }
        for s in &without {
            let p = test.p_value(x, z, s)?;
            if p > alpha {
                nuc = false;
                if !uc {
                    break;
                }
            }
            if p > p_without {
                p_without = p;
            }
        }
        let score = if priority == 4 { p_without } else { p_with };
        if uc {
            if nuc {
                if p_without > p_with {
                    scored.push(((x, y, z), score));
                } else {
                    out.definite_non_uc.push((x, y, z));
                }
            } else {
                scored.push(((x, y, z), score));
            }
        } else if nuc {
            out.definite_non_uc.push((x, y, z));
        }
    }
    let order = match priority {
        3 => Some(false),
        4 => Some(true),
        _ => None,
    };
    let mut uc_list = Vec::new();
    apply_sorted(&mut out.g, scored, order, k, |t| uc_list.push(t));
    out.definite_uc = uc_list;
    Ok(out)
}
