//! Property tests for the graph readers: random graphs round-trip losslessly through every
//! format, and random text never makes a reader panic.

use causal_core::graph::{Edge, GraphFormat, Mark, MixedGraph};
use proptest::prelude::*;

const FORMATS: [GraphFormat; 3] = [GraphFormat::Json, GraphFormat::Dagitty, GraphFormat::Dot];

fn mark(k: u8) -> Mark {
    match k % 3 {
        0 => Mark::Tail,
        1 => Mark::Arrow,
        _ => Mark::Circle,
    }
}

/// Node names mix plain identifiers, keywords, spaces, quotes, non-ASCII letters and the
/// characters each syntax gives a meaning (commas, `#`, `//`, braces, edge operators, line
/// breaks, padding).
fn name(k: usize, style: u8) -> String {
    match style % 12 {
        0 => format!("X{k}"),
        1 => format!("node {k}"),
        2 => format!("q\"{k}\\"),
        3 => format!("é{k}"),
        4 => {
            if k == 0 {
                "digraph".into()
            } else {
                format!("n_{k}.a")
            }
        }
        5 => format!("{k}"),
        6 => format!("a,b;{k}"),
        7 => format!("#{k} // not a comment"),
        8 => format!("  padded {k} "),
        9 => format!("{{{k}}} -> [x]"),
        10 => format!("line\nbreak\t{k}\r"),
        _ => format!("-{k}"),
    }
}

fn graph_strategy() -> impl Strategy<Value = MixedGraph> {
    (
        1usize..9,
        any::<u8>(),
        proptest::collection::vec(
            (any::<usize>(), any::<usize>(), any::<u8>(), any::<u8>()),
            0..20,
        ),
        proptest::collection::vec(any::<u8>(), 9),
    )
        .prop_map(|(n, style, edges, roles)| {
            let mut g =
                MixedGraph::with_nodes((0..n).map(|k| name(k, style.wrapping_add(k as u8))))
                    .unwrap();
            for (a, b, ma, mb) in edges {
                let _ = g.add_edge(Edge {
                    a: a % n,
                    b: b % n,
                    mark_a: mark(ma),
                    mark_b: mark(mb),
                });
            }
            for (i, r) in roles.iter().enumerate().take(n) {
                let roles = g.roles_mut(i);
                roles.exposure = r & 1 != 0;
                roles.outcome = r & 2 != 0;
                roles.latent = r & 4 != 0;
                roles.selection = r & 8 != 0;
                roles.adjusted = r & 16 != 0;
            }
            g
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_graphs_round_trip(g in graph_strategy()) {
        for f in FORMATS {
            let text = g.write(f);
            let again = MixedGraph::parse(&text, f);
            prop_assert!(again.is_ok(), "{f:?}: {:?}\n{text}", again.err());
            prop_assert_eq!(again.unwrap(), g.clone(), "{:?}\n{}", f, text);
        }
    }

    #[test]
    fn garbage_never_panics(text in "[a-zA-Z0-9{}\\[\\];,=<>@\"#/*\\- \n.]{0,80}") {
        for f in FORMATS {
            let _ = MixedGraph::parse(&text, f);
        }
        // And garbage inside a plausible frame.
        let _ = MixedGraph::from_dagitty(&format!("dag {{ {text} }}"));
        let _ = MixedGraph::from_dot(&format!("digraph {{ {text} }}"));
    }

    #[test]
    fn truncated_output_never_panics(g in graph_strategy(), cut in any::<usize>()) {
        for f in FORMATS {
            let text = g.write(f);
            let chars: Vec<char> = text.chars().collect();
            let cut = cut % (chars.len() + 1);
            let prefix: String = chars[..cut].iter().collect();
            let _ = MixedGraph::parse(&prefix, f);
        }
    }
}
