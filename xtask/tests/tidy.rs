//! House rules that a reviewer would otherwise check by eye (as rust-analyzer's `tidy.rs`):
//! every Rust file opens with a module doc, and no crate but causal-torch names LibTorch
//! (`tch`) types in its public API. (The one-table-type rule is
//! `tidy_one_table_type.rs` beside this file.)
//!
//! The scans are textual, line by line, so they are simple rather than exact: a public item is
//! a line starting with `pub ` (not `pub(crate)` or `pub(super)`); the binaries (causal-cli,
//! causal-lab, causal-fuzz, xtask) have no public API and are not scanned for tch types.

mod common;

use std::path::Path;

use common::{root, rust_files};

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Whether the file's first non-blank line outside inner attributes is a `//!` doc, or the
/// crate root takes its doc from the README.
fn has_module_doc(text: &str) -> bool {
    if text.contains("#![doc = include_str!(") {
        return true;
    }
    text.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with("#!["))
        .is_some_and(|l| l.starts_with("//!"))
}

#[test]
fn every_rust_file_has_a_module_doc() {
    let root = root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("xtask"), &mut files);
    assert!(
        files.len() > 100,
        "the scan found only {} files",
        files.len()
    );
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !has_module_doc(&std::fs::read_to_string(f).unwrap()))
        .map(|f| relative(f))
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` module doc: {missing:?}"
    );
}

/// LibTorch type names that must not appear in a public item outside causal-torch.
const TCH_NAMES: &[&str] = &["tch::", "Tensor", "Device", "Kind::"];

/// Library crates whose public API is scanned (causal-torch is the one allowed to name tch).
const LIBRARIES: &[&str] = &[
    "causal-core",
    "causal-discover",
    "causal-irm",
    "causal-cf",
    "causal",
    "causal-py",
];

/// (file, trimmed line) pairs that name tch in a `pub` line but are not public API, with why.
const ALLOWED: &[(&str, &str)] = &[
    // Fields of `pub(crate) struct Split` and `pub(crate) struct InvariantObjective`, in the
    // private `objective` module.
    ("crates/causal-irm/src/deep/objective.rs", "pub x: Tensor,"),
    ("crates/causal-irm/src/deep/objective.rs", "pub y: Tensor,"),
    (
        "crates/causal-irm/src/deep/objective.rs",
        "pub weights: Vec<Tensor>,",
    ),
    (
        "crates/causal-irm/src/deep/objective.rs",
        "pub env: Tensor,",
    ),
    ("crates/causal-irm/src/deep/objective.rs", "pub q: Tensor,"),
];

fn tch_findings() -> Vec<(String, String)> {
    let root = root();
    let mut out = Vec::new();
    for lib in LIBRARIES {
        let mut files = Vec::new();
        rust_files(&root.join("crates").join(lib).join("src"), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for line in text.lines().map(str::trim) {
                let public = line.starts_with("pub ") && !line.starts_with("pub(");
                if public && TCH_NAMES.iter().any(|n| line.contains(n)) {
                    out.push((relative(&f), line.to_owned()));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn no_tch_types_in_public_apis_but_causal_torchs() {
    let listed = |l: &[(&str, &str)]| -> Vec<(String, String)> {
        l.iter()
            .map(|(f, t)| ((*f).to_owned(), (*t).to_owned()))
            .collect()
    };
    let allowed = listed(ALLOWED);
    let found = tch_findings();
    let new: Vec<_> = found.iter().filter(|f| !allowed.contains(f)).collect();
    assert!(
        new.is_empty(),
        "public items naming tch types outside causal-torch (wrap them in a causal-torch type \
         or take a device as text): {new:?}"
    );
    let gone: Vec<_> = allowed.iter().filter(|a| !found.contains(a)).collect();
    assert!(
        gone.is_empty(),
        "allowed entries no longer in the code (strike them): {gone:?}"
    );
}

#[test]
fn the_scans_see_what_they_look_for() {
    assert!(has_module_doc("#![allow(x)]\n\n//! Doc.\nfn f() {}"));
    assert!(!has_module_doc("// A plain comment.\nfn f() {}"));
    assert!(!has_module_doc("fn f() {}\n//! late"));
    // The tch scan finds the allowed private fields, so it is reading the right files.
    assert!(!tch_findings().is_empty());
}
