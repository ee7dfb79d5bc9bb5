//! `causal predict fit|eval`: a graph-aligned MLP predictor: plain ERM, restricted to the
//! target's parents or to a stable set (`causal stable-set`), or softly aligned with a graph.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::error::CliError;

/// Arguments of `causal predict`.
#[derive(Args)]
pub struct PredictArgs {
    #[command(subcommand)]
    action: PredictAction,
}

/// `causal predict fit` or `causal predict eval`.
#[derive(Subcommand)]
enum PredictAction {
    /// Train a predictor and save it.
    Fit(Box<FitArgs>),
    /// Evaluate a saved predictor on data (and write its predictions).
    Eval(EvalArgs),
}

/// Arguments of `causal predict fit`.
#[derive(Args)]
struct FitArgs {
    /// Training data (CSV or whitespace-separated, with a header).
    #[arg(long)]
    data: PathBuf,
    /// The column to predict.
    #[arg(long)]
    target: String,
    /// Comma-separated features (default: every other column).
    #[arg(long)]
    features: Option<String>,
    /// erm (every feature), parents (the target's parents in --graph), stable-set (the stable
    /// set for --shifted on --graph), restrict (the --restrict list) or align (soft penalty
    /// towards --graph).
    #[arg(long, default_value = "erm")]
    mode: String,
    /// Causal graph or selection diagram (modes parents, stable-set, align).
    #[arg(long)]
    graph: Option<PathBuf>,
    /// Graph format, overriding the file extension.
    #[arg(long)]
    format: Option<String>,
    /// Comma-separated variables whose mechanisms may shift (mode stable-set).
    #[arg(long)]
    shifted: Option<String>,
    /// Comma-separated features to keep (mode restrict).
    #[arg(long)]
    restrict: Option<String>,
    /// Weight of the alignment penalty (mode align).
    #[arg(long, default_value_t = 1.0)]
    penalty: f64,
    /// Per-edge confidence that FEATURE -> target exists, e.g. `A=0.8,B=0.1` (mode align): the
    /// charge for using the feature becomes 1 - confidence.
    #[arg(long)]
    confidence: Option<String>,
    /// regression or binary.
    #[arg(long, default_value = "regression")]
    task: String,
    /// Comma-separated hidden widths.
    #[arg(long, default_value = "32,32")]
    hidden: String,
    /// Maximum epochs.
    #[arg(long, default_value_t = 200)]
    epochs: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 3e-3)]
    lr: f64,
    /// Rows per mini-batch.
    #[arg(long, default_value_t = 128)]
    batch_size: usize,
    /// Share of the rows held out for early stopping (0 disables it).
    #[arg(long, default_value_t = 0.2)]
    valid_fraction: f64,
    /// Seed of the split, the initialisation and the batch order.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// LibTorch CPU threads (small networks: one is as fast and reproducible).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Where to save the model (JSON; the weights go beside it as .safetensors).
    #[arg(long)]
    model: PathBuf,
}

/// Arguments of `causal predict eval`.
#[derive(Args)]
struct EvalArgs {
    /// A model saved by `causal predict fit`.
    #[arg(long)]
    model: PathBuf,
    /// Data holding the model's features and target.
    #[arg(long)]
    data: PathBuf,
    /// Where to write per-row predictions (CSV).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `causal predict`.
#[cfg(feature = "torch")]
pub fn run(args: PredictArgs) -> Result<serde_json::Value, CliError> {
    match args.action {
        PredictAction::Fit(a) => torch::fit(*a),
        PredictAction::Eval(a) => torch::eval(a),
    }
}

/// Runs `causal predict` (unavailable without the torch feature).
#[cfg(not(feature = "torch"))]
pub fn run(args: PredictArgs) -> Result<serde_json::Value, CliError> {
    let _ = args;
    Err(CliError::unavailable(
        "predict (built without the torch feature)",
    ))
}

#[cfg(feature = "torch")]
mod torch {
    use causal::core::graph::{Admg, MixedGraph};
    use causal::core::identify::StableSetSearch;
    use causal::prelude::ParamGuard;
    use causal::torch::TorchError;
    use causal::torch::loss::AlignmentPrior;
    use causal::torch::predict::{PredictTask, PredictorFit, PredictorParams};
    use causal::torch::trainer::TrainerParams;
    use serde_json::json;

    use super::{EvalArgs, FitArgs};
    use crate::cmd::identify::parse_assignment;
    use crate::error::CliError;
    use crate::io::{read_data, read_graph, split_names};

    fn torch_err(e: TorchError) -> CliError {
        match e {
            TorchError::Core(c) => CliError::from(c),
            TorchError::InvalidParameter(_) | TorchError::Output { .. } => {
                CliError::bad_input_from(e)
            }
            TorchError::Checkpoint { .. } => CliError::bad_input_from(e),
            other => CliError::failure_from(other),
        }
    }

    /// The graph of `--graph`, as read and as an ADMG (a cycle is refused here, naming it).
    fn graph(args: &FitArgs) -> Result<(MixedGraph, Admg), CliError> {
        let path = args
            .graph
            .as_ref()
            .ok_or_else(|| CliError::BadInput(format!("--mode {} needs --graph", args.mode)))?;
        let mixed = read_graph(path, args.format.as_deref())?;
        let admg =
            Admg::from_mixed(&mixed).map_err(|e| CliError::bad_input_in(path.display(), e))?;
        Ok((mixed, admg))
    }

    pub fn fit(args: FitArgs) -> Result<serde_json::Value, CliError> {
        if args.threads == 0 || args.epochs == 0 || args.batch_size == 0 {
            return Err(CliError::BadInput(
                "--threads, --epochs and --batch-size must be positive".into(),
            ));
        }
        causal::torch::tch::set_num_threads(i32::try_from(args.threads).unwrap_or(i32::MAX));
        let data = read_data(&args.data)?;
        let features: Vec<String> = match &args.features {
            Some(list) => split_names(list),
            None => data
                .names()
                .iter()
                .filter(|n| **n != args.target)
                .cloned()
                .collect(),
        };
        data.column(&args.target)?;
        for f in &features {
            data.column(f)?;
        }
        let task = match args.task.as_str() {
            "regression" => PredictTask::Regression,
            "binary" => PredictTask::Binary,
            other => {
                return Err(CliError::BadInput(format!(
                    "--task '{other}': use regression or binary"
                )));
            }
        };
        let hidden = split_names(&args.hidden)
            .iter()
            .map(|w| {
                w.parse::<usize>()
                    .map_err(|_| CliError::BadInput(format!("--hidden '{w}' is not a width")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let trainer = TrainerParams::new()
            .epochs(args.epochs)
            .learning_rate(args.lr)
            .batch_size(args.batch_size)
            .patience(Some(20))
            .device(causal::torch::tch::Device::Cpu)
            .quiet(true);
        let mut params = PredictorParams::new(&args.target, &features)
            .task(task)
            .hidden(&hidden)
            .trainer(trainer)
            .valid_fraction(args.valid_fraction)
            .seed(args.seed);
        let mut extra = json!({});
        match args.mode.as_str() {
            "erm" => {}
            "restrict" => {
                let keep = args.restrict.as_deref().map(split_names).ok_or_else(|| {
                    CliError::BadInput("--mode restrict needs --restrict A,B".into())
                })?;
                params = params.restrict(&keep);
            }
            "parents" => {
                let (_, g) = graph(&args)?;
                let t = g.index(&args.target)?;
                for f in &features {
                    g.index(f)?;
                }
                let parents: Vec<String> = g
                    .parents(t)
                    .iter()
                    .map(|&p| g.name(p).to_owned())
                    .filter(|p| features.contains(p))
                    .collect();
                extra["parents"] = json!(parents);
                params = params.restrict(&parents);
            }
            "stable-set" => {
                let (_, mut g) = graph(&args)?;
                g.index(&args.target)?;
                for f in &features {
                    g.index(f)?;
                }
                // Graph nodes that are not features are unobserved for this predictor.
                for i in 0..g.n() {
                    let name = g.name(i).to_owned();
                    if !g.roles(i).selection && name != args.target && !features.contains(&name) {
                        g.roles_mut(i).latent = true;
                    }
                }
                let shifted = args.shifted.as_deref().map(split_names).unwrap_or_default();
                let search = StableSetSearch::new(&g, &args.target, &shifted)?;
                let chosen = search.search_with_data(&data, 0.3, args.seed)?;
                extra["stable_set"] = json!(chosen.stable_set);
                extra["excluded"] = json!(chosen.excluded);
                params = params.restrict(&chosen.stable_set);
            }
            "align" => {
                let (mixed, g) = graph(&args)?;
                g.index(&args.target)?;
                let mut prior = AlignmentPrior::from_graph(
                    &mixed,
                    &features,
                    std::slice::from_ref(&args.target),
                    1.0,
                )
                .map_err(torch_err)?;
                if let Some(list) = &args.confidence {
                    for (f, c) in parse_assignment(list, "--confidence")? {
                        prior = prior
                            .edge_confidence(&f, &args.target, c)
                            .map_err(torch_err)?;
                    }
                }
                params = params.align(&prior, args.penalty).map_err(torch_err)?;
            }
            other => {
                return Err(CliError::BadInput(format!(
                    "--mode '{other}': use erm, parents, stable-set, restrict or align"
                )));
            }
        }
        let model = params
            .check()
            .map_err(torch_err)?
            .fit(&data)
            .map_err(torch_err)?;
        model.save(&args.model).map_err(torch_err)?;
        let metrics = model.evaluate(&data).map_err(torch_err)?;
        let strengths: serde_json::Map<String, serde_json::Value> = model
            .input_strengths()
            .map_err(torch_err)?
            .into_iter()
            .map(|(f, s)| (f, json!(s)))
            .collect();
        let history = model.history();
        let mut out = json!({
            "target": args.target,
            "mode": args.mode,
            "task": args.task,
            "features": features,
            "used_features": model.used_features(),
            "metrics": metrics,
            "input_strengths": strengths,
            "epochs": history.epochs(),
            "best_epoch": history.best_epoch,
            "best_validation": history.validation.get(history.best_epoch).copied().flatten(),
            "model": args.model.display().to_string(),
            "seed": args.seed,
        });
        for (k, v) in extra.as_object().into_iter().flatten() {
            out[k] = v.clone();
        }
        Ok(out)
    }

    pub fn eval(args: EvalArgs) -> Result<serde_json::Value, CliError> {
        let model = PredictorFit::load(&args.model).map_err(torch_err)?;
        let data = read_data(&args.data)?;
        let pred = model
            .predict(&data)
            .map_err(|e| CliError::bad_input_in(args.data.display(), e))?;
        let metrics = model
            .evaluate(&data)
            .map_err(|e| CliError::bad_input_in(args.data.display(), e))?;
        if let Some(path) = &args.out {
            let mut csv = format!("row,{}_hat\n", model.target());
            for (i, p) in pred.iter().enumerate() {
                csv.push_str(&format!("{},{p}\n", i + 1));
            }
            std::fs::write(path, csv).map_err(|e| CliError::failure_in(path.display(), e))?;
        }
        Ok(json!({
            "model": args.model.display().to_string(),
            "target": model.target(),
            "mode": model.alignment().name(),
            "used_features": model.used_features(),
            "metrics": metrics,
            "out": args.out.as_ref().map(|p| p.display().to_string()),
        }))
    }
}
