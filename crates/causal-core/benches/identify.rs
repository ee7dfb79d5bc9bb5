//! Criterion benches of identification: the textbook suite, and random 100-node ADMGs.

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use causal_core::graph::Admg;
use causal_core::identify::Identifier;
use criterion::{Criterion, criterion_group, criterion_main};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

type Query = (Admg, Vec<String>, Vec<String>);

fn parse(spec: &str) -> Admg {
    let mut names: Vec<String> = Vec::new();
    let mut directed = Vec::new();
    let mut bidirected = Vec::new();
    for part in spec.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let bi = part.contains("<->");
        let (a, b) = part
            .split_once(if bi { "<->" } else { "->" })
            .expect("edge");
        let (a, b) = (a.trim().to_owned(), b.trim().to_owned());
        for n in [&a, &b] {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        if bi {
            bidirected.push((a, b));
        } else {
            directed.push((a, b));
        }
    }
    let d: Vec<(&str, &str)> = directed
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let b: Vec<(&str, &str)> = bidirected
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Admg::from_names(names, &d, &b).expect("valid graph")
}

/// The textbook suite (the same queries as `scripts/peers/compare_id.py`).
fn textbook() -> Vec<Query> {
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("Z -> X; X -> Y; Z -> Y", &["X"], &["Y"]),
        ("X -> Z; Z -> Y; X <-> Y", &["X"], &["Y"]),
        ("W -> X; W -> Y; X -> Z; Z -> Y; X <-> Y", &["X"], &["Y"]),
        ("Z -> X; X -> Y; X <-> Y", &["X"], &["Y"]),
        (
            "W1 -> W2; W2 -> X; X -> Y; W1 <-> X; W1 <-> Y",
            &["X"],
            &["Y"],
        ),
        ("X -> Y; X <-> Y", &["X"], &["Y"]),
        ("X -> Y; X -> Z; Z -> Y; Y <-> Z", &["X"], &["Y"]),
        ("X -> Y; Z -> X; Z -> Y; X <-> Z", &["X"], &["Y"]),
        (
            "X -> Y1; W1 -> X; W2 -> Y2; W1 <-> W2; W1 <-> Y1; W1 <-> Y2; X <-> W2",
            &["X"],
            &["Y1", "Y2"],
        ),
        ("X -> Y1; W1 -> X; W1 <-> Y1", &["X", "W1"], &["Y1"]),
    ];
    cases
        .iter()
        .map(|(s, x, y)| {
            let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
            (parse(s), own(x), own(y))
        })
        .collect()
}

/// Random ADMGs over `n` nodes, average directed degree about 3 and bidirected about 1, with
/// one treatment and one outcome drawn at random.
fn random(n: usize, count: usize, seed: u64) -> Vec<Query> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let names: Vec<String> = (0..n).map(|i| format!("V{i}")).collect();
            let (pd, pb) = (3.0 / n as f64, 1.0 / n as f64);
            let mut d = Vec::new();
            let mut b = Vec::new();
            for j in 0..n {
                for i in 0..j {
                    if rng.random::<f64>() < pd {
                        d.push((names[i].as_str(), names[j].as_str()));
                    }
                    if rng.random::<f64>() < pb {
                        b.push((names[i].as_str(), names[j].as_str()));
                    }
                }
            }
            let g = Admg::from_names(names.clone(), &d, &b).expect("valid graph");
            let mut pick: Vec<usize> = (0..n).collect();
            pick.shuffle(&mut rng);
            (
                g,
                vec![names[pick[0]].clone()],
                vec![names[pick[1]].clone()],
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let suite = textbook();
    c.bench_function("id/textbook_suite", |b| {
        b.iter(|| {
            for (g, x, y) in &suite {
                black_box(Identifier::new(g).identify(x, y).expect("valid query"));
            }
        })
    });
    let big = random(100, 20, 1);
    c.bench_function("id/random_100_nodes_x20", |b| {
        b.iter(|| {
            for (g, x, y) in &big {
                black_box(Identifier::new(g).identify(x, y).expect("valid query"));
            }
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
