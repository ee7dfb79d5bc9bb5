//! Saving a fitted deep-invariance model and loading it back: the reloaded network predicts
//! exactly what the one in memory predicts, for a plain MLP (IRMv1), a linear model (V-REx)
//! and DANN's featurizer-plus-head; a folder that does not fit is refused, naming the file.
#![cfg(feature = "torch")]

use causal_core::contract::ParamGuard;
use causal_core::data::{ColumnRoles, Dataset};
use causal_irm::IrmError;
use causal_irm::deep::{ARCHITECTURE_FILE, DeepFit, DeepParams, Method, Task};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 200 rows of a causal feature `c` and a spurious one `s` that agrees with the label `y`
/// w.p. `1 − flip`, appended to `cols` (`e`, `c`, `s`, `y`) under environment `label`.
fn env(cols: &mut [Vec<f64>; 4], label: f64, flip: f64, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..200 {
        let c: f32 = rng.random_range(-1.0..1.0);
        let y = (c > 0.0) != rng.random_bool(0.15);
        let s: f32 = if y != rng.random_bool(flip) {
            1.0
        } else {
            -1.0
        };
        cols[0].push(label);
        cols[1].push(f64::from(c));
        cols[2].push(f64::from(s + rng.random_range(-0.1..0.1)));
        cols[3].push(f64::from(u8::from(y)));
    }
}

/// The environments `(flip, seed)`, labelled 0, 1, … in order.
fn table(envs: &[(f64, u64)]) -> Dataset {
    let mut cols: [Vec<f64>; 4] = Default::default();
    for (label, (flip, seed)) in envs.iter().enumerate() {
        env(&mut cols, label as f64, *flip, *seed);
    }
    Dataset::new(
        vec!["e".into(), "c".into(), "s".into(), "y".into()],
        cols.to_vec(),
    )
    .unwrap()
}

fn roles() -> ColumnRoles {
    ColumnRoles::new()
        .environment("e")
        .outcome("y")
        .covariates(["c", "s"])
}

fn dir(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("causal-irm-save-{tag}-{}", std::process::id()))
}

#[test]
fn a_reloaded_model_predicts_exactly_as_the_fitted_one() {
    let train = table(&[(0.05, 1), (0.25, 2)]);
    let first = table(&[(0.05, 1)]);
    let test = table(&[(0.9, 3)]);
    for (method, hidden) in [
        (
            Method::Irm {
                weight: 10.0,
                anneal_epochs: 5,
            },
            vec![16, 8],
        ),
        (
            Method::Vrex {
                weight: 10.0,
                anneal_epochs: 5,
            },
            vec![],
        ),
        (
            Method::Dann {
                weight: 1.0,
                hidden: 8,
            },
            vec![16],
        ),
    ] {
        let model = DeepParams::new(method, Task::Binary)
            .hidden(&hidden)
            .epochs(20)
            .learning_rate(1e-2)
            .seed(4)
            .device("cpu")
            .check()
            .unwrap()
            .fit(&train, &roles(), &[])
            .unwrap();
        let path = dir(method.name());
        model.save(&path).unwrap();
        let back = DeepFit::load(&path, Some("cpu")).unwrap();
        assert_eq!(back.architecture(), model.architecture());
        assert_eq!(back.method(), method);
        for rows in [&first, &test] {
            let (a, b) = (
                model.predict(rows, &roles()).unwrap(),
                back.predict(rows, &roles()).unwrap(),
            );
            assert_eq!(a.len(), 200);
            // Bit-identical outputs, and not a constant (the weights did travel).
            assert_eq!(a, b, "{}", method.name());
            assert!(
                a.iter().any(|v| (v - a[0]).abs() > 1e-3),
                "{}",
                method.name()
            );
        }
        assert_eq!(
            back.linear_weights().unwrap(),
            model.linear_weights().unwrap()
        );
        std::fs::remove_dir_all(&path).ok();
    }
}

#[test]
fn a_folder_that_does_not_fit_is_refused_naming_the_file() {
    let missing = dir("missing");
    let e = DeepFit::load(&missing, Some("cpu")).unwrap_err();
    assert!(matches!(e, IrmError::InvalidParameter(_)), "{e}");
    assert!(e.to_string().contains(ARCHITECTURE_FILE), "{e}");

    // Weights of a 2-feature model under an architecture that claims 3 features.
    let model = DeepParams::new(Method::Erm, Task::Binary)
        .hidden(&[4])
        .epochs(2)
        .device("cpu")
        .check()
        .unwrap()
        .fit(&table(&[(0.1, 5), (0.2, 6)]), &roles(), &[])
        .unwrap();
    let path = dir("shape");
    model.save(&path).unwrap();
    let arch = path.join(ARCHITECTURE_FILE);
    let text = std::fs::read_to_string(&arch).unwrap();
    std::fs::write(
        &arch,
        text.replace("\"n_features\": 2", "\"n_features\": 3"),
    )
    .unwrap();
    let e = DeepFit::load(&path, Some("cpu")).unwrap_err();
    assert!(e.to_string().contains("model.safetensors"), "{e}");
    assert!(e.to_string().contains("shape"), "{e}");
    std::fs::remove_dir_all(&path).ok();
}
