//! IDA against enumeration on random linear-Gaussian SEMs: the multiset of global IDA equals the
//! per-DAG OLS effects (each DAG's treatment parents as the adjustment set, fitted with the
//! design-matrix OLS, not IDA's covariance solver) over every DAG of the class; local IDA gives
//! the same distinct values; optimal IDA agrees within sampling error; and the true effect of
//! the SEM is among the possible effects.

use causal_core::graph::{Dag, Edge, Mark, MixedGraph};
use causal_core::ida::{Ida, IdaMethod};
use causal_core::scm::LinearGaussianScm;
use causal_core::stats::{Design, ols_fit};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn distinct(v: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for &x in &sorted(v.to_vec()) {
        if out.last().is_none_or(|l| (x - l).abs() > 1e-9) {
            out.push(x);
        }
    }
    out
}

#[test]
fn ida_matches_per_dag_ols_over_the_class() {
    let mut rng = ChaCha8Rng::seed_from_u64(2009);
    let (mut cases, mut multi, mut zero_in) = (0, 0, 0);
    let mut k = 0u64;
    while cases < 110 {
        k += 1;
        let d = 6 + (k % 5) as usize;
        let names: Vec<String> = (0..d).map(|i| format!("V{i}")).collect();
        let mut order: Vec<usize> = (0..d).collect();
        order.shuffle(&mut rng);
        let p = rng.random_range(0.2..0.45);
        let mut edges = Vec::new();
        for i in 0..d {
            for j in i + 1..d {
                if rng.random_bool(p) {
                    let w =
                        rng.random_range(0.5..1.5) * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
                    edges.push((order[i], order[j], w));
                }
            }
        }
        let named: Vec<(&str, &str, f64)> = edges
            .iter()
            .map(|&(a, b, w)| (names[a].as_str(), names[b].as_str(), w))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let sem = LinearGaussianScm::new(&refs, &named, &vec![0.0; d], &vec![1.0; d]).unwrap();
        let truth = Dag::from_edges(
            names.clone(),
            &edges.iter().map(|&(a, b, _)| (a, b)).collect::<Vec<_>>(),
        )
        .unwrap();
        let cpdag = truth.cpdag();
        // Half the cases add background knowledge: some undirected edges oriented as in truth.
        let graph = if k.is_multiple_of(2) {
            let mut g = cpdag.clone();
            let und: Vec<(usize, usize)> = cpdag
                .edges()
                .iter()
                .filter(|e| e.mark_a == Mark::Tail && e.mark_b == Mark::Tail)
                .map(|e| (e.a, e.b))
                .collect();
            for (a, b) in und {
                if rng.random_bool(0.3) {
                    g.remove_edges_between(a, b);
                    let (s, t) = if truth.has_directed(a, b) {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    g.add_edge(Edge::directed(s, t)).unwrap();
                }
            }
            g.meek_closure().unwrap()
        } else {
            cpdag
        };
        let dags = graph.dags_in_class(5001).unwrap();
        if dags.len() > 5000 {
            continue;
        }
        let x = rng.random_range(0..d);
        let mut y = rng.random_range(0..d - 1);
        if y >= x {
            y += 1;
        }
        let data = sem.to_scm().unwrap().sample(10_000, k).unwrap();
        // Brute force: one OLS per DAG.
        let brute: Vec<f64> = dags
            .iter()
            .map(|dag| {
                let pa = dag.parents(x);
                if pa.contains(&y) {
                    return 0.0;
                }
                let mut cols = vec![names[x].as_str()];
                cols.extend(pa.iter().map(|&v| names[v].as_str()));
                let design = Design::from_data(&data, &cols, true).unwrap();
                ols_fit(&design, data.column(&names[y]).unwrap())
                    .unwrap()
                    .coef_of(&names[x])
                    .unwrap()
            })
            .collect();
        let ida = Ida::new(&data, &graph).unwrap();
        let global = ida
            .effects(&names[x], &names[y], IdaMethod::Global)
            .unwrap();
        let local = ida.effects(&names[x], &names[y], IdaMethod::Local).unwrap();
        let optimal = ida
            .effects(&names[x], &names[y], IdaMethod::Optimal)
            .unwrap();
        let (g, b) = (sorted(global.multiset()), sorted(brute.clone()));
        assert_eq!(g.len(), b.len(), "case {k}");
        for (u, v) in g.iter().zip(&b) {
            assert!(
                (u - v).abs() < 1e-9,
                "case {k}: global {g:?} vs per-DAG {b:?}"
            );
        }
        let l: Vec<f64> = local.possible_effects.iter().map(|e| e.effect).collect();
        let (dl, db) = (distinct(&l), distinct(&brute));
        assert_eq!(dl.len(), db.len(), "case {k}: local {dl:?} vs {db:?}");
        for (u, v) in dl.iter().zip(&db) {
            assert!((u - v).abs() < 1e-9, "case {k}: local {dl:?} vs {db:?}");
        }
        // Optimal IDA: one effect per local configuration, equal in population.
        assert_eq!(optimal.possible_effects.len(), local.possible_effects.len());
        for (o, e) in optimal.possible_effects.iter().zip(&local.possible_effects) {
            assert_eq!(o.parents, e.parents);
            let tol = 6.0 * (o.se + e.se) + 1e-9;
            assert!(
                (o.effect - e.effect).abs() <= tol,
                "case {k}: optimal {} vs local {} (tol {tol})",
                o.effect,
                e.effect
            );
            assert!(
                o.se <= e.se * 1.05 + 1e-12,
                "case {k}: the optimal set has the smaller SE"
            );
        }
        // The true effect is among the possible effects (the graph is the true class).
        let tau = sem.total_effect(&names[x], &names[y]).unwrap();
        let hit = local.possible_effects.iter().any(|e| {
            (e.effect - tau).abs() <= (5.0 * e.se).max(1e-9) || (tau == 0.0 && e.effect == 0.0)
        });
        assert!(
            hit,
            "case {k}: true effect {tau} not in {:?}",
            local.possible_effects
        );
        assert!(local.min_abs <= tau.abs() + 0.1 && tau.abs() <= local.max_abs + 0.1);
        cases += 1;
        multi += usize::from(db.len() > 1);
        zero_in += usize::from(db.contains(&0.0));
    }
    eprintln!(
        "{cases} SEMs, {multi} with more than one possible effect, {zero_in} with zero among them"
    );
    assert!(multi > 30, "{multi} cases with several possible effects");
}

#[test]
fn ida_refuses_pags_and_names_unknown_nodes() {
    let sem =
        LinearGaussianScm::new(&["A", "B"], &[("A", "B", 1.0)], &[0.0, 0.0], &[1.0, 1.0]).unwrap();
    let data = sem.to_scm().unwrap().sample(100, 1).unwrap();
    let mut g = MixedGraph::with_nodes(["A", "B"]).unwrap();
    g.add_bidirected("A", "B").unwrap();
    assert!(Ida::new(&data, &g).unwrap_err().to_string().contains("PAG"));
    let mut g = MixedGraph::with_nodes(["A", "B"]).unwrap();
    g.add_undirected("A", "B").unwrap();
    let ida = Ida::new(&data, &g).unwrap();
    assert!(
        ida.effects("A", "Q", IdaMethod::Local)
            .unwrap_err()
            .to_string()
            .contains("'Q'")
    );
}

/// Joint IDA: the jointly valid parent sets are exactly those of the DAGs of the class, and the
/// true joint effect of the SEM (its coefficient matrix with the treatments' incoming edges cut,
/// `(I - B)^-1`) is among the possible joint effects.
#[test]
fn joint_ida_matches_the_class_and_the_sem() {
    use causal_core::ida::joint_ida;
    use nalgebra::DMatrix;
    let mut rng = ChaCha8Rng::seed_from_u64(2017);
    let mut cases = 0;
    let mut multi = 0;
    let mut k = 0u64;
    while cases < 25 {
        k += 1;
        let d = 6 + (k % 3) as usize;
        let names: Vec<String> = (0..d).map(|i| format!("V{i}")).collect();
        let mut order: Vec<usize> = (0..d).collect();
        order.shuffle(&mut rng);
        let mut edges = Vec::new();
        for i in 0..d {
            for j in i + 1..d {
                if rng.random_bool(0.35) {
                    let w =
                        rng.random_range(0.5..1.5) * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
                    edges.push((order[i], order[j], w));
                }
            }
        }
        let named: Vec<(&str, &str, f64)> = edges
            .iter()
            .map(|&(a, b, w)| (names[a].as_str(), names[b].as_str(), w))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let sem = LinearGaussianScm::new(&refs, &named, &vec![0.0; d], &vec![1.0; d]).unwrap();
        let truth = Dag::from_edges(
            names.clone(),
            &edges.iter().map(|&(a, b, _)| (a, b)).collect::<Vec<_>>(),
        )
        .unwrap();
        let cpdag = truth.cpdag();
        let dags = cpdag.dags_in_class(2001).unwrap();
        if dags.len() > 2000 {
            continue;
        }
        let mut pick: Vec<usize> = (0..d).collect();
        pick.shuffle(&mut rng);
        let (x1, x2, y) = (pick[0], pick[1], pick[2]);
        let data = sem.to_scm().unwrap().sample(10_000, 100 + k).unwrap();
        let r = joint_ida(&data, &cpdag, &[&names[x1], &names[x2]], &names[y]).unwrap();
        // Jointly valid parent sets = those of the enumerated DAGs.
        let mut mine: Vec<Vec<Vec<String>>> = r
            .possible_effects
            .iter()
            .map(|e| e.parents.clone())
            .collect();
        let mut theirs: Vec<Vec<Vec<String>>> = dags
            .iter()
            .map(|g| {
                [x1, x2]
                    .iter()
                    .map(|&x| g.parents(x).iter().map(|&p| names[p].clone()).collect())
                    .collect()
            })
            .collect();
        mine.sort();
        theirs.sort();
        theirs.dedup();
        assert_eq!(mine, theirs, "case {k}: jointly valid parent sets");
        // The true joint effect.
        let mut b: DMatrix<f64> = sem.coefficients().clone();
        for x in [x1, x2] {
            for j in 0..d {
                b[(x, j)] = 0.0;
            }
        }
        let t = (DMatrix::identity(d, d) - b).try_inverse().unwrap();
        let want = [t[(y, x1)], t[(y, x2)]];
        let hit = r
            .possible_effects
            .iter()
            .any(|e| (e.effects[0] - want[0]).abs() < 0.1 && (e.effects[1] - want[1]).abs() < 0.1);
        assert!(
            hit,
            "case {k}: true joint effect {want:?} not in {:?}",
            r.possible_effects
        );
        cases += 1;
        multi += usize::from(r.possible_effects.len() > 1);
    }
    assert!(
        multi >= 5,
        "{multi} cases with several joint configurations"
    );
}
