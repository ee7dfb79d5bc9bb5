//! `causal ite`: individual treatment effects with a deep model (CEVAE, TARNet, CFR, DragonNet).

use std::path::PathBuf;

use clap::Args;

use crate::error::CliError;

/// Arguments of `causal ite`.
#[derive(Args)]
pub struct IteArgs {
    /// The model: cevae, cevae-paper (Louizos et al.'s inference), tarnet, cfr-wass, cfr-mmd,
    /// dragonnet, s-learner or t-learner.
    #[arg(long, default_value = "tarnet")]
    model: String,
    /// Data file (CSV or whitespace-separated, with a header).
    #[arg(long)]
    data: PathBuf,
    /// The binary (0/1) treatment column.
    #[arg(long)]
    treatment: String,
    /// The outcome column.
    #[arg(long)]
    outcome: String,
    /// Comma-separated covariates (default: every other column).
    #[arg(long)]
    covariates: Option<String>,
    /// Seed of the validation split, the initialisation and the sampling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Cap on training epochs (default: the model's own, with early stopping).
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    epochs: Option<usize>,
    /// Average this many fits with seeds seed, seed + 1, … (a seed ensemble; 1 = one model).
    #[arg(long, default_value_t = 1, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    ensemble: usize,
    /// LibTorch CPU threads. The networks are small, so one thread is as fast and does not
    /// spin-wait on a busy machine.
    #[arg(long, default_value_t = 1, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    threads: usize,
    /// Share of rows held out for early stopping (0 disables it).
    #[arg(long, default_value_t = 0.3, allow_hyphen_values = true, value_parser = crate::bounds::unit_from_zero)]
    valid_fraction: f64,
    /// The learning rate's factor per epoch, in (0, 1] (1 = constant; default: the model's
    /// own, 0.99 for every model but cevae-paper).
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::unit_above_zero)]
    lr_decay: Option<f64>,
    /// After early stopping, fit each model again on every row, for the epochs that the
    /// validation rows chose (`--refit false` keeps the model that never saw them).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    refit: bool,
    /// Where to write per-row CATE and potential outcomes (CSV).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `causal ite`.
#[cfg(feature = "torch")]
pub fn run(args: IteArgs) -> Result<serde_json::Value, CliError> {
    use causal::cf::CfError;
    use causal::cf::models::{FitOptions, ModelKind, Propensity, fit_model_with};
    use causal::cf::policy::aipw_ate;
    use causal::core::data::ColumnRoles;

    let bad = |e: CfError| match e {
        CfError::Torch(_) => CliError::failure_from(e),
        other => CliError::bad_input_from(other),
    };
    let kind = ModelKind::parse(&args.model).map_err(bad)?;
    if !(0.0..0.9).contains(&args.valid_fraction) {
        return Err(CliError::BadInput(format!(
            "--valid-fraction {} must lie in [0, 0.9)",
            args.valid_fraction
        )));
    }
    if args.threads == 0 || args.epochs == Some(0) {
        return Err(CliError::BadInput(
            "--threads and --epochs must be positive".into(),
        ));
    }
    causal::torch::tch::set_num_threads(i32::try_from(args.threads).unwrap_or(i32::MAX));
    let data = crate::io::read_data(&args.data)?;
    let covariates = match args.covariates.as_deref() {
        Some(list) => crate::io::split_names(list),
        None => data
            .names()
            .iter()
            .filter(|n| **n != args.treatment && **n != args.outcome)
            .cloned()
            .collect(),
    };
    let roles = ColumnRoles::new()
        .treatment(args.treatment.as_str())
        .outcome(args.outcome.as_str())
        .covariates(covariates);
    // The columns exist, none has two roles, and the treatment is 0/1: checked here to name
    // the file; the fit checks the rest (each arm's size, missing and categorical values).
    let (t, y) = data
        .with_roles(roles.clone())
        .and_then(|_| {
            Ok((
                data.check_binary(&args.treatment)?,
                data.column(&args.outcome)?,
            ))
        })
        .map_err(|e| CliError::bad_input_in(args.data.display(), e))?;

    // A seeded validation split for early stopping; effects are reported for every row.
    let n = data.n_rows();
    let (kept, held) =
        causal::cf::data::holdout_split(n, args.valid_fraction, args.seed).map_err(bad)?;
    let rows = |idx: &[usize]| data.take_rows(idx).map_err(|e| bad(e.into()));
    let parts = if held.len() >= 4 {
        Some((rows(&kept)?, rows(&held)?))
    } else {
        None
    };
    let (train, valid) = match &parts {
        Some((train, valid)) => (train, Some(valid)),
        None => (&data, None),
    };
    eprintln!(
        "fitting {} on {} rows ({} for early stopping)",
        kind.cli_name(),
        train.n_rows(),
        valid.map_or(0, |v| v.n_rows())
    );
    let options = FitOptions {
        seed: args.seed,
        quiet: crate::progress::quiet(),
        epochs: args.epochs,
        device: None,
        ensemble: args.ensemble,
        schedule: args
            .lr_decay
            .map(|gamma| causal::torch::trainer::LrSchedule::Exponential { gamma }),
    };
    // The members of a seed ensemble are fitted here (not inside `fit_model_with`) so that
    // each one's factual error on the validation rows can be reported and a failed fit flagged.
    let member_options = |j: u64| FitOptions {
        seed: args.seed.wrapping_add(j),
        ensemble: 1,
        ..options.clone()
    };
    let members = (0..args.ensemble.max(1) as u64)
        .map(|j| fit_model_with(kind, train, &roles, valid, &member_options(j)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let checks = match valid {
        Some(v) => Some(
            members
                .iter()
                .map(|m| factual_error(m.as_ref(), v, &roles, &args.treatment, &args.outcome))
                .collect::<Result<Vec<_>, _>>()
                .map_err(bad)?,
        ),
        None => None,
    };
    let member_report = checks.as_ref().map(|c| member_checks(c, args.seed));
    let history = members
        .first()
        .ok_or_else(|| CliError::Failure("internal: no fitted model".into()))?
        .history()
        .clone();
    // The validation rows have chosen each member's epochs and judged its fit; the same
    // training (seed, schedule, epochs) on every row then uses the data that they held back,
    // which is what decides the fit of a sparse tail (Goodfellow et al., Deep Learning,
    // algorithm 7.2).
    let (members, refit) = if args.refit && valid.is_some() {
        let chosen: Vec<usize> = members.iter().map(|m| m.history().best_epoch + 1).collect();
        eprintln!("refitting on all {n} rows for {chosen:?} epochs");
        let refitted = chosen
            .iter()
            .zip(0u64..)
            .map(|(&epochs, j)| {
                let options = FitOptions {
                    epochs: Some(epochs),
                    ..member_options(j)
                };
                fit_model_with(kind, &data, &roles, None, &options)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad)?;
        let report = serde_json::json!({ "rows": n, "epochs": chosen });
        (refitted, Some(report))
    } else {
        (members, None)
    };
    let model: Box<dyn causal::cf::models::IteModel> = if members.len() == 1 {
        members
            .into_iter()
            .next()
            .ok_or_else(|| CliError::Failure("internal: no fitted model".into()))?
    } else {
        Box::new(causal::cf::models::Ensemble::new(members).map_err(bad)?)
    };
    let po = model.predict(&data, &roles).map_err(bad)?;
    let cate = po.cate();
    let head = model.propensity(&data, &roles).map_err(bad)?;
    let from_head = head.is_some();
    let e = match head {
        Some(e) => e,
        None => Propensity::fit(train, &roles, valid, args.seed)
            .and_then(|p| p.predict(&data, &roles))
            .map_err(bad)?,
    };
    let dr = aipw_ate(t, y, &po.y0, &po.y1, &e, 0.01).map_err(bad)?;

    if let Some(path) = &args.out {
        let mut csv = String::from("row,cate,y0_hat,y1_hat\n");
        for i in 0..n {
            csv.push_str(&format!(
                "{},{},{},{}\n",
                i + 1,
                cate[i],
                po.y0[i],
                po.y1[i]
            ));
        }
        std::fs::write(path, csv).map_err(|e| CliError::failure_in(path.display(), e))?;
    }
    let z = 1.959_963_984_540_054;
    Ok(serde_json::json!({
        "model": kind.cli_name(),
        "ensemble": args.ensemble.max(1),
        "n": n,
        "n_treated": t.iter().filter(|&&v| v == 1.0).count(),
        "treatment": args.treatment,
        "outcome": args.outcome,
        "covariates": roles.covariates,
        "ate": po.ate(),
        "ate_aipw": {
            "estimate": dr.value,
            "se": dr.se,
            "ci95": [dr.value - z * dr.se, dr.value + z * dr.se],
            "propensity": if from_head {
                "model head"
            } else {
                "logistic regression"
            },
        },
        "validation": member_report,
        "epochs": history.epochs(),
        "best_epoch": history.best_epoch,
        "refit": refit,
        "out": args.out.as_ref().map(|p| p.display().to_string()),
        "seed": args.seed,
    }))
}

/// A member whose factual validation RMSE exceeds this multiple of the members' median is
/// flagged: its fit went elsewhere than the others' (a failed optimisation, a collapsed
/// latent), which averaging would hide.
#[cfg(feature = "torch")]
const FLAG_RATIO: f64 = 1.5;

/// The factual error of `model` on the validation rows: the RMSE of ŷ(tᵢ) against yᵢ, and that
/// error over the outcome's standard deviation there (1 = no better than its mean).
#[cfg(feature = "torch")]
fn factual_error(
    model: &dyn causal::cf::models::IteModel,
    valid: &causal::core::data::Dataset,
    roles: &causal::core::data::ColumnRoles,
    treatment: &str,
    outcome: &str,
) -> Result<(f64, f64), causal::cf::CfError> {
    let po = model.predict(valid, roles)?;
    let (t, y) = (valid.column(treatment)?, valid.column(outcome)?);
    let n = y.len() as f64;
    let mse = (0..y.len())
        .map(|i| {
            let fitted = if t[i] == 1.0 { po.y1[i] } else { po.y0[i] };
            (fitted - y[i]).powi(2)
        })
        .sum::<f64>()
        / n;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Ok((mse.sqrt(), (mse / var.max(f64::MIN_POSITIVE)).sqrt()))
}

/// The validation report: each member's factual RMSE (and relative to the outcome's SD), and
/// the members flagged by [`FLAG_RATIO`].
#[cfg(feature = "torch")]
fn member_checks(errors: &[(f64, f64)], seed: u64) -> serde_json::Value {
    let mut sorted: Vec<f64> = errors.iter().map(|e| e.0).collect();
    sorted.sort_by(f64::total_cmp);
    let k = sorted.len();
    let median = if k % 2 == 1 {
        sorted[k / 2]
    } else {
        (sorted[k / 2 - 1] + sorted[k / 2]) / 2.0
    };
    let flags: Vec<bool> = errors
        .iter()
        .map(|e| k > 1 && e.0 > FLAG_RATIO * median)
        .collect();
    let members: Vec<serde_json::Value> = errors
        .iter()
        .zip(&flags)
        .enumerate()
        .map(|(j, (&(rmse, relative), &flagged))| {
            serde_json::json!({
                "seed": seed.wrapping_add(j as u64),
                "factual_rmse": rmse,
                "factual_rmse_over_sd": relative,
                "flagged": flagged,
            })
        })
        .collect();
    let flagged: Vec<u64> = (0..errors.len())
        .filter(|&j| flags[j])
        .map(|j| seed.wrapping_add(j as u64))
        .collect();
    if !flagged.is_empty() {
        eprintln!(
            "warning: members with seeds {flagged:?} fit the validation rows more than \
             {FLAG_RATIO}x worse than the members' median; refit without them or with more seeds"
        );
    }
    serde_json::json!({
        "members": members,
        "median_factual_rmse": median,
        "flag_ratio": FLAG_RATIO,
        "flagged_seeds": flagged,
    })
}

/// Runs `causal ite` (unavailable without the torch feature).
#[cfg(not(feature = "torch"))]
pub fn run(args: IteArgs) -> Result<serde_json::Value, CliError> {
    let _ = args;
    Err(CliError::unavailable(
        "ite (built without the torch feature)",
    ))
}
