//! Colored Digits: the Colored MNIST protocol of Arjovsky et al. (2019) on scikit-learn's 8×8
//! digits (MNIST cannot be downloaded here).
//!
//! Label: digit ≥ 5, flipped with probability 0.25. Colour: the label, flipped with probability
//! `e` (0.1 and 0.2 in the two training environments, 0.9 in the test environment). The image
//! goes into one of two colour channels (the other is zero), so inputs have 2×64 features.
//! Colour predicts the training label 85% of the time, shape 75% of the time; a model that uses
//! colour fails in the test environment, where the correlation reverses.
//!
//! Data: `$CAUSAL_DIGITS` (a `digits.csv.gz`), else `../shared/data/digits/digits.csv.gz`, else
//! the built-in copy `~/.cache/causal-rs/data/digits.csv.gz` that `cargo xtask demo` fetches.
//! `$CAUSAL_SEEDS` (default 5) and `$CAUSAL_EPOCHS` (default 501) shorten a run.

use std::io::Read;
use std::path::{Path, PathBuf};

use causal::irm::deep::{DeepParams, EnvData, InvariantModel, Method, Task};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::icp_sachs::shared_data;
use super::irm_plot::{Series, bar_chart, mean_sd};
use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

/// The published Colored MNIST figures (train / test accuracy, %), MLP, Arjovsky et al. Table 1.
const PUBLISHED: [(&str, Option<(f64, f64)>); 6] = [
    ("ERM", Some((87.4, 17.1))),
    ("IRM", Some((70.8, 66.9))),
    ("V-REx", None),
    ("GroupDRO", None),
    ("DANN", None),
    ("grayscale oracle", Some((73.5, 73.0))),
];

// Arjovsky et al.'s tuned Colored MNIST hyperparameters (hidden 390, l2 1.1e-3, lr 4.9e-4,
// penalty 91257 after 190 of 501 full-batch steps).
const HIDDEN: usize = 390;
const L2: f64 = 0.00110794568;
const LR: f64 = 0.0004898536566546834;
const ANNEAL: usize = 190;
const IRM_WEIGHT: f64 = 91257.18613115903;
const VREX_WEIGHT: f64 = 10_000.0;

fn digits_path() -> Option<PathBuf> {
    let mut c: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("CAUSAL_DIGITS") {
        c.push(PathBuf::from(p));
    }
    if let Some(d) = shared_data() {
        c.push(d.join("digits").join("digits.csv.gz"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        c.push(PathBuf::from(home).join(".cache/causal-rs/data/digits.csv.gz"));
    }
    c.into_iter().find(|p| p.is_file())
}

/// Reads the 1797 images (64 pixels in 0..16) and their digit labels.
pub fn load_digits() -> Result<(Vec<[f32; 64]>, Vec<u8>)> {
    let path = digits_path().ok_or_else(|| {
        LabError::Usage(
            "digits.csv.gz not found: set CAUSAL_DIGITS, or run `cargo xtask demo` to fetch the built-in copy"
                .into(),
        )
    })?;
    let io = |source| LabError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(&path).map_err(io)?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(io)?;
    let (mut images, mut labels) = (Vec::new(), Vec::new());
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let vals: Vec<f32> = line
            .split(',')
            .map(|f| f.trim().parse::<f32>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| LabError::Usage(format!("{}: line {}: {e}", path.display(), i + 1)))?;
        if vals.len() != 65 {
            return Err(LabError::Usage(format!(
                "{}: line {} has {} fields, expected 65",
                path.display(),
                i + 1,
                vals.len()
            )));
        }
        let mut img = [0f32; 64];
        img.copy_from_slice(&vals[..64]);
        images.push(img);
        labels.push(vals[64] as u8);
    }
    Ok((images, labels))
}

/// One environment: label noise 0.25, colour flipped with probability `e`; `gray` sums channels.
fn make_env(
    images: &[[f32; 64]],
    digits: &[u8],
    idx: &[usize],
    e: f64,
    gray: bool,
    rng: &mut ChaCha8Rng,
) -> Result<EnvData> {
    let d = if gray { 64 } else { 128 };
    let mut x = Vec::with_capacity(idx.len() * d);
    let mut y = Vec::with_capacity(idx.len());
    for &i in idx {
        let mut label = digits[i] >= 5;
        if rng.random_bool(0.25) {
            label = !label;
        }
        let mut colour = label;
        if rng.random_bool(e) {
            colour = !colour;
        }
        let img = images[i].map(|p| p / 16.0);
        if gray {
            x.extend_from_slice(&img);
        } else {
            let zeros = [0f32; 64];
            let (red, green) = if colour {
                (&img, &zeros)
            } else {
                (&zeros, &img)
            };
            x.extend_from_slice(red);
            x.extend_from_slice(green);
        }
        y.push(f32::from(u8::from(label)));
    }
    EnvData::new(x, d, y).map_err(|e| LabError::Usage(e.to_string()))
}

/// The three environments for one seed: a random third of the images each.
fn environments(
    images: &[[f32; 64]],
    digits: &[u8],
    seed: u64,
    gray: bool,
) -> Result<(Vec<EnvData>, EnvData)> {
    let mut rng = ChaCha8Rng::seed_from_u64(10_000 + seed);
    let mut order: Vec<usize> = (0..images.len()).collect();
    order.shuffle(&mut rng);
    let third = order.len() / 3;
    let e1 = make_env(images, digits, &order[..third], 0.1, gray, &mut rng)?;
    let e2 = make_env(
        images,
        digits,
        &order[third..2 * third],
        0.2,
        gray,
        &mut rng,
    )?;
    let test = make_env(images, digits, &order[2 * third..], 0.9, gray, &mut rng)?;
    Ok((vec![e1, e2], test))
}

fn methods() -> Vec<(&'static str, Method, bool)> {
    vec![
        ("ERM", Method::Erm, false),
        (
            "IRM",
            Method::Irm {
                weight: IRM_WEIGHT,
                anneal_epochs: ANNEAL,
            },
            false,
        ),
        (
            "V-REx",
            Method::Vrex {
                weight: VREX_WEIGHT,
                anneal_epochs: ANNEAL,
            },
            false,
        ),
        ("GroupDRO", Method::GroupDro { eta: 1.0 }, false),
        (
            "DANN",
            Method::Dann {
                weight: 1.0,
                hidden: HIDDEN,
            },
            false,
        ),
        ("grayscale oracle", Method::Erm, true),
    ]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn train(
    method: Method,
    train: &[EnvData],
    test: &EnvData,
    seed: u64,
    epochs: usize,
) -> Result<InvariantModel> {
    DeepParams::new(method, Task::Binary)
        .hidden(&[HIDDEN, HIDDEN])
        .l2(L2)
        .learning_rate(LR)
        .epochs(epochs)
        .seed(seed)
        .check()
        .and_then(|p| p.fit(train, std::slice::from_ref(test)))
        .map_err(|e| LabError::Usage(e.to_string()))
}

/// Runs the experiment, writing `results.json`, `results.md`, `accuracy.svg`, `curves.json`.
pub fn run(out: &Path) -> Result<()> {
    let (images, digits) = load_digits()?;
    let seeds = env_usize("CAUSAL_SEEDS", 5) as u64;
    let epochs = env_usize("CAUSAL_EPOCHS", 501);
    let mut rows = Vec::new();
    let mut json_methods = Vec::new();
    let mut curves = serde_json::Map::new();
    let (mut train_bars, mut test_bars, mut sel_bars, mut oracle_bars) =
        (vec![], vec![], vec![], vec![]);
    let groups: Vec<String> = methods().iter().map(|m| m.0.to_string()).collect();
    for (name, method, gray) in methods() {
        let (mut tr, mut te, mut sel, mut orc) = (vec![], vec![], vec![], vec![]);
        let mut method_curves = Vec::new();
        for seed in 0..seeds {
            let (train_envs, test_env) = environments(&images, &digits, seed, gray)?;
            let model = train(method, &train_envs, &test_env, seed, epochs)?;
            let last = model
                .last()
                .ok_or_else(|| LabError::Usage("no epochs".into()))?;
            tr.push(100.0 * last.metrics.train);
            te.push(100.0 * last.metrics.test.unwrap_or(f64::NAN));
            if let Some(s) = model.selected() {
                sel.push(100.0 * s.metrics.test.unwrap_or(f64::NAN));
            }
            if let Some(o) = model.oracle() {
                orc.push(100.0 * o.metrics.test.unwrap_or(f64::NAN));
            }
            eprintln!(
                "{name} seed {seed}: train {:.1} test {:.1} (selected epoch {}, oracle epoch {:?})",
                tr[tr.len() - 1],
                te[te.len() - 1],
                model.selected_epoch,
                model.oracle_epoch
            );
            method_curves.push(json!(model.curves));
        }
        curves.insert(name.into(), json!(method_curves));
        let (trm, trs) = mean_sd(&tr);
        let (tem, tes) = mean_sd(&te);
        let (sm, ss) = mean_sd(&sel);
        let (om, os) = mean_sd(&orc);
        train_bars.push((trm, trs));
        test_bars.push((tem, tes));
        sel_bars.push((sm, ss));
        oracle_bars.push((om, os));
        let published = PUBLISHED
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, p)| *p)
            .map_or("—".to_string(), |(a, b)| format!("{a:.1} / {b:.1}"));
        rows.push(vec![
            name.to_string(),
            published,
            format!("{trm:.1} ± {trs:.1}"),
            format!("{tem:.1} ± {tes:.1}"),
            format!("{sm:.1} ± {ss:.1}"),
            format!("{om:.1} ± {os:.1}"),
        ]);
        json_methods.push(json!({
            "method": name, "train_last": tr, "test_last": te,
            "test_training_domain_selection": sel, "test_oracle_selection": orc,
        }));
    }
    let acceptance = {
        let get =
            |n: &str, v: &Vec<(f64, f64)>| v[groups.iter().position(|g| g == n).unwrap_or(0)].0;
        json!({
            "erm_test_le_35": get("ERM", &test_bars) <= 35.0,
            "irm_test_ge_55": get("IRM", &test_bars) >= 55.0,
            "irm_train_le_80": get("IRM", &train_bars) <= 80.0,
            "vrex_test_ge_55": get("V-REx", &test_bars) >= 55.0,
            "vrex_train_le_80": get("V-REx", &train_bars) <= 80.0,
        })
    };
    write_json(
        out,
        "results.json",
        &json!({
            "seeds": seeds, "epochs": epochs, "hidden": HIDDEN, "l2": L2, "lr": LR,
            "anneal_epochs": ANNEAL, "irm_weight": IRM_WEIGHT, "vrex_weight": VREX_WEIGHT,
            "images": images.len(), "methods": json_methods, "acceptance": acceptance,
        }),
    )?;
    write_json(out, "curves.json", &serde_json::Value::Object(curves))?;
    bar_chart(
        &out.join("accuracy.svg"),
        "Colored Digits: accuracy (%), mean ± sd over seeds",
        "accuracy (%)",
        &groups,
        &[
            Series {
                name: "train (last epoch)",
                values: train_bars,
            },
            Series {
                name: "test (last epoch)",
                values: test_bars,
            },
            Series {
                name: "test (training-domain validation)",
                values: sel_bars,
            },
            Series {
                name: "test (oracle)",
                values: oracle_bars,
            },
        ],
    )?;
    let md = format!(
        "# colored-digits\n\nColored MNIST protocol (Arjovsky et al. 2019) on the {} scikit-learn 8×8 digits, \
         a third per environment (e = 0.1, 0.2 train; 0.9 test), 25% label noise, two colour channels; \
         MLP 2×{HIDDEN}, full-batch Adam, {epochs} epochs, {seeds} seeds (mean ± sd, accuracy %). \
         \"Last\" is the fixed budget of the published protocol; \"training-domain\" picks the epoch by \
         accuracy on 20% held out of the training environments (DomainBed); \"oracle\" picks it on 20% \
         of the test environment and reports the other 80%. Published: Colored MNIST, MLP (Table 1).\n\n{}\n\
         Acceptance (last epoch): {acceptance}\n\n![accuracy](accuracy.svg)\n",
        images.len(),
        markdown_table(
            &[
                "method",
                "published train / test",
                "train (last)",
                "test (last)",
                "test (training-domain sel.)",
                "test (oracle sel.)"
            ],
            &rows
        )
    );
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
