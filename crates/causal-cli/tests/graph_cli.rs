//! End-to-end tests of `causal graph`: every action's JSON shape, formats, and exit code 2 on
//! bad input with the line or node named.

mod common;
use common::causal;

fn temp_file(name: &str, text: &str) -> String {
    common::temp_file("graph", name, text)
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

const CONFOUNDED: &str = "dag {\n X [exposure]\n Y [outcome]\n U [latent]\n Z -> {X Y}\n \
                          X -> M -> Y\n U -> X\n U -> Y\n W -> Z\n}\n";

#[test]
fn check_reports_kind_and_size() {
    let g = temp_file("g.dagitty", CONFOUNDED);
    let v = json(&causal(&["graph", "check", &g]));
    assert_eq!(v["kind"], "dag");
    assert_eq!(v["nodes"], 6);
    assert_eq!(v["edges"], 7);
    assert_eq!(v["acyclic"], true);
    let pag = temp_file("p.dot", "digraph { a -> b [dir=both, arrowtail=odot] }");
    assert_eq!(json(&causal(&["graph", "check", &pag]))["kind"], "pag");
    let txt = temp_file("g.txt", "dag { a -> b }");
    let v = json(&causal(&["graph", "check", &txt, "--format", "dagitty"]));
    assert_eq!(v["edges"], 1);
}

#[test]
fn convert_round_trips_and_projects() {
    let g = temp_file("c.dagitty", CONFOUNDED);
    let out = causal(&["graph", "convert", &g, "--to", "dot"]);
    assert!(out.status.success());
    let dot = temp_file("c.dot", &String::from_utf8_lossy(&out.stdout));
    let back = causal(&["graph", "convert", &dot, "--to", "dagitty"]);
    let direct = causal(&["graph", "convert", &g, "--to", "dagitty"]);
    // dagitty -> dot -> dagitty gives the same text as dagitty -> dagitty.
    assert!(back.status.success() && !back.stdout.is_empty());
    assert_eq!(back.stdout, direct.stdout);
    let j = json(&causal(&["graph", "convert", &dot, "--to", "json"]));
    assert_eq!(j["nodes"].as_array().unwrap().len(), 6);
    assert_eq!(j["roles"]["U"][0], "latent");
    let p = json(&causal(&[
        "graph",
        "convert",
        &g,
        "--to",
        "json",
        "--project-latents",
    ]));
    let edges = p["edges"].as_array().unwrap();
    assert_eq!(p["nodes"].as_array().unwrap().len(), 5);
    assert!(edges.iter().any(|e| e["from"] == "X"
        && e["to"] == "Y"
        && e["from_mark"] == "arrow"
        && e["to_mark"] == "arrow"));
}

#[test]
fn dsep_implied_and_adjust_shapes() {
    let g = temp_file("d.dagitty", CONFOUNDED);
    let v = json(&causal(&[
        "graph", "dsep", &g, "--x", "W", "--y", "Y", "--given", "Z",
    ]));
    assert_eq!(v, serde_json::json!({"separated": true}));
    let v = json(&causal(&["graph", "dsep", &g, "--x", "W,M", "--y", "Y"]));
    assert_eq!(v["separated"], false);
    let v = json(&causal(&["graph", "implied", &g]));
    let first = &v["independencies"][0];
    assert_eq!(
        (first["x"].as_str(), first["y"].as_str()),
        (Some("X"), Some("W"))
    );
    assert_eq!(first["given"], serde_json::json!(["Z"]));
    let v = json(&causal(&["graph", "adjust", &g]));
    assert_eq!(v["minimal"], serde_json::json!([]));
    assert_eq!(v["optimal"], serde_json::Value::Null);
    assert_eq!(v["frontdoor"], serde_json::json!([["M"]]));
    let plain = temp_file("a.dagitty", "dag { Z -> X; Z -> Y; X -> Y; I -> X }");
    let v = json(&causal(&[
        "graph",
        "adjust",
        &plain,
        "--treatment",
        "X",
        "--outcome",
        "Y",
    ]));
    assert_eq!(v["minimal"], serde_json::json!([["Z"]]));
    assert_eq!(v["optimal"], serde_json::json!(["Z"]));
    assert_eq!(
        v["instruments"],
        serde_json::json!([{"instrument": "I", "given": []}])
    );
}

#[test]
fn bad_input_exits_2_naming_the_problem() {
    let bad = temp_file("bad.dagitty", "dag {\n X -> Y\n Y -> \n}");
    let out = causal(&["graph", "check", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 4"));
    let g = temp_file("e.dagitty", CONFOUNDED);
    let out = causal(&["graph", "dsep", &g, "--x", "Q", "--y", "Y"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'Q'"));
    let cyc = temp_file("cyc.dot", "digraph { a -> b -> c -> a }");
    let out = causal(&[
        "graph",
        "adjust",
        &cyc,
        "--treatment",
        "a",
        "--outcome",
        "c",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a -> b -> c -> a"));
    let out = causal(&["graph", "adjust", &g, "--treatment", "X", "--outcome", "X"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'X'"));
    let odd = temp_file("g.xml", "<graph/>");
    let out = causal(&["graph", "check", &odd]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("extension"));
}
