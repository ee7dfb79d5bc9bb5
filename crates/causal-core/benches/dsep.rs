//! d-separation on a 10 000-node random DAG with average degree 4 (target: ≤ 1 ms per query).
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::hint::black_box;

use causal_core::graph::{Admg, NodeSet};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random DAG: `n * degree / 2` distinct edges `i -> j`, `i < j`, drawn uniformly.
fn random_dag(n: usize, degree: usize, seed: u64) -> Admg {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut edges = std::collections::HashSet::new();
    while edges.len() < n * degree / 2 {
        let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
        if a != b {
            edges.insert((a.min(b), a.max(b)));
        }
    }
    let mut edges: Vec<(usize, usize)> = edges.into_iter().collect();
    edges.sort_unstable();
    Admg::from_edges((0..n).map(|i| format!("V{i}")), &edges, &[]).expect("acyclic by construction")
}

fn queries(n: usize, count: usize, z_size: usize, seed: u64) -> Vec<(NodeSet, NodeSet, NodeSet)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let x = rng.random_range(0..n);
            let mut y = rng.random_range(0..n);
            while y == x {
                y = rng.random_range(0..n);
            }
            let mut z = NodeSet::new(n);
            while z.len() < z_size {
                let v = rng.random_range(0..n);
                if v != x && v != y {
                    z.insert(v);
                }
            }
            (
                NodeSet::from_indices(n, [x]),
                NodeSet::from_indices(n, [y]),
                z,
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let n = 10_000;
    let g = random_dag(n, 4, 0);
    for z_size in [0usize, 10] {
        let qs = queries(n, 256, z_size, 1);
        let mut k = 0;
        c.bench_function(&format!("dsep_10k_deg4_z{z_size}"), |b| {
            b.iter(|| {
                let (x, y, z) = &qs[k % qs.len()];
                k += 1;
                black_box(g.m_separated(x, y, z))
            })
        });
    }
    // Separated queries (local Markov: x given its parents, against a non-descendant), where
    // the search cannot stop early.
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut sep = Vec::new();
    while sep.len() < 256 {
        let x = rng.random_range(n / 2..n);
        let xs = NodeSet::from_indices(n, [x]);
        let de = g.descendants(&xs);
        let y = rng.random_range(0..n);
        if de.contains(y) || g.parents(x).contains(&y) {
            continue;
        }
        let z = NodeSet::from_indices(n, g.parents(x).iter().copied());
        assert!(g.m_separated(&xs, &NodeSet::from_indices(n, [y]), &z));
        sep.push((xs, NodeSet::from_indices(n, [y]), z));
    }
    let mut k = 0;
    c.bench_function("dsep_10k_deg4_separated", |b| {
        b.iter(|| {
            let (x, y, z) = &sep[k % sep.len()];
            k += 1;
            black_box(g.m_separated(x, y, z))
        })
    });
    let xs = NodeSet::from_indices(n, 0..50);
    let ys = NodeSet::from_indices(n, 9_950..10_000);
    let z = NodeSet::from_indices(n, 5_000..5_020);
    c.bench_function("dsep_10k_deg4_sets50_z20", |b| {
        b.iter(|| black_box(g.m_separated(&xs, &ys, &z)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
