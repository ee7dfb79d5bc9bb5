//! ICP against the `causalicp` Python package (fixture made by `scripts/fixtures/irm/make_icp_fixture.py`),
//! and recovery of the true parents on a simulated SCM.

use causal_core::contract::ParamGuard;
use causal_core::data::Dataset;
use causal_irm::environments::Environments;
use causal_irm::icp::{IcpParams, IcpTest};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde_json::Value;

fn fixture() -> Value {
    let text = include_str!("fixtures/icp_causalicp.json");
    serde_json::from_str(text).expect("fixture parses")
}

/// The fixture's case as a data set `V0..Vp` plus `E`, and the target's name.
fn dataset(case: &Value) -> (Dataset, String) {
    let envs = case["columns"].as_array().unwrap();
    let d = envs[0][0].as_array().unwrap().len();
    let mut cols = vec![Vec::new(); d + 1];
    for (e, rows) in envs.iter().enumerate() {
        for row in rows.as_array().unwrap() {
            for (j, v) in row.as_array().unwrap().iter().enumerate() {
                cols[j].push(v.as_f64().unwrap());
            }
            cols[d].push(e as f64);
        }
    }
    let mut names: Vec<String> = (0..d).map(|j| format!("V{j}")).collect();
    names.push("E".into());
    let data = Dataset::new(names, cols)
        .unwrap()
        .with_environment("E")
        .unwrap();
    (data, format!("V{}", case["target"].as_u64().unwrap()))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + b.abs())
}

#[test]
fn matches_causalicp_on_twelve_data_sets() {
    let fx = fixture();
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let mut rejected_models = 0;
    for case in cases {
        let seed = &case["seed"];
        let (data, target) = dataset(case);
        let envs = Environments::from_dataset(&data).unwrap();
        let alpha = case["alpha"].as_f64().unwrap();
        let icp = IcpParams::new()
            .alpha(alpha)
            .check()
            .unwrap()
            .fit(&data, &target, &envs)
            .unwrap();
        let sets = case["sets"].as_array().unwrap();
        assert_eq!(icp.tests.len(), sets.len(), "case {seed}");
        for (ours, theirs) in icp.tests.iter().zip(sets) {
            let set: Vec<usize> = theirs["set"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(ours.set, set, "case {seed}");
            let p = theirs["p_value"].as_f64().unwrap();
            assert!(
                close(ours.p_value, p),
                "case {seed} set {set:?}: {} vs {p}",
                ours.p_value
            );
        }
        let mut accepted: Vec<Vec<usize>> = icp
            .accepted
            .iter()
            .map(|&t| icp.tests[t].set.clone())
            .collect();
        accepted.sort();
        let theirs: Vec<Vec<usize>> = serde_json::from_value(case["accepted"].clone()).unwrap();
        assert_eq!(accepted, theirs, "case {seed}");
        match case["estimate"].as_array() {
            None => {
                assert!(icp.model_rejected, "case {seed}");
                rejected_models += 1;
            }
            Some(est) => {
                let est: Vec<usize> = est.iter().map(|v| v.as_u64().unwrap() as usize).collect();
                assert_eq!(icp.estimate, est, "case {seed}");
            }
        }
        for (j, p) in case["p_values"].as_array().unwrap().iter().enumerate() {
            let p = p.as_f64().unwrap();
            assert!(
                close(icp.p_values[j], p),
                "case {seed} var {j}: {} vs {p}",
                icp.p_values[j]
            );
        }
        match (&icp.intervals, case["intervals"].as_array()) {
            (None, None) => {}
            (Some(ours), Some(theirs)) => {
                for (j, iv) in theirs.iter().enumerate() {
                    let lo = iv[0].as_f64().unwrap();
                    let hi = iv[1].as_f64().unwrap();
                    assert!(
                        close(ours[j].0, lo) && close(ours[j].1, hi),
                        "case {seed} var {j}"
                    );
                }
            }
            (a, b) => panic!("case {seed}: intervals {a:?} vs {b:?}"),
        }
    }
    assert!(
        rejected_models >= 1,
        "the fixture includes model violations"
    );
}

/// `X1 → X2 → Y → X4 → X5`, `X3 → Y`, `X1 → Y`; environments intervene on X1, X2, X3 only.
fn scm(n_per_env: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut z = move || -> f64 { StandardNormal.sample(&mut rng) };
    let mut cols = vec![Vec::new(); 7];
    for e in 0..4 {
        for _ in 0..n_per_env {
            let x1 = z() + if e == 1 { 2.0 } else { 0.0 };
            let x2 = if e == 2 {
                1.5 * z() - 1.0
            } else {
                0.8 * x1 + z()
            };
            let x3 = z() * if e == 3 { 2.5 } else { 1.0 };
            let y = 0.7 * x1 + 1.0 * x2 - 1.5 * x3 + z();
            let x4 = 0.7 * y + z();
            let x5 = 0.5 * x4 + z();
            for (c, v) in cols.iter_mut().zip([x1, x2, x3, y, x4, x5, e as f64]) {
                c.push(v);
            }
        }
    }
    let names = ["X1", "X2", "X3", "Y", "X4", "X5", "E"]
        .map(String::from)
        .to_vec();
    Dataset::new(names, cols)
        .unwrap()
        .with_environment("E")
        .unwrap()
}

#[test]
fn recovers_true_parents_at_n_4000() {
    for test in [IcpTest::Approximate, IcpTest::Exact] {
        for seed in 0..3 {
            let data = scm(1000, seed);
            let envs = Environments::from_dataset(&data).unwrap();
            let icp = IcpParams::new()
                .test(test)
                .check()
                .unwrap()
                .fit(&data, "Y", &envs)
                .unwrap();
            let names = icp.estimate_names();
            if test == IcpTest::Approximate {
                assert_eq!(names, ["X1", "X2", "X3"], "seed {seed}");
            } else {
                // Method I (predictive Chow) has less power here: it accepts the child set
                // {X4} too, but its estimate must stay inside the true parents.
                assert!(
                    names.iter().all(|n| ["X1", "X2", "X3"].contains(n)),
                    "seed {seed}"
                );
                assert!(
                    icp.accepted_names().contains(&vec!["X1", "X2", "X3"]),
                    "seed {seed}"
                );
            }
            assert!(!icp.model_rejected);
            // The true coefficients lie in the union of intervals.
            let iv = icp.intervals.as_ref().unwrap();
            for (j, truth) in [(0, 0.7), (1, 1.0), (2, -1.5), (3, 0.0), (4, 0.0)] {
                assert!(
                    iv[j].0 <= truth && truth <= iv[j].1,
                    "{test:?} seed {seed} var {j}: {:?}",
                    iv[j]
                );
            }
        }
    }
}

#[test]
fn rayon_output_equals_serial_output() {
    let data = scm(300, 7);
    let envs = Environments::from_dataset(&data).unwrap();
    let params = IcpParams::new().check().unwrap();
    let parallel = params.fit(&data, "Y", &envs).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial = pool.install(|| params.fit(&data, "Y", &envs).unwrap());
    assert_eq!(parallel, serial);
}
