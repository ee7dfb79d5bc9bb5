//! The two greedy phases of GES (Chickering 2002) over CPDAGs, in causal-learn's candidate
//! order (`i`, then `j`, then subsets by size and lexicographically) so that its first-best
//! tie-breaking is reproduced.

use super::pdag::Pdag;
use super::rules::EdgeRules;
use super::score::{LocalScore, ScoreCache};
use crate::error::Result;

/// One Insert or Delete operator with the two parent sets of `j` its score change compares.
struct Op {
    i: usize,
    j: usize,
    set: Vec<usize>,
    /// `NA ∪ T` (inserts only; empty for deletes).
    nat: Vec<usize>,
    with_i: Vec<usize>,
    without_i: Vec<usize>,
}

/// Every subset of `items` in causal-learn's `Combinatorial` order, as bit masks.
fn subsets(len: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(1 << len);
    for size in 0..=len {
        combos(len, size, 0, 0, &mut out);
    }
    out
}

fn combos(len: usize, size: usize, start: usize, acc: u64, out: &mut Vec<u64>) {
    if size == 0 {
        out.push(acc);
        return;
    }
    for k in start..=len - size {
        combos(len, size - 1, k + 1, acc | (1 << k), out);
    }
}

fn pick(items: &[usize], mask: u64) -> Vec<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(k, _)| mask & (1 << k) != 0)
        .map(|(_, &v)| v)
        .collect()
}

fn sorted_union(parts: &[&[usize]]) -> Vec<usize> {
    let mut v: Vec<usize> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Subsets above this size are not enumerated (2^k operators per pair).
const MAX_SUBSET_BASE: usize = 24;

/// Insert candidates that pass the cheap conditions (`NA ∪ T` a clique, knowledge, parent
/// limit). The costly one, no semi-directed path from `j` to `i` avoiding `NA ∪ T`, is left
/// to [`best_insert`], which only checks it for an operator that would beat the best so far.
fn insert_ops(g: &Pdag, rules: &EdgeRules, max_parents: Option<usize>) -> Vec<Op> {
    let d = g.n();
    let nbrs: Vec<Vec<usize>> = (0..d).map(|v| g.neighbors(v)).collect();
    let pa: Vec<Vec<usize>> = (0..d).map(|v| g.parents(v)).collect();
    let mut ops = Vec::new();
    for i in 0..d {
        for j in 0..d {
            if i == j || g.adjacent(i, j) || rules.is_forbidden(i, j) {
                continue;
            }
            let na: Vec<usize> = nbrs[j]
                .iter()
                .copied()
                .filter(|&v| g.adjacent(v, i))
                .collect();
            let t0: Vec<usize> = nbrs[j]
                .iter()
                .copied()
                .filter(|&v| !g.adjacent(v, i))
                .collect();
            if t0.len() > MAX_SUBSET_BASE {
                continue;
            }
            let subs = subsets(t0.len());
            // A subset that is not a clique with NA makes every superset fail too.
            let mut invalid = vec![false; subs.len()];
            for k in 0..subs.len() {
                if invalid[k] {
                    continue;
                }
                let t = pick(&t0, subs[k]);
                let nat = sorted_union(&[&na, &t]);
                if !g.is_clique(&nat) {
                    let m = subs[k];
                    for (s, inv) in subs.iter().zip(invalid.iter_mut()) {
                        if s & m == m {
                            *inv = true;
                        }
                    }
                    continue;
                }
                if t.iter().any(|&v| rules.is_forbidden(v, j)) {
                    continue;
                }
                let without_i = sorted_union(&[&nat, &pa[j]]);
                if max_parents.is_some_and(|m| without_i.len() + 1 > m) {
                    continue;
                }
                let with_i = sorted_union(&[&without_i, &[i]]);
                ops.push(Op {
                    i,
                    j,
                    set: t,
                    nat,
                    with_i,
                    without_i,
                });
            }
        }
    }
    ops
}

/// The first insert operator, in candidate order, with the largest positive score change
/// among the valid ones. The path condition is checked only for an operator whose change
/// beats the best so far, which gives the same operator as checking all of them first.
fn best_insert(
    g: &Pdag,
    ops: Vec<Op>,
    cache: &mut ScoreCache,
    score: &dyn LocalScore,
) -> Option<(f64, Op)> {
    cache.fill(
        score,
        ops.iter()
            .flat_map(|o| [(o.j, o.with_i.as_slice()), (o.j, o.without_i.as_slice())]),
    );
    let d = g.n();
    let mut blocked = vec![false; d];
    let mut out: Option<(f64, Op)> = None;
    for op in ops {
        let change = cache.get(score, op.j, &op.with_i) - cache.get(score, op.j, &op.without_i);
        // A change <= 0 ends the forward phase, like having no operator at all.
        if change <= out.as_ref().map_or(0.0, |(b, _)| *b) {
            continue;
        }
        for &v in &op.nat {
            blocked[v] = true;
        }
        let path = g.semi_directed_path_avoiding(op.j, op.i, &blocked);
        for &v in &op.nat {
            blocked[v] = false;
        }
        if !path {
            out = Some((change, op));
        }
    }
    out
}

fn mark_supersets(subs: &[u64], k: usize, state: &mut [u8], value: u8) {
    let m = subs[k];
    for (s, st) in subs.iter().zip(state.iter_mut()) {
        if s & m == m {
            *st = value;
        }
    }
}

fn delete_ops(g: &Pdag, rules: &EdgeRules) -> Vec<Op> {
    let d = g.n();
    let mut ops = Vec::new();
    for i in 0..d {
        for j in 0..d {
            if !(g.is_und(i, j) || g.is_arc(i, j)) || rules.is_required_either(i, j) {
                continue;
            }
            let na: Vec<usize> = g
                .neighbors(j)
                .into_iter()
                .filter(|&v| g.adjacent(v, i))
                .collect();
            if na.len() > MAX_SUBSET_BASE {
                continue;
            }
            let pa_j = g.parents(j);
            let subs = subsets(na.len());
            // 1: check the clique condition; 2: valid (a subset already passed it).
            let mut state = vec![1u8; subs.len()];
            for k in 0..subs.len() {
                if state[k] == 1 {
                    let rest: Vec<usize> = pick(&na, !subs[k]);
                    if !g.is_clique(&rest) {
                        continue;
                    }
                    mark_supersets(&subs, k, &mut state, 2);
                }
                let h = pick(&na, subs[k]);
                if h.iter().any(|&v| {
                    rules.is_forbidden(j, v) || (g.is_und(i, v) && rules.is_forbidden(i, v))
                }) {
                    continue;
                }
                let rest = pick(&na, !subs[k]);
                let with_i = sorted_union(&[&rest, &pa_j, &[i]]);
                let without_i: Vec<usize> = with_i.iter().copied().filter(|&v| v != i).collect();
                ops.push(Op {
                    i,
                    j,
                    set: h,
                    nat: Vec::new(),
                    with_i,
                    without_i,
                });
            }
        }
    }
    ops
}

/// The best delete operator: first maximum of the score change in candidate order.
fn best_delete(ops: Vec<Op>, cache: &mut ScoreCache, score: &dyn LocalScore) -> Option<(f64, Op)> {
    cache.fill(
        score,
        ops.iter()
            .flat_map(|o| [(o.j, o.with_i.as_slice()), (o.j, o.without_i.as_slice())]),
    );
    let mut out: Option<(f64, Op)> = None;
    for op in ops {
        let with = cache.get(score, op.j, &op.with_i);
        let without = cache.get(score, op.j, &op.without_i);
        let change = without - with;
        if out.as_ref().is_none_or(|(b, _)| change > *b) {
            out = Some((change, op));
        }
    }
    out
}

/// What the search did.
pub(crate) struct Trace {
    pub(crate) inserts: usize,
    pub(crate) deletes: usize,
}

/// Re-derives the (knowledge-respecting) CPDAG after an operator.
fn normalise(g: &Pdag, rules: &EdgeRules) -> Result<Pdag> {
    let mut c = g.consistent_extension()?.dag_to_cpdag();
    c.apply_rules(rules);
    Ok(c)
}

/// Forward then backward greedy search from `start`.
pub(crate) fn ges(
    start: Pdag,
    score: &dyn LocalScore,
    cache: &mut ScoreCache,
    rules: &EdgeRules,
    max_parents: Option<usize>,
) -> Result<(Pdag, Trace)> {
    let mut g = normalise(&start, rules)?;
    let mut trace = Trace {
        inserts: 0,
        deletes: 0,
    };
    while let Some((change, op)) = best_insert(&g, insert_ops(&g, rules, max_parents), cache, score)
    {
        if change <= 0.0 {
            break;
        }
        g.set_arc(op.i, op.j);
        for &t in &op.set {
            g.set_arc(t, op.j);
        }
        g = normalise(&g, rules)?;
        trace.inserts += 1;
    }
    while let Some((change, op)) = best_delete(delete_ops(&g, rules), cache, score) {
        if change <= 0.0 {
            break;
        }
        g.remove(op.i, op.j);
        for &h in &op.set {
            g.set_arc(op.j, h);
            if g.is_und(op.i, h) {
                g.set_arc(op.i, h);
            }
        }
        g = normalise(&g, rules)?;
        trace.deletes += 1;
    }
    Ok((g, trace))
}

/// The total score of a DAG member of `g`'s class.
pub(crate) fn total_score(g: &Pdag, score: &dyn LocalScore, cache: &mut ScoreCache) -> Result<f64> {
    let dag = g.consistent_extension()?;
    Ok((0..g.n())
        .map(|j| cache.get(score, j, &dag.parents(j)))
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_follow_itertools_order() {
        // (), (0,), (1,), (2,), (0,1), (0,2), (1,2), (0,1,2)
        assert_eq!(subsets(3), vec![0, 1, 2, 4, 3, 5, 6, 7]);
        assert_eq!(subsets(0), vec![0]);
    }
}
