//! Helpers shared by the CLI's integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `causal` binary.
pub fn causal(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_causal"))
        .args(args)
        .output()
        .expect("the causal binary runs")
}

/// A scratch folder unique to this test process and `tag`.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("causal-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `name` in the scratch folder of `tag` and returns its path.
pub fn temp_file(tag: &str, name: &str, text: &str) -> String {
    let path = temp_dir(tag).join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The JSON on stdout of a run that must have succeeded.
pub fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Asserts a bad-input exit (code 2) whose stderr mentions every one of `needles`.
pub fn assert_bad_input(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr does not name '{n}': {err}");
    }
}
