//! NOTEARS-MLP (causal-torch) against gCastle 1.0.4's `NotearsNonlinear` on 5 seeds of nonlinear
//! Erdős–Rényi data (d = 10, 10 edges, n = 1000, MLP mechanisms; `causal_core::sim::simulate_mlp_sem`).
//!
//! gCastle's SHDs and times are a committed fixture
//! (`crates/causal-torch/tests/fixtures/gcastle_notears_mlp.json`) made by
//! `scripts/fixtures/torch/gcastle_notears_mlp.py` from the data sets this experiment writes
//! (`data{seed}.csv`, `truth{seed}.json`). The experiment fails unless our mean SHD is at most
//! gCastle's + 1, and the fixture's data checksums must match the regenerated data.
//!
//! Times: both sides use one intra-op thread. On a shared machine wall time depends on the
//! load, so the ratio is also given in CPU seconds of the fitting thread (gCastle's
//! `time.process_time`, ours `/proc/thread-self/stat`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use causal::core::contract::Fit;
use causal::core::graph::MixedGraph;
use causal::core::graph::metrics::compare;
use causal::core::sim::simulate_mlp_sem;
use causal::torch::notears_mlp::NotearsMlpParams;
use serde_json::{Value, json};

use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

const SEEDS: u64 = 5;
const D: usize = 10;
const EDGES: usize = 10;
const N: usize = 1000;

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../causal-torch/tests/fixtures/gcastle_notears_mlp.json")
}

/// CPU seconds used so far by the calling thread (Linux; `None` elsewhere).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15, in
    // clock ticks of 1/100 s (USER_HZ on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn load_avg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn number(v: &Value, key: &str) -> Result<f64> {
    v[key]
        .as_f64()
        .ok_or_else(|| LabError::Usage(format!("gCastle fixture: '{key}' missing or not a number")))
}

/// Runs the experiment, writing the data sets, `results.json` and `results.md`.
pub fn run(out: &Path) -> Result<()> {
    causal::torch::tch::set_num_threads(1);
    let fixture: Option<Value> = std::fs::read_to_string(fixture_path())
        .ok()
        .map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| LabError::Usage(format!("gCastle fixture: {e}")))?;
    let mut rows = Vec::new();
    let mut records = Vec::new();
    let (mut sum_shd, mut sum_secs, mut sum_cpu) = (0.0, 0.0, 0.0);
    for seed in 0..SEEDS {
        let (data, dag) = simulate_mlp_sem(D, EDGES, N, seed)?;
        write(out, &format!("data{seed}.csv"), &data.to_csv())?;
        let truth: Vec<[usize; 2]> = dag.iter().map(|&(a, b)| [a, b]).collect();
        write(out, &format!("truth{seed}.json"), &json!(truth).to_string())?;
        let data_sum: f64 = data.values().iter().sum();
        let peer = fixture.as_ref().map(|f| &f["runs"][seed as usize]);
        if let Some(p) = peer {
            let want = number(p, "data_sum")?;
            if (want - data_sum).abs() > 1e-6 * want.abs().max(1.0) {
                return Err(LabError::Usage(format!(
                    "seed {seed}: the fixture was made on other data (sum {want} vs {data_sum}); \
                     rerun scripts/fixtures/torch/gcastle_notears_mlp.py"
                )));
            }
        }

        let (t, c) = (Instant::now(), thread_cpu_seconds());
        let fit = NotearsMlpParams::new().fit(&data, ())?;
        let secs = t.elapsed().as_secs_f64();
        let cpu = c.zip(thread_cpu_seconds()).map_or(f64::NAN, |(a, b)| b - a);
        let est: Vec<(usize, usize)> = fit
            .graph()
            .edges()
            .iter()
            .map(|e| {
                if e.is_directed_from(e.a, e.b) {
                    (e.a, e.b)
                } else {
                    (e.b, e.a)
                }
            })
            .collect();
        // gCastle's count: 1 per unordered pair whose edge is missing, extra or reversed.
        let s = compare(
            &MixedGraph::from_directed(data.names(), &dag)?,
            &MixedGraph::from_directed(data.names(), &est)?,
        )?
        .shd;
        eprintln!(
            "seed {seed}: SHD {s}, {secs:.1} s wall, {cpu:.1} s CPU, h {:.2e}, load {:.1}",
            fit.h(),
            load_avg()
        );
        sum_shd += s as f64;
        sum_secs += secs;
        sum_cpu += cpu;
        let (peer_shd, peer_secs, peer_cpu) = match peer {
            Some(p) => (
                number(p, "shd")?,
                number(p, "seconds")?,
                number(p, "cpu_seconds")?,
            ),
            None => (f64::NAN, f64::NAN, f64::NAN),
        };
        rows.push(vec![
            seed.to_string(),
            s.to_string(),
            format!("{peer_shd}"),
            format!("{secs:.1}"),
            format!("{peer_secs:.1}"),
            format!("{cpu:.1}"),
            format!("{peer_cpu:.1}"),
        ]);
        records.push(json!({"seed": seed, "shd": s, "edges": est, "seconds": secs,
            "cpu_seconds": cpu, "h": fit.h(), "load_1min": load_avg(),
            "gcastle_shd": peer_shd, "gcastle_seconds": peer_secs, "gcastle_cpu_seconds": peer_cpu}));
    }
    let k = SEEDS as f64;
    let (mean_shd, mean_secs, mean_cpu) = (sum_shd / k, sum_secs / k, sum_cpu / k);
    let Some(fixture) = fixture else {
        write_json(
            out,
            "results.json",
            &json!({"runs": records, "mean_shd": mean_shd}),
        )?;
        return Err(LabError::Usage(format!(
            "no gCastle fixture at {}: run scripts/fixtures/torch/gcastle_notears_mlp.py on {}",
            fixture_path().display(),
            out.display()
        )));
    };
    let peer_shd = number(&fixture, "mean_shd")?;
    let peer_secs = number(&fixture, "mean_seconds")?;
    let peer_cpu = number(&fixture, "mean_cpu_seconds")?;
    let pass = mean_shd <= peer_shd + 1.0;
    write_json(
        out,
        "results.json",
        &json!({"runs": records, "mean_shd": mean_shd, "mean_seconds": mean_secs,
            "mean_cpu_seconds": mean_cpu, "gcastle": fixture,
            "wall_ratio": mean_secs / peer_secs, "cpu_ratio": mean_cpu / peer_cpu,
            "pass": pass}),
    )?;
    rows.push(vec![
        "mean".into(),
        format!("{mean_shd:.1}"),
        format!("{peer_shd:.1}"),
        format!("{mean_secs:.1}"),
        format!("{peer_secs:.1}"),
        format!("{mean_cpu:.1}"),
        format!("{peer_cpu:.1}"),
    ]);
    let md = format!(
        "# NOTEARS-MLP: causal-torch vs gCastle\n\n5 seeds of NOTEARS' MLP SEM on Erdős–Rényi DAGs \
         (d = {D}, {EDGES} edges, n = {N}); both with NOTEARS-MLP defaults (hidden 10, λ1 = 0.01, \
         λ2 = 0.01, threshold 0.3), one intra-op thread. Peer: {}.\n\n{}\n\
         Mean SHD {mean_shd:.1} vs gCastle {peer_shd:.1} (acceptance: ≤ gCastle + 1: {}). \
         Time ratio ours/gCastle: {:.2} in CPU seconds, {:.2} in wall seconds (the two sides ran \
         at different times on a shared machine; the CPU ratio is the fair one).\n",
        fixture["peer"].as_str().unwrap_or("gCastle"),
        markdown_table(
            &[
                "seed",
                "SHD ours",
                "SHD gCastle",
                "wall s ours",
                "wall s gCastle",
                "CPU s ours",
                "CPU s gCastle"
            ],
            &rows
        ),
        if pass { "pass" } else { "FAIL" },
        mean_cpu / peer_cpu,
        mean_secs / peer_secs,
    );
    write(out, "results.md", &md)?;
    if !pass {
        return Err(LabError::Usage(format!(
            "NOTEARS-MLP mean SHD {mean_shd} exceeds gCastle's {peer_shd} + 1"
        )));
    }
    Ok(())
}
