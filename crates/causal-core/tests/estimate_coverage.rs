//! Each estimator's 95% interval covers the true ATE in at least 90% of 200 seeded
//! replications.

use causal_core::contract::Fit;
mod est_common;
use est_common as common;

use causal_core::estimate::{AipwParams, AteEstimator, IpwParams, ParamGuard, RegressionParams};

fn coverage_of(est: &dyn AteEstimator, truth: f64, n: usize) -> f64 {
    let cis: Vec<[f64; 2]> = (0..200u64)
        .map(|seed| {
            let d = common::confounded_binary(n, 1000 + seed);
            est.estimate(&d, None, 0.95).unwrap().ci
        })
        .collect();
    common::coverage(&cis, truth)
}

#[test]
fn regression_covers_the_truth() {
    let est = RegressionParams::new("T", "Y")
        .covariates(&["Z"])
        .check()
        .unwrap();
    let c = coverage_of(&est, 2.0, 500);
    eprintln!("regression coverage {c}");
    assert!(c >= 0.90, "coverage {c}");
}

#[test]
fn ipw_covers_the_truth() {
    let est = IpwParams::new("T", "Y").covariates(&["Z"]).check().unwrap();
    let c = coverage_of(&est, 2.0, 500);
    eprintln!("ipw coverage {c}");
    assert!(c >= 0.90, "coverage {c}");
}

#[test]
fn aipw_covers_the_truth() {
    let est = AipwParams::new("T", "Y")
        .covariates(&["Z"])
        .check()
        .unwrap();
    let c = coverage_of(&est, 2.0, 500);
    eprintln!("aipw coverage {c}");
    assert!(c >= 0.90, "coverage {c}");
}

#[test]
fn confounding_is_visible_without_adjustment() {
    // The unadjusted regression misses the truth almost always: the coverage test has power.
    let est = RegressionParams::new("T", "Y").check().unwrap();
    let c = coverage_of(&est, 2.0, 500);
    assert!(c < 0.2, "coverage {c}");
}

use causal_core::estimate::{FrontDoorParams, InteractionCateParams, TwoStageLeastSquaresParams};
use causal_core::scm::ScmSpec;
use causal_core::stats::sigmoid;

fn spec_coverage(spec: &str, est: &dyn AteEstimator, truth: f64, n: usize) -> f64 {
    let scm = ScmSpec::from_json(spec).unwrap().to_scm().unwrap();
    let cis: Vec<[f64; 2]> = (0..200u64)
        .map(|seed| {
            est.estimate(&scm.sample(n, 5000 + seed).unwrap(), None, 0.95)
                .unwrap()
                .ci
        })
        .collect();
    common::coverage(&cis, truth)
}

const FRONT_DOOR: &str = r#"{"nodes":[{"name":"U"},{"name":"X","parents":{"U":1.0}},
    {"name":"M","parents":{"X":0.8}},{"name":"Y","parents":{"M":1.5,"U":2.0}}]}"#;

#[test]
fn front_door_covers_the_truth_under_latent_confounding() {
    let est = FrontDoorParams::new("X", &["M"], "Y").check().unwrap();
    let c = spec_coverage(FRONT_DOOR, &est, 0.8 * 1.5, 500);
    eprintln!("front-door coverage {c}");
    assert!(c >= 0.90, "coverage {c}");
}

#[test]
fn two_stage_least_squares_covers_the_truth() {
    let spec = r#"{"nodes":[{"name":"U"},{"name":"Z"},{"name":"X","parents":{"Z":1.0,"U":1.0}},
        {"name":"Y","parents":{"X":0.7,"U":-1.5}}]}"#;
    let est = TwoStageLeastSquaresParams::new("X", &["Z"], "Y")
        .check()
        .unwrap();
    let c = spec_coverage(spec, &est, 0.7, 500);
    eprintln!("2SLS coverage {c}");
    assert!(c >= 0.90, "coverage {c}");
}

/// Z binary, T logistic in Z, Y logistic in T and Z: the true ATE in closed form.
const LOGISTIC: &str = r#"{"nodes":[{"name":"Z","type":"binary"},
    {"name":"T","type":"binary","intercept":-0.3,"parents":{"Z":1.0}},
    {"name":"Y","type":"binary","intercept":-0.5,"parents":{"T":1.0,"Z":0.8}}]}"#;

fn logistic_truth() -> f64 {
    (0..2)
        .map(|z| {
            let z = z as f64;
            0.5 * (sigmoid(-0.5 + 1.0 + 0.8 * z) - sigmoid(-0.5 + 0.8 * z))
        })
        .sum()
}

#[test]
fn estimators_cover_the_truth_on_a_logistic_scm() {
    let truth = logistic_truth();
    let ests: Vec<(&str, Box<dyn AteEstimator>)> = vec![
        (
            "regression+interactions",
            Box::new(
                RegressionParams::new("T", "Y")
                    .covariates(&["Z"])
                    .interactions(true)
                    .check()
                    .unwrap(),
            ),
        ),
        (
            "ipw",
            Box::new(IpwParams::new("T", "Y").covariates(&["Z"]).check().unwrap()),
        ),
        (
            "aipw",
            Box::new(
                AipwParams::new("T", "Y")
                    .covariates(&["Z"])
                    .check()
                    .unwrap(),
            ),
        ),
    ];
    for (name, est) in ests {
        let c = spec_coverage(LOGISTIC, est.as_ref(), truth, 1000);
        eprintln!("{name} coverage on the logistic SCM {c}");
        assert!(c >= 0.90, "{name}: coverage {c}");
    }
}

#[test]
fn cate_by_interactions_covers_the_ate_and_recovers_the_slope() {
    // Y = T (1 + 0.5 V) + V + Z + noise, with T confounded by Z; E[V] = 1.
    let spec = r#"{"nodes":[{"name":"V","intercept":1.0},{"name":"Z"},
        {"name":"T","type":"binary","parents":{"Z":0.8}},
        {"name":"Y","parents":{"V":1.0,"Z":1.0}}]}"#;
    // The spec format is linear, so the interaction is added by hand below.
    let scm = ScmSpec::from_json(spec).unwrap().to_scm().unwrap();
    let est = InteractionCateParams::new("T", "Y", &["V"])
        .covariates(&["Z"])
        .check()
        .unwrap();
    let mut cis = Vec::new();
    let mut slopes = Vec::new();
    for seed in 0..200u64 {
        let d = scm.sample(500, 9000 + seed).unwrap();
        let (t, v) = (
            d.column("T").unwrap().to_vec(),
            d.column("V").unwrap().to_vec(),
        );
        let y: Vec<f64> = d
            .column("Y")
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, y)| y + t[i] * (1.0 + 0.5 * v[i]))
            .collect();
        let d = d.replace_column("Y", y).unwrap();
        cis.push(est.estimate(&d, None, 0.95).unwrap().ci);
        slopes.push(est.cate_function(&d).unwrap().slopes[0]);
    }
    let c = common::coverage(&cis, 1.5);
    let mean_slope = slopes.iter().sum::<f64>() / slopes.len() as f64;
    eprintln!("cate coverage {c}, mean slope {mean_slope}");
    assert!(c >= 0.90, "coverage {c}");
    assert!((mean_slope - 0.5).abs() < 0.02, "{mean_slope}");
}

/// AIPW stays consistent when exactly one of its models is wrong. Z ~ N(0,1), Z2 = Z²;
/// T ~ Bernoulli(σ(0.3 + 0.8 Z − 0.6 Z2)), Y = 2 T + Z + Z2 + N(0,1). Linear-in-Z models are
/// misspecified; models using Z and Z2 are correct.
#[test]
fn aipw_is_consistent_with_exactly_one_misspecified_model() {
    let spec = r#"{"nodes":[{"name":"Z"},{"name":"Z2","sd":0.0},
        {"name":"T","type":"binary"},{"name":"Y","parents":{"Z":1.0}}]}"#;
    let scm = ScmSpec::from_json(spec).unwrap().to_scm().unwrap();
    let make = |seed: u64| {
        let d = scm.sample(20_000, seed).unwrap();
        let z = d.column("Z").unwrap().to_vec();
        let z2: Vec<f64> = z.iter().map(|v| v * v).collect();
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed + 1);
        let t: Vec<f64> = z
            .iter()
            .map(|z| {
                let p = sigmoid(0.3 + 0.8 * z - 0.6 * z * z);
                f64::from(u8::from(rand::Rng::random::<f64>(&mut rng) < p))
            })
            .collect();
        let y: Vec<f64> = (0..z.len())
            .map(|i| d.column("Y").unwrap()[i] + 2.0 * t[i] + z2[i])
            .collect();
        d.replace_column("Z2", z2)
            .unwrap()
            .replace_column("T", t)
            .unwrap()
            .replace_column("Y", y)
            .unwrap()
    };
    let d = make(77);
    let wrong_outcome = AipwParams::new("T", "Y")
        .propensity_covariates(&["Z", "Z2"])
        .outcome_covariates(&["Z"])
        .check()
        .unwrap()
        .fit(&d, ())
        .unwrap();
    let wrong_propensity = AipwParams::new("T", "Y")
        .propensity_covariates(&["Z"])
        .outcome_covariates(&["Z", "Z2"])
        .check()
        .unwrap()
        .fit(&d, ())
        .unwrap();
    let naive_regression = RegressionParams::new("T", "Y")
        .covariates(&["Z"])
        .check()
        .unwrap()
        .fit(&d, ())
        .unwrap();
    let naive_ipw = IpwParams::new("T", "Y")
        .covariates(&["Z"])
        .check()
        .unwrap()
        .fit(&d, ())
        .unwrap();
    eprintln!(
        "AIPW wrong outcome {:.4} ± {:.4}, wrong propensity {:.4} ± {:.4}; regression {:.4}, IPW {:.4}",
        wrong_outcome.ate,
        wrong_outcome.se,
        wrong_propensity.ate,
        wrong_propensity.se,
        naive_regression.ate,
        naive_ipw.ate
    );
    for f in [&wrong_outcome, &wrong_propensity] {
        assert!((f.ate - 2.0).abs() < 3.0 * f.se, "{} ± {}", f.ate, f.se);
    }
    // The single misspecified models alone are biased, so the test has power.
    assert!((naive_regression.ate - 2.0).abs() > 5.0 * naive_regression.se);
    assert!((naive_ipw.ate - 2.0).abs() > 5.0 * naive_ipw.se);
}

use causal_core::stats::Bootstrap;

/// Coverage of the percentile bootstrap interval (not the normal one) over 200 replications.
fn bootstrap_coverage_of(est: &dyn AteEstimator, truth: f64, n: usize) -> f64 {
    let cis: Vec<[f64; 2]> = (0..200u64)
        .map(|seed| {
            let d = common::confounded_binary(n, 5000 + seed);
            let boot = Bootstrap {
                resamples: 200,
                seed,
                level: 0.95,
                parallel: true,
            };
            let r = est.estimate(&d, Some(&boot), 0.95).unwrap();
            assert_eq!(r.ci_method, "bootstrap-percentile");
            r.ci
        })
        .collect();
    common::coverage(&cis, truth)
}

#[test]
fn bootstrap_intervals_cover_the_truth() {
    let reg = RegressionParams::new("T", "Y")
        .covariates(&["Z"])
        .check()
        .unwrap();
    let ipw = IpwParams::new("T", "Y").covariates(&["Z"]).check().unwrap();
    for (name, est) in [
        ("regression", &reg as &dyn AteEstimator),
        ("ipw", &ipw as &dyn AteEstimator),
    ] {
        let c = bootstrap_coverage_of(est, 2.0, 500);
        eprintln!("{name} bootstrap coverage {c}");
        assert!(c >= 0.90, "{name} bootstrap coverage {c}");
    }
    // Power: the unadjusted regression's bootstrap interval misses the truth.
    let naive = RegressionParams::new("T", "Y").check().unwrap();
    let c = bootstrap_coverage_of(&naive, 2.0, 500);
    assert!(c < 0.2, "unadjusted bootstrap coverage {c}");
}
