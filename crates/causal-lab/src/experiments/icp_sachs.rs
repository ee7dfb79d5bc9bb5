//! ICP on the Sachs et al. (2005) flow-cytometry data: the 9 experimental conditions are the
//! environments, each of the 11 proteins in turn is the target, and the estimated causal
//! predictors are compared with the 18-edge consensus graph shipped with the data
//! (`cyto_full_target.csv`). Data are log-transformed (all values are ≥ 1), as is usual.
//! With all 9 conditions pooled the model is rejected for every target; the experiment shows
//! why (raw vs log scale, power by cells per condition) and runs the pairwise variant of
//! Meinshausen et al. (2016): the baseline condition with one other condition at a time.

use causal::prelude::ParamGuard;
use std::path::Path;

use super::shared_subdir;

use causal::core::data::Dataset;
use causal::irm::environments::Environments;
use causal::irm::icp::{IcpFit, IcpParams, IcpTest};
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

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| LabError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// The 11 proteins plus a `condition` column (0..9), log-transformed or raw.
fn build(raw: &Dataset, log: bool) -> Result<Dataset> {
    let mut names: Vec<String> = raw.names().to_vec();
    let mut cols: Vec<Vec<f64>> = raw
        .columns()
        .iter()
        .map(|c| c.iter().map(|v| if log { v.ln() } else { *v }).collect())
        .collect();
    let env: Vec<f64> = (0..raw.n_rows())
        .map(|i| (BLOCKS.iter().rposition(|&b| b <= i).unwrap_or(0)) as f64)
        .collect();
    names.push("condition".into());
    cols.push(env);
    Ok(Dataset::new(names, cols)?.with_environment("condition")?)
}

/// Rows of the given conditions, the first `per_env` of each (all when `None`).
fn rows_of(conditions: &[usize], per_env: Option<usize>) -> Vec<usize> {
    conditions
        .iter()
        .flat_map(|&c| {
            let (a, b) = (BLOCKS[c], BLOCKS[c + 1]);
            a..per_env.map_or(b, |m| (a + m).min(b))
        })
        .collect()
}

/// ICP for every protein as target on `data` restricted to `rows`.
fn fit_all(data: &Dataset, rows: &[usize], test: IcpTest) -> Result<Vec<IcpFit>> {
    let sub = data.take_rows(rows)?;
    let envs = Environments::from_dataset(&sub)?;
    let params = IcpParams::new().alpha(ALPHA).test(test).check()?;
    let names: Vec<String> = data.names()[..11].to_vec();
    names
        .iter()
        .map(|t| Ok(params.fit(&sub, t, &envs)?))
        .collect()
}

/// The largest p-value over all predictor sets: the model is rejected when it is ≤ α.
fn best_set_p(icp: &IcpFit) -> f64 {
    icp.tests.iter().map(|t| t.p_value).fold(0.0, f64::max)
}

/// Runs the experiment, writing `results.json` and `results.md`.
pub fn run(out: &Path) -> Result<()> {
    let dir = shared_subdir("icp-sachs", "sachs", "cyto_full_data.csv")?;
    let raw = Dataset::from_path(dir.join("cyto_full_data.csv"))?;
    if raw.n_rows() != BLOCKS[9] {
        return Err(LabError::Usage(format!(
            "expected {} rows in cyto_full_data.csv, found {}",
            BLOCKS[9],
            raw.n_rows()
        )));
    }
    let names: Vec<String> = raw.names().to_vec();
    let data = build(&raw, true)?;
    let raw_data = build(&raw, false)?;
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
    let parents_of = |t: &str| -> Vec<&str> {
        consensus
            .iter()
            .filter(|(_, b)| b == t)
            .map(|(a, _)| a.as_str())
            .collect()
    };
    let all: Vec<usize> = (0..9).collect();

    // 1. All 9 conditions at once, log and raw scale, both tests.
    let mut rows = Vec::new();
    let mut per_target = Vec::new();
    let mut rejected = serde_json::Map::new();
    for (scale, d) in [("log", &data), ("raw", &raw_data)] {
        for test in [IcpTest::Approximate, IcpTest::Exact] {
            let fits = fit_all(d, &rows_of(&all, None), test)?;
            rejected.insert(
                format!("{scale}_{test:?}"),
                json!(fits.iter().filter(|f| f.model_rejected).count()),
            );
            for icp in &fits {
                let parents = parents_of(&icp.target);
                let best = icp
                    .tests
                    .iter()
                    .max_by(|a, b| a.p_value.total_cmp(&b.p_value))
                    .map(|t| {
                        let s: Vec<&str> =
                            t.set.iter().map(|&j| icp.predictors[j].as_str()).collect();
                        format!("{{{}}} ({:.1e})", s.join(", "), t.p_value)
                    })
                    .unwrap_or_default();
                rows.push(vec![
                    scale.to_string(),
                    format!("{test:?}"),
                    icp.target.clone(),
                    parents.join(", "),
                    if icp.model_rejected {
                        "model rejected".into()
                    } else {
                        icp.estimate_names().join(", ")
                    },
                    best,
                ]);
                per_target.push(json!({
                    "scale": scale, "test": test, "target": icp.target,
                    "consensus_parents": parents, "estimate": icp.estimate_names(),
                    "model_rejected": icp.model_rejected, "best_set_p": best_set_p(icp),
                    "accepted_sets": icp.accepted_names(),
                }));
            }
        }
    }

    // 2. Power: the same test on the first m cells of each condition.
    let mut power_rows = Vec::new();
    let mut power = Vec::new();
    for m in [25usize, 50, 100, 200, 400] {
        let fits = fit_all(&data, &rows_of(&all, Some(m)), IcpTest::Approximate)?;
        let rej = fits.iter().filter(|f| f.model_rejected).count();
        let est: Vec<String> = fits
            .iter()
            .filter(|f| !f.model_rejected && !f.estimate.is_empty())
            .map(|f| format!("{} ← {}", f.target, f.estimate_names().join(", ")))
            .collect();
        power_rows.push(vec![
            m.to_string(),
            format!("{rej} / 11"),
            if est.is_empty() {
                "—".into()
            } else {
                est.join("; ")
            },
        ]);
        power.push(json!({"cells_per_condition": m, "models_rejected": rej, "estimates": est}));
    }

    // 3. Pairs (Meinshausen et al. 2016): the baseline cd3cd28 with one other condition at a
    //    time; an edge is reported when ICP names it in any pair.
    let mut edges: Vec<(String, String, Vec<&str>)> = Vec::new();
    let mut pair_rows = Vec::new();
    let mut pair_json = Vec::new();
    for c in 1..9 {
        let fits = fit_all(&data, &rows_of(&[0, c], None), IcpTest::Approximate)?;
        let rej = fits.iter().filter(|f| f.model_rejected).count();
        let mut found = Vec::new();
        for f in &fits {
            for p in f.estimate_names() {
                found.push(format!("{p} → {}", f.target));
                match edges.iter_mut().find(|e| e.0 == p && e.1 == f.target) {
                    Some(e) => e.2.push(CONDITIONS[c]),
                    None => edges.push((p.to_owned(), f.target.clone(), vec![CONDITIONS[c]])),
                }
            }
        }
        pair_rows.push(vec![
            format!("cd3cd28 + {}", CONDITIONS[c]),
            format!("{rej} / 11"),
            if found.is_empty() {
                "—".into()
            } else {
                found.join(", ")
            },
        ]);
        pair_json.push(
            json!({"pair": ["cd3cd28", CONDITIONS[c]], "models_rejected": rej, "edges": found}),
        );
    }
    let in_consensus = |a: &str, b: &str| consensus.iter().any(|(x, y)| x == a && y == b);
    let (mut tp, mut rev, mut fp) = (0, 0, 0);
    let edge_rows: Vec<Vec<String>> = edges
        .iter()
        .map(|(a, b, pairs)| {
            let verdict = if in_consensus(a, b) {
                tp += 1;
                "in consensus"
            } else if in_consensus(b, a) {
                rev += 1;
                "reversed"
            } else {
                fp += 1;
                "absent"
            };
            vec![format!("{a} → {b}"), verdict.to_string(), pairs.join(", ")]
        })
        .collect();

    write_json(
        out,
        "results.json",
        &json!({
            "alpha": ALPHA, "environments": CONDITIONS, "consensus_edges": consensus.len(),
            "models_rejected_all_conditions": rejected, "targets": per_target,
            "power": power, "pairs": pair_json,
            "pairwise_union": {"edges": edges.iter().map(|e| json!({"from": e.0, "to": e.1, "pairs": e.2})).collect::<Vec<_>>(),
                               "in_consensus": tp, "reversed": rev, "absent": fp},
            "proteins": names,
        }),
    )?;
    let md = format!(
        "# icp-sachs\n\nICP (α = {ALPHA}) on the Sachs et al. (2005) flow-cytometry data, {} cells in 9 \
         conditions ({}), each of the 11 proteins in turn as the target with the other 10 as predictors. \
         Reference: the {}-edge consensus graph (`cyto_full_target.csv`).\n\n\
         ## All 9 conditions as environments: the model is rejected for every target\n\n\
         Models rejected (of 11): {}. The last column is the best predictor set and its p-value: \
         when even the best set has p ≤ α, no set is invariant and ICP rejects the model \
         (it returns no causal predictors rather than a wrong set).\n\n{}\n\
         Why. (1) *Interventions on the targets themselves.* ICP assumes that no environment \
         changes the mechanism of Y. Here the conditions are inhibitors and activators of the measured \
         proteins: U0126 blocks MEK's kinase activity, so Erk (p44/42) given its parents changes; \
         the Akt inhibitor, G0076 (PKC), psitectorigenin (PIP2), LY294002 (PI3K → PIP3), PMA (PKC) \
         and b2cAMP (PKA) act on or directly above the proteins in the graph, so for each target some \
         condition shifts its conditional distribution. With all 9 conditions pooled, every target has \
         such a condition. (2) *Power.* About 830 cells per condition and 9 environments make the \
         approximate test (residual means and variances, each condition against the rest, Bonferroni) \
         very sensitive: the table below runs the same test on the first m cells of each condition. \
         Small departures from the linear-Gaussian model on the log scale (skewed, saturated \
         readings; nonlinear kinase responses) are detected once m is a few hundred. (3) *Scale.* The \
         raw (unlogged) data are rejected as well (counts above), so the log transform is not the cause.\n\n\
         {}\n\
         ## Variant: pairs of conditions (as Meinshausen et al., PNAS 2016)\n\n\
         Meinshausen, Hauser, Mooij, Peters, Versteeg and Bühlmann (2016) applied ICP to the Sachs data \
         by comparing pairs of environments, since pooling all of them rejects the model. We pair the \
         baseline (anti-CD3/CD28) with each other condition; an edge parent → target is reported when ICP \
         names the parent in any pair.\n\n{}\n\
         Union over pairs: {tp} edges in the consensus graph, {rev} reversed, {fp} absent from it \
         (consensus: {} edges).\n\n{}",
        data.n_rows(),
        CONDITIONS.join(", "),
        consensus.len(),
        serde_json::Value::Object(rejected),
        markdown_table(
            &[
                "scale",
                "test",
                "target",
                "consensus parents",
                "ICP estimate",
                "best set (p)"
            ],
            &rows
        ),
        markdown_table(
            &[
                "cells per condition",
                "models rejected",
                "estimates (target ← causal predictors)"
            ],
            &power_rows
        ),
        markdown_table(&["pair", "models rejected", "edges found"], &pair_rows),
        consensus.len(),
        markdown_table(
            &["edge", "consensus graph", "found in pairs with"],
            &edge_rows
        ),
    );
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
