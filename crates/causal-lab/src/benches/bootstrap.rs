//! `causal-lab bench bootstrap PATH RESAMPLES SEED`: the regression ATE of T on Y adjusting for
//! every other column, with a percentile bootstrap interval over RESAMPLES resamples (rayon).

use std::time::Instant;

use causal::core::data::Dataset;
use causal::core::estimate::{AteEstimator, ParamGuard, RegressionParams};
use causal::core::stats::Bootstrap;
use serde_json::json;

use crate::Result;

/// Reads the file, then times the point estimate plus the bootstrap (what dowhy's
/// `estimate_effect` + `get_confidence_intervals(method="bootstrap")` does).
pub fn run(args: &[String]) -> Result<serde_json::Value> {
    let path: String = super::arg(args, 0, "data path")?;
    let resamples: usize = super::arg(args, 1, "resamples")?;
    let seed: u64 = super::arg(args, 2, "seed")?;
    let data = Dataset::from_path(&path)?;
    let covariates: Vec<&str> = data
        .names()
        .iter()
        .map(String::as_str)
        .filter(|n| *n != "T" && *n != "Y")
        .collect();
    let est = RegressionParams::new("T", "Y")
        .covariates(&covariates)
        .check()?;
    let boot = Bootstrap {
        resamples,
        seed,
        level: 0.95,
        parallel: true,
    };
    let start = Instant::now();
    let r = est.estimate(&data, Some(&boot), 0.95)?;
    Ok(json!({
        "seconds": start.elapsed().as_secs_f64(),
        "ate": r.ate,
        "ci": r.ci,
        "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
    }))
}
