//! Discovery from Python: PC, FCI, GES, DirectLiNGAM and NOTEARS with background knowledge,
//! and bootstrap edge frequencies, each run with the GIL released.

use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use causal_discover::DiscoverError;
use causal_discover::bootstrap::bootstrap_with;
use causal_discover::knowledge::Knowledge;
use causal_discover::learner::{self, DiscoverOptions, Method};
use causal_discover::pc::{UcPriority, UcRule};
use pyo3::prelude::*;

use crate::data::Data;
use crate::error;
use crate::graph::{Graph, to_py};

/// The options of every method (each method reads its own), as `causal discover` takes them.
#[derive(Clone)]
pub(crate) struct Options {
    method: String,
    test: String,
    alpha: f64,
    stable: bool,
    uc_rule: i64,
    uc_priority: i64,
    max_depth: Option<usize>,
    max_path_length: Option<usize>,
    score: String,
    lambda1: Option<f64>,
    threshold: Option<f64>,
    knowledge: Option<Knowledge>,
    threads: Option<usize>,
}

/// Methods whose statistics need numbers, so a categorical column of more than two levels is
/// refused (naming it) rather than read as codes.
fn needs_numbers(o: &Options) -> bool {
    match o.method.as_str() {
        "pc" | "fci" => matches!(o.test.as_str(), "fisherz" | "kci"),
        "ges" => o.score != "bdeu",
        _ => true,
    }
}

impl Options {
    /// `method` with CI test `test` at level `alpha` and every other option at its default
    /// (no knowledge), as `causal effect --discover` runs it.
    pub(crate) fn defaults(method: &str, test: &str, alpha: f64) -> Self {
        Self {
            method: method.to_ascii_lowercase(),
            test: test.to_ascii_lowercase(),
            alpha,
            stable: true,
            uc_rule: 0,
            uc_priority: 2,
            max_depth: None,
            max_path_length: None,
            score: "bic".into(),
            lambda1: None,
            threshold: None,
            knowledge: None,
            threads: None,
        }
    }
}

/// Runs the method through causal-discover's one entry point, parsing only the options the
/// method reads (as `causal discover` does).
pub(crate) fn run(o: &Options, data: &Dataset) -> Result<MixedGraph, DiscoverError> {
    let method: Method = o.method.parse()?;
    let mut options = DiscoverOptions {
        alpha: o.alpha,
        stable: o.stable,
        max_depth: o.max_depth,
        max_path_length: o.max_path_length,
        lambda1: o.lambda1,
        threshold: o.threshold,
        threads: o.threads,
        ..DiscoverOptions::default()
    };
    if method.uses_ci_test() {
        options.test = o.test.parse()?;
    }
    if method == Method::Pc {
        options.uc_rule = UcRule::from_code(o.uc_rule)?;
        options.uc_priority = UcPriority::from_code(o.uc_priority)?;
    }
    if method == Method::Ges {
        options.score = o.score.parse()?;
    }
    let none = Knowledge::new();
    let knowledge = o.knowledge.as_ref().unwrap_or(&none);
    Ok(learner::discover(method, data, knowledge, &options)?.graph)
}

/// Background knowledge from the Python arguments: `tiers` (earliest first), `required` and
/// `forbidden` directed edges, or Tetrad's text format.
fn knowledge(
    tiers: Vec<Vec<String>>,
    required: Vec<(String, String)>,
    forbidden: Vec<(String, String)>,
    forbid_within_tiers: bool,
    tetrad: Option<&str>,
) -> PyResult<Option<Knowledge>> {
    let mut k = match tetrad {
        Some(text) => Knowledge::from_tetrad(text).map_err(error::discover)?,
        None => Knowledge::new(),
    };
    for (t, names) in tiers.into_iter().enumerate() {
        k = k.tier(t, names);
        if forbid_within_tiers {
            k = k.forbid_within_tier(t);
        }
    }
    for (a, b) in required {
        k = k.require(a, b);
    }
    for (a, b) in forbidden {
        k = k.forbid(a, b);
    }
    Ok((!k.is_empty()).then_some(k))
}

/// Reads the options and the data set, applying the missing-value policy and the numbers
/// check.
fn prepare<'d>(
    data: &'d Data,
    o: &Options,
    missing: &str,
) -> PyResult<std::borrow::Cow<'d, Dataset>> {
    if o.threads == Some(0) {
        return Err(error::value_error("threads must be at least 1"));
    }
    let d = data.prepared(missing)?;
    if needs_numbers(o) {
        let names: Vec<&str> = d.names().iter().map(String::as_str).collect();
        d.require_numeric(&names).map_err(error::core)?;
    }
    Ok(d)
}

/// Runs one discovery method (`pc`, `fci`, `ges`, `direct_lingam`, `notears`) on `data` and
/// returns its graph; the keyword arguments are those of `causal_rs.discover`'s functions.
#[pyfunction]
#[pyo3(signature = (method, data, *, test="fisherz", alpha=0.05, stable=true, uc_rule=0,
    uc_priority=2, max_depth=None, max_path_length=None, score="bic", lambda1=None,
    threshold=None, tiers=Vec::new(), required=Vec::new(), forbidden=Vec::new(),
    forbid_within_tiers=false, knowledge_text=None, threads=None, missing="error"))]
pub fn discover(
    py: Python<'_>,
    method: &str,
    data: &Data,
    test: &str,
    alpha: f64,
    stable: bool,
    uc_rule: i64,
    uc_priority: i64,
    max_depth: Option<usize>,
    max_path_length: Option<usize>,
    score: &str,
    lambda1: Option<f64>,
    threshold: Option<f64>,
    tiers: Vec<Vec<String>>,
    required: Vec<(String, String)>,
    forbidden: Vec<(String, String)>,
    forbid_within_tiers: bool,
    knowledge_text: Option<&str>,
    threads: Option<usize>,
    missing: &str,
) -> PyResult<Graph> {
    let o = Options {
        method: method.to_ascii_lowercase(),
        test: test.to_ascii_lowercase(),
        alpha,
        stable,
        uc_rule,
        uc_priority,
        max_depth,
        max_path_length,
        score: score.to_ascii_lowercase(),
        lambda1,
        threshold,
        knowledge: knowledge(
            tiers,
            required,
            forbidden,
            forbid_within_tiers,
            knowledge_text,
        )?,
        threads,
    };
    let d = prepare(data, &o, missing)?;
    let d: &Dataset = &d;
    let g = py.detach(|| run(&o, d)).map_err(error::discover)?;
    Ok(Graph { inner: g })
}

/// Edge frequencies of `method` over `replicates` seeded bootstrap resamples of the rows
/// (replicates in parallel; the result does not depend on the thread count): a list of dicts
/// as `causal discover --bootstrap` prints them.
#[pyfunction]
#[pyo3(signature = (method, data, replicates, *, seed=0, test="fisherz", alpha=0.05,
    score="bic", tiers=Vec::new(), required=Vec::new(), forbidden=Vec::new(),
    forbid_within_tiers=false, knowledge_text=None, missing="error"))]
pub fn bootstrap<'py>(
    py: Python<'py>,
    method: &str,
    data: &Data,
    replicates: usize,
    seed: u64,
    test: &str,
    alpha: f64,
    score: &str,
    tiers: Vec<Vec<String>>,
    required: Vec<(String, String)>,
    forbidden: Vec<(String, String)>,
    forbid_within_tiers: bool,
    knowledge_text: Option<&str>,
    missing: &str,
) -> PyResult<Bound<'py, PyAny>> {
    if replicates == 0 {
        return Err(error::value_error("replicates must be at least 1"));
    }
    let o = Options {
        score: score.to_ascii_lowercase(),
        knowledge: knowledge(
            tiers,
            required,
            forbidden,
            forbid_within_tiers,
            knowledge_text,
        )?,
        ..Options::defaults(method, test, alpha)
    };
    let d = prepare(data, &o, missing)?;
    let d: &Dataset = &d;
    let freq = py
        .detach(|| bootstrap_with(d, replicates, seed, |r| run(&o, r)))
        .map_err(error::discover)?;
    let value = serde_json::json!({
        "replicates": freq.replicates(),
        "seed": seed,
        "edges": freq.edges(),
    });
    to_py(py, &value)
}
