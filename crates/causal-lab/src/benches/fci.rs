//! FCI (Fisher-z, causal-learn defaults) on a data file written by `compare_fci.py`.

use std::time::Instant;

use causal::core::contract::ParamGuard;
use causal::discover::causal_learn::to_matrix;
use causal::discover::ci::FisherZ;
use causal::discover::fci::FciParams;
use causal::discover::knowledge::Knowledge;
use serde_json::json;

use super::{data_file, number_or};
use crate::{LabError, Result};

/// `causal-lab bench fci DATA.csv [ALPHA]`: seconds (correlation matrix included), CI tests, and
/// the PAG in causal-learn's endpoint encoding, so the script can check identical output.
pub fn fci(args: &[String]) -> Result<serde_json::Value> {
    let data = data_file(args, "fci")?;
    let alpha = number_or(args, 1, "alpha", 0.05)?;
    let start = Instant::now();
    let test = FisherZ::new(&data).map_err(|e| LabError::Usage(e.to_string()))?;
    let out = FciParams::new()
        .alpha(alpha)
        .check()
        .and_then(|fci| fci.fit_test(&test, data.names(), &Knowledge::new()))
        .map_err(|e| LabError::Usage(e.to_string()))?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(json!({
        "seconds": seconds,
        "n_tests": out.n_tests,
        "graph": to_matrix(&out.graph),
    }))
}
