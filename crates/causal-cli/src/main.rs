//! The `causal` command-line tool.

mod bounds;
mod cmd;
mod error;
mod io;

use clap::{Parser, Subcommand};

use crate::error::CliError;

/// Causal inference for ML pipelines: graphs, identification, estimation, discovery and
/// invariance. Results are JSON on stdout; errors go to stderr (exit 2: bad input, 1: failure).
#[derive(Parser)]
#[command(name = "causal", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read, check, convert and query causal graphs.
    Graph(cmd::graph::GraphArgs),
    /// Identify a causal effect (ID/IDC) and print its estimand.
    Identify(cmd::identify::IdentifyArgs),
    /// Transport an effect across populations with a selection diagram.
    Transport(cmd::transport::TransportArgs),
    /// Estimate an average treatment effect from data.
    Estimate(cmd::estimate::EstimateArgs),
    /// Conditional average treatment effects (DR-, R- or X-learner) with intervals.
    Cate(cmd::cate::CateArgs),
    /// Run refutation tests on an estimate.
    Refute(cmd::refute::RefuteArgs),
    /// Sample data from a structural causal model.
    Simulate(cmd::simulate::SimulateArgs),
    /// Learn a causal graph from data.
    Discover(cmd::discover::DiscoverArgs),
    /// Compare an estimated graph with a true one (SHD, TPR, FDR, ...).
    Compare(cmd::compare::CompareArgs),
    /// Invariant Causal Prediction across environments.
    Icp(cmd::icp::IcpArgs),
    /// Individual treatment effects with deep models.
    Ite(cmd::ite::IteArgs),
    /// Write the assumptions report.
    Report(cmd::report::ReportArgs),
    /// Features whose prediction of a target transports when marked mechanisms shift.
    StableSet(cmd::stable_set::StableSetArgs),
    /// Graph-aligned MLP predictors: fit (ERM, parents, stable set, soft alignment) and eval.
    Predict(cmd::predict::PredictArgs),
    /// From data (and a graph, or discovery) to an effect: identification on any graph class,
    /// IDA, estimation, refutation, sensitivity and the pipeline bootstrap.
    Effect(Box<cmd::effect::EffectCmdArgs>),
}

fn run(cli: Cli) -> Result<serde_json::Value, CliError> {
    match cli.command {
        Command::Graph(a) => cmd::graph::run(a),
        Command::Identify(a) => cmd::identify::run(a),
        Command::Transport(a) => cmd::transport::run(a),
        Command::Estimate(a) => cmd::estimate::run(a),
        Command::Cate(a) => cmd::cate::run(a),
        Command::Refute(a) => cmd::refute::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
        Command::Discover(a) => cmd::discover::run(a),
        Command::Compare(a) => cmd::compare::run(a),
        Command::Icp(a) => cmd::icp::run(a),
        Command::Ite(a) => cmd::ite::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::StableSet(a) => cmd::stable_set::run(a),
        Command::Predict(a) => cmd::predict::run(a),
        Command::Effect(a) => cmd::effect::run(*a),
    }
}

fn main() {
    // clap prints its own usage errors and exits with 2.
    let cli = Cli::parse();
    match run(cli) {
        Ok(serde_json::Value::Null) => {}
        Ok(value) => match serde_json::to_string_pretty(&value) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: could not serialise the result: {e}");
                std::process::exit(1);
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
