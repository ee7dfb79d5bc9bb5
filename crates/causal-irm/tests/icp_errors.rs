//! Bad input to ICP gets a clear error naming the problem; pre-selection handles many predictors.

use causal_core::contract::ParamGuard;
use causal_core::data::Dataset;
use causal_irm::IrmError;
use causal_irm::environments::Environments;
use causal_irm::icp::{IcpParams, Preselection};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// `p` noise predictors `N0..`, two parents `A`, `B` shifted across 3 environments, target `Y`.
fn wide(p: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut z = move || -> f64 { StandardNormal.sample(&mut rng) };
    let n = 600;
    let mut cols = vec![Vec::with_capacity(n); p + 4];
    for i in 0..n {
        let e = (i / 200) as f64;
        let a = z() + e;
        let b = z() * (1.0 + e);
        let y = 1.0 * a - 0.8 * b + 0.5 * z();
        for c in cols.iter_mut().take(p) {
            c.push(z() + 0.1 * a);
        }
        cols[p].push(a);
        cols[p + 1].push(b);
        cols[p + 2].push(y);
        cols[p + 3].push(e);
    }
    let mut names: Vec<String> = (0..p).map(|j| format!("N{j}")).collect();
    names.extend(["A", "B", "Y", "E"].map(String::from));
    Dataset::new(names, cols)
        .unwrap()
        .with_environment("E")
        .unwrap()
}

#[test]
fn single_environment_and_tiny_environment() {
    let err = Environments::from_labels(&[1; 10]).unwrap_err();
    assert!(matches!(err, IrmError::Environments(_)));
    assert!(err.to_string().contains("found 1 environment"), "{err}");
    let mut labels = vec![0; 10];
    labels[9] = 4;
    let err = Environments::from_labels(&labels).unwrap_err().to_string();
    assert!(err.contains("environment 4 has 1 row"), "{err}");
}

#[test]
fn non_numeric_target() {
    // Text in the target column makes it categorical (and discrete), which ICP refuses below.
    let text = Dataset::from_text("x,y,e\n1,a,0\n2,b,1\n").unwrap();
    assert_eq!(text.levels("y").unwrap().unwrap(), ["a", "b"]);
    assert!(text.is_discrete("y").unwrap());
    // A categorical target is refused by ICP, naming it.
    let base = wide(2, 0);
    let mut cols: Vec<Vec<f64>> = base.columns().into_iter().map(<[f64]>::to_vec).collect();
    let y = base.index_of("Y").unwrap();
    cols[y] = cols[y].iter().map(|v| f64::from(*v > 0.0)).collect();
    let data = Dataset::new(base.names().to_vec(), cols)
        .unwrap()
        .with_environment("E")
        .unwrap()
        .with_discrete(&["Y"])
        .unwrap();
    let envs = Environments::from_dataset(&data).unwrap();
    let err = IcpParams::new()
        .check()
        .unwrap()
        .fit(&data, "Y", &envs)
        .unwrap_err();
    assert!(
        matches!(err, IrmError::Column { ref column, .. } if column == "Y"),
        "{err}"
    );
    assert!(err.to_string().contains("categorical"), "{err}");
    // The environment column cannot be the target.
    let data = wide(2, 0);
    let err = IcpParams::new()
        .check()
        .unwrap()
        .fit(&data, "E", &envs)
        .unwrap_err();
    assert!(err.to_string().contains("environment column"), "{err}");
}

#[test]
fn too_many_predictors_without_preselection() {
    let data = wide(25, 1);
    let envs = Environments::from_dataset(&data).unwrap();
    let err = IcpParams::new()
        .check()
        .unwrap()
        .fit(&data, "Y", &envs)
        .unwrap_err();
    assert!(
        matches!(err, IrmError::TooManySubsets { predictors: 27, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("pre-selection"), "{err}");
}

#[test]
fn preselection_finds_parents_among_many() {
    let data = wide(25, 2);
    let envs = Environments::from_dataset(&data).unwrap();
    for pre in [Preselection::Lasso(6), Preselection::Boosting(6)] {
        let icp = IcpParams::new()
            .preselection(pre)
            .check()
            .unwrap()
            .fit(&data, "Y", &envs)
            .unwrap();
        assert_eq!(icp.selected.len(), 6);
        assert_eq!(icp.tests.len(), 64);
        assert_eq!(icp.estimate_names(), ["A", "B"], "{pre:?}");
    }
    // A subset-size cap also bounds the enumeration: Σ_{s≤2} C(27, s) = 1 + 27 + 351.
    let icp = IcpParams::new()
        .max_size(2)
        .check()
        .unwrap()
        .fit(&data, "Y", &envs)
        .unwrap();
    assert_eq!(icp.tests.len(), 379);
    assert_eq!(icp.estimate_names(), ["A", "B"]);
}

#[test]
fn collinear_and_constant_predictors_are_named() {
    let base = wide(1, 3);
    let mut names: Vec<String> = base.names().to_vec();
    let mut cols: Vec<Vec<f64>> = base.columns().into_iter().map(<[f64]>::to_vec).collect();
    names.push("A2".into());
    cols.push(base.column("A").unwrap().iter().map(|v| 2.0 * v).collect());
    let data = Dataset::new(names.clone(), cols.clone())
        .unwrap()
        .with_environment("E")
        .unwrap();
    let envs = Environments::from_dataset(&data).unwrap();
    let err = IcpParams::new()
        .check()
        .unwrap()
        .fit(&data, "Y", &envs)
        .unwrap_err()
        .to_string();
    assert!(err.contains("collinear") && err.contains("A, A2"), "{err}");
    names.push("C".into());
    cols.push(vec![3.0; base.n_rows()]);
    let data = Dataset::new(names, cols)
        .unwrap()
        .with_environment("E")
        .unwrap();
    let err = IcpParams::new()
        .predictors(["A", "C"])
        .check()
        .unwrap()
        .fit(&data, "Y", &envs)
        .unwrap_err()
        .to_string();
    assert!(err.contains("'C'") && err.contains("constant"), "{err}");
}

#[test]
fn bad_parameters() {
    assert!(IcpParams::new().alpha(0.0).check().is_err());
    assert!(IcpParams::new().alpha(f64::NAN).check().is_err());
    assert!(
        IcpParams::new()
            .preselection(Preselection::Lasso(0))
            .check()
            .is_err()
    );
}

/// The learner contract: unchecked `IcpParams` fit through the blanket impl exactly as the
/// checked `Icp`, and a bad setting comes back from that fit as `InvalidParameter`.
#[test]
fn unchecked_params_fit_through_the_contract() {
    use causal_core::contract::Fit;
    let data = wide(2, 5);
    let envs = Environments::from_dataset(&data).unwrap();
    let params = IcpParams::new();
    let via_contract = params.fit(&data, ("Y", &envs)).unwrap();
    let checked = params
        .clone()
        .check()
        .unwrap()
        .fit(&data, "Y", &envs)
        .unwrap();
    assert_eq!(via_contract.estimate_names(), checked.estimate_names());
    assert_eq!(via_contract.estimate_names(), ["A", "B"]);
    let err = IcpParams::new()
        .alpha(1.5)
        .fit(&data, ("Y", &envs))
        .unwrap_err();
    assert!(
        matches!(&err, IrmError::InvalidParameter(m) if m.contains("alpha")),
        "{err}"
    );
}
