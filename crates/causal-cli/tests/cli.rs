//! End-to-end tests of the `causal` binary: exit codes, JSON output, error messages.

mod common;
use common::causal;

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    common::temp_path("test", name, text)
}

#[test]
fn help_lists_every_subcommand() {
    let out = causal(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "graph",
        "identify",
        "transport",
        "estimate",
        "refute",
        "simulate",
        "discover",
        "compare",
        "icp",
        "report",
    ] {
        assert!(text.contains(sub), "--help lacks {sub}:\n{text}");
    }
}

#[test]
fn version_prints_the_crate_version() {
    let out = causal(&["--version"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn bad_argument_exits_2_and_names_it() {
    let out = causal(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--frobnicate"));
}

#[test]
fn graph_check_reports_json() {
    let path = temp_file(
        "g.json",
        r#"{"nodes":["X","Y","Z"],"edges":[{"from":"Z","to":"X"},{"from":"X","to":"Y","from_mark":"tail","to_mark":"arrow"},{"from":"X","to":"Y","from_mark":"arrow","to_mark":"arrow"}]}"#,
    );
    let out = causal(&["graph", "check", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "admg");
    assert_eq!(v["nodes"], 3);
    assert_eq!(v["edges"], 3);
    assert_eq!(v["acyclic"], true);
}

#[test]
fn malformed_graph_exits_2_naming_the_file_and_line() {
    let path = temp_file("bad.json", "{\"nodes\": [\"A\"],\n\"edges\": [}");
    let out = causal(&["graph", "check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json") && err.contains("line 2"), "{err}");
}
