//! Adjustment, front-door and instrument searches against textbook examples (dagitty's test
//! suite and Pearl's book) and against brute force on small random graphs.

use causal_core::graph::{Admg, Dag, MixedGraph, NodeSet};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn names(g: &Admg, sets: &[NodeSet]) -> Vec<Vec<String>> {
    sets.iter()
        .map(|s| g.names_of(s).into_iter().map(str::to_owned).collect())
        .collect()
}

fn dagitty(text: &str) -> Admg {
    Admg::from_mixed(&MixedGraph::from_dagitty(text).unwrap()).unwrap()
}

#[test]
fn dagitty_extended_confounding_triangle() {
    // dagitty test suite: minimal separators {C, D} and {C, E}.
    let g = dagitty("dag { A -> B; C -> B; C -> A; D -> C; E -> C; D -> A; E -> B }");
    let (x, y) = (g.set(&["A"]).unwrap(), g.set(&["B"]).unwrap());
    let sets = g.minimal_adjustment_sets(&x, &y);
    assert_eq!(names(&g, &sets), vec![vec!["C", "D"], vec!["C", "E"]]);
    // The optimal set: parents of Cn = {B} minus forbidden = {A, C, E} \ {A, B}.
    let o = g.optimal_adjustment_set(&x, &y).unwrap();
    assert_eq!(g.names_of(&o), vec!["C", "E"]);
}

#[test]
fn dagitty_multiple_exposures_and_outcomes() {
    // dagitty test suite "adjustment in DAGs": {C} and {m, m2}.
    let g = dagitty(
        "dag { X1 [exposure]\n X2 [exposure]\n Y1 [outcome]\n Y2 [outcome]\n C -> Y1\n C -> m\n \
         X1 -> X2\n X1 -> Y2 -> Y1\n X2 -> Y1\n X1 -> m2 -> m -> X2 }",
    );
    let (x, y) = (g.set(&["X1", "X2"]).unwrap(), g.set(&["Y1", "Y2"]).unwrap());
    let sets = g.minimal_adjustment_sets(&x, &y);
    assert_eq!(names(&g, &sets), vec![vec!["C"], vec!["m", "m2"]]);
}

#[test]
fn m_bias_and_confounding() {
    // M-bias (dagitty's m_bias_graph): no adjustment needed; M alone is wrong.
    let g = dagitty("dag { U1 -> A; U1 -> M; U2 -> M; U2 -> B; A -> B }");
    let (x, y) = (g.set(&["A"]).unwrap(), g.set(&["B"]).unwrap());
    assert_eq!(g.minimal_adjustment_sets(&x, &y), vec![g.empty_set()]);
    assert!(!g.is_adjustment_set(&x, &y, &g.set(&["M"]).unwrap()));
    assert!(g.is_adjustment_set(&x, &y, &g.set(&["M", "U1"]).unwrap()));
    assert!(g.is_backdoor_set(&x, &y, &g.set(&["M", "U2"]).unwrap()));
    // A latent confounder blocks every set.
    let h = dagitty("dag { U [latent]\n U -> X; U -> Y; X -> Y }");
    let (x, y) = (h.set(&["X"]).unwrap(), h.set(&["Y"]).unwrap());
    assert!(h.minimal_adjustment_sets(&x, &y).is_empty());
    assert_eq!(h.optimal_adjustment_set(&x, &y), None);
}

#[test]
fn mediator_descendants_are_forbidden() {
    // X -> M -> Y, M -> D, Z -> X, Z -> Y: {Z} only; D descends from the mediator.
    let g = dagitty("dag { X -> M -> Y; M -> D; Z -> X; Z -> Y }");
    let (x, y) = (g.set(&["X"]).unwrap(), g.set(&["Y"]).unwrap());
    assert_eq!(
        names(&g, &g.minimal_adjustment_sets(&x, &y)),
        vec![vec!["Z"]]
    );
    assert!(!g.is_adjustment_set(&x, &y, &g.set(&["Z", "D"]).unwrap()));
    assert_eq!(g.names_of(&g.forbidden(&x, &y)), vec!["X", "M", "Y", "D"]);
}

#[test]
fn pearl_frontdoor() {
    // Smoking -> Tar -> Cancer with a hidden genotype.
    let g = dagitty("dag { X -> M -> Y; X <-> Y }");
    let (x, y) = (g.set(&["X"]).unwrap(), g.set(&["Y"]).unwrap());
    assert!(g.minimal_adjustment_sets(&x, &y).is_empty());
    assert_eq!(names(&g, &g.frontdoor_sets(&x, &y)), vec![vec!["M"]]);
    // Confounding the mediator breaks condition (iii).
    let h = dagitty("dag { X -> M -> Y; X <-> Y; M <-> Y }");
    let (x, y) = (h.set(&["X"]).unwrap(), h.set(&["Y"]).unwrap());
    assert!(h.frontdoor_sets(&x, &y).is_empty());
    // Two parallel mediators are needed together.
    let k = dagitty("dag { X -> M1 -> Y; X -> M2 -> Y; X <-> Y }");
    let (x, y) = (k.set(&["X"]).unwrap(), k.set(&["Y"]).unwrap());
    assert_eq!(names(&k, &k.frontdoor_sets(&x, &y)), vec![vec!["M1", "M2"]]);
}

#[test]
fn instruments_plain_and_conditional() {
    let g = dagitty("dag { Z -> X -> Y; X <-> Y }");
    let iv = g.instruments(g.index("X").unwrap(), g.index("Y").unwrap());
    assert_eq!(iv.len(), 1);
    assert_eq!(g.name(iv[0].instrument), "Z");
    assert!(iv[0].given.is_empty());
    // Z is confounded with Y through W: an instrument only given W.
    let h = dagitty("dag { W -> Z; W -> Y; Z -> X -> Y; X <-> Y }");
    let iv = h.instruments(h.index("X").unwrap(), h.index("Y").unwrap());
    let found: Vec<(&str, Vec<&str>)> = iv
        .iter()
        .map(|i| (h.name(i.instrument), h.names_of(&i.given)))
        .collect();
    assert!(found.contains(&("Z", vec!["W"])), "{found:?}");
    // A mediator is never an instrument, and nothing is one in the bow arc.
    let bow = dagitty("dag { X -> Y; X <-> Y }");
    assert!(bow.instruments(0, 1).is_empty());
}

/// Shpitser, VanderWeele & Robins (2010), by path enumeration: no member of Z descends (in G
/// with the edges into X cut) from a non-X node on a proper causal path, and every proper
/// non-causal path from X to Y is blocked by Z.
fn brute_adjustment(g: &Admg, x: &NodeSet, y: &NodeSet, z: &NodeSet) -> bool {
    let n = g.n();
    let an_z = g.ancestors(z);
    // Every simple path from a member of x to a member of y whose inner nodes avoid x.
    // Steps: (node, arrowhead at the previous node, arrowhead at this node).
    let mut paths: Vec<Vec<(usize, bool, bool)>> = Vec::new();
    fn extend(
        g: &Admg,
        path: &mut Vec<(usize, bool, bool)>,
        on: &mut Vec<bool>,
        x: &NodeSet,
        y: &NodeSet,
        out: &mut Vec<Vec<(usize, bool, bool)>>,
    ) {
        let v = path.last().unwrap().0;
        if path.len() > 1 && y.contains(v) {
            out.push(path.clone());
            return;
        }
        let mut steps = Vec::new();
        steps.extend(g.children(v).iter().map(|&c| (c, false, true)));
        steps.extend(g.parents(v).iter().map(|&p| (p, true, false)));
        steps.extend(g.spouses(v).iter().map(|&s| (s, true, true)));
        for (w, hv, hw) in steps {
            if on[w] || x.contains(w) {
                continue;
            }
            on[w] = true;
            path.push((w, hv, hw));
            extend(g, path, on, x, y, out);
            path.pop();
            on[w] = false;
        }
    }
    for s in x.iter() {
        let mut on = vec![false; n];
        on[s] = true;
        extend(g, &mut vec![(s, false, false)], &mut on, x, y, &mut paths);
    }
    let mut cn = NodeSet::new(n);
    let mut open_noncausal = false;
    for p in &paths {
        let causal = p[1..].iter().all(|&(_, hv, hw)| !hv && hw);
        if causal {
            for &(w, _, _) in &p[1..] {
                cn.insert(w);
            }
            continue;
        }
        let blocked = (1..p.len() - 1).any(|k| {
            let collider = p[k].2 && p[k + 1].1;
            if collider {
                !an_z.contains(p[k].0)
            } else {
                z.contains(p[k].0)
            }
        });
        if !blocked {
            open_noncausal = true;
        }
    }
    let mut cut = g.clone();
    for v in x.iter() {
        for &pa in g.parents(v) {
            cut = cut.without_directed(pa, v);
        }
    }
    let forb = cut.descendants(&cn);
    z.is_disjoint(&forb) && z.is_disjoint(x) && z.is_disjoint(y) && !open_noncausal
}

fn random_admg(rng: &mut ChaCha8Rng, n: usize, p_dir: f64, p_bi: f64) -> Admg {
    let mut d = Vec::new();
    let mut b = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if rng.random_bool(p_dir) {
                d.push((i, j));
            }
            if rng.random_bool(p_bi) {
                b.push((i, j));
            }
        }
    }
    // Shuffle names against the topological order so index order is not causal order.
    let mut names: Vec<String> = (0..n).map(|i| format!("V{i}")).collect();
    for i in (1..n).rev() {
        names.swap(i, rng.random_range(0..=i));
    }
    Admg::from_edges(names, &d, &b).unwrap()
}

#[test]
fn adjustment_agrees_with_brute_force_on_random_graphs() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut with_sets, mut without, mut multi) = (0, 0, 0);
    for round in 0..250 {
        let n = 4 + round % 4;
        let p_bi = if round % 3 == 0 { 0.0 } else { 0.15 };
        let g = random_admg(&mut rng, n, 0.4, p_bi);
        let xa = rng.random_range(0..n);
        let mut x = NodeSet::from_indices(n, [xa]);
        if round % 5 == 0 {
            x.insert(rng.random_range(0..n));
        }
        let ys: Vec<usize> = (0..n).filter(|v| !x.contains(*v)).collect();
        let y = NodeSet::from_indices(n, [ys[rng.random_range(0..ys.len())]]);
        let rest: Vec<usize> = (0..n)
            .filter(|&v| !x.contains(v) && !y.contains(v))
            .collect();
        let subsets: Vec<NodeSet> = (0u32..1 << rest.len())
            .map(|m| {
                NodeSet::from_indices(
                    n,
                    (0..rest.len()).filter(|k| m >> k & 1 == 1).map(|k| rest[k]),
                )
            })
            .collect();
        let valid: Vec<&NodeSet> = subsets
            .iter()
            .filter(|z| {
                let fast = g.is_adjustment_set(&x, &y, z);
                assert_eq!(
                    fast,
                    brute_adjustment(&g, &x, &y, z),
                    "{g:?} x={x:?} y={y:?} z={z:?}"
                );
                fast
            })
            .collect();
        let mut minimal: Vec<NodeSet> = valid
            .iter()
            .filter(|z| !valid.iter().any(|w| w != *z && w.is_subset(z)))
            .map(|z| (*z).clone())
            .collect();
        minimal.sort_by_key(|s| (s.len(), s.to_vec()));
        assert_eq!(
            g.minimal_adjustment_sets(&x, &y),
            minimal,
            "{g:?} x={x:?} y={y:?}"
        );
        // The optimal set exists exactly when some set is valid (DAGs), and is valid.
        if g.n_bidirected() == 0 {
            let o = g.optimal_adjustment_set(&x, &y);
            let effect = y.is_subset(&g.descendants(&x));
            if let Some(o) = &o {
                assert!(g.is_adjustment_set(&x, &y, o));
            }
            assert_eq!(
                o.is_some(),
                effect && !valid.is_empty(),
                "{g:?} x={x:?} y={y:?} cn={:?}",
                g.causal_path_nodes(&x, &y)
            );
        }
        if x.len() > 1 {
            multi += 1;
        }
        if minimal.is_empty() {
            without += 1
        } else {
            with_sets += 1
        }
    }
    assert!(
        with_sets > 50 && without > 20 && multi > 20,
        "{with_sets} {without} {multi}"
    );
}

#[test]
fn frontdoor_sets_are_minimal_and_valid_on_random_graphs() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut found = 0;
    for _ in 0..600 {
        let g = random_admg(&mut rng, 6, 0.3, 0.1);
        let (x, y) = (rng.random_range(0..6), rng.random_range(0..6));
        if x == y || !g.descendants(&NodeSet::from_indices(6, [x])).contains(y) {
            continue;
        }
        let (xs, ys) = (NodeSet::from_indices(6, [x]), NodeSet::from_indices(6, [y]));
        let sets = g.frontdoor_sets(&xs, &ys);
        for z in &sets {
            assert!(g.is_frontdoor_set(&xs, &ys, z));
            for v in z.iter() {
                let mut smaller = z.clone();
                smaller.remove(v);
                assert!(!g.is_frontdoor_set(&xs, &ys, &smaller));
            }
        }
        // Completeness against all subsets.
        for m in 1u32..64 {
            let z = NodeSet::from_indices(6, (0..6).filter(|k| m >> k & 1 == 1));
            if g.is_frontdoor_set(&xs, &ys, &z) {
                assert!(sets.iter().any(|s| s.is_subset(&z)), "{g:?} {z:?}");
            }
        }
        found += sets.len();
    }
    assert!(found > 5, "{found}");
}

#[test]
fn instruments_satisfy_the_definition_on_random_dags() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut seen = 0;
    for _ in 0..200 {
        let g = random_admg(&mut rng, 7, 0.3, 0.1);
        let (x, y) = (rng.random_range(0..7), rng.random_range(0..7));
        if x == y || !g.descendants(&NodeSet::from_indices(7, [x])).contains(y) {
            continue;
        }
        let (xs, ys) = (NodeSet::from_indices(7, [x]), NodeSet::from_indices(7, [y]));
        let pbd = g.proper_backdoor_graph(&xs, &ys);
        let forb = g.forbidden(&xs, &ys);
        for iv in g.instruments(x, y) {
            let zs = NodeSet::from_indices(7, [iv.instrument]);
            assert!(iv.given.is_disjoint(&forb));
            assert!(pbd.m_separated(&zs, &ys, &iv.given));
            assert!(!g.m_separated(&zs, &xs, &iv.given));
            seen += 1;
        }
    }
    assert!(seen > 10, "{seen}");
    let _ = Dag::default();
}
