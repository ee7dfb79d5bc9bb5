//! `causal irm`: deep invariant learning across environments (ERM, IRMv1, V-REx, GroupDRO,
//! DANN) on causal-irm's shared network and trainer, with the model picked by training-domain
//! validation; prints per-environment accuracies (binary target) or mean squared errors.

use causal::prelude::ParamGuard;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::error::CliError;

/// The training objective.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum IrmMethod {
    /// Empirical risk minimisation (the baseline).
    Erm,
    /// IRMv1's gradient penalty.
    Irm,
    /// V-REx: the variance of the environment risks.
    Vrex,
    /// Group DRO: the worst environment, softly.
    Groupdro,
    /// DANN: a domain classifier behind gradient reversal.
    Dann,
}

/// Arguments of `causal irm`.
#[derive(Args)]
pub struct IrmArgs {
    /// Data file (CSV or whitespace-separated, with a header).
    #[arg(long)]
    data: PathBuf,
    /// The column labelling environments (integer codes).
    #[arg(long)]
    env: String,
    /// The target column: 0/1 labels (classification) or real values (regression).
    #[arg(long)]
    target: String,
    /// The training objective.
    #[arg(long, value_enum, default_value_t = IrmMethod::Irm)]
    method: IrmMethod,
    /// Comma-separated features (default: every other column).
    #[arg(long)]
    features: Option<String>,
    /// Comma-separated environments held out as test domains: evaluated (and reported with the
    /// oracle selection rule) but never trained on.
    #[arg(long)]
    test_envs: Option<String>,
    /// Comma-separated hidden widths; "" fits a linear model.
    #[arg(long, default_value = "64,64")]
    hidden: String,
    /// Training epochs (full batch).
    #[arg(long, default_value_t = 300)]
    epochs: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 1e-3)]
    learning_rate: f64,
    /// Penalty weight (irm, vrex, dann) or group step size (groupdro).
    #[arg(long)]
    weight: Option<f64>,
    /// Epochs at penalty weight 1 before `--weight` applies (irm, vrex).
    #[arg(long, default_value_t = 100)]
    anneal_epochs: usize,
    /// Share of each training environment held out for training-domain model selection.
    #[arg(long, default_value_t = 0.2)]
    validation_fraction: f64,
    /// Seed of the splits and the initialisation.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Write the model folder: `spec.json` (this output plus the architecture) and the
    /// network's weights, for `causal irm predict --model DIR`.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `causal irm`.
#[cfg(feature = "torch")]
pub fn run(args: IrmArgs) -> Result<serde_json::Value, CliError> {
    use causal::core::data::ColumnRoles;
    use causal::irm::IrmError;
    use causal::irm::deep::{DeepParams, Method, Task};
    use causal::irm::environments::Environments;

    let bad = |e: IrmError| match e {
        IrmError::Core(c) => CliError::from(c),
        IrmError::Torch(_) | IrmError::Numerical(_) => CliError::failure_from(e),
        other => CliError::bad_input_from(other),
    };
    let data = crate::io::read_data(&args.data)?;
    let envs = Environments::from_column(&data, &args.env).map_err(bad)?;
    let y = data.column(&args.target).map_err(CliError::from)?.to_vec();
    let features: Vec<String> = match &args.features {
        Some(list) => crate::io::split_names(list),
        None => data
            .names()
            .iter()
            .filter(|n| **n != args.env && **n != args.target)
            .cloned()
            .collect(),
    };
    if features.is_empty() {
        return Err(CliError::BadInput("no feature columns left".into()));
    }
    let columns = features
        .iter()
        .map(|f| data.column(f).map_err(CliError::from))
        .collect::<Result<Vec<_>, _>>()?;
    let test_labels: Vec<i64> = match &args.test_envs {
        None => Vec::new(),
        Some(list) => crate::io::split_names(list)
            .iter()
            .map(|s| {
                s.parse::<i64>()
                    .ok()
                    .filter(|l| envs.labels().contains(l))
                    .ok_or_else(|| {
                        CliError::BadInput(format!(
                            "--test-envs: '{s}' is not an environment of column '{}' ({:?})",
                            args.env,
                            envs.labels()
                        ))
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    let hidden = parse_widths(&args.hidden)?;
    let binary = y.iter().all(|v| *v == 0.0 || *v == 1.0);
    let task = if binary {
        Task::Binary
    } else {
        Task::Regression
    };
    let method = match args.method {
        IrmMethod::Erm => Method::Erm,
        IrmMethod::Irm => Method::Irm {
            weight: args.weight.unwrap_or(1e2),
            anneal_epochs: args.anneal_epochs,
        },
        IrmMethod::Vrex => Method::Vrex {
            weight: args.weight.unwrap_or(1e2),
            anneal_epochs: args.anneal_epochs,
        },
        IrmMethod::Groupdro => Method::GroupDro {
            eta: args.weight.unwrap_or(1.0),
        },
        IrmMethod::Dann => Method::Dann {
            weight: args.weight.unwrap_or(1.0),
            hidden: hidden.first().copied().unwrap_or(64),
        },
    };

    // The library cuts the table into environments by label (ascending); --test-envs are
    // evaluated only.
    let roles = ColumnRoles::new()
        .environment(args.env.clone())
        .outcome(args.target.clone())
        .covariates(features.iter().cloned());
    let order: Vec<(usize, i64, bool)> = envs
        .labels()
        .iter()
        .enumerate()
        .map(|(k, &label)| (k, label, test_labels.contains(&label)))
        .collect();
    let n_test = order.iter().filter(|(_, _, t)| *t).count();
    let params = DeepParams::new(method, task)
        .hidden(&hidden)
        .epochs(args.epochs)
        .learning_rate(args.learning_rate)
        .validation_fraction(args.validation_fraction)
        .seed(args.seed)
        .check()
        .map_err(bad)?;
    eprintln!(
        "causal irm: {} on {} training and {} test environments, {} features",
        method.name(),
        order.len() - n_test,
        n_test,
        columns.len()
    );
    let model = params.fit(&data, &roles, &test_labels).map_err(bad)?;

    let mut per_env = Vec::new();
    for (k, label, is_test) in &order {
        // Predicted one environment at a time, as trained and evaluated.
        let rows = data.take_rows(envs.rows(*k)).map_err(CliError::from)?;
        let out = model.predict(&rows, &roles).map_err(bad)?;
        let targets = env_targets(&envs, &y, *label);
        let n = out.len() as f64;
        let metric = if binary {
            let right = out
                .iter()
                .zip(&targets)
                .filter(|(o, t)| (**o > 0.0) == (**t > 0.5))
                .count();
            serde_json::json!({ "accuracy": right as f64 / n })
        } else {
            let mse = out
                .iter()
                .zip(&targets)
                .map(|(o, t)| (f64::from(*o) - t).powi(2))
                .sum::<f64>()
                / n;
            serde_json::json!({ "mse": mse })
        };
        let mut row = serde_json::json!({
            "env": label,
            "role": if *is_test { "test" } else { "train" },
            "n": out.len(),
        });
        if let (Some(r), Some(m)) = (row.as_object_mut(), metric.as_object()) {
            r.extend(m.clone());
        }
        per_env.push(row);
    }
    let value = serde_json::json!({
        "method": method.name(),
        "task": if binary { "binary" } else { "regression" },
        "target": args.target,
        "features": features,
        "hidden": hidden,
        "epochs": args.epochs,
        "seed": args.seed,
        "selection": "training-domain",
        "selected_epoch": model.selected_epoch,
        "selected": model.selected(),
        "oracle": model.oracle(),
        "per_environment": per_env,
        "linear_weights": model.linear_weights().map_err(bad)?,
        "out": args.out.as_ref().map(|p| p.display().to_string()),
    });
    if let Some(dir) = &args.out {
        crate::cmd::irm_predict::save(&model, &value, dir)?;
    }
    Ok(value)
}

/// The targets of environment `label`, in its row order.
#[cfg(feature = "torch")]
fn env_targets(envs: &causal::irm::environments::Environments, y: &[f64], label: i64) -> Vec<f64> {
    let k = envs.labels().iter().position(|l| *l == label).unwrap_or(0);
    envs.rows(k).iter().map(|&i| y[i]).collect()
}

/// `64,64` → [64, 64]; `""` → [] (linear).
fn parse_widths(list: &str) -> Result<Vec<usize>, CliError> {
    crate::io::split_names(list)
        .iter()
        .map(|w| {
            w.parse::<usize>().ok().filter(|w| *w > 0).ok_or_else(|| {
                CliError::BadInput(format!("--hidden: '{w}' is not a positive width"))
            })
        })
        .collect()
}

/// Runs `causal irm` (unavailable without the torch feature).
#[cfg(not(feature = "torch"))]
pub fn run(args: IrmArgs) -> Result<serde_json::Value, CliError> {
    let _ = parse_widths(&args.hidden)?;
    Err(CliError::unavailable(
        "irm (built without the torch feature)",
    ))
}
