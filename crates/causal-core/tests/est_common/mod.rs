//! Simulators and comparisons shared by the integration tests.
#![allow(dead_code)]

use causal_core::data::Dataset;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Z ~ N(0,1), T ~ Bernoulli(σ(0.8 Z)), Y = 2 T + 1.5 Z + N(0,1). ATE 2.
pub fn confounded_binary(n: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut z, mut t, mut y) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        z[i] = StandardNormal.sample(&mut rng);
        let zi: f64 = z[i];
        let p = 1.0 / (1.0 + (-0.8 * zi).exp());
        t[i] = f64::from(u8::from(rng.random::<f64>() < p));
        let e: f64 = StandardNormal.sample(&mut rng);
        y[i] = 2.0 * t[i] + 1.5 * z[i] + e;
    }
    Dataset::new(vec!["Z".into(), "T".into(), "Y".into()], vec![z, t, y]).unwrap()
}

/// Fraction of `intervals` that contain `truth`.
pub fn coverage(intervals: &[[f64; 2]], truth: f64) -> f64 {
    intervals
        .iter()
        .filter(|c| c[0] <= truth && truth <= c[1])
        .count() as f64
        / intervals.len() as f64
}

/// The largest absolute difference between paired entries of `a` and `b`.
pub fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
