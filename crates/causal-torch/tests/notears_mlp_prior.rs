//! NOTEARS-MLP's graph-alignment prior on the seeded nonlinear chain a → b → c of
//! `notears_mlp.rs`, where the data alone leave a spurious a → c above the 0.3 threshold (as
//! gCastle's `NotearsNonlinear` does on the same rows): the correct prior removes it, a
//! reversed prior at the same small weight does not override the strong true edges, and a
//! per-edge confidence of 1 makes an edge free while 0 charges it as an absent one.

use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use causal_torch::loss::AlignmentPrior;
use causal_torch::notears_mlp::{NotearsMlpFit, NotearsMlpParams};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The prior weight μ of every fit here: small next to the data's evidence.
const MU: f64 = 0.03;

/// 300 rows of a → b → c: b = 2 tanh(1.5 a) + 0.5 e, c = 2 sin(1.5 b) + 0.5 e.
fn chain() -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (mut a, mut b, mut c) = (vec![], vec![], vec![]);
    for _ in 0..300 {
        let e: [f64; 3] = std::array::from_fn(|_| StandardNormal.sample(&mut rng));
        let x0 = e[0];
        let x1 = 2.0 * (1.5 * x0).tanh() + 0.5 * e[1];
        let x2 = 2.0 * (1.5 * x1).sin() + 0.5 * e[2];
        a.push(x0);
        b.push(x1);
        c.push(x2);
    }
    Dataset::new(vec!["a".into(), "b".into(), "c".into()], vec![a, b, c]).unwrap()
}

/// A prior over a, b, c with the given edges (confidence 1) and absent pairs charged 1.
fn prior(edges: &[(&str, &str)]) -> AlignmentPrior {
    let mut g = MixedGraph::with_nodes(["a", "b", "c"]).unwrap();
    for (f, t) in edges {
        g.add_directed(f, t).unwrap();
    }
    AlignmentPrior::from_graph(&g, &["a", "b", "c"], &["a", "b", "c"], 1.0).unwrap()
}

fn fit(prior: Option<AlignmentPrior>) -> NotearsMlpFit {
    causal_torch::tch::set_num_threads(1);
    let mut p = NotearsMlpParams::new().seed(0);
    if let Some(prior) = prior {
        p = p.prior(prior, MU);
    }
    p.fit(&chain(), ()).unwrap()
}

/// The directed edges of the learned graph, as (from, to) names, sorted.
fn edges(fit: &NotearsMlpFit) -> Vec<(String, String)> {
    let g = fit.graph();
    let mut out: Vec<(String, String)> = g
        .edges()
        .iter()
        .map(|e| {
            assert!(e.is_directed_from(e.a, e.b), "{e:?}");
            (g.name(e.a).to_owned(), g.name(e.b).to_owned())
        })
        .collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_correct_prior_removes_the_spurious_edge_and_a_wrong_one_does_not_override_the_data() {
    let alone = fit(None);
    eprintln!("alone: W = {:.3}", alone.weights());
    assert_eq!(edges(&alone), pairs(&[("a", "b"), ("a", "c"), ("b", "c")]));
    assert!(alone.weights()[(0, 2)] > 0.4, "{}", alone.weights());

    let right = fit(Some(prior(&[("a", "b"), ("b", "c")])));
    eprintln!("correct prior: W = {:.3}", right.weights());
    assert_eq!(edges(&right), pairs(&[("a", "b"), ("b", "c")]));
    assert!(right.weights()[(0, 2)] < 0.05, "{}", right.weights());

    // The reversed chain c → b → a at the same weight: both true edges stay, forward.
    let wrong = fit(Some(prior(&[("c", "b"), ("b", "a")])));
    eprintln!("reversed prior: W = {:.3}", wrong.weights());
    let kept = edges(&wrong);
    for e in pairs(&[("a", "b"), ("b", "c")]) {
        assert!(kept.contains(&e), "{e:?} lost: {kept:?}");
    }
    for e in pairs(&[("b", "a"), ("c", "b")]) {
        assert!(
            !kept.contains(&e),
            "{e:?} follows the wrong prior: {kept:?}"
        );
    }
    assert!(wrong.weights()[(0, 1)] > 1.5 && wrong.weights()[(1, 2)] > 2.0);
}

#[test]
fn edge_confidence_sets_the_charge_of_a_prior_edge() {
    let full = prior(&[("a", "b"), ("b", "c"), ("a", "c")]);
    // Confidence 1 for every edge: no charge on any learned edge, so a → c stays.
    let free = fit(Some(full.clone()));
    assert!(free.weights()[(0, 2)] > 0.4, "{}", free.weights());
    // Confidence 0 in a → c charges it as an absent edge: it goes.
    let doubted = fit(Some(full.edge_confidence("a", "c", 0.0).unwrap()));
    assert!(doubted.weights()[(0, 2)] < 0.05, "{}", doubted.weights());
    assert!(
        doubted.graph().edges().len() == 2,
        "{:.3}",
        doubted.weights()
    );
}

#[test]
fn the_prior_must_match_the_columns() {
    let data = chain();
    let mut g = MixedGraph::with_nodes(["a", "b", "q"]).unwrap();
    g.add_directed("a", "b").unwrap();
    let stray = AlignmentPrior::from_graph(&g, &["a", "b", "q"], &["a", "b", "q"], 1.0).unwrap();
    let e = NotearsMlpParams::new()
        .prior(stray, MU)
        .fit(&data, ())
        .unwrap_err();
    assert!(e.to_string().contains("'q'"), "{e}");
    let short = AlignmentPrior::from_graph(&g, &["a", "b"], &["a", "b"], 1.0).unwrap();
    let e = NotearsMlpParams::new()
        .prior(short, MU)
        .fit(&data, ())
        .unwrap_err();
    assert!(e.to_string().contains("column 'c'"), "{e}");
    assert!(
        NotearsMlpParams::new()
            .prior(prior(&[]), -1.0)
            .check()
            .is_err()
    );
}
