//! The registry of timed runs behind `cargo xtask bench-compare`.
//!
//! `causal-lab bench NAME ARGS..` runs one timed task on input the peer script also reads (or
//! generates identically) and prints JSON with at least a `seconds` field, so that
//! `scripts/peers/compare_*.py` can put the peer's time beside ours.

mod bootstrap;
mod cevae;
mod discovery;
mod dml;
mod dsep;
mod fci;
mod icp;
mod identify;
mod mlp;
mod pc;
mod pc_scaling;
mod read;

use std::time::Instant;

use serde_json::json;

use crate::{LabError, Result, sim};

/// A timed task: name, one-line description, entry point taking the extra arguments.
pub type Bench = (
    &'static str,
    &'static str,
    fn(&[String]) -> Result<serde_json::Value>,
);

/// Every timed task, by name.
pub const REGISTRY: &[Bench] = &[
    (
        "ols-backdoor",
        "OLS of Y on X and Z for the confounded SCM: ARGS = n seed",
        ols_backdoor,
    ),
    (
        "bootstrap",
        "regression ATE of T on Y (other columns adjusted) with a bootstrap interval: ARGS = data.csv resamples seed",
        bootstrap::run,
    ),
    (
        "dsep",
        "d-separation queries on a DAG from compare_dsep.py: ARGS = input.json",
        dsep::dsep,
    ),
    (
        "mlp",
        "3-layer MLP, Adam, via causal-torch's Trainer and a bare tch loop: ARGS = steps batch width seed threads",
        mlp::mlp,
    ),
    (
        "id-suite",
        "ID/IDC on every query of a suite JSON (y0 fixture format): ARGS = file reps",
        identify::id_suite,
    ),
    (
        "pc",
        "PC (Fisher-z, stable, causal-learn defaults) on a CSV from compare_pc.py: ARGS = data.csv [alpha]",
        pc::pc,
    ),
    (
        "plot-pc-scaling",
        "draws compare_pc.py --pc-scaling's results (not timed work): ARGS = pc_scaling.json out.svg",
        pc_scaling::plot,
    ),
    (
        "ges",
        "GES (BIC by default) on a CSV from compare_ges.py: ARGS = data.csv [bic|bdeu]",
        discovery::ges,
    ),
    (
        "lingam",
        "DirectLiNGAM (lingam package defaults) on a CSV from compare_lingam.py: ARGS = data.csv",
        discovery::lingam,
    ),
    (
        "notears",
        "linear NOTEARS on a CSV from compare_notears.py: ARGS = data.csv [lambda1 threshold]",
        discovery::notears,
    ),
    (
        "fci",
        "FCI (Fisher-z, causal-learn defaults) on a CSV from compare_fci.py: ARGS = data.csv [alpha]",
        fci::fci,
    ),
    (
        "icp",
        "ICP (approximate test, all subsets) on a data file: ARGS = path target env-column",
        icp::run,
    ),
    (
        "read-csv",
        "reads a CSV file into a Dataset (compare_read.py; RAYON_NUM_THREADS=1 for one thread): ARGS = data.csv",
        read::read_table,
    ),
    (
        "read-parquet",
        "reads a Parquet file into a Dataset, columns in parallel (compare_read.py; RAYON_NUM_THREADS=1 for one thread): ARGS = data.parquet",
        read::read_table,
    ),
    (
        "dml-plr",
        "DML-PLR with lasso nuisances on DoubleML's folds (compare_dml.py): ARGS = data.csv folds.csv [alpha]",
        dml::plr,
    ),
    (
        "dml-irm-forest",
        "DML-IRM (ATE) with random-forest nuisances on DoubleML's folds (compare_dml.py): ARGS = data.csv folds.csv trees depth features leaf [bins]",
        dml::irm_forest,
    ),
    (
        "cevae",
        "CEVAE training (Pyro's layout) on one IHDP npci file: ARGS = csv epochs seed",
        cevae::run,
    ),
];

/// Runs the named task and prints its JSON.
pub fn run(name: &str, args: &[String]) -> Result<()> {
    let (_, _, f) = REGISTRY
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(|| LabError::Usage(format!("unknown bench '{name}'")))?;
    let value = f(args)?;
    println!("{value}");
    Ok(())
}

/// Parses positional argument `i`, naming it on failure.
pub fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> Result<T> {
    args.get(i).and_then(|s| s.parse().ok()).ok_or_else(|| {
        LabError::Usage(format!(
            "bench argument {} ({what}) is missing or invalid",
            i + 1
        ))
    })
}

/// The data file named by the first bench argument.
pub fn data_file(args: &[String], bench: &str) -> Result<causal::core::data::Dataset> {
    let path = args
        .first()
        .ok_or_else(|| LabError::Usage(format!("bench {bench} needs a data file")))?;
    Ok(causal::core::data::Dataset::from_path(path)?)
}

/// Optional numeric argument `i` (named `what` in the error), `default` when absent.
pub fn number_or(args: &[String], i: usize, what: &str, default: f64) -> Result<f64> {
    args.get(i).map_or(Ok(default), |a| {
        a.parse()
            .map_err(|_| LabError::Usage(format!("{what} '{a}' is not a number")))
    })
}

fn ols_backdoor(args: &[String]) -> Result<serde_json::Value> {
    let n: usize = arg(args, 0, "n")?;
    let seed: u64 = arg(args, 1, "seed")?;
    let data = sim::confounded(n, seed)?;
    let start = Instant::now();
    let coef_x = sim::effect_of_x(&data, &["X", "Z"])?;
    Ok(json!({"seconds": start.elapsed().as_secs_f64(), "coef_x": coef_x}))
}
