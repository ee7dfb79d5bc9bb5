//! The facade end to end, with one import: simulate a linear SCM, learn its graph with PC,
//! then estimate an effect with the adjustment set read off the true graph.
//!
//! Run with `cargo run -p causal --features discover --example discover_then_estimate`.

use causal::discover::ci::CiTestKind;
use causal::discover::metrics::compare;
use causal::discover::pc::Pc;
use causal::prelude::*;

const SCM: &str = r#"{"nodes": [
  {"name": "Z", "sd": 1.0},
  {"name": "X", "sd": 1.0, "parents": {"Z": 0.8}},
  {"name": "W", "sd": 1.0},
  {"name": "Y", "sd": 1.0, "parents": {"X": 2.0, "Z": 1.5, "W": -1.0}}
]}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = ScmSpec::from_json(SCM)?.to_scm()?.sample(3_000, 11)?;
    let truth = MixedGraph::from_dagitty("dag { Z -> X  Z -> Y  X -> Y  W -> Y }")?;

    let learned = Pc::new()
        .alpha(0.01)
        .fit_data(&data, CiTestKind::FisherZ)?
        .graph;
    let c = compare(&truth, &learned)?;
    println!(
        "PC: {} edges, SHD {} against the truth",
        learned.n_edges(),
        c.shd
    );

    let est = RegressionParams::new("X", "Y").covariates(&["Z"]).check()?;
    let r = est.estimate(&data, None, 0.95)?;
    println!(
        "ATE of X on Y: {:.3} (95% CI {:.3} to {:.3}); truth 2.0",
        r.ate, r.ci[0], r.ci[1]
    );
    Ok(())
}
