//! `causal scm fit --mechanism linear`, then `intervene` and `counterfactual` on its model
//! folder, checked against closed-form truth: data from the linear-Gaussian SEM
//! Z → X → Y, Z → Y (n = 5000); the fitted coefficients and E[Y | do(X = 1)] match the true
//! ones within stated tolerances, and the counterfactuals equal the abduction–action–prediction
//! closed form of the fitted model. Also a seeded rerun giving identical bytes, and bad input
//! with exit 2.

mod common;
use causal::core::scm::LinearGaussianScm;
use common::{assert_bad_input, causal, json, temp_dir, temp_file};

/// The true model: Z = 1 + U_Z, X = 0.5 + 0.8 Z + U_X, Y = −2 + 1.5 X − 0.7 Z + U_Y with noise
/// sds 1, 0.5, 0.3.
fn truth() -> LinearGaussianScm {
    LinearGaussianScm::new(
        &["Z", "X", "Y"],
        &[("Z", "X", 0.8), ("X", "Y", 1.5), ("Z", "Y", -0.7)],
        &[1.0, 0.5, -2.0],
        &[1.0, 0.5, 0.3],
    )
    .unwrap()
}

/// Fits the linear model to 5000 rows of the truth; returns the fit's JSON and the model folder.
fn fit(tag: &str) -> (serde_json::Value, String) {
    let rows = truth().to_scm().unwrap().sample(5000, 21).unwrap();
    let data = temp_file(tag, "sem.csv", &rows.to_csv());
    let graph = temp_file(tag, "g.dot", "digraph { Z -> X; X -> Y; Z -> Y }\n");
    let model = temp_dir(tag).join("model").display().to_string();
    let v = json(&causal(&[
        "scm",
        "fit",
        "--mechanism",
        "linear",
        "--graph",
        &graph,
        "--data",
        &data,
        "--out",
        &model,
    ]));
    (v, model)
}

/// The fitted model rebuilt from the fit's JSON (coefficients, intercepts, noise sds).
fn fitted(v: &serde_json::Value) -> LinearGaussianScm {
    let nodes = ["Z", "X", "Y"];
    let edges: Vec<(&str, &str, f64)> = v["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["from"].as_str().unwrap(),
                c["to"].as_str().unwrap(),
                c["coef"].as_f64().unwrap(),
            )
        })
        .collect();
    let per = |k: &str| -> Vec<f64> { nodes.iter().map(|n| v[k][n].as_f64().unwrap()).collect() };
    LinearGaussianScm::new(&nodes, &edges, &per("intercept"), &per("noise_sd")).unwrap()
}

fn coef(v: &serde_json::Value, from: &str, to: &str) -> f64 {
    v["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["from"] == from && c["to"] == to)
        .and_then(|c| c["coef"].as_f64())
        .unwrap()
}

#[test]
fn linear_fit_and_intervention_match_the_analytic_truth() {
    let (v, model) = fit("scm-lin");
    assert_eq!(v["mechanism"], "linear");
    assert_eq!(v["nodes"], serde_json::json!(["Z", "X", "Y"]));
    // Standard errors at n = 5000 are about 0.01 (X on Z) and 0.005 (Y on X, Z): 0.04 is
    // four or more of them.
    for (from, to, want) in [("Z", "X", 0.8), ("X", "Y", 1.5), ("Z", "Y", -0.7)] {
        let got = coef(&v, from, to);
        assert!((got - want).abs() < 0.04, "{from} -> {to}: {got} vs {want}");
    }
    for (node, sd) in [("Z", 1.0), ("X", 0.5), ("Y", 0.3)] {
        let got = v["noise_sd"][node].as_f64().unwrap();
        assert!((got / sd - 1.0).abs() < 0.05, "{node}: sd {got} vs {sd}");
    }

    let run = || {
        causal(&[
            "scm",
            "intervene",
            &model,
            "--do",
            "X=1",
            "--n",
            "20000",
            "--seed",
            "5",
        ])
    };
    let out = run();
    let iv = json(&out);
    assert_eq!(run().stdout, out.stdout, "same seed, same bytes");
    assert_eq!(iv["nodes"]["X"]["mean"], 1.0);
    assert_eq!(iv["nodes"]["X"]["sd"], 0.0);
    let y = iv["nodes"]["Y"]["mean"].as_f64().unwrap();
    // Truth: E[Y | do(X=1)] = −2 + 1.5·1 − 0.7·E[Z] = −1.2. The sampling error of the mean
    // (sd 0.76 over 20 000 draws) is 0.005 and the fit's is about 0.01: tolerance 0.05.
    assert!((y + 1.2).abs() < 0.05, "E[Y | do(X=1)] = {y}, truth -1.2");
    // Against the fitted model's own closed form the only error is sampling: 4 sds.
    let m = fitted(&v);
    let (c, b) = (m.intercepts(), m.coefficients());
    let closed = c[2] + b[(2, 1)] * 1.0 + b[(2, 0)] * c[0];
    assert!(
        (y - closed).abs() < 4.0 * 0.76 / 20_000f64.sqrt(),
        "{y} vs {closed}"
    );
    // do(X) leaves its non-descendant Z alone.
    assert!((iv["nodes"]["Z"]["mean"].as_f64().unwrap() - c[0]).abs() < 0.03);
}

#[test]
fn linear_counterfactual_equals_the_closed_form() {
    let (v, model) = fit("scm-lin-cf");
    let units = temp_file(
        "scm-lin-cf",
        "units.json",
        r#"[{"Z": 0.2, "X": 0.9, "Y": -0.4}, {"Z": 2.5, "X": 1.0, "Y": 1.7}]"#,
    );
    let cf = json(&causal(&[
        "scm",
        "counterfactual",
        &model,
        "--unit",
        &units,
        "--do",
        "X=2",
    ]));
    let m = fitted(&v);
    for (k, row) in [[0.2, 0.9, -0.4], [2.5, 1.0, 1.7]].iter().enumerate() {
        let want = m.counterfactual_closed_form(row, "X", 2.0).unwrap();
        for (j, node) in ["Z", "X", "Y"].iter().enumerate() {
            let got = cf["counterfactual"][k][node].as_f64().unwrap();
            assert!(
                (got - want[j]).abs() < 1e-9,
                "unit {k} {node}: {got} vs {}",
                want[j]
            );
        }
        assert_eq!(cf["factual"][k]["Y"].as_f64(), Some(row[2]));
    }
    // do(Z = 0) moves Z's descendants through both paths, as the closed form says.
    let cf = json(&causal(&[
        "scm",
        "counterfactual",
        &model,
        "--unit",
        &units,
        "--do",
        "Z=0",
    ]));
    let want = m
        .counterfactual_closed_form(&[2.5, 1.0, 1.7], "Z", 0.0)
        .unwrap();
    let got = cf["counterfactual"][1]["Y"].as_f64().unwrap();
    assert!((got - want[2]).abs() < 1e-9, "{got} vs {}", want[2]);
}

#[test]
fn linear_scm_rejects_bad_input_with_exit_2() {
    let (_, model) = fit("scm-lin-bad");
    assert_bad_input(
        &causal(&["scm", "intervene", &model, "--do", "Q=1"]),
        &["Q"],
    );
    let unit = temp_file("scm-lin-bad", "unit.json", r#"{"Z": 0.1, "X": 0.5}"#);
    assert_bad_input(
        &causal(&[
            "scm",
            "counterfactual",
            &model,
            "--unit",
            &unit,
            "--do",
            "X=1",
        ]),
        &["'Y'"],
    );
    let spec = std::path::Path::new(&model).join("spec.json");
    let text = std::fs::read_to_string(&spec).unwrap();
    let broken = temp_dir("scm-lin-bad").join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("spec.json"),
        text.replace("\"noise_sd\"", "\"noise\""),
    )
    .unwrap();
    let broken = broken.display().to_string();
    assert_bad_input(
        &causal(&["scm", "intervene", &broken, "--do", "X=1"]),
        &["spec.json", "noise_sd"],
    );
    let data = temp_file("scm-lin-bad", "d.csv", "X,Y\n0,1\n1,3\n2,4\n3,7\n");
    let cyclic = temp_file("scm-lin-bad", "cycle.dot", "digraph { X -> Y; Y -> X; }\n");
    let out = temp_dir("scm-lin-bad").join("m2").display().to_string();
    assert_bad_input(
        &causal(&[
            "scm",
            "fit",
            "--mechanism",
            "linear",
            "--graph",
            &cyclic,
            "--data",
            &data,
            "--out",
            &out,
        ]),
        &["cycle"],
    );
    let missing = temp_file("scm-lin-bad", "w.dot", "digraph { X -> W; }\n");
    assert_bad_input(
        &causal(&[
            "scm",
            "fit",
            "--mechanism",
            "linear",
            "--graph",
            &missing,
            "--data",
            &data,
            "--out",
            &out,
        ]),
        &["'W'"],
    );
    assert_bad_input(
        &causal(&[
            "scm",
            "fit",
            "--mechanism",
            "cubic",
            "--graph",
            &missing,
            "--data",
            &data,
            "--out",
            &out,
        ]),
        &["cubic"],
    );
}

/// A linear model never goes to the LibTorch companion: with LibTorch "moved away" it still
/// fits and answers, while the MLP mechanism reports the missing LibTorch (exit 1).
#[test]
fn linear_scm_runs_in_the_front_end_without_libtorch() {
    let rows = truth().to_scm().unwrap().sample(200, 2).unwrap();
    let data = temp_file("scm-lin-free", "sem.csv", &rows.to_csv());
    let graph = temp_file(
        "scm-lin-free",
        "g.dot",
        "digraph { Z -> X; X -> Y; Z -> Y }\n",
    );
    let model = temp_dir("scm-lin-free").join("model").display().to_string();
    let bare = |mechanism: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_causal"))
            .args([
                "scm",
                "fit",
                "--mechanism",
                mechanism,
                "--graph",
                &graph,
                "--data",
                &data,
                "--out",
                &model,
                "--quiet",
            ])
            .env("CAUSAL_LIBTORCH", "/nonexistent/libtorch")
            .output()
            .unwrap()
    };
    assert_eq!(json(&bare("linear"))["mechanism"], "linear");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_causal"))
        .args(["scm", "intervene", &model, "--do", "X=1", "--n", "100"])
        .env("CAUSAL_LIBTORCH", "/nonexistent/libtorch")
        .output()
        .unwrap();
    assert_eq!(json(&out)["nodes"]["X"]["mean"], 1.0);
    if cfg!(feature = "torch") {
        let out = bare("mlp");
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/libtorch"));
    }
}
