//! The learner contract in causal-core: every family's unchecked `…Params` fits through the
//! blanket impl exactly as its checked algorithm does, generic code fits any of them, and a bad
//! setting comes back from `fit` as `CoreError::InvalidParameter`.

use causal_core::CoreError;
use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::Dataset;
use causal_core::estimate::{
    AipwParams, AteEstimator, CateLearnerParams, CateMethod, DmlParams, DoseResponseParams,
    EffectFit, IpwParams, RegressionParams,
};
use causal_core::graph::MixedGraph;
use causal_core::refute::{GraphTestParams, RefuteParams};

/// 300 rows: z in [-1, 1], t = 1[z + jitter > 0] (confounded by z), y = 2 t + z + a small jitter.
fn data() -> Dataset {
    let n = 300;
    let z: Vec<f64> = (0..n)
        .map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0)
        .collect();
    let e: Vec<f64> = (0..n)
        .map(|i| ((i * 53) % 97) as f64 / 96.0 - 0.5)
        .collect();
    let t: Vec<f64> = (0..n)
        .map(|i| f64::from(u8::from(z[i] + e[(i + 11) % n] > 0.0)))
        .collect();
    let y: Vec<f64> = (0..n).map(|i| 2.0 * t[i] + z[i] + 0.05 * e[i]).collect();
    Dataset::new(vec!["z".into(), "t".into(), "y".into()], vec![z, t, y]).unwrap()
}

/// What generic code over the contract looks like: any unchecked or checked ATE family.
fn ate_of<F: Fit<Object = EffectFit, Error = CoreError>>(f: &F, data: &Dataset) -> f64 {
    f.fit(data, ()).unwrap().ate
}

#[test]
fn unchecked_params_fit_as_their_checked_algorithm() {
    let d = data();
    let reg = RegressionParams::new("t", "y").covariates(&["z"]);
    assert_eq!(ate_of(&reg, &d), ate_of(&reg.clone().check().unwrap(), &d));
    let ipw = IpwParams::new("t", "y").covariates(&["z"]);
    assert_eq!(ate_of(&ipw, &d), ate_of(&ipw.clone().check().unwrap(), &d));
    let aipw = AipwParams::new("t", "y").covariates(&["z"]);
    assert_eq!(
        ate_of(&aipw, &d),
        ate_of(&aipw.clone().check().unwrap(), &d)
    );
    let dml = DmlParams::plr("t", "y").covariates(&["z"]);
    assert_eq!(
        ate_of(&dml, &d),
        dml.clone().check().unwrap().fit_dml(&d).unwrap().coef
    );
    let cate = CateLearnerParams::new(CateMethod::Dr, "t", "y", &[]).covariates(&["z"]);
    assert_eq!(
        cate.fit(&d, ()).unwrap(),
        cate.clone().check().unwrap().fit_cate(&d).unwrap()
    );
    let dose = DoseResponseParams::new("z", "y").grid(&[-0.5, 0.0, 0.5]);
    assert_eq!(
        dose.fit(&d, ()).unwrap(),
        dose.clone().check().unwrap().fit_dose(&d).unwrap()
    );
    // The regression recovers the effect, so the comparison above is between real fits.
    assert!((ate_of(&reg, &d) - 2.0).abs() < 0.1);
}

#[test]
fn a_dyn_ate_estimator_fits_through_the_contract() {
    let d = data();
    let est: Box<dyn AteEstimator> = Box::new(
        RegressionParams::new("t", "y")
            .covariates(&["z"])
            .check()
            .unwrap(),
    );
    assert_eq!(est.fit(&d, ()).unwrap().ate, est.point(&d).unwrap());
    let refuted = RefuteParams::default().fit(&d, est.as_ref()).unwrap();
    assert_eq!(refuted.refutations.len(), 4);
    let mut g = MixedGraph::with_nodes(["z", "t", "y"]).unwrap();
    g.add_directed("z", "t").unwrap();
    g.add_directed("z", "y").unwrap();
    g.add_directed("t", "y").unwrap();
    // A complete DAG implies no independence: nothing to reject.
    let tested = GraphTestParams::default().fit(&d, &g).unwrap();
    assert!(tested.tests.is_empty() && tested.passed);
}

#[test]
fn a_bad_setting_is_an_invalid_parameter_from_fit() {
    let d = data();
    let invalid = |r: Result<f64, CoreError>, what: &str| match r {
        Err(CoreError::InvalidParameter(m)) => assert!(m.contains(what), "{m}"),
        other => panic!("expected InvalidParameter naming {what}, got {other:?}"),
    };
    invalid(
        RegressionParams::new("t", "t").fit(&d, ()).map(|f| f.ate),
        "'t'",
    );
    invalid(
        DmlParams::plr("t", "y").folds(1).fit(&d, ()).map(|f| f.ate),
        "folds",
    );
    invalid(
        DoseResponseParams::new("z", "y")
            .points(1)
            .fit(&d, ())
            .map(|f| f.theta[0]),
        "points",
    );
    let est = RegressionParams::new("t", "y").check().unwrap();
    let refute = RefuteParams {
        simulations: 0,
        ..RefuteParams::default()
    };
    invalid(
        refute.fit(&d, &est as &dyn AteEstimator).map(|_| 0.0),
        "simulations",
    );
    let g = MixedGraph::with_nodes(["z", "t", "y"]).unwrap();
    let tests = GraphTestParams {
        alpha: 1.5,
        ..GraphTestParams::default()
    };
    invalid(tests.fit(&d, &g).map(|_| 0.0), "alpha");
}
