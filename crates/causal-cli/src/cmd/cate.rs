//! `causal cate`: conditional average treatment effects from the DR-, R- or X-learner, with
//! a final stage linear in the chosen features (or, for the DR- and R-learners, any learner,
//! with bootstrap intervals); per-unit effects (and intervals) to CSV, the summary to JSON.

use std::fmt::Write as _;
use std::path::PathBuf;

use causal::core::estimate::{CateLearnerParams, CateMethod, ParamGuard};
use clap::Args;

use crate::error::CliError;
use crate::io::{read_data, split_names};

/// Arguments of `causal cate`.
#[derive(Args)]
pub struct CateArgs {
    /// dr | r | x.
    #[arg(long, default_value = "dr")]
    method: String,
    /// Data file (CSV or whitespace-separated, with a header).
    #[arg(long)]
    data: PathBuf,
    /// The binary (0/1) treatment column.
    #[arg(long)]
    treatment: String,
    /// The outcome column.
    #[arg(long)]
    outcome: String,
    /// Confounders for the nuisance models, comma-separated (default: every other column).
    #[arg(long)]
    adjust: Option<String>,
    /// Effect modifiers of the linear final stage, comma-separated (none: a constant effect).
    #[arg(long, default_value = "")]
    features: String,
    /// Nuisance learner: linear | lasso | lasso:ALPHA | forest | forest:TREES | mlp |
    /// mlp:W1,W2 (mlp runs in the LibTorch companion).
    #[arg(long, default_value = "linear")]
    pub learner: String,
    /// The final stage of the DR- or R-learner: linear (OLS with sandwich intervals) or a
    /// learner name as for --learner (forest, mlp, ...): it regresses the DR pseudo-outcome on
    /// the features, or for the R-learner (Y − m)/(T − e) with weights (T − e)², which needs a
    /// learner that takes row weights (forest, mlp; not lasso).
    #[arg(long, default_value = "linear")]
    pub final_stage: String,
    /// Weight the DR-learner's flexible final stage by the overlap ê(1 − ê): where overlap is
    /// poor, the pseudo-outcomes of units with extreme propensities dominate less, and the
    /// stage still estimates τ(x).
    #[arg(long)]
    overlap_weights: bool,
    /// DR- and X-learner: one outcome model of Y on the covariates and the treatment, fitted
    /// on both arms and predicted at T = 0 and 1 (EconML's model_regression), instead of one
    /// per arm.
    #[arg(long)]
    joint_outcome: bool,
    /// Start the flexible final stage (DR or R) from the plug-in effect μ̂₁ − μ̂₀ of the
    /// outcome models; the stage learns the pseudo-outcome's departure from it.
    #[arg(long)]
    plugin_offset: bool,
    /// R-learner: m(x) = E[Y | x] composed from the outcome models and the propensity,
    /// ê·μ̂₁ + (1 − ê)·μ̂₀, instead of a regression of Y on the covariates; with
    /// --plugin-offset the stage then corrects the plug-in where it misses the factual outcomes.
    #[arg(long)]
    composed_outcome: bool,
    /// Bootstrap replicates for a flexible final stage's per-unit intervals (0: none).
    #[arg(long, default_value_t = 0)]
    bootstrap: usize,
    /// Cross-fitting folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Propensities are clipped to [c, 1 - c].
    #[arg(long, default_value_t = 0.01)]
    clip: f64,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// Where to write the per-unit effects (CSV: row, cate, and its interval for dr and r;
    /// a flexible final stage's percentile interval with --bootstrap).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `causal cate`.
pub fn run(args: CateArgs) -> Result<serde_json::Value, CliError> {
    let data = read_data(&args.data)?;
    let method: CateMethod = args.method.parse()?;
    let features = split_names(&args.features);
    let adjust = match &args.adjust {
        Some(a) => split_names(a),
        None => data
            .names()
            .iter()
            .filter(|c| **c != args.treatment && **c != args.outcome)
            .cloned()
            .collect(),
    };
    let (regressor, classifier) = crate::learners::pair(&args.learner, args.seed)?;
    let mut params =
        CateLearnerParams::new(method, &args.treatment, &args.outcome, &refs(&features))
            .covariates(&refs(&adjust))
            .learners(regressor, classifier)
            .folds(args.folds)
            .seed(args.seed)
            .trimming(args.clip)
            .level(args.level)
            .final_stage_bootstrap(args.bootstrap)
            .overlap_weights(args.overlap_weights)
            .joint_outcome(args.joint_outcome)
            .plugin_offset(args.plugin_offset)
            .composed_outcome(args.composed_outcome);
    if args.final_stage != "linear" {
        params = params.final_stage(crate::learners::pair(&args.final_stage, args.seed)?.0);
    }
    let fit = params.check()?.fit_cate(&data)?;
    if let Some(path) = &args.out {
        let mut csv = String::from(if fit.cate_se.is_some() {
            "row,cate,se,lower,upper\n"
        } else {
            "row,cate\n"
        });
        let z = causal::core::stats::normal_quantile_two_sided(args.level)?;
        for (i, c) in fit.cate.iter().enumerate() {
            match (&fit.cate_se, &fit.cate_ci) {
                (Some(se), Some(ci)) => {
                    writeln!(csv, "{},{c},{},{},{}", i + 1, se[i], ci[i][0], ci[i][1])
                }
                (Some(se), None) => writeln!(
                    csv,
                    "{},{c},{},{},{}",
                    i + 1,
                    se[i],
                    c - z * se[i],
                    c + z * se[i]
                ),
                (None, _) => writeln!(csv, "{},{c}", i + 1),
            }
            .map_err(CliError::failure_from)?;
        }
        std::fs::write(path, csv).map_err(|e| CliError::failure_in(path.display(), e))?;
    }
    let mut v = serde_json::to_value(&fit).map_err(CliError::failure_from)?;
    // Per-unit values go to --out; the JSON keeps the summary.
    if let Some(obj) = v.as_object_mut() {
        obj.remove("cate");
        obj.remove("cate_se");
        obj.remove("cate_ci");
        if args.final_stage != "linear" {
            obj.insert("final_stage".into(), args.final_stage.clone().into());
            obj.insert("bootstrap".into(), args.bootstrap.into());
        }
        // Named only when set, so that the default output stays as it was.
        for (flag, set) in [
            ("overlap_weights", args.overlap_weights),
            ("joint_outcome", args.joint_outcome),
            ("plugin_offset", args.plugin_offset),
            ("composed_outcome", args.composed_outcome),
        ] {
            if set {
                obj.insert(flag.into(), true.into());
            }
        }
        obj.insert("n".into(), data.n_rows().into());
        obj.insert("learner".into(), args.learner.clone().into());
        obj.insert("adjust".into(), adjust.into());
    }
    Ok(v)
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
