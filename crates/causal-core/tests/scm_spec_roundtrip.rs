//! Property test: an SCM spec written as JSON and read back is bit-for-bit the same, whatever
//! its floats (serde_json's `float_roundtrip`; without it large coefficients moved by one ULP)
//! and whatever characters its names hold.

use std::collections::BTreeMap;

use causal_core::scm::{NodeKind, NodeSpec, ScmSpec};
use proptest::prelude::*;

fn finite() -> impl Strategy<Value = f64> {
    // Every bit pattern, so subnormals, huge exponents and -0.0 all appear.
    any::<u64>()
        .prop_map(f64::from_bits)
        .prop_filter("finite", |v| v.is_finite())
}

fn name(k: usize, style: u8) -> String {
    match style % 5 {
        0 => format!("X{k}"),
        1 => format!("a,b {k}"),
        2 => format!("q\"{k}\\\n"),
        3 => format!("é☃{k}"),
        _ => format!(" #{k} "),
    }
}

fn spec() -> impl Strategy<Value = ScmSpec> {
    proptest::collection::vec(
        (
            any::<u8>(),
            any::<bool>(),
            finite(),
            finite(),
            proptest::collection::vec(finite(), 0..4),
        ),
        1..6,
    )
    .prop_map(|nodes| {
        let names: Vec<String> = nodes
            .iter()
            .enumerate()
            .map(|(k, n)| name(k, n.0))
            .collect();
        let nodes = nodes
            .into_iter()
            .enumerate()
            .map(|(k, (_, binary, intercept, sd, coefs))| NodeSpec {
                name: names[k].clone(),
                kind: if binary {
                    NodeKind::Binary
                } else {
                    NodeKind::Gaussian
                },
                intercept,
                sd: sd.abs(),
                // Parents come earlier, so the spec is acyclic.
                parents: coefs
                    .into_iter()
                    .enumerate()
                    .filter(|&(j, _)| j < k)
                    .map(|(j, c)| (names[j].clone(), c))
                    .collect::<BTreeMap<_, _>>(),
            })
            .collect();
        ScmSpec { nodes }
    })
}

fn bits(s: &ScmSpec) -> Vec<(String, u64, u64, Vec<(String, u64)>)> {
    s.nodes
        .iter()
        .map(|n| {
            (
                n.name.clone(),
                n.intercept.to_bits(),
                n.sd.to_bits(),
                n.parents
                    .iter()
                    .map(|(p, c)| (p.clone(), c.to_bits()))
                    .collect(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn specs_round_trip_bit_exact(s in spec()) {
        let text = serde_json::to_string_pretty(&s).unwrap();
        let back = ScmSpec::from_json(&text);
        prop_assert!(back.is_ok(), "{:?}\n{text}", back.err());
        let back = back.unwrap();
        prop_assert_eq!(bits(&back), bits(&s), "{}", text);
        prop_assert_eq!(back.nodes.iter().map(|n| n.kind).collect::<Vec<_>>(),
                        s.nodes.iter().map(|n| n.kind).collect::<Vec<_>>());
    }
}

#[test]
fn the_issue_coefficient_survives() {
    // A value whose nearest-float parse needs the exact algorithm.
    let c = f64::from_bits(0x7fe1_ccf3_85eb_c8a0);
    let s = ScmSpec {
        nodes: vec![
            NodeSpec {
                name: "a".into(),
                kind: NodeKind::Gaussian,
                intercept: 0.0,
                sd: 1.0,
                parents: BTreeMap::new(),
            },
            NodeSpec {
                name: "b".into(),
                kind: NodeKind::Gaussian,
                intercept: 2.2250738585072014e-308,
                sd: 1.0,
                parents: BTreeMap::from([("a".to_owned(), c)]),
            },
        ],
    };
    let back = ScmSpec::from_json(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back.nodes[1].parents["a"].to_bits(), c.to_bits());
    assert_eq!(
        back.nodes[1].intercept.to_bits(),
        s.nodes[1].intercept.to_bits()
    );
}
