//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use causal_discover::causal_learn;

/// `../shared/data` relative to the repository root, if present.
pub fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {} is absent; skipping", dir.display());
        None
    }
}

/// Reads a data file, panicking with its path.
pub fn read_data(path: &PathBuf) -> Dataset {
    Dataset::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a causal-learn endpoint matrix.
pub fn read_matrix(path: &PathBuf) -> Vec<Vec<i8>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    causal_learn::parse_matrix(&text).unwrap()
}

/// Lists the pairs where two endpoint matrices differ, for readable failures.
pub fn diff(names: &[String], got: &MixedGraph, want: &[Vec<i8>]) -> Vec<String> {
    let g = causal_learn::to_matrix(got);
    let mut out = Vec::new();
    for i in 0..names.len() {
        for j in (i + 1)..names.len() {
            if g[i][j] != want[i][j] || g[j][i] != want[j][i] {
                out.push(format!(
                    "{}-{}: ours ({}, {}) causal-learn ({}, {})",
                    names[i], names[j], g[i][j], g[j][i], want[i][j], want[j][i]
                ));
            }
        }
    }
    out
}
