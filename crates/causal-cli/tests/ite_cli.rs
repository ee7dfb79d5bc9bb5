//! `causal ite` end to end: the JSON summary, the per-row predictions CSV, seeded
//! reproducibility and bad-input exit codes, on a small simulated data set with a known effect.

#![cfg(feature = "torch")]

mod common;
use common::causal;

use std::path::{Path, PathBuf};
use std::process::Output;

fn temp_dir() -> PathBuf {
    common::temp_dir("ite")
}

/// 240 rows: x1 = sin(0.7 i), x2 = i mod 3 == 0; treated when x1 + noise-free jitter > 0
/// (confounded by x1); y = x1 + x2 + t (1 + x1). The true effect is τ = 1 + x1.
fn simulated(dir: &Path) -> (PathBuf, f64) {
    let mut csv = String::from("x1,x2,treat,outcome\n");
    let mut tau = 0.0;
    let n = 240;
    for i in 0..n {
        let x1 = (0.7 * i as f64).sin();
        let x2 = f64::from(u8::from(i % 3 == 0));
        let t = f64::from(u8::from(x1 + 0.8 * (1.3 * i as f64).cos() > 0.0));
        let y = x1 + x2 + t * (1.0 + x1);
        tau += 1.0 + x1;
        csv.push_str(&format!("{x1},{x2},{t},{y}\n"));
    }
    let path = dir.join("sim.csv");
    std::fs::write(&path, csv).unwrap();
    (path, tau / n as f64)
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn ite(data: &Path, preds: &Path, model: &str, seed: &str) -> Output {
    ite_with(data, preds, model, seed, &[])
}

fn ite_with(data: &Path, preds: &Path, model: &str, seed: &str, extra: &[&str]) -> Output {
    ite_for(data, preds, model, seed, "40", extra)
}

/// `causal ite` capped at `epochs`.
fn ite_for(
    data: &Path,
    preds: &Path,
    model: &str,
    seed: &str,
    epochs: &str,
    extra: &[&str],
) -> Output {
    let mut args = vec![
        "ite",
        "--model",
        model,
        "--data",
        data.to_str().unwrap(),
        "--treatment",
        "treat",
        "--outcome",
        "outcome",
        "--epochs",
        epochs,
        "--seed",
        seed,
        "--out",
        preds.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    causal(&args)
}

#[test]
fn ite_prints_the_effect_as_json_and_writes_per_row_predictions() {
    let dir = temp_dir();
    let (data, true_ate) = simulated(&dir);
    let preds = dir.join("preds.csv");
    let v = json(&ite(&data, &preds, "dragonnet", "3"));

    assert_eq!(v["model"], "dragonnet");
    assert_eq!(v["n"], 240);
    assert_eq!(v["covariates"], serde_json::json!(["x1", "x2"]));
    let n_treated = v["n_treated"].as_u64().unwrap();
    assert!((20..220).contains(&n_treated), "{n_treated} treated");
    assert!(v["epochs"].as_u64().unwrap() <= 40);
    assert_eq!(v["ate_aipw"]["propensity"], "model head");
    let ate = v["ate"].as_f64().unwrap();
    let aipw = v["ate_aipw"]["estimate"].as_f64().unwrap();
    let ci: Vec<f64> = v["ate_aipw"]["ci95"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_f64().unwrap())
        .collect();
    assert!(ci[0] < aipw && aipw < ci[1], "{aipw} outside {ci:?}");
    assert!((ate - true_ate).abs() < 0.5, "ATE {ate}, truth {true_ate}");

    // The CSV: one line per row, cate = ŷ(1) − ŷ(0), and its mean is the printed ATE.
    let text = std::fs::read_to_string(&preds).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("row,cate,y0_hat,y1_hat"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 240);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], (i + 1) as f64);
        assert!((r[1] - (r[3] - r[2])).abs() < 1e-9, "row {}: {r:?}", i + 1);
    }
    let mean = rows.iter().map(|r| r[1]).sum::<f64>() / 240.0;
    assert!((mean - ate).abs() < 1e-9, "{mean} vs {ate}");

    // The same seed gives the same predictions.
    let again = dir.join("again.csv");
    json(&ite(&data, &again, "dragonnet", "3"));
    assert_eq!(text, std::fs::read_to_string(&again).unwrap());

    // A seed ensemble: other predictions, still near the truth.
    let ens = dir.join("ensemble.csv");
    let v = json(&ite_with(
        &data,
        &ens,
        "dragonnet",
        "3",
        &["--ensemble", "3"],
    ));
    assert_eq!(v["ensemble"], 3);
    let ens_ate = v["ate"].as_f64().unwrap();
    assert!(
        (ens_ate - true_ate).abs() < 0.5,
        "ATE {ens_ate}, truth {true_ate}"
    );
    assert_ne!(text, std::fs::read_to_string(&ens).unwrap());
    // Each member's factual error on the validation rows, with the flag rule applied.
    let report = &v["validation"];
    let members = report["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    let median = report["median_factual_rmse"].as_f64().unwrap();
    let ratio = report["flag_ratio"].as_f64().unwrap();
    for (j, m) in members.iter().enumerate() {
        assert_eq!(m["seed"], 3 + j as u64);
        let rmse = m["factual_rmse"].as_f64().unwrap();
        assert!(
            rmse > 0.0 && m["factual_rmse_over_sd"].as_f64().unwrap() < 1.0,
            "{m}"
        );
        assert_eq!(m["flagged"], rmse > ratio * median, "{m}");
    }
}

/// `cevae` (the encoder q(z | x), the weighted outcome term) and `cevae-paper` (Louizos et
/// al.'s q(z | x, t, y) and ELBO) are two models: both recover the effect, with other
/// predictions.
#[test]
fn ite_fits_cevae_with_either_inference() {
    let dir = temp_dir();
    let (data, true_ate) = simulated(&dir);
    let mut texts = Vec::new();
    for model in ["cevae", "cevae-paper"] {
        let preds = dir.join(format!("{model}.csv"));
        // CEVAE needs more than the other tests' 40 epochs on these 168 training rows.
        let v = json(&ite_for(&data, &preds, model, "2", "200", &[]));
        assert_eq!(v["model"], model);
        let ate = v["ate"].as_f64().unwrap();
        assert!(
            (ate - true_ate).abs() < 0.6,
            "{model}: ATE {ate}, truth {true_ate}"
        );
        texts.push(std::fs::read_to_string(&preds).unwrap());
    }
    assert_ne!(texts[0], texts[1]);
}

/// By default each member is fitted again on every row for the epochs that the validation
/// rows chose; `--refit false` keeps the models that never saw those rows. The validation
/// report and the epochs describe the first fits either way.
#[test]
fn ite_refits_on_every_row_for_the_epochs_the_validation_rows_chose() {
    let dir = temp_dir();
    let (data, true_ate) = simulated(&dir);
    let (refit, kept) = (dir.join("refit.csv"), dir.join("kept.csv"));
    let extra = ["--ensemble", "2"];
    let v = json(&ite_with(&data, &refit, "tarnet", "5", &extra));
    let mut off = extra.to_vec();
    off.extend(["--refit", "false"]);
    let w = json(&ite_with(&data, &kept, "tarnet", "5", &off));

    assert_eq!(v["refit"]["rows"], 240);
    assert_eq!(w["refit"], serde_json::Value::Null);
    let best = v["best_epoch"].as_u64().unwrap();
    let epochs = v["refit"]["epochs"].as_array().unwrap();
    assert_eq!(epochs.len(), 2);
    // The first member's epochs; the first fits are the same with and without the refit.
    assert_eq!(epochs[0].as_u64(), Some(best + 1));
    assert_eq!(v["best_epoch"], w["best_epoch"]);
    assert_eq!(v["validation"], w["validation"]);
    for (name, v) in [("refit", &v), ("kept", &w)] {
        let ate = v["ate"].as_f64().unwrap();
        assert!(
            (ate - true_ate).abs() < 0.5,
            "{name}: ATE {ate}, truth {true_ate}"
        );
    }
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap();
    assert_ne!(read(&refit), read(&kept));

    // `--lr-decay 1` keeps the rate constant: other fits than the default's 0.99 an epoch.
    let constant = dir.join("constant.csv");
    json(&ite_with(
        &data,
        &constant,
        "tarnet",
        "5",
        &["--lr-decay", "1"],
    ));
    assert_ne!(read(&refit), read(&constant));
}

#[test]
fn ite_rejects_a_non_binary_treatment_and_an_unknown_model_with_exit_2() {
    let dir = temp_dir();
    let (data, _) = simulated(&dir);
    let preds = dir.join("bad.csv");
    let out = causal(&[
        "ite",
        "--data",
        data.to_str().unwrap(),
        "--treatment",
        "x1",
        "--outcome",
        "outcome",
        "--out",
        preds.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("x1") && err.contains("binary"), "{err}");
    assert!(!preds.exists());

    let out = ite(&data, &preds, "forest", "0");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cevae"));

    for gamma in ["0", "1.5", "NaN"] {
        let out = ite_with(&data, &preds, "tarnet", "0", &["--lr-decay", gamma]);
        assert_eq!(out.status.code(), Some(2), "--lr-decay {gamma}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--lr-decay") && err.contains(gamma), "{err}");
    }
    assert!(!preds.exists());
}
