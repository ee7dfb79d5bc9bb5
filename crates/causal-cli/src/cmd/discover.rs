//! `causal discover METHOD --data D ...`: learn a graph from data, print it as graph JSON.

use std::path::PathBuf;

use causal::core::data::Dataset;
use causal::core::graph::MixedGraph;
use causal::discover::DiscoverError;
use causal::discover::bootstrap::{EdgeFrequencies, bootstrap_with};
use causal::discover::knowledge::Knowledge;
use causal::discover::learner::{DiscoverOptions, InProcess, Method, WithoutTorch, discover_via};
use causal::discover::pc::{UcPriority, UcRule};
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

/// The prior weight when `--prior` comes without `--prior-weight`: small, so that strong
/// evidence in the data outweighs a wrong prior (tests/discover_prior.rs measures both sides).
#[cfg(feature = "torch")]
const DEFAULT_PRIOR_WEIGHT: f64 = 0.03;

/// The options `method` reads from the arguments. Only the method's own names are parsed
/// (`--test` for pc and fci, the collider codes for pc, `--score` for ges), so a method is
/// never refused for an option it ignores.
fn options(a: &DiscoverArgs, method: Method) -> Result<DiscoverOptions, CliError> {
    let mut o = DiscoverOptions {
        alpha: a.alpha,
        stable: a.stable,
        max_depth: a.max_depth,
        max_path_length: a.max_path_length,
        lambda1: a.lambda1,
        threshold: a.threshold,
        threads: a.threads,
        seed: a.seed,
        ..DiscoverOptions::default()
    };
    if method.uses_ci_test() {
        o.test = a.test.parse().map_err(discover_error)?;
    }
    if method == Method::Pc {
        o.uc_rule = UcRule::from_code(a.uc_rule).map_err(discover_error)?;
        o.uc_priority = UcPriority::from_code(a.uc_priority).map_err(discover_error)?;
    }
    if method == Method::Ges {
        o.score = a.score.parse().map_err(discover_error)?;
    }
    Ok(o)
}

/// Learns the graph with `method` through causal-discover's one entry point. A torch method
/// is routed through `crate::torch`, so the front end hands it to the companion and never
/// instantiates its LibTorch code; every other method runs with [`WithoutTorch`], which keeps
/// NOTEARS-MLP out of the front end as well.
pub fn learn_graph(
    method: Method,
    a: &DiscoverArgs,
    data: &Dataset,
    k: Option<&Knowledge>,
) -> Result<MixedGraph, CliError> {
    let none = Knowledge::new();
    let knowledge = k.unwrap_or(&none);
    if method.needs_torch() {
        if k.is_some() {
            return Err(CliError::BadInput(format!(
                "{method} does not take --knowledge"
            )));
        }
        return crate::torch(|| {
            let o = torch_options(a, data, options(a, method)?)?;
            let found = discover_via(method, data, knowledge, &o, InProcess);
            Ok(found.map_err(discover_error)?.graph)
        });
    }
    let o = options(a, method)?;
    let found = discover_via(method, data, knowledge, &o, WithoutTorch);
    Ok(found.map_err(discover_error)?.graph)
}

/// NOTEARS-MLP's own settings: `--prior` and `--prior-weight`, on the default device.
#[cfg(feature = "torch")]
fn torch_options(
    a: &DiscoverArgs,
    data: &Dataset,
    mut o: DiscoverOptions,
) -> Result<DiscoverOptions, CliError> {
    let mut m = causal::torch::notears_mlp::NotearsMlpParams::new();
    if let Some(path) = &a.prior {
        let prior = read_prior(path, data.names())?;
        m = m.prior(prior, a.prior_weight.unwrap_or(DEFAULT_PRIOR_WEIGHT));
    }
    let device = causal::torch::device::default_device().map_err(CliError::bad_input_from)?;
    o.notears_mlp = Some(m.device(device));
    Ok(o)
}

#[cfg(not(feature = "torch"))]
fn torch_options(
    _: &DiscoverArgs,
    _: &Dataset,
    o: DiscoverOptions,
) -> Result<DiscoverOptions, CliError> {
    Ok(o)
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
    let format = GraphFormat::from_path(path).map_err(CliError::bad_input_from)?;
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
        self.method.parse::<Method>().is_ok_and(Method::needs_torch)
    }
}

/// Maps discovery errors to exit codes: bad input 2, numerical and other failures 1.
pub fn discover_error(e: DiscoverError) -> CliError {
    match e {
        DiscoverError::Core(c) => CliError::from(c),
        DiscoverError::Diverged(_) | DiscoverError::NoConsistentExtension => {
            CliError::failure_from(e)
        }
        #[cfg(feature = "torch")]
        DiscoverError::Torch(t) => match t {
            causal::torch::TorchError::Device(_) => CliError::bad_input_from(t),
            other => CliError::failure_from(other),
        },
        other => CliError::bad_input_from(other),
    }
}

/// The discovery method called `name` (case-insensitive), as `causal discover` and
/// `causal effect --discover` accept it.
pub fn method_named(name: &str) -> Result<Method, CliError> {
    let method: Method = name
        .parse()
        .map_err(|e: DiscoverError| CliError::bad_input_from(e))?;
    if method.needs_torch() && !cfg!(feature = "torch") {
        return Err(CliError::unavailable(&format!("discover {method}")));
    }
    Ok(method)
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
        .map_err(CliError::bad_input_from)
}

/// Runs `causal discover`.
pub fn run(args: DiscoverArgs) -> Result<serde_json::Value, CliError> {
    let name = args.method.to_ascii_lowercase();
    let method = method_named(&args.method)?;
    if !method.needs_torch() && (args.prior.is_some() || args.prior_weight.is_some()) {
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
                DiscoverError::Knowledge { .. } => CliError::bad_input_in(p.display(), e),
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
    let graph = learn_graph(method, &args, &data, knowledge.as_ref());
    spinner.finish_and_clear();
    let graph = graph?;
    if let Some(out) = &args.out {
        std::fs::write(out, graph.to_dot()).map_err(|e| CliError::failure_in(out.display(), e))?;
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
            let graph = learn_graph(method, &inner, d, k).map_err(ReplicateError);
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
