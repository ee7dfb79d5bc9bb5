//! The generalised adjustment criterion on CPDAGs, PDAGs with background knowledge and MAGs,
//! checked against brute force: enumerate the DAGs of the class by trying every orientation of
//! the undirected edges (keeping the acyclic ones with the true v-structures and the known
//! orientations), or, for a MAG, the DAGs with latents it represents (its canonical DAG and, per
//! invisible edge, the canonical DAG with an extra hidden confounder on that edge); then check
//! the adjustment criterion for DAGs in each and require validity in all.

use causal_core::graph::{Admg, Dag, GraphClass, Mark, MixedGraph, NodeSet};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("V{i}")).collect()
}

/// A random DAG over `n` nodes: a random order, each forward pair an edge with probability `p`.
fn random_dag(rng: &mut ChaCha8Rng, n: usize, p: f64) -> Dag {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut edges = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            if rng.random_bool(p) {
                edges.push((order[i], order[j]));
            }
        }
    }
    Dag::from_edges(names(n), &edges).unwrap()
}

fn v_structures(g: &Admg) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for c in 0..g.n() {
        let pa = g.parents(c);
        for (k, &a) in pa.iter().enumerate() {
            for &b in &pa[k + 1..] {
                if !g.adjacent(a, b) {
                    out.push((a, c, b));
                }
            }
        }
    }
    out
}

/// Every DAG with the skeleton of `pdag`, its directed edges, no cycle and the v-structures of
/// `truth`.
fn brute_class(pdag: &MixedGraph, truth: &Dag) -> Vec<Dag> {
    let directed: Vec<(usize, usize)> = pdag
        .edges()
        .iter()
        .filter(|e| e.mark_a != e.mark_b)
        .map(|e| {
            if e.mark_b == Mark::Arrow {
                (e.a, e.b)
            } else {
                (e.b, e.a)
            }
        })
        .collect();
    let undirected: Vec<(usize, usize)> = pdag
        .edges()
        .iter()
        .filter(|e| e.mark_a == Mark::Tail && e.mark_b == Mark::Tail)
        .map(|e| (e.a, e.b))
        .collect();
    let want = v_structures(truth);
    let mut out = Vec::new();
    for bits in 0u32..(1 << undirected.len()) {
        let mut edges = directed.clone();
        for (k, &(a, b)) in undirected.iter().enumerate() {
            edges.push(if bits >> k & 1 == 1 { (a, b) } else { (b, a) });
        }
        if let Ok(d) = Dag::from_edges(names(truth.n()), &edges)
            && v_structures(&d) == want
        {
            out.push(d);
        }
    }
    out
}

fn edge_list(d: &Dag) -> Vec<(usize, usize)> {
    let mut e: Vec<(usize, usize)> = d.directed_edges().collect();
    e.sort_unstable();
    e
}

/// Every subset of the nodes other than `x` and `y`.
fn subsets(n: usize, x: usize, y: usize) -> Vec<NodeSet> {
    let rest: Vec<usize> = (0..n).filter(|&v| v != x && v != y).collect();
    (0u32..(1 << rest.len()))
        .map(|bits| {
            NodeSet::from_indices(
                n,
                rest.iter()
                    .enumerate()
                    .filter(|(k, _)| bits >> k & 1 == 1)
                    .map(|(_, &v)| v),
            )
        })
        .collect()
}

/// Checks the criterion on `g` read as `class` against validity in every graph of `members`.
/// Returns whether some set is valid.
fn check_against(
    g: &MixedGraph,
    class: GraphClass,
    members: &[Admg],
    x: usize,
    y: usize,
    tag: &str,
) -> bool {
    let n = g.n_nodes();
    let (xs, ys) = (NodeSet::from_indices(n, [x]), NodeSet::from_indices(n, [y]));
    let adj = g.adjustment(class, &xs, &ys).unwrap();
    let mut any = false;
    for z in subsets(n, x, y) {
        let truth = members.iter().all(|m| {
            let lat = m.nodes_with(|r| r.latent);
            let zz = NodeSet::from_indices(m.n(), z.iter());
            zz.is_disjoint(&lat)
                && m.is_adjustment_set(
                    &NodeSet::from_indices(m.n(), [x]),
                    &NodeSet::from_indices(m.n(), [y]),
                    &zz,
                )
        });
        any |= truth;
        assert_eq!(
            adj.is_valid(&z),
            truth,
            "{tag}: validity of {z:?} for V{x} -> V{y} in {}",
            g.to_json()
        );
    }
    assert_eq!(
        adj.adjustment_set().is_some(),
        any,
        "{tag}: Adjust(X, Y, G) for V{x} -> V{y} in {}",
        g.to_json()
    );
    if matches!(class, GraphClass::Cpdag | GraphClass::Pdag) {
        // Without latents, amenability decides (Perković et al. 2017), except that no set can
        // block the edge of an outcome that is a parent of the treatment (a zero effect).
        let y_parent = g.parents(x).contains(&y);
        assert_eq!(
            adj.is_amenable() && !y_parent,
            any,
            "{tag}: amenability V{x} -> V{y} of {}",
            g.to_json()
        );
        // The optimal set is defined when the outcome is a possible descendant.
        assert_eq!(
            adj.optimal_set().is_some(),
            any && adj.possibly_causal(),
            "{tag}: optimal set in {}",
            g.to_json()
        );
        assert!(!adj.possibly_causal() || !y_parent);
        if !adj.is_amenable() {
            let err = adj.check_amenable().unwrap_err().to_string();
            assert!(err.contains(&format!("V{x}")), "{err}");
        }
    } else if !adj.is_amenable() {
        assert!(!any, "{tag}: not amenable but brute force found a set");
    }
    any
}

#[test]
fn cpdags_and_pdags_agree_with_enumerated_dags() {
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let (mut cases, mut with_set, mut non_trivial) = (0, 0, 0);
    for k in 0..220 {
        let n = 6 + k % 4;
        let p = rng.random_range(0.25..0.5);
        let truth = random_dag(&mut rng, n, p);
        let cpdag = truth.cpdag();
        // Background knowledge: orient some undirected edges as in the true DAG.
        let mut pdag = cpdag.clone();
        let und: Vec<(usize, usize)> = cpdag
            .edges()
            .iter()
            .filter(|e| e.mark_a == Mark::Tail && e.mark_b == Mark::Tail)
            .map(|e| (e.a, e.b))
            .collect();
        if und.len() > 12 {
            continue;
        }
        for &(a, b) in &und {
            if rng.random_bool(0.35) {
                pdag.remove_edges_between(a, b);
                let (s, t) = if truth.has_directed(a, b) {
                    (a, b)
                } else {
                    (b, a)
                };
                pdag.add_edge(causal_core::graph::Edge::directed(s, t))
                    .unwrap();
            }
        }
        let pdag = pdag.meek_closure().unwrap();
        for (g, class) in [(&cpdag, GraphClass::Cpdag), (&pdag, GraphClass::Pdag)] {
            let brute = brute_class(g, &truth);
            // Meek's rules and the enumeration of the class agree with brute force.
            let mut mine: Vec<_> = g
                .dags_in_class(100_000)
                .unwrap()
                .iter()
                .map(edge_list)
                .collect();
            let mut theirs: Vec<_> = brute.iter().map(edge_list).collect();
            mine.sort();
            theirs.sort();
            assert_eq!(mine, theirs, "class of {}", g.to_json());
            if class == GraphClass::Cpdag && !und.is_empty() {
                assert_eq!(g.graph_class(), GraphClass::Cpdag);
            }
            let members: Vec<Admg> = brute.iter().map(|d| d.as_admg().clone()).collect();
            let (x, y) = {
                let x = rng.random_range(0..n);
                let mut y = rng.random_range(0..n - 1);
                if y >= x {
                    y += 1;
                }
                (x, y)
            };
            cases += 1;
            non_trivial += usize::from(brute.len() > 1);
            with_set += usize::from(check_against(
                g,
                class,
                &members,
                x,
                y,
                &format!("{class} #{k}"),
            ));
        }
    }
    eprintln!(
        "{cases} CPDAG/PDAG cases, {with_set} with a valid set, {non_trivial} classes of 2+ DAGs"
    );
    assert!(cases >= 200, "{cases} cases");
    // Both verdicts occur often enough for the test to mean something.
    assert!(
        with_set > 40 && cases - with_set > 40,
        "{with_set} of {cases} with a set"
    );
    assert!(
        non_trivial > 100,
        "{non_trivial} classes with more than one DAG"
    );
}

/// The MAG of a DAG whose `latent` nodes are hidden: `a` and `b` are adjacent iff no set of
/// observed nodes separates them (tested with their observed ancestors), `a -> b` when `a` is an
/// ancestor of `b`, else `a <-> b`.
fn mag_of(full: &Dag, observed: &[usize]) -> MixedGraph {
    let n = full.n();
    let obs = NodeSet::from_indices(n, observed.iter().copied());
    let mut g = MixedGraph::with_nodes(observed.iter().map(|&v| full.name(v).to_owned())).unwrap();
    for (i, &a) in observed.iter().enumerate() {
        for (j, &b) in observed.iter().enumerate().skip(i + 1) {
            let ab = NodeSet::from_indices(n, [a, b]);
            let z = &(&full.ancestors(&ab) & &obs) - &ab;
            let (sa, sb) = (NodeSet::from_indices(n, [a]), NodeSet::from_indices(n, [b]));
            if full.m_separated(&sa, &sb, &z) {
                continue;
            }
            let edge = if full.ancestors(&sb).contains(a) {
                causal_core::graph::Edge::directed(i, j)
            } else if full.ancestors(&sa).contains(b) {
                causal_core::graph::Edge::directed(j, i)
            } else {
                causal_core::graph::Edge::bidirected(i, j)
            };
            g.add_edge(edge).unwrap();
        }
    }
    g
}

#[test]
fn mags_agree_with_the_dags_they_represent() {
    let mut rng = ChaCha8Rng::seed_from_u64(1515);
    let (mut cases, mut with_set) = (0, 0);
    for k in 0..120 {
        let n_obs = 6 + k % 3;
        let n_lat = 1 + k % 3;
        let p = rng.random_range(0.25..0.45);
        let full = random_dag(&mut rng, n_obs + n_lat, p);
        let mut all: Vec<usize> = (0..full.n()).collect();
        all.shuffle(&mut rng);
        let mut observed = all[..n_obs].to_vec();
        observed.sort_unstable();
        let mag = mag_of(&full, &observed);
        let Ok(canonical) = Admg::from_mixed(&mag) else {
            panic!("the MAG of a DAG is acyclic: {}", mag.to_json());
        };
        // Represented DAGs: the canonical one, and one per invisible edge with a hidden
        // confounder on it (which a visible edge rules out).
        let mut members = vec![canonical.clone()];
        let x = rng.random_range(0..n_obs);
        let mut y = rng.random_range(0..n_obs - 1);
        if y >= x {
            y += 1;
        }
        for (a, b) in canonical.directed_edges().collect::<Vec<_>>() {
            let mut bow = canonical.clone();
            bow.add_bidirected_idx(a, b).unwrap();
            // The bow ADMG has the same MAG iff the edge is invisible; keep those.
            let mut names: Vec<String> = mag.nodes().to_vec();
            let mut edges: Vec<(usize, usize)> = bow.directed_edges().collect();
            for (p, q) in bow.bidirected_edges() {
                let l = names.len();
                names.push(format!("L{p}_{q}"));
                edges.push((l, p));
                edges.push((l, q));
            }
            let dag = Dag::from_edges(names.clone(), &edges).unwrap();
            let obs_idx: Vec<usize> = (0..n_obs).collect();
            if mag_of(&dag, &obs_idx).to_json() == mag.to_json() {
                members.push(bow);
            }
        }
        // The generating DAG too, with its hidden nodes marked latent (and observed nodes first).
        cases += 1;
        with_set += usize::from(check_against(
            &mag,
            GraphClass::Mag,
            &members,
            x,
            y,
            &format!("MAG #{k}"),
        ));
        // Soundness against the generating DAG.
        let adj = mag
            .adjustment(
                GraphClass::Mag,
                &NodeSet::from_indices(n_obs, [x]),
                &NodeSet::from_indices(n_obs, [y]),
            )
            .unwrap();
        if let Some(z) = adj.adjustment_set() {
            let zf = NodeSet::from_indices(full.n(), z.iter().map(|v| observed[v]));
            assert!(full.is_adjustment_set(
                &NodeSet::from_indices(full.n(), [observed[x]]),
                &NodeSet::from_indices(full.n(), [observed[y]]),
                &zf
            ));
        }
    }
    eprintln!("{cases} MAG cases, {with_set} with a valid set");
    assert!(cases >= 100);
    assert!(
        with_set > 20 && cases - with_set > 10,
        "{with_set} of {cases} with a set"
    );
}
