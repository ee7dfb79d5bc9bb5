//! `cargo xtask bench` (criterion) and `cargo xtask bench-compare` (side by side with peers).

use std::path::PathBuf;

use crate::process::{cargo, run};
use crate::{args, libtorch};

/// `cargo xtask bench [--check [--base REF] [--package NAME].. [FILTER]] [CARGO BENCH ARGS..]`:
/// every criterion suite in the workspace; with `--check`, the regression check against the
/// merge-base (optionally only some packages' suites, and only benchmarks matching FILTER).
pub fn bench(args: &[String]) -> Result<(), String> {
    let env = libtorch::env()?;
    let mut p = args::parser(args);
    if p.contains("--check") {
        let bad = args::flag_error("bench --check");
        let mut opts = crate::bench_check::CheckOptions {
            base: p.opt_value_from_str("--base").map_err(&bad)?,
            packages: p.values_from_str(["-p", "--package"]).map_err(&bad)?,
            filter: None,
        };
        let rest = args::rest(p)?;
        match rest.as_slice() {
            [] => {}
            [f] if !f.starts_with('-') => opts.filter = Some(f.clone()),
            [f, ..] => return Err(format!("bench --check: unexpected argument '{f}'")),
        }
        return crate::bench_check::check(&env, &opts);
    }
    let mut full = vec!["bench", "--workspace", "--all-features"];
    full.extend(args.iter().map(String::as_str));
    run(&cargo(), &full, &env)
}

/// Pinned Python peers, installed into their own cached venv.
const PEERS: &[&str] = &[
    // One resolvable set: dowhy 0.14 and lingam 1.13 cap numpy and scipy below their newest.
    "numpy==2.2.6",
    "scipy==1.13.1",
    "networkx==3.6.1",
    "torch==2.13.0",
    "y0==0.2.11",
    "causal-learn==0.1.4.8",
    "causalicp==0.1.1",
    "dowhy==0.14",
    "lingam==1.13.0",
    // NOTEARS (linear and MLP) reference implementations.
    "gcastle==1.0.4",
    // CEVAE peer (compare_cf.py).
    "pyro-ppl==1.9.2",
    // CSV reading peer (compare_read.py).
    "polars==2.1.0",
    // Double machine learning peer (compare_dml.py), with its learners.
    "doubleml==0.11.4",
    "scikit-learn==1.6.1",
    // Rust-core PC peer, from Python (compare_py.py).
    "antecedent==2.4.1",
];

/// The from-Python rows' peers (compare_py.py: causal-learn's and antecedent's PC on a pandas
/// DataFrame), in a venv of their own: `--only py` needs neither LibTorch nor the full peer set.
const PY_PEERS: &[&str] = &[
    "numpy==2.2.6",
    "pandas==2.3.3",
    "causal-learn==0.1.4.8",
    "antecedent==2.4.1",
];

/// Comparison modules that run from Python alone (no `causal-lab` or `causal` binary).
const PYTHON_ONLY: &[&str] = &["py"];

/// The peers' venv python, created and filled on first need.
pub fn peers_python() -> Result<PathBuf, String> {
    crate::python::venv("peers-venv", PEERS)
}

/// `cargo xtask bench-compare [--only NAME[,NAME..]]`: each registered comparison runs ours and the
/// peer's script on the same input in one run and prints the time ratio; the table also goes to
/// `target/bench-compare/results.{md,json}`.
pub fn compare(args: &[String]) -> Result<(), String> {
    // `--only` naming from-Python modules alone: their small venv, and no native build.
    let python_only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .is_some_and(|only| only.split(',').all(|m| PYTHON_ONLY.contains(&m)));
    let python = if python_only {
        crate::python::venv("py-peers-venv", PY_PEERS)?
    } else {
        peers_python()?
    };
    // The `causal_rs` wheel, for the from-Python rows (compare_py.py).
    let wheel = crate::python::build_wheel(false)?;
    run(
        &python.display().to_string(),
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--force-reinstall",
            "--no-deps",
            &wheel.display().to_string(),
        ],
        &Vec::new(),
    )?;
    let script = crate::paths::root()
        .join("scripts")
        .join("peers")
        .join("compare.py");
    let out = crate::paths::root().join("target").join("bench-compare");
    let mut full = vec![script.display().to_string()];
    full.extend(args.iter().cloned());
    let full: Vec<&str> = full.iter().map(String::as_str).collect();
    if python_only {
        let env = vec![("CAUSAL_BENCH_OUT".into(), out.display().to_string())];
        return run(&python.display().to_string(), &full, &env);
    }
    let env = libtorch::env()?;
    run(
        &cargo(),
        &[
            "build",
            "--release",
            "--quiet",
            "-p",
            "causal-lab",
            "-p",
            "causal-cli",
        ],
        &env,
    )?;
    let release = crate::paths::target().join("release");
    let mut env = env;
    env.push((
        "CAUSAL_LAB".into(),
        release.join("causal-lab").display().to_string(),
    ));
    // The `causal` front end, for the end-to-end rows (compare_pc_cli.py).
    env.push((
        "CAUSAL_CLI".into(),
        release.join("causal").display().to_string(),
    ));
    env.push(("CAUSAL_BENCH_OUT".into(), out.display().to_string()));
    run(&python.display().to_string(), &full, &env)
}
