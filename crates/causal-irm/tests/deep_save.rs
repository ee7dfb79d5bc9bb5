//! Saving a fitted deep-invariance model and loading it back: the reloaded network predicts
//! exactly what the one in memory predicts, for a plain MLP (IRMv1), a linear model (V-REx)
//! and DANN's featurizer-plus-head; a folder that does not fit is refused, naming the file.
#![cfg(feature = "torch")]

use causal_irm::IrmError;
use causal_irm::deep::{ARCHITECTURE_FILE, DeepParams, EnvData, InvariantModel, Method, Task};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 200 rows of a causal feature and a spurious one that agrees with the label w.p. `1 − flip`.
fn env(flip: f64, seed: u64) -> EnvData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for _ in 0..200 {
        let c: f32 = rng.random_range(-1.0..1.0);
        let label = (c > 0.0) != rng.random_bool(0.15);
        let s = if label != rng.random_bool(flip) {
            1.0
        } else {
            -1.0
        };
        x.extend_from_slice(&[c, s + rng.random_range(-0.1..0.1)]);
        y.push(f32::from(u8::from(label)));
    }
    EnvData::new(x, 2, y).unwrap()
}

fn dir(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("causal-irm-save-{tag}-{}", std::process::id()))
}

#[test]
fn a_reloaded_model_predicts_exactly_as_the_fitted_one() {
    let train = [env(0.05, 1), env(0.25, 2)];
    let test = env(0.9, 3);
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
            .fit(&train, &[])
            .unwrap();
        let path = dir(method.name());
        model.save(&path).unwrap();
        let back = InvariantModel::load(&path, Some("cpu")).unwrap();
        assert_eq!(back.architecture(), model.architecture());
        assert_eq!(back.method(), method);
        for rows in [&train[0], &test] {
            let (a, b) = (model.predict(rows).unwrap(), back.predict(rows).unwrap());
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
    let e = InvariantModel::load(&missing, Some("cpu")).unwrap_err();
    assert!(matches!(e, IrmError::InvalidParameter(_)), "{e}");
    assert!(e.to_string().contains(ARCHITECTURE_FILE), "{e}");

    // Weights of a 2-feature model under an architecture that claims 3 features.
    let model = DeepParams::new(Method::Erm, Task::Binary)
        .hidden(&[4])
        .epochs(2)
        .device("cpu")
        .check()
        .unwrap()
        .fit(&[env(0.1, 5), env(0.2, 6)], &[])
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
    let e = InvariantModel::load(&path, Some("cpu")).unwrap_err();
    assert!(e.to_string().contains("model.safetensors"), "{e}");
    assert!(e.to_string().contains("shape"), "{e}");
    std::fs::remove_dir_all(&path).ok();
}
