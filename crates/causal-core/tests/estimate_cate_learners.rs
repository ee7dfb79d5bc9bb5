//! The DR-, R- and X-learners on simulated data with a known linear effect
//! `τ(x) = 1 + 0.8 x₁`: the DR-learner's 95% intervals cover the true coefficients in at least
//! 90% of 100 seeds, and every learner recovers them.

use causal_core::data::Dataset;
use causal_core::estimate::{CateLearnerParams, CateMethod, ParamGuard};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Confounders x1, x2; propensity σ(0.5 x1 − 0.3 x2); `Y = 1 + x1 + 0.5 x2 + T (1 + 0.8 x1) + ε`.
fn simulate(seed: u64, n: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x1, mut x2, mut t, mut y) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let a: f64 = StandardNormal.sample(&mut rng);
        let b: f64 = StandardNormal.sample(&mut rng);
        let e = 1.0 / (1.0 + (-(0.5 * a - 0.3 * b)).exp());
        let ti = f64::from(rng.random::<f64>() < e);
        let noise: f64 = StandardNormal.sample(&mut rng);
        x1.push(a);
        x2.push(b);
        t.push(ti);
        y.push(1.0 + a + 0.5 * b + ti * (1.0 + 0.8 * a) + noise);
    }
    Dataset::new(
        vec!["x1".into(), "x2".into(), "t".into(), "y".into()],
        vec![x1, x2, t, y],
    )
    .unwrap()
}

#[test]
fn dr_learner_intervals_cover_the_true_coefficients() {
    let truth = [1.0, 0.8];
    let mut covered = [0usize; 2];
    let seeds = 100;
    for seed in 0..seeds {
        let data = simulate(seed, 1000);
        let fit = CateLearnerParams::new(CateMethod::Dr, "t", "y", &["x1"])
            .covariates(&["x1", "x2"])
            .seed(seed)
            .check()
            .unwrap()
            .fit_cate(&data)
            .unwrap();
        let ci = fit.ci.unwrap();
        for j in 0..2 {
            covered[j] += usize::from(ci[j][0] <= truth[j] && truth[j] <= ci[j][1]);
        }
    }
    eprintln!("DR-learner coverage over {seeds} seeds: {covered:?}");
    assert!(covered.iter().all(|&c| c >= 90), "{covered:?}");
}

#[test]
fn r_and_x_learners_recover_the_effect() {
    let data = simulate(7, 20_000);
    for method in [CateMethod::Dr, CateMethod::R, CateMethod::X] {
        let fit = CateLearnerParams::new(method, "t", "y", &["x1"])
            .covariates(&["x1", "x2"])
            .check()
            .unwrap()
            .fit_cate(&data)
            .unwrap();
        assert!(
            (fit.coef[0] - 1.0).abs() < 0.1,
            "{method:?}: {:?}",
            fit.coef
        );
        assert!(
            (fit.coef[1] - 0.8).abs() < 0.1,
            "{method:?}: {:?}",
            fit.coef
        );
        assert_eq!(fit.cate.len(), 20_000);
        // The per-unit effect is the final stage at the unit's features.
        let x1 = data.column("x1").unwrap();
        assert!((fit.cate[3] - (fit.coef[0] + fit.coef[1] * x1[3])).abs() < 0.2);
        if method != CateMethod::X {
            assert!(fit.ate_se.unwrap() > 0.0 && fit.cate_se.as_ref().unwrap()[3] > 0.0);
        }
    }
}

#[test]
fn bad_settings_are_named() {
    let data = simulate(1, 200);
    let err = CateLearnerParams::new(CateMethod::Dr, "t", "y", &["y"])
        .check()
        .unwrap_err();
    assert!(err.to_string().contains("'y'"), "{err}");
    let err = CateLearnerParams::new(CateMethod::Dr, "t", "y", &["x1"])
        .folds(150)
        .check()
        .unwrap()
        .fit_cate(&data)
        .unwrap_err();
    assert!(err.to_string().contains("150 folds"), "{err}");
    let err = CateLearnerParams::new(CateMethod::R, "x1", "y", &[])
        .check()
        .unwrap()
        .fit_cate(&data)
        .unwrap_err();
    assert!(err.to_string().contains("x1"), "{err}");
}
