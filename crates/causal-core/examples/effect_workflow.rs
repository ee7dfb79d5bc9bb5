//! Model, identify, estimate, refute: the DoWhy workflow on a simulated SCM whose true effect
//! is known (2.0).
//!
//! Run with `cargo run -p causal-core --example effect_workflow`.

use causal_core::CoreError;
use causal_core::estimate::{AipwParams, AteEstimator, ParamGuard, RegressionParams};
use causal_core::graph::{Dag, MixedGraph};
use causal_core::identify::identify;
use causal_core::refute::{RefuteParams, refute_all};
use causal_core::scm::ScmSpec;
use causal_core::stats::Bootstrap;

/// Z confounds a binary treatment T and the outcome Y; M mediates part of the effect.
const SCM: &str = r#"{"nodes": [
  {"name": "Z", "sd": 1.0},
  {"name": "T", "type": "binary", "intercept": -0.2, "parents": {"Z": 0.8}},
  {"name": "M", "sd": 1.0, "parents": {"T": 1.0}},
  {"name": "Y", "sd": 1.0, "parents": {"T": 1.0, "M": 1.0, "Z": 1.5}}
]}"#;

fn main() -> Result<(), CoreError> {
    // 1. Model: the graph as an analyst would write it (dagitty syntax).
    let graph = MixedGraph::from_dagitty("dag { Z -> T  Z -> Y  T -> M  M -> Y  T -> Y }")?;
    let dag = Dag::from_mixed(&graph)?;

    // 2. Identify P(Y | do(T)) with the ID algorithm, and pick the optimal adjustment set.
    let id = identify(&dag, &["T"], &["Y"])?;
    let estimand = id.estimand().map(ToString::to_string);
    println!(
        "estimand: {}",
        estimand.as_deref().unwrap_or("not identifiable")
    );
    let (t, y) = (dag.set(&["T"])?, dag.set(&["Y"])?);
    let adjust = dag.optimal_adjustment_set(&t, &y).unwrap_or_default();
    let covariates = dag.names_of(&adjust);
    println!("adjustment set: {covariates:?}");

    // 3. Estimate on data simulated from the SCM, with a seeded bootstrap interval.
    let data = ScmSpec::from_json(SCM)?.to_scm()?.sample(5_000, 42)?;
    let boot = Bootstrap {
        resamples: 500,
        seed: 7,
        level: 0.95,
        parallel: true,
    };
    let regression = RegressionParams::new("T", "Y")
        .covariates(&covariates)
        .check()?;
    let aipw = AipwParams::new("T", "Y").covariates(&covariates).check()?;
    for est in [&regression as &dyn AteEstimator, &aipw] {
        let r = est.estimate(&data, Some(&boot), 0.95)?;
        println!(
            "{:<12} ATE {:.3} (95% CI {:.3} to {:.3}); truth 2.0",
            r.method, r.ate, r.ci[0], r.ci[1]
        );
    }

    // 4. Refute: placebo treatment, random common cause, data subsets, dummy outcome.
    for r in refute_all(&regression, &data, &RefuteParams::default()) {
        let verdict = if r.passed { "pass" } else { "FAIL" };
        println!("{verdict}  {:<22} {}", r.refuter, r.detail);
    }
    Ok(())
}
