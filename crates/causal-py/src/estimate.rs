//! Average treatment effects from Python: regression, IPW, AIPW (back-door), front-door and
//! two-stage least squares, with the adjustment set, mediators or instruments read from a
//! graph as `causal estimate` does (crates/causal-cli/src/cmd/estimate.rs).

use causal_core::estimate::{
    AipwParams, AteEstimator, FrontDoorParams, IpwParams, Method, ParamGuard, RegressionParams,
    TwoStageLeastSquaresParams,
};
use causal_core::graph::{Admg, NodeSet};
use causal_core::stats::Bootstrap;
use pyo3::prelude::*;

use crate::data::Data;
use crate::error;
use crate::graph::{Graph, to_py};

fn names_of(g: &Admg, set: &NodeSet) -> Vec<String> {
    set.iter().map(|v| g.name(v).to_owned()).collect()
}

fn refs(v: &[String]) -> Vec<&str> {
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

/// The effect of `treatment` on `outcome`: a dict with `ate`, `se`, `ci`, the method, the
/// warnings, and `identification` (the strategy and where its set came from).
#[pyfunction]
#[pyo3(signature = (data, treatment, outcome, *, graph=None, method="regression", adjust=None,
    mediators=None, instruments=None, folds=5, seed=0, clip=None, bootstrap=0, level=0.95,
    missing="error"))]
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
) -> PyResult<Bound<'py, PyAny>> {
    if treatment == outcome {
        return Err(error::value_error(format!(
            "treatment and outcome are both '{treatment}': give two different columns"
        )));
    }
    let d = data.prepared(missing)?;
    for v in [treatment, outcome] {
        d.index_of(v).map_err(error::core)?;
    }
    let m: Method = method.parse().map_err(error::core)?;
    let (t, y) = (treatment, outcome);
    let (est, strategy, source): (Box<dyn AteEstimator>, &str, String) = match m {
        Method::Regression | Method::Ipw | Method::Aipw => {
            let (w, source) = match adjust {
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
            };
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
            let (z, w) = match instruments {
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
            };
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
                 ipw, aipw, frontdoor or iv)"
            )));
        }
    };
    let boot = (bootstrap > 0).then_some(Bootstrap {
        resamples: bootstrap,
        seed,
        level,
        parallel: true,
    });
    let d: &causal_core::data::Dataset = &d;
    let result = py
        .detach(|| est.estimate(d, boot.as_ref(), level))
        .map_err(error::core)?;
    let mut v = serde_json::to_value(&result).map_err(error::value_error)?;
    v["identification"] = serde_json::json!({"strategy": strategy, "source": source});
    to_py(py, &v)
}
