//! The main job. It grows section by section as the capability crates land.

use std::path::Path;

use causal::core::data::Dataset;
use causal::core::graph::MixedGraph;
use causal::torch::tch::{self, Device, Kind, Tensor, nn, nn::OptimizerConfig};
use serde_json::json;

use crate::output::{markdown_table, write, write_json};
use crate::{Result, ols, sim};

/// Runs the demo and writes `report.md` and `report.json` under `out`.
pub fn run(quick: bool, out: &Path, data_dir: Option<&Path>) -> Result<()> {
    let n = if quick { 2_000 } else { 20_000 };
    eprintln!("[1/2] back-door adjustment on a simulated confounded SCM (n = {n})");
    let data = sim::confounded(n, 7)?;
    let graph = confounded_graph()?;
    let naive = ols::fit(&data, "Y", &["X"])?[1];
    let adjusted = ols::fit(&data, "Y", &["X", "Z"])?[1];
    let neural = torch_adjusted(&data, if quick { 300 } else { 1500 })?;

    eprintln!("[2/2] built-in data");
    let sachs = match data_dir.map(|d| d.join("cyto_full_data.csv")) {
        Some(p) if p.exists() => {
            let d = Dataset::from_path(&p)?;
            Some(json!({"rows": d.n_rows(), "columns": d.names()}))
        }
        _ => None,
    };

    let report = json!({
        "scm": {
            "graph": graph.to_json_value(),
            "n": n,
            "true_effect": sim::TRUE_EFFECT,
            "naive_ols": naive,
            "backdoor_ols": adjusted,
            "backdoor_torch": neural,
        },
        "sachs": sachs,
    });
    write_json(out, "report.json", &report)?;

    let rows = vec![
        vec![
            "truth (SCM)".into(),
            format!("{:.3}", sim::TRUE_EFFECT),
            "the coefficient of X in Y's equation".into(),
        ],
        vec![
            "naive OLS, Y ~ X".into(),
            format!("{naive:.3}"),
            "biased: Z confounds X and Y".into(),
        ],
        vec![
            "back-door OLS, Y ~ X + Z".into(),
            format!("{adjusted:.3}"),
            "adjusts for the back-door set {Z}".into(),
        ],
        vec![
            "back-door, linear model trained with LibTorch".into(),
            format!("{neural:.3}"),
            "same estimand, fitted by Adam".into(),
        ],
    ];
    let mut md =
        String::from("# causal-rs demo\n\n## Effect of X on Y in a simulated confounded SCM\n\n");
    md.push_str("Z → X, Z → Y, X → Y with Gaussian noise; the true effect is 2.\n\n");
    md.push_str(&markdown_table(&["estimate", "value", "why"], &rows));
    md.push_str("\n## Built-in data\n\n");
    md.push_str(&match &sachs {
        Some(s) => format!("Sachs cytometry data loaded: {} rows.\n", s["rows"]),
        None => "Sachs data not provided (run through `cargo xtask demo`).\n".into(),
    });
    write(out, "report.md", &md)?;

    println!(
        "causal-rs demo: true effect 2.000, naive {naive:.3}, back-door {adjusted:.3}, torch {neural:.3}"
    );
    println!("report: {}", out.join("report.md").display());
    Ok(())
}

fn confounded_graph() -> Result<MixedGraph> {
    let mut g = MixedGraph::with_nodes(["Z", "X", "Y"])?;
    g.add_directed("Z", "X")?;
    g.add_directed("Z", "Y")?;
    g.add_directed("X", "Y")?;
    g.check_acyclic()?;
    Ok(g)
}

/// Fits Y ~ X + Z by Adam on CPU and returns the coefficient of X.
fn torch_adjusted(data: &Dataset, steps: usize) -> Result<f64> {
    causal::torch::seed::manual_seed(0);
    let device = Device::Cpu;
    let cols = |name: &str| -> Result<Tensor> {
        Ok(Tensor::from_slice(data.column(name)?).to_kind(Kind::Float))
    };
    let inputs =
        Tensor::f_stack(&[cols("X")?, cols("Z")?], 1).map_err(causal::torch::TorchError::from)?;
    let target = cols("Y")?.unsqueeze(1);
    let vs = nn::VarStore::new(device);
    let lin = nn::linear(vs.root(), 2, 1, Default::default());
    let mut opt = nn::Adam::default()
        .build(&vs, 0.05)
        .map_err(causal::torch::TorchError::from)?;
    for _ in 0..steps {
        let loss = inputs
            .apply(&lin)
            .f_mse_loss(&target, tch::Reduction::Mean)
            .map_err(causal::torch::TorchError::from)?;
        opt.backward_step(&loss);
    }
    Ok(lin
        .ws
        .f_double_value(&[0, 0])
        .map_err(causal::torch::TorchError::from)?)
}
