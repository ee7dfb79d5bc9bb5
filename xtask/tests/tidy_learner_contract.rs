//! Tidy check: every algorithm family follows the learner contract of
//! `causal_core::contract` (issue 14): `XParams` (the builder) implements `ParamGuard` with
//! `type Checked = X`; the checked `X` implements `Fit` with `type Object = XFit` (or a result
//! type that several families share, listed in `SHARED_RESULTS`); and no public type is named
//! `…ValidParams` or `…Result` (the old names of checked parameters and of fits).
//!
//! It reads every crate's `src/` and fails listing the offenders by file. The scan is textual,
//! not a parser: `pub struct|enum|type NAME` heads, `impl … ParamGuard for NAME {` and
//! `impl … Fit<…> for NAME {` heads with the `type Checked|Object = …;` in their bodies, and the
//! invocations of the macros in `PARAM_GUARD_MACROS`, which write a `ParamGuard` impl from their
//! first two arguments (params, checked).
//!
//! Each exemption below carries its reason; an entry whose type disappears must be struck (the
//! second test fails until it is).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{root, rust_files};

/// `…Params` types that are not an algorithm's hyperparameters, with the reason.
const NOT_LEARNER_PARAMS: &[(&str, &str)] = &[(
    "MlpParams",
    "a network's architecture, built into a VarStore path by `build`; never fitted to a Dataset",
)];

/// Checked types that are not fitted to a `Dataset`, with the reason.
const NOT_DATASET_LEARNERS: &[(&str, &str)] = &[(
    "Trainer",
    "the optimisation engine every network trains with: it fits a VarStore to an Objective",
)];

/// Results that several families return, with the reason.
const SHARED_RESULTS: &[(&str, &str)] = &[(
    "EffectFit",
    "every ATE estimator's fit, so that the refuters and the report read any of them",
)];

/// Public `…Result` types that are not an algorithm's fit, with the reason.
const ALLOWED_RESULT_NAMES: &[(&str, &str)] = &[
    (
        "CiTestResult",
        "one conditional-independence test's statistic and p-value",
    ),
    (
        "IdaResult",
        "the outcome of the `ida` function (no hyperparameters to check)",
    ),
    (
        "JointIdaResult",
        "the outcome of the `joint_ida` function (no hyperparameters to check)",
    ),
    ("SynthResult", "causal-lab's experiment report, not a fit"),
    ("SachsResult", "causal-lab's experiment report, not a fit"),
];

/// Macros that write `impl ParamGuard for $1 { type Checked = $2; … }`.
const PARAM_GUARD_MACROS: &[&str] = &["learner_params"];

/// What the scan collects from one workspace.
#[derive(Debug, Default)]
struct Scan {
    /// Public `…Params` structs: name → file.
    params: BTreeMap<String, String>,
    /// `ParamGuard` impls: params → (checked, file).
    guards: BTreeMap<String, (String, String)>,
    /// `Fit` impls: self type → the objects of its impls.
    fits: BTreeMap<String, BTreeSet<String>>,
    /// Public types named `…ValidParams` or `…Result`: (file, name).
    bad_names: Vec<(String, String)>,
    /// Every public type name (for the staleness check).
    types: BTreeSet<String>,
}

/// The identifier at the start of `s` (after leading spaces).
fn ident(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The body `{ … }` that opens at `open` (a `{`), by brace counting.
fn body(text: &str, open: usize) -> &str {
    let mut depth = 0usize;
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open..open + i + 1];
                }
            }
            _ => {}
        }
    }
    &text[open..]
}

/// The type in `type NAME = TYPE;` inside `body`, generics stripped.
fn assoc(body: &str, name: &str) -> Option<String> {
    let key = format!("type {name} =");
    let at = body.find(&key)? + key.len();
    let ty = body[at..].split(';').next()?.trim();
    Some(ident(ty.rsplit("::").next().unwrap_or(ty)).to_owned())
}

/// Collects one file's items into `scan`.
fn scan_file(rel: &str, text: &str, scan: &mut Scan) {
    for (start, _) in text.match_indices("pub ") {
        // Only item heads at the start of a line (after indentation).
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        if !text[line_start..start].trim().is_empty() {
            continue;
        }
        let rest = &text[start + 4..];
        let Some(kw) = ["struct ", "enum ", "type "]
            .into_iter()
            .find(|k| rest.starts_with(k))
        else {
            continue;
        };
        let name = ident(&rest[kw.len()..]).to_owned();
        scan.types.insert(name.clone());
        if kw == "struct " && name.ends_with("Params") && name != "Params" {
            scan.params.insert(name.clone(), rel.to_owned());
        }
        if name.ends_with("ValidParams") || (name.ends_with("Result") && name != "Result") {
            scan.bad_names.push((rel.to_owned(), name));
        }
    }
    for (start, _) in text.match_indices("impl") {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        if !text[line_start..start].trim().is_empty() {
            continue;
        }
        let Some(open) = text[start..].find('{').map(|i| start + i) else {
            continue;
        };
        let head = text[start..open].split_whitespace().collect::<Vec<_>>();
        let head = head.join(" ");
        let Some((trait_part, self_ty)) = head.rsplit_once(" for ") else {
            continue;
        };
        let self_ty = ident(self_ty).to_owned();
        if self_ty.starts_with('$') || self_ty.len() <= 1 {
            continue; // a macro's parameter or a blanket impl's type variable
        }
        let last = trait_part.rsplit([' ', ':']).next().unwrap_or("");
        let trait_name = ident(last.split('<').next().unwrap_or(last));
        let is_fit = trait_part.ends_with("Fit")
            || trait_part.contains(" Fit<")
            || trait_part.contains("::Fit<")
            || trait_part.contains(">Fit<");
        let block = body(text, open);
        if trait_name == "ParamGuard" {
            if let Some(checked) = assoc(block, "Checked") {
                scan.guards.insert(self_ty, (checked, rel.to_owned()));
            }
        } else if is_fit && let Some(object) = assoc(block, "Object") {
            scan.fits.entry(self_ty).or_default().insert(object);
        }
    }
    for mac in PARAM_GUARD_MACROS {
        for (at, _) in text.match_indices(&format!("{mac}!(")) {
            let args: Vec<&str> = text[at + mac.len() + 2..].splitn(3, ',').collect();
            if args.len() == 3 {
                let (p, c) = (ident(args[0]), ident(args[1]));
                scan.guards
                    .insert(p.to_owned(), (c.to_owned(), rel.to_owned()));
            }
        }
    }
}

/// The contract's violations: (file, what is wrong).
fn findings(scan: &Scan) -> Vec<(String, String)> {
    let exempt = |list: &[(&str, &str)], name: &str| list.iter().any(|(n, _)| *n == name);
    let mut out = Vec::new();
    for (params, file) in &scan.params {
        if exempt(NOT_LEARNER_PARAMS, params) {
            continue;
        }
        let family = params.trim_end_matches("Params");
        match scan.guards.get(params) {
            None => out.push((
                file.clone(),
                format!("`{params}` has no `impl ParamGuard for {params}`"),
            )),
            Some((checked, _)) if checked != family => out.push((
                file.clone(),
                format!("`{params}` checks into `{checked}`, not `{family}`"),
            )),
            Some(_) => {}
        }
    }
    for (checked, file) in scan.guards.values() {
        if exempt(NOT_DATASET_LEARNERS, checked) {
            continue;
        }
        let want = format!("{checked}Fit");
        let objects = scan.fits.get(checked);
        let ok = objects
            .is_some_and(|objs| objs.iter().any(|o| *o == want || exempt(SHARED_RESULTS, o)));
        if !ok {
            out.push((
                file.clone(),
                format!(
                    "`{checked}` has no `impl Fit<…> for {checked}` with `type Object = {want}` \
                     (found: {objects:?})"
                ),
            ));
        }
    }
    for (file, name) in &scan.bad_names {
        if !exempt(ALLOWED_RESULT_NAMES, name) {
            out.push((
                file.clone(),
                format!("public type `{name}`: name a checked algorithm `X` and its fit `XFit`"),
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Scans every crate's `src/`.
fn scan_workspace() -> Scan {
    let crates = root().join("crates");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&crates)
        .expect("crates/ is readable")
        .flatten()
    {
        rust_files(&entry.path().join("src"), &mut files);
    }
    files.sort();
    let mut scan = Scan::default();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("source is readable");
        scan_file(&relative(&crates, &path), &text, &mut scan);
    }
    scan
}

fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn report(list: &[(String, String)]) -> String {
    let mut by_file: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (file, what) in list {
        by_file.entry(file).or_default().push(what);
    }
    by_file
        .iter()
        .map(|(file, whats)| format!("  {file}:\n    {}", whats.join("\n    ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_algorithm_family_follows_the_learner_contract() {
    let failing = findings(&scan_workspace());
    assert!(
        failing.is_empty(),
        "the learner contract (XParams → ParamGuard → X → Fit → XFit) is broken in:\n{}",
        report(&failing)
    );
}

#[test]
fn the_exemption_lists_are_current() {
    let scan = scan_workspace();
    for (name, _) in NOT_LEARNER_PARAMS
        .iter()
        .chain(NOT_DATASET_LEARNERS)
        .chain(SHARED_RESULTS)
        .chain(ALLOWED_RESULT_NAMES)
    {
        assert!(
            scan.types.contains(*name),
            "`{name}` is gone: strike it from its exemption list"
        );
    }
}

#[test]
fn the_scan_sees_what_it_looks_for() {
    let mut scan = Scan::default();
    scan_file(
        "a.rs",
        "pub struct GoodParams { x: u8 }\n\
         impl ParamGuard for GoodParams {\n    type Checked = Good;\n    type Error = E;\n}\n\
         pub struct Good;\n\
         impl<'a> Fit<(&'a str, Option<&'a D>)> for Good {\n    type Object = GoodFit;\n}\n\
         pub struct LooseParams;\n\
         pub struct OddParams;\n\
         impl causal_core::contract::ParamGuard for OddParams {\n    type Checked = Other;\n}\n\
         pub struct UnfitParams;\n\
         impl ParamGuard for UnfitParams {\n    type Checked = Unfit;\n}\n\
         impl Fit for Unfit {\n    type Object = Something;\n}\n\
         pub struct MacParams;\n\
         learner_params!(MacParams, Mac, \"doc\");\n\
         impl Fit for Mac {\n    type Object = crate::x::MacFit;\n}\n\
         pub struct OldValidParams;\n\
         pub struct PcResult;\n\
         pub type Result<T> = std::result::Result<T, E>;\n",
        &mut scan,
    );
    let found: Vec<String> = findings(&scan).into_iter().map(|(_, w)| w).collect();
    let has = |s: &str| found.iter().any(|w| w.contains(s));
    assert!(has("`LooseParams` has no `impl ParamGuard"), "{found:?}");
    assert!(has("`OddParams` checks into `Other`"), "{found:?}");
    assert!(has("`Unfit` has no `impl Fit"), "{found:?}");
    assert!(has("`OldValidParams`") && has("`PcResult`"), "{found:?}");
    assert!(!has("Good") && !has("Mac") && !has("`Result`"), "{found:?}");
    // Also: `OldValidParams` lacks a guard, and `Other` (what `OddParams` checks into) a fit.
    assert_eq!(found.len(), 7, "{found:?}");
}
