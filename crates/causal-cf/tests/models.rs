//! The estimators on a simulated SCM with known effects: they learn, they are reproducible, and
//! they fail cleanly on bad input.

use causal_cf::data::IteSample;
use causal_cf::metrics::{ate_error, sqrt_pehe};
use causal_cf::models::{
    CevaeParams, CfrParams, DragonNetParams, IteModel, OutcomeNoise, SLearnerParams, TLearnerParams,
};
use causal_cf::{CfError, data::Truth};
use causal_core::CoreError;
use causal_core::contract::ParamGuard;
use causal_core::data::{ColumnRoles, Dataset};
use causal_torch::TorchError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// LibTorch's global generator (initialisation) is process-wide: tests that compare seeded
/// fits must not interleave with other fits.
static TORCH: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    // Small networks: one intra-op thread is as fast, and spin-waiting threads on a busy
    // machine are many times slower.
    causal_torch::tch::set_num_threads(1);
    TORCH
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// x₁ ~ N(0,1), x₂ ~ Bernoulli(0.5); t ~ Bernoulli(σ(x₁)); y = x₁ + x₂ + t·(1 + x₁) + ε.
/// The true effect is τ(x) = 1 + x₁ (ATE 1), and x₁ confounds t and y.
fn scm(n: usize, seed: u64) -> IteSample {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x1s, mut x2s, mut t, mut y) = (vec![], vec![], vec![], vec![]);
    let (mut mu0, mut mu1) = (vec![], vec![]);
    for _ in 0..n {
        let x1: f64 = rng.sample(StandardNormal);
        let x2 = f64::from(u8::from(rng.random::<f64>() < 0.5));
        let ti = f64::from(u8::from(rng.random::<f64>() < 1.0 / (1.0 + (-x1).exp())));
        let (m0, m1) = (x1 + x2, x1 + x2 + 1.0 + x1);
        let e: f64 = rng.sample(StandardNormal);
        y.push(if ti == 1.0 { m1 } else { m0 } + 0.5 * e);
        x1s.push(x1);
        x2s.push(x2);
        t.push(ti);
        mu0.push(m0);
        mu1.push(m1);
    }
    let names = ["x1", "x2", "t", "y"].map(String::from).to_vec();
    let data = Dataset::new(names, vec![x1s, x2s, t, y]).unwrap();
    let roles = ColumnRoles::new()
        .treatment("t")
        .outcome("y")
        .covariates(["x1", "x2"]);
    let truth = Truth {
        mu0,
        mu1,
        y_cf: None,
    };
    IteSample::new(data, roles, truth).unwrap()
}

/// The estimator of builder `params` with `epochs` and `seed` on the CPU, fitted on the sample
/// `train` (early-stopping on the sample `valid` when given).
macro_rules! fit_cpu {
    ($params:expr, $epochs:expr, $seed:expr, $train:expr, $valid:expr) => {{
        let (train, valid): (&IteSample, Option<&IteSample>) = ($train, $valid);
        $params
            .epochs($epochs)
            .seed($seed)
            .device("cpu")
            .check()
            .unwrap()
            .fit(train.data(), train.roles(), valid.map(IteSample::data))
            .unwrap()
    }};
}

fn scores(model: &dyn IteModel, data: &IteSample) -> (f64, f64) {
    let cate = model.predict(data.data(), data.roles()).unwrap().cate();
    let truth = data.true_ite();
    (
        sqrt_pehe(&truth, &cate).unwrap(),
        ate_error(&truth, &cate).unwrap(),
    )
}

/// √PEHE of the constant "difference in means" estimate, the bar every model must beat.
fn naive_pehe(data: &IteSample) -> f64 {
    let (t, y) = (data.treatment().unwrap(), data.outcome().unwrap());
    let (mut s1, mut n1, mut s0, mut n0) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..data.n() {
        if t[i] == 1.0 {
            s1 += y[i];
            n1 += 1.0;
        } else {
            s0 += y[i];
            n0 += 1.0;
        }
    }
    let naive = vec![s1 / n1 - s0 / n0; data.n()];
    sqrt_pehe(&data.true_ite(), &naive).unwrap()
}

#[test]
fn every_network_beats_the_naive_estimate_out_of_sample() {
    let _guard = lock();
    let train = scm(500, 1);
    let valid = scm(200, 2);
    let test = scm(400, 3);
    let bar = naive_pehe(&test);
    macro_rules! fit {
        ($params:expr) => {
            Box::new(fit_cpu!($params, 60, 1, &train, Some(&valid)))
        };
    }
    let models: Vec<Box<dyn IteModel>> = vec![
        fit!(CfrParams::tarnet().representation(&[32]).heads(&[32])),
        fit!(CfrParams::wasserstein().representation(&[32]).heads(&[32])),
        fit!(CfrParams::mmd().representation(&[32]).heads(&[32])),
        fit!(DragonNetParams::new().representation(&[32]).heads(&[32])),
        fit!(SLearnerParams::new().hidden(&[32])),
        fit!(TLearnerParams::new().hidden(&[32])),
        fit!(
            CevaeParams::new()
                .latent_dim(4)
                .hidden_dim(32)
                .num_samples(30)
        ),
        // The paper's encoder q(z | x, t, y) with its auxiliary networks.
        fit!(
            CevaeParams::paper()
                .latent_dim(4)
                .hidden_dim(32)
                .num_samples(30)
        ),
    ];
    for m in &models {
        let (pehe, ate) = scores(m.as_ref(), &test);
        eprintln!(
            "{}: √PEHE {pehe:.3} (naive {bar:.3}), ε_ATE {ate:.3}",
            m.name()
        );
        assert!(
            pehe < 0.6 * bar,
            "{}: √PEHE {pehe} vs naive {bar}",
            m.name()
        );
        assert!(ate < 0.3, "{}: ε_ATE {ate}", m.name());
    }
}

#[test]
fn seeded_fits_are_reproducible_and_samples_centre_on_the_potential_outcomes() {
    let _guard = lock();
    let data = scm(300, 4);
    let fit = |seed| {
        let params = CevaeParams::new()
            .latent_dim(3)
            .hidden_dim(16)
            .num_samples(20);
        fit_cpu!(params, 20, seed, &data, None)
    };
    let (a, b, c) = (fit(7), fit(7), fit(8));
    let (d, roles) = (data.data(), data.roles());
    let (pa, pb, pc) = (
        a.predict(d, roles).unwrap(),
        b.predict(d, roles).unwrap(),
        c.predict(d, roles).unwrap(),
    );
    assert_eq!(pa, pb, "same seed, different predictions");
    assert_ne!(pa, pc);
    let first = d.take_rows(&[0, 1]).unwrap();
    let draws = a.sample_do(&first, roles, true, 400, 3).unwrap();
    assert_eq!(draws, a.sample_do(&first, roles, true, 400, 3).unwrap());
    let mean = draws[0].iter().sum::<f64>() / 400.0;
    let sd = (draws[0].iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 399.0).sqrt();
    assert!(
        (mean - pa.y1[0]).abs() < 4.0 * sd / 20.0 + 0.05,
        "mean of y | do(t=1) draws {mean} vs ŷ(1) {}",
        pa.y1[0]
    );

    let tarnet = |seed| {
        let params = CfrParams::wasserstein().representation(&[16]).heads(&[16]);
        fit_cpu!(params, 15, seed, &data, None)
            .predict(d, roles)
            .unwrap()
    };
    assert_eq!(tarnet(3), tarnet(3));
}

#[test]
fn a_diverging_loss_is_reported_not_hidden() {
    let _guard = lock();
    let data = scm(200, 5);
    let err = SLearnerParams::new()
        .hidden(&[16])
        .learning_rate(1e12)
        .weight_decay(0.0)
        .epochs(50)
        .device("cpu")
        .check()
        .unwrap()
        .fit(data.data(), data.roles(), None)
        .unwrap_err();
    assert!(
        matches!(err, CfError::Torch(TorchError::Diverged { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("epoch"), "{err}");
}

#[test]
fn bad_configuration_and_mismatched_data_are_rejected() {
    let _guard = lock();
    assert!(CevaeParams::new().num_layers(1).check().is_err());
    for w in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let err = CevaeParams::new().outcome_weight(w).check().unwrap_err();
        assert!(err.to_string().contains("outcome weight"), "{err}");
    }
    assert!(CfrParams::tarnet().representation(&[]).check().is_err());
    assert!(
        CfrParams::wasserstein()
            .ipm(causal_cf::models::Ipm::MmdRbf { sigma: 0.0 }, 1.0)
            .check()
            .is_err()
    );
    assert!(DragonNetParams::new().beta(-1.0).check().is_err());
    let data = scm(50, 6);
    let (d, roles) = (data.data(), data.roles());
    let est = TLearnerParams::new()
        .hidden(&[4])
        .epochs(2)
        .device("cpu")
        .check()
        .unwrap();
    // A validation table without the training covariates.
    let other = Dataset::new(
        ["a", "t", "y"].map(String::from).to_vec(),
        vec![
            (0..10).map(f64::from).collect(),
            (0..10).map(|i| f64::from(i % 2)).collect(),
            vec![0.0; 10],
        ],
    )
    .unwrap();
    let err = est.fit(d, roles, Some(&other)).unwrap_err();
    assert!(
        matches!(&err, CfError::Core(CoreError::UnknownColumn(c)) if c == "x1"),
        "{err}"
    );
    // No outcome role, a covariate with two roles.
    let no_outcome = ColumnRoles::new().treatment("t").covariates(["x1", "x2"]);
    let err = est.fit(d, &no_outcome, None).unwrap_err();
    assert!(err.to_string().contains("outcome role"), "{err}");
    let err = est.fit(d, &roles.clone().covariates(["x1", "y"]), None);
    assert!(err.is_err());
    let m = est.fit(d, roles, None).unwrap();
    // Prediction reads the covariates only, and wants as many as the fit had.
    let three = roles.clone().covariates(["x1", "x2", "t"]);
    assert!(matches!(m.predict(d, &three), Err(CfError::Shape(_))));
    let x_only = ColumnRoles::new().covariates(["x1", "x2"]);
    let new_rows = d.select(&["x1", "x2"]).unwrap();
    assert_eq!(
        m.predict(&new_rows, &x_only).unwrap(),
        m.predict(d, roles).unwrap()
    );
    let gappy = Dataset::with_missing_values(
        ["x1", "x2"].map(String::from).to_vec(),
        vec![vec![f64::NAN, 1.0], vec![0.0, 1.0]],
    )
    .unwrap();
    let err = m.predict(&gappy, &x_only).unwrap_err();
    assert!(
        matches!(&err, CfError::Core(CoreError::Missing { column, .. }) if column == "x1"),
        "{err}"
    );
}

#[test]
fn cross_fitted_dr_policy_value_covers_the_truth_and_is_reproducible() {
    use causal_cf::models::{FitOptions, ModelKind, cross_fit};
    use causal_cf::policy::{dr_policy_value, threshold_policy, true_policy_value};
    let _guard = lock();
    let data = scm(450, 8);
    let options = FitOptions {
        seed: 2,
        quiet: true,
        epochs: Some(25),
        device: Some("cpu".into()),
        ..FitOptions::default()
    };
    let (d, roles) = (data.data(), data.roles());
    let cf = cross_fit(ModelKind::DragonNet, d, roles, 3, 0.3, &options).unwrap();
    assert!(cf.propensity.iter().all(|e| *e > 0.0 && *e < 1.0));
    // Treat where the estimated effect exceeds 1, i.e. (ideally) where x₁ > 0.
    let pi = threshold_policy(&cf.po.cate(), 1.0);
    let truth = data.truth();
    let v_true = true_policy_value(&pi, &truth.mu0, &truth.mu1).unwrap();
    let dr = dr_policy_value(
        &pi,
        data.treatment().unwrap(),
        data.outcome().unwrap(),
        &cf.po.y0,
        &cf.po.y1,
        &cf.propensity,
        0.01,
    )
    .unwrap();
    assert!(
        (dr.value - v_true).abs() < 2.0 * dr.se,
        "DR {} ± {} vs true {v_true}",
        dr.value,
        dr.se
    );
    assert_eq!(
        cf,
        cross_fit(ModelKind::DragonNet, d, roles, 3, 0.3, &options).unwrap()
    );
}

#[test]
fn a_seed_ensemble_averages_its_members_and_beats_their_mean_error() {
    use causal_cf::models::{FitOptions, ModelKind, fit_model_with};
    let _guard = lock();
    let data = scm(300, 5);
    let options = |seed, ensemble| FitOptions {
        seed,
        quiet: true,
        epochs: Some(15),
        device: Some("cpu".into()),
        ensemble,
        schedule: None,
    };
    let (d, roles) = (data.data(), data.roles());
    let ens = fit_model_with(ModelKind::DragonNet, d, roles, None, &options(7, 3)).unwrap();
    assert_eq!(ens.name(), "DragonNet ×3");
    let members: Vec<_> = (7..10)
        .map(|s| fit_model_with(ModelKind::DragonNet, d, roles, None, &options(s, 1)).unwrap())
        .collect();
    let po = ens.predict(d, roles).unwrap();
    let parts: Vec<_> = members
        .iter()
        .map(|m| m.predict(d, roles).unwrap())
        .collect();
    for i in 0..data.n() {
        let mean1 = parts.iter().map(|p| p.y1[i]).sum::<f64>() / 3.0;
        assert!(
            (po.y1[i] - mean1).abs() < 1e-9,
            "unit {i}: {} vs {mean1}",
            po.y1[i]
        );
    }
    // Members differ (else the test shows nothing), and by convexity the ensemble's ATE error
    // is at most their mean error.
    assert!((parts[0].ate() - parts[1].ate()).abs() > 1e-6);
    let truth = data.truth();
    let true_ate = truth
        .mu1
        .iter()
        .zip(&truth.mu0)
        .map(|(a, b)| a - b)
        .sum::<f64>()
        / data.n() as f64;
    let member_err = parts
        .iter()
        .map(|p| (p.ate() - true_ate).abs())
        .sum::<f64>()
        / 3.0;
    assert!((po.ate() - true_ate).abs() <= member_err + 1e-12);
    // Propensities average too; outcome draws mix the members.
    let e = ens.propensity(d, roles).unwrap().unwrap();
    let e0 = members
        .iter()
        .map(|m| m.propensity(d, roles).unwrap().unwrap()[0])
        .sum::<f64>()
        / 3.0;
    assert!((e[0] - e0).abs() < 1e-9);
    let draws = ens
        .sample_do(&d.take_rows(&[0, 1]).unwrap(), roles, true, 7, 1)
        .unwrap();
    assert_eq!((draws.len(), draws[0].len()), (2, 7));
    assert!(draws.iter().flatten().all(|v| v.is_finite()));
}

#[test]
fn a_device_is_named_as_text_and_an_unknown_one_is_refused_by_name() {
    let _guard = lock();
    let train = scm(60, 5);
    let fit = |spec: &str| {
        CfrParams::tarnet()
            .representation(&[8])
            .heads(&[8])
            .epochs(1)
            .quiet(true)
            .device(spec)
            .check()
            .unwrap()
            .fit(train.data(), train.roles(), None)
    };
    assert!(
        fit("CPU").is_ok(),
        "device names are read case-insensitively"
    );
    let err = fit("tpu:0").unwrap_err().to_string();
    assert!(err.contains("'tpu:0' is not a device"), "{err}");
}

/// The learner contract: unchecked `…Params` fit through the blanket impl exactly as their
/// checked estimator (same seed, same predictions), and a bad setting comes back from that fit
/// as `CfError::InvalidParameter`.
#[test]
fn unchecked_params_fit_through_the_contract() {
    use causal_core::contract::Fit;
    let _guard = lock();
    let data = scm(120, 9);
    let (d, roles) = (data.data(), data.roles());
    let params = SLearnerParams::new()
        .hidden(&[8])
        .epochs(5)
        .seed(3)
        .device("cpu");
    let via_contract = params.fit(d, (roles, None)).unwrap();
    let checked = params.clone().check().unwrap().fit(d, roles, None).unwrap();
    assert_eq!(
        via_contract.predict(d, roles).unwrap(),
        checked.predict(d, roles).unwrap()
    );
    let err = TLearnerParams::new()
        .hidden(&[0])
        .fit(d, (roles, None))
        .unwrap_err();
    assert!(
        matches!(&err, CfError::InvalidParameter(m) if m.contains("hidden")),
        "{err}"
    );
    let err = DragonNetParams::new()
        .alpha(-1.0)
        .fit(d, (roles, None))
        .unwrap_err();
    assert!(
        matches!(&err, CfError::InvalidParameter(m) if m.contains("alpha")),
        "{err}"
    );
}

/// The spread of `draws` (one unit's y | do(t) samples) around their mean.
fn spread(draws: &[f64]) -> f64 {
    let n = draws.len() as f64;
    let mean = draws.iter().sum::<f64>() / n;
    (draws.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// CEVAE's default outcome noise is the per-arm residual spread, well below the outcome's own
/// SD: with σ = 1 on the standardised outcome (Louizos et al.'s choice) the ELBO keeps y out of
/// z and the draws of y | do(t), x spread like y itself, which on IHDP replication 9 gave a
/// √PEHE of 14.
#[test]
fn cevae_outcome_noise_follows_the_residuals_not_the_outcome_scale() {
    let _guard = lock();
    let data = scm(300, 5);
    let fit = |noise| {
        let params = CevaeParams::new()
            .latent_dim(3)
            .hidden_dim(16)
            .num_samples(20)
            .outcome_noise(noise);
        fit_cpu!(params, 40, 1, &data, None)
    };
    let (d, roles) = (data.data(), data.roles());
    let first = d.take_rows(&[0]).unwrap();
    let y = d.column("y").unwrap();
    let sd_y = spread(y);
    let per_arm = spread(
        &fit(OutcomeNoise::PerArm)
            .sample_do(&first, roles, false, 400, 3)
            .unwrap()[0],
    );
    let unit = spread(
        &fit(OutcomeNoise::Unit)
            .sample_do(&first, roles, false, 400, 3)
            .unwrap()[0],
    );
    eprintln!("spread of y | do(t = 0): per arm {per_arm:.3}, σ = 1 {unit:.3}, y's SD {sd_y:.3}");
    assert!(
        unit > 0.9 * sd_y,
        "σ = 1 draws spread {unit}, y's SD {sd_y}"
    );
    assert!(
        per_arm < 0.7 * sd_y,
        "per-arm draws spread {per_arm}, y's SD {sd_y}"
    );
}

/// Every effect model's rate shrinks 1% an epoch by default (a slow fit of a heavy tail
/// settles instead of wandering); the paper's CEVAE keeps Adam's constant rate. The rates are
/// the ones the trainer used, read back from the history.
#[test]
fn effect_models_anneal_their_learning_rate_and_the_paper_cevae_does_not() {
    let _guard = lock();
    let data = scm(120, 6);
    let cevae = |params: CevaeParams| {
        let params = params.latent_dim(2).hidden_dim(8).num_samples(5);
        fit_cpu!(params, 6, 1, &data, None)
            .history()
            .learning_rate
            .clone()
    };
    let tarnet = fit_cpu!(
        CfrParams::tarnet().representation(&[8]).heads(&[8]),
        6,
        1,
        &data,
        None
    )
    .history()
    .learning_rate
    .clone();
    for rates in [cevae(CevaeParams::new()), tarnet] {
        assert_eq!(rates.len(), 6);
        for (k, lr) in rates.iter().enumerate() {
            let expected = 1e-3 * 0.99f64.powi(k as i32);
            assert!(
                (lr - expected).abs() < 1e-15,
                "epoch {k}: {lr} vs {expected}"
            );
        }
    }
    assert_eq!(cevae(CevaeParams::paper()), vec![1e-3; 6]);
}
