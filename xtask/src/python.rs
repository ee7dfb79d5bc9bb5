//! `cargo xtask wheel` (the `causal_rs` Python wheel, built with maturin from PyPI) and
//! `cargo xtask py-test` (the wheel installed into a cached test venv, then pytest).

use std::path::{Path, PathBuf};

use crate::process::{Env, run};

/// maturin, pinned; installed into its own cached venv.
const MATURIN: &str = "maturin==1.16.0";

/// The pytest suite's dependencies, pinned (no causal-inference peer: the suite compares
/// against committed fixtures).
const TEST_DEPS: &[&str] = &[
    "pytest==9.2.0",
    "numpy==2.4.6",
    "pandas==3.1.1",
    "polars==2.1.0",
    "pyarrow==26.0.1",
    "networkx==3.6.1",
];

/// A venv under the cache named `name`, with `packages` pip-installed once (a stamp file
/// remembers what was installed); returns its python.
pub(crate) fn venv(name: &str, packages: &[&str]) -> Result<PathBuf, String> {
    let dir = crate::paths::cache().join(name);
    let python = dir.join("bin").join("python");
    let stamp = dir.join(".installed");
    let want = packages.join(" ");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return Ok(python);
    }
    let sys = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    run(
        &sys,
        &["-m", "venv", &dir.display().to_string()],
        &Vec::new(),
    )?;
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    args.extend_from_slice(packages);
    run(&python.display().to_string(), &args, &Vec::new())?;
    std::fs::write(&stamp, want).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(python)
}

fn wheels_dir() -> PathBuf {
    crate::paths::target().join("wheels")
}

/// `cargo xtask wheel [--dev]`: builds the abi3 wheel (CPython >= 3.9) into `target/wheels/`
/// with maturin, in release (or, with `--dev`, the dev profile), reusing the workspace's
/// target directory and its compiled dependencies. It needs no LibTorch. Returns the wheel.
pub fn wheel(args: &[String]) -> Result<PathBuf, String> {
    let mut p = crate::args::parser(args);
    let dev = p.contains("--dev");
    crate::args::no_rest("wheel (expected --dev)", p)?;
    build_wheel(dev)
}

/// Builds the wheel (see [`wheel`]) in the dev profile or in release.
pub fn build_wheel(dev: bool) -> Result<PathBuf, String> {
    let python = venv("maturin-venv", &[MATURIN])?;
    let maturin = python.with_file_name("maturin");
    let out = wheels_dir();
    // Old wheels would make `pip install target/wheels/*.whl` ambiguous.
    if let Ok(entries) = std::fs::read_dir(&out) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with("causal_rs-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let manifest = crate::paths::root().join("crates/causal-py/Cargo.toml");
    let (manifest, out_s) = (manifest.display().to_string(), out.display().to_string());
    let mut cmd = vec!["build", "-m", &manifest, "--out", &out_s, "--interpreter"];
    let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    cmd.push(&interpreter);
    cmd.extend(if dev {
        ["--profile", "dev"]
    } else {
        ["--release", "--quiet"]
    });
    run(&maturin.display().to_string(), &cmd, &Vec::new())?;
    find_wheel(&out)
}

fn find_wheel(dir: &Path) -> Result<PathBuf, String> {
    std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|x| x == "whl")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("causal_rs-"))
        })
        .ok_or_else(|| format!("maturin wrote no causal_rs wheel into {}", dir.display()))
}

/// `cargo xtask py-test [--dev] [PYTEST ARGS..]`: builds the wheel, installs it (replacing any
/// earlier one) into a cached venv of the pinned test dependencies, and runs the pytest suite in
/// `crates/causal-py/tests` plus the package's docstring examples.
pub fn py_test(args: &[String]) -> Result<(), String> {
    let mut p = crate::args::parser(args);
    let dev = p.contains("--dev");
    let pytest_args = crate::args::rest(p)?;
    let wheel = build_wheel(dev)?;
    let python = venv("py-test-venv", TEST_DEPS)?;
    let py = python.display().to_string();
    run(
        &py,
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
    let tests = crate::paths::root().join("crates/causal-py/tests");
    let mut cmd = vec![
        "-m".to_owned(),
        "pytest".to_owned(),
        "-q".to_owned(),
        tests.display().to_string(),
        "--doctest-modules".to_owned(),
        "--pyargs".to_owned(),
        "causal_rs".to_owned(),
    ];
    cmd.extend(pytest_args);
    let cmd: Vec<&str> = cmd.iter().map(String::as_str).collect();
    let env: Env = vec![("OPENBLAS_NUM_THREADS".into(), "1".into())];
    let status = std::process::Command::new(&py)
        .args(&cmd)
        .envs(env)
        // Outside the source tree, so that `import causal_rs` is the installed wheel.
        .current_dir(crate::paths::target())
        .status()
        .map_err(|e| format!("could not start {py}: {e}"))?;
    match status.code() {
        Some(0) => Ok(()),
        // pytest's "no tests collected": the suite exists, so this is a broken run, not a pass.
        Some(5) => Err("pytest collected no tests from crates/causal-py/tests".into()),
        _ => Err(format!("pytest failed ({status})")),
    }
}
