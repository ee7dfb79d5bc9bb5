//! `causal discover` and `causal compare` end to end.

mod common;
use common::{causal, collider_csv, temp_path};

const TAG: &str = "discover";

#[test]
fn pc_prints_graph_json_and_writes_dot() {
    let data = temp_path(TAG, "collider.csv", &collider_csv(7));
    let dot = data.with_extension("dot");
    let out = causal(&[
        "discover",
        "pc",
        "--data",
        data.to_str().unwrap(),
        "--threads",
        "2",
        "--out",
        dot.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let edges = g["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2, "{g}");
    for e in edges {
        assert_eq!(e["to"], "z");
        assert_eq!(
            (e["from_mark"].as_str(), e["to_mark"].as_str()),
            (Some("tail"), Some("arrow"))
        );
    }
    assert!(std::fs::read_to_string(&dot).unwrap().contains("digraph"));

    let truth = temp_path(
        TAG,
        "truth.json",
        r#"{"nodes":["x","y","z"],"edges":[{"from":"x","to":"z"},{"from":"y","to":"z"}]}"#,
    );
    let est = temp_path(TAG, "est.json", &String::from_utf8_lossy(&out.stdout));
    let cmp = causal(&[
        "compare",
        "--truth",
        truth.to_str().unwrap(),
        "--estimate",
        est.to_str().unwrap(),
    ]);
    assert!(
        cmp.status.success(),
        "{}",
        String::from_utf8_lossy(&cmp.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&cmp.stdout).unwrap();
    assert_eq!(m["shd"], 0);
    assert_eq!(m["sid"], 0);
}

#[test]
fn bad_inputs_exit_2_with_a_named_cause() {
    let data = temp_path(TAG, "c.csv", &collider_csv(7));
    let d = data.to_str().unwrap();
    let out = causal(&["discover", "pc", "--data", d, "--test", "chisq"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'x'"));
    let k = temp_path(TAG, "k.txt", "/knowledge\nforbiddirect\nx nosuch\n");
    let out = causal(&[
        "discover",
        "pc",
        "--data",
        d,
        "--knowledge",
        k.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nosuch"));
    let constant = temp_path(TAG, "k.csv", "a,b\n1,2\n1,3\n1,5\n1,4\n1,0\n");
    let out = causal(&["discover", "pc", "--data", constant.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'a' is constant"));
    let nan = temp_path(TAG, "nan.csv", "a,b\n1,2\nNaN,3\n2,5\n4,4\n0,1\n");
    let out = causal(&["discover", "pc", "--data", nan.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'a'"));
    let out = causal(&["discover", "nosuch", "--data", d]);
    assert_eq!(out.status.code(), Some(2));
    let out = causal(&["discover", "pc", "--data", d, "--uc-rule", "7"]);
    assert_eq!(out.status.code(), Some(2));
}
