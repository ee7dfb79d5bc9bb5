//! `causal-lab bench mlp STEPS BATCH WIDTH SEED THREADS`: a 3-layer MLP (10 → W → W → 1, ReLU)
//! trained with Adam by causal-torch's `Trainer` for STEPS mini-batches of BATCH rows, beside
//! the same model trained by a bare tch loop (forward, backward, step on pre-shuffled
//! batches): the difference is the trainer's per-step overhead. scripts/peers/compare_torch.py
//! times the same loop in PyTorch-Python.

use causal::prelude::ParamGuard;
use std::time::Instant;

use causal::torch::nn::{Mlp, MlpParams};
use causal::torch::tch::{self, Device, Kind, Reduction, Tensor, nn::VarStore};
use causal::torch::trainer::{Objective, TrainerParams};
use serde_json::json;

use super::arg;
use crate::Result;

const INPUTS: i64 = 10;

struct Regression<'a> {
    net: &'a Mlp,
    x: &'a Tensor,
    y: &'a Tensor,
}

impl Objective for Regression<'_> {
    fn train_loss(
        &mut self,
        batch: &Tensor,
        _epoch: usize,
    ) -> causal::torch::Result<Vec<(String, Tensor)>> {
        let pred = self
            .net
            .f_forward_t(&self.x.f_index_select(0, batch)?, true)?;
        let mse = pred.f_mse_loss(&self.y.f_index_select(0, batch)?, Reduction::Mean)?;
        Ok(vec![("mse".into(), mse)])
    }

    fn validation_loss(&mut self, _epoch: usize) -> causal::torch::Result<Option<f64>> {
        Ok(None)
    }
}

pub fn mlp(args: &[String]) -> Result<serde_json::Value> {
    let steps: usize = arg(args, 0, "steps")?;
    let batch: usize = arg(args, 1, "batch")?;
    let width: usize = arg(args, 2, "width")?;
    let seed: u64 = arg(args, 3, "seed")?;
    let threads: i32 = arg(args, 4, "threads")?;
    tch::set_num_threads(threads);
    // 40 batches per epoch; epochs chosen so that the trainer takes exactly `steps` steps.
    let per_epoch = 40usize;
    let epochs = steps.div_ceil(per_epoch);
    let n = (per_epoch * batch) as i64;
    causal::torch::seed::manual_seed(seed);
    let x = Tensor::randn([n, INPUTS], (Kind::Float, Device::Cpu));
    let y = x.narrow(1, 0, 1).sin() + x.narrow(1, 1, 1) * 0.5;

    let params = MlpParams::new(INPUTS as usize, &[width, width], 1);
    let mut vs = VarStore::new(Device::Cpu);
    let net = params.build(vs.root())?;
    let trainer = TrainerParams::new()
        .learning_rate(1e-3)
        .epochs(epochs)
        .batch_size(batch)
        .seed(seed)
        .device(Device::Cpu)
        .quiet(true)
        .check()?;
    let start = Instant::now();
    let history = trainer.fit(
        &mut vs,
        &mut Regression {
            net: &net,
            x: &x,
            y: &y,
        },
        n as usize,
    )?;
    let ours = start.elapsed().as_secs_f64();

    // The bare loop: same model and optimizer, batches pre-cut, no checks or bookkeeping.
    let vs2 = VarStore::new(Device::Cpu);
    let net2 = params.build(vs2.root())?;
    let bare_loop = || -> causal::torch::Result<f64> {
        let mut opt = tch::COptimizer::adam(1e-3, 0.9, 0.999, 0.0, 1e-8, false)?;
        for t in vs2.trainable_variables() {
            opt.add_parameters(&t, 0)?;
        }
        let batches: Vec<Tensor> = (0..per_epoch as i64)
            .map(|b| {
                Tensor::arange_start(
                    b * batch as i64,
                    (b + 1) * batch as i64,
                    (Kind::Int64, Device::Cpu),
                )
            })
            .collect();
        let start = Instant::now();
        for s in 0..epochs * per_epoch {
            let idx = &batches[s % per_epoch];
            let pred = net2.f_forward_t(&x.f_index_select(0, idx)?, true)?;
            let loss = pred.f_mse_loss(&y.f_index_select(0, idx)?, Reduction::Mean)?;
            opt.zero_grad()?;
            loss.f_backward()?;
            opt.step()?;
        }
        Ok(start.elapsed().as_secs_f64())
    };
    let bare = bare_loop()?;
    let total_steps = (epochs * per_epoch) as f64;
    Ok(json!({
        "seconds": ours,
        "bare_seconds": bare,
        "steps": total_steps,
        "per_step_us": ours / total_steps * 1e6,
        "bare_per_step_us": bare / total_steps * 1e6,
        "overhead_per_step_us": (ours - bare) / total_steps * 1e6,
        "final_loss": history.train.last().copied().unwrap_or(f64::NAN),
    }))
}
