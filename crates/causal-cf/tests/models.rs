//! The estimators on a simulated SCM with known effects: they learn, they are reproducible, and
//! they fail cleanly on bad input.

use causal_cf::data::IteData;
use causal_cf::metrics::{ate_error, sqrt_pehe};
use causal_cf::models::{
    CevaeParams, CfrParams, DragonNetParams, IteModel, SLearnerParams, TLearnerParams,
};
use causal_cf::{CfError, data::Truth};
use causal_torch::TorchError;
use causal_torch::tch::Device;
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
fn scm(n: usize, seed: u64) -> IteData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut rows, mut t, mut y, mut mu0, mut mu1) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let x1: f64 = rng.sample(StandardNormal);
        let x2 = f64::from(u8::from(rng.random::<f64>() < 0.5));
        let ti = f64::from(u8::from(rng.random::<f64>() < 1.0 / (1.0 + (-x1).exp())));
        let (m0, m1) = (x1 + x2, x1 + x2 + 1.0 + x1);
        let e: f64 = rng.sample(StandardNormal);
        y.push(if ti == 1.0 { m1 } else { m0 } + 0.5 * e);
        rows.push(vec![x1, x2]);
        t.push(ti);
        mu0.push(m0);
        mu1.push(m1);
    }
    IteData::new(vec!["x1".into(), "x2".into()], rows, t, y)
        .unwrap()
        .with_truth(Truth {
            mu0,
            mu1,
            y_cf: None,
        })
        .unwrap()
}

/// The estimator of builder `params` with `epochs` and `seed` on the CPU, fitted on `train`
/// (early-stopping on `valid` when given).
macro_rules! fit_cpu {
    ($params:expr, $epochs:expr, $seed:expr, $train:expr, $valid:expr) => {
        $params
            .epochs($epochs)
            .seed($seed)
            .device(Device::Cpu)
            .check()
            .unwrap()
            .fit($train, $valid)
            .unwrap()
    };
}

fn scores(model: &dyn IteModel, data: &IteData) -> (f64, f64) {
    let cate = model.predict(data).unwrap().cate();
    let truth = data.true_ite().unwrap();
    (
        sqrt_pehe(&truth, &cate).unwrap(),
        ate_error(&truth, &cate).unwrap(),
    )
}

/// √PEHE of the constant "difference in means" estimate, the bar every model must beat.
fn naive_pehe(data: &IteData) -> f64 {
    let (mut s1, mut n1, mut s0, mut n0) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..data.n() {
        if data.t()[i] == 1.0 {
            s1 += data.y()[i];
            n1 += 1.0;
        } else {
            s0 += data.y()[i];
            n0 += 1.0;
        }
    }
    let naive = vec![s1 / n1 - s0 / n0; data.n()];
    sqrt_pehe(&data.true_ite().unwrap(), &naive).unwrap()
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
    let (pa, pb, pc) = (
        a.predict(&data).unwrap(),
        b.predict(&data).unwrap(),
        c.predict(&data).unwrap(),
    );
    assert_eq!(pa, pb, "same seed, different predictions");
    assert_ne!(pa, pc);
    let draws = a.sample_do(&data.x()[..4], true, 400, 3).unwrap();
    assert_eq!(draws, a.sample_do(&data.x()[..4], true, 400, 3).unwrap());
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
            .predict(&data)
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
        .device(Device::Cpu)
        .check()
        .unwrap()
        .fit(&data, None)
        .unwrap_err();
    assert!(
        matches!(err, CfError::Torch(TorchError::NonFinite { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("epoch"), "{err}");
}

#[test]
fn bad_configuration_and_mismatched_data_are_rejected() {
    let _guard = lock();
    assert!(CevaeParams::new().num_layers(1).check().is_err());
    assert!(CfrParams::tarnet().representation(&[]).check().is_err());
    assert!(
        CfrParams::wasserstein()
            .ipm(causal_cf::models::Ipm::MmdRbf { sigma: 0.0 }, 1.0)
            .check()
            .is_err()
    );
    assert!(DragonNetParams::new().beta(-1.0).check().is_err());
    let data = scm(50, 6);
    let other = IteData::new(
        vec!["a".into()],
        (0..10).map(|i| vec![i as f64]).collect(),
        (0..10).map(|i| (i % 2) as f64).collect(),
        vec![0.0; 10],
    )
    .unwrap();
    let est = TLearnerParams::new()
        .hidden(&[4])
        .epochs(2)
        .device(Device::Cpu)
        .check()
        .unwrap();
    assert!(matches!(
        est.fit(&data, Some(&other)),
        Err(CfError::Shape(_))
    ));
    let m = est.fit(&data, None).unwrap();
    assert!(matches!(
        m.potential_outcomes(&[1.0, 2.0, 3.0]),
        Err(CfError::Shape(_))
    ));
    let err = m.potential_outcomes(&[f64::NAN, 1.0]).unwrap_err();
    assert!(matches!(err, CfError::NonFinite { .. }), "{err}");
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
        device: Some(Device::Cpu),
        ..FitOptions::default()
    };
    let cf = cross_fit(ModelKind::DragonNet, &data, 3, 0.3, &options).unwrap();
    assert!(cf.propensity.iter().all(|e| *e > 0.0 && *e < 1.0));
    // Treat where the estimated effect exceeds 1, i.e. (ideally) where x₁ > 0.
    let pi = threshold_policy(&cf.po.cate(), 1.0);
    let truth = data.truth().unwrap();
    let v_true = true_policy_value(&pi, &truth.mu0, &truth.mu1).unwrap();
    let dr = dr_policy_value(
        &pi,
        data.t(),
        data.y(),
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
        cross_fit(ModelKind::DragonNet, &data, 3, 0.3, &options).unwrap()
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
        device: Some(Device::Cpu),
        ensemble,
    };
    let ens = fit_model_with(ModelKind::DragonNet, &data, None, &options(7, 3)).unwrap();
    assert_eq!(ens.name(), "DragonNet ×3");
    let members: Vec<_> = (7..10)
        .map(|s| fit_model_with(ModelKind::DragonNet, &data, None, &options(s, 1)).unwrap())
        .collect();
    let po = ens.predict(&data).unwrap();
    let parts: Vec<_> = members.iter().map(|m| m.predict(&data).unwrap()).collect();
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
    let truth = data.truth().unwrap();
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
    let e = ens.propensity(data.x()).unwrap().unwrap();
    let e0 = members
        .iter()
        .map(|m| m.propensity(data.x()).unwrap().unwrap()[0])
        .sum::<f64>()
        / 3.0;
    assert!((e[0] - e0).abs() < 1e-9);
    let draws = ens
        .sample_do(&data.x()[..2 * data.d()], true, 7, 1)
        .unwrap();
    assert_eq!((draws.len(), draws[0].len()), (2, 7));
    assert!(draws.iter().flatten().all(|v| v.is_finite()));
}
