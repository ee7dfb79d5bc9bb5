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

/// The scratch folder of `tag`, under cargo's temporary folder for integration tests
/// (`target/tmp`), so that test runs leave nothing in the system's temporary folder; a later
/// run writes over the same files.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("causal-cli-{tag}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `name` in the scratch folder of `tag` and returns its path.
pub fn temp_path(tag: &str, name: &str, text: &str) -> PathBuf {
    let path = temp_dir(tag).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// [`temp_path`] as a string, ready to pass as an argument.
pub fn temp_file(tag: &str, name: &str, text: &str) -> String {
    temp_path(tag, name, text).display().to_string()
}

/// Deterministic pseudo-uniform noise on [-0.5, 0.5) (a 64-bit LCG), so that data files need no
/// random-number crate.
pub fn pseudo_uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }
}

/// 2000 rows of the collider x -> z <- y as CSV.
pub fn collider_csv(seed: u64) -> String {
    let mut s = String::from("x,y,z\n");
    let mut u = pseudo_uniform(seed);
    for _ in 0..2000 {
        let (x, y) = (u(), u());
        let z = x + y + 0.3 * u();
        s.push_str(&format!("{x},{y},{z}\n"));
    }
    s
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
