//! `causal discover METHOD --data D ...`: learn a graph from data, print it as graph JSON.

use std::path::PathBuf;

use causal::core::data::Dataset;
use causal::core::graph::MixedGraph;
use causal::discover::DiscoverError;
use causal::discover::bootstrap::{EdgeFrequencies, bootstrap_with};
use causal::discover::ci::CiTestKind;
use causal::discover::fci::Fci;
use causal::discover::ges::{EdgeRules, Ges, GesScore};
use causal::discover::knowledge::Knowledge;
use causal::discover::lingam::DirectLingam;
use causal::discover::notears::Notears;
use causal::discover::pc::{Pc, UcPriority, UcRule};
use clap::{ArgAction, Args};

use crate::error::CliError;
use crate::io::read_data;

/// Arguments of `causal discover`.
#[derive(Args, Clone)]
pub struct DiscoverArgs {
    /// The method: pc, fci, ges, lingam, notears or notears-mlp.
    method: String,
    /// Data file (CSV or whitespace-separated, with a header).
    #[arg(long)]
    data: PathBuf,
    /// CI test for pc/fci: fisherz, chisq, gsq or kci.
    #[arg(long, default_value = "fisherz")]
    test: String,
    /// Significance level of the CI tests.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true, value_parser = crate::bounds::open_unit)]
    alpha: f64,
    /// Stable PC skeleton (default true; `--stable false` runs the original PC).
    #[arg(long, default_value_t = true, num_args = 0..=1, default_missing_value = "true", action = ArgAction::Set)]
    stable: bool,
    /// Collider rule: 0 sepset, 1 maxP, 2 definiteMaxP (causal-learn's uc_rule).
    #[arg(long, default_value_t = 0)]
    uc_rule: i64,
    /// Collider conflict priority, -1..4 (causal-learn's uc_priority).
    #[arg(long, default_value_t = 2, allow_hyphen_values = true)]
    uc_priority: i64,
    /// Largest conditioning-set size.
    #[arg(long)]
    max_depth: Option<usize>,
    /// FCI's discriminating-path limit (causal-learn's max_path_length; 0 disables rule R4).
    #[arg(long)]
    max_path_length: Option<usize>,
    /// GES score: bic or bdeu.
    #[arg(long, default_value = "bic")]
    score: String,
    /// NOTEARS l1 penalty.
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::non_negative)]
    lambda1: Option<f64>,
    /// NOTEARS weight threshold.
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::non_negative)]
    threshold: Option<f64>,
    /// Background knowledge in Tetrad's text format.
    #[arg(long)]
    knowledge: Option<PathBuf>,
    /// notears-mlp: a prior graph (.dot, .gv, .json or .dagitty) over the data's columns to
    /// align with. A DOT edge may carry `[confidence=0.8]` (or `weight=0.8`), a JSON edge a
    /// `"confidence"` field; edges without one are certain.
    #[arg(long)]
    prior: Option<PathBuf>,
    /// notears-mlp: the weight μ of the prior's penalty (μ per unit of first-layer norm on an
    /// edge the prior lacks, μ(1 - c) on one it holds with confidence c).
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::non_negative)]
    prior_weight: Option<f64>,
    /// Seed of the bootstrap resamples (and of notears-mlp's initialisation).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Also rerun the method on B bootstrap resamples of the rows and report per-edge
    /// frequencies under `"bootstrap"` (replicates in parallel, seeded by `--seed`).
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    bootstrap: Option<usize>,
    /// Worker threads for parallel CI tests and bootstrap replicates (default: all cores).
    /// The output does not depend on it.
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    threads: Option<usize>,
    /// Also write the graph as Graphviz DOT to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// One discovery method: learns a graph from the data and the resolved knowledge.
pub type Method = fn(&DiscoverArgs, &Dataset, Option<&Knowledge>) -> Result<MixedGraph, CliError>;

/// Every method by name; add a row to add a method.
const METHODS: &[(&str, Option<Method>)] = &[
    ("pc", Some(run_pc)),
    ("fci", Some(run_fci)),
    ("ges", Some(run_ges)),
    ("lingam", Some(run_lingam)),
    ("notears", Some(run_notears)),
    ("notears-mlp", NOTEARS_MLP),
];

/// Routed through `crate::torch`: the front end hands it to the companion binary.
#[cfg(feature = "torch")]
const NOTEARS_MLP: Option<Method> = Some(|a, d, k| crate::torch(|| run_notears_mlp(a, d, k)));
#[cfg(not(feature = "torch"))]
const NOTEARS_MLP: Option<Method> = None;

/// The prior weight when `--prior` comes without `--prior-weight`: small, so that strong
/// evidence in the data outweighs a wrong prior (tests/discover_prior.rs measures both sides).
#[cfg(feature = "torch")]
const DEFAULT_PRIOR_WEIGHT: f64 = 0.03;

/// NOTEARS-MLP (causal-torch): `--lambda1` and `--threshold` as for notears, `--prior` and
/// `--prior-weight`; no knowledge.
#[cfg(feature = "torch")]
fn run_notears_mlp(
    a: &DiscoverArgs,
    data: &Dataset,
    k: Option<&Knowledge>,
) -> Result<MixedGraph, CliError> {
    use causal::torch::TorchError;
    if k.is_some() {
        return Err(CliError::BadInput(
            "notears-mlp does not take --knowledge".into(),
        ));
    }
    let mut m = causal::discover::notears_mlp::NotearsMlpParams::new().seed(a.seed);
    if let Some(l) = a.lambda1 {
        m = m.lambda1(l);
    }
    if let Some(t) = a.threshold {
        m = m.w_threshold(t);
    }
    if let Some(path) = &a.prior {
        let prior = read_prior(path, data.names())?;
        m = m.prior(prior, a.prior_weight.unwrap_or(DEFAULT_PRIOR_WEIGHT));
    }
    let device =
        causal::torch::device::default_device().map_err(|e| CliError::BadInput(e.to_string()))?;
    let fit = m.device(device).fit(data).map_err(|e| match e {
        TorchError::Core(c) => CliError::from(c),
        TorchError::InvalidParameter(_) | TorchError::Device(_) => {
            CliError::BadInput(e.to_string())
        }
        other => CliError::Failure(other.to_string()),
    })?;
    Ok(fit.graph().clone())
}

/// Reads a prior graph with its per-edge confidences as NOTEARS-MLP's alignment prior over
/// `columns`. Every node must be a column and every column a node; edges must be directed.
#[cfg(feature = "torch")]
fn read_prior(
    path: &std::path::Path,
    columns: &[String],
) -> Result<causal::torch::loss::AlignmentPrior, CliError> {
    use causal::core::graph::GraphFormat;
    use causal::torch::loss::AlignmentPrior;
    let file = path.display();
    let format = GraphFormat::from_path(path).map_err(|e| CliError::BadInput(e.to_string()))?;
    let text = crate::io::read_text(path)?;
    let (g, confidences) = MixedGraph::parse_with_confidence(&text, format)
        .map_err(|e| CliError::BadInput(format!("{file}: {e}")))?;
    if let Some(n) = g.nodes().iter().find(|n| !columns.contains(n)) {
        return Err(CliError::BadInput(format!(
            "--prior {file}: node '{n}' is not a column of the data ({})",
            columns.join(", ")
        )));
    }
    if let Some(c) = columns.iter().find(|c| !g.nodes().contains(c)) {
        return Err(CliError::BadInput(format!(
            "--prior {file}: column '{c}' is not a node of the prior (name every column; a \
             node without edges says it has no parents and no children)"
        )));
    }
    let directed = |e: &&causal::core::graph::Edge| {
        e.is_directed_from(e.a, e.b) || e.is_directed_from(e.b, e.a)
    };
    if let Some(e) = g.edges().iter().find(|e| !directed(e)) {
        return Err(CliError::BadInput(format!(
            "--prior {file}: the edge between '{}' and '{}' is not directed",
            g.name(e.a),
            g.name(e.b)
        )));
    }
    let bad = |e: causal::torch::TorchError| CliError::BadInput(format!("--prior {file}: {e}"));
    let mut prior = AlignmentPrior::from_graph(&g, columns, columns, 1.0).map_err(bad)?;
    for c in confidences {
        prior = prior
            .edge_confidence(&c.from, &c.to, c.confidence)
            .map_err(bad)?;
    }
    Ok(prior)
}

impl DiscoverArgs {
    /// Whether the method needs LibTorch (the front end hands those to the companion).
    pub fn needs_torch(&self) -> bool {
        self.method.eq_ignore_ascii_case("notears-mlp")
    }
}

/// Maps discovery errors to exit codes: bad input 2, numerical and other failures 1.
pub fn discover_error(e: DiscoverError) -> CliError {
    match e {
        DiscoverError::Core(c) => CliError::from(c),
        DiscoverError::Diverged(_) | DiscoverError::NoConsistentExtension => {
            CliError::Failure(e.to_string())
        }
        other => CliError::BadInput(other.to_string()),
    }
}

fn run_pc(a: &DiscoverArgs, data: &Dataset, k: Option<&Knowledge>) -> Result<MixedGraph, CliError> {
    let test: CiTestKind = a.test.parse().map_err(discover_error)?;
    let mut pc = Pc::new()
        .alpha(a.alpha)
        .stable(a.stable)
        .uc_rule(UcRule::from_code(a.uc_rule).map_err(discover_error)?)
        .uc_priority(UcPriority::from_code(a.uc_priority).map_err(discover_error)?)
        .max_depth(a.max_depth)
        .threads(a.threads);
    if let Some(k) = k {
        pc = pc.knowledge(k.clone());
    }
    Ok(pc.fit_data(data, test).map_err(discover_error)?.graph)
}

/// FCI: `--test`, `--alpha`, `--max-depth`, `--threads` and `--knowledge` as for pc, and
/// `--max-path-length`; prints a PAG (circle marks are `"circle"`).
fn run_fci(
    a: &DiscoverArgs,
    data: &Dataset,
    k: Option<&Knowledge>,
) -> Result<MixedGraph, CliError> {
    let test: CiTestKind = a.test.parse().map_err(discover_error)?;
    let mut fci = Fci::new()
        .alpha(a.alpha)
        .max_depth(a.max_depth)
        .max_path_length(a.max_path_length)
        .threads(a.threads);
    if let Some(k) = k {
        fci = fci.knowledge(k.clone());
    }
    Ok(fci.fit_data(data, test).map_err(discover_error)?.graph)
}

fn run_ges(
    a: &DiscoverArgs,
    data: &Dataset,
    k: Option<&Knowledge>,
) -> Result<MixedGraph, CliError> {
    let score: GesScore = a.score.parse().map_err(discover_error)?;
    let mut ges = Ges::new().score(score);
    if let Some(k) = k {
        ges = ges.knowledge(EdgeRules::from_knowledge(k, data.names()).map_err(discover_error)?);
    }
    Ok(ges.fit(data).map_err(discover_error)?.into_graph())
}

fn run_lingam(
    _: &DiscoverArgs,
    data: &Dataset,
    k: Option<&Knowledge>,
) -> Result<MixedGraph, CliError> {
    let mut m = DirectLingam::new();
    if let Some(k) = k {
        m = m.knowledge(EdgeRules::from_knowledge(k, data.names()).map_err(discover_error)?);
    }
    Ok(m.fit(data).map_err(discover_error)?.into_graph())
}

fn run_notears(
    a: &DiscoverArgs,
    data: &Dataset,
    k: Option<&Knowledge>,
) -> Result<MixedGraph, CliError> {
    let mut m = Notears::new();
    if let Some(l) = a.lambda1 {
        m = m.lambda1(l);
    }
    if let Some(t) = a.threshold {
        m = m.threshold(t);
    }
    if let Some(k) = k {
        m = m.knowledge(EdgeRules::from_knowledge(k, data.names()).map_err(discover_error)?);
    }
    Ok(m.fit(data).map_err(discover_error)?.into_graph())
}

/// The discovery method called `name` (case-insensitive), as `causal discover` and
/// `causal effect --discover` accept it.
pub fn method_named(name: &str) -> Result<Method, CliError> {
    let lower = name.to_ascii_lowercase();
    match METHODS.iter().find(|(n, _)| *n == lower) {
        None => {
            let known: Vec<&str> = METHODS.iter().map(|(n, _)| *n).collect();
            Err(CliError::BadInput(format!(
                "unknown discovery method '{name}' (expected one of {})",
                known.join(", ")
            )))
        }
        Some((_, None)) => Err(CliError::unavailable(&format!("discover {lower}"))),
        Some((_, Some(m))) => Ok(*m),
    }
}

/// The arguments `causal discover METHOD --data DATA --test TEST --alpha ALPHA` would get,
/// every other option at its default, for callers that run a method themselves.
pub fn args_for(
    method: &str,
    data: &std::path::Path,
    test: &str,
    alpha: f64,
) -> Result<DiscoverArgs, CliError> {
    #[derive(clap::Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: DiscoverArgs,
    }
    let alpha = alpha.to_string();
    let data = data.display().to_string();
    let argv = [
        "discover", method, "--data", &data, "--test", test, "--alpha", &alpha,
    ];
    <Wrapper as clap::Parser>::try_parse_from(argv)
        .map(|w| w.args)
        .map_err(|e| CliError::BadInput(e.to_string()))
}

/// Runs `causal discover`.
pub fn run(args: DiscoverArgs) -> Result<serde_json::Value, CliError> {
    let name = args.method.to_ascii_lowercase();
    let method = method_named(&args.method)?;
    if name != "notears-mlp" && (args.prior.is_some() || args.prior_weight.is_some()) {
        return Err(CliError::BadInput(format!(
            "--prior and --prior-weight apply to notears-mlp only, not {name}"
        )));
    }
    if args.prior_weight.is_some() && args.prior.is_none() {
        return Err(CliError::BadInput(
            "--prior-weight needs --prior (the prior graph)".into(),
        ));
    }
    let data = read_data(&args.data)?;
    let knowledge = args
        .knowledge
        .as_ref()
        .map(|p| {
            Knowledge::from_path(p).map_err(|e| match e {
                // The parser names the line; say which file it is in.
                DiscoverError::Knowledge { .. } => {
                    CliError::BadInput(format!("{}: {e}", p.display()))
                }
                other => discover_error(other),
            })
        })
        .transpose()?;
    eprintln!(
        "causal discover {name}: {} rows x {} columns",
        data.n_rows(),
        data.n_cols()
    );
    if args.threads == Some(0) {
        return Err(CliError::BadInput("--threads must be at least 1".into()));
    }
    let spinner = crate::progress::spinner(&format!("causal discover {name}"));
    let graph = method(&args, &data, knowledge.as_ref());
    spinner.finish_and_clear();
    let graph = graph?;
    if let Some(out) = &args.out {
        std::fs::write(out, graph.to_dot())
            .map_err(|e| CliError::Failure(format!("{}: {e}", out.display())))?;
    }
    let mut value = graph.to_json_value();
    if let Some(b) = args.bootstrap {
        eprintln!(
            "causal discover {name}: {b} bootstrap replicates, seed {}",
            args.seed
        );
        let freq = run_bootstrap(&args, method, &data, knowledge.as_ref(), b)?;
        value["bootstrap"] = serde_json::json!({
            "replicates": freq.replicates(),
            "seed": args.seed,
            "edges": freq.edges(),
        });
    }
    Ok(value)
}

/// A replicate's CLI error carried through [`bootstrap_with`], which also hands it
/// causal-discover's own errors.
struct ReplicateError(CliError);

impl From<DiscoverError> for ReplicateError {
    fn from(e: DiscoverError) -> Self {
        Self(discover_error(e))
    }
}

/// Bootstrap edge frequencies of `method`: the replicates run on a pool of `--threads`
/// threads, which a parallel method (PC's CI tests) shares rather than making its own.
fn run_bootstrap(
    a: &DiscoverArgs,
    method: Method,
    data: &Dataset,
    k: Option<&Knowledge>,
    replicates: usize,
) -> Result<EdgeFrequencies, CliError> {
    let inner = DiscoverArgs {
        threads: None,
        out: None,
        bootstrap: None,
        ..a.clone()
    };
    let bar = crate::progress::bar(replicates as u64, "bootstrap replicates");
    let go = || {
        bootstrap_with(data, replicates, a.seed, |d| {
            let graph = method(&inner, d, k).map_err(ReplicateError);
            bar.inc(1);
            graph
        })
        .map_err(|e| e.0)
    };
    let freq = match a.threads {
        None => go(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| CliError::Failure(format!("thread pool of {n}: {e}")))?
            .install(go),
    };
    bar.finish_and_clear();
    freq
}
