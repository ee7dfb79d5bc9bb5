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
use causal::irm::deep::{DeepFit, DeepParams, Method, Task};

use super::colored_report::{Bound, Metric, Protocol, run_protocol};
use super::env_table::{Block, env_table};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::shared_data;
use crate::{LabError, Result};

/// The published Colored MNIST figures (train / test accuracy, %), MLP, Arjovsky et al. Table 1.
pub(crate) const PUBLISHED: [(&str, Option<(f64, f64)>); 6] = [
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
pub(crate) const ANNEAL: usize = 190;
pub(crate) const IRM_WEIGHT: f64 = 91257.18613115903;
pub(crate) const VREX_WEIGHT: f64 = 10_000.0;

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

/// One environment of the protocol: each image's binary label (`labels[i]`) flipped with
/// probability 0.25, its colour the label flipped with probability `e`; the image (`d` pixels in
/// [0, 1], row `i` of `pixels`) goes into the colour's channel and the other channel is zero, or
/// into one channel when `gray`. The draws are made image by image in the order of `idx`.
pub(crate) fn make_env(
    pixels: &[f32],
    d: usize,
    labels: &[bool],
    idx: &[usize],
    e: f64,
    gray: bool,
    rng: &mut ChaCha8Rng,
) -> Block {
    let width = if gray { d } else { 2 * d };
    let mut x = Vec::with_capacity(idx.len() * width);
    let mut y = Vec::with_capacity(idx.len());
    let zeros = vec![0f32; d];
    for &i in idx {
        let mut label = labels[i];
        if rng.random_bool(0.25) {
            label = !label;
        }
        let mut colour = label;
        if rng.random_bool(e) {
            colour = !colour;
        }
        let img = &pixels[i * d..(i + 1) * d];
        if gray {
            x.extend_from_slice(img);
        } else {
            let (red, green) = if colour {
                (img, &zeros[..])
            } else {
                (&zeros[..], img)
            };
            x.extend_from_slice(red);
            x.extend_from_slice(green);
        }
        y.push(f32::from(u8::from(label)));
    }
    (x, width, y)
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
    let pixels: Vec<f32> = images
        .iter()
        .flat_map(|img| img.map(|p| p / 16.0))
        .collect();
    let labels: Vec<bool> = digits.iter().map(|&c| c >= 5).collect();
    let third = order.len() / 3;
    let mut env = |idx: &[usize], e: f64| make_env(&pixels, 64, &labels, idx, e, gray, &mut rng);
    let e1 = env(&order[..third], 0.1);
    let e2 = env(&order[third..2 * third], 0.2);
    let test = env(&order[2 * third..], 0.9);
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

pub(crate) fn env_usize(name: &str, default: usize) -> usize {
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
    /// Metrics after every `eval_every`-th step (and the last).
    pub eval_every: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hidden: HIDDEN,
            l2: L2,
            learning_rate: LR,
            epochs: 501,
            validation_fraction: 0.2,
            eval_every: 1,
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
        .eval_every(cfg.eval_every)
        .epochs(cfg.epochs)
        .seed(seed)
        .check()?
        .fit(data, roles, &[TEST_ENV])?)
}

/// The penalty term per epoch (`irm`, `vrex`), as the trainer logged it.
pub(crate) fn penalty_at(model: &DeepFit, epoch: usize) -> Option<f64> {
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
    let n = images.len();
    let envs = |seed: u64, gray: bool| environments(&images, &digits, seed, gray);
    run_protocol(
        &Protocol {
            title: "Colored Digits",
            name: "colored-digits",
            data: format!(
                "the {n} scikit-learn 8×8 digits, a third per environment (e = 0.1, 0.2 train; 0.9 \
                 test), label digit ≥ 5"
            ),
            train_per_env: n / 3,
            default_seeds: 5,
            eval_every: 1,
            // Tiny full-batch steps: extra OpenMP threads only spin (8× slower on a shared machine).
            threads: Some(1),
            bounds: &[
                ("erm_test_le_35", "ERM", Metric::Test, Bound::AtMost(35.0)),
                ("irm_test_ge_55", "IRM", Metric::Test, Bound::AtLeast(55.0)),
                ("irm_train_le_80", "IRM", Metric::Train, Bound::AtMost(80.0)),
                (
                    "vrex_test_ge_55",
                    "V-REx",
                    Metric::Test,
                    Bound::AtLeast(55.0),
                ),
                (
                    "vrex_train_le_80",
                    "V-REx",
                    Metric::Train,
                    Bound::AtMost(80.0),
                ),
            ],
            reference: None,
        },
        &envs,
        out,
    )
}
