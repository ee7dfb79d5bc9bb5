//! End-to-end tests of `causal identify` and `causal transport`.

mod common;
use common::{causal, json};

fn temp_file(name: &str, text: &str) -> String {
    common::temp_file("identify", name, text)
}

const FRONT_DOOR: &str = r#"{"nodes":["X","Z","Y"],"edges":[{"from":"X","to":"Z"},{"from":"Z","to":"Y"},
 {"from":"X","to":"Y","from_mark":"arrow","to_mark":"arrow"}]}"#;

#[test]
fn identify_prints_estimand_and_plug_in_value() {
    let g = temp_file("fd.json", FRONT_DOOR);
    // Six rows: P(Z=1|X=1) = 2/3; P(X=0) = P(X=1) = 1/2;
    // P(Y=1|X=0,Z=1) = 1, P(Y=1|X=1,Z=1) = 1/2, P(Y=1|X=0,Z=0) = 1/2, P(Y=1|X=1,Z=0) = 0.
    let d = temp_file(
        "fd.csv",
        "X,Z,Y\n0,0,0\n0,1,1\n1,1,1\n1,0,0\n1,1,0\n0,0,1\n",
    );
    let v = json(&causal(&[
        "identify",
        &g,
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--data",
        &d,
        "--do",
        "X=1",
        "--query",
        "Y=1",
    ]));
    assert_eq!(v["identifiable"], true);
    assert_eq!(
        v["estimand"],
        "sum_{Z} P(Z | X) [sum_{X'} P(X') P(Y | X', Z)]"
    );
    assert!(v["latex"].as_str().unwrap().starts_with(r"\sum_{Z}"));
    // 2/3 * (1/2 * 1 + 1/2 * 1/2) + 1/3 * (1/2 * 1/2 + 1/2 * 0) = 1/2 + 1/12.
    let value = v["value"].as_f64().unwrap();
    assert!((value - 7.0 / 12.0).abs() < 1e-12, "{value}");
}

#[test]
fn identify_reports_the_hedge_of_the_bow_arc() {
    let g = temp_file(
        "bow.json",
        r#"{"nodes":["X","Y"],"edges":[{"from":"X","to":"Y"},{"from":"X","to":"Y","from_mark":"arrow","to_mark":"arrow"}]}"#,
    );
    let v = json(&causal(&[
        "identify",
        &g,
        "--treatment",
        "X",
        "--outcome",
        "Y",
    ]));
    assert_eq!(v["identifiable"], false);
    assert_eq!(v["hedge"]["f"], serde_json::json!(["X", "Y"]));
    assert_eq!(v["hedge"]["f_prime"], serde_json::json!(["Y"]));
}

#[test]
fn identify_bad_input_exits_2_and_names_the_problem() {
    let g = temp_file("fd2.json", FRONT_DOOR);
    let cases: [(&[&str], &str); 5] = [
        (&["--treatment", "X", "--outcome", "Q"], "unknown node 'Q'"),
        (
            &["--treatment", "X", "--outcome", "X"],
            "both a treatment and an outcome",
        ),
        (
            &["--treatment", "X", "--outcome", "Y", "--do", "X=1"],
            "need --data",
        ),
        (&["--outcome", "Y"], "--treatment is required"),
        (
            &[
                "--treatment",
                "X",
                "--outcome",
                "Y",
                "--data",
                "/nonexistent.csv",
                "--do",
                "X=1",
                "--query",
                "Y",
            ],
            "expected NAME=VALUE",
        ),
    ];
    for (args, msg) in cases {
        let mut full = vec!["identify", g.as_str()];
        full.extend_from_slice(args);
        let out = causal(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{args:?}: {err}");
    }
    let bad = temp_file("bad.csv", "X,Z,Y\n0,0.5,0\n1,1,1\n");
    let out = causal(&[
        "identify",
        &g,
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--data",
        &bad,
        "--do",
        "X=1",
        "--query",
        "Y=1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("column 'Z'"));
    let missing = temp_file("missing.csv", "X,Y\n0,0\n1,1\n");
    let out = causal(&[
        "identify",
        &g,
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--data",
        &missing,
        "--do",
        "X=1",
        "--query",
        "Y=1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown column 'Z'"));
}

#[test]
fn transport_gives_formula_or_reason() {
    // X → Z → Y with X ↔ Z, and a selection node S pointing at `s_child`.
    let transport = |name: &str, s_child: &str| {
        let g = temp_file(
            name,
            &format!(
                r#"{{"nodes":["X","Z","Y","S"],"edges":[{{"from":"X","to":"Z"}},{{"from":"Z","to":"Y"}},
        {{"from":"X","to":"Z","from_mark":"arrow","to_mark":"arrow"}},{{"from":"S","to":"{s_child}"}}]}}"#
            ),
        );
        json(&causal(&[
            "transport",
            &g,
            "--treatment",
            "X",
            "--outcome",
            "Y",
        ]))
    };
    let v = transport("sel.json", "Y");
    assert_eq!(v["transportable"], true);
    assert_eq!(v["estimand"], "sum_{Z} P(Z | do(X)) P*(Y | Z)");
    assert_eq!(v["selection"], serde_json::json!(["S"]));
    let v = transport("sel2.json", "Z");
    assert_eq!(v["transportable"], false);
    assert!(v["reason"].as_str().unwrap().contains("s*-hedge"), "{v}");
}
