//! CEVAE training time on one IHDP replication, for the side-by-side with Pyro's
//! `pyro.contrib.cevae` (scripts/peers/compare_cf.py): same layer layout (Pyro's: every
//! covariate a whitened Gaussian), latent 20, hidden 200, 3 layers, batches of 100, Adam 1e-3
//! with weight decay 1e-4, all 747 units, no validation, on `threads` LibTorch CPU threads.
//! Only training is timed; the within-sample √PEHE and ε_ATE check that the fit is a real one.

use causal::prelude::ParamGuard;
use std::time::Instant;

use causal::cf::data::load_npci;
use causal::cf::metrics::{ate_error, sqrt_pehe};
use causal::cf::models::{CevaeParams, IteModel};
use serde_json::json;

use super::arg;
use crate::Result;

/// ARGS = npci.csv epochs seed [threads (default 1)].
pub fn run(args: &[String]) -> Result<serde_json::Value> {
    let path: String = arg(args, 0, "npci csv path")?;
    let epochs: usize = arg(args, 1, "epochs")?;
    let seed: u64 = arg(args, 2, "seed")?;
    let threads: i32 = if args.len() > 3 {
        arg(args, 3, "threads")?
    } else {
        1
    };
    causal::torch::tch::set_num_threads(threads);
    let data = load_npci(&path)?;
    // The paper's inference (Pyro's), so that both sides train the same networks.
    let est = CevaeParams::paper()
        .all_gaussian(true)
        .epochs(epochs)
        .batch_size(100)
        .learning_rate(1e-3)
        .weight_decay(1e-4)
        .seed(seed)
        .device("cpu")
        .quiet(true)
        .check()?;
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let model = est.fit(data.data(), data.roles(), None)?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let truth = data.true_ite();
    let cate = model.predict(data.data(), data.roles())?.cate();
    Ok(json!({
        "seconds": seconds,
        "cpu_seconds": cpu,
        "epochs": model.history().epochs(),
        "final_loss": model.history().train.last(),
        "threads": causal::torch::tch::get_num_threads(),
        "pehe": sqrt_pehe(&truth, &cate)?,
        "ate_error": ate_error(&truth, &cate)?,
    }))
}

/// CPU time of every thread of this process so far (Linux `schedstat`, nanoseconds), so that
/// a comparison on a shared machine can be read beside the wall time.
pub(super) fn cpu_seconds() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 * 1e-9)
}
