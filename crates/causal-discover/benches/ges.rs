//! GES timings on simulated linear-Gaussian data (BIC) and on its discretisation (BDeu).
#![allow(missing_docs)] // criterion's macros generate undocumented items

use causal_core::contract::Fit;
use causal_core::data::Dataset;
use causal_core::sim::{Noise, random_dag_weights, simulate};
use causal_discover::ges::{GesParams, GesScore};
use causal_discover::knowledge::Knowledge;
use criterion::{Criterion, criterion_group, criterion_main};

fn data(d: usize, n: usize) -> Dataset {
    let w = random_dag_weights(d, d, 0.5, 2.0, 1).expect("weights");
    simulate(&w, n, Noise::Gaussian, 2).expect("data")
}

/// Three levels by the tertiles of each column.
fn discretise(data: &Dataset) -> Dataset {
    let cols = data
        .columns()
        .iter()
        .map(|c| {
            let mut s = c.to_vec();
            s.sort_by(f64::total_cmp);
            let (a, b) = (s[s.len() / 3], s[2 * s.len() / 3]);
            c.iter()
                .map(|&v| {
                    if v < a {
                        0.0
                    } else if v < b {
                        1.0
                    } else {
                        2.0
                    }
                })
                .collect()
        })
        .collect();
    Dataset::new(data.names().to_vec(), cols).expect("discrete data")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ges");
    g.sample_size(10);
    for (d, n) in [(10, 1000), (20, 1000), (50, 2000)] {
        let x = data(d, n);
        g.bench_function(format!("bic_d{d}_n{n}"), |b| {
            b.iter(|| GesParams::new().fit(&x, &Knowledge::new()).expect("ges"))
        });
    }
    let x = discretise(&data(20, 5000));
    g.bench_function("bdeu_d20_n5000", |b| {
        b.iter(|| {
            GesParams::new()
                .score(GesScore::Bdeu)
                .fit(&x, &Knowledge::new())
                .expect("ges")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
