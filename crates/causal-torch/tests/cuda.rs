//! CUDA. Everywhere: binaries that use causal-torch load LibTorch's CUDA backend when LibTorch
//! has one (see build.rs), so `CAUSAL_DEVICE=cuda` can work. Where LibTorch sees a CUDA device
//! (or `CAUSAL_DEVICE=cuda` demands one): the trainer, a NeuralScm and NOTEARS-MLP run on it and
//! agree with the CPU. `CAUSAL_DEVICE=cuda cargo test -p causal-torch --test cuda` on a GPU machine.

use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use causal_torch::device::default_device;
use causal_torch::nn::MlpParams;
use causal_torch::notears_mlp::NotearsMlpParams;
use causal_torch::scm::{Intervention, NeuralScmParams};
use causal_torch::seed::manual_seed;
use causal_torch::tch::{Cuda, Device, Kind, Reduction, Tensor, nn::VarStore};
use causal_torch::trainer::{Objective, TrainerParams};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The CUDA device to test on, or `None` (with a note) on a machine without one. Fails when
/// `CAUSAL_DEVICE` asks for CUDA that LibTorch cannot see, so a GPU run cannot pass vacuously.
fn cuda() -> Option<Device> {
    let wanted = std::env::var("CAUSAL_DEVICE").is_ok_and(|s| s.trim().starts_with("cuda"));
    if wanted {
        return Some(
            default_device().expect("CAUSAL_DEVICE=cuda but LibTorch sees no CUDA device"),
        );
    }
    if Cuda::is_available() {
        return Some(Device::Cuda(0));
    }
    eprintln!("no CUDA device: skipped (set CAUSAL_DEVICE=cuda on a GPU machine)");
    None
}

#[test]
fn the_cuda_backend_is_loaded_when_libtorch_has_one() {
    let checked = causal_torch::device::check_cuda_linked().unwrap();
    eprintln!("CUDA backend link checked: {checked}");
}

struct Regression<'a> {
    net: &'a causal_torch::nn::Mlp,
    x: Tensor,
    y: Tensor,
}

impl Objective for Regression<'_> {
    fn train_loss(
        &mut self,
        batch: &Tensor,
        _epoch: usize,
    ) -> causal_torch::Result<Vec<(String, Tensor)>> {
        let pred = self
            .net
            .f_forward_t(&self.x.f_index_select(0, batch)?, true)?;
        let mse = pred.f_mse_loss(&self.y.f_index_select(0, batch)?, Reduction::Mean)?;
        Ok(vec![("mse".into(), mse)])
    }

    fn validation_loss(&mut self, _epoch: usize) -> causal_torch::Result<Option<f64>> {
        Ok(None)
    }
}

/// Final training loss of a small regression on `device` (data drawn on the CPU, then moved).
fn regression_loss(device: Device) -> f64 {
    manual_seed(3);
    let x = Tensor::rand([2000, 3], (Kind::Float, Device::Cpu)) * 4.0 - 2.0;
    let y = x.narrow(1, 0, 1).sin() + x.narrow(1, 1, 1) * 0.5;
    manual_seed(4);
    let mut vs = VarStore::new(Device::Cpu);
    let net = MlpParams::new(3, &[32, 32], 1).build(vs.root()).unwrap();
    vs.set_device(device);
    let trainer = TrainerParams::new()
        .learning_rate(3e-3)
        .epochs(30)
        .batch_size(100)
        .seed(5)
        .device(device)
        .quiet(true)
        .check()
        .unwrap();
    let mut obj = Regression {
        net: &net,
        x: x.to_device(device),
        y: y.to_device(device),
    };
    let h = trainer.fit(&mut vs, &mut obj, 2000).unwrap();
    *h.train.last().unwrap()
}

#[test]
fn trainer_on_cuda_matches_the_cpu() {
    let Some(gpu) = cuda() else { return };
    let (cpu, gpu) = (regression_loss(Device::Cpu), regression_loss(gpu));
    eprintln!("final MSE: CPU {cpu:.5}, CUDA {gpu:.5}");
    assert!(gpu < 0.05, "CUDA training did not converge: {gpu}");
    assert!((cpu - gpu).abs() < 0.02, "CPU {cpu} vs CUDA {gpu}");
}

/// x → y with y = tanh(2x) + 0.3 e, n rows.
fn chain(n: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (a, b): (f64, f64) = (
            StandardNormal.sample(&mut rng),
            StandardNormal.sample(&mut rng),
        );
        x.push(a);
        y.push((2.0 * a).tanh() + 0.3 * b);
    }
    Dataset::new(vec!["x".into(), "y".into()], vec![x, y]).unwrap()
}

#[test]
fn neural_scm_and_notears_mlp_run_on_cuda() {
    let Some(gpu) = cuda() else { return };
    let data = chain(2000);
    let mut g = MixedGraph::with_nodes(["x", "y"]).unwrap();
    g.add_directed("x", "y").unwrap();
    let trainer = TrainerParams::new()
        .learning_rate(3e-3)
        .epochs(100)
        .batch_size(128)
        .seed(1)
        .device(gpu)
        .quiet(true);
    let scm = NeuralScmParams::new()
        .hidden(&[16, 16])
        .trainer(trainer)
        .seed(2)
        .fit(&g, &data)
        .unwrap();
    for v in [-1.0f64, 0.5] {
        let ours = scm
            .intervene(&[("x", Intervention::Hard(v))])
            .unwrap()
            .mean("y", 20_000, 3)
            .unwrap();
        let truth = (2.0 * v).tanh();
        assert!((ours - truth).abs() < 0.1, "do(x={v}): {ours} vs {truth}");
    }
    // NOTEARS-MLP in double precision: the same graph as on the CPU, weights close.
    let on_gpu = NotearsMlpParams::new().device(gpu).fit(&data, ()).unwrap();
    let on_cpu = NotearsMlpParams::new()
        .device(Device::Cpu)
        .fit(&data, ())
        .unwrap();
    let (a, b) = (on_gpu.weights(), on_cpu.weights());
    eprintln!("W on CUDA {a:.4} on CPU {b:.4}");
    assert_eq!(on_gpu.graph(), on_cpu.graph());
    assert!((a - b).abs().max() < 0.05, "CUDA {a} vs CPU {b}");
}
