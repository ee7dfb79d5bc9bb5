//! The MLP nuisance learner inside double machine learning: under nonlinear confounding it
//! recovers the effect where OLS adjustment is biased, it is deterministic for a seed, bad
//! names are refused, and row weights (the R-learner's final stage) shape its loss.

use causal_core::data::Dataset;
use causal_core::estimate::{CateLearnerParams, CateMethod, DmlParams, ParamGuard};
use causal_core::learner::{Learner, RandomForest};
use causal_torch::learner::MlpLearner;
use causal_torch::nn::Activation;
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

#[test]
fn the_activation_is_a_setting_that_reaches_the_network() {
    // y = x² on [−2, 2]: both activations fit it, with different networks.
    let n = 300;
    let x = DMatrix::from_fn(n, 1, |i, _| i as f64 / n as f64 * 4.0 - 2.0);
    let y: Vec<f64> = (0..n).map(|i| x[(i, 0)] * x[(i, 0)]).collect();
    let rows: Vec<usize> = (0..n).collect();
    let fit = |activation| {
        let mlp = MlpLearner::regressor()
            .activation(activation)
            .epochs(200)
            .check()
            .unwrap();
        let pred = mlp.fit(&x, &y, &rows, "y").unwrap().predict(&x, &rows);
        let mse = pred
            .iter()
            .zip(&y)
            .map(|(p, t)| (p - t).powi(2))
            .sum::<f64>()
            / n as f64;
        (pred, mse, mlp.describe())
    };
    let (relu, relu_mse, relu_name) = fit(Activation::Relu);
    let (elu, elu_mse, elu_name) = fit(Activation::Elu);
    assert!(relu_mse < 0.1 && elu_mse < 0.1, "{relu_mse} {elu_mse}");
    assert_ne!(relu, elu);
    assert!(
        elu_name.contains("elu") && !relu_name.contains("elu"),
        "{elu_name}"
    );
}

#[test]
fn weights_drop_rows_from_the_loss() {
    // Half the rows carry a corrupted target and weight 0: the weighted fit follows the clean
    // function, the unweighted one is pulled halfway to the corruption.
    let n = 800;
    let x = DMatrix::from_fn(n, 1, |i, _| -2.0 + 4.0 * i as f64 / n as f64);
    let truth: Vec<f64> = (0..n).map(|i| (2.0 * x[(i, 0)]).sin()).collect();
    let corrupt = |i: usize| i % 2 == 1;
    let y: Vec<f64> = (0..n)
        .map(|i| if corrupt(i) { 10.0 } else { truth[i] })
        .collect();
    let w: Vec<f64> = (0..n).map(|i| f64::from(u8::from(!corrupt(i)))).collect();
    let rows: Vec<usize> = (0..n).collect();
    let learner = MlpLearner::regressor().seed(2).check().unwrap();
    assert!(learner.takes_weights());
    let rmse = |pred: Vec<f64>| {
        (pred
            .iter()
            .zip(&truth)
            .map(|(p, t)| (p - t).powi(2))
            .sum::<f64>()
            / n as f64)
            .sqrt()
    };
    let weighted = learner.fit_weighted(&x, &y, &w, &rows, "y").unwrap();
    let plain = learner.fit(&x, &y, &rows, "y").unwrap();
    let (e_w, e_p) = (
        rmse(weighted.predict(&x, &rows)),
        rmse(plain.predict(&x, &rows)),
    );
    eprintln!("RMSE against the clean function: weighted {e_w:.3}, unweighted {e_p:.3}");
    assert!(e_w < 0.2 && e_p > 3.0, "{e_w} vs {e_p}");
    let mut bad = w.clone();
    bad[3] = -1.0;
    let e = learner
        .fit_weighted(&x, &y, &bad, &rows, "y")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("non-negative"), "{e}");
}

/// `x ~ N(0, 1)`, `e(x) = σ(slope · x)`, `Y = x + T τ(x) + ε`, `τ(x) = 2 sin(2x)`: the data
/// and the true effects.
fn simulate_effect(seed: u64, n: usize, slope: f64) -> (Dataset, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x, mut t, mut y, mut tau) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let xi: f64 = StandardNormal.sample(&mut rng);
        let u: f64 = rand::Rng::random(&mut rng);
        let ti = f64::from(u8::from(u < 1.0 / (1.0 + (-slope * xi).exp())));
        let e: f64 = StandardNormal.sample(&mut rng);
        let ta = 2.0 * (2.0 * xi).sin();
        x.push(xi);
        t.push(ti);
        y.push(xi + ti * ta + 0.5 * e);
        tau.push(ta);
    }
    let data = Dataset::new(vec!["x".into(), "t".into(), "y".into()], vec![x, t, y]).unwrap();
    (data, tau)
}

fn rmse(a: &[f64], b: &[f64]) -> f64 {
    (a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / a.len() as f64).sqrt()
}

fn forest() -> Box<RandomForest> {
    Box::new(RandomForest::new(100).unwrap().min_samples_leaf(10).seed(1))
}

#[test]
fn r_learner_with_an_mlp_final_stage_follows_a_nonlinear_effect() {
    let (data, tau) = simulate_effect(7, 2000, 0.5);
    let fit = |flexible: bool| {
        let mut p = CateLearnerParams::new(CateMethod::R, "t", "y", &["x"])
            .learners(forest(), forest())
            .seed(3);
        if flexible {
            p = p.final_stage(Box::new(MlpLearner::regressor().seed(4).check().unwrap()));
        }
        p.check().unwrap().fit_cate(&data).unwrap()
    };
    let (e_mlp, e_lin) = (rmse(&fit(true).cate, &tau), rmse(&fit(false).cate, &tau));
    eprintln!("R-learner RMSE of τ: MLP final stage {e_mlp:.3}, linear {e_lin:.3}");
    assert!(e_mlp < 0.5 * e_lin, "{e_mlp} vs {e_lin}");
}
