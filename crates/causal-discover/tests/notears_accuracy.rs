//! NOTEARS accuracy on the paper's setting: Erdős–Rényi DAGs, d = 20, 20 edges, n = 1000,
//! Gaussian equal-variance noise, weights ±U[0.5, 2], 10 seeds; mean SHD ≤ 2.

use causal_core::contract::Fit;
use causal_core::graph::MixedGraph;
use causal_core::sim::{Noise, random_dag_weights, simulate, weights_to_dag};
use causal_discover::knowledge::Knowledge;
use causal_discover::notears::NotearsParams;

/// SHD between two DAGs on the same nodes: a missing, extra or reversed edge counts 1.
fn shd(truth: &MixedGraph, est: &MixedGraph) -> usize {
    let d = truth.n_nodes();
    let mut s = 0;
    for i in 0..d {
        for j in i + 1..d {
            let t = (
                truth.children(i).contains(&j),
                truth.children(j).contains(&i),
            );
            let e = (est.children(i).contains(&j), est.children(j).contains(&i));
            s += usize::from(t != e);
        }
    }
    s
}

fn run(seeds: std::ops::Range<u64>) -> Vec<usize> {
    seeds
        .map(|seed| {
            let w = random_dag_weights(20, 20, 0.5, 2.0, seed).unwrap();
            let data = simulate(&w, 1000, Noise::Gaussian, 1000 + seed).unwrap();
            let fit = NotearsParams::new().fit(&data, &Knowledge::new()).unwrap();
            shd(&weights_to_dag(&w, data.names()).unwrap(), fit.graph())
        })
        .collect()
}

#[test]
fn notears_mean_shd_over_ten_seeds_is_at_most_two() {
    let s = run(0..10);
    let mean = s.iter().sum::<usize>() as f64 / s.len() as f64;
    eprintln!("NOTEARS SHD over 10 seeds: {s:?}, mean {mean}");
    assert!(mean <= 2.0, "{s:?}");
}
