//! `causal scm fit|intervene|counterfactual` end to end on a linear-Gaussian chain with known
//! answers: E[Y | do(X = 1)] = 2 and the counterfactual Y of a unit shifts by 2·ΔX. Also a
//! seeded rerun giving identical JSON and bad input with exit 2.

#![cfg(feature = "torch")]

mod common;
use common::{assert_bad_input, causal, json, pseudo_uniform, temp_dir, temp_file};

/// 600 rows of X → Y: X uniform on [-1.7, 1.7], Y = 2X + noise (sd about 0.29).
fn chain() -> String {
    let mut s = String::from("X,Y\n");
    let mut u = pseudo_uniform(11);
    for _ in 0..600 {
        let x = 3.4 * u();
        let y = 2.0 * x + u();
        s.push_str(&format!("{x},{y}\n"));
    }
    s
}

/// Fits the chain for `epochs` epochs into a fresh model folder; returns it and the data file.
fn fit(tag: &str, epochs: &str) -> (String, String) {
    let data = temp_file(tag, "chain.csv", &chain());
    let graph = temp_file(tag, "g.dot", "digraph { X -> Y; }\n");
    let model = temp_dir(tag).join("model").display().to_string();
    let out = causal(&[
        "scm", "fit", "--graph", &graph, "--data", &data, "--out", &model, "--hidden", "16",
        "--epochs", epochs, "--seed", "1", "--quiet",
    ]);
    let v = json(&out);
    assert_eq!(v["nodes"], serde_json::json!(["X", "Y"]));
    (model, data)
}

#[test]
fn scm_fit_intervene_and_counterfactual_match_the_linear_truth_and_rerun_identically() {
    let (model, _) = fit("scm", "150");
    let run = || {
        json(&causal(&[
            "scm",
            "intervene",
            &model,
            "--do",
            "X=1",
            "--n",
            "4000",
            "--seed",
            "5",
        ]))
    };
    let v = run();
    // The intervened node is the constant (up to the model's f32 round trip).
    assert!(
        (v["nodes"]["X"]["mean"].as_f64().unwrap() - 1.0).abs() < 1e-5,
        "{v}"
    );
    let y = v["nodes"]["Y"]["mean"].as_f64().unwrap();
    assert!((y - 2.0).abs() < 0.3, "E[Y | do(X=1)] = {y}, truth 2");
    assert_eq!(run(), v, "same seed, same JSON");

    // Unit (X = 0.5, Y = 1.3): its noise is 0.3, so under do(X = 1) Y is about 2.3.
    let unit = temp_file("scm", "unit.json", r#"{"X": 0.5, "Y": 1.3}"#);
    let cf = json(&causal(&[
        "scm",
        "counterfactual",
        &model,
        "--unit",
        &unit,
        "--do",
        "X=1",
    ]));
    assert_eq!(cf["factual"][0]["Y"], 1.3);
    assert!(
        (cf["counterfactual"][0]["X"].as_f64().unwrap() - 1.0).abs() < 1e-5,
        "{cf}"
    );
    let y_cf = cf["counterfactual"][0]["Y"].as_f64().unwrap();
    assert!(
        (y_cf - 2.3).abs() < 0.3,
        "counterfactual Y = {y_cf}, truth 2.3"
    );
}

#[test]
fn scm_rejects_bad_input_with_exit_2() {
    // The model only has to exist here.
    let (model, data) = fit("scm-bad", "2");
    let out = causal(&["scm", "intervene", &model, "--do", "Q=1"]);
    assert_bad_input(&out, &["Q"]);
    let out = causal(&["scm", "intervene", &model, "--do", "X"]);
    assert_bad_input(&out, &["NODE=VALUE"]);
    let unit = temp_file("scm-bad", "unit.json", r#"{"X": 0.5}"#);
    let out = causal(&[
        "scm",
        "counterfactual",
        &model,
        "--unit",
        &unit,
        "--do",
        "X=1",
    ]);
    assert_bad_input(&out, &["'Y'"]);
    let out = causal(&["scm", "intervene", &data, "--do", "X=1"]);
    assert_eq!(out.status.code(), Some(2));
    let cyclic = temp_file("scm-bad", "cycle.dot", "digraph { X -> Y; Y -> X; }\n");
    let out = causal(&[
        "scm", "fit", "--graph", &cyclic, "--data", &data, "--out", &model, "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
