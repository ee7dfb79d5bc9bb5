//! `causal-lab bench icp PATH TARGET ENV`: ICP (approximate test, every subset) on a data file.

use causal::prelude::ParamGuard;
use std::time::Instant;

use causal::core::data::Dataset;
use causal::irm::environments::Environments;
use causal::irm::icp::IcpParams;
use serde_json::json;

use crate::{LabError, Result};

/// Reads the file, then times environment grouping plus the full ICP fit (median of 5 runs).
pub fn run(args: &[String]) -> Result<serde_json::Value> {
    let path: String = super::arg(args, 0, "data path")?;
    let target: String = super::arg(args, 1, "target")?;
    let env: String = super::arg(args, 2, "environment column")?;
    let data = Dataset::from_path(&path)?.with_environment(&env)?;
    let params = IcpParams::new()
        .check()
        .map_err(|e| LabError::Usage(e.to_string()))?;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let start = Instant::now();
        let envs = Environments::from_dataset(&data).map_err(|e| LabError::Usage(e.to_string()))?;
        let icp = params
            .fit(&data, &target, &envs)
            .map_err(|e| LabError::Usage(e.to_string()))?;
        times.push(start.elapsed().as_secs_f64());
        last = Some(icp);
    }
    times.sort_by(f64::total_cmp);
    let icp = last.ok_or_else(|| LabError::Usage("no run".into()))?;
    Ok(json!({
        "seconds": times[times.len() / 2],
        "sets": icp.tests.len(),
        "estimate": icp.estimate_names(),
        "p_values": icp.p_values,
    }))
}
