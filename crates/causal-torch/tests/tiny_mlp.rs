//! Proves the LibTorch link: a tiny MLP learns y = sin(x) on CPU to a loss threshold,
//! and two seeded runs agree bit for bit.

use causal_torch::seed::manual_seed;
use causal_torch::tch::{Device, Kind, Tensor, nn, nn::Module, nn::OptimizerConfig};

fn train(seed: u64) -> f64 {
    manual_seed(seed);
    let vs = nn::VarStore::new(Device::Cpu);
    let root = vs.root();
    let net = nn::seq()
        .add(nn::linear(&root / "l1", 1, 32, Default::default()))
        .add_fn(|x| x.tanh())
        .add(nn::linear(&root / "l2", 32, 1, Default::default()));
    let x = Tensor::linspace(-3.0, 3.0, 256, (Kind::Float, Device::Cpu)).unsqueeze(1);
    let y = x.sin();
    let mut opt = nn::Adam::default().build(&vs, 1e-2).expect("optimizer");
    let mut loss = f64::INFINITY;
    for _ in 0..600 {
        let l = net
            .forward(&x)
            .mse_loss(&y, causal_torch::tch::Reduction::Mean);
        opt.backward_step(&l);
        loss = l.double_value(&[]);
    }
    loss
}

#[test]
fn tiny_mlp_fits_sine_reproducibly() {
    let a = train(42);
    assert!(a < 5e-3, "final loss {a}");
    let b = train(42);
    assert_eq!(
        a.to_bits(),
        b.to_bits(),
        "seeded CPU runs differ: {a} vs {b}"
    );
}
