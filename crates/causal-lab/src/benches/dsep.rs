//! `causal-lab bench dsep FILE`: d-separation queries on a graph written by
//! `scripts/peers/compare_dsep.py`, timed without the file reading and graph building.

use std::time::Instant;

use causal::core::graph::{Admg, NodeSet};
use serde::Deserialize;
use serde_json::json;

use crate::{LabError, Result};

#[derive(Deserialize)]
struct Input {
    n: usize,
    edges: Vec<(usize, usize)>,
    queries: Vec<Query>,
}

#[derive(Deserialize)]
struct Query {
    x: Vec<usize>,
    y: Vec<usize>,
    z: Vec<usize>,
}

/// Runs every query; returns the total seconds, seconds per query and the answers (so the
/// peer script can check agreement).
pub fn dsep(args: &[String]) -> Result<serde_json::Value> {
    let path = args
        .first()
        .ok_or_else(|| LabError::Usage("bench dsep needs the input JSON file".into()))?;
    let text = std::fs::read_to_string(path).map_err(|source| LabError::Io {
        path: path.clone(),
        source,
    })?;
    let input: Input =
        serde_json::from_str(&text).map_err(|e| LabError::Usage(format!("{path}: {e}")))?;
    let g = Admg::from_edges((0..input.n).map(|i| format!("V{i}")), &input.edges, &[])?;
    let sets: Vec<(NodeSet, NodeSet, NodeSet)> = input
        .queries
        .iter()
        .map(|q| {
            (
                NodeSet::from_indices(input.n, q.x.iter().copied()),
                NodeSet::from_indices(input.n, q.y.iter().copied()),
                NodeSet::from_indices(input.n, q.z.iter().copied()),
            )
        })
        .collect();
    let start = Instant::now();
    let answers: Vec<bool> = sets
        .iter()
        .map(|(x, y, z)| g.m_separated(x, y, z))
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    Ok(json!({
        "seconds": seconds,
        "per_query": seconds / sets.len().max(1) as f64,
        "separated": answers,
    }))
}
