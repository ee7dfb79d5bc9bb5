//! Several treatments with simultaneous bands: over seeded simulations of a linear model with
//! three correlated treatments, the multiplier-bootstrap band covers all three true effects
//! at about its level, while pointwise 95% intervals cover all three less often; the critical
//! value lies between the pointwise and the Bonferroni quantiles.

use causal_core::data::Dataset;
use causal_core::estimate::{DmlParams, ParamGuard};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

const THETA: [f64; 3] = [1.0, -0.5, 0.0];

/// `x1, x2 ~ N(0, 1)`; `d1 = x1 + u`, `d2 = 0.5 d1 − x2 + u'`, `d3 = x1 + x2 + u''`;
/// `y = Σ θ_j d_j + x1 − x2 + ε`.
fn simulate(seed: u64, n: usize) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut g = || -> f64 { StandardNormal.sample(&mut rng) };
    let mut cols = vec![Vec::<f64>::new(); 6];
    for _ in 0..n {
        let (x1, x2) = (g(), g());
        let d1 = x1 + g();
        let d2 = 0.5 * d1 - x2 + g();
        let d3 = x1 + x2 + g();
        let y = THETA[0] * d1 + THETA[1] * d2 + THETA[2] * d3 + x1 - x2 + g();
        for (c, v) in cols.iter_mut().zip([x1, x2, d1, d2, d3, y]) {
            c.push(v);
        }
    }
    let names = ["x1", "x2", "d1", "d2", "d3", "y"]
        .map(String::from)
        .to_vec();
    Dataset::new(names, cols).unwrap()
}

#[test]
fn joint_band_covers_all_effects_at_its_level() {
    let seeds = 200;
    let (mut joint, mut pointwise) = (0, 0);
    let mut crit = Vec::new();
    for seed in 0..seeds {
        let data = simulate(seed, 400);
        let fit = DmlParams::plr("d1", "y")
            .covariates(&["x1", "x2"])
            .seed(seed)
            .check()
            .unwrap()
            .fit_joint(&data, &["d1", "d2", "d3"], 0.95, 500)
            .unwrap();
        assert_eq!(fit.fits.len(), 3);
        joint += usize::from(
            fit.bands
                .iter()
                .zip(THETA)
                .all(|(b, t)| b[0] <= t && t <= b[1]),
        );
        pointwise += usize::from(
            fit.fits
                .iter()
                .zip(THETA)
                .all(|(f, t)| (f.coef - t).abs() <= 1.959964 * f.se),
        );
        crit.push(fit.critical_value);
    }
    let mean_crit = crit.iter().sum::<f64>() / crit.len() as f64;
    eprintln!("joint {joint}/{seeds}, pointwise-all {pointwise}/{seeds}, mean c {mean_crit:.3}");
    assert!(
        joint as f64 >= 0.90 * seeds as f64,
        "joint coverage {joint}/{seeds}"
    );
    assert!(pointwise < joint, "pointwise {pointwise} vs joint {joint}");
    // Nearly uncorrelated t-statistics: about Šidák's z(1 − (1 − 0.95^(1/3))/2) = 2.388.
    assert!(crit.iter().all(|c| *c > 1.96), "{crit:?}");
    assert!(
        (mean_crit - 2.388).abs() < 0.05,
        "mean critical value {mean_crit}"
    );
}

#[test]
fn correlated_estimates_get_a_smaller_critical_value() {
    // d2 is d1 plus a little noise: the two estimates are correlated at about −0.96, so the
    // maximum of |t| is close to one |t|, and c falls from the 2.236 of two independent
    // statistics toward 1.96.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut g = || -> f64 { StandardNormal.sample(&mut rng) };
    let n = 1000;
    let mut cols = vec![Vec::<f64>::new(); 4];
    for _ in 0..n {
        let x = g();
        let d1 = x + g();
        let d2 = d1 + 0.3 * g();
        let y = d1 + d2 + x + g();
        for (c, v) in cols.iter_mut().zip([x, d1, d2, y]) {
            c.push(v);
        }
    }
    let data = Dataset::new(["x", "d1", "d2", "y"].map(String::from).to_vec(), cols).unwrap();
    let fit = DmlParams::plr("d1", "y")
        .covariates(&["x"])
        .check()
        .unwrap()
        .fit_joint(&data, &["d1", "d2"], 0.95, 2000)
        .unwrap();
    eprintln!("correlated: c = {:.3}", fit.critical_value);
    assert!(
        fit.critical_value > 1.96 && fit.critical_value < 2.18,
        "{fit:?}"
    );
}

#[test]
fn seeded_fit_is_reproducible_and_bad_input_is_named() {
    let data = simulate(1, 300);
    let params = || {
        DmlParams::plr("d1", "y")
            .covariates(&["x1", "x2", "d2"])
            .repeats(3)
            .seed(7)
            .check()
            .unwrap()
    };
    let a = params().fit_joint(&data, &["d1", "d2"], 0.9, 200).unwrap();
    let b = params().fit_joint(&data, &["d1", "d2"], 0.9, 200).unwrap();
    assert_eq!(a, b);
    // A treatment listed among the covariates is not adjusted for itself.
    assert_eq!(a.fits[0].all_coef.len(), 3);
    let e = |r: causal_core::Result<_>| r.err().unwrap().to_string();
    assert!(e(params().fit_joint(&data, &["d1", "d1"], 0.9, 200)).contains("'d1'"));
    assert!(e(params().fit_joint(&data, &["d1", "nope"], 0.9, 200)).contains("nope"));
    assert!(e(params().fit_joint(&data, &["d1"], 1.5, 200)).contains("1.5"));
    assert!(e(params().fit_joint(&data, &["d1"], 0.9, 3)).contains("3"));
    assert!(e(params().fit_joint(&data, &[], 0.9, 200)).contains("at least one"));
}
