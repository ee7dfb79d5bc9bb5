//! `cargo xtask`: provisioning, CI, the demo, experiments and benchmarks.
//!
//! xtask links no workspace crate, so it runs on a machine without LibTorch; it provisions
//! LibTorch (see [`libtorch`]) and launches cargo and the workspace binaries with the right
//! environment.

mod args;
mod bench;
mod bench_check;
mod builtin_data;
mod ci;
mod fuzz;
mod install_check;
mod lab;
mod libtorch;
mod paths;
mod process;
mod python;

use std::process::ExitCode;

const USAGE: &str = "\
cargo xtask <command>

  test [CARGO ARGS..]        provision LibTorch if needed, then test the whole workspace
  ci [--no-test]             exactly what CI runs (.ci/run): fmt, torch-free check, clippy
                             -D warnings, tests, the Python package's pytest, docs, a short
                             fuzz pass, the quick demo
  demo [--quick] [--out DIR] the main job on built-in data
  experiment NAME|--list     run a named experiment (results under target/experiments/NAME)
  bench [--check [--base REF] [--package P].. [FILTER]]
                             criterion benchmarks (--check: fail on >15% regression vs the merge-base)
  bench-compare [--only NAME[,NAME..]]
                             side-by-side runs against the Python peers, with ratios
  libtorch [--env]           provision LibTorch only and print its paths (--env: shell exports)
  fuzz [TARGET..] [--execs N] [--seconds S] [--seed K] [--dev]
                             mutation-fuzz the parsers (data, dagitty, dot, graph-json,
                             scm-json, knowledge); findings under target/fuzz/crashes
  wheel [--dev]              build the causal_rs Python wheel into target/wheels (maturin)
  py-test [--dev] [ARGS..]   install the wheel into a fresh venv and run its pytest suite
  install-check              `cargo install` causal-cli into target/install-check and run a
                             TARNet fit with LD_LIBRARY_PATH unset
";

fn main() -> ExitCode {
    let mut args = pico_args::Arguments::from_env();
    let cmd = match args.subcommand() {
        Ok(Some(cmd)) => cmd,
        Ok(None) => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("xtask error: {e}");
            return ExitCode::from(2);
        }
    };
    let rest = match args::rest(args) {
        Ok(rest) => rest,
        Err(e) => {
            eprintln!("xtask error: {e}");
            return ExitCode::from(2);
        }
    };
    let rest = rest.as_slice();
    let result = match cmd.as_str() {
        "test" => ci::test(rest),
        "ci" => ci::ci(rest),
        "demo" => lab::demo(rest),
        "experiment" => lab::experiment(rest),
        "bench" => bench::bench(rest),
        "bench-compare" => bench::compare(rest),
        "libtorch" => libtorch::command(rest),
        "fuzz" => fuzz::fuzz(rest),
        "install-check" => install_check::command(rest),
        "wheel" => python::wheel(rest).map(|w| println!("{}", w.display())),
        "py-test" => python::py_test(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command '{other}'\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask error: {e}");
            ExitCode::FAILURE
        }
    }
}
