//! `cargo xtask test` and `cargo xtask ci`.

use crate::libtorch;
use crate::process::{Env, cargo, output, run};

/// Crates that must build without LibTorch with their default features.
const TORCH_FREE: &[&str] = &[
    "causal-core",
    "causal-discover",
    "causal",
    "causal-fuzz",
    "causal-py",
];

/// `cargo xtask test`: the whole workspace's tests, LibTorch provisioned first.
pub fn test(extra: &[String]) -> Result<(), String> {
    let env = libtorch::env()?;
    run_tests(&env, extra)
}

fn run_tests(env: &Env, extra: &[String]) -> Result<(), String> {
    let mut args = vec!["test", "--workspace", "--all-features"];
    args.extend(extra.iter().map(String::as_str));
    run(&cargo(), &args, env)
}

/// `cargo xtask ci`: exactly what CI runs (`.ci/run` is `cargo xtask test` followed by
/// `cargo xtask ci --no-test`).
pub fn ci(args: &[String]) -> Result<(), String> {
    let mut p = crate::args::parser(args);
    let with_tests = !p.contains("--no-test");
    crate::args::no_rest("ci (expected --no-test)", p)?;
    let no_env = Vec::new();
    run(&cargo(), &["fmt", "--all", "--", "--check"], &no_env)?;
    torch_free_check()?;
    let env = libtorch::env()?;
    run(
        &cargo(),
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        &env,
    )?;
    if with_tests {
        run_tests(&env, &[])?;
    }
    // The Python package: release wheel (maturin), installed into a venv, then its pytest.
    crate::python::py_test(&[])?;
    let mut doc_env = env.clone();
    doc_env.push(("RUSTDOCFLAGS".into(), "-D warnings".into()));
    run(
        &cargo(),
        &["doc", "--workspace", "--no-deps", "--all-features"],
        &doc_env,
    )?;
    // About a minute: every parser target, a fixed number of mutants each.
    crate::fuzz::ci_pass()?;
    // The main job end to end, on the quick settings.
    crate::lab::demo(&[
        "--quick".to_owned(),
        "--out".to_owned(),
        crate::paths::target()
            .join("causal-demo-smoke")
            .display()
            .to_string(),
    ])?;
    eprintln!("xtask ci: all checks passed");
    Ok(())
}

/// Fails if a torch-free crate pulls in tch or torch-sys with its default features.
fn torch_free_check() -> Result<(), String> {
    for krate in TORCH_FREE {
        let tree = output(
            &cargo(),
            &[
                "tree",
                "-p",
                krate,
                "-e",
                "normal,build",
                "--prefix",
                "none",
            ],
            &Vec::new(),
        )?;
        if let Some(line) = tree
            .lines()
            .find(|l| l.starts_with("tch ") || l.starts_with("torch-sys "))
        {
            return Err(format!(
                "{krate} depends on LibTorch with default features: {line}"
            ));
        }
    }
    eprintln!(
        "torch-free check: {} build without tch",
        TORCH_FREE.join(", ")
    );
    Ok(())
}
