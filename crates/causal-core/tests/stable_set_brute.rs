//! Stable sets checked by brute force: on 300 random selection diagrams (half with latent
//! confounders, as latent nodes and as bidirected edges), every subset of up to 10 features is
//! tested for `Y ⫫ S | Z` by enumerating simple paths in the full graph (latent nodes kept,
//! selection nodes added by hand), independently of the Bayes-ball code and of the latent
//! projection the search uses.

use causal_core::graph::{Admg, NodeSet};
use causal_core::identify::StableSetSearch;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random diagram: `Y` and `k` features (random topological order), `latent` latent roots
/// with two or more children each, and bidirected edges among the observed nodes with
/// probability `p_bi`. Returns the graph and the feature names.
fn random_diagram(rng: &mut ChaCha8Rng, k: usize, latent: usize, p_bi: f64) -> (Admg, Vec<String>) {
    let mut observed: Vec<String> = (0..k).map(|i| format!("F{i}")).collect();
    observed.push("Y".into());
    // Shuffle the order so Y sits anywhere in the causal order.
    for i in (1..observed.len()).rev() {
        let j = rng.random_range(0..=i);
        observed.swap(i, j);
    }
    let m = observed.len();
    let mut names = observed.clone();
    names.extend((0..latent).map(|i| format!("L{i}")));
    let mut directed = Vec::new();
    let mut bidirected = Vec::new();
    for i in 0..m {
        for j in i + 1..m {
            if rng.random_bool(0.3) {
                directed.push((i, j));
            }
            if rng.random_bool(p_bi) {
                bidirected.push((i, j));
            }
        }
    }
    for l in 0..latent {
        let a = rng.random_range(0..m);
        let mut b = rng.random_range(0..m);
        while b == a {
            b = rng.random_range(0..m);
        }
        directed.push((m + l, a));
        directed.push((m + l, b));
        if rng.random_bool(0.3) {
            directed.push((m + l, rng.random_range(0..m)));
        }
    }
    directed.retain(|(a, b)| a != b);
    let mut g = Admg::from_edges(names, &directed, &bidirected).unwrap();
    for l in 0..latent {
        g.roles_mut(m + l).latent = true;
    }
    let features = observed.into_iter().filter(|n| n != "Y").collect();
    (g, features)
}

/// `g` plus one root `S(v) -> v` per shifted variable; returns the graph and the selection set.
fn with_selection(g: &Admg, shifted: &[String]) -> (Admg, NodeSet) {
    let mut names = g.names().to_vec();
    let mut directed: Vec<(usize, usize)> = g.directed_edges().collect();
    let bidirected: Vec<(usize, usize)> = g.bidirected_edges().collect();
    for v in shifted {
        directed.push((names.len(), g.index(v).unwrap()));
        names.push(format!("S({v})"));
    }
    let mut full = Admg::from_edges(names, &directed, &bidirected).unwrap();
    for i in 0..g.n() {
        *full.roles_mut(i) = g.roles(i);
    }
    let sel = NodeSet::from_indices(full.n(), g.n()..full.n());
    (full, sel)
}

/// Whether some simple path from `from` to a member of `to` is m-connecting given `z`:
/// every collider is an ancestor of `z`, every other inner node is outside `z`.
fn brute_connected(g: &Admg, from: usize, to: &NodeSet, z: &NodeSet) -> bool {
    let an_z = g.ancestors(z);
    let edges = |v: usize| -> Vec<(usize, bool, bool)> {
        let mut e = Vec::new();
        e.extend(g.children(v).iter().map(|&c| (c, false, true)));
        e.extend(g.parents(v).iter().map(|&p| (p, true, false)));
        e.extend(g.spouses(v).iter().map(|&s| (s, true, true)));
        e
    };
    fn dfs(
        v: usize,
        head_in: Option<bool>,
        to: &NodeSet,
        on_path: &mut Vec<bool>,
        z: &NodeSet,
        an_z: &NodeSet,
        edges: &dyn Fn(usize) -> Vec<(usize, bool, bool)>,
    ) -> bool {
        for (w, head_here, head_there) in edges(v) {
            if on_path[w] {
                continue;
            }
            if let Some(h) = head_in {
                let ok = if h && head_here {
                    an_z.contains(v)
                } else {
                    !z.contains(v)
                };
                if !ok {
                    continue;
                }
            }
            if to.contains(w) {
                return true;
            }
            on_path[w] = true;
            if dfs(w, Some(head_there), to, on_path, z, an_z, edges) {
                return true;
            }
            on_path[w] = false;
        }
        false
    }
    let mut on_path = vec![false; g.n()];
    on_path[from] = true;
    dfs(from, None, to, &mut on_path, z, &an_z, &edges)
}

/// Checks that `tokens` (`S(C) -> C <- Y`) is a simple path of `g` from a selection node to
/// `target` that is m-connecting given `z`.
fn assert_open_path(g: &Admg, tokens: &[String], target: &str, z: &NodeSet, ctx: &str) {
    assert!(
        tokens.len() >= 3 && tokens.len() % 2 == 1,
        "{ctx}: {tokens:?}"
    );
    let nodes: Vec<usize> = tokens
        .iter()
        .step_by(2)
        .map(|n| g.index(n).unwrap())
        .collect();
    let marks: Vec<&str> = tokens
        .iter()
        .skip(1)
        .step_by(2)
        .map(String::as_str)
        .collect();
    assert!(
        g.roles(nodes[0]).selection,
        "{ctx}: starts at {}",
        tokens[0]
    );
    assert_eq!(tokens.last().unwrap(), target, "{ctx}");
    let mut seen = NodeSet::new(g.n());
    for &v in &nodes {
        assert!(seen.insert(v), "{ctx}: not simple: {tokens:?}");
    }
    let an_z = g.ancestors(z);
    for (k, mark) in marks.iter().enumerate() {
        let (a, b) = (nodes[k], nodes[k + 1]);
        let exists = match *mark {
            "->" => g.has_directed(a, b),
            "<-" => g.has_directed(b, a),
            "<->" => g.has_bidirected(a, b),
            other => panic!("{ctx}: unknown mark {other}"),
        };
        assert!(exists, "{ctx}: no edge {} {mark} {}", g.name(a), g.name(b));
    }
    for k in 1..nodes.len() - 1 {
        let head_left = matches!(marks[k - 1], "->" | "<->");
        let head_right = matches!(marks[k], "<-" | "<->");
        let v = nodes[k];
        if head_left && head_right {
            assert!(
                an_z.contains(v),
                "{ctx}: collider {} not in An(Z)",
                g.name(v)
            );
        } else {
            assert!(!z.contains(v), "{ctx}: non-collider {} in Z", g.name(v));
        }
    }
}

#[test]
fn stable_sets_agree_with_brute_force_separation() {
    let mut rng = ChaCha8Rng::seed_from_u64(2019);
    let (mut dags, mut admgs, mut parents_unstable) = (0, 0, 0);
    let (mut target_shifted, mut no_stable_set) = (0, 0);
    let mut sizes = Vec::new();
    for case in 0..300 {
        let k = 3 + case % 8; // 3..=10 features
        let confounded = case % 2 == 1;
        let latent = if confounded { 1 + case % 3 } else { 0 };
        let p_bi = if confounded && case % 4 == 3 {
            0.12
        } else {
            0.0
        };
        let (g, features) = random_diagram(&mut rng, k, latent, p_bi);
        let n_shift = 1 + rng.random_range(0..3.min(k));
        let mut shifted: Vec<String> = Vec::new();
        while shifted.len() < n_shift {
            let f = features[rng.random_range(0..k)].clone();
            if !shifted.contains(&f) {
                shifted.push(f);
            }
        }
        let ctx = format!("case {case}: {g:?} shifted {shifted:?}");
        if case % 12 == 5 {
            // The target's own mechanism shifts: no stable set exists, and the search says so.
            let mut with_y = shifted.clone();
            with_y.push("Y".into());
            let err = StableSetSearch::new(&g, "Y", &with_y)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("target 'Y' is marked as shifted"),
                "{ctx}: {err}"
            );
            target_shifted += 1;
        }
        let (full, sel) = with_selection(&g, &shifted);
        let y = full.index("Y").unwrap();
        let search = StableSetSearch::new(&g, "Y", &shifted).unwrap();
        let feat_idx: Vec<usize> = features.iter().map(|f| full.index(f).unwrap()).collect();
        let subset = |mask: u32| {
            NodeSet::from_indices(
                full.n(),
                (0..k).filter(|i| mask >> i & 1 == 1).map(|i| feat_idx[i]),
            )
        };
        let stable: Vec<bool> = (0..1u32 << k)
            .map(|m| !brute_connected(&full, y, &sel, &subset(m)))
            .collect();
        let Some(best) = (0..1u32 << k)
            .filter(|&m| stable[m as usize])
            .map(u32::count_ones)
            .max()
        else {
            // Possible with confounders only: the search must say that no set is stable.
            assert!(confounded, "{ctx}: no stable set in a DAG");
            let err = search.search().unwrap_err().to_string();
            assert!(err.contains("no set of features"), "{ctx}: {err}");
            no_stable_set += 1;
            continue;
        };
        let result = search.search().unwrap();
        let chosen: Vec<&str> = result.stable_set.iter().map(String::as_str).collect();
        let z = full.set(&chosen).unwrap();
        assert!(
            !brute_connected(&full, y, &sel, &z),
            "{ctx}: {chosen:?} is not stable"
        );
        assert_eq!(
            chosen.len() as u32,
            best,
            "{ctx}: {chosen:?} is not a largest stable set"
        );
        // The maximal sets the search reports are exactly the brute-force maximal ones.
        let mut maximal: Vec<Vec<String>> = (0..1u32 << k)
            .filter(|&m| stable[m as usize])
            .filter(|&m| (0..k).all(|i| m >> i & 1 == 1 || !stable[(m | 1 << i) as usize]))
            .map(|m| {
                full.names_of(&subset(m))
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        let mut reported: Vec<Vec<String>> = result
            .candidates
            .iter()
            .map(|c| c.features.clone())
            .collect();
        if maximal.len() <= causal_core::identify::MAX_CANDIDATES {
            maximal.sort();
            reported.sort();
            assert_eq!(reported, maximal, "{ctx}");
        }
        // Y's observed parents: always stable without latent confounders, and then never more
        // than the chosen set; with confounders only when they are stable themselves.
        let parents: Vec<usize> = full
            .parents(y)
            .iter()
            .copied()
            .filter(|&p| !full.roles(p).latent)
            .collect();
        let pa = NodeSet::from_indices(full.n(), parents.iter().copied());
        let pa_stable = !brute_connected(&full, y, &sel, &pa);
        assert_eq!(pa_stable, result.parents_stable, "{ctx}");
        if confounded {
            admgs += 1;
            if !pa_stable {
                parents_unstable += 1;
            }
        } else {
            dags += 1;
            assert!(pa_stable, "{ctx}: parents of Y not stable in a DAG");
        }
        if pa_stable {
            assert!(
                chosen.len() >= parents.len(),
                "{ctx}: {chosen:?} smaller than Pa(Y)"
            );
        }
        // Every excluded feature comes with an open path given the set plus that feature.
        assert_eq!(result.excluded.len() + chosen.len(), k, "{ctx}");
        let diagram = search.diagram();
        for e in &result.excluded {
            let mut with_f: Vec<&str> = chosen.clone();
            with_f.push(&e.feature);
            let zf = diagram.set(&with_f).unwrap();
            assert_open_path(diagram, &e.path, "Y", &zf, &ctx);
            assert!(e.reason.contains(&e.path.join(" ")), "{}", e.reason);
        }
        sizes.push(chosen.len());
    }
    eprintln!(
        "{} diagrams checked ({dags} DAGs, {admgs} with latent confounders, of which \
         {parents_unstable} have an unstable parent set); {target_shifted} more refused because Y \
         itself was marked shifted; {no_stable_set} confounded \
         diagrams have no stable set (refused, checked); mean stable-set size {:.2}",
        dags + admgs,
        sizes.iter().sum::<usize>() as f64 / sizes.len() as f64
    );
    assert!(
        dags + admgs >= 200,
        "only {} diagrams checked",
        dags + admgs
    );
    assert!(
        parents_unstable > 0,
        "no diagram exercised an unstable parent set"
    );
}

#[test]
fn greedy_search_beyond_the_exact_limit_is_stable_and_maximal() {
    // Y with parents X0..X9 and children C0..C9, of which C0..C4 are shifted: 20 features, so
    // the greedy search runs; the answer is the parents and the unshifted children.
    let mut names: Vec<String> = (0..10).map(|i| format!("X{i}")).collect();
    names.push("Y".into());
    names.extend((0..10).map(|i| format!("C{i}")));
    let mut directed: Vec<(usize, usize)> = (0..10).map(|i| (i, 10)).collect();
    directed.extend((11..21).map(|c| (10, c)));
    let g = Admg::from_edges(names, &directed, &[]).unwrap();
    let shifted: Vec<String> = (0..5).map(|i| format!("C{i}")).collect();
    let s = StableSetSearch::new(&g, "Y", &shifted)
        .unwrap()
        .search()
        .unwrap();
    assert!(!s.exact);
    let mut want: Vec<String> = (0..10).map(|i| format!("X{i}")).collect();
    want.extend((5..10).map(|i| format!("C{i}")));
    assert_eq!(s.stable_set, want);
    assert_eq!(s.excluded.len(), 5);
    assert!(
        s.excluded.iter().all(|e| e.path.len() == 5),
        "{:?}",
        s.excluded
    );
}
