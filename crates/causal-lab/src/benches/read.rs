//! `causal-lab bench read-csv PATH` and `read-parquet PATH`: reading a data file into a
//! `Dataset` (the reader follows the extension; rayon's pool, so `RAYON_NUM_THREADS=1` makes it
//! one thread), timed, with the sum of all values so that the peer script can check both read
//! the same numbers.

use std::time::Instant;

use causal::core::data::Dataset;
use serde_json::json;

use crate::Result;

/// Times `Dataset::from_path` on the file (CSV, Parquet or Arrow IPC by its extension).
pub fn read_table(args: &[String]) -> Result<serde_json::Value> {
    let path: String = super::arg(args, 0, "data path")?;
    let t0 = Instant::now();
    let data = Dataset::from_path(&path)?;
    let seconds = t0.elapsed().as_secs_f64();
    let sum: f64 = data.values().iter().sum();
    Ok(json!({
        "seconds": seconds,
        "rows": data.n_rows(),
        "cols": data.n_cols(),
        "sum": sum,
    }))
}
