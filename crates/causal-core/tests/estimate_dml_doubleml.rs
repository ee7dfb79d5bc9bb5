//! Double machine learning against DoubleML 0.11 on its own generators (make_plr_CCDDHNR2018,
//! make_irm_data, make_pliv_CHS2015, make_iivm_data), with DoubleML's fold assignments and
//! the same learners: point estimates and standard errors agree to 1e-6.
//! Fixture: tests/fixtures/doubleml.json, made by scripts/fixtures/core/doubleml_fixture.py.

use causal_core::data::Dataset;
use causal_core::estimate::{AteEstimator, DmlParams, DmlScore, ParamGuard};
use causal_core::learner::{Lasso, LogisticRegression};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/doubleml.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn dataset(cols: &serde_json::Map<String, Value>) -> (Dataset, Vec<String>) {
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for (name, values) in cols {
        names.push(name.clone());
        columns.push(
            values
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect::<Vec<f64>>(),
        );
    }
    let xs = names
        .iter()
        .filter(|n| n.starts_with('x'))
        .cloned()
        .collect();
    (Dataset::new(names, columns).unwrap(), xs)
}

fn score(name: &str) -> DmlScore {
    match name {
        "partialling out" => DmlScore::PartiallingOut,
        "IV-type" => DmlScore::IvType,
        "ATE" => DmlScore::Ate,
        "ATTE" => DmlScore::Atte,
        "LATE" => DmlScore::Late,
        other => panic!("unknown score {other}"),
    }
}

#[test]
fn every_model_score_and_learner_matches_doubleml() {
    let fx = fixture();
    let alpha = fx["lasso_alpha"].as_f64().unwrap();
    let c = fx["logistic_l2_c"].as_f64().unwrap();
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    let mut worst = 0.0f64;
    for case in cases {
        let model = case["model"].as_str().unwrap();
        let learners = case["learners"].as_str().unwrap();
        let (data, xs) = dataset(fx["data"][model].as_object().unwrap());
        let xs: Vec<&str> = xs.iter().map(String::as_str).collect();
        let folds: Vec<Vec<usize>> = case["folds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap() as usize)
                    .collect()
            })
            .collect();
        let instrument = (model == "pliv" || model == "iivm").then_some("z");
        let mut params = DmlParams::by_name(model, "d", "y", instrument)
            .unwrap()
            .covariates(&xs)
            .score(score(case["score"].as_str().unwrap()))
            .fold_ids(folds);
        if learners == "lasso" {
            params = params
                .regressor(Lasso::new(alpha).unwrap())
                .classifier(LogisticRegression::new(c).unwrap());
        }
        let fit = params.check().unwrap().fit_dml(&data).unwrap();
        let tag = format!("{model}/{learners}/{}", case["score"]);
        let want: Vec<f64> = case["all_coef"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let want_se: Vec<f64> = case["all_se"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for r in 0..want.len() {
            worst = worst
                .max((fit.all_coef[r] - want[r]).abs())
                .max((fit.all_se[r] - want_se[r]).abs());
            assert!(
                (fit.all_coef[r] - want[r]).abs() < 1e-6,
                "{tag} rep {r}: coef {} vs DoubleML {}",
                fit.all_coef[r],
                want[r]
            );
            assert!(
                (fit.all_se[r] - want_se[r]).abs() < 1e-6,
                "{tag} rep {r}: se {} vs DoubleML {}",
                fit.all_se[r],
                want_se[r]
            );
        }
        let coef = case["coef"].as_f64().unwrap();
        let se = case["se"].as_f64().unwrap();
        assert!(
            (fit.coef - coef).abs() < 1e-6,
            "{tag}: {} vs {coef}",
            fit.coef
        );
        assert!((fit.se - se).abs() < 1e-6, "{tag}: se {} vs {se}", fit.se);
    }
    eprintln!("largest difference from DoubleML: {worst:.2e}");
}

#[test]
fn dml_is_an_ate_estimator_with_its_warnings() {
    let fx = fixture();
    let (data, xs) = dataset(fx["data"]["irm"].as_object().unwrap());
    let xs: Vec<&str> = xs.iter().map(String::as_str).collect();
    let est = DmlParams::irm("d", "y")
        .covariates(&xs)
        .trimming(0.2)
        .seed(3)
        .repeats(2)
        .check()
        .unwrap();
    let e = est.estimate(&data, None, 0.95).unwrap();
    assert_eq!(e.method, "dml");
    assert!(e.ci[0] < e.ate && e.ate < e.ci[1]);
    // Trimming at 0.2 clips some of make_irm_data's propensities, and says so.
    assert!(
        e.warnings.iter().any(|w| w.contains("clipped")),
        "{:?}",
        e.warnings
    );
    // Seeded: the same call gives the same numbers.
    let again = est.estimate(&data, None, 0.95).unwrap();
    assert_eq!(e.ate, again.ate);
}
