//! Checking an estimate from Python, as the CLI's `refute`, `report` and `effect` do: the
//! refuters (and the graph's implied-independence test), the sensitivity analysis, and the
//! assumptions report; and the CATE meta-learners of `causal cate`.

use causal_core::data::Dataset;
use causal_core::estimate::{AteEstimator, CateLearnerParams, CateMethod, ParamGuard};
use causal_core::graph::MixedGraph;
use causal_core::learner::{LearnerChoice, by_name};
use causal_core::refute::{GraphTestParams, RefuteParams, refute_all, test_graph};
use causal_core::report::{AssumptionsReport, Identification, edge_records, sensitivity};
use causal_core::stats::{Bootstrap, Correction, variance};
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::data::Data;
use crate::error;
use crate::graph::{Graph, to_py};

/// How an estimate is checked after it is built: the settings of the refuters and the graph
/// test.
pub struct Checks<'a> {
    pub simulations: usize,
    pub alpha: f64,
    pub correction: &'a str,
    pub seed: u64,
}

/// Every refuter on `est` (as `causal refute`: placebo treatment, random common cause, data
/// subset, dummy outcome), then the graph's implied independences when there is a graph.
pub fn refutations(
    est: &dyn AteEstimator,
    d: &Dataset,
    graph: Option<&MixedGraph>,
    c: &Checks<'_>,
) -> causal_core::Result<Vec<Value>> {
    est.fit(d, ())?; // fail early, with the estimator's own error
    let params = RefuteParams {
        simulations: c.simulations,
        seed: c.seed,
        alpha: c.alpha,
        ..RefuteParams::default()
    };
    params.check()?;
    let mut out: Vec<Value> = refute_all(est, d, &params)
        .into_iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect();
    if let Some(g) = graph {
        let t = test_graph(
            g,
            d,
            &GraphTestParams {
                alpha: c.alpha,
                correction: c.correction.parse::<Correction>()?,
            },
        )?;
        out.push(json!({
            "refuter": "graph_test",
            "passed": t.passed,
            "detail": format!("{} of {} implied independences rejected ({:?})",
                              t.n_rejected, t.tests.len(), t.correction),
            "tests": t.tests,
        }));
    }
    Ok(out)
}

/// The estimate's sensitivity to unobserved confounding (E-value, robustness value), as
/// `causal effect` reports it: scaled by the outcome's standard deviation.
pub fn sensitivity_of(
    est: &dyn AteEstimator,
    d: &Dataset,
    outcome: &str,
    boot: Option<&Bootstrap>,
    level: f64,
) -> causal_core::Result<Value> {
    let e = est.estimate(d, boot, level)?;
    let sd = variance(d.column(outcome)?).sqrt();
    Ok(json!({"estimate": e, "sensitivity": sensitivity(&e, sd)?}))
}

/// The assumptions report of `causal report`: the graph and where its edges came from,
/// identification, the estimate, refutations, the graph test and sensitivity; as its JSON
/// (a dict) and its Markdown.
pub fn report(
    est: &dyn AteEstimator,
    d: &Dataset,
    graph: &MixedGraph,
    discovered: Option<&MixedGraph>,
    strategy: (&str, &str),
    outcome: &str,
    boot: Option<&Bootstrap>,
    level: f64,
    c: &Checks<'_>,
) -> causal_core::Result<Value> {
    let estimate = est.estimate(d, boot, level)?;
    let params = RefuteParams {
        simulations: c.simulations,
        seed: c.seed,
        ..RefuteParams::default()
    };
    let refutations = refute_all(est, d, &params);
    let graph_test = test_graph(
        graph,
        d,
        &GraphTestParams {
            alpha: 0.05,
            correction: c.correction.parse::<Correction>()?,
        },
    )?;
    let sd = variance(d.column(outcome)?).sqrt();
    let report = AssumptionsReport {
        graph: graph.to_json_value(),
        edges: edge_records(graph, discovered),
        identification: Identification {
            strategy: strategy.0.to_owned(),
            source: strategy.1.to_owned(),
            estimand: estimate.estimand.clone(),
        },
        sensitivity: sensitivity(&estimate, sd)?,
        estimate,
        refutations,
        graph_test: Some(graph_test),
    };
    let json: Value = serde_json::from_str(&report.to_json()?)
        .map_err(|e| causal_core::CoreError::InvalidParameter(e.to_string()))?;
    Ok(json!({"report": json, "markdown": report.to_markdown(graph)}))
}

/// Conditional average treatment effects of a binary `treatment` on `outcome` by the DR-, R-
/// or X-learner (`method`: dr, r, x), with cross-fitted nuisances (`learner`: linear, lasso,
/// lasso:ALPHA, forest, forest:TREES) and a final stage linear in `features`, or a flexible
/// one (`final_stage`: forest, forest:TREES, ...; `bootstrap` replicates for its per-unit
/// intervals), as `causal cate` computes them, with its options `overlap_weights`,
/// `plugin_offset`, `composed_outcome` and `joint_outcome`. Returns a dict: the summary
/// (`coef`, `se`, `ci`, `ate`, `ate_se`, ...) and the per-row `cate` (and `cate_se`, and
/// `cate_ci` from the bootstrap).
#[pyfunction]
#[pyo3(signature = (data, treatment, outcome, *, method="dr", adjust=None, features=Vec::new(),
    learner="linear", folds=5, seed=0, clip=0.01, level=0.95, missing="error",
    final_stage="linear", bootstrap=0, overlap_weights=false, plugin_offset=false,
    composed_outcome=false, joint_outcome=false))]
pub fn cate<'py>(
    py: Python<'py>,
    data: &Data,
    treatment: &str,
    outcome: &str,
    method: &str,
    adjust: Option<Vec<String>>,
    features: Vec<String>,
    learner: &str,
    folds: usize,
    seed: u64,
    clip: f64,
    level: f64,
    missing: &str,
    final_stage: &str,
    bootstrap: usize,
    overlap_weights: bool,
    plugin_offset: bool,
    composed_outcome: bool,
    joint_outcome: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let d = data.prepared(missing)?;
    let d: &Dataset = &d;
    let m: CateMethod = method.parse().map_err(error::core)?;
    let adjust = adjust.unwrap_or_else(|| {
        d.names()
            .iter()
            .filter(|c| *c != treatment && *c != outcome)
            .cloned()
            .collect()
    });
    let regressor = by_name(learner, LearnerChoice::Regressor).map_err(error::core)?;
    let classifier = by_name(learner, LearnerChoice::Classifier).map_err(error::core)?;
    let mut params =
        CateLearnerParams::new(m, treatment, outcome, &crate::estimate::refs(&features))
            .covariates(&crate::estimate::refs(&adjust))
            .learners(regressor, classifier)
            .folds(folds)
            .seed(seed)
            .trimming(clip)
            .level(level)
            .final_stage_bootstrap(bootstrap)
            .overlap_weights(overlap_weights)
            .plugin_offset(plugin_offset)
            .composed_outcome(composed_outcome)
            .joint_outcome(joint_outcome);
    if final_stage != "linear" {
        params = params
            .final_stage(by_name(final_stage, LearnerChoice::Regressor).map_err(error::core)?);
    }
    let est = params.check().map_err(error::core)?;
    let fit = py.detach(|| est.fit_cate(d)).map_err(error::core)?;
    let mut v = serde_json::to_value(&fit).map_err(error::value_error)?;
    v["n"] = json!(d.n_rows());
    v["learner"] = json!(learner);
    v["adjust"] = json!(adjust);
    to_py(py, &v)
}

/// A graph argument's mixed graph.
pub fn mixed(g: Option<&Graph>) -> Option<&MixedGraph> {
    g.map(|g| &g.inner)
}
