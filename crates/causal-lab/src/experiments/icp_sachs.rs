//! ICP on the Sachs et al. (2005) flow-cytometry data: the 9 experimental conditions are the
//! environments, each of the 11 proteins in turn is the target, and the estimated causal
//! predictors are compared with the 18-edge consensus graph shipped with the data
//! (`cyto_full_target.csv`). Data are log-transformed (all values are ≥ 1), as is usual.

use std::path::{Path, PathBuf};

use causal::core::data::Dataset;
use causal::irm::environments::Environments;
use causal::irm::icp::{IcpParams, IcpTest};
use serde_json::json;

use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

/// Row blocks of the 9 conditions (see the data README).
const BLOCKS: [usize; 10] = [0, 853, 1755, 2666, 3389, 4199, 4998, 5846, 6759, 7466];
const CONDITIONS: [&str; 9] = [
    "cd3cd28",
    "+icam2",
    "+akt inh.",
    "+G0076",
    "+psitect.",
    "+U0126",
    "+LY294002",
    "PMA",
    "b2cAMP",
];
const ALPHA: f64 = 0.01;

/// The shared data folder: `$CAUSAL_SHARED_DATA`, else `../shared/data`, else `/work/shared/data`.
pub fn shared_data() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CAUSAL_SHARED_DATA").map(PathBuf::from),
        Some(PathBuf::from("../shared/data")),
        Some(PathBuf::from("/work/shared/data")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_dir())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| LabError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Runs the experiment, writing `results.json` and `results.md`.
pub fn run(out: &Path) -> Result<()> {
    let dir = shared_data()
        .map(|d| d.join("sachs"))
        .filter(|d| d.join("cyto_full_data.csv").is_file())
        .ok_or_else(|| {
            LabError::Usage(
                "icp-sachs needs ../shared/data/sachs (set CAUSAL_SHARED_DATA to its parent)"
                    .into(),
            )
        })?;
    let raw = Dataset::from_path(dir.join("cyto_full_data.csv"))?;
    if raw.n_rows() != BLOCKS[9] {
        return Err(LabError::Usage(format!(
            "expected {} rows in cyto_full_data.csv, found {}",
            BLOCKS[9],
            raw.n_rows()
        )));
    }
    let names: Vec<String> = raw.names().to_vec();
    let mut cols: Vec<Vec<f64>> = raw
        .columns()
        .iter()
        .map(|c| c.iter().map(|v| v.ln()).collect())
        .collect();
    let env: Vec<f64> = (0..raw.n_rows())
        .map(|i| (BLOCKS.iter().rposition(|&b| b <= i).unwrap_or(0)) as f64)
        .collect();
    let mut all_names = names.clone();
    all_names.push("condition".into());
    cols.push(env);
    let data = Dataset::new(all_names, cols)?.with_environment("condition")?;
    let envs = Environments::from_dataset(&data).map_err(|e| LabError::Usage(e.to_string()))?;

    let consensus: Vec<(String, String)> = read(&dir.join("cyto_full_target.csv"))?
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (a, b) = l.split_once(',')?;
            Some((
                a.trim_matches('"').to_owned(),
                b.trim_matches('"').to_owned(),
            ))
        })
        .collect();

    let mut rows = Vec::new();
    let mut per_target = Vec::new();
    let (mut tp, mut fp, mut rejected) = (0, 0, 0);
    for test in [IcpTest::Approximate, IcpTest::Exact] {
        let params = IcpParams::new()
            .alpha(ALPHA)
            .test(test)
            .check()
            .map_err(|e| LabError::Usage(e.to_string()))?;
        for target in &names {
            let icp = params
                .fit(&data, target, &envs)
                .map_err(|e| LabError::Usage(e.to_string()))?;
            let parents: Vec<&str> = consensus
                .iter()
                .filter(|(_, b)| b == target)
                .map(|(a, _)| a.as_str())
                .collect();
            let est = icp.estimate_names();
            let hits = est.iter().filter(|n| parents.contains(n)).count();
            if test == IcpTest::Approximate {
                tp += hits;
                fp += est.len() - hits;
                rejected += usize::from(icp.model_rejected);
            }
            let strongest = icp
                .p_values
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map(|(j, p)| format!("{} ({p:.1e})", icp.predictors[j]))
                .unwrap_or_default();
            rows.push(vec![
                format!("{test:?}"),
                target.clone(),
                parents.join(", "),
                if icp.model_rejected {
                    "model rejected".into()
                } else {
                    est.join(", ")
                },
                icp.accepted.len().to_string(),
                strongest,
            ]);
            per_target.push(json!({
                "test": test, "target": target, "consensus_parents": parents,
                "estimate": est, "model_rejected": icp.model_rejected,
                "accepted_sets": icp.accepted_names(),
                "p_values": icp.predictors.iter().cloned().zip(icp.p_values.iter().copied()).collect::<Vec<_>>(),
            }));
        }
    }
    write_json(
        out,
        "results.json",
        &json!({
            "alpha": ALPHA, "environments": CONDITIONS, "log_transform": true,
            "consensus_edges": consensus.len(),
            "approximate": {"true_positive_edges": tp, "false_positive_edges": fp, "models_rejected": rejected},
            "targets": per_target,
        }),
    )?;
    let md = format!(
        "# icp-sachs\n\nICP (α = {ALPHA}) on log Sachs data, {} rows, 9 conditions as environments \
         ({}). Reference: the {}-edge consensus graph from `cyto_full_target.csv`. \
         Approximate test: {tp} estimated edges in the consensus graph, {fp} not; the model was \
         rejected for {rejected} of 11 targets (the inhibitors and activators act on the \
         measured proteins themselves, which violates ICP's assumption that the target's \
         mechanism is not intervened on).\n\n{}",
        data.n_rows(),
        CONDITIONS.join(", "),
        consensus.len(),
        markdown_table(
            &[
                "test",
                "target",
                "consensus parents",
                "ICP estimate",
                "accepted sets",
                "smallest per-variable p"
            ],
            &rows
        )
    );
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
