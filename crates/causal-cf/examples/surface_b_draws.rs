//! Fresh draws of Hill's response surface B ([`simulate_surface_b`]) written in the npci layout
//! (no header; t, y, y_cf, μ₀, μ₁, then the 25 covariates), so that
//! `scripts/checks/ihdp_ite.py --data-dir OUT --reps 101-110` scores `causal ite` on draws that
//! never served to choose a setting.
//!
//! Run with `cargo run --release -p causal-cf --example surface_b_draws --
//! ../shared/data/ihdp-covariates/ihdp_covariates_econml.csv /tmp/fresh 101-110`.

use std::fmt::Write as _;

use causal_cf::CfError;
use causal_cf::data::simulate_surface_b;
use causal_core::data::Dataset;

fn main() -> Result<(), CfError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [raw, out, seeds] = args.as_slice() else {
        return Err(CfError::InvalidParameter(
            "usage: surface_b_draws RAW_CSV OUT_DIR FIRST-LAST (seeds)".into(),
        ));
    };
    let bad = |what: &str| CfError::InvalidParameter(format!("seeds '{seeds}': {what}"));
    let (lo, hi) = seeds.split_once('-').unwrap_or((seeds, seeds));
    let (lo, hi): (u64, u64) = (
        lo.parse().map_err(|_| bad("not a number"))?,
        hi.parse().map_err(|_| bad("not a number"))?,
    );
    let raw = Dataset::from_path(raw)?;
    std::fs::create_dir_all(out).map_err(|e| CfError::InvalidParameter(format!("{out}: {e}")))?;
    for seed in lo..=hi {
        let sample = simulate_surface_b(&raw, seed)?.sample;
        let (t, y) = (sample.treatment()?, sample.outcome()?);
        let truth = sample.truth();
        let covariates = sample
            .roles()
            .covariates
            .iter()
            .map(|c| sample.data().column(c))
            .collect::<Result<Vec<_>, _>>()?;
        let mut csv = String::new();
        for i in 0..sample.n() {
            let y_cf = truth.y_cf.as_ref().map_or(f64::NAN, |v| v[i]);
            let _ = write!(
                csv,
                "{},{},{},{},{}",
                t[i], y[i], y_cf, truth.mu0[i], truth.mu1[i]
            );
            for x in &covariates {
                let _ = write!(csv, ",{}", x[i]);
            }
            csv.push('\n');
        }
        let path = format!("{out}/ihdp_npci_{seed}.csv");
        std::fs::write(&path, csv)
            .map_err(|e| CfError::InvalidParameter(format!("{path}: {e}")))?;
        println!(
            "{path}: {} units, {} covariates",
            sample.n(),
            covariates.len()
        );
    }
    Ok(())
}
