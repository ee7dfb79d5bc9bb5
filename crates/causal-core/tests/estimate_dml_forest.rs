//! DML with random-forest nuisances under nonlinear confounding: the forest recovers the
//! effect where OLS adjustment is biased.

use causal_core::data::Dataset;
use causal_core::estimate::{DmlParams, ParamGuard};
use causal_core::learner::RandomForest;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// `D = sin(2 x1) + x2² + ν`, `Y = 0.5 D + 2 sin(2 x1) + x2² + ε`: θ = 0.5, confounded
/// through nonlinear functions that a linear adjustment cannot remove.
fn simulate(seed: u64, n: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut g = || -> f64 { StandardNormal.sample(&mut rng) };
    let (mut x1, mut x2, mut d, mut y) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let (a, b) = (g(), g());
        let di = (2.0 * a).sin() + b * b + g();
        x1.push(a);
        x2.push(b);
        d.push(di);
        y.push(0.5 * di + 2.0 * (2.0 * a).sin() + b * b + g());
    }
    Dataset::new(
        vec!["x1".into(), "x2".into(), "d".into(), "y".into()],
        vec![x1, x2, d, y],
    )
    .unwrap()
}

#[test]
fn forest_nuisances_remove_nonlinear_confounding_that_ols_keeps() {
    let data = simulate(3, 1500);
    let started = std::time::Instant::now();
    let forest = DmlParams::plr("d", "y")
        .covariates(&["x1", "x2"])
        .regressor(RandomForest::new(60).unwrap().seed(1))
        .check()
        .unwrap()
        .fit_dml(&data)
        .unwrap();
    eprintln!(
        "forest DML-PLR: {:.3} ± {:.3} ({:.1} s)",
        forest.coef,
        forest.se,
        started.elapsed().as_secs_f64()
    );
    let ols = DmlParams::plr("d", "y")
        .covariates(&["x1", "x2"])
        .check()
        .unwrap()
        .fit_dml(&data)
        .unwrap();
    eprintln!("linear DML-PLR: {:.3} ± {:.3}", ols.coef, ols.se);
    assert!((forest.coef - 0.5).abs() < 3.0 * forest.se, "{forest:?}");
    assert!((ols.coef - 0.5).abs() > 5.0 * ols.se, "{ols:?}");
}

#[test]
#[ignore = "coverage probe, about 2 minutes: run with --ignored"]
fn probe_coverage() {
    for leaf in [1usize, 5] {
        let mut cover = 0;
        let seeds = 40;
        for seed in 0..seeds {
            let data = simulate(100 + seed, 2000);
            let f = DmlParams::plr("d", "y")
                .covariates(&["x1", "x2"])
                .regressor(
                    RandomForest::new(100)
                        .unwrap()
                        .min_samples_leaf(leaf)
                        .seed(seed),
                )
                .seed(seed)
                .check()
                .unwrap()
                .fit_dml(&data)
                .unwrap();
            cover += usize::from((f.coef - 0.5).abs() < 1.96 * f.se);
        }
        // 37/40 and 21/40 with our forests (36/40 and 29/40 with smartcore's, before).
        eprintln!("leaf {leaf}: coverage {cover}/{seeds}");
    }
}
