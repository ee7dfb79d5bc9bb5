//! NeuralScm on Sachs et al. (2005): fitted on the 853 observational (cd3cd28) rows with the
//! consensus graph (`cyto_full_target.csv` less PIP2 → PIP3, which closes a cycle), on log-abundances. For each intervention
//! block whose target is a node of the graph, the observed mean shift of the target is applied
//! as a shift intervention, and the model's predicted mean shifts of the target's descendants
//! are set beside the observed ones.
//!
//! Inhibitors act on a protein's activity, not always on its measured phosphorylation, so some
//! blocks are expected to disagree; the table reports sign agreement and correlation honestly.

use std::path::{Path, PathBuf};

use causal::core::data::Dataset;
use causal::core::graph::MixedGraph;
use causal::torch::scm::{Intervention, NeuralScmParams};
use causal::torch::tch::Device;
use causal::torch::trainer::TrainerParams;
use serde_json::json;

use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

/// Intervention blocks of `cyto_full_data.csv` (rows [start, end)) with a target in the graph.
const BLOCKS: &[(&str, usize, usize, &str)] = &[
    ("akt inhibitor", 1755, 2666, "pakts473"),
    ("G0076 (PKC inhibitor)", 2666, 3389, "PKC"),
    ("psitectorigenin (PIP2 inhibitor)", 3389, 4199, "PIP2"),
    ("U0126 (MEK inhibitor)", 4199, 4998, "pmek"),
    ("LY294002 (PIP3 inhibitor)", 4998, 5846, "PIP3"),
    ("PMA (PKC activator)", 5846, 6759, "PKC"),
    ("beta2cAMP (PKA activator)", 6759, 7466, "PKA"),
];
const OBSERVATIONAL: usize = 853;

fn data_dir() -> PathBuf {
    let candidates = [
        std::env::var_os("CAUSAL_SHARED_DATA").map(PathBuf::from),
        Some(PathBuf::from("../shared/data")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|p| p.join("sachs"))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("../shared/data/sachs"))
}

fn descendants(g: &MixedGraph, v: usize) -> Vec<usize> {
    let mut seen = vec![false; g.n_nodes()];
    let mut stack = g.children(v);
    let mut out = Vec::new();
    while let Some(c) = stack.pop() {
        if !seen[c] {
            seen[c] = true;
            out.push(c);
            stack.extend(g.children(c));
        }
    }
    out.sort_unstable();
    out
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Runs the experiment, writing `results.json`, `results.md` and `shifts.svg`.
pub fn run(out: &Path) -> Result<()> {
    let dir = data_dir();
    let csv = dir.join("cyto_full_data.csv");
    if !csv.exists() {
        return Err(LabError::Usage(format!(
            "{} is missing (set CAUSAL_SHARED_DATA to the shared data folder)",
            csv.display()
        )));
    }
    let full = Dataset::from_path(&csv)?;
    let names = full.names().to_vec();
    // log-abundances: the raw intensities span orders of magnitude.
    let logged = Dataset::new(
        names.clone(),
        full.columns()
            .iter()
            .map(|c| c.iter().map(|v| v.max(1e-3).ln()).collect())
            .collect(),
    )?;
    let target_text =
        std::fs::read_to_string(dir.join("cyto_full_target.csv")).map_err(|e| LabError::Io {
            path: dir.join("cyto_full_target.csv").display().to_string(),
            source: e,
        })?;
    let mut graph = MixedGraph::with_nodes(names.iter().map(String::as_str))?;
    for line in target_text.lines().skip(1) {
        let parts: Vec<&str> = line
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .collect();
        if parts.len() == 2 {
            graph.add_directed(parts[0], parts[1])?;
        }
    }
    let graph = crate::demo::sachs::drop_pip2_pip3(graph)?;
    let obs = logged.take_rows(&(0..OBSERVATIONAL).collect::<Vec<_>>())?;
    causal::torch::tch::set_num_threads(1);
    let trainer = TrainerParams::new()
        .learning_rate(3e-3)
        .epochs(300)
        .batch_size(64)
        .patience(Some(30))
        .seed(0)
        .device(Device::Cpu)
        .quiet(true);
    let scm = NeuralScmParams::new()
        .hidden(&[32, 32])
        .trainer(trainer)
        .seed(0)
        .fit(&graph, &obs)?;
    let base = scm.sample(20_000, 1)?;

    let mut rows = Vec::new();
    let mut points = Vec::new();
    let mut records = Vec::new();
    for &(label, start, end, target) in BLOCKS {
        let block = logged.take_rows(&(start..end).collect::<Vec<_>>())?;
        let t = graph.index(target)?;
        let shift = mean(block.column(target)?) - mean(obs.column(target)?);
        let sampled = scm
            .intervene(&[(target, Intervention::Shift(shift))])?
            .sample(20_000, 1)?;
        for d in descendants(&graph, t) {
            let name = &names[d];
            let predicted = mean(sampled.col(d)) - mean(base.col(d));
            let observed = mean(block.column(name)?) - mean(obs.column(name)?);
            points.push((predicted, observed));
            rows.push(vec![
                label.to_string(),
                format!("{target} ({shift:+.2})"),
                name.clone(),
                format!("{predicted:+.3}"),
                format!("{observed:+.3}"),
                if predicted.signum() == observed.signum() {
                    "yes".into()
                } else {
                    "no".into()
                },
            ]);
            records.push(
                json!({"block": label, "target": target, "target_shift": shift,
                "descendant": name, "predicted": predicted, "observed": observed}),
            );
        }
    }
    let agree = points
        .iter()
        .filter(|(p, o)| p.signum() == o.signum())
        .count();
    let (mp, mo) = (
        mean(&points.iter().map(|p| p.0).collect::<Vec<_>>()),
        mean(&points.iter().map(|p| p.1).collect::<Vec<_>>()),
    );
    let cov: f64 = points.iter().map(|(p, o)| (p - mp) * (o - mo)).sum();
    let vp: f64 = points.iter().map(|(p, _)| (p - mp).powi(2)).sum();
    let vo: f64 = points.iter().map(|(_, o)| (o - mo).powi(2)).sum();
    let corr = cov / (vp * vo).sqrt();
    write_json(
        out,
        "results.json",
        &json!({"rows_observational": OBSERVATIONAL, "graph_edges": graph.n_edges(),
            "epochs": scm.history().epochs(), "pairs": records,
            "sign_agreement": agree as f64 / points.len() as f64, "correlation": corr}),
    )?;
    let md = format!(
        "# NeuralScm on Sachs (853 observational rows, {}-edge consensus graph, log scale)\n\n\
         Predicted vs observed mean shift of each intervention target's descendants, when the \
         target's observed shift is applied as a shift intervention. Sign agreement {agree}/{} \
         ({:.0}%), correlation {corr:.2}. Published comparison: none for this exact protocol; \
         inhibitors change activity rather than measured abundance, so disagreement on inhibitor \
         blocks is expected.\n\n{}",
        graph.n_edges(),
        points.len(),
        100.0 * agree as f64 / points.len() as f64,
        markdown_table(
            &[
                "block",
                "target (shift)",
                "descendant",
                "predicted",
                "observed",
                "same sign"
            ],
            &rows
        )
    );
    write(out, "results.md", &md)?;
    write(out, "shifts.svg", &scatter_svg(&points))?;
    Ok(())
}

/// A predicted-vs-observed scatter with the diagonal, as plain SVG.
fn scatter_svg(points: &[(f64, f64)]) -> String {
    let lim = points
        .iter()
        .flat_map(|(p, o)| [p.abs(), o.abs()])
        .fold(0.1f64, f64::max)
        * 1.1;
    let (w, m) = (480.0, 50.0);
    let map = |v: f64| m + (v + lim) / (2.0 * lim) * (w - 2.0 * m);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{w}\">\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\
         <line x1=\"{a}\" y1=\"{b}\" x2=\"{b}\" y2=\"{a}\" stroke=\"gray\" stroke-dasharray=\"4\"/>\
         <line x1=\"{m}\" y1=\"{c}\" x2=\"{e}\" y2=\"{c}\" stroke=\"black\"/>\
         <line x1=\"{c}\" y1=\"{m}\" x2=\"{c}\" y2=\"{e}\" stroke=\"black\"/>\
         <text x=\"{tx}\" y=\"{ty}\" font-size=\"13\">predicted shift (log)</text>\
         <text x=\"12\" y=\"{tx}\" font-size=\"13\" transform=\"rotate(-90 12 {tx})\">observed shift (log)</text>\
         <text x=\"{m}\" y=\"30\" font-size=\"14\">Sachs: NeuralScm predicted vs observed (±{lim:.2})</text>",
        a = map(-lim),
        b = map(lim),
        c = map(0.0),
        e = w - m,
        tx = w / 2.0 - 60.0,
        ty = w - 15.0,
    );
    for (p, o) in points {
        s.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"steelblue\" fill-opacity=\"0.7\"/>",
            map(*p),
            w - map(*o)
        ));
    }
    s.push_str("</svg>");
    s
}
