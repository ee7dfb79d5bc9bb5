//! PC on fresh random linear SEMs (20 seeds × d ∈ {10, 30}, n = 1000) against causal-learn
//! 0.1.4.8, run by `scripts/fixtures/discover/pc_fresh_fixtures.py`, which wrote `fixtures/pc_fresh.json`.
//! The data are regenerated here bit-identically (integer RNG, fixed-order arithmetic).

mod common;

use causal_core::contract::ParamGuard;
use causal_core::data::Dataset;
use causal_discover::ci::FisherZ;
use causal_discover::knowledge::Knowledge;
use causal_discover::pc::{PcParams, UcPriority, UcRule};
use common::diff;

const MASK_STEP: u64 = 0x9E37_79B9_7F4A_7C15;

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(MASK_STEP);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn normal(&mut self) -> f64 {
        let mut acc = 0.0;
        for _ in 0..12 {
            acc += self.uniform();
        }
        acc - 6.0
    }
}

fn simulate(seed: u64, d: usize, n: usize) -> Dataset {
    let mut rng = SplitMix(seed * 1000 + d as u64);
    let p = 3.0 / (d - 1) as f64;
    let mut parents: Vec<Vec<(usize, f64)>> = vec![Vec::new(); d];
    for i in 0..d {
        for j in (i + 1)..d {
            if rng.uniform() < p {
                let mut w = 0.5 + 1.5 * rng.uniform();
                if rng.uniform() < 0.5 {
                    w = -w;
                }
                parents[j].push((i, w));
            }
        }
    }
    let noise: Vec<Vec<f64>> = (0..d)
        .map(|_| (0..n).map(|_| rng.normal()).collect())
        .collect();
    let mut x = vec![vec![0.0; n]; d];
    for j in 0..d {
        for r in 0..n {
            let mut acc = noise[j][r];
            for &(i, w) in &parents[j] {
                acc += w * x[i][r];
            }
            x[j][r] = acc;
        }
    }
    let names = (1..=d).map(|i| format!("X{i}")).collect();
    Dataset::new(names, x).unwrap()
}

#[test]
fn pc_matches_causal_learn_on_fresh_random_sems() {
    let text = include_str!("fixtures/pc_fresh.json");
    let fixture: serde_json::Value = serde_json::from_str(text).unwrap();
    let sets = fixture["sets"].as_array().unwrap();
    assert!(sets.len() >= 40, "expected 20 seeds x 2 dimensions");
    let mut compared = 0;
    for set in sets {
        let seed = set["seed"].as_u64().unwrap();
        let d = set["d"].as_u64().unwrap() as usize;
        let n = set["n"].as_u64().unwrap() as usize;
        let data = simulate(seed, d, n);
        let sum: f64 = data.values().iter().sum();
        let want_sum = set["data_sum"].as_f64().unwrap();
        assert!(
            (sum - want_sum).abs() <= 1e-9 * want_sum.abs().max(1.0),
            "seed {seed} d {d}: regenerated data differ (sum {sum} vs {want_sum})"
        );
        let test = FisherZ::new(&data).unwrap();
        for (key, graph) in set["graphs"].as_object().unwrap() {
            let (rule, prio) = key.split_once('_').unwrap();
            let want: Vec<Vec<i8>> = graph
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_i64().unwrap() as i8)
                        .collect()
                })
                .collect();
            let pc = PcParams::new()
                .uc_rule(UcRule::from_code(rule.parse().unwrap()).unwrap())
                .uc_priority(UcPriority::from_code(prio.parse().unwrap()).unwrap());
            let got = pc
                .check()
                .unwrap()
                .fit_test(&test, data.names(), &Knowledge::new())
                .unwrap();
            let delta = diff(data.names(), &got.graph, &want);
            assert!(
                delta.is_empty(),
                "seed {seed} d {d} uc {key}: {} differences:\n{}",
                delta.len(),
                delta.join("\n")
            );
            compared += 1;
        }
    }
    assert!(compared >= 40);
}
