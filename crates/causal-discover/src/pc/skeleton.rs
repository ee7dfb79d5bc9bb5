//! The skeleton phase: remove edges between variables found conditionally independent.

use std::collections::{BTreeSet, HashSet};

use rayon::prelude::*;

use crate::ci::CiTest;
use crate::error::Result;
use crate::knowledge::ResolvedKnowledge;
use crate::sepset::SepSets;
use crate::work_graph::{TAIL, WorkGraph, for_each_combination};

/// Options of the skeleton search.
pub(crate) struct SkeletonOptions<'a> {
    pub alpha: f64,
    pub stable: bool,
    pub max_depth: Option<usize>,
    pub knowledge: Option<&'a ResolvedKnowledge>,
}

/// Result of one ordered pair `(x, y)` at one depth in the stable search.
struct PairOutcome {
    y: usize,
    removed: bool,
    union: Vec<usize>,
}

/// causal-learn's `skeleton_discovery`. The stable variant tests every conditioning set of a
/// depth level against the adjacencies frozen at the start of the level, so the level's tests
/// run in parallel (rayon) and are merged in serial order: the output equals the serial run.
pub(crate) fn skeleton(
    test: &dyn CiTest,
    opts: &SkeletonOptions<'_>,
) -> Result<(WorkGraph, SepSets, usize)> {
    let n = test.n_vars();
    let mut g = WorkGraph::complete(n, TAIL);
    let mut sepsets = SepSets::new(n);
    let mut n_tests = 0usize;
    if let Some(k) = opts.knowledge {
        // Pairs forbidden both ways never get an edge (causal-learn removes them at depth 0,
        // where conditioning sets are empty, so removing them first changes nothing else).
        for x in 0..n {
            for y in (x + 1)..n {
                if k.is_forbidden(x, y) && k.is_forbidden(y, x) {
                    g.remove_edge(x, y);
                    sepsets.append(x, y, Vec::new());
                    sepsets.append(y, x, Vec::new());
                }
            }
        }
    }
    let mut depth: i64 = -1;
    while g.max_degree() as i64 - 1 > depth {
        depth += 1;
        if opts.max_depth.is_some_and(|k| depth as usize > k) {
            break;
        }
        let d = depth as usize;
        if opts.stable {
            n_tests += stable_level(test, opts.alpha, d, &mut g, &mut sepsets)?;
        } else {
            n_tests += original_level(test, opts.alpha, d, &mut g, &mut sepsets)?;
        }
    }
    Ok((g, sepsets, n_tests))
}

fn stable_level(
    test: &dyn CiTest,
    alpha: f64,
    depth: usize,
    g: &mut WorkGraph,
    sepsets: &mut SepSets,
) -> Result<usize> {
    let n = g.n;
    let adj: Vec<Vec<usize>> = (0..n).map(|x| g.neighbors(x)).collect();
    let per_x: Vec<Result<(Vec<PairOutcome>, usize)>> = (0..n)
        .into_par_iter()
        .map(|x| {
            let nx = &adj[x];
            let mut out = Vec::with_capacity(nx.len());
            let mut tests = 0usize;
            let mut others = Vec::with_capacity(nx.len());
            for &y in nx {
                others.clear();
                others.extend(nx.iter().copied().filter(|&v| v != y));
                let mut removed = false;
                let mut union = BTreeSet::new();
                for_each_combination(&others, depth, |s| {
                    tests += 1;
                    if test.p_value(x, y, s)? > alpha {
                        removed = true;
                        union.extend(s.iter().copied());
                    }
                    Ok::<bool, crate::DiscoverError>(true)
                })?;
                out.push(PairOutcome {
                    y,
                    removed,
                    union: union.into_iter().collect(),
                });
            }
            Ok((out, tests))
        })
        .collect();
    let mut removal: HashSet<(usize, usize)> = HashSet::new();
    let mut total = 0;
    for (x, res) in per_x.into_iter().enumerate() {
        let (outcomes, tests) = res?;
        total += tests;
        for o in outcomes {
            if o.removed {
                removal.insert((x, o.y));
                removal.insert((o.y, x));
            }
            if removal.contains(&(x, o.y)) {
                sepsets.append(x, o.y, o.union.clone());
                sepsets.append(o.y, x, o.union);
            }
        }
    }
    let mut pairs: Vec<(usize, usize)> = removal.into_iter().filter(|(a, b)| a < b).collect();
    pairs.sort_unstable();
    for (a, b) in pairs {
        g.remove_edge(a, b);
    }
    Ok(total)
}

fn original_level(
    test: &dyn CiTest,
    alpha: f64,
    depth: usize,
    g: &mut WorkGraph,
    sepsets: &mut SepSets,
) -> Result<usize> {
    let mut tests = 0usize;
    for x in 0..g.n {
        let nx = g.neighbors(x);
        for &y in &nx {
            let others: Vec<usize> = nx.iter().copied().filter(|&v| v != y).collect();
            let mut found: Option<Vec<usize>> = None;
            for_each_combination(&others, depth, |s| {
                tests += 1;
                if test.p_value(x, y, s)? > alpha {
                    found = Some(s.to_vec());
                    return Ok::<bool, crate::DiscoverError>(false);
                }
                Ok(true)
            })?;
            if let Some(s) = found {
                g.remove_edge(x, y);
                sepsets.append(x, y, s.clone());
                sepsets.append(y, x, s);
            }
            if !g.adjacent(x, y) {
                sepsets.append(x, y, Vec::new());
                sepsets.append(y, x, Vec::new());
            }
        }
    }
    Ok(tests)
}
