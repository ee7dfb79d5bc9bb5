//! End-to-end tests of `causal effect`: data with expert tiers (discovery), data with a DOT
//! graph, a CPDAG (IDA), the pipeline bootstrap's thread-count independence, and bad input.

mod common;
use common::{assert_bad_input, causal, json, pseudo_uniform, temp_dir, temp_file};

const TAG: &str = "effect-command";

/// 3000 rows of Z -> X -> M -> Y, Z -> Y (uniform noise): the effect of X on Y is 1.0 * 1.5.
fn chain_csv() -> String {
    let mut s = String::from("Z,X,M,Y\n");
    let mut u = pseudo_uniform(15);
    for _ in 0..3000 {
        let z = 2.0 * u();
        let x = 0.8 * z + u();
        let m = 1.0 * x + u();
        let y = 1.5 * m + 1.0 * z + u();
        s.push_str(&format!("{z},{x},{m},{y}\n"));
    }
    s
}

fn data() -> String {
    static DATA: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DATA.get_or_init(|| temp_file(TAG, "chain.csv", &chain_csv()))
        .clone()
}

const TIERS: &str = "/knowledge\naddtemporal\n1 Z\n2 X\n3 M\n4 Y\n";

const DOT: &str = "digraph { Z -> X; X -> M; M -> Y; Z -> Y; }";

#[test]
fn data_with_tiers_discovers_and_estimates() {
    let k = temp_file(TAG, "tiers.txt", TIERS);
    let dir = temp_dir(TAG).join("report-tiers");
    let dir_s = dir.display().to_string();
    let v = json(&causal(&[
        "effect",
        "--data",
        &data(),
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--discover",
        "pc",
        "--knowledge",
        &k,
        "--report",
        &dir_s,
        "--simulations",
        "5",
    ]));
    assert_eq!(v["graph_class"], "dag", "{v}");
    assert!(v["graph_source"].as_str().unwrap().contains("pc"));
    let ate = v["estimate"]["ate"].as_f64().unwrap();
    assert!((ate - 1.5).abs() < 0.1, "ATE {ate}");
    assert_eq!(v["possible_effects"].as_array().unwrap().len(), 1);
    let sources: Vec<&str> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert!(sources.iter().all(|s| s.starts_with("data")), "{sources:?}");
    assert!(sources.contains(&"data, oriented by expert tiers"));
    assert!(!v["refutations"].as_array().unwrap().is_empty());
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("Graph class: **DAG**"), "{md}");
    assert!(dir.join("report.json").exists());
}

#[test]
fn data_alone_gives_the_possible_effects_of_the_cpdag() {
    let v = json(&causal(&[
        "effect",
        "--data",
        &data(),
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--discover",
        "pc",
        "--ida",
        "local",
        "--simulations",
        "2",
    ]));
    // Z - X - M with M -> Y <- Z: X's edges are undirected, so the class is not amenable.
    assert_eq!(v["graph_class"], "cpdag", "{v}");
    assert_eq!(v["identification"]["amenable"], false);
    assert!(
        v["identification"]["breaking_path"]
            .as_str()
            .unwrap()
            .starts_with("X -")
    );
    assert!(v["estimate"].is_null());
    let effects: Vec<f64> = v["possible_effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["effect"].as_f64().unwrap())
        .collect();
    assert_eq!(effects.len(), 3, "{effects:?}");
    // One configuration per locally valid parent set of X: {}, {Z}, {M}. The true one, {Z},
    // gives the true effect 1.5; the others are what the data say if those DAGs were true.
    let with_z = v["possible_effects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["parents"] == serde_json::json!(["Z"]))
        .expect("the parent set {Z}");
    assert!(
        (with_z["effect"].as_f64().unwrap() - 1.5).abs() < 0.1,
        "{effects:?}"
    );
    let (lo, hi) = (
        v["bounds"]["min_abs"].as_f64().unwrap(),
        v["bounds"]["max_abs"].as_f64().unwrap(),
    );
    assert!(lo < 1.5 && 1.5 < hi, "{lo} {hi}");
    assert_eq!(v["edges"][0]["source"], "data");
}

#[test]
fn data_with_a_dot_graph() {
    let g = temp_file(TAG, "chain.dot", DOT);
    let dir = temp_dir(TAG).join("report-dot");
    let dir_s = dir.display().to_string();
    let v = json(&causal(&[
        "effect",
        "--data",
        &data(),
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--graph",
        &g,
        "--report",
        &dir_s,
        "--simulations",
        "5",
    ]));
    assert_eq!(v["graph_class"], "dag");
    assert_eq!(v["graph_source"], "given");
    assert!(
        v["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["source"] == "expert")
    );
    assert!(v["identification"]["estimand"].as_str().is_some());
    assert_eq!(
        v["identification"]["adjustment_set"],
        serde_json::json!(["Z"])
    );
    let ate = v["estimate"]["ate"].as_f64().unwrap();
    assert!((ate - 1.5).abs() < 0.1, "ATE {ate}");
    assert!(v["sensitivity"].is_object());
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("Graph class: **DAG** (given)"), "{md}");
}

#[test]
fn pipeline_bootstrap_is_the_same_for_any_thread_count() {
    let run = |threads: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_causal"))
            .args([
                "effect",
                "--data",
                &data(),
                "--treatment",
                "X",
                "--outcome",
                "Y",
                "--discover",
                "pc",
                "--bootstrap",
                "12",
                "--seed",
                "3",
                "--simulations",
                "2",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        json(&out)
    };
    let (a, b) = (run("1"), run("3"));
    assert_eq!(a["bootstrap"], b["bootstrap"]);
    let boot = &a["bootstrap"];
    assert_eq!(boot["replicates"], 12);
    let iv = boot["interval"].as_array().unwrap();
    // The interval spans the possible effects: zero (X <- M) and 1.5.
    assert!(
        iv[0].as_f64().unwrap() <= 0.05 && iv[1].as_f64().unwrap() >= 1.4,
        "{boot}"
    );
    assert!(!boot["edges"].as_array().unwrap().is_empty());
}

#[test]
fn bad_input_names_the_problem() {
    let g = temp_file(TAG, "chain2.dot", DOT);
    let out = causal(&[
        "effect",
        "--data",
        &data(),
        "--treatment",
        "Q",
        "--outcome",
        "Y",
        "--graph",
        &g,
    ]);
    assert_bad_input(&out, &["--treatment", "'Q'"]);
    let out = causal(&[
        "effect",
        "--data",
        &data(),
        "--treatment",
        "Y",
        "--outcome",
        "X",
        "--graph",
        &g,
    ]);
    assert_bad_input(&out, &["descendant", "'Y'", "X -> M -> Y"]);
    // A PAG in which X o-> M keeps X's first edge on a possibly causal path undetermined.
    let pag = temp_file(
        TAG,
        "pag.json",
        r#"{"nodes":["Z","X","M","Y"],"edges":[
          {"from":"Z","to":"X","from_mark":"circle","to_mark":"arrow"},
          {"from":"X","to":"M","from_mark":"circle","to_mark":"arrow"},
          {"from":"M","to":"Y","from_mark":"tail","to_mark":"arrow"},
          {"from":"Z","to":"Y","from_mark":"circle","to_mark":"arrow"}]}"#,
    );
    let out = causal(&[
        "effect",
        "--data",
        &data(),
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--graph",
        &pag,
    ]);
    assert_bad_input(&out, &["not adjustment amenable", "X o-> M", "PAG"]);
    let out = causal(&[
        "effect",
        "--data",
        &data(),
        "--treatment",
        "X",
        "--outcome",
        "Y",
    ]);
    assert_bad_input(&out, &["--graph", "--discover"]);
}

#[test]
fn graph_adjust_accepts_every_class() {
    // The CPDAG A - X -> Y with A -> Y? (a PDAG) and a PAG.
    let cpdag = temp_file(
        TAG,
        "cpdag.json",
        r#"{"nodes":["A","X","Y"],"edges":[
          {"from":"A","to":"X","from_mark":"tail","to_mark":"tail"},
          {"from":"X","to":"Y","from_mark":"tail","to_mark":"tail"}]}"#,
    );
    let v = json(&causal(&[
        "graph",
        "adjust",
        &cpdag,
        "--treatment",
        "X",
        "--outcome",
        "Y",
    ]));
    assert_eq!(v["class"], "cpdag");
    assert_eq!(v["amenable"], false);
    assert_eq!(v["breaking_path"], "X - Y");
    let pdag = temp_file(
        TAG,
        "pdag.json",
        r#"{"nodes":["A","X","Y"],"edges":[
          {"from":"A","to":"X","from_mark":"tail","to_mark":"tail"},
          {"from":"X","to":"Y","from_mark":"tail","to_mark":"arrow"}]}"#,
    );
    let v = json(&causal(&[
        "graph",
        "adjust",
        &pdag,
        "--treatment",
        "X",
        "--outcome",
        "Y",
        "--check",
        "A",
    ]));
    assert_eq!(v["amenable"], true);
    assert_eq!(v["adjustment_set"], serde_json::json!(["A"]));
    assert_eq!(v["optimal"], serde_json::json!([]));
    assert_eq!(v["valid"], true);
    let mag = temp_file(TAG, "mag.dot", "digraph { A -> X; X -> Y; A -> Y; }");
    let v = json(&causal(&[
        "graph",
        "adjust",
        &mag,
        "--class",
        "mag",
        "--treatment",
        "X",
        "--outcome",
        "Y",
    ]));
    assert_eq!(v["class"], "mag");
    assert_eq!(v["amenable"], false, "{v}"); // X -> Y is not visible: nothing points into X
    let v = json(&causal(&[
        "graph",
        "adjust",
        &mag,
        "--treatment",
        "X",
        "--outcome",
        "Y",
    ]));
    assert_eq!(v["class"], "dag");
    assert_eq!(v["optimal"], serde_json::json!(["A"]));
}
