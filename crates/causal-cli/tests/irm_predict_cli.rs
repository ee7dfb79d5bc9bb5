//! `causal irm --out DIR` then `causal irm predict --model DIR --data D`: the reloaded network
//! (IRMv1 on a binary target, V-REx on a real one; DANN's save and load are checked in
//! causal-irm's tests/deep_save.rs) scores each environment's rows exactly as the fitted one
//! did in memory (the fit's per-environment accuracy or MSE), reruns give identical bytes, and
//! a bad folder or data exit 2 naming the problem.

#![cfg(feature = "torch")]

mod common;
use common::{assert_bad_input, causal, json, pseudo_uniform, temp_dir, temp_file};

/// Three environments of 150 rows, as in irm_cli.rs: y = 1[x_c + noise > 0] and a spurious
/// x_s whose strength changes by environment; `regression` makes y = x_c + 0.5 x_s + noise.
/// Returns the whole file and one file per environment.
fn data(regression: bool) -> (String, Vec<String>) {
    let head = "xc,xs,y,e\n";
    let mut all = String::from(head);
    let mut per = vec![String::from(head); 3];
    let mut u = pseudo_uniform(9);
    for (e, part) in per.iter_mut().enumerate() {
        let strength = [1.0, 0.6, -0.8][e];
        for _ in 0..150 {
            let xc = 2.0 * u();
            let label = u8::from(xc + 0.3 * u() > 0.0);
            let xs = (2.0 * f64::from(label) - 1.0) * strength + u();
            let y = if regression {
                format!("{}", xc + 0.5 * xs + 0.2 * u())
            } else {
                label.to_string()
            };
            let line = format!("{xc},{xs},{y},{e}\n");
            all.push_str(&line);
            part.push_str(&line);
        }
    }
    (all, per)
}

/// Fits with `--out` into a fresh folder; returns the fit's JSON, the folder and the
/// per-environment data files.
fn fit(tag: &str, method: &str, regression: bool) -> (serde_json::Value, String, Vec<String>) {
    let (all, per) = data(regression);
    let data = temp_file(tag, "envs.csv", &all);
    let files: Vec<String> = per
        .iter()
        .enumerate()
        .map(|(e, text)| temp_file(tag, &format!("env{e}.csv"), text))
        .collect();
    let model = temp_dir(tag).join("model").display().to_string();
    let v = json(&causal(&[
        "irm",
        "--data",
        &data,
        "--env",
        "e",
        "--target",
        "y",
        "--method",
        method,
        "--hidden",
        "16,8",
        "--epochs",
        "30",
        "--learning-rate",
        "0.01",
        "--seed",
        "2",
        "--test-envs",
        "2",
        "--out",
        &model,
        "--quiet",
    ]));
    (v, model, files)
}

#[test]
fn reloaded_models_score_every_environment_as_the_fitted_ones() {
    for (method, regression) in [("irm", false), ("vrex", true)] {
        let (v, model, files) = fit(&format!("irm-pred-{method}"), method, regression);
        let spec: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(std::path::Path::new(&model).join("spec.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(spec["method"], method);
        assert_eq!(spec["features"], serde_json::json!(["xc", "xs"]));
        assert_eq!(spec["architecture"]["hidden"], serde_json::json!([16, 8]));
        assert!(
            std::path::Path::new(&model)
                .join("model.safetensors")
                .is_file()
        );
        let metric = if regression { "mse" } else { "accuracy" };
        for (e, file) in files.iter().enumerate() {
            let out = causal(&["irm", "predict", "--model", &model, "--data", file]);
            let p = json(&out);
            assert_eq!(p["n"], 150);
            assert_eq!(p["predictions"].as_array().unwrap().len(), 150);
            // The same f32 outputs as the in-memory model, so the same metric to the bit.
            assert_eq!(
                p[metric], v["per_environment"][e][metric],
                "{method}, environment {e}"
            );
            if e == 0 {
                let again = causal(&["irm", "predict", "--model", &model, "--data", file]);
                assert_eq!(again.stdout, out.stdout, "rerun, same bytes");
            }
        }
    }
}

#[test]
fn bad_model_folders_and_data_exit_2() {
    let (_, model, files) = fit("irm-pred-bad", "erm", false);
    let nowhere = temp_dir("irm-pred-bad")
        .join("nowhere")
        .display()
        .to_string();
    assert_bad_input(
        &causal(&["irm", "predict", "--model", &nowhere, "--data", &files[0]]),
        &["spec.json"],
    );
    let no_xs = temp_file("irm-pred-bad", "no_xs.csv", "xc,y\n0.1,1\n-0.2,0\n");
    assert_bad_input(
        &causal(&["irm", "predict", "--model", &model, "--data", &no_xs]),
        &["xs"],
    );
    let weights = std::path::Path::new(&model).join("model.safetensors");
    std::fs::write(&weights, b"not safetensors").unwrap();
    assert_bad_input(
        &causal(&["irm", "predict", "--model", &model, "--data", &files[0]]),
        &["model.safetensors"],
    );
}
