//! d-separation against networkx 3.6.1 (`is_d_separator`, `find_minimal_d_separator`) on 40
//! random DAGs and 1000 queries, from the fixture made by `scripts/fixtures/core/make_dsep_fixture.py`.

use causal_core::graph::{Admg, NodeSet};
use serde_json::Value;

fn set(n: usize, v: &Value) -> NodeSet {
    NodeSet::from_indices(
        n,
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as usize),
    )
}

#[test]
fn dsep_agrees_with_networkx() {
    let text = include_str!("fixtures/dsep_networkx.json");
    let fixture: Value = serde_json::from_str(text).unwrap();
    let (mut checked, mut separated, mut minimal_checked) = (0, 0, 0);
    for case in fixture["cases"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap() as usize;
        let edges: Vec<(usize, usize)> = case["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e[0].as_u64().unwrap() as usize,
                    e[1].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let g = Admg::from_edges((0..n).map(|i| format!("V{i}")), &edges, &[]).unwrap();
        for q in case["queries"].as_array().unwrap() {
            let (x, y, z) = (set(n, &q["x"]), set(n, &q["y"]), set(n, &q["z"]));
            let expected = q["separated"].as_bool().unwrap();
            assert_eq!(g.m_separated(&x, &y, &z), expected, "{q}");
            checked += 1;
            separated += usize::from(expected);
            if !q["minimal"].is_null() || (x.len() == 1 && y.len() == 1) {
                let ours = g.minimal_separator(&x, &y, &(&g.all() - &(&x | &y)));
                // Minimal separators are not unique: both must exist or not, and networkx's
                // must separate in our graph too.
                assert_eq!(ours.is_some(), !q["minimal"].is_null(), "{q}");
                if !q["minimal"].is_null() {
                    assert!(g.m_separated(&x, &y, &set(n, &q["minimal"])));
                    minimal_checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 1000);
    assert!(separated > 200 && separated < 800, "{separated}");
    assert!(minimal_checked > 100, "{minimal_checked}");
}
