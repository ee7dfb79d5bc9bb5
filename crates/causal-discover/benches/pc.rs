//! Criterion benchmark of PC (Fisher-z, stable) on simulated linear-Gaussian data.
//! Set `PC_BENCH_LARGE=1` to add d = 100 and 200 at n = 10 000 (the reference sizes).
#![allow(missing_docs)]

use causal_core::contract::ParamGuard;
use causal_core::data::Dataset;
use causal_discover::ci::FisherZ;
use causal_discover::knowledge::Knowledge;
use causal_discover::pc::PcParams;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// A random linear-Gaussian SEM: edge i -> j (i < j) with probability 2 / (d - 1),
/// weights ±U[0.5, 2].
fn simulate(d: usize, n: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let p = 2.0 / (d - 1) as f64;
    let mut x: Vec<Vec<f64>> = Vec::with_capacity(d);
    for j in 0..d {
        let mut col: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
        for i in 0..j {
            if rng.random::<f64>() < p {
                let w = rng.random_range(0.5..2.0) * if rng.random::<bool>() { 1.0 } else { -1.0 };
                for r in 0..n {
                    col[r] += w * x[i][r];
                }
            }
        }
        x.push(col);
    }
    Dataset::new((0..d).map(|i| format!("X{i}")).collect(), x).unwrap()
}

fn bench_pc(c: &mut Criterion) {
    let mut sizes = vec![(20, 2000), (50, 5000)];
    if std::env::var("PC_BENCH_LARGE").is_ok() {
        sizes.extend([(100, 10_000), (200, 10_000)]);
    }
    let mut group = c.benchmark_group("pc_fisherz_stable");
    group.sample_size(10);
    for (d, n) in sizes {
        let data = simulate(d, n, 0);
        group.bench_with_input(
            BenchmarkId::new("d", format!("{d}_n{n}")),
            &data,
            |b, data| {
                b.iter(|| {
                    let test = FisherZ::new(data).unwrap();
                    PcParams::new()
                        .check()
                        .unwrap()
                        .fit_test(&test, data.names(), &Knowledge::new())
                        .unwrap()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_pc);
criterion_main!(benches);
