//! End-to-end tests of `causal estimate --method dml-*` and `causal cate`: the effect of a simulated SCM, the
//! learners by name, seeded reruns, and bad input with exit code 2.

mod common;
use common::{assert_bad_input, causal, json, temp_file};

const TAG: &str = "dml";

/// Z1, Z2 confound a binary treatment T and a Gaussian outcome Y; the true ATE is 2.
const SCM: &str = r#"{"nodes": [
  {"name": "Z1", "type": "gaussian", "sd": 1.0},
  {"name": "Z2", "type": "gaussian", "sd": 1.0},
  {"name": "T", "type": "binary", "intercept": -0.2, "parents": {"Z1": 0.8, "Z2": -0.5}},
  {"name": "Y", "type": "gaussian", "sd": 1.0, "parents": {"T": 2.0, "Z1": 1.5, "Z2": 1.0}}
]}"#;

fn data() -> String {
    static DATA: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DATA.get_or_init(|| {
        let scm = temp_file(TAG, "scm.json", SCM);
        let out = causal(&["simulate", "--scm", &scm, "--n", "3000", "--seed", "4"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        temp_file(TAG, "data.csv", &String::from_utf8(out.stdout).unwrap())
    })
    .clone()
}

fn estimate(extra: &[&str]) -> std::process::Output {
    let d = data();
    let mut args = vec![
        "estimate",
        "--data",
        &d,
        "--treatment",
        "T",
        "--outcome",
        "Y",
        "--adjust",
        "Z1,Z2",
    ];
    args.extend_from_slice(extra);
    causal(&args)
}

/// `causal cate --data D --treatment T --outcome Y` with `extra` arguments.
fn cate(extra: &[&str]) -> std::process::Output {
    let d = data();
    let mut args = vec!["cate", "--data", &d, "--treatment", "T", "--outcome", "Y"];
    args.extend_from_slice(extra);
    causal(&args)
}

#[test]
fn dml_plr_and_irm_recover_the_effect_and_rerun_identically() {
    for (method, learner) in [
        ("dml-plr", "linear"),
        ("dml-irm", "linear"),
        ("dml-irm", "lasso:0.01"),
    ] {
        let args = [
            "--method",
            method,
            "--learner",
            learner,
            "--folds",
            "4",
            "--repeats",
            "3",
            "--seed",
            "9",
        ];
        let out = estimate(&args);
        let v = json(&out);
        let ate = v["ate"].as_f64().unwrap();
        let se = v["se"].as_f64().unwrap();
        assert!(
            (ate - 2.0).abs() < 4.0 * se,
            "{method}/{learner}: {ate} ± {se}"
        );
        assert_eq!(v["method"], "dml");
        assert_eq!(v["details"]["all_coef"].as_array().unwrap().len(), 3);
        assert_eq!(v["details"]["folds"], 4);
        assert_eq!(json(&estimate(&args)), v, "{method}: seeded rerun differs");
    }
}

#[test]
fn dml_bad_input_exits_2_naming_the_problem() {
    assert_bad_input(
        &estimate(&["--method", "dml-irm", "--learner", "forest9"]),
        &["forest9"],
    );
    assert_bad_input(&estimate(&["--method", "dml-xyz"]), &["dml-xyz"]);
    assert_bad_input(
        &estimate(&["--method", "dml-irm", "--folds", "5000"]),
        &["5000 folds", "'T'"],
    );
    assert_bad_input(
        &estimate(&["--method", "dml-irm", "--clip", "0.4999999"]),
        &["trimming bounds"],
    );
    assert_bad_input(
        &estimate(&["--method", "dml-plr", "--score", "atte"]),
        &["dml-plr", "Atte"],
    );
    // A treatment with one value.
    let d = temp_file(
        TAG,
        "constant.csv",
        "T,Y,Z1\n1,0.5,1\n1,0.7,2\n1,0.1,3\n1,0.9,4\n1,0.2,5\n",
    );
    let out = causal(&[
        "estimate",
        "--data",
        &d,
        "--treatment",
        "T",
        "--outcome",
        "Y",
        "--adjust",
        "Z1",
        "--method",
        "dml-plr",
        "--folds",
        "2",
    ]);
    assert_bad_input(&out, &["'T'", "one value"]);
}

#[test]
fn cate_writes_per_unit_effects_and_a_summary() {
    let d = data();
    let dir = common::temp_dir(TAG);
    let out_csv = dir.join("cate.csv");
    let out_csv = out_csv.to_str().unwrap();
    let args = [
        "--method",
        "dr",
        "--features",
        "Z1",
        "--out",
        out_csv,
        "--seed",
        "2",
    ];
    let v = json(&cate(&args));
    // The effect is constant (2): the intercept is near 2, the Z1 slope near 0.
    let coef = v["coef"].as_array().unwrap();
    let se = v["se"].as_array().unwrap();
    assert!(
        (coef[0].as_f64().unwrap() - 2.0).abs() < 4.0 * se[0].as_f64().unwrap(),
        "{v}"
    );
    assert!(
        coef[1].as_f64().unwrap().abs() < 4.0 * se[1].as_f64().unwrap(),
        "{v}"
    );
    assert_eq!(v["adjust"], serde_json::json!(["Z1", "Z2"]));
    let csv = std::fs::read_to_string(out_csv).unwrap();
    assert_eq!(csv.lines().count(), 3001);
    assert!(csv.starts_with("row,cate,se,lower,upper\n"));
    assert_eq!(json(&cate(&args)), v, "seeded rerun differs");
    assert_bad_input(&cate(&["--method", "q"]), &["'q'"]);
    assert_bad_input(
        &causal(&["cate", "--data", &d, "--treatment", "Y", "--outcome", "T"]),
        &["'Y'"],
    );
}

#[test]
fn cate_flexible_final_stage_gets_bootstrap_intervals() {
    let dir = common::temp_dir(TAG);
    let out_csv = dir.join("cate_forest.csv");
    let out_csv = out_csv.to_str().unwrap();
    let args = [
        "--features",
        "Z1",
        "--final-stage",
        "forest:20",
        "--bootstrap",
        "20",
        "--out",
        out_csv,
    ];
    let v = json(&cate(&args));
    assert_eq!(v["final_stage"], "forest:20");
    assert_eq!(v["bootstrap"], 20);
    // The ATE is the mean pseudo-outcome: near the true 2.
    let (ate, se) = (v["ate"].as_f64().unwrap(), v["ate_se"].as_f64().unwrap());
    assert!((ate - 2.0).abs() < 4.0 * se, "{v}");
    let csv = std::fs::read_to_string(out_csv).unwrap();
    assert!(
        csv.starts_with("row,cate,se,lower,upper\n"),
        "{}",
        &csv[..40]
    );
    let rows: Vec<Vec<f64>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(|f| f.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 3000);
    assert!(rows.iter().all(|r| r[2] > 0.0 && r[3] < r[4]));
    // A forest refit on a resample need not bracket the full-data forest at every row (20
    // replicates), but it does at most rows.
    let inside = rows.iter().filter(|r| r[3] <= r[1] && r[1] <= r[4]).count();
    assert!(
        inside > 2700,
        "{inside} of 3000 estimates inside their intervals"
    );
    assert_eq!(json(&cate(&args)), v, "seeded rerun differs");
    assert_bad_input(
        &cate(&["--features", "Z1", "--bootstrap", "5"]),
        &["bootstrap"],
    );
    assert_bad_input(
        &cate(&["--features", "Z1", "--final-stage", "sgd"]),
        &["'sgd'"],
    );
    // The R-learner's final stage is a weighted forest; its ATE (the mean effect) gets the
    // bootstrap's standard error.
    let r = json(&cate(&[
        "--method",
        "r",
        "--features",
        "Z1",
        "--final-stage",
        "forest:20",
        "--bootstrap",
        "20",
        "--out",
        out_csv,
    ]));
    let (ate, se) = (r["ate"].as_f64().unwrap(), r["ate_se"].as_f64().unwrap());
    assert!(se > 0.0 && (ate - 2.0).abs() < 4.0 * se, "{r}");
    assert_bad_input(
        &cate(&[
            "--method",
            "r",
            "--features",
            "Z1",
            "--final-stage",
            "lasso",
        ]),
        &["lasso", "weights"],
    );
    // Overlap weights, a joint outcome model and the plug-in offset: named in the JSON; the ATE (the mean
    // pseudo-outcome, which overlap weights leave alone) stays near the truth.
    let w = json(&cate(&[
        "--features",
        "Z1",
        "--final-stage",
        "forest:20",
        "--overlap-weights",
        "--joint-outcome",
        "--plugin-offset",
        "--learner",
        "forest:20",
    ]));
    assert_eq!(w["overlap_weights"], true);
    assert_eq!(w["joint_outcome"], true);
    assert_eq!(w["plugin_offset"], true);
    let (ate, se) = (w["ate"].as_f64().unwrap(), w["ate_se"].as_f64().unwrap());
    assert!((ate - 2.0).abs() < 4.0 * se, "{w}");
    assert!(v.get("overlap_weights").is_none());
    assert_bad_input(
        &cate(&["--features", "Z1", "--overlap-weights"]),
        &["overlap weights"],
    );
    // The R-learner with m composed from the arms: named in the JSON, its mean effect near
    // the truth; the DR-learner refuses it.
    let c = json(&cate(&[
        "--method",
        "r",
        "--features",
        "Z1",
        "--final-stage",
        "forest:20",
        "--plugin-offset",
        "--composed-outcome",
        "--learner",
        "forest:20",
    ]));
    assert_eq!(c["composed_outcome"], true);
    assert!((c["ate"].as_f64().unwrap() - 2.0).abs() < 0.5, "{c}");
    assert!(w.get("composed_outcome").is_none());
    assert_bad_input(
        &cate(&["--features", "Z1", "--composed-outcome"]),
        &["composed outcome model"],
    );
}

#[test]
fn mlp_learner_runs_in_the_companion_and_reruns_identically() {
    let args = [
        "--method",
        "dml-irm",
        "--learner",
        "mlp:32",
        "--folds",
        "3",
        "--seed",
        "5",
    ];
    let v = json(&estimate(&args));
    let (ate, se) = (v["ate"].as_f64().unwrap(), v["se"].as_f64().unwrap());
    assert!((ate - 2.0).abs() < 4.0 * se, "mlp DML-IRM: {ate} ± {se}");
    assert!(
        v["details"].to_string().contains("mlp (hidden 32"),
        "the learner is reported: {v}"
    );
    assert_eq!(json(&estimate(&args)), v, "seeded rerun differs");
    let cate = json(&cate(&[
        "--method",
        "dr",
        "--features",
        "Z1",
        "--learner",
        "mlp:16",
        "--folds",
        "3",
    ]));
    let (c0, s0) = (
        cate["coef"][0].as_f64().unwrap(),
        cate["se"][0].as_f64().unwrap(),
    );
    assert!((c0 - 2.0).abs() < 4.0 * s0, "mlp DR-learner: {cate}");
    assert_bad_input(
        &estimate(&["--method", "dml-irm", "--learner", "mlp:0"]),
        &["mlp:0", "'0'"],
    );
}

/// Two continuous treatments confounded by Z: effects 1 and −0.5 on Y.
const SCM2: &str = r#"{"nodes": [
  {"name": "Z", "type": "gaussian", "sd": 1.0},
  {"name": "D1", "type": "gaussian", "sd": 1.0, "parents": {"Z": 0.8}},
  {"name": "D2", "type": "gaussian", "sd": 1.0, "parents": {"Z": -0.6, "D1": 0.5}},
  {"name": "Y", "type": "gaussian", "sd": 1.0, "parents": {"D1": 1.0, "D2": -0.5, "Z": 1.2}}
]}"#;

#[test]
fn several_treatments_get_a_simultaneous_band() {
    let scm = temp_file(TAG, "scm2.json", SCM2);
    let out = causal(&["simulate", "--scm", &scm, "--n", "2000", "--seed", "3"]);
    let d = temp_file(TAG, "two.csv", &String::from_utf8(out.stdout).unwrap());
    let args = [
        "estimate",
        "--data",
        &d,
        "--treatment",
        "D1,D2",
        "--outcome",
        "Y",
        "--adjust",
        "Z",
        "--method",
        "dml-plr",
        "--seed",
        "4",
    ];
    let v = json(&causal(&args));
    let c = v["critical_value"].as_f64().unwrap();
    assert!(c > v["pointwise_critical_value"].as_f64().unwrap(), "{v}");
    for (e, truth) in v["estimates"].as_array().unwrap().iter().zip([1.0, -0.5]) {
        let band = e["band"].as_array().unwrap();
        let (lo, hi) = (band[0].as_f64().unwrap(), band[1].as_f64().unwrap());
        assert!(lo < truth && truth < hi, "{e}");
        let se = e["se"].as_f64().unwrap();
        assert!((hi - lo - 2.0 * c * se).abs() < 1e-9, "{e}");
    }
    assert_eq!(v["bootstrap_draws"], 1000);
    assert_eq!(json(&causal(&args)), v, "seeded rerun differs");
    let mut no_adjust = args.to_vec();
    no_adjust.truncate(7);
    no_adjust.extend(["--method", "dml-plr"]);
    assert_bad_input(&causal(&no_adjust), &["D1, D2", "--adjust"]);
}
