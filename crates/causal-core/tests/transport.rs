//! Transportability (Bareinboim & Pearl 2012): textbook selection diagrams, snapshot-tested,
//! and numeric truth on random source/target model pairs that differ in the mechanisms the
//! selection nodes point at.

mod common;

use std::collections::HashMap;

use causal_core::graph::Admg;
use causal_core::identify::{Transport, Transporter};
use common::{Scm, admg, prob};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn textbook_selection_diagrams() {
    let cases: &[(&str, &str)] = &[
        // Bareinboim & Pearl (2011, 2012), Figure 1(a): the populations differ in age Z;
        // the target's own observations suffice (back door).
        ("bp_fig1a_age", "Z -> X; Z -> Y; X -> Y; S -> Z"),
        // A difference in how X is assigned is overridden by the experiment.
        ("bow_s_on_x", "X -> Y; X <-> Y; S -> X"),
        // A difference in Y's mechanism inside the bow arc: an s*-hedge.
        ("bow_s_on_y", "X -> Y; X <-> Y; S -> Y"),
        // Bareinboim & Pearl (2012), the transport formula sum_z P(z | do(x)) P*(y | z):
        // Z's c-factor comes from the source experiment, Y's from the target.
        (
            "confounded_mediator_s_on_y",
            "X -> Z; Z -> Y; X <-> Z; S -> Y",
        ),
        (
            "confounded_mediator_s_on_z",
            "X -> Z; Z -> Y; X <-> Z; S -> Z",
        ),
        // Front door with a difference at the mediator: the target's observations suffice.
        ("frontdoor_s_on_z", "X -> Z; Z -> Y; X <-> Y; S -> Z"),
        // Two selection nodes, both pointing inside the hedge {X, W, Y}: not transportable.
        (
            "two_selections",
            "X -> W; W -> Y; X <-> W; W <-> Y; S1 -> Y; S2 -> W",
        ),
        (
            "s_on_root_confounder",
            "Z -> X; X -> W; W -> Y; Z <-> Y; X <-> W; S -> Z",
        ),
    ];
    let mut out = String::new();
    for (name, spec) in cases {
        let t = Transporter::new(&admg(spec)).unwrap();
        let r = t.transport(&["X"], &["Y"]).unwrap();
        let text = match &r {
            Transport::Transportable(e) => format!("{e}\n{}", e.to_latex()),
            Transport::NotTransportable { reason, .. } => format!("not transportable: {reason}"),
        };
        out.push_str(&format!(
            "## {name}: {spec}\nselection {:?} -> {:?}\nP*(Y | do(X)) =\n{text}\n\n",
            t.selection_nodes(),
            t.differing()
        ));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn transport_formulas_match_the_target_truth() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut yes, mut no) = (0, 0);
    for _ in 0..60 {
        let n = rng.random_range(3..=6);
        let source = Scm::random(&mut rng, n);
        let k = rng.random_range(1..=2);
        let mut nodes: Vec<usize> = (0..n).collect();
        nodes.shuffle(&mut rng);
        let differ = &nodes[..k];
        let target = source.with_new_mechanisms(&mut rng, differ);
        // The selection diagram: the shared causal diagram plus S -> each differing node.
        let mut m = source.graph.to_mixed();
        m.add_node("S").unwrap();
        for &v in differ {
            m.add_directed("S", &source.names[v]).unwrap();
        }
        let d = Admg::from_mixed(&m).unwrap();
        nodes.shuffle(&mut rng);
        let x = &nodes[..1];
        let y = &nodes[1..2];
        let (xn, yn) = (
            vec![source.names[x[0]].clone()],
            vec![source.names[y[0]].clone()],
        );
        match Transporter::new(&d).unwrap().transport(&xn, &yn).unwrap() {
            Transport::NotTransportable { hedge, .. } => {
                assert!(hedge.verify(&source.graph).unwrap(), "{hedge:?}");
                no += 1;
            }
            Transport::Transportable(e) => {
                yes += 1;
                let index: HashMap<&str, usize> = source
                    .names
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.as_str(), i))
                    .collect();
                let domains: Vec<(&str, Vec<i64>)> = source
                    .names
                    .iter()
                    .map(|s| (s.as_str(), vec![0, 1]))
                    .collect();
                let target_obs = target.intervened_joint(&HashMap::new());
                for (xv, yv) in [(0u8, 0u8), (0, 1), (1, 0), (1, 1)] {
                    let truth = prob(
                        &target.intervened_joint(&HashMap::from([(x[0], xv)])),
                        &[(y[0], yv)],
                    );
                    let value = e
                        .evaluate_on(
                            &domains,
                            |ev| {
                                let values: Vec<(usize, u8)> = ev
                                    .values
                                    .iter()
                                    .map(|(n, b)| (index[*n], *b as u8))
                                    .collect();
                                if ev.star {
                                    assert!(ev.intervened.is_empty());
                                    prob(&target_obs, &values)
                                } else {
                                    let fixed: HashMap<usize, u8> = ev
                                        .intervened
                                        .iter()
                                        .map(|(n, b)| (index[*n], *b as u8))
                                        .collect();
                                    prob(&source.intervened_joint(&fixed), &values)
                                }
                            },
                            &[
                                (xn[0].as_str(), f64::from(xv)),
                                (yn[0].as_str(), f64::from(yv)),
                            ],
                        )
                        .unwrap();
                    assert!(
                        (value - truth).abs() < 1e-9,
                        "P*({yn:?} | do({xn:?})): formula {e} gives {value}, truth {truth}; \
                         diagram {}",
                        m.to_json_value()
                    );
                }
            }
        }
    }
    eprintln!("{yes} transportable, {no} not");
    assert!(yes > 10 && no > 0);
}
