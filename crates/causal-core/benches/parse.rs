//! Graph-file parsing at 1×, 2× and 4× size, to show it grows linearly (issue 20): dagitty
//! group syntax `{v0 … v1999} -> {w0 … w9}` (20 000 edges at 1×, target < 0.1 s), a dagitty
//! chain of single edges, and a DOT graph of 10 000 nodes (at 1×) with degree 2.
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::hint::black_box;

use causal_core::graph::MixedGraph;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn names(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("{prefix}{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn groups(scale: usize) -> String {
    format!(
        "dag {{ {{{}}} -> {{{}}} }}",
        names("v", 2000 * scale),
        names("w", 10)
    )
}

fn chain(scale: usize) -> String {
    let n = 10_000 * scale;
    let mut s = String::from("dag {\n");
    for i in 1..n {
        s.push_str(&format!("v{} -> v{i}\n", i - 1));
    }
    s.push('}');
    s
}

fn dot(scale: usize) -> String {
    let n = 10_000 * scale;
    let mut s = String::from("digraph {\n");
    for i in 1..n {
        s.push_str(&format!("  v{} -> v{i};\n", i / 2));
        s.push_str(&format!("  v{} -> v{i} [dir=both];\n", i - 1));
    }
    s.push('}');
    s
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    for scale in [1, 2, 4] {
        let text = groups(scale);
        g.bench_with_input(BenchmarkId::new("dagitty_groups", scale), &text, |b, t| {
            b.iter(|| MixedGraph::from_dagitty(black_box(t)).unwrap())
        });
        let text = chain(scale);
        g.bench_with_input(BenchmarkId::new("dagitty_chain", scale), &text, |b, t| {
            b.iter(|| MixedGraph::from_dagitty(black_box(t)).unwrap())
        });
        let text = dot(scale);
        g.bench_with_input(BenchmarkId::new("dot_10k_nodes", scale), &text, |b, t| {
            b.iter(|| MixedGraph::from_dot(black_box(t)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
