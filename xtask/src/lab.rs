//! `cargo xtask demo` and `cargo xtask experiment`: build and launch the `causal-lab` binary
//! (release mode) with LibTorch's environment.

use crate::process::{cargo, run};
use crate::{builtin_data, libtorch};

fn launch(args: &[&str]) -> Result<(), String> {
    let env = libtorch::env()?;
    let mut full = vec!["run", "--release", "-p", "causal-lab", "--"];
    full.extend_from_slice(args);
    run(&cargo(), &full, &env)
}

/// `cargo xtask demo [--quick] [--out DIR]`.
pub fn demo(args: &[String]) -> Result<(), String> {
    let data = builtin_data::ensure()?;
    let data = data.display().to_string();
    let mut full = vec!["demo", "--data-dir", data.as_str()];
    full.extend(args.iter().map(String::as_str));
    launch(&full)
}

/// `cargo xtask experiment NAME|--list [--out DIR]`.
pub fn experiment(args: &[String]) -> Result<(), String> {
    let mut full = vec!["experiment"];
    full.extend(args.iter().map(String::as_str));
    launch(&full)
}
