//! The supervisor survives a worker that aborts: it saves the input being run, restarts the
//! worker past it, counts the abort and exits 1.

use std::process::Command;

#[test]
fn aborts_are_caught_saved_and_survived() {
    let out = std::env::temp_dir().join(format!("causal-fuzz-selftest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new(env!("CARGO_BIN_EXE_causal-fuzz"))
        .args(["abort-self-test", "--execs", "3000", "--seed", "1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let r = &report[0];
    let aborts = r["aborts"].as_u64().unwrap();
    assert!(aborts >= 1, "{r}");
    // Every execution was accounted for, across the restarts.
    assert_eq!(r["execs"], 3000, "{r}");
    let saved: Vec<_> = std::fs::read_dir(out.join("abort-self-test"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_none())
        .collect();
    assert!(!saved.is_empty());
    for p in saved {
        assert!(
            std::fs::read(&p).unwrap().contains(&b'!'),
            "{}",
            p.display()
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
