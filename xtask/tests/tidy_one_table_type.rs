//! Tidy check: `Dataset` is the one table type of the workspace's public API (issue 13). It
//! reads every crate's `src/` and fails if a public function (or a public trait's method)
//! names `IteData` or `EnvData`, or takes or returns a raw `Vec<Vec<f64>>` table, or if one of
//! those types is defined or re-exported publicly, outside the list below.
//!
//! `ALLOWED` holds the entries that stay, with the reason; any other finding fails, and an
//! entry that disappears from the code must be struck from the list (the second test fails
//! until it is). The scan is textual (signatures up to their `{` or `;`), so it is simple, not
//! a parser: it looks only at `pub fn`, `pub trait` bodies and `pub struct|enum|type|use`
//! lines.

use std::collections::BTreeSet;
mod common;

use std::path::PathBuf;

use common::{root, rust_files};

/// The names a public signature must not contain.
const BANNED: &[&str] = &["IteData", "EnvData", "Vec<Vec<f64>>"];

/// (file relative to `crates/`, item, banned text): allowed for good.
const ALLOWED: &[(&str, &str, &str)] = &[
    // The constructors from columns: each inner vector is one named column, documented so.
    ("causal-core/src/data/dataset.rs", "new", "Vec<Vec<f64>>"),
    (
        "causal-core/src/data/dataset.rs",
        "with_missing_values",
        "Vec<Vec<f64>>",
    ),
    // Draws of Y under do(t) per unit (a Monte Carlo sample per row), not a table of columns.
    ("causal-cf/src/models/mod.rs", "sample_do", "Vec<Vec<f64>>"),
    // One vector of out-of-fold predictions per target, not a table of columns.
    (
        "causal-core/src/learner/mod.rs",
        "cross_fit_many",
        "Vec<Vec<f64>>",
    ),
    // The same predictions, from features passed as column slices of a `Dataset`.
    (
        "causal-core/src/learner/mod.rs",
        "cross_fit_columns",
        "Vec<Vec<f64>>",
    ),
];

type Finding = (String, String, String);

fn crates_dir() -> PathBuf {
    root().join("crates")
}

/// The text from `start` to the first `{` or `;` (a signature or item head).
fn head(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    let end = rest.find(['{', ';']).unwrap_or(rest.len());
    &rest[..end]
}

/// The name after a keyword (`fn NAME`, `struct NAME`, …).
fn name_after<'a>(head: &'a str, keyword: &str) -> &'a str {
    head.split_once(keyword)
        .map(|(_, r)| r.trim_start())
        .map(|r| {
            let end = r
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            &r[..end]
        })
        .unwrap_or("")
}

/// Public signatures and item heads of one file that name a banned type.
fn scan(rel: &str, text: &str, out: &mut BTreeSet<Finding>) {
    let mut offset = 0;
    let mut trait_depth: Option<i32> = None;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let start = offset + (line.len() - t.len());
        offset += line.len();
        if t.starts_with("//") {
            continue;
        }
        // Inside a public trait, every method is public.
        if let Some(depth) = trait_depth.as_mut() {
            if t.starts_with("fn ") {
                check(
                    rel,
                    name_after(head(text, start), "fn "),
                    head(text, start),
                    out,
                );
            }
            *depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if *depth <= 0 {
                trait_depth = None;
            }
            continue;
        }
        let public = t.starts_with("pub ") && !t.starts_with("pub(");
        if !public {
            continue;
        }
        let h = head(text, start);
        if t.starts_with("pub trait ") {
            let depth = line.matches('{').count() as i32 - line.matches('}').count() as i32;
            trait_depth = (depth > 0).then_some(depth);
        } else if let Some(k) = h.find("fn ") {
            if !h[..k].contains(['(', '<', '=']) {
                check(rel, name_after(h, "fn "), h, out);
            }
        } else if t.starts_with("pub use ") {
            // A use list has braces: read to the semicolon.
            let rest = &text[start..];
            check(
                rel,
                "use",
                &rest[..rest.find(';').unwrap_or(rest.len())],
                out,
            );
        } else {
            for kw in ["struct ", "enum ", "type "] {
                if t.starts_with(&format!("pub {kw}")) {
                    let name = name_after(h, kw);
                    check(rel, name, name, out);
                }
            }
        }
    }
}

fn check(rel: &str, item: &str, text: &str, out: &mut BTreeSet<Finding>) {
    for banned in BANNED {
        if text.contains(banned) {
            out.insert((rel.to_owned(), item.to_owned(), (*banned).to_owned()));
        }
    }
}

fn findings() -> BTreeSet<Finding> {
    let crates = crates_dir();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap().flatten() {
        rust_files(&entry.path().join("src"), &mut files);
    }
    assert!(
        files.len() > 50,
        "the scan found only {} files",
        files.len()
    );
    let mut out = BTreeSet::new();
    for file in files {
        let rel = file
            .strip_prefix(&crates)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        scan(&rel, &std::fs::read_to_string(&file).unwrap(), &mut out);
    }
    out
}

fn listed(list: &[(&str, &str, &str)]) -> BTreeSet<Finding> {
    list.iter()
        .map(|(f, i, b)| ((*f).to_owned(), (*i).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn no_public_api_names_a_second_table_type() {
    let known = listed(ALLOWED);
    let new: Vec<Finding> = findings()
        .into_iter()
        .filter(|f| !known.contains(f))
        .collect();
    assert!(
        new.is_empty(),
        "public API naming IteData, EnvData or a Vec<Vec<f64>> table (use Dataset and \
         ColumnRoles): {new:?}"
    );
}

#[test]
fn the_allowed_list_names_only_what_is_still_there() {
    let found = findings();
    let stale: Vec<Finding> = listed(ALLOWED)
        .into_iter()
        .filter(|f| !found.contains(f))
        .collect();
    assert!(
        stale.is_empty(),
        "strike these from ALLOWED in this test, they are gone: {stale:?}"
    );
}

#[test]
fn the_scan_sees_a_public_signature() {
    // The scanner itself: it must catch each form it claims to.
    let mut out = BTreeSet::new();
    scan(
        "x.rs",
        "pub fn a(d: &IteData) -> u8 {\n}\npub(crate) fn b(d: EnvData) {}\n\
         pub trait T {\n    fn c(&self) -> Vec<Vec<f64>>;\n}\npub struct EnvData;\n\
         pub fn d(\n    rows: Vec<Vec<f64>>,\n) {}\n",
        &mut out,
    );
    let items: Vec<&str> = out.iter().map(|(_, i, _)| i.as_str()).collect();
    assert_eq!(items, ["EnvData", "a", "c", "d"]);
}
