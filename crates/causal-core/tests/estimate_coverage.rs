//! Each estimator's 95% interval covers the true ATE in at least 90% of 200 seeded
//! replications.

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
