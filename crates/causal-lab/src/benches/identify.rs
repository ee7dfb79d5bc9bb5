//! Timed identification runs: a suite of ADMG queries read from JSON (the format of
//! `crates/causal-core/tests/fixtures/y0_identify.json`), which `scripts/peers/compare_id.py`
//! writes and also hands to y0.

use std::time::Instant;

use causal::core::graph::Admg;
use causal::core::identify::Identifier;
use serde_json::{Value, json};

use super::arg;
use crate::{LabError, Result};

struct Case {
    graph: Admg,
    treatment: Vec<String>,
    outcome: Vec<String>,
    given: Vec<String>,
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>> {
    v.as_array()
        .ok_or_else(|| LabError::Usage(format!("suite: '{what}' is not a list")))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_owned)
                .ok_or_else(|| LabError::Usage(format!("suite: '{what}' holds a non-string")))
        })
        .collect()
}

fn pairs(v: &Value, what: &str) -> Result<Vec<(String, String)>> {
    let list = v.as_array().map(Vec::as_slice).unwrap_or_default();
    list.iter()
        .map(|p| {
            let p = strings(p, what)?;
            match p.as_slice() {
                [a, b] => Ok((a.clone(), b.clone())),
                _ => Err(LabError::Usage(format!(
                    "suite: '{what}' edge is not a pair"
                ))),
            }
        })
        .collect()
}

fn read_suite(path: &str) -> Result<Vec<Case>> {
    let text = std::fs::read_to_string(path).map_err(|source| LabError::Io {
        path: path.to_owned(),
        source,
    })?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| LabError::Usage(format!("{path}: not JSON: {e}")))?;
    let cases = v["cases"]
        .as_array()
        .ok_or_else(|| LabError::Usage(format!("{path}: no 'cases' list")))?;
    cases
        .iter()
        .map(|c| {
            let nodes = strings(&c["nodes"], "nodes")?;
            let d = pairs(&c["directed"], "directed")?;
            let b = pairs(&c["bidirected"], "bidirected")?;
            let dr: Vec<(&str, &str)> = d.iter().map(|(x, y)| (x.as_str(), y.as_str())).collect();
            let br: Vec<(&str, &str)> = b.iter().map(|(x, y)| (x.as_str(), y.as_str())).collect();
            Ok(Case {
                graph: Admg::from_names(nodes, &dr, &br)?,
                treatment: strings(&c["treatment"], "treatment")?,
                outcome: strings(&c["outcome"], "outcome")?,
                given: c
                    .get("given")
                    .map(|g| strings(g, "given"))
                    .transpose()?
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// `id-suite FILE REPS`: identifies every query of the suite REPS times; `seconds` is the
/// time of one pass over the suite (compiling each graph included).
pub fn id_suite(args: &[String]) -> Result<Value> {
    let path: String = arg(args, 0, "suite JSON file")?;
    let reps: usize = arg(args, 1, "repetitions")?;
    let cases = read_suite(&path)?;
    let mut identifiable = 0;
    let mut slowest = 0.0f64;
    let start = Instant::now();
    for _ in 0..reps.max(1) {
        identifiable = 0;
        for c in &cases {
            let t0 = Instant::now();
            let r = Identifier::new(&c.graph).identify_given(&c.treatment, &c.outcome, &c.given)?;
            slowest = slowest.max(t0.elapsed().as_secs_f64());
            identifiable += usize::from(r.is_identifiable());
        }
    }
    let seconds = start.elapsed().as_secs_f64() / reps.max(1) as f64;
    Ok(json!({
        "seconds": seconds,
        "cases": cases.len(),
        "identifiable": identifiable,
        "slowest_case_seconds": slowest,
    }))
}
