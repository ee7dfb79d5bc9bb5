//! Bad input to the estimators gets an error that names the column at fault.

use causal_core::CoreError;
use causal_core::contract::Fit;
use causal_core::data::Dataset;
use causal_core::estimate::{
    AipwParams, IpwParams, ParamGuard, RegressionParams, TwoStageLeastSquaresParams,
};

fn data() -> Dataset {
    Dataset::from_text(
        "z,z2,t,y,c\n0.1,0.2,0,1.0,2\n-0.4,-0.8,1,2.0,2\n1.3,2.6,1,3.5,2\n0.7,1.4,0,0.2,2\n-1.1,-2.2,0,-0.5,2\n0.3,0.6,1,2.2,2\n",
    )
    .unwrap()
}

#[test]
fn non_binary_treatment_is_named() {
    let est = IpwParams::new("y", "t").covariates(&["z"]).check().unwrap();
    let err = est.fit(&data(), ()).unwrap_err().to_string();
    assert!(err.contains("'y'") && err.contains("not 0 or 1"), "{err}");
    let est = AipwParams::new("z", "y").check().unwrap();
    assert!(
        matches!(est.fit(&data(), ()), Err(CoreError::BadValue { column, .. }) if column == "z")
    );
}

#[test]
fn collinear_covariates_are_named() {
    let est = RegressionParams::new("t", "y")
        .covariates(&["z", "z2"])
        .check()
        .unwrap();
    match est.fit(&data(), ()) {
        Err(CoreError::Collinear { column, with }) => {
            assert_eq!(column, "z2");
            assert!(with.contains(&"z".to_string()), "{with:?}");
        }
        other => panic!("expected a collinearity error, got {other:?}"),
    }
    let est = RegressionParams::new("t", "y")
        .covariates(&["c"])
        .check()
        .unwrap();
    let err = est.fit(&data(), ()).unwrap_err().to_string();
    assert!(err.contains("'c'") && err.contains("intercept"), "{err}");
}

#[test]
fn no_overlap_is_reported() {
    // z separates treated from controls perfectly.
    let d =
        Dataset::from_text("z,t,y\n-3,0,1\n-2,0,1.2\n-1,0,0.8\n1,1,3\n2,1,3.1\n3,1,2.9\n").unwrap();
    let est = IpwParams::new("t", "y").covariates(&["z"]).check().unwrap();
    let err = est.fit(&d, ()).unwrap_err();
    assert!(matches!(err, CoreError::NoOverlap(_)), "{err}");
    assert!(err.to_string().contains("'t'"));
}

#[test]
fn missing_column_is_named() {
    let est = RegressionParams::new("t", "y")
        .covariates(&["w"])
        .check()
        .unwrap();
    assert_eq!(
        est.fit(&data(), ()).unwrap_err().to_string(),
        "unknown column 'w'"
    );
}

#[test]
fn inconsistent_roles_are_rejected_before_fitting() {
    assert!(RegressionParams::new("t", "t").check().is_err());
    assert!(
        RegressionParams::new("t", "y")
            .covariates(&["y"])
            .check()
            .is_err()
    );
    assert!(IpwParams::new("t", "y").clip(0.7).check().is_err());
    assert!(
        TwoStageLeastSquaresParams::new("t", &[], "y")
            .check()
            .is_err()
    );
}
