//! `causal dose-response`: the average potential outcome of a continuous treatment on a grid
//! of values (doubly robust kernel estimator), with pointwise intervals; the curve to JSON and
//! optionally CSV, and an SVG plot.

use causal::prelude::ParamGuard;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use causal::core::estimate::{DoseResponseFit, DoseResponseParams};
use clap::Args;
use plotters::prelude::*;

use crate::error::CliError;
use crate::io::{read_data, split_names};

/// Arguments of `causal dose-response`.
#[derive(Args)]
pub struct DoseResponseArgs {
    /// Data file (CSV or whitespace-separated, with a header).
    #[arg(long)]
    data: PathBuf,
    /// The continuous treatment column.
    #[arg(long)]
    treatment: String,
    /// The outcome column.
    #[arg(long)]
    outcome: String,
    /// Confounders, comma-separated (default: every other column).
    #[arg(long)]
    adjust: Option<String>,
    /// Learner of the outcome and treatment models: linear | lasso | lasso:ALPHA | forest |
    /// forest:TREES | mlp | mlp:W1,W2 (mlp runs in the LibTorch companion).
    #[arg(long, default_value = "linear")]
    pub learner: String,
    /// Treatment values to report, comma-separated (default: --points values between the
    /// treatment's 5th and 95th percentiles).
    #[arg(long, allow_hyphen_values = true)]
    grid: Option<String>,
    /// Number of grid points when no --grid is given.
    #[arg(long, default_value_t = 25, allow_hyphen_values = true, value_parser = crate::bounds::at_least_two)]
    points: usize,
    /// Kernel bandwidth (default: leave-one-out cross-validation).
    #[arg(long)]
    bandwidth: Option<f64>,
    /// Cross-fitting folds.
    #[arg(long, default_value_t = 5, allow_hyphen_values = true, value_parser = crate::bounds::at_least_two)]
    folds: usize,
    /// Seed of the fold assignment (and of an MLP's fits).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Confidence level of the pointwise intervals.
    #[arg(long, default_value_t = 0.95, allow_hyphen_values = true, value_parser = crate::bounds::open_unit)]
    level: f64,
    /// Where to write the curve as CSV (t, theta, se, lower, upper).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where to draw the curve with its band (SVG).
    #[arg(long)]
    svg: Option<PathBuf>,
}

fn parse_grid(text: &str) -> Result<Vec<f64>, CliError> {
    split_names(text)
        .iter()
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| CliError::BadInput(format!("--grid value '{v}' is not a number")))
        })
        .collect()
}

/// Draws the curve, its pointwise band and the treatment's name.
fn plot(
    path: &Path,
    fit: &DoseResponseFit,
    treatment: &str,
    outcome: &str,
) -> Result<(), CliError> {
    let err =
        |e: &dyn std::fmt::Display| CliError::Failure(format!("drawing {}: {e}", path.display()));
    let root = SVGBackend::new(path, (720, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (x0, x1) = (fit.grid[0], fit.grid[fit.grid.len() - 1]);
    let lo = fit.lower.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = fit.upper.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.05).max(1e-9);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "E[{outcome}({treatment} = t)], {:.0}% pointwise band",
                fit.level * 100.0
            ),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1.max(x0 + 1e-9), (lo - pad)..(hi + pad))
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc(treatment)
        .y_desc(outcome)
        .draw()
        .map_err(|e| err(&e))?;
    let band: Vec<(f64, f64)> = fit
        .grid
        .iter()
        .zip(&fit.upper)
        .map(|(t, u)| (*t, *u))
        .chain(fit.grid.iter().zip(&fit.lower).rev().map(|(t, l)| (*t, *l)))
        .collect();
    chart
        .draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.2).filled())))
        .map_err(|e| err(&e))?;
    chart
        .draw_series(LineSeries::new(
            fit.grid.iter().zip(&fit.theta).map(|(t, v)| (*t, *v)),
            BLUE.stroke_width(2),
        ))
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// Runs `causal dose-response`.
pub fn run(args: DoseResponseArgs) -> Result<serde_json::Value, CliError> {
    let data = read_data(&args.data)?;
    let adjust = match &args.adjust {
        Some(a) => split_names(a),
        None => data
            .names()
            .iter()
            .filter(|c| **c != args.treatment && **c != args.outcome)
            .cloned()
            .collect(),
    };
    let refs: Vec<&str> = adjust.iter().map(String::as_str).collect();
    let (regressor, _) = crate::learners::pair(&args.learner, args.seed)?;
    let mut params = DoseResponseParams::new(&args.treatment, &args.outcome)
        .covariates(&refs)
        .regressor_boxed(regressor)
        .folds(args.folds)
        .seed(args.seed)
        .points(args.points)
        .level(args.level);
    if let Some(g) = &args.grid {
        params = params.grid(&parse_grid(g)?);
    }
    if let Some(h) = args.bandwidth {
        params = params.bandwidth(h);
    }
    let fit = params.check()?.fit_dose(&data)?;
    if let Some(path) = &args.out {
        let mut csv = String::from("t,theta,se,lower,upper\n");
        for k in 0..fit.grid.len() {
            let _ = writeln!(
                csv,
                "{},{},{},{},{}",
                fit.grid[k], fit.theta[k], fit.se[k], fit.lower[k], fit.upper[k]
            );
        }
        std::fs::write(path, csv)
            .map_err(|e| CliError::Failure(format!("writing {}: {e}", path.display())))?;
    }
    if let Some(path) = &args.svg {
        plot(path, &fit, &args.treatment, &args.outcome)?;
    }
    let mut v = serde_json::to_value(&fit).map_err(CliError::failure_from)?;
    v["treatment"] = args.treatment.clone().into();
    v["outcome"] = args.outcome.clone().into();
    v["adjust"] = serde_json::json!(adjust);
    Ok(v)
}
