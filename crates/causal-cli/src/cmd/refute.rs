//! `causal refute`: refuters (and the graph test) on an estimate, each with pass/fail.

use causal::core::refute::{GraphTestParams, RefuteParams, refute_all, test_graph};
use causal::core::stats::Correction;
use causal::prelude::ParamGuard;
use clap::Args;
use serde_json::json;

use super::estimate::{EffectArgs, build, load};
use crate::error::CliError;

/// Arguments of `causal refute`.
#[derive(Args)]
pub struct RefuteArgs {
    // Boxed so that the subcommand enum stays small.
    #[command(flatten)]
    effect: Box<EffectArgs>,
    /// Simulations per refuter.
    #[arg(long, default_value_t = 20, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    simulations: usize,
    /// Significance level of the refuters and the graph test.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true, value_parser = crate::bounds::open_unit)]
    alpha: f64,
    /// Multiple-testing correction for the graph test: holm, bonferroni, bh, none.
    #[arg(long, default_value = "holm")]
    correction: String,
}

/// The refuters and graph test as one JSON list.
pub fn refutations(
    a: &EffectArgs,
    simulations: usize,
    alpha: f64,
    correction: &str,
) -> Result<
    (
        Vec<serde_json::Value>,
        Option<causal::core::refute::GraphTestFit>,
    ),
    CliError,
> {
    let (data, graph) = load(a)?;
    let (est, _) = build(a, graph.as_ref())?;
    est.fit(&data, ())?; // fail early, with the estimator's own error
    let params = RefuteParams {
        simulations,
        seed: a.seed,
        alpha,
        ..RefuteParams::default()
    };
    params.check()?;
    let mut out: Vec<serde_json::Value> = refute_all(est.as_ref(), &data, &params)
        .into_iter()
        .map(|r| serde_json::to_value(r).unwrap_or(serde_json::Value::Null))
        .collect();
    let gt = match &graph {
        Some(g) => {
            let c: Correction = correction.parse()?;
            let t = test_graph(
                g,
                &data,
                &GraphTestParams {
                    alpha,
                    correction: c,
                },
            )?;
            out.push(json!({
                "refuter": "graph_test",
                "passed": t.passed,
                "detail": format!("{} of {} implied independences rejected ({:?})", t.n_rejected, t.tests.len(), t.correction),
                "tests": t.tests,
            }));
            Some(t)
        }
        None => None,
    };
    Ok((out, gt))
}

/// Runs `causal refute`.
pub fn run(args: RefuteArgs) -> Result<serde_json::Value, CliError> {
    let (list, _) = refutations(&args.effect, args.simulations, args.alpha, &args.correction)?;
    Ok(serde_json::Value::Array(list))
}
