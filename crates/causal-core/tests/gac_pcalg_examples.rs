//! The examples of pcalg's `gac()` documentation (Perković, Textor, Kalisch & Maathuis 2015,
//! Examples 4.1–4.4), with the verdicts pcalg documents for them: which sets satisfy the
//! generalised adjustment criterion in these CPDAGs and PAGs. The adjacency matrices are
//! pcalg's, filled column by column as R's `matrix()` does; node `k` is pcalg's position `k`
//! (1-based).

use causal_core::graph::{Edge, GraphClass, Mark, MixedGraph, NodeSet};

/// pcalg's `amat` from R's column-major vector: `amat[row][col]`.
fn amat(values: &[u8], n: usize) -> Vec<Vec<u8>> {
    let mut m = vec![vec![0u8; n]; n];
    for (k, &v) in values.iter().enumerate() {
        m[k % n][k / n] = v;
    }
    m
}

fn nodes(n: usize) -> Vec<String> {
    (1..=n).map(|k| k.to_string()).collect()
}

/// `amat.cpdag`: `amat[a][b] = 0, amat[b][a] = 1` is `a -> b`; both 1 is `a - b`.
fn cpdag(values: &[u8], n: usize) -> MixedGraph {
    let m = amat(values, n);
    let mut g = MixedGraph::with_nodes(nodes(n)).unwrap();
    for a in 0..n {
        for b in a + 1..n {
            match (m[a][b], m[b][a]) {
                (1, 1) => g.add_edge(Edge::undirected(a, b)).unwrap(),
                (0, 1) => g.add_edge(Edge::directed(a, b)).unwrap(),
                (1, 0) => g.add_edge(Edge::directed(b, a)).unwrap(),
                _ => {}
            }
        }
    }
    g
}

/// `amat.pag`: `amat[a][b]` is the mark at `b` (1 circle, 2 arrowhead, 3 tail).
fn pag(values: &[u8], n: usize) -> MixedGraph {
    let m = amat(values, n);
    let mark = |v: u8| match v {
        1 => Mark::Circle,
        2 => Mark::Arrow,
        _ => Mark::Tail,
    };
    let mut g = MixedGraph::with_nodes(nodes(n)).unwrap();
    for a in 0..n {
        for b in a + 1..n {
            if m[a][b] != 0 {
                g.add_edge(Edge {
                    a,
                    b,
                    mark_a: mark(m[b][a]),
                    mark_b: mark(m[a][b]),
                })
                .unwrap();
            }
        }
    }
    g
}

/// Checks pcalg's verdict for each set (1-based positions).
fn check(g: &MixedGraph, class: GraphClass, x: &[usize], y: &[usize], cases: &[(&[usize], bool)]) {
    let n = g.n_nodes();
    let set = |v: &[usize]| NodeSet::from_indices(n, v.iter().map(|k| k - 1));
    let adj = g.adjustment(class, &set(x), &set(y)).unwrap();
    for (z, expected) in cases {
        assert_eq!(
            adj.is_valid(&set(z)),
            *expected,
            "{class} x {x:?} y {y:?} z {z:?}: {}",
            g.to_json()
        );
    }
    // Adjust(X, Y, G) exists exactly when some set satisfies the criterion.
    if cases.iter().any(|c| c.1) {
        assert!(adj.adjustment_set().is_some());
    }
}

#[test]
fn example_4_1_cpdag() {
    let g = cpdag(
        &[
            0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0,
            1, 0, 0, 0, 0, 0, 0,
        ],
        6,
    );
    let yes: &[&[usize]] = &[
        &[2, 4],
        &[4, 5],
        &[4, 2, 1],
        &[4, 5, 1],
        &[4, 2, 5],
        &[4, 2, 5, 1],
    ];
    let mut cases: Vec<(&[usize], bool)> = yes.iter().map(|z| (*z, true)).collect();
    cases.push((&[2], false));
    cases.push((&[], false));
    check(&g, GraphClass::Cpdag, &[3], &[6], &cases);
}

#[test]
fn example_4_2_pags() {
    let a = pag(&[0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0], 4);
    let b = pag(&[0, 2, 0, 0, 3, 0, 3, 3, 0, 2, 0, 3, 0, 2, 2, 0], 4);
    let c = pag(&[0, 3, 0, 0, 2, 0, 3, 3, 0, 2, 0, 3, 0, 2, 2, 0], 4);
    for g in [&a, &b] {
        let adj = g
            .adjustment(
                GraphClass::Pag,
                &NodeSet::from_indices(4, [1]),
                &NodeSet::from_indices(4, [3]),
            )
            .unwrap();
        assert!(!adj.is_amenable(), "{}", g.to_json());
        assert!(
            adj.check_amenable()
                .unwrap_err()
                .to_string()
                .contains("'2'")
        );
    }
    check(&a, GraphClass::Pag, &[2], &[4], &[(&[], false)]);
    check(&b, GraphClass::Pag, &[2], &[4], &[(&[], false)]);
    check(&c, GraphClass::Pag, &[2], &[4], &[(&[], true)]);
}

#[test]
fn example_4_3_pags() {
    let a = pag(
        &[
            0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 2, 0, 3, 3, 2, 0, 0, 2, 0, 2, 2, 0, 0, 2, 1, 0,
            2, 0, 0, 1, 3, 3, 0,
        ],
        6,
    );
    let b = pag(
        &[
            0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 2, 0, 0, 3, 2, 0, 0, 0, 0, 2, 2, 0, 0, 2, 3, 0,
            2, 0, 0, 2, 3, 2, 0,
        ],
        6,
    );
    check(
        &a,
        GraphClass::Pag,
        &[3],
        &[4],
        &[
            (&[6], true),
            (&[1, 6], true),
            (&[2, 6], true),
            (&[1, 2, 6], true),
        ],
    );
    check(
        &b,
        GraphClass::Pag,
        &[3],
        &[4],
        &[(&[], false), (&[6], false), (&[5, 6], false)],
    );
    let adj = b
        .adjustment(
            GraphClass::Pag,
            &NodeSet::from_indices(6, [2]),
            &NodeSet::from_indices(6, [3]),
        )
        .unwrap();
    assert!(adj.is_amenable() && adj.adjustment_set().is_none());
}

#[test]
fn example_4_4_several_treatments() {
    let a = cpdag(
        &[
            0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
        ],
        5,
    );
    check(
        &a,
        GraphClass::Cpdag,
        &[1, 5],
        &[4],
        &[(&[2, 3], true), (&[2], false)],
    );
    let b = pag(
        &[
            0, 1, 0, 0, 0, 0, 0, 2, 0, 2, 3, 0, 3, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 3, 0, 0, 0,
            0, 0, 2, 0, 2, 3, 0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 2, 0, 0,
        ],
        7,
    );
    check(
        &b,
        GraphClass::Pag,
        &[2, 7],
        &[6],
        &[
            (&[4, 5], true),
            (&[4, 5, 1], true),
            (&[4, 5, 3], true),
            (&[1, 3, 4, 5], true),
            (&[], false),
        ],
    );
}
