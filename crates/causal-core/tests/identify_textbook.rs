//! Textbook identification cases, snapshot-tested: back door, front door, napkin, bow arc, the
//! examples of Shpitser & Pearl (2006), and conditional queries (IDC).

mod common;

use causal_core::identify::{Identification, Identifier};
use common::admg;

fn show(spec: &str, x: &[&str], y: &[&str], z: &[&str]) -> String {
    let g = admg(spec);
    let id = Identifier::new(&g);
    match id.identify_given(x, y, z).unwrap() {
        Identification::Identified(e) => format!("{e}\n{}", e.to_latex()),
        Identification::NotIdentifiable(h) => {
            assert!(h.check(&g, x, y).unwrap(), "invalid hedge {h:?}");
            format!(
                "not identifiable; hedge F = {:?}, F' = {:?}",
                h.f, h.f_prime
            )
        }
    }
}

#[test]
fn textbook_cases() {
    let cases: &[(&str, &str, &[&str], &[&str], &[&str])] = &[
        // Pearl (2009), Causality, sections 3.3 and 3.4.
        ("backdoor", "Z -> X; X -> Y; Z -> Y", &["X"], &["Y"], &[]),
        ("frontdoor", "X -> Z; Z -> Y; X <-> Y", &["X"], &["Y"], &[]),
        (
            "frontdoor_and_backdoor",
            "W -> X; W -> Y; X -> Z; Z -> Y; X <-> Y",
            &["X"],
            &["Y"],
            &[],
        ),
        (
            "instrument_not_identifiable",
            "Z -> X; X -> Y; X <-> Y",
            &["X"],
            &["Y"],
            &[],
        ),
        ("mediator_chain", "X -> M; M -> Y", &["X"], &["Y"], &[]),
        (
            "confounded_mediator",
            "X -> M; M -> Y; X <-> M",
            &["X"],
            &["Y"],
            &[],
        ),
        (
            "m_graph",
            "A -> M; B -> M; A -> X; B -> Y; X -> Y",
            &["X"],
            &["Y"],
            &[],
        ),
        // Napkin (Pearl & Mackenzie 2018). y0 0.2.11 prints P(Y | X) here, which is wrong.
        (
            "napkin",
            "W1 -> W2; W2 -> X; X -> Y; W1 <-> X; W1 <-> Y",
            &["X"],
            &["Y"],
            &[],
        ),
        // The bow arc: the smallest hedge.
        ("bow_arc", "X -> Y; X <-> Y", &["X"], &["Y"], &[]),
        // Shpitser & Pearl (2008, JMLR), Figure 2: (b) and (d) are not identifiable.
        ("sp_fig2a", "X -> Y", &["X"], &["Y"], &[]),
        (
            "sp_fig2b",
            "X -> Y; X -> Z; Z -> Y; Y <-> Z",
            &["X"],
            &["Y"],
            &[],
        ),
        (
            "sp_fig2d",
            "X -> Y; Z -> X; Z -> Y; X <-> Z",
            &["X"],
            &["Y"],
            &[],
        ),
        ("sp_fig2e", "X -> Z; Z -> Y; X <-> Y", &["X"], &["Y"], &[]),
        // Shpitser & Pearl (2006), the running example (Figure 3a of the 2008 paper).
        (
            "sp_fig3a",
            "X -> Y1; W1 -> X; W2 -> Y2; W1 <-> W2; W1 <-> Y1; W1 <-> Y2; X <-> W2",
            &["X"],
            &["Y1", "Y2"],
            &[],
        ),
        // Shpitser & Pearl (2006), line 7 example (Figure 5): P(y1 | do(x, w1)).
        (
            "sp_line7",
            "X -> Y1; W1 -> X; W1 <-> Y1",
            &["X", "W1"],
            &["Y1"],
            &[],
        ),
        // Shpitser & Pearl (2006), line 6 example.
        (
            "sp_line6",
            "X -> Y; X -> Z; Z -> Y; X <-> Z",
            &["X", "Z"],
            &["Y"],
            &[],
        ),
        // Shpitser & Pearl (2006b) IDC, Figure 6a: P(y | do(x), z).
        (
            "sp_fig6a_idc",
            "X -> Z; Z -> Y; X <-> Z",
            &["X"],
            &["Y"],
            &["Z"],
        ),
        // More conditional queries.
        (
            "idc_backdoor_given_z",
            "Z -> X; X -> Y; Z -> Y",
            &["X"],
            &["Y"],
            &["Z"],
        ),
        (
            "idc_frontdoor_given_z",
            "X -> Z; Z -> Y; X <-> Y",
            &["X"],
            &["Y"],
            &["Z"],
        ),
        (
            "idc_rule2_moves_w",
            "X -> Y; W -> Y; X <-> W",
            &["X"],
            &["Y"],
            &["W"],
        ),
        (
            "idc_bow_given_w",
            "X -> Y; X <-> Y; W -> X",
            &["X"],
            &["Y"],
            &["W"],
        ),
        // Several treatments and outcomes.
        (
            "two_treatments",
            "X1 -> X2; X2 -> Y; X1 -> Y; X1 <-> Z; Z -> Y",
            &["X1", "X2"],
            &["Y"],
            &[],
        ),
        (
            "two_outcomes_frontdoor",
            "X -> Z; Z -> Y; X <-> Y; Y -> W",
            &["X"],
            &["Y", "W"],
            &[],
        ),
    ];
    let mut out = String::new();
    for (name, spec, x, y, z) in cases {
        let q = if z.is_empty() {
            format!("P({} | do({}))", y.join(", "), x.join(", "))
        } else {
            format!(
                "P({} | do({}), {})",
                y.join(", "),
                x.join(", "),
                z.join(", ")
            )
        };
        out.push_str(&format!(
            "## {name}: {spec}\n{q} =\n{}\n\n",
            show(spec, x, y, z)
        ));
    }
    insta::assert_snapshot!(out);
}
