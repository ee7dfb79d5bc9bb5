//! End-to-end tests of `causal simulate`, `estimate`, `refute` and `report`.

mod common;
use common::{assert_bad_input, causal, json, temp_dir, temp_file};

const TAG: &str = "effect";

/// Z confounds a binary treatment T and a Gaussian outcome Y; the true ATE is 2.
const SCM: &str = r#"{"nodes": [
  {"name": "Z", "type": "gaussian", "sd": 1.0},
  {"name": "T", "type": "binary", "intercept": -0.2, "parents": {"Z": 0.8}},
  {"name": "Y", "type": "gaussian", "sd": 1.0, "parents": {"T": 2.0, "Z": 1.5}}
]}"#;

const GRAPH: &str = r#"{"nodes":["Z","T","Y"],"edges":[
  {"from":"Z","to":"T"},{"from":"Z","to":"Y"},{"from":"T","to":"Y"}]}"#;

fn simulate(n: &str, seed: &str, extra: &[&str]) -> String {
    static SCM_FILE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let scm = SCM_FILE.get_or_init(|| temp_file(TAG, "scm.json", SCM));
    let mut args = vec!["simulate", "--scm", scm, "--n", n, "--seed", seed];
    args.extend_from_slice(extra);
    let out = causal(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let j = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(j).unwrap().parse().unwrap())
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Runs `causal CMD --data DATA --treatment T --outcome Y EXTRA..`.
fn effect(cmd: &str, data: &str, treatment: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        cmd,
        "--data",
        data,
        "--treatment",
        treatment,
        "--outcome",
        "Y",
    ];
    args.extend_from_slice(extra);
    causal(&args)
}

/// The simulated data and graph, written once per test process (tests run in parallel).
fn inputs() -> (String, String) {
    static INPUTS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    INPUTS
        .get_or_init(|| {
            let data = temp_file(TAG, "data.csv", &simulate("3000", "7", &[]));
            (data, temp_file(TAG, "graph.json", GRAPH))
        })
        .clone()
}

#[test]
fn simulate_is_seeded_and_intervenes() {
    let a = simulate("500", "3", &[]);
    assert_eq!(a, simulate("500", "3", &[]), "same seed, same CSV");
    assert_ne!(a, simulate("500", "4", &[]));
    assert_eq!(a.lines().next(), Some("Z,T,Y"));
    assert_eq!(a.lines().count(), 501);
    // do(T=1): every T is 1 and E[Y] = 2 + 1.5 E[Z] = 2.
    let treated = simulate("4000", "3", &["--do", "T=1"]);
    assert!(column(&treated, "T").iter().all(|&t| t == 1.0));
    let ey = mean(&column(&treated, "Y"));
    assert!((ey - 2.0).abs() < 0.1, "E[Y | do(T=1)] = {ey}");
    // A shift of Z by 1 moves E[Z] to 1.
    let shifted = simulate("4000", "3", &["--shift", "Z=1"]);
    let ez = mean(&column(&shifted, "Z"));
    assert!((ez - 1.0).abs() < 0.1, "E[Z] after the shift = {ez}");
}

#[test]
fn estimate_recovers_the_ate_with_every_backdoor_method() {
    let (data, graph) = inputs();
    for method in ["regression", "ipw", "aipw"] {
        let v = json(&effect(
            "estimate",
            &data,
            "T",
            &["--graph", &graph, "--method", method],
        ));
        let (ate, se) = (v["ate"].as_f64().unwrap(), v["se"].as_f64().unwrap());
        let ci = v["ci"].as_array().unwrap();
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(lo < ate && ate < hi, "{method}: {v}");
        assert!((ate - 2.0).abs() < 4.0 * se, "{method}: ate {ate} se {se}");
        assert!(v["estimand"].as_str().unwrap().contains('Z'), "{v}");
        assert_eq!(v["identification"]["strategy"], "backdoor");
        assert_eq!(v["covariates"], serde_json::json!(["Z"]), "{method}");
    }
    // The unadjusted contrast is biased: the graph's adjustment set matters.
    let naive = json(&effect("estimate", &data, "T", &["--adjust", ""]));
    assert!(
        (naive["ate"].as_f64().unwrap() - 2.0).abs() > 0.5,
        "{naive}"
    );
}

#[test]
fn estimate_bootstrap_is_deterministic_for_a_seed() {
    let (data, graph) = inputs();
    let run = |seed: &str| {
        json(&effect(
            "estimate",
            &data,
            "T",
            &["--graph", &graph, "--bootstrap", "200", "--seed", seed],
        ))
    };
    let a = run("11");
    assert_eq!(a["ci_method"], "bootstrap-percentile");
    assert_eq!(a["bootstrap"]["resamples"], 200);
    assert_eq!(a, run("11"), "same seed, same output");
    assert_ne!(a["ci"], run("12")["ci"], "the seed reaches the resampling");
}

#[test]
fn refute_lists_refuters_and_the_graph_test() {
    let (data, graph) = inputs();
    let v = json(&effect(
        "refute",
        &data,
        "T",
        &["--graph", &graph, "--simulations", "5"],
    ));
    let list = v.as_array().unwrap();
    let names: Vec<&str> = list
        .iter()
        .map(|r| r["refuter"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"graph_test"), "{names:?}");
    assert!(names.len() >= 5, "{names:?}");
    for r in list {
        assert!(r["passed"].is_boolean(), "{r}");
    }
    let placebo = list
        .iter()
        .find(|r| r["refuter"].as_str().unwrap().contains("placebo"))
        .expect("a placebo refuter");
    assert_eq!(placebo["passed"], true, "{placebo}");
}

#[test]
fn refute_flags_a_graph_that_contradicts_the_data() {
    let (data, _) = inputs();
    // Claims T and Y are independent given nothing: Z → T only, Y isolated from T.
    let wrong = temp_file(
        TAG,
        "wrong.json",
        r#"{"nodes":["Z","T","Y"],"edges":[{"from":"Z","to":"T"}]}"#,
    );
    let v = json(&effect(
        "refute",
        &data,
        "T",
        &["--graph", &wrong, "--adjust", "Z", "--simulations", "3"],
    ));
    let test = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["refuter"] == "graph_test")
        .unwrap()
        .clone();
    assert_eq!(test["passed"], false, "{test}");
}

#[test]
fn report_writes_json_and_markdown() {
    let (data, graph) = inputs();
    let out_dir = temp_dir(TAG).join("report");
    let out_s = out_dir.display().to_string();
    let v = json(&effect(
        "report",
        &data,
        "T",
        &["--graph", &graph, "--simulations", "3", "--out", &out_s],
    ));
    let ate = v["estimate"]["ate"].as_f64().unwrap();
    assert!((ate - 2.0).abs() < 0.2, "{ate}");
    assert_eq!(v["identification"]["strategy"], "backdoor");
    assert!(v["refutations"].as_array().unwrap().len() >= 4);
    assert!(v["graph_test"]["passed"].as_bool().unwrap());
    let on_disk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(on_disk, v);
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(md.contains("digraph"), "the Markdown carries the DOT graph");
    assert!(
        md.contains(&format!("{ate:.6}")),
        "the Markdown carries the estimate"
    );
}

#[test]
fn bad_inputs_exit_2_and_name_the_problem() {
    let (data, _) = inputs();
    let base = |t: &str, extra: &[&str]| effect("estimate", &data, t, extra);
    // A missing column.
    assert_bad_input(&base("Q", &["--adjust", "Z"]), &["Q"]);
    // A graph whose nodes are not the data's columns.
    let other = temp_file(
        TAG,
        "other.json",
        r#"{"nodes":["Z","T","Y","W"],"edges":[{"from":"W","to":"T"}]}"#,
    );
    assert_bad_input(&base("T", &["--graph", &other]), &["W"]);
    // A non-binary treatment where IPW needs a binary one.
    assert_bad_input(
        &base("Z", &["--adjust", "", "--method", "ipw"]),
        &["Z", "binary"],
    );
    // Collinear covariates.
    let collinear = temp_file(
        TAG,
        "collinear.csv",
        "T,Y,A,B\n0,1,1,2\n1,3,2,4\n0,2,3,6\n1,4,4,8\n0,1,5,10\n1,5,6,12\n",
    );
    let out = effect("estimate", &collinear, "T", &["--adjust", "A,B"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An unknown method, and a malformed SCM.
    assert_bad_input(
        &base("T", &["--adjust", "Z", "--method", "magic"]),
        &["magic"],
    );
    let bad_scm = temp_file(TAG, "bad.json", "{\"nodes\": [\n{\"name\": }]}");
    assert_bad_input(
        &causal(&["simulate", "--scm", &bad_scm, "--n", "3"]),
        &["bad.json", "line 2"],
    );
}
