//! `causal report`: the assumptions report as JSON and Markdown files.

use std::path::PathBuf;

use causal::core::refute::{GraphTestParams, RefuteParams, refute_all, test_graph};
use causal::core::report::{AssumptionsReport, Identification, edge_records, sensitivity};
use causal::core::stats::{Correction, variance};
use clap::Args;

use super::estimate::{EffectArgs, bootstrap, build, load};
use crate::error::CliError;
use crate::io::read_graph;

/// Arguments of `causal report`.
#[derive(Args)]
pub struct ReportArgs {
    // Boxed so that the subcommand enum stays small.
    #[command(flatten)]
    effect: Box<EffectArgs>,
    /// A graph found by discovery (JSON): edges of --graph also found there are marked
    /// `discovery`, the others `expert`.
    #[arg(long)]
    discovered: Option<PathBuf>,
    /// Output folder for report.json and report.md.
    #[arg(long, default_value = "causal-report")]
    out: PathBuf,
    /// Simulations per refuter.
    #[arg(long, default_value_t = 20, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    simulations: usize,
    /// Multiple-testing correction for the graph test: holm, bonferroni, bh, none.
    #[arg(long, default_value = "holm")]
    correction: String,
}

/// Runs `causal report`; prints the report JSON and writes both files.
pub fn run(args: ReportArgs) -> Result<serde_json::Value, CliError> {
    let a = &args.effect;
    let (data, graph) = load(a)?;
    let graph = graph.ok_or_else(|| CliError::BadInput("causal report needs --graph".into()))?;
    let discovered = match &args.discovered {
        Some(p) => Some(read_graph(p, None)?),
        None => None,
    };
    let (est, strategy) = build(a, Some(&graph))?;
    let estimate = est.estimate(&data, bootstrap(a).as_ref(), a.level)?;
    let params = RefuteParams {
        simulations: args.simulations,
        seed: a.seed,
        ..RefuteParams::default()
    };
    let refutations = refute_all(est.as_ref(), &data, &params);
    let c: Correction = args.correction.parse()?;
    let graph_test = test_graph(
        &graph,
        &data,
        &GraphTestParams {
            alpha: 0.05,
            correction: c,
        },
    )?;
    let sd = variance(data.column(&a.outcome)?).sqrt();
    let report = AssumptionsReport {
        graph: graph.to_json_value(),
        edges: edge_records(&graph, discovered.as_ref()),
        identification: Identification {
            strategy: strategy.name,
            source: strategy.source,
            estimand: estimate.estimand.clone(),
        },
        sensitivity: sensitivity(&estimate, sd)?,
        estimate,
        refutations,
        graph_test: Some(graph_test),
    };
    std::fs::create_dir_all(&args.out).map_err(|e| CliError::failure_in(args.out.display(), e))?;
    let json_path = args.out.join("report.json");
    let md_path = args.out.join("report.md");
    let json = report.to_json()?;
    std::fs::write(&json_path, &json).map_err(|e| CliError::failure_in(json_path.display(), e))?;
    std::fs::write(&md_path, report.to_markdown(&graph))
        .map_err(|e| CliError::failure_in(md_path.display(), e))?;
    eprintln!("wrote {} and {}", json_path.display(), md_path.display());
    serde_json::from_str(&json).map_err(CliError::failure_from)
}
