//! `cargo xtask fuzz`: builds and runs the torch-free `causal-fuzz` binary (a seeded mutation
//! fuzzer over the data, dagitty, DOT, graph-JSON, SCM-JSON and knowledge parsers), and the
//! short pass that `cargo xtask ci` runs.

use crate::paths;
use crate::process::{cargo, run};

/// Executions per target in CI's short pass: a fixed count keeps the pass deterministic (the
/// same mutants on every machine); the time cap only guards a slow machine.
const CI_EXECS: &str = "40000";
const CI_SECONDS: &str = "10";

/// `cargo xtask fuzz [TARGET..] [--execs N] [--seconds S] [--seed K] [--dev]`: optimised
/// build unless `--dev` (debug assertions, so overflow checks, on).
pub fn fuzz(args: &[String]) -> Result<(), String> {
    let mut p = crate::args::parser(args);
    let dev = p.contains("--dev");
    let rest = crate::args::rest(p)?;
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    launch(dev, &rest)
}

/// The short pass of `cargo xtask ci`: every target, a fixed number of executions each, in
/// the dev profile that the tests already built.
pub fn ci_pass() -> Result<(), String> {
    launch(true, &["--execs", CI_EXECS, "--seconds", CI_SECONDS])
}

fn launch(dev: bool, fuzz_args: &[&str]) -> Result<(), String> {
    let out = paths::target().join("fuzz").join("crashes");
    let out = out.display().to_string();
    let mut args = vec!["run", "-q", "-p", "causal-fuzz"];
    if !dev {
        args.push("--release");
    }
    args.extend(["--", "--out", &out]);
    args.extend_from_slice(fuzz_args);
    // No LibTorch environment: causal-fuzz links only causal-core and causal-discover.
    run(&cargo(), &args, &Vec::new())
        .map_err(|e| format!("{e}\nfuzz findings (if any) are under {out}; replay one with `cargo run -p causal-fuzz -- --replay TARGET FILE`"))
}
