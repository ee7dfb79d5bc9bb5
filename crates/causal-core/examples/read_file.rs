//! Reads a data file and prints its shape, column kinds, missing cells and the reading time:
//! `cargo run --release -p causal-core --features parquet --example read_file -- PATH [--json]`.
//! With `--json` it prints what `causal-lab bench read-csv` prints (seconds, rows, cols and
//! the sum of all values), so the polars comparison can be run without building LibTorch.

use std::time::Instant;

use causal_core::data::Dataset;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or(
        "usage: read_file PATH [--json] (CSV, TSV or whitespace-separated text with a header; \
         Parquet or Arrow IPC with the parquet feature)",
    )?;
    let as_json = std::env::args().nth(2).as_deref() == Some("--json");
    let t0 = Instant::now();
    let data = Dataset::from_path(&path)?;
    let seconds = t0.elapsed().as_secs_f64();
    if as_json {
        let sum: f64 = data.values().iter().sum();
        println!(
            "{}",
            serde_json::json!({
                "seconds": seconds,
                "rows": data.n_rows(),
                "cols": data.n_cols(),
                "sum": sum,
            })
        );
        return Ok(());
    }
    println!(
        "{path}: {} rows x {} columns in {seconds:.3} s",
        data.n_rows(),
        data.n_cols()
    );
    for ((name, kind), missing) in data
        .names()
        .iter()
        .zip(data.kinds())
        .zip(data.missing_counts())
        .take(10)
    {
        println!("  {name}: {}, {missing} missing", kind.name());
    }
    Ok(())
}
