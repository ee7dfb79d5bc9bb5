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
//! `$CAUSAL_SEEDS` (default 5) and `$CAUSAL_EPOCHS` (default 501) shorten a run;
//! `$CAUSAL_METHODS` (comma-separated names) runs a subset.
//!
//! For a short run elsewhere (the demo): [`load_digits`], [`environments`] for one seed, then
//! [`train`] with [`Config::default`] per method of [`methods`]. Set one LibTorch thread first
//! (`tch::set_num_threads(1)`): these full-batch steps are small enough that more threads only
//! spin. One 501-step fit takes about 12 s of CPU time (IRM; ERM less).

use causal::prelude::ParamGuard;
use std::io::Read;
use std::path::{Path, PathBuf};

use causal::core::data::{ColumnRoles, Dataset};
use causal::irm::deep::{DeepFit, DeepParams, EpochMetrics, Method, Task};

use super::env_table::{Block, env_table};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::irm_plot::{Line, Series, bar_chart, line_chart, mean_sd};
use super::shared_data;
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
    read_digits(&path)
}

/// Reads the images and labels from a `digits.csv.gz` (64 pixel columns, then the label).
pub fn read_digits(path: &Path) -> Result<(Vec<[f32; 64]>, Vec<u8>)> {
    let io = |source| LabError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
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
) -> Block {
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
    (x, d, y)
}

/// The three environments for one seed (`gray`: one channel, colour removed): a random third of
/// the images each, as one table with labels 0 and 1 (training) and 2 (test), and its roles.
pub fn environments(
    images: &[[f32; 64]],
    digits: &[u8],
    seed: u64,
    gray: bool,
) -> Result<(Dataset, ColumnRoles)> {
    let mut rng = ChaCha8Rng::seed_from_u64(10_000 + seed);
    let mut order: Vec<usize> = (0..images.len()).collect();
    order.shuffle(&mut rng);
    let third = order.len() / 3;
    let e1 = make_env(images, digits, &order[..third], 0.1, gray, &mut rng);
    let e2 = make_env(
        images,
        digits,
        &order[third..2 * third],
        0.2,
        gray,
        &mut rng,
    );
    let test = make_env(images, digits, &order[2 * third..], 0.9, gray, &mut rng);
    env_table(&[e1, e2, test])
}

/// The methods of the main table with Arjovsky et al.'s settings; `true` marks the grayscale
/// oracle (colour removed from the input).
pub fn methods() -> Vec<(&'static str, Method, bool)> {
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

pub(super) fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Network and optimiser settings shared by every method (Arjovsky et al.'s by default).
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Width of both hidden layers.
    pub hidden: usize,
    /// Weight of the squared norm of the weight matrices.
    pub l2: f64,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Full-batch steps.
    pub epochs: usize,
    /// Share of each training environment held out for training-domain validation.
    pub validation_fraction: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hidden: HIDDEN,
            l2: L2,
            learning_rate: LR,
            epochs: 501,
            validation_fraction: 0.2,
        }
    }
}

/// The test environment's label in the table of [`environments`].
pub const TEST_ENV: i64 = 2;

/// Trains `method` on the training environments of `data` (from [`environments`]),
/// evaluating (never training) on the test environment [`TEST_ENV`].
pub fn train(
    method: Method,
    data: &Dataset,
    roles: &ColumnRoles,
    seed: u64,
    cfg: &Config,
) -> Result<DeepFit> {
    Ok(DeepParams::new(method, Task::Binary)
        .hidden(&[cfg.hidden, cfg.hidden])
        .l2(cfg.l2)
        .learning_rate(cfg.learning_rate)
        .validation_fraction(cfg.validation_fraction)
        .epochs(cfg.epochs)
        .seed(seed)
        .check()?
        .fit(data, roles, &[TEST_ENV])?)
}

/// The penalty term per epoch (`irm`, `vrex`), as the trainer logged it.
fn penalty_at(model: &DeepFit, epoch: usize) -> Option<f64> {
    model
        .history
        .terms
        .iter()
        .find(|t| t.name == "irm" || t.name == "vrex")
        .and_then(|t| t.values.get(epoch).copied().flatten())
}

/// Runs the experiment, writing `results.json`, `results.md`, `accuracy.svg`, `curves.svg` and
/// `curves.json`.
pub fn run(out: &Path) -> Result<()> {
    let (images, digits) = load_digits()?;
    let seeds = env_usize("CAUSAL_SEEDS", 5) as u64;
    let cfg = Config {
        epochs: env_usize("CAUSAL_EPOCHS", 501),
        ..Config::default()
    };
    let epochs = cfg.epochs;
    // Tiny full-batch steps: extra OpenMP threads only spin (8× slower on a shared machine).
    causal::torch::tch::set_num_threads(1);
    let mut rows = Vec::new();
    let mut json_methods = Vec::new();
    let mut curves = serde_json::Map::new();
    let mut lines: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let (mut train_bars, mut test_bars, mut sel_bars, mut oracle_bars) =
        (vec![], vec![], vec![], vec![]);
    // `$CAUSAL_METHODS` (comma-separated names) runs a subset, for quick checks.
    let only: Option<Vec<String>> = std::env::var("CAUSAL_METHODS")
        .ok()
        .map(|s| s.split(',').map(|m| m.trim().to_owned()).collect());
    let chosen: Vec<_> = methods()
        .into_iter()
        .filter(|(name, ..)| only.as_ref().is_none_or(|o| o.iter().any(|m| m == name)))
        .collect();
    let groups: Vec<String> = chosen.iter().map(|m| m.0.to_string()).collect();
    let mut penalties = Vec::new();
    for (name, method, gray) in chosen {
        let (mut tr, mut te, mut sel, mut sel_train, mut orc) =
            (vec![], vec![], vec![], vec![], vec![]);
        let mut method_curves = Vec::new();
        let mut seconds = Vec::new();
        for seed in 0..seeds {
            let (envs, roles) = environments(&images, &digits, seed, gray)?;
            let start = std::time::Instant::now();
            let model = train(method, &envs, &roles, seed, &cfg)?;
            seconds.push(start.elapsed().as_secs_f64());
            let last = model
                .last()
                .ok_or_else(|| LabError::Usage("no epochs".into()))?;
            tr.push(100.0 * last.metrics.train);
            te.push(100.0 * last.metrics.test.unwrap_or(f64::NAN));
            if let Some(s) = model.selected() {
                sel.push(100.0 * s.metrics.test.unwrap_or(f64::NAN));
                sel_train.push(100.0 * s.metrics.train);
            }
            if let Some(o) = model.oracle() {
                orc.push(100.0 * o.metrics.test.unwrap_or(f64::NAN));
            }
            if let Some(p) = penalty_at(&model, epochs - 1) {
                penalties.push(json!({"method": name, "seed": seed, "last_epoch_penalty": p}));
            }
            eprintln!(
                "{name} seed {seed}: train {:.1} test {:.1} (selected epoch {}, oracle epoch {:?}) {:.1}s",
                tr[tr.len() - 1],
                te[te.len() - 1],
                model.selected_epoch,
                model.oracle_epoch,
                seconds[seconds.len() - 1]
            );
            if seed == 0 && matches!(name, "ERM" | "IRM" | "V-REx") {
                for (what, f) in [
                    (
                        "train",
                        (|m: &EpochMetrics| m.train) as fn(&EpochMetrics) -> f64,
                    ),
                    ("test", |m: &EpochMetrics| m.test.unwrap_or(f64::NAN)),
                ] {
                    lines.push((
                        format!("{name} {what}"),
                        model
                            .curves
                            .iter()
                            .map(|m| (m.epoch as f64, 100.0 * f(m)))
                            .collect(),
                    ));
                }
            }
            method_curves.push(json!({"metrics": model.curves, "terms": model.history.terms}));
        }
        curves.insert(name.into(), json!(method_curves));
        let (trm, trs) = mean_sd(&tr);
        let (tem, tes) = mean_sd(&te);
        let (sm, ss) = mean_sd(&sel);
        let (stm, sts) = mean_sd(&sel_train);
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
            format!("{stm:.1} ± {sts:.1} / {sm:.1} ± {ss:.1}"),
            format!("{om:.1} ± {os:.1}"),
            format!("{:.1}", mean_sd(&seconds).0),
        ]);
        json_methods.push(json!({
            "method": name, "train_last": tr, "test_last": te,
            "train_training_domain_selection": sel_train,
            "test_training_domain_selection": sel, "test_oracle_selection": orc,
            "seconds_per_fit": seconds,
        }));
    }
    let get = |n: &str, v: &[(f64, f64)]| groups.iter().position(|g| g == n).map(|i| v[i].0);
    let acceptance = json!({
        "erm_test_le_35": get("ERM", &test_bars).map(|v| v <= 35.0),
        "irm_test_ge_55": get("IRM", &test_bars).map(|v| v >= 55.0),
        "irm_train_le_80": get("IRM", &train_bars).map(|v| v <= 80.0),
        "vrex_test_ge_55": get("V-REx", &test_bars).map(|v| v >= 55.0),
        "vrex_train_le_80": get("V-REx", &train_bars).map(|v| v <= 80.0),
    });
    write_json(
        out,
        "results.json",
        &json!({
            "seeds": seeds, "epochs": epochs, "hidden": cfg.hidden, "l2": cfg.l2,
            "lr": cfg.learning_rate, "validation_fraction": cfg.validation_fraction,
            "anneal_epochs": ANNEAL, "irm_weight": IRM_WEIGHT, "vrex_weight": VREX_WEIGHT,
            "images": images.len(), "methods": json_methods, "acceptance": acceptance,
            "penalties": penalties,
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
                values: train_bars.clone(),
            },
            Series {
                name: "test (last epoch)",
                values: test_bars.clone(),
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
    let line_refs: Vec<Line<'_>> = lines
        .iter()
        .map(|(n, p)| Line {
            name: n,
            points: p.clone(),
        })
        .collect();
    line_chart(
        &out.join("curves.svg"),
        "Colored Digits, seed 0: accuracy (%) by epoch",
        "epoch (full-batch step)",
        "accuracy (%)",
        &line_refs,
    )?;
    let md = format!(
        "# colored-digits\n\nColored MNIST protocol (Arjovsky et al. 2019) on the {} scikit-learn 8×8 digits, \
         a third per environment (e = 0.1, 0.2 train; 0.9 test), 25% label noise, two colour channels; \
         MLP 2×{}, l2 {:.4}, full-batch Adam (lr {:.2e}), {epochs} steps, IRM weight {IRM_WEIGHT:.0} and V-REx \
         weight {VREX_WEIGHT:.0} after {ANNEAL} steps at 1 (the published IRM settings, not tuned here), \
         {seeds} seeds (mean ± sd, accuracy %). \"Last\" is the fixed budget of the published protocol; \
         \"training-domain\" picks the epoch by accuracy on {:.0}% held out of the training environments \
         (DomainBed); \"oracle\" picks it on 20% of the test environment and reports the other 80%. \
         Published: Colored MNIST (25 000 images per training environment, 14×14), MLP, Table 1 of the IRM paper.\n\n{}\n\
         Acceptance (last epoch): {acceptance}\n\n![accuracy](accuracy.svg)\n\n![curves](curves.svg)\n",
        images.len(),
        cfg.hidden,
        cfg.l2,
        cfg.learning_rate,
        100.0 * cfg.validation_fraction,
        markdown_table(
            &[
                "method",
                "published train / test",
                "train (last)",
                "test (last)",
                "train / test (training-domain sel.)",
                "test (oracle sel.)",
                "s per fit (wall clock)"
            ],
            &rows
        )
    );
    // The evidence when the invariance methods miss their bounds (see the module docs).
    let pen = |m: &str| {
        let v: Vec<f64> = penalties
            .iter()
            .filter(|p| p["method"] == m)
            .filter_map(|p| p["last_epoch_penalty"].as_f64())
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let missed = [
        "irm_test_ge_55",
        "irm_train_le_80",
        "vrex_test_ge_55",
        "vrex_train_le_80",
    ]
    .iter()
    .any(|k| acceptance[*k] == json!(false));
    let md = if missed {
        format!(
            "{md}\n## Why IRM and V-REx miss the bounds here\n\n\
             Each training environment holds about {} training images (Colored MNIST: 25 000), \
             and the 2×{} MLP fits them: ERM ends at {:.1}% train accuracy. Both penalties are one \
             scalar per environment (IRMv1: the gradient of the environment's risk with respect to \
             a scalar output scale; V-REx: the spread of the environment risks), and a network that \
             can fit its training rows satisfies them without giving up colour: at the last step the \
             mean penalty is {} (IRM) and {} (V-REx) while test accuracy stays at {:.1}% and \
             {:.1}%. Shape is also slow to appear beside colour: train accuracy stays at the colour-only \
             level (about 85%) for the first ~100 steps (`curves.svg`), so little shape is learned when \
             the penalty switches on at step {ANNEAL}. `colored-digits-sweep` varies the penalty \
             weight, the anneal step and l2 and picks by training-domain validation (DomainBed), with \
             the oracle rule reported separately. The oracle column here can exceed 50% through epochs \
             whose predictions are anti-correlated with colour (train accuracy below 50%), not through \
             shape; read it with `curves.json`.\n",
            ((images.len() / 3) as f64 * (1.0 - cfg.validation_fraction)).round(),
            cfg.hidden,
            get("ERM", &train_bars).unwrap_or(f64::NAN),
            pen("IRM").map_or("—".into(), |v| format!("{v:.1e}")),
            pen("V-REx").map_or("—".into(), |v| format!("{v:.1e}")),
            get("IRM", &test_bars).unwrap_or(f64::NAN),
            get("V-REx", &test_bars).unwrap_or(f64::NAN),
        )
    } else {
        md
    };
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
