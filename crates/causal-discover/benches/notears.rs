//! NOTEARS and DirectLiNGAM timings on simulated linear data (the accuracy test's setting).
#![allow(missing_docs)] // criterion's macros generate undocumented items

use causal_core::contract::Fit;
use causal_core::sim::{Noise, random_dag_weights, simulate};
use causal_discover::knowledge::Knowledge;
use causal_discover::lingam::DirectLingamParams;
use causal_discover::notears::NotearsParams;
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("functional");
    g.sample_size(10);
    for d in [10, 20, 40] {
        let w = random_dag_weights(d, d, 0.5, 2.0, 1).expect("weights");
        let x = simulate(&w, 1000, Noise::Gaussian, 2).expect("data");
        g.bench_function(format!("notears_d{d}_n1000"), |b| {
            b.iter(|| {
                NotearsParams::new()
                    .fit(&x, &Knowledge::new())
                    .expect("notears")
            })
        });
        let x = simulate(&w, 1000, Noise::Uniform, 2).expect("data");
        g.bench_function(format!("lingam_d{d}_n1000"), |b| {
            b.iter(|| {
                DirectLingamParams::new()
                    .fit(&x, &Knowledge::new())
                    .expect("lingam")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
