//! Bootstrap of the regression-adjustment ATE: 1000 resamples at n = 100 000.
#![allow(missing_docs)] // criterion's macros generate undocumented items.

use causal_core::data::Dataset;
use causal_core::estimate::{AteEstimator, ParamGuard, RegressionParams};
use causal_core::stats::Bootstrap;
use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

fn data(n: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let (mut z, mut t, mut y) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let zi: f64 = StandardNormal.sample(&mut rng);
        let p = 1.0 / (1.0 + (-0.8 * zi).exp());
        t[i] = f64::from(u8::from(rng.random::<f64>() < p));
        let e: f64 = StandardNormal.sample(&mut rng);
        y[i] = 2.0 * t[i] + 1.5 * zi + e;
        z[i] = zi;
    }
    Dataset::new(vec!["Z".into(), "T".into(), "Y".into()], vec![z, t, y]).expect("valid data")
}

fn bench(c: &mut Criterion) {
    let d = data(100_000);
    let est = RegressionParams::new("T", "Y")
        .covariates(&["Z"])
        .check()
        .expect("valid params");
    let mut g = c.benchmark_group("bootstrap");
    g.sample_size(10);
    g.bench_function("regression_n100k_b1000", |b| {
        b.iter(|| {
            est.estimate(&d, Some(&Bootstrap::new(1000, 0)), 0.95)
                .expect("bootstrap runs")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
