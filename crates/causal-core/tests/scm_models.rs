//! SCMs: seeded sampling, interventions, counterfactuals against the closed form, JSON specs.

use std::sync::Arc;

use causal_core::CoreError;
use causal_core::scm::{Intervention, LinearGaussianScm, Mechanism, Noise, Scm, ScmSpec};
use rand::Rng;

fn linear() -> LinearGaussianScm {
    LinearGaussianScm::new(
        &["Z", "X", "M", "Y"],
        &[
            ("Z", "X", 0.7),
            ("X", "M", -1.3),
            ("M", "Y", 0.9),
            ("Z", "Y", 2.1),
            ("X", "Y", 0.4),
        ],
        &[0.5, -1.0, 0.25, 3.0],
        &[1.0, 0.8, 1.2, 0.5],
    )
    .unwrap()
}

#[test]
fn counterfactuals_match_the_closed_form_to_1e9() {
    let m = linear();
    let scm = m.to_scm().unwrap();
    let observed = scm.sample(200, 11).unwrap();
    for value in [-2.0, 0.0, 3.5] {
        let cf = scm
            .counterfactual(&observed, &[("X", Intervention::Hard(value))])
            .unwrap();
        for r in 0..observed.n_rows() {
            let row: Vec<f64> = (0..4).map(|j| observed.col(j)[r]).collect();
            let want = m.counterfactual_closed_form(&row, "X", value).unwrap();
            for j in 0..4 {
                assert!((cf.col(j)[r] - want[j]).abs() < 1e-9, "row {r} col {j}");
            }
            // Non-descendant Z keeps its value; Y moves by the total effect times the change.
            assert_eq!(cf.col(0)[r], row[0]);
            let te = m.total_effect("X", "Y").unwrap();
            assert!((cf.col(3)[r] - (row[3] + te * (value - row[1]))).abs() < 1e-9);
        }
    }
}

#[test]
fn shift_counterfactual_moves_descendants_by_total_effect() {
    let m = linear();
    let scm = m.to_scm().unwrap();
    let obs = scm.sample(50, 3).unwrap();
    let cf = scm
        .counterfactual(&obs, &[("X", Intervention::Shift(1.0))])
        .unwrap();
    let te = m.total_effect("X", "Y").unwrap();
    assert!((te - (0.4 + -1.3 * 0.9)).abs() < 1e-12);
    for r in 0..50 {
        assert!((cf.column("Y").unwrap()[r] - obs.column("Y").unwrap()[r] - te).abs() < 1e-9);
    }
}

#[test]
fn sampling_is_seeded_and_matches_the_covariance() {
    let m = linear();
    let scm = m.to_scm().unwrap();
    assert_eq!(scm.sample(100, 5).unwrap(), scm.sample(100, 5).unwrap());
    assert_ne!(scm.sample(100, 5).unwrap(), scm.sample(100, 6).unwrap());
    let d = scm.sample(200_000, 1).unwrap();
    let cov = m.covariance().unwrap();
    let (x, y) = (d.column("X").unwrap(), d.column("Y").unwrap());
    let mx = x.iter().sum::<f64>() / x.len() as f64;
    let my = y.iter().sum::<f64>() / y.len() as f64;
    let cxy = x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / (x.len() - 1) as f64;
    assert!((cxy - cov[(1, 3)]).abs() < 0.03, "{cxy} vs {}", cov[(1, 3)]);
}

#[test]
fn interventions_hard_soft_shift_and_policy() {
    let scm = linear().to_scm().unwrap();
    let mean = |d: &causal_core::data::Dataset, c: &str| {
        let v = d.column(c).unwrap();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let base = scm.sample(50_000, 2).unwrap();
    let hard = scm
        .intervene(&[("X", Intervention::Hard(1.0))])
        .unwrap()
        .sample(50_000, 2)
        .unwrap();
    // E[Y | do(X=1)] = 3 + 2.1 E[Z] + (0.4 - 1.17) * 1 + 0.9 * 0.25 = 3 + 1.05 - 0.77 + 0.225
    assert!(
        (mean(&hard, "Y") - 3.505).abs() < 0.02,
        "{}",
        mean(&hard, "Y")
    );
    let shift = scm
        .intervene(&[("X", Intervention::Shift(1.0))])
        .unwrap()
        .sample(50_000, 2)
        .unwrap();
    assert!((mean(&shift, "Y") - mean(&base, "Y") - (0.4 - 1.17)).abs() < 1e-9);
    let soft = scm
        .intervene(&[(
            "X",
            Intervention::Soft {
                parents: vec![],
                mechanism: Mechanism::Additive(Arc::new(|_| 2.0)),
                noise: Some(Noise::Gaussian(0.0)),
            },
        )])
        .unwrap()
        .sample(1000, 2)
        .unwrap();
    assert!(soft.column("X").unwrap().iter().all(|&x| x == 2.0));
    // A stochastic policy treating when Z > 0.5 with probability 0.9.
    let policy = scm
        .intervene(&[(
            "X",
            Intervention::Policy {
                inputs: vec!["Z".into()],
                policy: Arc::new(|z, rng| {
                    let p = if z[0] > 0.5 { 0.9 } else { 0.1 };
                    f64::from(u8::from(rng.random::<f64>() < p))
                }),
            },
        )])
        .unwrap()
        .sample(20_000, 4)
        .unwrap();
    let (z, x) = (policy.column("Z").unwrap(), policy.column("X").unwrap());
    let hi: Vec<f64> = z
        .iter()
        .zip(x)
        .filter(|(z, _)| **z > 0.5)
        .map(|(_, x)| *x)
        .collect();
    let rate = hi.iter().sum::<f64>() / hi.len() as f64;
    assert!((rate - 0.9).abs() < 0.02, "{rate}");
    // A policy reading a descendant makes a cycle, named.
    let err = scm
        .intervene(&[(
            "X",
            Intervention::Policy {
                inputs: vec!["Y".into()],
                policy: Arc::new(|_, _| 0.0),
            },
        )])
        .unwrap_err();
    assert!(matches!(err, CoreError::Cycle(_)), "{err}");
}

#[test]
fn general_mechanisms_and_non_additive_counterfactual_error() {
    let scm = Scm::builder()
        .node(
            "A",
            &[],
            Mechanism::Additive(Arc::new(|_| 0.0)),
            Noise::Uniform,
        )
        .node(
            "B",
            &["A"],
            Mechanism::General(Arc::new(|p, u| p[0] * u)),
            Noise::Gaussian(1.0),
        )
        .build()
        .unwrap();
    let d = scm.sample(10, 0).unwrap();
    let err = scm
        .counterfactual(&d, &[("A", Intervention::Hard(0.5))])
        .unwrap_err();
    assert!(err.to_string().contains("'B'"), "{err}");
    assert!(matches!(
        Scm::builder()
            .node("A", &["Q"], Mechanism::Additive(Arc::new(|_| 0.0)), Noise::Uniform)
            .build(),
        Err(CoreError::UnknownNode(n)) if n == "Q"
    ));
}

#[test]
fn json_spec_builds_logistic_and_linear_models() {
    let spec = ScmSpec::from_json(
        r#"{"nodes":[
            {"name":"Z","type":"binary"},
            {"name":"T","type":"binary","intercept":-0.3,"parents":{"Z":1.0}},
            {"name":"Y","type":"binary","intercept":-0.5,"parents":{"T":1.0,"Z":0.8}}
        ]}"#,
    )
    .unwrap();
    let d = spec.to_scm().unwrap().sample(100_000, 9).unwrap();
    let z = d.column("Z").unwrap();
    assert!(z.iter().all(|&v| v == 0.0 || v == 1.0));
    let pz = z.iter().sum::<f64>() / z.len() as f64;
    assert!((pz - 0.5).abs() < 0.01);
    assert!(spec.to_linear_gaussian().is_err());
    let lin =
        ScmSpec::from_json(r#"{"nodes":[{"name":"X","sd":2},{"name":"Y","parents":{"X":1.5}}]}"#)
            .unwrap()
            .to_linear_gaussian()
            .unwrap();
    assert_eq!(lin.total_effect("X", "Y").unwrap(), 1.5);
    for bad in [
        r#"{"nodes":[{"name":"X","parents":{"Y":1}}]}"#,
        r#"{"nodes":[{"name":"X","parents":{"Y":1}},{"name":"Y","parents":{"X":1}}]}"#,
        r#"{"nodes":[{"name":"X","sd":-1}]}"#,
        "{\"nodes\": [\n{\"name\": 3}]}",
    ] {
        assert!(ScmSpec::from_json(bad).is_err(), "{bad}");
    }
    let cyc = ScmSpec::from_json(
        r#"{"nodes":[{"name":"X","parents":{"Y":1}},{"name":"Y","parents":{"X":1}}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        cyc.contains("X") && cyc.contains("Y") && cyc.contains("cycle"),
        "{cyc}"
    );
}
