//! Times PC (Fisher-z, stable, causal-learn defaults) on a data file:
//! `cargo run --release -p causal-discover --example pc_file -- DATA.csv [ALPHA]`.
//! Prints JSON with the seconds, the number of CI tests and the edges.

use std::time::Instant;

use causal_core::contract::ParamGuard;
use causal_core::data::Dataset;
use causal_discover::ci::FisherZ;
use causal_discover::knowledge::Knowledge;
use causal_discover::pc::PcParams;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: pc_file DATA [ALPHA]")?;
    let alpha: f64 = args.get(2).map(|a| a.parse()).transpose()?.unwrap_or(0.05);
    let data = Dataset::from_path(path)?;
    let start = Instant::now();
    let test = FisherZ::new(&data)?;
    let pc = PcParams::new().alpha(alpha).check()?;
    let out = pc.fit_test(&test, data.names(), &Knowledge::new())?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "seconds": seconds,
            "n_tests": out.n_tests,
            "edges": out.graph.n_edges(),
            "d": data.n_cols(),
            "n": data.n_rows(),
        })
    );
    Ok(())
}
