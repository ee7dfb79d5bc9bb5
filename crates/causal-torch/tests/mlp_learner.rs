//! The MLP nuisance learner inside double machine learning: under nonlinear confounding it
//! recovers the effect where OLS adjustment is biased, it is deterministic for a seed, and bad
//! names are refused.

use causal_core::data::Dataset;
use causal_core::estimate::{DmlParams, ParamGuard};
use causal_core::learner::Learner;
use causal_torch::learner::MlpLearner;
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// `D = sin(2 x1) + x2² + ν`, `Y = 0.5 D + 2 sin(2 x1) + x2² + ε`: θ = 0.5, confounded
/// through functions that a linear adjustment cannot remove (as in causal-core's forest test).
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
fn mlp_nuisances_remove_nonlinear_confounding_that_ols_keeps() {
    let data = simulate(3, 1500);
    let fit = |seed: u64| {
        DmlParams::plr("d", "y")
            .covariates(&["x1", "x2"])
            .regressor(MlpLearner::regressor().seed(seed).check().unwrap())
            .check()
            .unwrap()
            .fit_dml(&data)
            .unwrap()
    };
    let started = std::time::Instant::now();
    let mlp = fit(1);
    eprintln!(
        "MLP DML-PLR: {:.3} ± {:.3} ({:.1} s)",
        mlp.coef,
        mlp.se,
        started.elapsed().as_secs_f64()
    );
    let ols = DmlParams::plr("d", "y")
        .covariates(&["x1", "x2"])
        .check()
        .unwrap()
        .fit_dml(&data)
        .unwrap();
    eprintln!("linear DML-PLR: {:.3} ± {:.3}", ols.coef, ols.se);
    assert!((mlp.coef - 0.5).abs() < 3.0 * mlp.se, "{mlp:?}");
    assert!((ols.coef - 0.5).abs() > 5.0 * ols.se, "{ols:?}");
    // The same seed gives the same estimate to the last bit.
    let again = fit(1);
    assert_eq!(mlp.coef.to_bits(), again.coef.to_bits());
    assert_eq!(mlp.se.to_bits(), again.se.to_bits());
}

#[test]
fn classifier_gives_probabilities_that_track_the_truth() {
    // P(t = 1 | x) = σ(3 sin(2x)): nonlinear in x.
    let n = 2000;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let x: DMatrix<f64> = DMatrix::from_fn(n, 1, |_, _| StandardNormal.sample(&mut rng));
    let truth: Vec<f64> = (0..n)
        .map(|i| 1.0 / (1.0 + (-3.0 * (2.0 * x[(i, 0)]).sin()).exp()))
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let t: Vec<f64> = truth
        .iter()
        .map(|&p| f64::from(rand::Rng::random::<f64>(&mut rng) < p))
        .collect();
    let rows: Vec<usize> = (0..n).collect();
    let fitted = MlpLearner::classifier()
        .check()
        .unwrap()
        .fit(&x, &t, &rows, "t")
        .unwrap();
    let p = fitted.predict(&x, &rows);
    assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
    let mae = p
        .iter()
        .zip(&truth)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / n as f64;
    eprintln!("mean |p̂ − p| = {mae:.3}");
    assert!(mae < 0.08, "mean absolute probability error {mae}");
}

#[test]
fn names_and_settings_are_checked() {
    assert_eq!(
        MlpLearner::by_name("mlp:32,16", false).unwrap(),
        MlpLearner::regressor().hidden(&[32, 16])
    );
    for bad in ["mlp:0", "mlp:a", "mlpx", "mlp:"] {
        let e = MlpLearner::by_name(bad, true).unwrap_err().to_string();
        assert!(e.contains(bad.trim_start_matches("mlp:")), "{bad}: {e}");
    }
    assert!(
        MlpLearner::regressor()
            .valid_fraction(0.95)
            .check()
            .is_err()
    );
    assert!(MlpLearner::regressor().learning_rate(-1.0).check().is_err());
    let x = DMatrix::<f64>::zeros(3, 1);
    let e = MlpLearner::regressor()
        .fit(&x, &[0.0; 3], &[], "outcome")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("outcome"), "{e}");
}
