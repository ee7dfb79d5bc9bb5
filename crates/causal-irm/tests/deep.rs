//! Deep invariance methods on a small two-feature problem: a causal feature whose relation to
//! the label is stable, and a spurious one whose correlation with the label is strong in the
//! training environments and reversed in the test environment.
#![cfg(feature = "torch")]

use causal_core::contract::ParamGuard;
use causal_core::data::{ColumnRoles, Dataset};
use causal_irm::IrmError;
use causal_irm::deep::{DeepParams, Method, Task};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Label from the causal feature with 15% noise; spurious feature agrees with the label w.p.
/// `1 − flip`. Columns: causal `c`, spurious `s`, label `y` (drawn in f32, as the networks train).
fn env(n: usize, flip: f64, seed: u64) -> [Vec<f64>; 3] {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut c_col, mut s_col, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let c: f32 = rng.random_range(-1.0..1.0);
        let mut label = c > 0.0;
        if rng.random_bool(0.15) {
            label = !label;
        }
        let agree = !rng.random_bool(flip);
        let s: f32 = if label == agree { 1.0 } else { -1.0 };
        c_col.push(f64::from(c));
        s_col.push(f64::from(s + rng.random_range(-0.1..0.1)));
        y.push(f64::from(u8::from(label)));
    }
    [c_col, s_col, y]
}

/// Environments stacked into one table, labelled 0, 1, … in order, column `e`.
fn table(envs: &[[Vec<f64>; 3]]) -> Dataset {
    let mut cols = vec![Vec::new(); 4];
    for (label, e) in envs.iter().enumerate() {
        cols[0].extend(std::iter::repeat_n(label as f64, e[0].len()));
        for k in 0..3 {
            cols[k + 1].extend_from_slice(&e[k]);
        }
    }
    Dataset::new(vec!["e".into(), "c".into(), "s".into(), "y".into()], cols).unwrap()
}

fn roles() -> ColumnRoles {
    ColumnRoles::new()
        .environment("e")
        .outcome("y")
        .covariates(["c", "s"])
}

/// Two training environments (labels 0, 1) and one test environment (label 2).
fn envs() -> Dataset {
    table(&[env(300, 0.05, 1), env(300, 0.25, 2), env(300, 0.9, 3)])
}

fn fit(method: Method, seed: u64) -> causal_irm::deep::DeepFit {
    fit_for(method, seed, 60)
}

fn fit_for(method: Method, seed: u64, epochs: usize) -> causal_irm::deep::DeepFit {
    let data = envs();
    DeepParams::new(method, Task::Binary)
        .hidden(&[16])
        .epochs(epochs)
        .learning_rate(1e-2)
        .l2(1e-4)
        .seed(seed)
        .device("cpu")
        .check()
        .unwrap()
        .fit(&data, &roles(), &[2])
        .unwrap()
}

#[test]
fn every_method_trains_and_reports_three_selection_rules() {
    for method in [
        Method::Erm,
        Method::Irm {
            weight: 100.0,
            anneal_epochs: 20,
        },
        Method::Vrex {
            weight: 100.0,
            anneal_epochs: 20,
        },
        Method::GroupDro { eta: 0.1 },
        Method::Dann {
            weight: 1.0,
            hidden: 8,
        },
    ] {
        let m = fit(method, 0);
        assert_eq!(m.curves.len(), 60, "{method:?}");
        let last = m.last().unwrap().metrics;
        assert!(last.train > 0.8, "{method:?} train accuracy {}", last.train);
        let sel = m.selected().unwrap();
        assert_eq!(sel.metrics.epoch, m.selected_epoch);
        // The trainer restored the selected epoch's weights: predictions reproduce its accuracy
        // on the training-domain validation split cannot be checked directly, but the oracle
        // epoch must maximise the oracle split's accuracy.
        let oracle = m.oracle().unwrap().metrics;
        assert!(
            m.curves
                .iter()
                .all(|c| c.oracle_validation <= oracle.oracle_validation)
        );
        assert!(
            m.history
                .terms
                .iter()
                .any(|t| t.name == "nll" || t.name == "dro")
        );
    }
}

#[test]
fn erm_uses_the_spurious_feature_irm_and_vrex_do_not() {
    let erm = fit_for(Method::Erm, 0, 150)
        .last()
        .unwrap()
        .metrics
        .test
        .unwrap();
    for m in [
        Method::Vrex {
            weight: 1000.0,
            anneal_epochs: 30,
        },
        Method::Irm {
            weight: 1000.0,
            anneal_epochs: 30,
        },
    ] {
        let t = fit_for(m, 0, 150).last().unwrap().metrics.test.unwrap();
        eprintln!("{m:?}: test {t} vs ERM {erm}");
        assert!(t > erm + 0.1, "{m:?} {t} vs ERM {erm}");
    }
    assert!(erm < 0.5, "ERM test accuracy {erm}");
}

#[test]
fn same_seed_same_curves() {
    let a = fit(
        Method::Irm {
            weight: 10.0,
            anneal_epochs: 5,
        },
        3,
    );
    let b = fit(
        Method::Irm {
            weight: 10.0,
            anneal_epochs: 5,
        },
        3,
    );
    assert_eq!(a.curves, b.curves);
}

#[test]
fn evaluating_every_kth_epoch_gives_the_same_training_and_a_subset_of_the_curves() {
    let method = Method::Irm {
        weight: 10.0,
        anneal_epochs: 5,
    };
    let every = fit_for(method, 4, 23);
    let data = envs();
    let sparse = DeepParams::new(method, Task::Binary)
        .hidden(&[16])
        .epochs(23)
        .learning_rate(1e-2)
        .l2(1e-4)
        .seed(4)
        .device("cpu")
        .eval_every(5)
        .check()
        .unwrap()
        .fit(&data, &roles(), &[2])
        .unwrap();
    // Epochs 0, 5, …, 20 and the last, 22; evaluation does not touch the training itself.
    let epochs: Vec<usize> = sparse.curves.iter().map(|c| c.epoch).collect();
    assert_eq!(epochs, vec![0, 5, 10, 15, 20, 22]);
    for c in &sparse.curves {
        assert_eq!(Some(c), every.at_epoch(c.epoch));
    }
    // Both rules choose among the evaluated epochs, and report that epoch's metrics.
    assert!(epochs.contains(&sparse.selected_epoch));
    assert_eq!(
        sparse.selected().unwrap().metrics.epoch,
        sparse.selected_epoch
    );
    let oracle = sparse.oracle().unwrap().metrics;
    assert!(epochs.contains(&oracle.epoch));
    assert!(
        sparse
            .curves
            .iter()
            .all(|c| c.oracle_validation <= oracle.oracle_validation)
    );
    assert_eq!(sparse.last().unwrap().metrics.epoch, 22);
    let zero = DeepParams::new(Method::Erm, Task::Binary)
        .eval_every(0)
        .check();
    assert!(zero.unwrap_err().to_string().contains("eval_every"));
}

#[test]
fn bad_input_is_named() {
    let data = envs();
    let p = DeepParams::new(Method::Erm, Task::Binary)
        .device("cpu")
        .check()
        .unwrap();
    let err = p.fit(&data, &roles(), &[1, 2]).unwrap_err();
    assert!(
        matches!(err, IrmError::Environments(_))
            && err.to_string().contains("1 training environment"),
        "{err}"
    );
    let err = p.fit(&data, &roles(), &[7]).unwrap_err().to_string();
    assert!(
        err.contains("test environment 7") && err.contains("'e'"),
        "{err}"
    );
    let err = p
        .fit(
            &data,
            &ColumnRoles::new().outcome("y").covariates(["c"]),
            &[],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("environment role"), "{err}");
    let err = p
        .fit(&data, &roles().covariates(Vec::<String>::new()), &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("feature"), "{err}");
    let err = p
        .fit(&data, &roles().covariates(["c", "nope"]), &[])
        .unwrap_err();
    assert!(
        matches!(err, IrmError::Core(_)) && err.to_string().contains("nope"),
        "{err}"
    );
    // A label outside {0, 1} in a binary task, named.
    let mut bad = env(4, 0.0, 9);
    bad[2][1] = 2.0;
    let err = p
        .fit(&table(&[env(4, 0.0, 8), bad]), &roles(), &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("label 2"), "{err}");
    // An environment of one row, named by its label.
    let one = [vec![0.5], vec![1.0], vec![1.0]];
    let err = p
        .fit(
            &table(&[env(4, 0.0, 8), env(4, 0.0, 9), one]),
            &roles(),
            &[],
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("environment 2") && err.contains("1 row"),
        "{err}"
    );
    // Non-integer environment labels.
    let half = Dataset::new(
        vec!["e".into(), "c".into(), "s".into(), "y".into()],
        vec![vec![0.5, 1.0], vec![0.0; 2], vec![0.0; 2], vec![0.0, 1.0]],
    )
    .unwrap();
    assert!(matches!(
        p.fit(&half, &roles(), &[]),
        Err(IrmError::Column { column, .. }) if column == "e"
    ));
    assert!(
        DeepParams::new(
            Method::Dann {
                weight: 1.0,
                hidden: 4
            },
            Task::Binary
        )
        .hidden(&[])
        .check()
        .is_err()
    );
}

/// This crate's build.rs keeps a CUDA LibTorch's backend linked into its binaries.
#[test]
fn the_cuda_backend_is_linked_when_libtorch_has_one() {
    let checked = causal_torch::device::check_cuda_linked().unwrap();
    eprintln!("CUDA backend link checked: {checked}");
}

/// The learner contract: a bad setting of unchecked `DeepParams` comes back from the blanket
/// `Fit` as `InvalidParameter`, before any training.
#[test]
fn unchecked_params_report_a_bad_setting_from_fit() {
    use causal_core::contract::Fit;
    let data = envs();
    let err = DeepParams::new(Method::Erm, Task::Binary)
        .hidden(&[0])
        .device("cpu")
        .fit(&data, (&roles(), &[2][..]))
        .unwrap_err();
    assert!(
        matches!(&err, IrmError::InvalidParameter(m) if m.contains("hidden")),
        "{err}"
    );
}
