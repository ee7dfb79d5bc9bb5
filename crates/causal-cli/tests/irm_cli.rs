//! `causal irm` end to end: per-environment metrics as JSON and the model folder, a seeded rerun
//! giving identical JSON, and bad input with exit 2. Small linear fits keep it fast.

#![cfg(feature = "torch")]

mod common;
use common::{causal, json, pseudo_uniform, temp_dir, temp_file};

/// Three environments of 150 rows: y = 1[x_c + noise > 0] with a stable mechanism, and a
/// spurious feature x_s = (2y − 1)·strength_e + noise whose strength changes by environment.
fn data() -> String {
    let mut s = String::from("xc,xs,y,e\n");
    let mut u = pseudo_uniform(7);
    for e in 0..3 {
        let strength = [1.0, 0.6, -0.8][e];
        for _ in 0..150 {
            let xc = 2.0 * u();
            let y = u8::from(xc + 0.3 * u() > 0.0);
            let xs = (2.0 * f64::from(y) - 1.0) * strength + u();
            s.push_str(&format!("{xc},{xs},{y},{e}\n"));
        }
    }
    s
}

/// A linear model unless `extra` sets `--hidden`.
fn irm_args<'a>(
    data: &'a str,
    method: &'a str,
    epochs: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let hidden = if extra.contains(&"--hidden") {
        &[][..]
    } else {
        &["--hidden", ""][..]
    };
    let mut v = vec![
        "irm",
        "--data",
        data,
        "--env",
        "e",
        "--target",
        "y",
        "--method",
        method,
        "--epochs",
        epochs,
        "--learning-rate",
        "0.05",
        "--seed",
        "3",
        "--quiet",
    ];
    v.extend_from_slice(hidden);
    v.extend_from_slice(extra);
    v
}

#[test]
fn irm_reports_per_environment_accuracy_writes_the_model_and_reruns_identically() {
    let data = temp_file("irm", "envs.csv", &data());
    let model = temp_dir("irm").join("model");
    let model_str = model.display().to_string();
    let out = causal(&irm_args(
        &data,
        "irm",
        "40",
        &["--test-envs", "2", "--out", &model_str],
    ));
    let v = json(&out);
    assert_eq!(v["method"], "irm");
    assert_eq!(v["task"], "binary");
    assert_eq!(v["selection"], "training-domain");
    assert_eq!(v["features"], serde_json::json!(["xc", "xs"]));
    let envs = v["per_environment"].as_array().unwrap();
    assert_eq!(envs.len(), 3);
    assert_eq!(envs[2]["role"], "test");
    for e in envs {
        assert_eq!(e["n"], 150);
        let acc = e["accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc), "{e}");
        // In the training domains both features predict y well (x_c alone to about 95%).
        if e["role"] == "train" {
            assert!(acc > 0.75, "{e}");
        }
    }
    assert_eq!(v["linear_weights"].as_array().unwrap().len(), 2);
    // The model folder's spec is this output plus the architecture (irm_predict_cli.rs
    // reloads the weights).
    let mut written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("spec.json")).unwrap()).unwrap();
    assert_eq!(written["architecture"]["n_features"], 2);
    written.as_object_mut().unwrap().remove("architecture");
    assert_eq!(written, v);

    // Same seed, same JSON.
    let again = json(&causal(&irm_args(
        &data,
        "irm",
        "40",
        &["--test-envs", "2", "--out", &model_str],
    )));
    assert_eq!(again, v);

    // Every method runs through the same entry point (DANN's domain classifier needs a
    // hidden layer to read).
    for method in ["erm", "vrex", "groupdro", "dann"] {
        let v = json(&causal(&irm_args(&data, method, "5", &["--hidden", "8"])));
        assert_eq!(v["method"], method);
        assert_eq!(v["linear_weights"], serde_json::Value::Null);
    }
}

#[test]
fn irm_rejects_bad_input_with_exit_2() {
    let data = temp_file("irm-bad", "envs.csv", &data());
    for extra in [
        &["--test-envs", "9"][..],
        &["--features", "nope"][..],
        &["--hidden", "0"][..],
    ] {
        let out = causal(&irm_args(&data, "erm", "5", extra));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = causal(&[
        "irm", "--data", &data, "--env", "e", "--target", "y", "--method", "sgd",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
