//! PC (Fisher-z, stable, causal-learn defaults) on a data file written by `compare_pc.py`.

use std::time::Instant;

use causal::core::contract::ParamGuard;
use causal::discover::causal_learn::to_matrix;
use causal::discover::ci::FisherZ;
use causal::discover::knowledge::Knowledge;
use causal::discover::pc::PcParams;
use serde_json::json;

use super::cevae::cpu_seconds;
use super::{data_file, number_or};
use crate::{LabError, Result};

/// `causal-lab bench pc DATA.csv [ALPHA]`: seconds (correlation matrix included), CI tests, and
/// the endpoint matrix in causal-learn's encoding, so the script can check identical output.
pub fn pc(args: &[String]) -> Result<serde_json::Value> {
    let data = data_file(args, "pc")?;
    let alpha = number_or(args, 1, "alpha", 0.05)?;
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let test = FisherZ::new(&data).map_err(|e| LabError::Usage(e.to_string()))?;
    let out = PcParams::new()
        .alpha(alpha)
        .check()
        .and_then(|pc| pc.fit_test(&test, data.names(), &Knowledge::new()))
        .map_err(|e| LabError::Usage(e.to_string()))?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    Ok(json!({
        "seconds": seconds,
        "cpu_seconds": cpu,
        "n_tests": out.n_tests,
        "graph": to_matrix(&out.graph),
    }))
}
