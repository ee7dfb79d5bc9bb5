//! The possible-d-sep stage (Spirtes et al. 2000): after the adjacency search and a first round
//! of colliders, an edge `x – y` is removed if `x ⫫ y | S` for some `S` inside
//! `Possible-D-Sep(x, y)`, a superset of the true separating set when latents are present.
//!
//! This follows causal-learn 0.1.4.8's `getPossibleDsep` and `removeByPossibleDsep` step for
//! step, including three behaviours a reader would not guess and that change its output:
//! - the search queue holds pairs `(x, c)`, always starting at `x`, so the set stays near `x`;
//! - the set is ordered by node name, descending, and subsets are drawn from it by position;
//! - of each subset size, the first subset is skipped (its choice generator hands back a list
//!   that the next call mutates), except when there is only one subset of that size.

use std::collections::{BTreeSet, HashSet, VecDeque};

use super::Tester;
use super::graph_ops::{exists_semi_directed_path, graph_edges, is_def_collider};
use super::sepmap::SepMap;
use crate::error::Result;
use crate::work_graph::{WorkGraph, for_each_combination};

/// causal-learn's `existOnePathWithPossibleParents(previous, w, x, b)`.
fn exists_path_with_possible_parents(
    g: &WorkGraph,
    previous: &[Option<BTreeSet<usize>>],
    w: usize,
    x: usize,
    b: usize,
) -> bool {
    if w == x {
        return true;
    }
    let Some(p) = &previous[w] else {
        return false;
    };
    p.iter().any(|&r| {
        r != b
            && r != x
            && (exists_semi_directed_path(g, r, x) || exists_semi_directed_path(g, r, b))
    })
}

/// `Possible-D-Sep(x, y)` as causal-learn computes it, sorted by name, descending.
///
/// causal-learn starts from a Python `set` of `x`'s neighbours, whose order follows string
/// hashing; we start in index order. The reached pairs do not depend on that order.
pub(crate) fn possible_dsep(
    g: &WorkGraph,
    x: usize,
    y: usize,
    max_path_length: Option<usize>,
    names: &[String],
) -> Vec<usize> {
    let n = g.n;
    let mut dsep = vec![false; n];
    let mut queue: VecDeque<(usize, usize)> = VecDeque::new();
    let mut visited: HashSet<(usize, usize)> = HashSet::new();
    let mut previous: Vec<Option<BTreeSet<usize>>> = vec![None; n];
    let mut first: Option<(usize, usize)> = None;
    let mut distance = 0usize;
    let limit = max_path_length.unwrap_or(1000);
    for b in g.neighbors(x) {
        if b == y {
            continue;
        }
        let edge = (x, b);
        first.get_or_insert(edge);
        queue.push_back(edge);
        visited.insert(edge);
        previous[x].get_or_insert_with(BTreeSet::new).insert(b);
        dsep[b] = true;
    }
    while let Some(t) = queue.pop_front() {
        if first == Some(t) {
            first = None;
            distance += 1;
            if distance > limit {
                break;
            }
        }
        let (a, b) = t;
        if exists_path_with_possible_parents(g, &previous, b, x, b) {
            dsep[b] = true;
        }
        for c in g.neighbors(b) {
            if c == a || c == x || c == y {
                continue;
            }
            previous[c].get_or_insert_with(BTreeSet::new).insert(b);
            if is_def_collider(g, a, b, c) || g.adjacent(a, c) {
                let u = (a, c);
                if !visited.insert(u) {
                    continue;
                }
                queue.push_back(u);
                first.get_or_insert(u);
            }
        }
    }
    dsep[x] = false;
    dsep[y] = false;
    let mut out: Vec<usize> = (0..n).filter(|&v| dsep[v]).collect();
    out.sort_by(|&a, &b| names[b].cmp(&names[a]));
    out
}

/// Tests `a ⫫ b | S` for subsets `S` of `pd` of size 2 and more, in causal-learn's order, skipping
/// subsets inside the adjacencies of `a` or of `b` (the adjacency search tried those). Removes the
/// edge and records `S` under `(a, b)` on the first independence.
fn search(
    g: &mut WorkGraph,
    a: usize,
    b: usize,
    pd: &[usize],
    seps: &mut SepMap,
    tester: &mut Tester<'_>,
) -> Result<bool> {
    let m = pd.len();
    let positions: Vec<usize> = (0..m).collect();
    for k in 2..=m {
        let mut skip_first = k < m;
        let mut found: Option<Vec<usize>> = None;
        for_each_combination(&positions, k, |idx| {
            if skip_first {
                skip_first = false;
                return Ok::<bool, crate::DiscoverError>(true);
            }
            let s: Vec<usize> = idx.iter().map(|&i| pd[i]).collect();
            if s.iter().all(|&v| g.adjacent(a, v)) || s.iter().all(|&v| g.adjacent(b, v)) {
                return Ok(true);
            }
            if tester.independent(a, b, &s)? {
                found = Some(s);
                return Ok(false);
            }
            Ok(true)
        })?;
        if let Some(s) = found {
            g.set_marks(a, b, 0, 0);
            seps.insert(a, b, s);
            return Ok(true);
        }
    }
    Ok(false)
}

/// causal-learn's `removeByPossibleDsep`: edges in its edge order, each searched from both ends
/// (the test is always `node1 ⫫ node2 | S`); removals take effect at once.
pub(crate) fn remove_by_possible_dsep(
    g: &mut WorkGraph,
    seps: &mut SepMap,
    tester: &mut Tester<'_>,
    names: &[String],
) -> Result<()> {
    for (a, b) in graph_edges(g) {
        let pd = possible_dsep(g, a, b, None, names);

        if search(g, a, b, &pd, seps, tester)? {
            continue;
        }
        let pd = possible_dsep(g, b, a, None, names);
        search(g, a, b, &pd, seps, tester)?;
    }
    Ok(())
}
