//! PC (Fisher-z, stable, causal-learn defaults) on a data file written by `compare_pc.py`.

use std::time::Instant;

use causal::core::data::Dataset;
use causal::discover::causal_learn::to_matrix;
use causal::discover::ci::FisherZ;
use causal::discover::pc::Pc;
use serde_json::json;

use super::cevae::cpu_seconds;
use crate::{LabError, Result};

/// `causal-lab bench pc DATA.csv [ALPHA]`: seconds (correlation matrix included), CI tests, and
/// the endpoint matrix in causal-learn's encoding, so the script can check identical output.
pub fn pc(args: &[String]) -> Result<serde_json::Value> {
    let path = args
        .first()
        .ok_or_else(|| LabError::Usage("bench pc needs a data file".into()))?;
    let alpha: f64 = match args.get(1) {
        Some(a) => a
            .parse()
            .map_err(|_| LabError::Usage(format!("alpha '{a}' is not a number")))?,
        None => 0.05,
    };
    let data = Dataset::from_path(path)?;
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let test = FisherZ::new(&data).map_err(|e| LabError::Usage(e.to_string()))?;
    let out = Pc::new()
        .alpha(alpha)
        .fit(&test, data.names())
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
