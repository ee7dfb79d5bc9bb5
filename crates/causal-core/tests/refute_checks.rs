//! Refuters behave: placebo ≈ 0, a random common cause barely moves the estimate, subsets and
//! dummy outcomes pass; the graph test flags a graph the data contradict.

mod est_common;

use causal_core::estimate::{IpwParams, ParamGuard, RegressionParams};
use causal_core::graph::MixedGraph;
use causal_core::refute::{
    GraphTestParams, RefuteParams, data_subset, dummy_outcome, evalue_odds_ratio,
    evalue_risk_ratio, placebo_treatment, random_common_cause, refute_all, test_graph,
};
use causal_core::scm::ScmSpec;

#[test]
fn placebo_is_near_zero_and_random_common_cause_moves_under_five_percent() {
    let d = est_common::confounded_binary(5000, 3);
    let est = RegressionParams::new("T", "Y")
        .covariates(&["Z"])
        .check()
        .unwrap();
    let p = RefuteParams::default();
    let placebo = placebo_treatment(&est, &d, &p).unwrap();
    eprintln!("placebo {placebo:?}");
    assert!(placebo.new_effect.abs() < 0.05, "{}", placebo.new_effect);
    assert!(placebo.passed);
    let rcc = random_common_cause(&est, &d, &p).unwrap();
    let moved = (rcc.new_effect - rcc.original).abs() / rcc.original.abs();
    eprintln!("random common cause moved {:.4}%", 100.0 * moved);
    assert!(moved < 0.05, "{moved}");
    assert!(rcc.passed);
    assert!(data_subset(&est, &d, &p).unwrap().passed);
    let dummy = dummy_outcome(&est, &d, &p).unwrap();
    assert!(dummy.passed && dummy.new_effect.abs() < 0.05, "{dummy:?}");
    // Runs are seeded.
    assert_eq!(placebo, placebo_treatment(&est, &d, &p).unwrap());
}

#[test]
fn refuters_run_for_ipw_and_catch_errors() {
    let d = est_common::confounded_binary(2000, 4);
    let est = IpwParams::new("T", "Y").covariates(&["Z"]).check().unwrap();
    let all = refute_all(&est, &d, &RefuteParams::default());
    assert_eq!(all.len(), 4);
    for r in &all {
        assert!(r.passed, "{r:?}");
    }
    // A bad setting is reported, not a panic.
    let bad = RefuteParams {
        subset_fraction: 1.5,
        ..RefuteParams::default()
    };
    assert!(
        refute_all(&est, &d, &bad)
            .iter()
            .any(|r| !r.passed && r.detail.contains("subset fraction"))
    );
}

#[test]
fn graph_test_flags_a_wrong_graph_and_passes_the_right_one() {
    let spec = r#"{"nodes":[{"name":"A"},{"name":"B","parents":{"A":0.8}},
        {"name":"C","parents":{"B":0.8}},{"name":"D","parents":{"A":0.5,"C":0.5}}]}"#;
    // A true graph is rejected with probability about alpha; this fixed seed is one of the 95%.
    let data = ScmSpec::from_json(spec)
        .unwrap()
        .to_scm()
        .unwrap()
        .sample(2000, 2)
        .unwrap();
    let mut right = MixedGraph::with_nodes(["A", "B", "C", "D"]).unwrap();
    for (a, b) in [("A", "B"), ("B", "C"), ("A", "D"), ("C", "D")] {
        right.add_directed(a, b).unwrap();
    }
    let ok = test_graph(&right, &data, &GraphTestParams::default()).unwrap();
    assert!(ok.passed, "{ok:?}");
    assert!(!ok.tests.is_empty());
    // The chain A -> B -> C -> D claims A ⫫ D | C, which the data contradict.
    let mut wrong = MixedGraph::with_nodes(["A", "B", "C", "D"]).unwrap();
    for (a, b) in [("A", "B"), ("B", "C"), ("C", "D")] {
        wrong.add_directed(a, b).unwrap();
    }
    let bad = test_graph(&wrong, &data, &GraphTestParams::default()).unwrap();
    assert!(!bad.passed, "{bad:?}");
    assert!(
        bad.tests
            .iter()
            .any(|t| t.rejected && t.test.x == "A" && t.test.y == "D")
    );
    // A node missing from the data is named.
    let mut extra = right.clone();
    extra.add_node("Q").unwrap();
    let err = test_graph(&extra, &data, &GraphTestParams::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("'Q'"), "{err}");
}

#[test]
fn graph_test_uses_chi_square_for_discrete_data() {
    let spec = r#"{"nodes":[{"name":"A","type":"binary"},{"name":"B","type":"binary","parents":{"A":2.0}},
        {"name":"C","type":"binary","parents":{"B":2.0}}]}"#;
    let data = ScmSpec::from_json(spec)
        .unwrap()
        .to_scm()
        .unwrap()
        .sample(3000, 2)
        .unwrap()
        .infer_discrete(2);
    let mut right = MixedGraph::with_nodes(["A", "B", "C"]).unwrap();
    right.add_directed("A", "B").unwrap();
    right.add_directed("B", "C").unwrap();
    let ok = test_graph(&right, &data, &GraphTestParams::default()).unwrap();
    assert_eq!(ok.tests.len(), 1);
    assert!(ok.tests[0].test.df.is_some(), "chi-square expected");
    assert!(ok.passed);
    let mut wrong = MixedGraph::with_nodes(["A", "B", "C"]).unwrap();
    wrong.add_directed("A", "B").unwrap();
    wrong.add_directed("C", "B").unwrap();
    assert!(
        !test_graph(&wrong, &data, &GraphTestParams::default())
            .unwrap()
            .passed
    );
}

#[test]
fn evalues_match_vanderweele_and_ding() {
    // Worked example of VanderWeele & Ding (2017): RR 3.9 (1.8, 8.7) -> E 7.26, CI E 3.00.
    let e = evalue_risk_ratio(3.9, Some((1.8, 8.7))).unwrap();
    assert!((e.point - 7.263).abs() < 5e-4, "{}", e.point);
    assert!((e.ci.unwrap() - 3.000).abs() < 5e-4);
    // Protective effects use 1/RR; an interval through 1 gives 1.
    let p = evalue_risk_ratio(1.0 / 3.9, Some((1.0 / 8.7, 1.0 / 1.8))).unwrap();
    assert!((p.point - e.point).abs() < 1e-12 && (p.ci.unwrap() - 3.0).abs() < 1e-12);
    assert_eq!(
        evalue_risk_ratio(1.5, Some((0.8, 2.5))).unwrap().ci,
        Some(1.0)
    );
    // A common outcome's odds ratio goes through its square root.
    let o = evalue_odds_ratio(3.9 * 3.9, None, false).unwrap();
    assert!((o.point - e.point).abs() < 1e-12);
    assert!(evalue_risk_ratio(-1.0, None).is_err());
}
