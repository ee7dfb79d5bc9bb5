//! `causal-lab bench dml-plr DATA FOLDS ALPHA`: DML-PLR (partialling out) with lasso nuisances
//! on DoubleML's folds, timed against DoubleML by `scripts/peers/compare_dml.py`.

use std::time::Instant;

use causal::core::data::Dataset;
use causal::core::estimate::{DmlParams, ParamGuard};
use causal::core::learner::Lasso;
use serde_json::json;

use crate::{LabError, Result};

/// Reads the data (`y`, `d`, `x1`..) and the fold of each row (a one-column file `fold`), then
/// times the fit (median of 3).
pub fn plr(args: &[String]) -> Result<serde_json::Value> {
    let data = super::data_file(args, "dml-plr")?;
    let folds_path: String = super::arg(args, 1, "folds file")?;
    let alpha = super::number_or(args, 2, "alpha", 0.01)?;
    let folds: Vec<usize> = Dataset::from_path(&folds_path)?
        .column("fold")?
        .iter()
        .map(|f| *f as usize)
        .collect();
    let xs: Vec<&str> = data
        .names()
        .iter()
        .map(String::as_str)
        .filter(|n| n.starts_with('x'))
        .collect();
    let usage = |e: causal::core::CoreError| LabError::Usage(e.to_string());
    let est = DmlParams::plr("d", "y")
        .covariates(&xs)
        .regressor(Lasso::new(alpha).map_err(usage)?)
        .fold_ids(vec![folds])
        .check()
        .map_err(usage)?;
    let mut times = Vec::new();
    let mut fit = None;
    for _ in 0..3 {
        let start = Instant::now();
        fit = Some(est.fit_dml(&data).map_err(usage)?);
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let fit = fit.ok_or_else(|| LabError::Usage("no run".into()))?;
    Ok(json!({"seconds": times[1], "coef": fit.coef, "se": fit.se}))
}
