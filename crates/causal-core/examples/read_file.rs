//! Reads a data file and prints its shape, column kinds, missing cells and the reading time:
//! `cargo run --release -p causal-core --example read_file -- PATH`.

use std::time::Instant;

use causal_core::data::Dataset;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: read_file PATH (a CSV, TSV or whitespace-separated file with a header)")?;
    let t0 = Instant::now();
    let data = Dataset::from_path(&path)?;
    let seconds = t0.elapsed().as_secs_f64();
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
