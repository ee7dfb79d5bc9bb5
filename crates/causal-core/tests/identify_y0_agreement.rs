//! Agreement with y0 0.2.11 on identifiability over random ADMGs. The fixture was made once by
//! `scripts/fixtures/core/y0_identify_fixture.py`; this test never runs Python.
//!
//! Disagreements: none. In 14 of the 240 cases y0 raised an exception instead of answering
//! (`NetworkXError: The node V2 is not in the digraph` from ID, `KeyError: 'left argument is
//! not in graph'` from IDC): it looks up an outcome or conditioning node in a subgraph from
//! which it has already removed that node. Those cases have no y0 verdict to compare; the test
//! still checks our answer there (a valid hedge when not identifiable) and reports the count.
//! Every case where both answer must agree.

use causal_core::graph::{Admg, MixedGraph};
use causal_core::identify::Identifier;
use serde_json::Value;

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn identifiability_agrees_with_y0() {
    let text = include_str!("fixtures/y0_identify.json");
    let fixture: Value = serde_json::from_str(text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 200);
    let (mut agree, mut y0_failed, mut ours_yes) = (0, 0, 0);
    for (k, case) in cases.iter().enumerate() {
        let mut g = MixedGraph::with_nodes(strings(&case["nodes"])).unwrap();
        for e in case["directed"].as_array().unwrap() {
            let e = strings(e);
            g.add_directed(&e[0], &e[1]).unwrap();
        }
        for e in case["bidirected"].as_array().unwrap() {
            let e = strings(e);
            g.add_bidirected(&e[0], &e[1]).unwrap();
        }
        let g = Admg::from_mixed(&g).unwrap();
        let (x, y, z) = (
            strings(&case["treatment"]),
            strings(&case["outcome"]),
            strings(&case["given"]),
        );
        let ours = Identifier::new(&g).identify_given(&x, &y, &z).unwrap();
        if ours.is_identifiable() {
            ours_yes += 1;
        } else {
            let h = ours.hedge().unwrap();
            assert!(h.verify(&g).unwrap(), "case {k}: invalid hedge {h:?}");
        }
        match case["identifiable"].as_bool() {
            None => y0_failed += 1,
            Some(theirs) => {
                assert_eq!(
                    ours.is_identifiable(),
                    theirs,
                    "case {k}: P({y:?} | do({x:?}), {z:?}) in {}; y0 says {}",
                    g.to_mixed().to_json_value(),
                    case["estimand"]
                );
                agree += 1;
            }
        }
    }
    eprintln!(
        "{agree} agreements, {y0_failed} cases where y0 raised, {ours_yes} identifiable of {}",
        cases.len()
    );
    assert!(agree >= 200, "only {agree} comparable cases");
}
