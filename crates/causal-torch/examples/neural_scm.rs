//! Fit a graph-constrained neural SCM on observational data from a nonlinear model, then
//! predict an intervention and compare it with the truth.
//!
//! Run with `cargo run --release -p causal-torch --example neural_scm` (LibTorch: `cargo xtask
//! libtorch --env` prints the variables to set).

use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use causal_torch::TorchError;
use causal_torch::scm::{Intervention, NeuralScmParams};
use causal_torch::trainer::TrainerParams;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// X → Z → Y and X → Y, with tanh and sine mechanisms and additive Gaussian noise.
fn simulate(n: usize, do_x: Option<f64>, seed: u64) -> Result<Dataset, TorchError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut e = || -> f64 { StandardNormal.sample(&mut rng) };
    let (mut x, mut z, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let xi = do_x.unwrap_or_else(&mut e);
        let zi = (1.5 * xi).tanh() + 0.3 * e();
        let yi = (2.0 * zi).sin() + 0.5 * xi + 0.3 * e();
        x.push(xi);
        z.push(zi);
        y.push(yi);
    }
    Ok(Dataset::new(
        vec!["X".into(), "Z".into(), "Y".into()],
        vec![x, z, y],
    )?)
}

fn main() -> Result<(), TorchError> {
    let graph = MixedGraph::from_dagitty("dag { X -> Z  Z -> Y  X -> Y }")?;
    let data = simulate(5_000, None, 1)?;
    let trainer = TrainerParams::new()
        .epochs(200)
        .learning_rate(3e-3)
        .batch_size(256)
        .patience(Some(20))
        .seed(7)
        .quiet(false);
    let scm = NeuralScmParams::new()
        .hidden(&[32, 32])
        .trainer(trainer)
        .seed(7)
        .fit(&graph, &data)?;
    let h = scm.history();
    println!(
        "trained {} epochs; kept the weights of epoch {} (validation loss {:.4})",
        h.epochs(),
        h.best_epoch,
        h.validation[h.best_epoch].unwrap_or(f64::NAN)
    );

    println!("{:>6} {:>14} {:>14}", "x", "E[Y|do(X=x)]", "truth");
    for x in [-1.5, -0.5, 0.0, 0.5, 1.5] {
        let predicted = scm
            .intervene(&[("X", Intervention::Hard(x))])?
            .mean("Y", 20_000, 3)?;
        let truth = causal_core::stats::mean(simulate(50_000, Some(x), 9)?.column("Y")?);
        println!("{x:>6.1} {predicted:>14.3} {truth:>14.3}");
    }
    Ok(())
}
