//! End-to-end tests of `causal stable-set` and `causal predict`.

mod common;
use common::{assert_bad_input, causal, json, pseudo_uniform, temp_dir, temp_file};

/// X -> Y -> C1, Y -> C2: C1's mechanism is the one marked as shifting.
const GRAPH: &str = r#"{"nodes":["X","Y","C1","C2"],"edges":[{"from":"X","to":"Y"},
 {"from":"Y","to":"C1"},{"from":"Y","to":"C2"}]}"#;

const CYCLE: &str = r#"{"nodes":["X","Y","C1","C2"],"edges":[{"from":"X","to":"Y"},
 {"from":"Y","to":"C1"},{"from":"C1","to":"X"},{"from":"Y","to":"C2"}]}"#;

/// 600 rows of the graph: Y = X + noise, C1 = Y + small noise, C2 = Y + noise.
fn data_csv() -> String {
    let mut s = String::from("X,Y,C1,C2\n");
    let mut u = pseudo_uniform(5);
    for _ in 0..600 {
        let x = 2.0 * u();
        let y = x + u();
        let c1 = y + 0.1 * u();
        let c2 = y + 0.5 * u();
        s.push_str(&format!("{x},{y},{c1},{c2}\n"));
    }
    s
}

#[test]
fn stable_set_excludes_the_shifted_child_and_says_why() {
    let g = temp_file("stable-set", "g.json", GRAPH);
    let v = json(&causal(&[
        "stable-set",
        "--graph",
        &g,
        "--target",
        "Y",
        "--shifted",
        "C1",
    ]));
    assert_eq!(v["stable_set"], serde_json::json!(["X", "C2"]));
    assert_eq!(v["excluded"][0]["feature"], "C1");
    let reason = v["excluded"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("S(C1) -> C1 <- Y"), "{reason}");
    assert_eq!(v["parents"], serde_json::json!(["X"]));
    assert_eq!(v["exact"], true);
}

#[test]
fn stable_set_with_data_is_seeded_and_treats_missing_columns_as_latent() {
    let g = temp_file("stable-set", "g.json", GRAPH);
    // Without C2 in the data, C2 is latent and the set shrinks to {X}.
    let text = data_csv();
    let no_c2: String = text
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_owned() + "\n")
        .collect();
    let d = temp_file("stable-set", "d.csv", &text);
    let d3 = temp_file("stable-set", "d3.csv", &no_c2);
    let args = [
        "stable-set",
        "--graph",
        &g,
        "--target",
        "Y",
        "--shifted",
        "C1",
    ];
    let run = |data: &str| causal(&[&args[..], &["--data", data, "--seed", "3"]].concat());
    let (a, b) = (run(&d), run(&d));
    assert_eq!(a.stdout, b.stdout, "seeded reruns differ");
    let v = json(&a);
    assert_eq!(v["stable_set"], serde_json::json!(["X", "C2"]));
    assert!(v["candidates"][0]["validation_mse"].as_f64().unwrap() > 0.0);
    let v = json(&run(&d3));
    assert_eq!(v["stable_set"], serde_json::json!(["X"]));
    assert_eq!(v["latent"], serde_json::json!(["C2"]));
}

#[test]
fn stable_set_bad_input_exits_2_naming_it() {
    let g = temp_file("stable-set", "g.json", GRAPH);
    let c = temp_file("stable-set", "cycle.json", CYCLE);
    let base = |graph: &str, target: &str, shifted: &str| {
        causal(&[
            "stable-set",
            "--graph",
            graph,
            "--target",
            target,
            "--shifted",
            shifted,
        ])
    };
    assert_bad_input(&base(&g, "Y", "C1,Q"), &["unknown node 'Q'"]);
    assert_bad_input(&base(&g, "Q", "C1"), &["unknown node 'Q'"]);
    assert_bad_input(&base(&g, "Y", "Y"), &["target 'Y' is marked as shifted"]);
    assert_bad_input(&base(&c, "Y", "C1"), &["cycle", "C1"]);
}

fn fit(dir: &std::path::Path, data: &str, mode_args: &[&str], model: &str) -> std::process::Output {
    let model = dir.join(model).display().to_string();
    let mut args = vec![
        "predict", "fit", "--data", data, "--target", "Y", "--epochs", "30", "--seed", "1",
        "--model", &model,
    ];
    args.extend_from_slice(mode_args);
    causal(&args)
}

#[test]
fn predict_fit_and_eval_on_the_stable_set() {
    let dir = temp_dir("predict");
    let g = temp_file("predict", "g.json", GRAPH);
    let d = temp_file("predict", "d.csv", &data_csv());
    let mode = ["--mode", "stable-set", "--graph", &g, "--shifted", "C1"];
    let a = fit(&dir, &d, &mode, "m.json");
    let b = fit(&dir, &d, &mode, "m.json");
    assert_eq!(a.stdout, b.stdout, "seeded reruns differ");
    let v = json(&a);
    assert_eq!(v["used_features"], serde_json::json!(["X", "C2"]));
    assert_eq!(v["stable_set"], serde_json::json!(["X", "C2"]));
    // C1 is masked out of the network: its first-layer weights are (floored) zero.
    assert!(v["input_strengths"]["C1"].as_f64().unwrap() < 1e-5, "{v}");
    let mse = v["metrics"]["mse"].as_f64().unwrap();
    // Var(Y | X, C2) is about 0.05 here; the fit gets close on its training data.
    assert!(mse < 0.1, "{mse}");
    let model = dir.join("m.json").display().to_string();
    let out = dir.join("pred.csv").display().to_string();
    let e = json(&causal(&[
        "predict", "eval", "--model", &model, "--data", &d, "--out", &out,
    ]));
    assert_eq!(e["mode"], "restrict");
    assert!((e["metrics"]["mse"].as_f64().unwrap() - mse).abs() < 1e-9);
    let lines = std::fs::read_to_string(&out).unwrap().lines().count();
    assert_eq!(lines, 601);
    // The soft mode and the parents mode run through the same code path.
    let v = json(&fit(
        &dir,
        &d,
        &[
            "--mode",
            "align",
            "--graph",
            &g,
            "--penalty",
            "0.5",
            "--confidence",
            "C2=0.5",
        ],
        "a.json",
    ));
    assert_eq!(v["used_features"], serde_json::json!(["X", "C1", "C2"]));
    let v = json(&fit(
        &dir,
        &d,
        &["--mode", "parents", "--graph", &g],
        "p.json",
    ));
    assert_eq!(v["used_features"], serde_json::json!(["X"]));
}

#[test]
fn predict_bad_input_exits_2_naming_it() {
    let dir = temp_dir("predict-bad");
    let g = temp_file("predict-bad", "g.json", GRAPH);
    let c = temp_file("predict-bad", "cycle.json", CYCLE);
    let d = temp_file("predict-bad", "d.csv", &data_csv());
    let stable = |graph: &str, shifted: &str| {
        fit(
            &dir,
            &d,
            &[
                "--mode",
                "stable-set",
                "--graph",
                graph,
                "--shifted",
                shifted,
            ],
            "m.json",
        )
    };
    assert_bad_input(&stable(&g, "Q"), &["unknown node 'Q'"]);
    assert_bad_input(&stable(&g, "Y"), &["target 'Y' is marked as shifted"]);
    assert_bad_input(&stable(&c, "C1"), &["cycle", "C1"]);
    assert_bad_input(&fit(&dir, &d, &["--features", "X,Q"], "m.json"), &["'Q'"]);
    assert_bad_input(&fit(&dir, &d, &["--mode", "align"], "m.json"), &["--graph"]);
    let missing = dir.join("none.json").display().to_string();
    assert_bad_input(
        &causal(&["predict", "eval", "--model", &missing, "--data", &d]),
        &["none.json"],
    );
}

#[test]
fn help_lists_stable_set_and_predict() {
    let out = causal(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("stable-set") && text.contains("predict"),
        "{text}"
    );
    let out = causal(&["predict", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fit") && text.contains("eval"), "{text}");
}
