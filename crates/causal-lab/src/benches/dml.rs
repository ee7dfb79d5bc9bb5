//! `causal-lab bench dml-plr DATA FOLDS ALPHA`: DML-PLR (partialling out) with lasso nuisances,
//! and `causal-lab bench dml-irm-forest DATA FOLDS TREES DEPTH FEATURES LEAF [BINS]`: DML-IRM (ATE)
//! with random-forest nuisances, on DoubleML's folds, timed against DoubleML by
//! `scripts/peers/compare_dml.py`.

use std::time::Instant;

use causal::core::data::Dataset;
use causal::core::estimate::{DmlParams, ParamGuard};
use causal::core::learner::{Lasso, RandomForest};
use serde_json::json;

use crate::{LabError, Result};

/// Reads the data (`y`, `d`, `x1`..) and the fold of each row (a one-column file `fold`), then
/// times the fit (median of 3).
pub fn plr(args: &[String]) -> Result<serde_json::Value> {
    let (data, folds) = data_and_folds(args, "dml-plr")?;
    let alpha = super::number_or(args, 2, "alpha", 0.01)?;
    let params = DmlParams::plr("d", "y").regressor(Lasso::new(alpha).map_err(usage)?);
    timed_fit(params, &data, folds, 3)
}

/// DML-IRM (ATE) with one forest setting for the outcome regressions and the propensity,
/// timed once (a fit takes seconds).
pub fn irm_forest(args: &[String]) -> Result<serde_json::Value> {
    let (data, folds) = data_and_folds(args, "dml-irm-forest")?;
    let trees: usize = super::arg(args, 2, "trees")?;
    let depth: u16 = super::arg(args, 3, "max depth")?;
    let features: usize = super::arg(args, 4, "features per split")?;
    let leaf: usize = super::arg(args, 5, "rows a leaf")?;
    let bins = super::number_or(args, 6, "bins", 4096.0)? as usize;
    let forest = RandomForest::new(trees)
        .map_err(usage)?
        .max_bins(bins)
        .max_depth(depth)
        .features_per_split(features)
        .min_samples_leaf(leaf);
    let params = DmlParams::irm("d", "y").learners(Box::new(forest), Box::new(forest));
    timed_fit(params, &data, folds, 1)
}

fn usage(e: causal::core::CoreError) -> LabError {
    LabError::Usage(e.to_string())
}

/// The data file (`y`, `d`, `x1`..) and the fold of each row (a one-column file `fold`).
fn data_and_folds(args: &[String], bench: &str) -> Result<(Dataset, Vec<usize>)> {
    let data = super::data_file(args, bench)?;
    let folds_path: String = super::arg(args, 1, "folds file")?;
    let folds = Dataset::from_path(&folds_path)?
        .column("fold")?
        .iter()
        .map(|f| *f as usize)
        .collect();
    Ok((data, folds))
}

/// Fits `params` on the `x` columns with the given folds `runs` times; the median time, θ and
/// its SE.
fn timed_fit(
    params: DmlParams,
    data: &Dataset,
    folds: Vec<usize>,
    runs: usize,
) -> Result<serde_json::Value> {
    let xs: Vec<&str> = data
        .names()
        .iter()
        .map(String::as_str)
        .filter(|n| n.starts_with('x'))
        .collect();
    let est = params
        .covariates(&xs)
        .fold_ids(vec![folds])
        .check()
        .map_err(usage)?;
    let mut times = Vec::new();
    let mut fit = None;
    for _ in 0..runs {
        let start = Instant::now();
        fit = Some(est.fit_dml(data).map_err(usage)?);
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let fit = fit.ok_or_else(|| LabError::Usage("no run".into()))?;
    Ok(json!({"seconds": times[runs / 2], "coef": fit.coef, "se": fit.se}))
}
