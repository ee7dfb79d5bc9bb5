//! Average treatment effects from Python: regression, IPW, AIPW (back-door), front-door,
//! two-stage least squares and double machine learning (PLR, IRM, PLIV, IIVM with learners by
//! name), with the adjustment set, mediators or instruments read from a graph as
//! `causal estimate` does (crates/causal-cli/src/cmd/estimate.rs); and the same estimator
//! refuted, put through the sensitivity analysis or the assumptions report ([`assess`]).

use causal_core::estimate::{
    AipwParams, AteEstimator, DmlParams, DmlScore, FrontDoorParams, IpwParams, Method, ParamGuard,
    RegressionParams, TwoStageLeastSquaresParams,
};
use causal_core::graph::{Admg, NodeSet};
use causal_core::learner::{LearnerChoice, by_name};
use causal_core::stats::Bootstrap;
use pyo3::prelude::*;

use crate::assess::{self, Checks};
use crate::data::Data;
use crate::error;
use crate::graph::{Graph, to_py};

fn names_of(g: &Admg, set: &NodeSet) -> Vec<String> {
    set.iter().map(|v| g.name(v).to_owned()).collect()
}

pub fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The graph as an ADMG with the treatment and outcome nodes, or the error saying what is
/// missing.
fn admg_of(graph: Option<&Graph>, t: &str, y: &str, what: &str) -> PyResult<(Admg, usize, usize)> {
    let g = graph.ok_or_else(|| error::value_error(format!("give graph= or {what}")))?;
    let admg = Admg::from_mixed(&g.inner).map_err(error::core)?;
    let (ti, yi) = (
        admg.index(t).map_err(error::core)?,
        admg.index(y).map_err(error::core)?,
    );
    Ok((admg, ti, yi))
}

/// The estimator's settings from Python (`estimate`'s keyword arguments).
pub struct Spec<'a> {
    pub treatment: &'a str,
    pub outcome: &'a str,
    pub graph: Option<&'a Graph>,
    pub method: &'a str,
    pub adjust: Option<Vec<String>>,
    pub mediators: Option<Vec<String>>,
    pub instruments: Option<Vec<String>>,
    pub folds: usize,
    pub seed: u64,
    pub clip: Option<f64>,
    pub learner: &'a str,
    pub score: Option<&'a str>,
    pub repeats: usize,
}

impl<'a> Spec<'a> {
    /// Regression adjustment on `adjust` (what `causal effect` estimates on its set).
    pub fn regression(
        treatment: &'a str,
        outcome: &'a str,
        adjust: Vec<String>,
        seed: u64,
    ) -> Self {
        Spec {
            treatment,
            outcome,
            graph: None,
            method: "regression",
            adjust: Some(adjust),
            mediators: None,
            instruments: None,
            folds: 5,
            seed,
            clip: None,
            learner: "linear",
            score: None,
            repeats: 1,
        }
    }
}

/// The effect of `treatment` on `outcome` (`task="estimate"`): a dict with `ate`, `se`, `ci`,
/// the method, the warnings, and `identification` (the strategy and where its set came from).
/// The same estimator can instead be refuted (`task="refute"`: a list of refutations, as
/// `causal refute`), put through the sensitivity analysis (`task="sensitivity"`) or the
/// assumptions report (`task="report"`, needs the graph; `discovered` marks which edges the
/// data found).
#[pyfunction]
#[pyo3(signature = (data, treatment, outcome, *, graph=None, method="regression", adjust=None,
    mediators=None, instruments=None, folds=5, seed=0, clip=None, bootstrap=0, level=0.95,
    missing="error", learner="linear", score=None, repeats=1, task="estimate", simulations=20,
    alpha=0.05, correction="holm", discovered=None))]
pub fn estimate<'py>(
    py: Python<'py>,
    data: &Data,
    treatment: &str,
    outcome: &str,
    graph: Option<&Graph>,
    method: &str,
    adjust: Option<Vec<String>>,
    mediators: Option<Vec<String>>,
    instruments: Option<Vec<String>>,
    folds: usize,
    seed: u64,
    clip: Option<f64>,
    bootstrap: usize,
    level: f64,
    missing: &str,
    learner: &str,
    score: Option<&str>,
    repeats: usize,
    task: &str,
    simulations: usize,
    alpha: f64,
    correction: &str,
    discovered: Option<&Graph>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = data.prepared(missing)?;
    let spec = Spec {
        treatment,
        outcome,
        graph,
        method,
        adjust,
        mediators,
        instruments,
        folds,
        seed,
        clip,
        learner,
        score,
        repeats,
    };
    let (est, strategy, source) = build(&d, spec)?;
    let boot = (bootstrap > 0).then_some(Bootstrap {
        resamples: bootstrap,
        seed,
        level,
        parallel: true,
    });
    let d: &causal_core::data::Dataset = &d;
    let checks = Checks {
        simulations,
        alpha,
        correction,
        seed,
    };
    let est = est.as_ref();
    let g = assess::mixed(graph);
    let v = match task {
        "estimate" => {
            let result = py
                .detach(|| est.estimate(d, boot.as_ref(), level))
                .map_err(error::core)?;
            let mut v = serde_json::to_value(&result).map_err(error::value_error)?;
            v["identification"] = serde_json::json!({"strategy": strategy, "source": source});
            v
        }
        "refute" => serde_json::Value::Array(
            py.detach(|| assess::refutations(est, d, g, &checks))
                .map_err(error::core)?,
        ),
        "sensitivity" => py
            .detach(|| assess::sensitivity_of(est, d, outcome, boot.as_ref(), level))
            .map_err(error::core)?,
        "report" => {
            let g = g.ok_or_else(|| error::value_error("the assumptions report needs graph="))?;
            let found = assess::mixed(discovered);
            py.detach(|| {
                assess::report(
                    est,
                    d,
                    g,
                    found,
                    (strategy, &source),
                    outcome,
                    boot.as_ref(),
                    level,
                    &checks,
                )
            })
            .map_err(error::core)?
        }
        other => {
            return Err(error::value_error(format!(
                "unknown task '{other}' (estimate, refute, sensitivity, report)"
            )));
        }
    };
    to_py(py, &v)
}

/// The estimator `spec` describes, the identification strategy and where its set came from.
pub fn build(
    d: &causal_core::data::Dataset,
    spec: Spec<'_>,
) -> PyResult<(Box<dyn AteEstimator>, &'static str, String)> {
    let (treatment, outcome, graph, method) =
        (spec.treatment, spec.outcome, spec.graph, spec.method);
    let (adjust, mediators, instruments) = (spec.adjust, spec.mediators, spec.instruments);
    let (folds, seed, clip) = (spec.folds, spec.seed, spec.clip);
    if treatment == outcome {
        return Err(error::value_error(format!(
            "treatment and outcome are both '{treatment}': give two different columns"
        )));
    }
    for v in [treatment, outcome] {
        d.index_of(v).map_err(error::core)?;
    }
    if method.starts_with("dml") {
        let dml = DmlSpec {
            learner: spec.learner,
            score: spec.score,
            repeats: spec.repeats,
            folds,
            seed,
            clip,
        };
        return build_dml(method, treatment, outcome, graph, adjust, instruments, &dml);
    }
    let m: Method = method.parse().map_err(error::core)?;
    let (t, y) = (treatment, outcome);
    let (est, strategy, source): (Box<dyn AteEstimator>, &'static str, String) = match m {
        Method::Regression | Method::Ipw | Method::Aipw => {
            let (w, source) = backdoor_set(graph, t, y, adjust)?;
            let w = refs(&w);
            let est: Box<dyn AteEstimator> = match m {
                Method::Regression => Box::new(
                    RegressionParams::new(t, y)
                        .covariates(&w)
                        .check()
                        .map_err(error::core)?,
                ),
                Method::Ipw => Box::new(
                    IpwParams::new(t, y)
                        .covariates(&w)
                        .clip(clip.unwrap_or(0.0))
                        .check()
                        .map_err(error::core)?,
                ),
                _ => Box::new(
                    AipwParams::new(t, y)
                        .covariates(&w)
                        .folds(folds)
                        .seed(seed)
                        .clip(clip.unwrap_or(0.01))
                        .check()
                        .map_err(error::core)?,
                ),
            };
            (est, "backdoor", source)
        }
        Method::Frontdoor => {
            let m = match mediators {
                Some(m) => m,
                None => {
                    let (admg, ti, yi) = admg_of(graph, t, y, "mediators=")?;
                    let (x, yy) = (
                        NodeSet::from_indices(admg.n(), [ti]),
                        NodeSet::from_indices(admg.n(), [yi]),
                    );
                    match admg.frontdoor_sets(&x, &yy).first() {
                        Some(s) => names_of(&admg, s),
                        None => {
                            return Err(error::value_error(format!(
                                "the graph has no front-door set between '{t}' and '{y}'; give \
                                 mediators="
                            )));
                        }
                    }
                }
            };
            let w = adjust.unwrap_or_default();
            let est = FrontDoorParams::new(t, &refs(&m), y)
                .covariates(&refs(&w))
                .check()
                .map_err(error::core)?;
            (
                Box::new(est) as Box<dyn AteEstimator>,
                "frontdoor",
                format!("mediators {}", m.join(", ")),
            )
        }
        Method::Iv => {
            let (z, w) = instruments_of(graph, t, y, instruments, adjust)?;
            let est = TwoStageLeastSquaresParams::new(t, &refs(&z), y)
                .covariates(&refs(&w))
                .check()
                .map_err(error::core)?;
            (
                Box::new(est) as Box<dyn AteEstimator>,
                "iv",
                format!("instruments {}", z.join(", ")),
            )
        }
        other => {
            return Err(error::value_error(format!(
                "method '{method}' ({other:?}) is not bound in Python yet (choose regression, \
                 ipw, aipw, frontdoor, iv or dml-plr, dml-irm, dml-pliv, dml-iivm)"
            )));
        }
    };
    Ok((est, strategy, source))
}

/// The back-door set: `adjust` when given, else the graph's optimal (or first minimal)
/// adjustment set; and where it came from.
fn backdoor_set(
    graph: Option<&Graph>,
    t: &str,
    y: &str,
    adjust: Option<Vec<String>>,
) -> PyResult<(Vec<String>, String)> {
    Ok(match adjust {
        Some(a) => (a, "given (adjust=)".to_owned()),
        None => {
            let (admg, ti, yi) = admg_of(graph, t, y, "adjust=")?;
            let (x, yy) = (
                NodeSet::from_indices(admg.n(), [ti]),
                NodeSet::from_indices(admg.n(), [yi]),
            );
            match admg.optimal_adjustment_set(&x, &yy) {
                Some(o) => (names_of(&admg, &o), "graph: optimal adjustment set".into()),
                None => match admg.minimal_adjustment_sets(&x, &yy).first() {
                    Some(z) => (names_of(&admg, z), "graph: minimal adjustment set".into()),
                    None => {
                        return Err(error::value_error(format!(
                            "the graph admits no adjustment set for the effect of '{t}' \
                             on '{y}'; try method='frontdoor' or 'iv'"
                        )));
                    }
                },
            }
        }
    })
}

/// The instruments and the covariates beside them: `instruments` and `adjust` when given,
/// else the graph's first conditional instrument and its conditioning set.
fn instruments_of(
    graph: Option<&Graph>,
    t: &str,
    y: &str,
    instruments: Option<Vec<String>>,
    adjust: Option<Vec<String>>,
) -> PyResult<(Vec<String>, Vec<String>)> {
    Ok(match instruments {
        Some(z) => (z, adjust.unwrap_or_default()),
        None => {
            let (admg, ti, yi) = admg_of(graph, t, y, "instruments=")?;
            match admg.instruments(ti, yi).first() {
                Some(iv) => (
                    vec![admg.name(iv.instrument).to_owned()],
                    names_of(&admg, &iv.given),
                ),
                None => {
                    return Err(error::value_error(format!(
                        "the graph has no instrument for '{t}'; give instruments="
                    )));
                }
            }
        }
    })
}

/// The DML settings beyond the roles.
struct DmlSpec<'a> {
    learner: &'a str,
    score: Option<&'a str>,
    repeats: usize,
    folds: usize,
    seed: u64,
    clip: Option<f64>,
}

/// A double machine learning estimator (`method`: dml-plr, dml-irm, dml-pliv, dml-iivm) as
/// `causal estimate` builds it: covariates from `adjust` or the graph's back-door set, the
/// IV models' one instrument from `instruments` or the graph, nuisances by learner name.
fn build_dml(
    method: &str,
    t: &str,
    y: &str,
    graph: Option<&Graph>,
    adjust: Option<Vec<String>>,
    instruments: Option<Vec<String>>,
    o: &DmlSpec<'_>,
) -> PyResult<(Box<dyn AteEstimator>, &'static str, String)> {
    let iv = matches!(method, "dml-pliv" | "dml-iivm");
    let (w, z, strategy, source) = if iv {
        let (z, w) = instruments_of(graph, t, y, instruments, adjust)?;
        if z.len() != 1 {
            return Err(error::value_error(format!(
                "{method} takes one instrument, not {} ({})",
                z.len(),
                z.join(", ")
            )));
        }
        let source = format!("instrument {}", z[0]);
        (w, Some(z[0].clone()), "iv", source)
    } else {
        let (w, source) = backdoor_set(graph, t, y, adjust)?;
        (w, None, "backdoor", source)
    };
    let regressor = by_name(o.learner, LearnerChoice::Regressor).map_err(error::core)?;
    let classifier = by_name(o.learner, LearnerChoice::Classifier).map_err(error::core)?;
    let mut params = DmlParams::by_name(method, t, y, z.as_deref())
        .map_err(error::core)?
        .covariates(&refs(&w))
        .learners(regressor, classifier)
        .folds(o.folds)
        .repeats(o.repeats)
        .seed(o.seed)
        .trimming(o.clip.unwrap_or(0.01));
    if let Some(score) = o.score {
        params = params.score(score.parse::<DmlScore>().map_err(error::core)?);
    }
    let est = params.check().map_err(error::core)?;
    Ok((Box::new(est), strategy, source))
}
