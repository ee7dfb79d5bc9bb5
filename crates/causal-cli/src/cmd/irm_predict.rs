//! `causal irm predict --model DIR --data D`: predictions of a model that `causal irm --out
//! DIR` saved, and the model folder itself (`spec.json`: the run's summary with the feature
//! names, method, per-environment metrics and architecture; the weights beside it). Also the
//! `causal irm` front door that sends `predict` here and everything else to the fit.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::cmd::irm::IrmArgs;
use crate::error::CliError;

/// `causal irm [fit options] | causal irm predict ...`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct IrmCmd {
    #[command(subcommand)]
    action: Option<IrmAction>,
    #[command(flatten)]
    fit: Option<IrmArgs>,
}

#[derive(Subcommand)]
enum IrmAction {
    /// Predict with a model folder written by `causal irm --out DIR`.
    Predict(IrmPredictArgs),
}

/// Arguments of `causal irm predict`.
#[derive(Args)]
pub struct IrmPredictArgs {
    /// The model folder written by `causal irm --out DIR`.
    #[arg(long)]
    model: PathBuf,
    /// Data file with the model's feature columns (and, optionally, its target, to score).
    #[arg(long)]
    data: PathBuf,
}

/// The summary file of a model folder.
#[cfg(feature = "torch")]
pub const SPEC: &str = "spec.json";

/// Runs `causal irm` or `causal irm predict`.
pub fn run(cmd: IrmCmd) -> Result<serde_json::Value, CliError> {
    match (cmd.action, cmd.fit) {
        (Some(IrmAction::Predict(a)), _) => predict(a),
        (None, Some(fit)) => crate::cmd::irm::run(fit),
        (None, None) => Err(CliError::BadInput(
            "causal irm needs --data, --env and --target (or `causal irm predict`)".into(),
        )),
    }
}

/// Writes the model folder: the weights and architecture (causal-irm's `save`), and
/// `spec.json`, the run's summary `value` with the architecture added.
#[cfg(feature = "torch")]
pub fn save(
    model: &causal::irm::deep::DeepFit,
    value: &serde_json::Value,
    dir: &std::path::Path,
) -> Result<(), CliError> {
    model.save(dir).map_err(CliError::failure_from)?;
    let mut spec = value.clone();
    spec["architecture"] = serde_json::to_value(model.architecture())
        .map_err(|e| CliError::Failure(format!("serialising the architecture: {e}")))?;
    let text = serde_json::to_string_pretty(&spec)
        .map_err(|e| CliError::Failure(format!("serialising the model: {e}")))?;
    let path = dir.join(SPEC);
    std::fs::write(&path, text).map_err(|e| CliError::failure_in(path.display(), e))
}

/// Runs `causal irm predict`.
#[cfg(feature = "torch")]
fn predict(a: IrmPredictArgs) -> Result<serde_json::Value, CliError> {
    use causal::core::data::ColumnRoles;
    use causal::irm::IrmError;
    use causal::irm::deep::{DeepFit, Task};

    let spec_path = a.model.join(SPEC);
    let text = crate::io::read_text(&spec_path)?;
    let spec: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CliError::bad_input_in(spec_path.display(), e))?;
    let features: Vec<String> = serde_json::from_value(spec["features"].clone()).map_err(|_| {
        CliError::BadInput(format!("{}: \"features\" is missing", spec_path.display()))
    })?;
    let target = spec["target"].as_str().map(str::to_owned);
    let model = DeepFit::load(&a.model, None).map_err(|e| match e {
        IrmError::Torch(_) | IrmError::InvalidParameter(_) => CliError::bad_input_from(e),
        other => CliError::failure_from(other),
    })?;
    let data = crate::io::read_data(&a.data)?;
    let n = data.n_rows();
    // Prediction reads only the features (the covariates role).
    let roles = ColumnRoles::new().covariates(features.iter().cloned());
    let out = model.predict(&data, &roles).map_err(|e| match e {
        IrmError::Torch(_) => CliError::failure_from(e),
        IrmError::Core(c) => CliError::from(c),
        other => CliError::bad_input_in(a.data.display(), other),
    })?;
    let binary = model.architecture().task == Task::Binary;
    let mut value = serde_json::json!({
        "model": a.model.display().to_string(),
        "method": model.method().name(),
        "task": if binary { "binary" } else { "regression" },
        "features": features,
        "n": n,
        // Logits for a binary task (class 1 where positive), predicted values otherwise.
        "predictions": out,
    });
    if binary {
        value["labels"] = out.iter().map(|o| u8::from(*o > 0.0)).collect();
    }
    // Score against the target when the data have it.
    if let Some(y) = target.as_deref().and_then(|t| data.column(t).ok()) {
        let n = n as f64;
        if binary {
            let right = out
                .iter()
                .zip(y)
                .filter(|(o, t)| (**o > 0.0) == (**t > 0.5))
                .count();
            value["accuracy"] = serde_json::json!(right as f64 / n);
        } else {
            let mse = out
                .iter()
                .zip(y)
                .map(|(o, t)| (f64::from(*o) - t).powi(2))
                .sum::<f64>()
                / n;
            value["mse"] = serde_json::json!(mse);
        }
    }
    Ok(value)
}

/// `causal irm predict` needs the torch feature.
#[cfg(not(feature = "torch"))]
fn predict(a: IrmPredictArgs) -> Result<serde_json::Value, CliError> {
    let _ = (a.model, a.data);
    Err(CliError::unavailable(
        "irm predict (built without the torch feature)",
    ))
}
