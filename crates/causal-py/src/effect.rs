//! `causal_rs.effect`: the graph-uncertainty entry point of `causal effect`
//! (crates/causal-cli/src/cmd/effect.rs) from Python: a given or discovered graph, its class,
//! identification (ID on a DAG or ADMG, the generalised adjustment criterion on a class),
//! regression on the adjustment set with its refutations and sensitivity, IDA's possible
//! effects over a DAG/CPDAG/PDAG, and the bootstrap of the whole pipeline (rediscovering the
//! graph on each resample when it was discovered).

use causal_core::data::Dataset;
use causal_core::graph::{Admg, GraphClass, MixedGraph, NodeSet};
use causal_core::ida::bootstrap::{PipelineSpec, pipeline_bootstrap};
use causal_core::ida::{Ida, IdaMethod};
use causal_core::identify::Identifier;
use causal_core::report::sensitivity;
use causal_core::stats::{Bootstrap, variance};
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::assess::{self, Checks};
use crate::data::Data;
use crate::discover::{Options, run};
use crate::error;
use crate::estimate::{Spec, build};
use crate::graph::{Graph, to_py};

/// Whether `to` is reachable from `from` along directed edges.
fn reaches(g: &MixedGraph, from: usize, to: usize) -> bool {
    let mut seen = vec![false; g.n_nodes()];
    let mut stack = vec![from];
    seen[from] = true;
    while let Some(v) = stack.pop() {
        if v == to {
            return true;
        }
        for c in g.children(v) {
            if !seen[c] {
                seen[c] = true;
                stack.push(c);
            }
        }
    }
    false
}

/// The effect of `treatment` on `outcome` with the uncertainty of the graph, as
/// `causal effect` reports it: give `graph`, or `discover` (a method name: pc, fci, ges, ...,
/// run with CI test `test` at level `alpha`). Returns a dict with `graph_class`,
/// `identification` (class, amenability, strategy, adjustment set, estimand), `estimate`,
/// `possible_effects` and `bounds` (IDA), `bootstrap` (the pipeline bootstrap, with
/// `bootstrap` replicates), `refutations` and `sensitivity`.
#[pyfunction]
#[pyo3(signature = (data, treatment, outcome, *, graph=None, discover=None, test="fisherz",
    alpha=0.05, ida="optimal", bootstrap=0, seed=0, level=0.95, simulations=20,
    missing="error"))]
pub fn effect<'py>(
    py: Python<'py>,
    data: &Data,
    treatment: &str,
    outcome: &str,
    graph: Option<&Graph>,
    discover: Option<&str>,
    test: &str,
    alpha: f64,
    ida: &str,
    bootstrap: usize,
    seed: u64,
    level: f64,
    simulations: usize,
    missing: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let d = data.prepared(missing)?;
    let d: &Dataset = &d;
    for v in [treatment, outcome] {
        d.index_of(v).map_err(error::core)?;
    }
    if treatment == outcome {
        return Err(error::value_error(format!(
            "'{treatment}' is both the treatment and the outcome"
        )));
    }
    let method: IdaMethod = ida.parse().map_err(error::core)?;
    let found = discover.map(|m| Options::defaults(m, test, alpha));
    let (g, discovered) = match (graph, &found) {
        (Some(g), None) => {
            if let Some(node) = g.inner.nodes().iter().find(|n| !d.has_column(n)) {
                return Err(error::value_error(format!(
                    "graph node '{node}' is not a column of the data (columns: {})",
                    d.names().join(", ")
                )));
            }
            (g.inner.clone(), false)
        }
        (None, Some(o)) => (py.detach(|| run(o, d)).map_err(error::discover)?, true),
        _ => return Err(error::value_error("give graph= or discover= (one of them)")),
    };
    let node = |v: &str| {
        g.index(v)
            .map_err(|_| error::value_error(format!("'{v}' is not a node of the graph")))
    };
    let (x, y) = (node(treatment)?, node(outcome)?);
    if reaches(&g, y, x) {
        return Err(error::value_error(format!(
            "the treatment '{treatment}' is a descendant of the outcome '{outcome}': its effect \
             on the outcome is zero by the graph; are treatment and outcome swapped?"
        )));
    }
    let class = g.graph_class();
    let n = g.n_nodes();
    let (xs, ys) = (NodeSet::from_indices(n, [x]), NodeSet::from_indices(n, [y]));
    let adj = g.adjustment(class, &xs, &ys).map_err(error::core)?;
    let names = |s: &NodeSet| -> Vec<String> { s.iter().map(|v| g.name(v).to_owned()).collect() };
    let ida_applies = matches!(
        class,
        GraphClass::Dag | GraphClass::Cpdag | GraphClass::Pdag
    );
    let estimand = if matches!(class, GraphClass::Dag | GraphClass::Admg) {
        let admg = Admg::from_mixed(&g).map_err(error::core)?;
        Identifier::new(&admg)
            .identify_given(&[treatment], &[outcome], &[] as &[&str])
            .map_err(error::core)?
            .estimand()
            .map(|e| e.to_string())
    } else {
        None
    };
    let set = adj.optimal_set().or_else(|| adj.adjustment_set());
    if set.is_none() && !ida_applies {
        adj.check_amenable().map_err(error::core)?;
        return Err(error::value_error(format!(
            "the {class} admits no adjustment set for the effect of '{treatment}' on '{outcome}'"
        )));
    }
    let identification = json!({
        "class": class,
        "amenable": adj.is_amenable(),
        "breaking_path": adj.breaking_path().map(|p| adj.render_path(p)),
        "message": adj.check_amenable().err().map(|e| e.to_string()),
        "strategy": if set.is_some() { "adjustment (generalised adjustment criterion)" } else { "IDA: possible effects over the class" },
        "adjustment_set": set.as_ref().map(&names),
        "optimal": adj.optimal_set().is_some(),
        "estimand": estimand,
    });
    // Regression on the adjustment set, its refutations and sensitivity.
    let (estimate, refutations, sens) = match &set {
        Some(z) => {
            let spec = Spec::regression(treatment, outcome, names(z), seed);
            let (est, _, _) = build(d, spec)?;
            let boot = (bootstrap > 0).then_some(Bootstrap {
                resamples: bootstrap,
                seed,
                level,
                parallel: true,
            });
            let checks = Checks {
                simulations,
                alpha: 0.05,
                correction: "holm",
                seed,
            };
            let est = est.as_ref();
            let (e, r, s) = py
                .detach(|| {
                    let e = est.estimate(d, boot.as_ref(), level)?;
                    let r = assess::refutations(est, d, None, &checks)?;
                    let s = sensitivity(&e, variance(d.column(outcome)?).sqrt())?;
                    Ok::<_, causal_core::CoreError>((e, r, s))
                })
                .map_err(error::core)?;
            (Some(e), r, s)
        }
        None => (None, Vec::new(), Value::Null),
    };
    let possible = if ida_applies {
        Some(
            py.detach(|| Ida::new(d, &g).and_then(|i| i.effects(treatment, outcome, method)))
                .map_err(error::core)?,
        )
    } else {
        None
    };
    let pipeline = if bootstrap > 0 && ida_applies {
        let spec = PipelineSpec {
            treatment: treatment.to_owned(),
            outcome: outcome.to_owned(),
            method,
            replicates: bootstrap,
            seed,
            level,
        };
        let r = py.detach(|| match &found {
            Some(o) => pipeline_bootstrap(d, &spec, |r| run(o, r)),
            None => pipeline_bootstrap(d, &spec, |_| Ok::<_, ()>(g.clone())),
        });
        Some(r.map_err(error::core)?)
    } else {
        None
    };
    let out = json!({
        "treatment": treatment,
        "outcome": outcome,
        "graph_class": class,
        "graph_source": if discovered { format!("discovered by {}", discover.unwrap_or("")) } else { "given".to_owned() },
        "graph": g.to_json_value(),
        "identification": identification,
        "estimate": estimate,
        "possible_effects": possible.as_ref().map(|r| &r.possible_effects),
        "bounds": possible.as_ref().map(|r| json!({"min_abs": r.min_abs, "max_abs": r.max_abs})),
        "ida_method": possible.as_ref().map(|r| r.method),
        "bootstrap": pipeline,
        "refutations": refutations,
        "sensitivity": sens,
    });
    to_py(py, &out)
}
