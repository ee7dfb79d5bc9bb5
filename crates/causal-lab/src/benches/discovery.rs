//! GES, DirectLiNGAM and NOTEARS on a data file written by `compare_ges.py`,
//! `compare_lingam.py` or `compare_notears.py`: each prints the seconds and enough of the
//! output for the script to check that it equals the peer's.

use std::time::Instant;

use causal::core::contract::Fit;
use causal::discover::causal_learn::to_matrix;
use causal::discover::ges::{GesParams, GesScore};
use causal::discover::knowledge::Knowledge;
use causal::discover::lingam::DirectLingamParams;
use causal::discover::notears::NotearsParams;
use nalgebra::DMatrix;
use serde_json::json;

use super::cevae::cpu_seconds;
use super::{data_file, number_or};
use crate::{LabError, Result};

fn rows(m: &DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| (0..m.ncols()).map(|j| m[(i, j)]).collect())
        .collect()
}

/// `causal-lab bench ges DATA [bic|bdeu]`: seconds and the CPDAG in causal-learn's encoding.
pub fn ges(args: &[String]) -> Result<serde_json::Value> {
    let data = data_file(args, "ges")?;
    let score: GesScore = args
        .get(1)
        .map_or("bic", String::as_str)
        .parse()
        .map_err(|e: causal::discover::DiscoverError| LabError::Usage(e.to_string()))?;
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let fit = GesParams::new()
        .score(score)
        .fit(&data, &Knowledge::new())?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    Ok(json!({
        "seconds": seconds,
        "cpu_seconds": cpu,
        "score": fit.score(),
        "graph": to_matrix(fit.graph()),
    }))
}

/// `causal-lab bench lingam DATA`: seconds, the causal order and the adjacency `B`
/// (`B[i][j]` the effect of `j` on `i`, the `lingam` package's layout).
pub fn lingam(args: &[String]) -> Result<serde_json::Value> {
    let data = data_file(args, "lingam")?;
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let fit = DirectLingamParams::new().fit(&data, &Knowledge::new())?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    Ok(json!({
        "seconds": seconds,
        "cpu_seconds": cpu,
        "order": fit.causal_order(),
        "adjacency": rows(fit.adjacency()),
    }))
}

/// `causal-lab bench notears DATA [lambda1 threshold]`: seconds and the thresholded weights
/// (`W[i][j]` for `i -> j`).
pub fn notears(args: &[String]) -> Result<serde_json::Value> {
    let data = data_file(args, "notears")?;
    let m = NotearsParams::new()
        .lambda1(number_or(args, 1, "lambda1", 0.1)?)
        .threshold(number_or(args, 2, "threshold", 0.3)?);
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let fit = m.fit(&data, &Knowledge::new())?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    Ok(json!({
        "seconds": seconds,
        "cpu_seconds": cpu,
        "weights": rows(fit.weights()),
        "iterations": fit.iterations(),
    }))
}
