//! Coverage of double machine learning with flexible nuisances under nonlinear confounding:
//! over many seeds of two simulated designs (n = 2000), the share of 95% intervals that cover
//! the true effect, for DML-PLR and DML-IRM with random forests and with the MLP, against OLS
//! adjustment on the same data.
//!
//! With `c(x) = sin(x1) + (x2² − 1) / 2` and `x1, x2, ν, ε ~ N(0, 1)`:
//! - **PLR design** (continuous treatment): `D = c(x) + ν`, `Y = θ D + 2 c(x) + ε`, θ = 0.5.
//! - **IRM design** (binary treatment): `e(x) = 0.1 + 0.8 σ(2 c(x))` (overlap: every
//!   propensity in [0.1, 0.9]), `T ~ Bernoulli(e(x))`, `Y = θ T + 2 c(x) + ε`, ATE θ = 0.5.
//!
//! The confounding runs through `sin(x1)` and `x2²`, which a linear adjustment for `x1, x2`
//! cannot remove, so OLS is biased and its intervals miss; the forest and the MLP learn the
//! nuisances, and the orthogonal score keeps their errors out of the estimate to first order.
//!
//! `DML_COVERAGE_SEEDS` sets the number of seeds (200 by default) and `DML_COVERAGE_METHODS`
//! a comma-separated subset of the estimators (`ols,dml-linear,dml-forest,dml-mlp`, all by
//! default), and `DML_COVERAGE_REPEATS` the number of cross-fitting repetitions (1 by default;
//! with more, the estimate and its SE are DoubleML's median aggregation over splits, whose SE
//! includes the spread between splits); `results.json` records all three.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use causal::core::data::Dataset;
use causal::core::estimate::{DmlParams, ParamGuard};
use causal::core::learner::{Learner, RandomForest};
use causal::core::stats::{Design, ols_fit};
use causal::torch::learner::MlpLearner;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde_json::json;

use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

const N: usize = 2000;
const THETA: f64 = 0.5;
/// Rows a leaf of the propensity forest.
const FOREST_CLASSIFIER_LEAF: usize = 10;
const Z95: f64 = 1.959_963_984_540_054;

/// The two designs.
#[derive(Clone, Copy, PartialEq)]
enum Design2 {
    Plr,
    Irm,
}

impl Design2 {
    fn name(self) -> &'static str {
        match self {
            Self::Plr => "plr",
            Self::Irm => "irm",
        }
    }
}

/// One seed of a design.
fn simulate(design: Design2, seed: u64) -> Result<Dataset> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x1, mut x2, mut d, mut y) = (vec![], vec![], vec![], vec![]);
    for _ in 0..N {
        let a: f64 = StandardNormal.sample(&mut rng);
        let b: f64 = StandardNormal.sample(&mut rng);
        let noise: f64 = StandardNormal.sample(&mut rng);
        let confound = a.sin() + (b * b - 1.0) / 2.0;
        let di = match design {
            Design2::Plr => confound + noise,
            Design2::Irm => {
                let e = 0.1 + 0.8 * causal::core::stats::sigmoid(2.0 * confound);
                f64::from(u8::from(rng.random::<f64>() < e))
            }
        };
        let eps: f64 = StandardNormal.sample(&mut rng);
        x1.push(a);
        x2.push(b);
        d.push(di);
        y.push(THETA * di + 2.0 * confound + eps);
    }
    Ok(Dataset::new(
        vec!["x1".into(), "x2".into(), "d".into(), "y".into()],
        vec![x1, x2, d, y],
    )?)
}

/// The estimators compared.
const METHODS: [&str; 4] = ["ols", "dml-linear", "dml-forest", "dml-mlp"];

/// One estimate of `method` and its standard error, with `repeats` cross-fitting repetitions.
fn estimate(
    design: Design2,
    method: &str,
    data: &Dataset,
    seed: u64,
    repeats: usize,
) -> Result<(f64, f64)> {
    if method == "ols" {
        let fit = ols_fit(
            &Design::from_data(data, &["d", "x1", "x2"], true)?,
            data.column("y")?,
        )?;
        return Ok((fit.coef_of("d")?, fit.se_of("d")?));
    }
    let params = match design {
        Design2::Plr => DmlParams::plr("d", "y"),
        Design2::Irm => DmlParams::irm("d", "y"),
    }
    .covariates(&["x1", "x2"])
    .repeats(repeats)
    .seed(seed);
    let (reg, clf): (Box<dyn Learner>, Box<dyn Learner>) = match method {
        "dml-linear" => return fit(params, data),
        // One row a leaf for the outcome regressions (scikit-learn's default, which served
        // PLR best); the propensity forest needs larger leaves, else its out-of-fold
        // probabilities pile up at 0 and 1 and the trimmed inverse weights dominate.
        "dml-forest" => (
            Box::new(RandomForest::new(100)?.seed(seed)),
            Box::new(
                RandomForest::new(100)?
                    .min_samples_leaf(FOREST_CLASSIFIER_LEAF)
                    .seed(seed),
            ),
        ),
        "dml-mlp" => (Box::new(mlp(false, seed)?), Box::new(mlp(true, seed)?)),
        other => return Err(LabError::Usage(format!("unknown method {other}"))),
    };
    fit(params.learners(reg, clf), data)
}

fn mlp(classifier: bool, seed: u64) -> Result<MlpLearner> {
    let base = if classifier {
        MlpLearner::classifier()
    } else {
        MlpLearner::regressor()
    };
    Ok(base.seed(seed).check()?)
}

fn fit(params: DmlParams, data: &Dataset) -> Result<(f64, f64)> {
    let f = params.check()?.fit_dml(data)?;
    Ok((f.coef, f.se))
}

/// Per method: the number of intervals covering θ, the mean estimate, the mean standard error
/// and the standard deviation of the estimates.
fn summarise(per_seed: &[Vec<(f64, f64)>], m: usize) -> (usize, f64, f64, f64) {
    let k = per_seed.len() as f64;
    let cover = per_seed
        .iter()
        .filter(|r| (r[m].0 - THETA).abs() <= Z95 * r[m].1)
        .count();
    let mean = per_seed.iter().map(|r| r[m].0).sum::<f64>() / k;
    let se = per_seed.iter().map(|r| r[m].1).sum::<f64>() / k;
    let sd = (per_seed
        .iter()
        .map(|r| (r[m].0 - mean).powi(2))
        .sum::<f64>()
        / (k - 1.0).max(1.0))
    .sqrt();
    (cover, mean, se, sd)
}

/// The cross-fitting repetitions named by `DML_COVERAGE_REPEATS` (1 by default).
fn repeats_from_env() -> Result<usize> {
    match std::env::var("DML_COVERAGE_REPEATS") {
        Ok(v) => v.parse().ok().filter(|r| *r >= 1).ok_or_else(|| {
            LabError::Usage(format!(
                "DML_COVERAGE_REPEATS='{v}' is not a count of at least 1"
            ))
        }),
        Err(_) => Ok(1),
    }
}

/// The estimators named by `DML_COVERAGE_METHODS`, in [`METHODS`]' order (all by default).
fn selected_methods() -> Result<Vec<&'static str>> {
    let Ok(list) = std::env::var("DML_COVERAGE_METHODS") else {
        return Ok(METHODS.to_vec());
    };
    let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
    if let Some(bad) = wanted.iter().find(|w| !METHODS.contains(w)) {
        return Err(LabError::Usage(format!(
            "DML_COVERAGE_METHODS: unknown estimator '{bad}' (one of {})",
            METHODS.join(", ")
        )));
    }
    Ok(METHODS.into_iter().filter(|m| wanted.contains(m)).collect())
}

/// Runs the experiment, writing `results.json` and `results.md`.
pub fn run(out: &Path) -> Result<()> {
    let methods_run = selected_methods()?;
    let repeats = repeats_from_env()?;
    let seeds: u64 = match std::env::var("DML_COVERAGE_SEEDS") {
        Ok(v) => v
            .parse()
            .map_err(|_| LabError::Usage(format!("DML_COVERAGE_SEEDS='{v}' is not a count")))?,
        Err(_) => 200,
    };
    let mut json_designs = serde_json::Map::new();
    let mut rows = Vec::new();
    let started = Instant::now();
    for design in [Design2::Plr, Design2::Irm] {
        let done = AtomicUsize::new(0);
        let t0 = Instant::now();
        // Seeds in parallel; each seed's numbers depend on its seed only, so the table equals a
        // serial run (the MLP's fits take turns on LibTorch's generator).
        let per_seed: Vec<Vec<(f64, f64)>> = (0..seeds)
            .into_par_iter()
            .map(|seed| {
                let data = simulate(design, 10_000 + seed)?;
                let r = methods_run
                    .iter()
                    .map(|m| estimate(design, m, &data, seed, repeats))
                    .collect::<Result<Vec<_>>>()?;
                let k = done.fetch_add(1, Ordering::Relaxed) + 1;
                if k.is_multiple_of(10) {
                    eprintln!(
                        "dml-coverage {}: {k}/{seeds} seeds ({:.0} s)",
                        design.name(),
                        t0.elapsed().as_secs_f64()
                    );
                }
                Ok(r)
            })
            .collect::<Result<_>>()?;
        let seconds = t0.elapsed().as_secs_f64();
        let mut methods = serde_json::Map::new();
        for (m, name) in methods_run.iter().enumerate() {
            let (cover, mean, se, sd) = summarise(&per_seed, m);
            let share = cover as f64 / seeds as f64;
            methods.insert(
                (*name).into(),
                json!({"coverage": share, "covered": cover, "mean_estimate": mean, "bias": mean - THETA,
                       "mean_se": se, "sd_of_estimates": sd}),
            );
            let target = match *name {
                "ols" => "< 0.50",
                "dml-linear" => "—",
                _ => "≥ 0.90",
            };
            rows.push(vec![
                format!("DML-{}", design.name().to_uppercase()),
                (*name).into(),
                target.into(),
                format!("{share:.3} ({cover}/{seeds})"),
                format!("{:+.3}", mean - THETA),
                format!("{se:.3}"),
                format!("{sd:.3}"),
            ]);
        }
        json_designs.insert(
            design.name().into(),
            json!({"methods": methods, "seconds": seconds}),
        );
    }
    let total = started.elapsed().as_secs_f64();
    write_json(
        out,
        "results.json",
        &json!({
            "seeds": seeds, "n": N, "theta": THETA, "estimators": methods_run,
            "repeats": repeats,
            "forest": format!("100 trees, all features per split; 1 row a leaf (regressions), {FOREST_CLASSIFIER_LEAF} (propensity)"),
            "mlp": MlpLearner::regressor().describe(),
            "designs": json_designs,
            "seconds": total,
        }),
    )?;
    let md = format!(
        "# dml-coverage\n\n{seeds} seeds, n = {N}, nonlinear confounding through sin(x1) and x2² \
         (see the module doc for the designs); true effect θ = {THETA}. Coverage of 95% intervals, \
         5-fold cross-fitting, {} repetition(s). Forest: 100 trees, 1 row a leaf for the outcome \
         regressions, {FOREST_CLASSIFIER_LEAF} rows a leaf for the propensity. MLP: {}. Wall time \
         {total:.0} s.\n\n{}",
        repeats,
        MlpLearner::regressor().describe(),
        markdown_table(
            &[
                "model",
                "estimator",
                "target",
                "coverage",
                "bias",
                "mean SE",
                "SD of estimates"
            ],
            &rows
        )
    );
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
