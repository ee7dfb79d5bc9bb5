//! `causal scm fit|intervene|counterfactual`: structural causal models from the command line,
//! with a masked-MLP mechanism per node (causal-torch's neural SCM, run by the companion) or a
//! linear-Gaussian one (causal-core's `LinearGaussianScm` fitted by least squares, torch-free,
//! run by the front end itself). `fit` writes a model folder whose `spec.json` names the
//! mechanism (an MLP folder also holds the training rows and a checkpoint of the weights); the
//! other two rebuild the model from it and answer interventional and counterfactual queries as
//! JSON of the same shape for both mechanisms.

use std::path::{Path, PathBuf};

use causal::core::data::Dataset;
use clap::{Args, Subcommand, ValueEnum};

use crate::error::CliError;

/// Arguments of `causal scm`.
#[derive(Args)]
pub struct ScmArgs {
    #[command(subcommand)]
    action: ScmAction,
}

/// How each node's mechanism is modelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mechanism {
    /// A masked MLP over the node's parents (`--hidden` widths, ELU); needs LibTorch.
    Mlp,
    /// Linear in the parents with Gaussian noise, fitted by least squares (closed form, no
    /// LibTorch; `--hidden`, `--epochs` and `--seed` do not apply).
    Linear,
}

/// The model folder's spec file, naming the mechanism.
const SPEC: &str = "spec.json";

#[derive(Subcommand)]
enum ScmAction {
    /// Fit a neural SCM of a DAG to data and write it to a model folder.
    Fit {
        /// The DAG (.json, .dagitty, .dot or .gv); its nodes are columns of the data.
        #[arg(long)]
        graph: PathBuf,
        /// Data file (CSV or whitespace-separated, with a header).
        #[arg(long)]
        data: PathBuf,
        /// The model folder to write (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// The mechanism family.
        #[arg(long, value_enum, default_value_t = Mechanism::Mlp)]
        mechanism: Mechanism,
        /// Comma-separated hidden widths of each mechanism.
        #[arg(long, default_value = "32,32")]
        hidden: String,
        /// Training epochs (early stopping on 10% of the rows may end sooner).
        #[arg(long, default_value_t = 200)]
        epochs: usize,
        /// Seed of the initialisation and the validation split.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Sample the model under do-interventions and report each node's mean and sd.
    Intervene {
        /// The model folder written by `causal scm fit`.
        model: PathBuf,
        /// Interventions `NODE=VALUE`, comma-separated or repeated.
        #[arg(long = "do", required = true)]
        interventions: Vec<String>,
        /// Number of samples.
        #[arg(long, default_value_t = 10_000)]
        n: usize,
        /// Seed of the sampling.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Also write the samples as CSV to this file.
        #[arg(long)]
        samples: Option<PathBuf>,
    },
    /// Counterfactual values of observed units under do-interventions (abduction of each
    /// continuous node's additive noise).
    Counterfactual {
        /// The model folder written by `causal scm fit`.
        model: PathBuf,
        /// A JSON file with one unit (`{"X": 0.3, "Y": 1.2}`) or an array of units; it names
        /// every node of the model.
        #[arg(long)]
        unit: PathBuf,
        /// Interventions `NODE=VALUE`, comma-separated or repeated.
        #[arg(long = "do", required = true)]
        interventions: Vec<String>,
    },
}

/// Parses `NODE=VALUE` items (each argument may hold several, comma-separated).
fn parse_do(items: &[String]) -> Result<Vec<(String, f64)>, CliError> {
    let mut out = Vec::new();
    for item in items.iter().flat_map(|i| crate::io::split_names(i)) {
        let bad = || CliError::BadInput(format!("--do '{item}': expected NODE=VALUE"));
        let (node, value) = item.split_once('=').ok_or_else(bad)?;
        let value: f64 = value.trim().parse().map_err(|_| bad())?;
        if node.trim().is_empty() || !value.is_finite() {
            return Err(bad());
        }
        out.push((node.trim().to_owned(), value));
    }
    Ok(out)
}

/// `32,32` → [32, 32].
#[cfg_attr(not(feature = "torch"), allow(dead_code))]
fn parse_widths(list: &str) -> Result<Vec<usize>, CliError> {
    let widths = crate::io::split_names(list)
        .iter()
        .map(|w| w.parse::<usize>().ok().filter(|w| *w > 0))
        .collect::<Option<Vec<_>>>()
        .filter(|w| !w.is_empty());
    widths.ok_or_else(|| {
        CliError::BadInput(format!(
            "--hidden '{list}': expected comma-separated positive widths (at least one layer)"
        ))
    })
}

/// Runs `causal scm`: a linear model here, an MLP one in the companion (handed over before
/// any data is read).
pub fn run(args: ScmArgs) -> Result<serde_json::Value, CliError> {
    let linear = match &args.action {
        ScmAction::Fit { mechanism, .. } => *mechanism == Mechanism::Linear,
        ScmAction::Intervene { model, .. } | ScmAction::Counterfactual { model, .. } => {
            read_spec(model)?["mechanism"] == "linear"
        }
    };
    if linear {
        linear_scm::run(args)
    } else {
        neural(args)
    }
}

/// Reads a model folder's spec.json, naming the file in errors.
fn read_spec(dir: &Path) -> Result<serde_json::Value, CliError> {
    let path = dir.join(SPEC);
    let text = crate::io::read_text(&path)?;
    serde_json::from_str(&text).map_err(|e| CliError::bad_input_in(path.display(), e))
}

/// Each node's mean and sd over samples.
fn summary(drawn: &Dataset, nodes: &[String]) -> Result<serde_json::Value, CliError> {
    let mut summary = serde_json::Map::new();
    for name in nodes {
        let col = drawn.column(name).map_err(CliError::from)?;
        let mean = col.iter().sum::<f64>() / col.len() as f64;
        let var =
            col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (col.len().max(2) - 1) as f64;
        summary.insert(
            name.clone(),
            serde_json::json!({ "mean": mean, "sd": var.sqrt() }),
        );
    }
    Ok(serde_json::Value::Object(summary))
}

/// `{"NODE": value, ...}` of the interventions.
fn do_map(ivs: &[(String, f64)]) -> serde_json::Value {
    ivs.iter()
        .map(|(k, v)| (k.clone(), serde_json::json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The rows of a data set as JSON objects.
fn rows(d: &Dataset) -> Vec<serde_json::Value> {
    (0..d.n_rows())
        .map(|i| {
            serde_json::Value::Object(
                d.names()
                    .iter()
                    .enumerate()
                    .map(|(j, n)| (n.clone(), serde_json::json!(d.col(j)[i])))
                    .collect(),
            )
        })
        .collect()
}

/// Writes the samples as CSV when asked.
fn write_samples(path: Option<&PathBuf>, drawn: &Dataset) -> Result<(), CliError> {
    if let Some(path) = path {
        std::fs::write(path, drawn.to_csv())
            .map_err(|e| CliError::failure_in(path.display(), e))?;
    }
    Ok(())
}

/// Units from a JSON object or array of objects, as a data set with the model's columns.
fn read_units(path: &Path, nodes: &[String]) -> Result<Dataset, CliError> {
    let text = crate::io::read_text(path)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CliError::bad_input_in(path.display(), e))?;
    let units = match value {
        serde_json::Value::Array(a) => a,
        one => vec![one],
    };
    if units.is_empty() {
        return Err(CliError::BadInput(format!("{}: no unit", path.display())));
    }
    let mut columns = vec![Vec::with_capacity(units.len()); nodes.len()];
    for (i, u) in units.iter().enumerate() {
        for (j, n) in nodes.iter().enumerate() {
            let v = u
                .get(n)
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| {
                    CliError::BadInput(format!(
                        "{}: unit {} has no number for node '{n}'",
                        path.display(),
                        i + 1
                    ))
                })?;
            columns[j].push(v);
        }
    }
    Dataset::new(nodes.to_vec(), columns).map_err(CliError::from)
}

/// The linear-Gaussian half: fitting by least squares, saving and rebuilding a model folder,
/// and the queries, all through causal-core (no LibTorch).
mod linear_scm {
    use std::path::Path;

    use causal::core::graph::MixedGraph;
    use causal::core::scm::{Intervention, LinearGaussianScm};

    use super::{SPEC, ScmAction, ScmArgs};
    use crate::error::CliError;

    /// Runs a linear `causal scm` action.
    pub fn run(args: ScmArgs) -> Result<serde_json::Value, CliError> {
        match args.action {
            ScmAction::Fit {
                graph, data, out, ..
            } => {
                let g = crate::io::read_graph(&graph, None)?;
                let rows = crate::io::read_data(&data)?;
                let m = LinearGaussianScm::fit(&g, &rows).map_err(CliError::from)?;
                let params = parameters(&m);
                save(&g, &params, &out)?;
                let mut value = serde_json::json!({
                    "model": out.display().to_string(),
                    "nodes": m.names(),
                    "mechanism": "linear",
                });
                if let (Some(v), Some(p)) = (value.as_object_mut(), params.as_object()) {
                    v.extend(p.clone());
                }
                Ok(value)
            }
            ScmAction::Intervene {
                model,
                interventions,
                n,
                seed,
                samples,
            } => {
                let ivs = super::parse_do(&interventions)?;
                if n == 0 {
                    return Err(CliError::BadInput("--n must be positive".into()));
                }
                let m = load(&model)?;
                let drawn = m
                    .to_scm()
                    .and_then(|s| s.intervene(&hard(&ivs)))
                    .and_then(|s| s.sample(n, seed))
                    .map_err(CliError::from)?;
                super::write_samples(samples.as_ref(), &drawn)?;
                Ok(serde_json::json!({
                    "model": model.display().to_string(),
                    "do": super::do_map(&ivs),
                    "n": n,
                    "seed": seed,
                    "nodes": super::summary(&drawn, m.names())?,
                    "samples": samples.as_ref().map(|p| p.display().to_string()),
                }))
            }
            ScmAction::Counterfactual {
                model,
                unit,
                interventions,
            } => {
                let ivs = super::parse_do(&interventions)?;
                let m = load(&model)?;
                let units = super::read_units(&unit, m.names())?;
                let cf = m
                    .to_scm()
                    .and_then(|s| s.counterfactual(&units, &hard(&ivs)))
                    .map_err(CliError::from)?;
                Ok(serde_json::json!({
                    "model": model.display().to_string(),
                    "do": super::do_map(&ivs),
                    "factual": super::rows(&units),
                    "counterfactual": super::rows(&cf),
                }))
            }
        }
    }

    fn hard(ivs: &[(String, f64)]) -> Vec<(&str, Intervention)> {
        ivs.iter()
            .map(|(k, v)| (k.as_str(), Intervention::Hard(*v)))
            .collect()
    }

    /// The fitted parameters as JSON: `coefficients` (one `{from, to, coef}` per edge),
    /// `intercept` and `noise_sd` by node.
    fn parameters(m: &LinearGaussianScm) -> serde_json::Value {
        let names = m.names();
        let b = m.coefficients();
        let mut coefficients = Vec::new();
        for (j, to) in names.iter().enumerate() {
            for (i, from) in names.iter().enumerate() {
                if b[(j, i)] != 0.0 {
                    coefficients
                        .push(serde_json::json!({ "from": from, "to": to, "coef": b[(j, i)] }));
                }
            }
        }
        let by_node = |v: &[f64]| -> serde_json::Value {
            names
                .iter()
                .zip(v)
                .map(|(n, x)| (n.clone(), serde_json::json!(x)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        serde_json::json!({
            "coefficients": coefficients,
            "intercept": by_node(m.intercepts()),
            "noise_sd": by_node(m.noise_sd()),
        })
    }

    /// Writes spec.json: the mechanism, the graph, the nodes and the parameters.
    fn save(g: &MixedGraph, params: &serde_json::Value, out: &Path) -> Result<(), CliError> {
        let fail = |e: std::io::Error| CliError::failure_in(out.display(), e);
        std::fs::create_dir_all(out).map_err(fail)?;
        let mut spec = serde_json::json!({
            "mechanism": "linear",
            "graph": g.to_json_value(),
            "nodes": g.nodes(),
        });
        if let (Some(s), Some(p)) = (spec.as_object_mut(), params.as_object()) {
            s.extend(p.clone());
        }
        let text = serde_json::to_string_pretty(&spec)
            .map_err(|e| CliError::Failure(format!("serialising the spec: {e}")))?;
        std::fs::write(out.join(SPEC), text)
            .map_err(|e| CliError::Failure(format!("{}: {e}", out.join(SPEC).display())))
    }

    /// Rebuilds the model of a folder from its spec.json.
    fn load(dir: &Path) -> Result<LinearGaussianScm, CliError> {
        let spec = super::read_spec(dir)?;
        let path = dir.join(SPEC);
        let bad = |what: &str| {
            CliError::BadInput(format!(
                "{}: {what} is missing or malformed",
                path.display()
            ))
        };
        let nodes: Vec<String> =
            serde_json::from_value(spec["nodes"].clone()).map_err(|_| bad("\"nodes\""))?;
        let per_node = |key: &str| -> Result<Vec<f64>, CliError> {
            nodes
                .iter()
                .map(|n| {
                    spec[key][n]
                        .as_f64()
                        .ok_or_else(|| bad(&format!("\"{key}\" of '{n}'")))
                })
                .collect()
        };
        let (intercept, sd) = (per_node("intercept")?, per_node("noise_sd")?);
        let coefficients = spec["coefficients"]
            .as_array()
            .ok_or_else(|| bad("\"coefficients\""))?;
        let mut edges = Vec::with_capacity(coefficients.len());
        for c in coefficients {
            match (c["from"].as_str(), c["to"].as_str(), c["coef"].as_f64()) {
                (Some(f), Some(t), Some(b)) => edges.push((f, t, b)),
                _ => return Err(bad("an entry of \"coefficients\"")),
            }
        }
        let names: Vec<&str> = nodes.iter().map(String::as_str).collect();
        LinearGaussianScm::new(&names, &edges, &intercept, &sd)
            .map_err(|e| CliError::bad_input_in(path.display(), e))
    }
}

/// Runs an MLP `causal scm` action in the companion binary.
#[cfg(feature = "torch")]
fn neural(args: ScmArgs) -> Result<serde_json::Value, CliError> {
    crate::torch(|| run_mlp(args))
}

/// MLP models need the torch feature.
#[cfg(not(feature = "torch"))]
fn neural(args: ScmArgs) -> Result<serde_json::Value, CliError> {
    let _ = args;
    Err(CliError::unavailable(
        "scm --mechanism mlp (built without the torch feature)",
    ))
}

/// Runs an MLP `causal scm` action (LibTorch).
#[cfg(feature = "torch")]
fn run_mlp(args: ScmArgs) -> Result<serde_json::Value, CliError> {
    match args.action {
        ScmAction::Fit {
            graph,
            data,
            out,
            mechanism,
            hidden,
            epochs,
            seed,
        } => {
            let spec = serde_json::json!({
                "mechanism": format!("{mechanism:?}").to_lowercase(),
                "hidden": parse_widths(&hidden)?,
                "epochs": epochs,
                "seed": seed,
            });
            if epochs == 0 {
                return Err(CliError::BadInput("--epochs must be positive".into()));
            }
            let g = crate::io::read_graph(&graph, None)?;
            let rows = crate::io::read_data(&data)?;
            let scm = torch_scm::fit(&g, &rows, &spec, epochs, !crate::progress::quiet())?;
            torch_scm::save(&scm, &g, &rows, &spec, &out)?;
            let sd = scm.noise_sd().map_err(torch_scm::error)?;
            Ok(serde_json::json!({
                "model": out.display().to_string(),
                "nodes": scm.nodes(),
                "mechanism": spec["mechanism"],
                "hidden": spec["hidden"],
                "seed": seed,
                "epochs": scm.history().epochs(),
                "noise_sd": scm.nodes().iter().zip(sd).map(|(n, s)| {
                    (n.clone(), if s.is_finite() { serde_json::json!(s) } else { serde_json::Value::Null })
                }).collect::<serde_json::Map<_, _>>(),
            }))
        }
        ScmAction::Intervene {
            model,
            interventions,
            n,
            seed,
            samples,
        } => {
            let ivs = parse_do(&interventions)?;
            if n == 0 {
                return Err(CliError::BadInput("--n must be positive".into()));
            }
            let scm = torch_scm::load(&model)?;
            let refs = torch_scm::interventions(&ivs);
            let drawn = scm
                .intervene(&refs)
                .and_then(|i| i.sample(n, seed))
                .map_err(torch_scm::error)?;
            write_samples(samples.as_ref(), &drawn)?;
            Ok(serde_json::json!({
                "model": model.display().to_string(),
                "do": do_map(&ivs),
                "n": n,
                "seed": seed,
                "nodes": summary(&drawn, scm.nodes())?,
                "samples": samples.as_ref().map(|p| p.display().to_string()),
            }))
        }
        ScmAction::Counterfactual {
            model,
            unit,
            interventions,
        } => {
            let ivs = parse_do(&interventions)?;
            let scm = torch_scm::load(&model)?;
            let units = read_units(&unit, scm.nodes())?;
            let refs = torch_scm::interventions(&ivs);
            let cf = scm
                .counterfactual(&units, &refs)
                .map_err(torch_scm::error)?;
            Ok(serde_json::json!({
                "model": model.display().to_string(),
                "do": do_map(&ivs),
                "factual": rows(&units),
                "counterfactual": rows(&cf),
            }))
        }
    }
}

/// The LibTorch half: fitting, saving and rebuilding a model folder.
#[cfg(feature = "torch")]
mod torch_scm {
    use std::path::Path;

    use causal::core::data::Dataset;
    use causal::core::graph::MixedGraph;
    use causal::torch::TorchError;
    use causal::torch::scm::{Intervention, NeuralScmFit, NeuralScmParams};
    use causal::torch::trainer::TrainerParams;

    use crate::error::CliError;

    use super::SPEC;

    /// Files of a model folder besides the spec.
    const DATA: &str = "data.csv";
    const WEIGHTS: &str = "weights.safetensors";

    /// Exit codes: the data or the model folder is wrong (2), anything else (1).
    pub fn error(e: TorchError) -> CliError {
        match e {
            TorchError::Core(c) => CliError::from(c),
            TorchError::InvalidParameter(_)
            | TorchError::Checkpoint { .. }
            | TorchError::Device(_) => CliError::bad_input_from(e),
            other => CliError::failure_from(other),
        }
    }

    pub fn interventions(ivs: &[(String, f64)]) -> Vec<(&str, Intervention)> {
        ivs.iter()
            .map(|(k, v)| (k.as_str(), Intervention::Hard(*v)))
            .collect()
    }

    /// Fits with the spec's hyperparameters; `epochs` may differ (1 to rebuild for loading).
    pub fn fit(
        g: &MixedGraph,
        data: &Dataset,
        spec: &serde_json::Value,
        epochs: usize,
        progress: bool,
    ) -> Result<NeuralScmFit, CliError> {
        let bad = || CliError::BadInput(format!("the model spec is malformed: {spec}"));
        let hidden: Vec<usize> =
            serde_json::from_value(spec["hidden"].clone()).map_err(|_| bad())?;
        let seed = spec["seed"].as_u64().ok_or_else(bad)?;
        let trainer = TrainerParams::new()
            .epochs(epochs)
            .learning_rate(3e-3)
            .patience(Some(20))
            .quiet(!progress);
        NeuralScmParams::new()
            .hidden(&hidden)
            .trainer(trainer)
            .seed(seed)
            .fit(g, data)
            .map_err(error)
    }

    /// Writes spec.json (with the graph), data.csv and the weights' checkpoint.
    pub fn save(
        scm: &NeuralScmFit,
        g: &MixedGraph,
        data: &Dataset,
        spec: &serde_json::Value,
        out: &Path,
    ) -> Result<(), CliError> {
        let fail = |p: &Path, e: std::io::Error| CliError::failure_in(p.display(), e);
        std::fs::create_dir_all(out).map_err(|e| fail(out, e))?;
        let mut spec = spec.clone();
        spec["graph"] = g.to_json_value();
        spec["nodes"] = serde_json::json!(scm.nodes());
        let text = serde_json::to_string_pretty(&spec)
            .map_err(|e| CliError::Failure(format!("serialising the spec: {e}")))?;
        std::fs::write(out.join(SPEC), text).map_err(|e| fail(&out.join(SPEC), e))?;
        // The rows fix each node's scaling and levels, which the rebuild recomputes.
        let names: Vec<&str> = scm.nodes().iter().map(String::as_str).collect();
        let rows = data.select(&names).map_err(CliError::from)?;
        std::fs::write(out.join(DATA), rows.to_csv()).map_err(|e| fail(&out.join(DATA), e))?;
        causal::torch::checkpoint::save(scm.var_store(), out.join(WEIGHTS)).map_err(error)
    }

    /// Rebuilds the model of a folder: same graph, rows, widths and seed (one epoch, so the
    /// same variables exist), then the saved weights.
    pub fn load(dir: &Path) -> Result<NeuralScmFit, CliError> {
        let spec_path = dir.join(SPEC);
        let text = crate::io::read_text(&spec_path)?;
        let spec: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| CliError::bad_input_in(spec_path.display(), e))?;
        let g = MixedGraph::from_json(&spec["graph"].to_string())
            .map_err(|e| CliError::BadInput(format!("{}: graph: {e}", spec_path.display())))?;
        let data = crate::io::read_data(&dir.join(DATA))?;
        let mut scm = fit(&g, &data, &spec, 1, false)?;
        causal::torch::checkpoint::load(scm.var_store_mut(), dir.join(WEIGHTS)).map_err(error)?;
        Ok(scm)
    }
}
