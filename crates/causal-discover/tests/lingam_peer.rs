//! DirectLiNGAM against the `lingam` package (1.13) on simulated non-Gaussian data; the
//! fixtures and the script that made them are in `tests/fixtures/lingam` and
//! `scripts/fixtures/discover/lingam_fixtures.py`.

use std::path::PathBuf;

use causal_core::contract::Fit;
use causal_core::data::Dataset;
use causal_discover::knowledge::Knowledge;
use causal_discover::lingam::DirectLingamParams;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lingam")
        .join(name)
}

fn check(case: &str) {
    let data = Dataset::from_path(fixture(&format!("{case}.csv"))).unwrap();
    let fit = DirectLingamParams::new()
        .fit(&data, &Knowledge::new())
        .unwrap();
    let order: Vec<usize> = std::fs::read_to_string(fixture(&format!("{case}.order")))
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(fit.causal_order(), order.as_slice(), "{case}: causal order");
    let adj: Vec<Vec<f64>> = std::fs::read_to_string(fixture(&format!("{case}.adj")))
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().map(|v| v.parse().unwrap()).collect())
        .collect();
    let b = fit.adjacency();
    for (i, row) in adj.iter().enumerate() {
        for (j, &want) in row.iter().enumerate() {
            assert_eq!(b[(i, j)] != 0.0, want != 0.0, "{case}: edge {j} -> {i}");
            assert!(
                (b[(i, j)] - want).abs() < 1e-8,
                "{case}: B[{i},{j}] {} vs {want}",
                b[(i, j)]
            );
        }
    }
}

#[test]
fn lingam_uniform_6_matches_the_lingam_package() {
    check("uniform_6");
}

#[test]
fn lingam_laplace_10_matches_the_lingam_package() {
    check("laplace_10");
}

#[test]
fn lingam_exp_8_matches_the_lingam_package() {
    check("exp_8");
}
