//! `causal estimate`: an average treatment effect with its standard error and interval.

use std::path::PathBuf;

use causal::core::data::Dataset;
use causal::core::estimate::{
    AipwParams, AteEstimator, DmlParams, DmlScore, FrontDoorParams, InteractionCateParams,
    IpwParams, Method, ParamGuard, RegressionParams, TwoStageLeastSquaresParams,
};
use causal::core::graph::{Admg, MixedGraph, NodeSet};
use causal::core::stats::Bootstrap;
use clap::Args;

use crate::error::CliError;
use crate::io::{read_data, read_graph, split_names};

/// The inputs shared by `estimate`, `refute` and `report`.
#[derive(Args, Clone, Debug)]
pub struct EffectArgs {
    /// Causal graph (JSON); its nodes must be columns of the data.
    #[arg(long)]
    pub graph: Option<PathBuf>,
    /// Graph format (default: from the extension).
    #[arg(long)]
    pub graph_format: Option<String>,
    /// Data file: CSV or whitespace-separated, with a header.
    #[arg(long)]
    pub data: PathBuf,
    /// Treatment column (several, comma-separated, with dml-plr or dml-irm: one fit each and a
    /// simultaneous band).
    #[arg(long)]
    pub treatment: String,
    /// Outcome column.
    #[arg(long)]
    pub outcome: String,
    /// regression | ipw | aipw | frontdoor | iv | cate | dml-plr | dml-irm | dml-pliv | dml-iivm.
    #[arg(long, default_value = "regression")]
    pub method: String,
    /// Nuisance learner of the DML methods: linear | lasso | lasso:ALPHA | forest | forest:TREES
    /// | mlp | mlp:W1,W2 (0/1 targets get the matching classifier: logistic, or L2 logistic for
    /// lasso; mlp runs in the LibTorch companion).
    #[arg(long, default_value = "linear")]
    pub learner: String,
    /// Repeated sample splits of the DML methods (median aggregation).
    #[arg(long, default_value_t = 1, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    pub repeats: usize,
    /// DML score: partialling-out | iv-type (dml-plr), ate | atte (dml-irm).
    #[arg(long)]
    pub score: Option<String>,
    /// Adjustment set, comma-separated (default: from the graph).
    #[arg(long)]
    pub adjust: Option<String>,
    /// Front-door mediators, comma-separated (default: from the graph).
    #[arg(long)]
    pub mediators: Option<String>,
    /// Instruments, comma-separated (default: from the graph).
    #[arg(long)]
    pub instruments: Option<String>,
    /// Effect modifiers for `cate`, comma-separated.
    #[arg(long)]
    pub modifiers: Option<String>,
    /// Add treatment × covariate interactions to `regression`.
    #[arg(long)]
    pub interactions: bool,
    /// Clip propensities into [c, 1-c] for ipw/aipw.
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::clip)]
    pub clip: Option<f64>,
    /// Cross-fitting folds for aipw and the DML methods.
    #[arg(long, default_value_t = 5, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    pub folds: usize,
    /// Bootstrap resamples (0: normal interval from the standard error); with several DML
    /// treatments, the multiplier bootstrap's draws (0: 1000).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true, value_parser = crate::bounds::zero_or_at_least_two)]
    pub bootstrap: usize,
    /// Seed of every random step.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95, allow_hyphen_values = true, value_parser = crate::bounds::open_unit)]
    pub level: f64,
}

/// Arguments of `causal estimate`.
#[derive(Args)]
pub struct EstimateArgs {
    // Boxed so that the subcommand enum stays small.
    #[command(flatten)]
    effect: Box<EffectArgs>,
}

impl EstimateArgs {
    /// Whether the nuisance learner needs LibTorch (the companion runs the command).
    pub fn needs_torch(&self) -> bool {
        crate::learners::needs_torch(&self.effect.learner)
    }
}

/// Where the estimator's columns came from.
pub struct Strategy {
    /// backdoor, frontdoor or iv.
    pub name: String,
    /// How the set was chosen.
    pub source: String,
}

/// Reads the data and optional graph, and checks that they agree.
pub fn load(args: &EffectArgs) -> Result<(Dataset, Option<MixedGraph>), CliError> {
    if args.treatment == args.outcome {
        // Said up front: otherwise the first complaint is about something unrelated (the
        // adjustment set, or the graph admitting none).
        return Err(CliError::BadInput(format!(
            "--treatment and --outcome are both '{}': the effect of a variable on itself is not \
             a causal effect; give two different columns",
            args.treatment
        )));
    }
    let data = read_data(&args.data)?;
    let graph = match &args.graph {
        Some(p) => Some(read_graph(p, args.graph_format.as_deref())?),
        None => None,
    };
    if let Some(g) = &graph {
        let missing: Vec<&str> = g
            .nodes()
            .iter()
            .map(String::as_str)
            .filter(|n| !data.has_column(n))
            .collect();
        if !missing.is_empty() {
            return Err(CliError::BadInput(format!(
                "the graph does not match the data: node(s) {} are not columns of {} (columns: {})",
                missing.join(", "),
                args.data.display(),
                data.names().join(", ")
            )));
        }
        for v in [&args.treatment, &args.outcome] {
            g.index(v)
                .map_err(|_| CliError::BadInput(format!("'{v}' is not a node of the graph")))?;
        }
    }
    for v in [&args.treatment, &args.outcome] {
        data.index_of(v)?;
    }
    Ok((data, graph))
}

fn names_or(list: &Option<String>) -> Option<Vec<String>> {
    list.as_deref().map(split_names)
}

fn names_of(g: &Admg, set: &NodeSet) -> Vec<String> {
    set.iter().map(|v| g.name(v).to_owned()).collect()
}

fn admg_sets(args: &EffectArgs, g: &MixedGraph) -> Result<(Admg, NodeSet, NodeSet), CliError> {
    let admg = Admg::from_mixed(g)?;
    let x = admg.set(&[args.treatment.as_str()])?;
    let y = admg.set(&[args.outcome.as_str()])?;
    Ok((admg, x, y))
}

fn backdoor_set(
    args: &EffectArgs,
    g: Option<&MixedGraph>,
) -> Result<(Vec<String>, String), CliError> {
    if let Some(a) = names_or(&args.adjust) {
        return Ok((a, "given (--adjust)".into()));
    }
    let g = g.ok_or_else(|| {
        CliError::BadInput("give --graph or an adjustment set with --adjust".into())
    })?;
    let (admg, x, y) = admg_sets(args, g)?;
    if let Some(o) = admg.optimal_adjustment_set(&x, &y) {
        return Ok((
            names_of(&admg, &o),
            "graph: optimal adjustment set (Henckel et al.)".into(),
        ));
    }
    match admg.minimal_adjustment_sets(&x, &y).first() {
        Some(z) => Ok((names_of(&admg, z), "graph: minimal adjustment set".into())),
        None => Err(CliError::BadInput(format!(
            "the graph admits no adjustment set for the effect of '{}' on '{}'; try --method frontdoor or iv",
            args.treatment, args.outcome
        ))),
    }
}

fn frontdoor_set(args: &EffectArgs, g: Option<&MixedGraph>) -> Result<Vec<String>, CliError> {
    if let Some(m) = names_or(&args.mediators) {
        return Ok(m);
    }
    let g = g.ok_or_else(|| CliError::BadInput("give --graph or --mediators".into()))?;
    let (admg, x, y) = admg_sets(args, g)?;
    match admg.frontdoor_sets(&x, &y).first() {
        Some(m) => Ok(names_of(&admg, m)),
        None => Err(CliError::BadInput(format!(
            "the graph has no front-door set between '{}' and '{}'; give --mediators",
            args.treatment, args.outcome
        ))),
    }
}

/// Instruments and the covariates they need.
fn instruments(
    args: &EffectArgs,
    g: Option<&MixedGraph>,
) -> Result<(Vec<String>, Vec<String>), CliError> {
    if let Some(z) = names_or(&args.instruments) {
        return Ok((z, names_or(&args.adjust).unwrap_or_default()));
    }
    let g = g.ok_or_else(|| CliError::BadInput("give --graph or --instruments".into()))?;
    let admg = Admg::from_mixed(g)?;
    let (t, y) = (admg.index(&args.treatment)?, admg.index(&args.outcome)?);
    match admg.instruments(t, y).first() {
        Some(iv) => Ok((
            vec![admg.name(iv.instrument).to_owned()],
            names_of(&admg, &iv.given),
        )),
        None => Err(CliError::BadInput(format!(
            "the graph has no instrument for '{}'; give --instruments",
            args.treatment
        ))),
    }
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Builds the estimator the arguments ask for.
pub fn build(
    args: &EffectArgs,
    graph: Option<&MixedGraph>,
) -> Result<(Box<dyn AteEstimator>, Strategy), CliError> {
    if args.method.starts_with("dml") {
        return build_dml(args, graph);
    }
    let method: Method = args.method.parse()?;
    let (t, y) = (args.treatment.as_str(), args.outcome.as_str());
    let strategy = |name: &str, source: String| Strategy {
        name: name.into(),
        source,
    };
    Ok(match method {
        Method::Regression | Method::Ipw | Method::Aipw | Method::Cate => {
            let (w, source) = backdoor_set(args, graph)?;
            let w = refs(&w);
            let est: Box<dyn AteEstimator> = match method {
                Method::Regression => Box::new(
                    RegressionParams::new(t, y)
                        .covariates(&w)
                        .interactions(args.interactions)
                        .check()?,
                ),
                Method::Ipw => Box::new(
                    IpwParams::new(t, y)
                        .covariates(&w)
                        .clip(args.clip.unwrap_or(0.0))
                        .check()?,
                ),
                Method::Aipw => Box::new(
                    AipwParams::new(t, y)
                        .covariates(&w)
                        .folds(args.folds)
                        .seed(args.seed)
                        .clip(args.clip.unwrap_or(0.01))
                        .check()?,
                ),
                _ => {
                    let v = names_or(&args.modifiers).ok_or_else(|| {
                        CliError::BadInput("--method cate needs --modifiers".into())
                    })?;
                    Box::new(
                        InteractionCateParams::new(t, y, &refs(&v))
                            .covariates(&w)
                            .check()?,
                    )
                }
            };
            (est, strategy("backdoor", source))
        }
        Method::Frontdoor => {
            let m = frontdoor_set(args, graph)?;
            let w = names_or(&args.adjust).unwrap_or_default();
            let est = FrontDoorParams::new(t, &refs(&m), y)
                .covariates(&refs(&w))
                .check()?;
            (
                Box::new(est),
                strategy("frontdoor", format!("mediators {}", m.join(", "))),
            )
        }
        Method::Dml => build_dml(args, graph)?,
        Method::Iv => {
            let (z, w) = instruments(args, graph)?;
            let est = TwoStageLeastSquaresParams::new(t, &refs(&z), y)
                .covariates(&refs(&w))
                .check()?;
            (
                Box::new(est),
                strategy("iv", format!("instruments {}", z.join(", "))),
            )
        }
    })
}

/// A double machine learning estimator: covariates from `--adjust` or the graph's back-door
/// set, the instrument of the IV models from `--instruments` or the graph.
fn build_dml(
    args: &EffectArgs,
    graph: Option<&MixedGraph>,
) -> Result<(Box<dyn AteEstimator>, Strategy), CliError> {
    let (params, strategy) = dml_params(args, graph, &args.treatment)?;
    Ok((Box::new(params.check()?), strategy))
}

/// The DML parameters of the arguments, for treatment `t`.
fn dml_params(
    args: &EffectArgs,
    graph: Option<&MixedGraph>,
    t: &str,
) -> Result<(DmlParams, Strategy), CliError> {
    let y = args.outcome.as_str();
    let iv = matches!(args.method.as_str(), "dml-pliv" | "dml-iivm");
    let (w, z, strategy) = if iv {
        let (z, w) = instruments(args, graph)?;
        if z.len() != 1 {
            return Err(CliError::BadInput(format!(
                "{} takes one instrument, not {} ({})",
                args.method,
                z.len(),
                z.join(", ")
            )));
        }
        let source = format!("instrument {}", z[0]);
        (
            w,
            Some(z[0].clone()),
            Strategy {
                name: "iv".into(),
                source,
            },
        )
    } else {
        let (w, source) = backdoor_set(args, graph)?;
        (
            w,
            None,
            Strategy {
                name: "backdoor".into(),
                source,
            },
        )
    };
    let (regressor, classifier) = crate::learners::pair(&args.learner, args.seed)?;
    let mut params = DmlParams::by_name(&args.method, t, y, z.as_deref())?
        .covariates(&refs(&w))
        .learners(regressor, classifier)
        .folds(args.folds)
        .repeats(args.repeats)
        .seed(args.seed)
        .trimming(args.clip.unwrap_or(0.01));
    if let Some(score) = &args.score {
        params = params.score(match score.as_str() {
            "partialling-out" => DmlScore::PartiallingOut,
            "iv-type" => DmlScore::IvType,
            "ate" => DmlScore::Ate,
            "atte" => DmlScore::Atte,
            "late" => DmlScore::Late,
            other => {
                return Err(CliError::BadInput(format!(
                    "unknown --score '{other}' (partialling-out, iv-type, ate, atte, late)"
                )));
            }
        });
    }
    Ok((params, strategy))
}

/// Several treatments (`--treatment a,b,c` with a DML method): one fit per treatment with the
/// others among the covariates, and a simultaneous band from the multiplier bootstrap
/// (`--bootstrap` draws, 1000 by default).
fn run_joint(a: &EffectArgs, treatments: &[String]) -> Result<serde_json::Value, CliError> {
    if a.adjust.is_none() || matches!(a.method.as_str(), "dml-pliv" | "dml-iivm") {
        return Err(CliError::BadInput(format!(
            "several treatments ({}) need --adjust and dml-plr or dml-irm",
            treatments.join(", ")
        )));
    }
    if treatments.contains(&a.outcome) {
        return Err(CliError::BadInput(format!(
            "the outcome '{}' is also among the treatments",
            a.outcome
        )));
    }
    let data = read_data(&a.data)?;
    let (params, _) = dml_params(a, None, &treatments[0])?;
    let draws = if a.bootstrap == 0 { 1000 } else { a.bootstrap };
    let fit = params
        .check()?
        .fit_joint(&data, &refs(treatments), a.level, draws)?;
    let estimates: Vec<serde_json::Value> = fit
        .fits
        .iter()
        .zip(&fit.treatments)
        .zip(&fit.bands)
        .map(|((f, t), band)| {
            let z = fit.pointwise_critical_value;
            serde_json::json!({
                "treatment": t, "coef": f.coef, "se": f.se, "band": band,
                "pointwise": [f.coef - z * f.se, f.coef + z * f.se],
                "all_coef": f.all_coef, "clipped": f.clipped,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "method": a.method, "treatments": fit.treatments, "outcome": a.outcome,
        "adjust": split_names(a.adjust.as_deref().unwrap_or_default()),
        "estimates": estimates, "level": fit.level, "bootstrap_draws": fit.bootstrap,
        "critical_value": fit.critical_value,
        "pointwise_critical_value": fit.pointwise_critical_value,
        "folds": fit.fits[0].folds, "repeats": fit.fits[0].all_coef.len(), "n": fit.fits[0].n,
        "learners": fit.fits[0].learners,
    }))
}

/// The bootstrap the arguments ask for, if any.
pub fn bootstrap(args: &EffectArgs) -> Option<Bootstrap> {
    (args.bootstrap > 0).then_some(Bootstrap {
        resamples: args.bootstrap,
        seed: args.seed,
        level: args.level,
        parallel: true,
    })
}

/// Runs `causal estimate`.
pub fn run(args: EstimateArgs) -> Result<serde_json::Value, CliError> {
    let a = &args.effect;
    let treatments = split_names(&a.treatment);
    if treatments.len() > 1 && a.method.starts_with("dml") {
        return run_joint(a, &treatments);
    }
    let (data, graph) = load(a)?;
    let (est, strategy) = build(a, graph.as_ref())?;
    let result = est.estimate(&data, bootstrap(a).as_ref(), a.level)?;
    for w in &result.warnings {
        eprintln!("warning: {w}");
    }
    let mut v = serde_json::to_value(&result).map_err(CliError::failure_from)?;
    v["identification"] = serde_json::json!({"strategy": strategy.name, "source": strategy.source});
    Ok(v)
}
