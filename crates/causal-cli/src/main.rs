//! The `causal` command-line tool.
//!
//! One command name, two binaries (see the crate README, "Start-up and LibTorch"): `causal`, the
//! front end built from this file, links no LibTorch code, so torch-free subcommands start in a
//! few milliseconds; it hands every neural subcommand to `causal-neural`, its companion next to
//! it, built from `neural.rs`, which includes this file as a module and links LibTorch. The
//! routing is [`torch`]: a match arm wrapped in `torch(|| ...)` runs in the companion only.

pub(crate) mod bounds;
pub(crate) mod cmd;
pub(crate) mod error;
#[allow(dead_code)] // The companion includes this file but never hands work over.
mod handoff;
pub(crate) mod io;
pub(crate) mod learners;
pub(crate) mod progress;

use clap::{CommandFactory, Parser, Subcommand};

use crate::error::CliError;

/// Causal inference for ML pipelines: graphs, identification, estimation, discovery and
/// invariance. Results are JSON on stdout; errors go to stderr (exit 2: bad input, 1: failure).
#[derive(Parser)]
#[command(name = "causal", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Hide progress bars (they are also hidden when stderr is not a terminal).
    #[arg(long, short, global = true)]
    quiet: bool,
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
    /// The average potential outcome of a continuous treatment on a grid (doubly robust
    /// kernel estimator), with pointwise intervals, CSV and an SVG curve.
    DoseResponse(cmd::dose_response::DoseResponseArgs),
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
    /// Deep invariant learning across environments (ERM, IRM, V-REx, GroupDRO, DANN); `irm
    /// predict` reloads a saved model.
    Irm(cmd::irm_predict::IrmCmd),
    /// Write the assumptions report.
    Report(cmd::report::ReportArgs),
    /// Features whose prediction of a target transports when marked mechanisms shift.
    StableSet(cmd::stable_set::StableSetArgs),
    /// Graph-aligned MLP predictors: fit (ERM, parents, stable set, soft alignment) and eval.
    Predict(cmd::predict::PredictArgs),
    /// From data (and a graph, or discovery) to an effect: identification on any graph class,
    /// IDA, estimation, refutation, sensitivity and the pipeline bootstrap.
    Effect(Box<cmd::effect::EffectCmdArgs>),
    /// Neural structural causal models: fit, intervene, counterfactual.
    Scm(cmd::scm::ScmArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell).
    Completions(cmd::completions::CompletionsArgs),
    /// Print the man page (roff) of `causal`.
    Man,
}

/// Runs a neural (LibTorch) subcommand: this front end hands the whole invocation to the
/// companion binary, which has its own `torch` that calls `run`. Never returns on success.
#[allow(dead_code)] // The companion routes with its own `torch`.
fn torch<T>(run: impl FnOnce() -> Result<T, CliError>) -> Result<T, CliError> {
    // Dropped uncalled, so none of the closure's LibTorch code is linked into the front end.
    drop(run);
    Err(handoff::exec_companion())
}

/// The neural nuisance learner (`mlp`). The front end never builds it: commands that name it
/// are handed to the companion first, whose own `neural_learner` builds it.
#[allow(dead_code)] // The companion builds learners with its own `neural_learner`.
fn neural_learner(
    name: &str,
    _classifier: bool,
    _seed: u64,
) -> Result<Box<dyn causal::core::learner::Learner>, CliError> {
    Err(CliError::Failure(format!(
        "internal: learner '{name}' needs LibTorch and runs in causal-neural"
    )))
}

fn run(cli: Cli) -> Result<serde_json::Value, CliError> {
    match cli.command {
        Command::Graph(a) => cmd::graph::run(a),
        Command::Identify(a) => cmd::identify::run(a),
        Command::Transport(a) => cmd::transport::run(a),
        Command::Estimate(a) if a.needs_torch() => crate::torch(|| cmd::estimate::run(a)),
        Command::Estimate(a) => cmd::estimate::run(a),
        Command::Cate(a)
            if learners::needs_torch(&a.learner) || learners::needs_torch(&a.final_stage) =>
        {
            crate::torch(|| cmd::cate::run(a))
        }
        Command::Cate(a) => cmd::cate::run(a),
        Command::DoseResponse(a) if learners::needs_torch(&a.learner) => {
            crate::torch(|| cmd::dose_response::run(a))
        }
        Command::DoseResponse(a) => cmd::dose_response::run(a),
        Command::Refute(a) => cmd::refute::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
        // Hand over before reading any data; the method table routes notears-mlp as well.
        Command::Discover(a) if a.needs_torch() => crate::torch(|| cmd::discover::run(a)),
        Command::Discover(a) => cmd::discover::run(a),
        Command::Compare(a) => cmd::compare::run(a),
        Command::Icp(a) => cmd::icp::run(a),
        Command::Ite(a) => crate::torch(|| cmd::ite::run(a)),
        Command::Irm(a) => crate::torch(|| cmd::irm_predict::run(a)),
        Command::Report(a) => cmd::report::run(a),
        Command::StableSet(a) => cmd::stable_set::run(a),
        Command::Predict(a) => crate::torch(|| cmd::predict::run(a)),
        Command::Effect(a) => cmd::effect::run(*a),
        // A linear model runs here; `run` hands an MLP one over before reading any data.
        Command::Scm(a) => cmd::scm::run(a),
        Command::Completions(a) => cmd::completions::run(a, Cli::command()),
        Command::Man => cmd::completions::man(Cli::command()),
    }
}

/// Parses the command line, runs the subcommand and prints its JSON (both binaries' entry).
pub(crate) fn main() {
    // clap prints its own usage errors and exits with 2.
    let cli = Cli::parse();
    progress::set_quiet(cli.quiet);
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
            eprintln!("error: {}", e.report());
            std::process::exit(e.exit_code());
        }
    }
}
