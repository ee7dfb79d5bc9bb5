//! CEVAE training time on one IHDP replication, for the side-by-side with Pyro's
//! `pyro.contrib.cevae` (xtask/peers/compare_cf.py): same layer layout (Pyro's: every
//! covariate a whitened Gaussian), latent 20, hidden 200, 3 layers, batches of 100, Adam 1e-3
//! with weight decay 1e-4, all 747 units, no validation.

use std::time::Instant;

use causal::cf::data::load_npci;
use causal::cf::models::{CevaeParams, IteModel};
use causal::torch::tch::Device;
use serde_json::json;

use super::arg;
use crate::Result;

/// ARGS = npci.csv epochs seed.
pub fn run(args: &[String]) -> Result<serde_json::Value> {
    let path: String = arg(args, 0, "npci csv path")?;
    let epochs: usize = arg(args, 1, "epochs")?;
    let seed: u64 = arg(args, 2, "seed")?;
    let data = load_npci(&path)?;
    let est = CevaeParams::new()
        .all_gaussian(true)
        .epochs(epochs)
        .batch_size(100)
        .learning_rate(1e-3)
        .weight_decay(1e-4)
        .seed(seed)
        .device(Device::Cpu)
        .quiet(true)
        .check()?;
    let start = Instant::now();
    let model = est.fit(&data, None)?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(json!({
        "seconds": seconds,
        "epochs": model.history().epochs(),
        "final_loss": model.history().train.last(),
        "threads": causal::torch::tch::get_num_threads(),
    }))
}
