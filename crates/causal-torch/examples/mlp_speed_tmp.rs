use causal_core::learner::Learner;
use causal_torch::learner::MlpLearner;
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
fn main() {
    let n = 1600;
    let args: Vec<String> = std::env::args().collect();
    let batch: usize = args[1].parse().unwrap();
    let lr: f64 = args[2].parse().unwrap();
    let pat: usize = args[3].parse().unwrap();
    let w: usize = args[4].parse().unwrap();
    let wd: f64 = args[5].parse().unwrap();
    let vf: f64 = args[6].parse().unwrap();
    let mut tot = 0.0;
    let t = std::time::Instant::now();
    for s in 0..4u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(5 + s);
        let x: DMatrix<f64> = DMatrix::from_fn(n, 2, |_, _| StandardNormal.sample(&mut rng));
        let y: Vec<f64> = (0..n)
            .map(|i| {
                2.0 * (2.0 * x[(i, 0)]).sin() + x[(i, 1)] * x[(i, 1)] + {
                    let e: f64 = StandardNormal.sample(&mut rng);
                    e
                }
            })
            .collect();
        let truth: Vec<f64> = (0..n)
            .map(|i| 2.0 * (2.0 * x[(i, 0)]).sin() + x[(i, 1)] * x[(i, 1)])
            .collect();
        let rows: Vec<usize> = (0..n).collect();
        let f = MlpLearner::regressor()
            .batch_size(batch)
            .learning_rate(lr)
            .patience(pat)
            .epochs(2000)
            .weight_decay(wd)
            .valid_fraction(vf)
            .hidden(&[w, w])
            .check()
            .unwrap()
            .fit(&x, &y, &rows, "y")
            .unwrap();
        let p = f.predict(&x, &rows);
        tot += p
            .iter()
            .zip(&truth)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / n as f64;
    }
    println!(
        "{:?}: {:.2}s mse vs truth {:.4}",
        &args[1..],
        t.elapsed().as_secs_f64() / 4.0,
        tot / 4.0
    );
}
