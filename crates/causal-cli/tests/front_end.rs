//! The `causal` front end and its companion `causal-neural`: the release front end loads no
//! LibTorch, neural subcommands are handed over (and find LibTorch through the rpath, without
//! LD_LIBRARY_PATH), a missing LibTorch is one line and exit 1 while torch-free work goes on,
//! and the completion script and man page come from the parser's own definition.

mod common;
use common::{collider_csv, temp_file};

use std::process::{Command, Output};

/// Runs `causal` with no library path, as a user who never exported one would.
fn bare(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_causal"));
    c.args(args)
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("CAUSAL_LIBTORCH");
    c
}

fn output(mut c: Command) -> Output {
    c.output().expect("the causal binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_front_end_starts_without_ld_library_path() {
    let out = output(bare(&["--help"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ite"));
    // A neural subcommand's help is the front end's too.
    let out = output(bare(&["ite", "--help"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--treatment"));
}

/// The dynamic loader's own account (glibc's LD_DEBUG) of what `causal graph` loads.
#[cfg(target_os = "linux")]
#[cfg_attr(
    debug_assertions,
    ignore = "release only (thin LTO): in dev builds code shared across crates drags \
              LibTorch into the front end; run with `cargo test --release`"
)]
#[test]
fn the_release_front_end_loads_no_libtorch() {
    let graph = temp_file("front-end", "g.dot", "digraph { a -> b; b -> c; }\n");
    let mut c = bare(&[
        "graph", "dsep", &graph, "--x", "a", "--y", "c", "--given", "b",
    ]);
    c.env("LD_DEBUG", "libs");
    let out = output(c);
    assert!(out.status.success(), "{}", stderr(&out));
    // `find library=NAME` per library looked up (the rpath itself names LibTorch's folder).
    let log = stderr(&out);
    let found: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("find library="))
        .collect();
    assert!(
        found.iter().any(|l| l.contains("libc.so")),
        "no library log: {log}"
    );
    for lib in ["libtorch", "libc10"] {
        assert!(
            !found.iter().any(|l| l.contains(lib)),
            "the front end loaded {lib}: {found:?}"
        );
    }
}

#[test]
fn torch_free_subcommands_run_while_neural_ones_report_a_missing_libtorch_in_one_line() {
    let data = temp_file("front-end", "collider.csv", &collider_csv(1));
    let mut pc = bare(&["discover", "pc", "--data", &data, "--quiet"]);
    pc.env("CAUSAL_LIBTORCH", "/nonexistent/libtorch");
    let out = output(pc);
    assert!(out.status.success(), "{}", stderr(&out));

    let mut ite = bare(&["ite", "--data", &data, "--treatment", "x", "--outcome", "z"]);
    ite.env("CAUSAL_LIBTORCH", "/nonexistent/libtorch");
    let out = output(ite);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/libtorch/lib/"), "{err}");
    assert!(err.contains("cargo xtask libtorch"), "{err}");
    assert!(out.stdout.is_empty());
}

#[cfg(feature = "torch")]
#[test]
fn a_neural_subcommand_runs_in_the_companion_without_ld_library_path() {
    // 120 rows, effect 2 of a binary treatment; a two-epoch TARNet only has to run.
    let mut csv = String::from("x,t,y\n");
    for i in 0..120 {
        let x = (0.37 * f64::from(i)).sin();
        let t = u8::from((1.7 * f64::from(i)).cos() + x > 0.0);
        let y = x + 2.0 * f64::from(t);
        csv.push_str(&format!("{x},{t},{y}\n"));
    }
    let data = temp_file("front-end", "ite.csv", &csv);
    let args = [
        "ite",
        "--model",
        "tarnet",
        "--data",
        &data,
        "--treatment",
        "t",
        "--outcome",
        "y",
        "--epochs",
        "2",
        "--quiet",
    ];
    let out = output(bare(&args));
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["model"], "tarnet");
    assert_eq!(v["n"], 120);

    // Bad input keeps its exit code across the hand-over.
    let out = output(bare(&[
        "ite",
        "--model",
        "nope",
        "--data",
        &data,
        "--treatment",
        "t",
        "--outcome",
        "y",
    ]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn completions_and_the_man_page_come_from_the_parser() {
    for shell in ["bash", "zsh", "fish"] {
        let out = output(bare(&["completions", shell]));
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("discover"),
            "{shell}: no subcommand in the script"
        );
        assert!(script.contains("causal"), "{shell}");
    }
    let out = output(bare(&["completions", "tcsh"]));
    assert_eq!(out.status.code(), Some(2));

    let out = output(bare(&["man"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH causal"),
        "{page}"
    );
    assert!(page.contains("ite"));
}
