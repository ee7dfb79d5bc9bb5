//! Agreement with dowhy on ATE point estimates (linear regression, IPW) on the same data.
//! The fixture and data come from scripts/fixtures/core/dowhy_ate_fixture.py.

use causal_core::contract::Fit;
use causal_core::data::Dataset;
use causal_core::estimate::{IpwParams, ParamGuard, RegressionParams, Weighting};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dowhy_ate");

#[test]
fn regression_and_ipw_match_dowhy_to_1e6() {
    let text = std::fs::read_to_string(format!("{DIR}/expected.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = meta["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let data = Dataset::from_path(format!("{DIR}/{}", case["data"].as_str().unwrap())).unwrap();
        let covs: Vec<&str> = case["covariates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let (t, y) = (
            case["treatment"].as_str().unwrap(),
            case["outcome"].as_str().unwrap(),
        );
        let reg = RegressionParams::new(t, y)
            .covariates(&covs)
            .check()
            .unwrap()
            .fit(&data, ())
            .unwrap();
        let want = case["regression_ate"].as_f64().unwrap();
        assert!(
            (reg.ate - want).abs() < 1e-6,
            "{}: regression {} vs dowhy {want}",
            case["name"],
            reg.ate
        );
        let ipw = IpwParams::new(t, y)
            .covariates(&covs)
            .weighting(Weighting::Hajek)
            .clip(case["ipw_clip"].as_f64().unwrap())
            .check()
            .unwrap()
            .fit(&data, ())
            .unwrap();
        let want = case["ipw_ate"].as_f64().unwrap();
        assert!(
            (ipw.ate - want).abs() < 1e-6,
            "{}: ipw {} vs dowhy {want}",
            case["name"],
            ipw.ate
        );
        eprintln!(
            "{}: regression |Δ| = {:.2e}, ipw |Δ| = {:.2e}",
            case["name"],
            (reg.ate - case["regression_ate"].as_f64().unwrap()).abs(),
            (ipw.ate - want).abs()
        );
    }
}
