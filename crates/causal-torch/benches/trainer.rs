//! The Trainer's step time on the `bench-compare` MLP (10 → 64 → 64 → 1, ReLU, Adam, batches of
//! 256, one LibTorch thread), so that `cargo xtask bench --check` catches a slower training loop.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use causal_core::contract::ParamGuard;
use causal_torch::Result;
use causal_torch::nn::{Mlp, MlpParams};
use causal_torch::tch::{self, Device, Kind, Reduction, Tensor, nn::VarStore};
use causal_torch::trainer::{Objective, TrainerParams};
use criterion::{Criterion, criterion_group, criterion_main};

struct Regression<'a> {
    net: &'a Mlp,
    x: &'a Tensor,
    y: &'a Tensor,
}

impl Objective for Regression<'_> {
    fn train_loss(&mut self, batch: &Tensor, _epoch: usize) -> Result<Vec<(String, Tensor)>> {
        let pred = self
            .net
            .f_forward_t(&self.x.f_index_select(0, batch)?, true)?;
        let mse = pred.f_mse_loss(&self.y.f_index_select(0, batch)?, Reduction::Mean)?;
        Ok(vec![("mse".into(), mse)])
    }

    fn validation_loss(&mut self, _epoch: usize) -> Result<Option<f64>> {
        Ok(None)
    }
}

fn bench(c: &mut Criterion) {
    tch::set_num_threads(1);
    causal_torch::seed::manual_seed(0);
    let (batch, per_epoch) = (256usize, 40usize);
    let n = batch * per_epoch;
    let x = Tensor::randn([n as i64, 10], (Kind::Float, Device::Cpu));
    let y = x.narrow(1, 0, 1).sin() + x.narrow(1, 1, 1) * 0.5;
    let mut g = c.benchmark_group("trainer");
    g.sample_size(20);
    // 5 epochs of 40 batches: 200 Adam steps per iteration.
    g.bench_function("mlp3x64_b256_200steps", |b| {
        b.iter(|| {
            let mut vs = VarStore::new(Device::Cpu);
            let net = MlpParams::new(10, &[64, 64], 1)
                .build(vs.root())
                .expect("mlp");
            let trainer = TrainerParams::new()
                .epochs(5)
                .batch_size(batch)
                .device(Device::Cpu)
                .quiet(true)
                .check()
                .expect("params");
            let mut obj = Regression {
                net: &net,
                x: &x,
                y: &y,
            };
            trainer.fit(&mut vs, &mut obj, n).expect("fit")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
