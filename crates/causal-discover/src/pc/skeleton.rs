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
    let per_x_tests = |x: usize| -> Result<(Vec<PairOutcome>, usize)> {
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
    };
    // A level of a few cheap tests runs here: waking the pool would cost more than the tests.
    // The results are the same either way (collected in the order of x).
    let per_x: Vec<Result<(Vec<PairOutcome>, usize)>> =
        if level_tests_reach(&adj, depth, 2 * test.tests_per_task()) {
            (0..n).into_par_iter().map(per_x_tests).collect()
        } else {
            (0..n).map(per_x_tests).collect()
        };
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

/// Whether a stable level at `depth` runs at least `limit` tests: for each ordered adjacent
/// pair (x, y), the subsets of size `depth` of x's other neighbours (counted until `limit`).
fn level_tests_reach(adj: &[Vec<usize>], depth: usize, limit: usize) -> bool {
    let mut total = 0usize;
    for nx in adj {
        let others = nx.len().saturating_sub(1);
        let per_pair = binomial_capped(others, depth, limit);
        total = total.saturating_add(per_pair.saturating_mul(nx.len()));
        if total >= limit {
            return true;
        }
    }
    false
}

/// `C(n, k)`, or at least `cap` when it is larger (no overflow).
fn binomial_capped(n: usize, k: usize, cap: usize) -> usize {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c * (n - i) as u128 / (i + 1) as u128;
        if c >= cap as u128 {
            return cap;
        }
    }
    c as usize
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::FisherZ;
    use causal_core::sim::{Noise, random_dag_weights, simulate};

    /// Fisher z with a chosen `tests_per_task`, to force either path of a level.
    struct Sized<'a>(&'a FisherZ, usize);

    impl CiTest for Sized<'_> {
        fn n_vars(&self) -> usize {
            self.0.n_vars()
        }
        fn p_value(&self, x: usize, y: usize, z: &[usize]) -> Result<f64> {
            self.0.p_value(x, y, z)
        }
        fn name(&self) -> &'static str {
            "sized"
        }
        fn tests_per_task(&self) -> usize {
            self.1
        }
    }

    #[test]
    fn binomials_are_exact_below_the_cap() {
        assert_eq!(binomial_capped(5, 2, 100), 10);
        assert_eq!(binomial_capped(49, 0, 100), 1);
        assert_eq!(binomial_capped(3, 4, 100), 0);
        assert_eq!(binomial_capped(60, 30, 1000), 1000);
        assert_eq!(binomial_capped(usize::MAX, 3, 7), 7);
    }

    #[test]
    fn serial_and_parallel_levels_give_the_same_skeleton() {
        let w = random_dag_weights(25, 60, 0.5, 1.5, 3).unwrap();
        let data = simulate(&w, 800, Noise::Gaussian, 4).unwrap();
        let fz = FisherZ::new(&data).unwrap();
        let opts = SkeletonOptions {
            alpha: 0.05,
            stable: true,
            max_depth: None,
            knowledge: None,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let (g_par, s_par, n_par) = pool.install(|| skeleton(&Sized(&fz, 1), &opts)).unwrap();
        let (g_ser, s_ser, n_ser) = skeleton(&Sized(&fz, usize::MAX / 4), &opts).unwrap();
        assert_eq!((s_par, n_par), (s_ser, n_ser));
        for x in 0..25 {
            assert_eq!(g_par.neighbors(x), g_ser.neighbors(x), "node {x}");
        }
        // The level-0 count: 25 · 24 ordered pairs, one empty set each.
        assert!(level_tests_reach(&vec![(0..24).collect(); 25], 0, 600));
        assert!(!level_tests_reach(&vec![(0..24).collect(); 25], 0, 601));
        assert!(n_ser > 600, "{n_ser}");
    }
}
