//! `causal effect`: from data (and a graph, or discovery with background knowledge) to a
//! defended effect in one JSON: the graph and its class, which edges came from experts and which
//! from the data, identification (ID on a DAG/ADMG, the generalised adjustment criterion and IDA
//! on a class), estimation, refutation, sensitivity, and the bootstrap of the whole pipeline.

use std::path::PathBuf;

use causal::core::data::Dataset;
use causal::core::graph::{Admg, GraphClass, MixedGraph, NodeSet};
use causal::core::ida::bootstrap::{PipelineSpec, pipeline_bootstrap};
use causal::core::ida::{Ida, IdaMethod};
use causal::core::identify::Identifier;
use causal::core::report::sensitivity;
use causal::core::stats::variance;
use causal::discover::knowledge::Knowledge;
use clap::Args;
use serde_json::{Value, json};

use super::discover::{args_for, discover_error, learn_graph, method_named};
use super::estimate::{EffectArgs, bootstrap, build};
use super::refute::refutations;
use crate::error::CliError;
use crate::io::{read_data, read_graph};

/// Arguments of `causal effect`.
#[derive(Args)]
pub struct EffectCmdArgs {
    /// Data file: CSV or whitespace-separated, with a header.
    #[arg(long)]
    data: PathBuf,
    /// Treatment column.
    #[arg(long)]
    treatment: String,
    /// Outcome column.
    #[arg(long)]
    outcome: String,
    /// A causal graph (DAG, ADMG, CPDAG, PDAG, MAG or PAG; JSON, DOT or dagitty).
    #[arg(long, conflicts_with = "discover")]
    graph: Option<PathBuf>,
    /// Graph format, overriding the file extension.
    #[arg(long)]
    graph_format: Option<String>,
    /// How to read the graph: dag, admg, cpdag, pdag, mag or pag (default: from its marks).
    #[arg(long)]
    class: Option<String>,
    /// Learn the graph with this discovery method (pc, fci, ges, ...) instead of --graph.
    #[arg(long)]
    discover: Option<String>,
    /// Background knowledge (Tetrad format: tiers, required and forbidden edges) for discovery.
    #[arg(long)]
    knowledge: Option<PathBuf>,
    /// CI test for pc/fci.
    #[arg(long, default_value = "fisherz")]
    test: String,
    /// Significance level of discovery's CI tests.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// IDA on a CPDAG/PDAG: local, optimal or global.
    #[arg(long, default_value = "optimal")]
    ida: String,
    /// Bootstrap replicates of the whole pipeline (resample, rediscover, IDA) and of the
    /// estimate; 0 for none.
    #[arg(long, default_value_t = 0)]
    bootstrap: usize,
    /// Seed of every random step.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    /// Simulations per refuter.
    #[arg(long, default_value_t = 20)]
    simulations: usize,
    /// Also write report.json and report.md to this folder.
    #[arg(long)]
    report: Option<PathBuf>,
}

fn bad(e: impl Into<crate::error::Cause>) -> CliError {
    CliError::bad_input_from(e)
}

/// Where the graph came from, per edge: `expert` (the given graph, or a required edge of the
/// knowledge), `data` (found by discovery), `data, oriented by expert tiers`.
fn edge_sources(g: &MixedGraph, discovered: bool, k: Option<&Knowledge>) -> Vec<Value> {
    g.edges()
        .iter()
        .map(|e| {
            let (a, b) = (g.name(e.a), g.name(e.b));
            let required = k.is_some_and(|k| {
                k.required_edges()
                    .any(|(f, t)| (f == a && t == b) || (f == b && t == a))
            });
            let tiers = k.is_some_and(
                |k| matches!((k.tier_of(a), k.tier_of(b)), (Some(p), Some(q)) if p != q),
            );
            let source = if !discovered || required {
                "expert"
            } else if tiers && e.mark_a != e.mark_b {
                "data, oriented by expert tiers"
            } else {
                "data"
            };
            json!({
                "from": a,
                "to": b,
                "from_mark": e.mark_a,
                "to_mark": e.mark_b,
                "source": source,
            })
        })
        .collect()
}

/// A directed path `from -> .. -> to` in the graph's directed edges, as names.
fn directed_path(g: &MixedGraph, from: usize, to: usize) -> Option<Vec<String>> {
    let n = g.n_nodes();
    let mut pred = vec![usize::MAX; n];
    let mut seen = vec![false; n];
    let mut queue = std::collections::VecDeque::from([from]);
    seen[from] = true;
    while let Some(v) = queue.pop_front() {
        if v == to {
            let mut p = vec![g.name(v).to_owned()];
            let mut u = v;
            while u != from {
                u = pred[u];
                p.push(g.name(u).to_owned());
            }
            p.reverse();
            return Some(p);
        }
        for c in g.children(v) {
            if !seen[c] {
                seen[c] = true;
                pred[c] = v;
                queue.push_back(c);
            }
        }
    }
    None
}

/// The graph to use and whether discovery produced it.
fn graph_of(
    a: &EffectCmdArgs,
    data: &Dataset,
    knowledge: Option<&Knowledge>,
) -> Result<(MixedGraph, bool), CliError> {
    match (&a.graph, &a.discover) {
        (Some(p), _) => {
            let g = read_graph(p, a.graph_format.as_deref())?;
            if let Some(missing) = g.nodes().iter().find(|n| data.column(n).is_err()) {
                return Err(bad(format!(
                    "{}: node '{missing}' is not a column of {} (columns: {})",
                    p.display(),
                    a.data.display(),
                    data.names().join(", ")
                )));
            }
            Ok((g, false))
        }
        (None, Some(m)) => {
            let method = method_named(m)?;
            let args = args_for(m, &a.data, &a.test, a.alpha)?;
            eprintln!(
                "causal effect: discovering the graph with {m} on {} rows",
                data.n_rows()
            );
            Ok((learn_graph(method, &args, data, knowledge)?, true))
        }
        (None, None) => Err(bad(
            "give a graph (--graph FILE) or a discovery method (--discover pc)",
        )),
    }
}

/// Runs `causal effect`.
pub fn run(a: EffectCmdArgs) -> Result<Value, CliError> {
    let data = read_data(&a.data)?;
    for (flag, v) in [("--treatment", &a.treatment), ("--outcome", &a.outcome)] {
        data.column(v).map_err(|e| bad(format!("{flag}: {e}")))?;
    }
    if a.treatment == a.outcome {
        return Err(bad(format!(
            "'{}' is both the treatment and the outcome",
            a.treatment
        )));
    }
    let method: IdaMethod = a.ida.parse().map_err(bad)?;
    let knowledge = a
        .knowledge
        .as_ref()
        .map(Knowledge::from_path)
        .transpose()
        .map_err(discover_error)?;
    let (graph, discovered) = graph_of(&a, &data, knowledge.as_ref())?;
    let node = |v: &str, flag: &str| {
        graph
            .index(v)
            .map_err(|_| bad(format!("{flag}: '{v}' is not a node of the graph")))
    };
    let (x, y) = (
        node(&a.treatment, "--treatment")?,
        node(&a.outcome, "--outcome")?,
    );
    if let Some(path) = directed_path(&graph, y, x) {
        return Err(bad(format!(
            "the treatment '{}' is a descendant of the outcome '{}' ({}): its effect on the outcome is zero by the graph; are treatment and outcome swapped?",
            a.treatment,
            a.outcome,
            path.join(" -> ")
        )));
    }
    let class = match &a.class {
        Some(c) => c.parse::<GraphClass>().map_err(bad)?,
        None => graph.graph_class(),
    };
    let n = graph.n_nodes();
    let (xs, ys) = (NodeSet::from_indices(n, [x]), NodeSet::from_indices(n, [y]));
    let adj = graph.adjustment(class, &xs, &ys).map_err(bad)?;
    let names =
        |s: &NodeSet| -> Vec<String> { s.iter().map(|v| graph.name(v).to_owned()).collect() };
    let ida_applies = matches!(
        class,
        GraphClass::Dag | GraphClass::Cpdag | GraphClass::Pdag
    );

    // Identification.
    let estimand = if matches!(class, GraphClass::Dag | GraphClass::Admg) {
        let admg = Admg::from_mixed(&graph).map_err(bad)?;
        Identifier::new(&admg)
            .identify_given(
                &[a.treatment.as_str()],
                &[a.outcome.as_str()],
                &[] as &[&str],
            )?
            .estimand()
            .map(|e| e.to_string())
    } else {
        None
    };
    let set = adj.optimal_set().or_else(|| adj.adjustment_set());
    if set.is_none() && !ida_applies {
        adj.check_amenable().map_err(bad)?;
        return Err(bad(format!(
            "the {class} admits no adjustment set for the effect of '{}' on '{}'{}",
            a.treatment,
            a.outcome,
            estimand
                .as_deref()
                .map(|e| format!(" (it is identified by {e}: use `causal identify --data`)"))
                .unwrap_or_default()
        )));
    }
    let identification = json!({
        "class": class,
        "amenable": adj.is_amenable(),
        "breaking_path": adj.breaking_path().map(|p| adj.render_path(p)),
        "message": adj.check_amenable().err().map(|e| e.to_string()),
        "strategy": if set.is_some() { "adjustment (generalised adjustment criterion)" } else { "IDA: possible effects over the class" },
        "adjustment_set": set.as_ref().map(&names),
        "optimal": adj.optimal_set().is_some(),
        "estimand": estimand,
    });

    // Estimation, refutation, sensitivity on the adjustment set, when there is one.
    let (estimate, refuted, sens) = match &set {
        Some(z) => {
            let ea = EffectArgs {
                graph: None,
                graph_format: None,
                data: a.data.clone(),
                treatment: a.treatment.clone(),
                outcome: a.outcome.clone(),
                method: "regression".into(),
                learner: "linear".into(),
                repeats: 1,
                score: None,
                adjust: Some(names(z).join(",")),
                mediators: None,
                instruments: None,
                modifiers: None,
                interactions: false,
                clip: None,
                folds: 5,
                bootstrap: a.bootstrap,
                seed: a.seed,
                level: a.level,
            };
            let (est, _) = build(&ea, None)?;
            let e = est.estimate(&data, bootstrap(&ea).as_ref(), a.level)?;
            let (r, _) = refutations(&ea, a.simulations, 0.05, "holm")?;
            let sd = variance(data.column(&a.outcome)?).sqrt();
            let s = sensitivity(&e, sd)?;
            (Some(e), r, s)
        }
        None => (None, Vec::new(), Value::Null),
    };

    // IDA over the class.
    let ida = if ida_applies {
        let r = Ida::new(&data, &graph)
            .and_then(|i| i.effects(&a.treatment, &a.outcome, method))
            .map_err(CliError::from)?;
        Some(r)
    } else {
        None
    };

    // The bootstrap of the whole pipeline.
    let pipeline = if a.bootstrap > 0 && ida_applies {
        let spec = PipelineSpec {
            treatment: a.treatment.clone(),
            outcome: a.outcome.clone(),
            method,
            replicates: a.bootstrap,
            seed: a.seed,
            level: a.level,
        };
        eprintln!(
            "causal effect: {} pipeline bootstrap replicates{}",
            a.bootstrap,
            if discovered {
                " (rediscovering each)"
            } else {
                " (graph held fixed)"
            }
        );
        let r = if discovered {
            let m = a.discover.as_deref().unwrap_or("pc");
            let method = method_named(m)?;
            let args = args_for(m, &a.data, &a.test, a.alpha)?;
            let k = knowledge.as_ref();
            pipeline_bootstrap(&data, &spec, |d| learn_graph(method, &args, d, k))
        } else {
            pipeline_bootstrap(&data, &spec, |_| Ok::<_, CliError>(graph.clone()))
        };
        Some(r.map_err(CliError::from)?)
    } else {
        None
    };

    let out = json!({
        "treatment": a.treatment,
        "outcome": a.outcome,
        "graph_class": class,
        "graph_source": if discovered { format!("discovered by {}", a.discover.as_deref().unwrap_or("")) } else { "given".to_owned() },
        "graph": graph.to_json_value(),
        "edges": edge_sources(&graph, discovered, knowledge.as_ref()),
        "identification": identification,
        "estimate": estimate,
        "possible_effects": ida.as_ref().map(|r| &r.possible_effects),
        "bounds": ida.as_ref().map(|r| json!({"min_abs": r.min_abs, "max_abs": r.max_abs})),
        "ida_method": ida.as_ref().map(|r| r.method),
        "bootstrap": pipeline,
        "refutations": refuted,
        "sensitivity": sens,
        "assumptions": assumptions(class, discovered, set.is_some()),
    });
    if let Some(dir) = &a.report {
        write_report(dir, &out)?;
    }
    Ok(out)
}

/// The assumptions the answer rests on, in words.
fn assumptions(class: GraphClass, discovered: bool, adjusted: bool) -> Vec<String> {
    let mut v = vec![format!(
        "The causal structure is the {class} shown: every graph in its class is considered possible."
    )];
    if discovered {
        v.push("The graph was learned from the data: causal sufficiency (for PC/GES), faithfulness, and correct CI tests at the chosen level are assumed; the pipeline bootstrap shows how stable it is.".into());
    }
    if adjusted {
        v.push("The adjustment set is valid in every graph of the class; estimation assumes a linear outcome model (regression adjustment).".into());
    } else {
        v.push("No single adjustment set is valid over the whole class: the answer is the set of possible effects (IDA, linear-Gaussian).".into());
    }
    v
}

fn write_report(dir: &std::path::Path, out: &Value) -> Result<(), CliError> {
    let fail = |p: &std::path::Path, e: std::io::Error| CliError::failure_in(p.display(), e);
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    let jp = dir.join("report.json");
    let text = serde_json::to_string_pretty(out).map_err(CliError::failure_from)?;
    std::fs::write(&jp, text).map_err(|e| fail(&jp, e))?;
    let mp = dir.join("report.md");
    std::fs::write(&mp, markdown(out)).map_err(|e| fail(&mp, e))?;
    eprintln!("wrote {} and {}", jp.display(), mp.display());
    Ok(())
}

fn fmt(v: &Value) -> String {
    match v {
        Value::Number(x) => x
            .as_f64()
            .map_or_else(|| x.to_string(), |f| format!("{f:.4}")),
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The report in Markdown: graph class and provenance, identification, estimate, possible
/// effects, bootstrap, refutations, assumptions.
fn markdown(o: &Value) -> String {
    let mut s = format!(
        "# Effect of {} on {}\n\n## Graph\n\nGraph class: **{}** ({}).\n\n| edge | source |\n|---|---|\n",
        fmt(&o["treatment"]),
        fmt(&o["outcome"]),
        fmt(&o["graph_class"]).to_uppercase(),
        fmt(&o["graph_source"])
    );
    for e in o["edges"].as_array().into_iter().flatten() {
        let mark = |m: &Value, left: bool| match (m.as_str(), left) {
            (Some("arrow"), true) => "<",
            (Some("arrow"), false) => ">",
            (Some("circle"), _) => "o",
            _ => "",
        };
        s.push_str(&format!(
            "| {} {}-{} {} | {} |\n",
            fmt(&e["from"]),
            mark(&e["from_mark"], true),
            mark(&e["to_mark"], false),
            fmt(&e["to"]),
            fmt(&e["source"])
        ));
    }
    let id = &o["identification"];
    s.push_str(&format!(
        "\n## Identification\n\nStrategy: {}. Amenable: {}. Adjustment set: {}.\n",
        fmt(&id["strategy"]),
        fmt(&id["amenable"]),
        fmt(&id["adjustment_set"])
    ));
    if !id["message"].is_null() {
        s.push_str(&format!("\n{}\n", fmt(&id["message"])));
    }
    if !o["estimate"].is_null() {
        let e = &o["estimate"];
        s.push_str(&format!(
            "\n## Estimate\n\nATE {} (SE {}), {} interval [{}, {}], n = {}.\n",
            fmt(&e["ate"]),
            fmt(&e["se"]),
            fmt(&e["ci_method"]),
            fmt(&e["ci"][0]),
            fmt(&e["ci"][1]),
            fmt(&e["n"])
        ));
    }
    if let Some(list) = o["possible_effects"].as_array() {
        s.push_str("\n## Possible effects over the class (IDA)\n\n| effect | SE | adjustment set |\n|---|---|---|\n");
        for e in list {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                fmt(&e["effect"]),
                fmt(&e["se"]),
                fmt(&e["adjustment"])
            ));
        }
        s.push_str(&format!(
            "\nBounds: min |effect| {}, max |effect| {}.\n",
            fmt(&o["bounds"]["min_abs"]),
            fmt(&o["bounds"]["max_abs"])
        ));
    }
    if !o["bootstrap"].is_null() {
        let b = &o["bootstrap"];
        s.push_str(&format!(
            "\n## Pipeline bootstrap\n\n{} replicates ({} failed): interval [{}, {}] at level {}, covering sampling and structure uncertainty; {} of replicates include a zero effect.\n",
            fmt(&b["replicates"]),
            fmt(&b["failed"]),
            fmt(&b["interval"][0]),
            fmt(&b["interval"][1]),
            fmt(&b["level"]),
            fmt(&b["share_with_zero"])
        ));
    }
    if let Some(list) = o["refutations"].as_array().filter(|l| !l.is_empty()) {
        s.push_str("\n## Refutations\n\n| refuter | passed | detail |\n|---|---|---|\n");
        for r in list {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                fmt(&r["refuter"]),
                fmt(&r["passed"]),
                fmt(&r["detail"])
            ));
        }
    }
    s.push_str("\n## Assumptions\n\n");
    for a in o["assumptions"].as_array().into_iter().flatten() {
        s.push_str(&format!("- {}\n", fmt(a)));
    }
    s
}
