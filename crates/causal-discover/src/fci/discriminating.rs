//! Zhang's R4, the discriminating-path rule, as causal-learn's `ruleR4B` / `ddpOrient`.
//!
//! For `b o-> c` with a neighbour `a` such that `b *-> a` and `a --> c`, search back from `a`
//! through colliders that are parents of `c` for an endpoint `d` not adjacent to `c`. On the
//! path `<d, …, a, b, c>`, test `d ⫫ c` given the path's inner nodes with and without `b`:
//! if `b` separates, `b --> c`; otherwise `a <-> b <-> c`. When neither test finds
//! independence, the adjacency search's separating set of `(d, c)` decides.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Tester;
use super::graph_ops::{
    arrow_allowed, end, is_def_collider, is_parent_of, nodes_into, nodes_out_of, set_end,
};
use super::sepmap::SepMap;
use crate::error::Result;
use crate::knowledge::ResolvedKnowledge;
use crate::work_graph::{ARROW, CIRCLE, TAIL, WorkGraph};

/// What R4 needs besides the graph.
pub(crate) struct R4Context<'a, 'b> {
    pub(crate) seps: &'a SepMap,
    pub(crate) tester: &'a mut Tester<'b>,
    pub(crate) knowledge: Option<&'a ResolvedKnowledge>,
    pub(crate) max_path_length: Option<usize>,
}

/// causal-learn's `getPath(d, previous)`: the chain of predecessors from `d` back to `b`.
fn path_back(d: usize, previous: &HashMap<usize, usize>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut p = previous.get(&d).copied();
    while let Some(v) = p {
        out.push(v);
        p = previous.get(&v).copied();
    }
    out
}

/// causal-learn's `doDdpOrientation`; `Ok(true)` when it oriented something.
fn orient_on_path(
    g: &mut WorkGraph,
    d: usize,
    a: usize,
    b: usize,
    c: usize,
    previous: &HashMap<usize, usize>,
    cx: &mut R4Context<'_, '_>,
) -> Result<bool> {
    let path = path_back(d, previous);
    let mut ind = cx.tester.independent(d, c, &path)?;
    let path2: Vec<usize> = path.iter().copied().filter(|&v| v != b).collect();
    let ind2 = cx.tester.independent(d, c, &path2)?;
    if !ind && !ind2 {
        let Some(s) = cx.seps.get(d, c) else {
            return Ok(false);
        };
        ind = s.contains(&b);
    }
    if ind {
        // The mark at c stays (an arrowhead, checked by the caller): b --> c.
        set_end(g, c, b, TAIL);
        return Ok(true);
    }
    if !arrow_allowed(g, a, b, cx.knowledge) || !arrow_allowed(g, c, b, cx.knowledge) {
        return Ok(false);
    }
    set_end(g, a, b, ARROW);
    set_end(g, c, b, ARROW);
    Ok(true)
}

/// causal-learn's `ddpOrient`: a breadth-first search back from `a`.
fn ddp_orient(
    g: &mut WorkGraph,
    a: usize,
    b: usize,
    c: usize,
    cx: &mut R4Context<'_, '_>,
) -> Result<bool> {
    let mut queue = VecDeque::from([a]);
    let mut visited: HashSet<usize> = HashSet::from([a, b]);
    let mut previous: HashMap<usize, usize> = HashMap::from([(a, b)]);
    let c_parents: Vec<usize> = (0..g.n).filter(|&v| is_parent_of(g, v, c)).collect();
    let mut first: Option<usize> = None;
    let mut distance = 0usize;
    let limit = cx.max_path_length.unwrap_or(1000);
    while let Some(t) = queue.pop_front() {
        if first.is_none() || first == Some(t) {
            first = Some(t);
            distance += 1;
            if distance > limit {
                return Ok(false);
            }
        }
        for d in nodes_into(g, t, ARROW) {
            if visited.contains(&d) {
                continue;
            }
            previous.insert(d, t);
            let p = previous[&t];
            if !is_def_collider(g, d, t, p) {
                continue;
            }
            if !g.adjacent(d, c) && d != c && orient_on_path(g, d, a, b, c, &previous, cx)? {
                return Ok(true);
            }
            if c_parents.contains(&d) {
                queue.push_back(d);
                visited.insert(d);
            }
        }
    }
    Ok(false)
}

/// causal-learn's `ruleR4B`.
pub(crate) fn rule4(g: &mut WorkGraph, cx: &mut R4Context<'_, '_>) -> Result<bool> {
    let mut changed = false;
    for b in 0..g.n {
        let poss_a = nodes_out_of(g, b, ARROW);
        let poss_c = nodes_into(g, b, CIRCLE);
        for &a in &poss_a {
            for &c in &poss_c {
                if !is_parent_of(g, a, c) || end(g, b, c) != ARROW {
                    continue;
                }
                changed |= ddp_orient(g, a, b, c, cx)?;
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_back_follows_predecessors() {
        let previous = HashMap::from([(4, 3), (3, 1), (1, 2)]);
        assert_eq!(path_back(4, &previous), vec![3, 1, 2]);
        assert!(path_back(2, &previous).is_empty());
    }
}
