//! The dose-response curve of a continuous treatment against the simulated truth
//! `θ(t) = E[Y(t)]`: confounded designs where ignoring the covariates is biased.

use causal_core::contract::ParamGuard;
use causal_core::data::Dataset;
use causal_core::estimate::DoseResponseParams;
use causal_core::learner::{LinearRegression, RandomForest};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// `x1, x2 ~ N(0, 1)`, `T = x1 + 0.5 x2 + 0.8 u`, `Y = f(T) + x1 − 0.5 x2 + ε`:
/// `θ(t) = f(t)`.
fn simulate(seed: u64, n: usize, f: fn(f64) -> f64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut g = || -> f64 { StandardNormal.sample(&mut rng) };
    let mut cols = vec![Vec::<f64>::new(); 4];
    for _ in 0..n {
        let (x1, x2) = (g(), g());
        let t = x1 + 0.5 * x2 + 0.8 * g();
        let y = f(t) + x1 - 0.5 * x2 + 0.5 * g();
        for (c, v) in cols.iter_mut().zip([x1, x2, t, y]) {
            c.push(v);
        }
    }
    Dataset::new(["x1", "x2", "t", "y"].map(String::from).to_vec(), cols).unwrap()
}

fn curve_line(t: f64) -> f64 {
    2.0 * t
}

fn curve_wave(t: f64) -> f64 {
    (1.5 * t).sin() + 0.3 * t
}

const GRID: [f64; 9] = [-1.2, -0.9, -0.6, -0.3, 0.0, 0.3, 0.6, 0.9, 1.2];

#[test]
fn linear_nuisances_recover_a_linear_curve_with_covering_intervals() {
    let (mut covered, mut total) = (0, 0);
    for seed in 0..20 {
        let data = simulate(seed, 1000, curve_line);
        let fit = DoseResponseParams::new("t", "y")
            .covariates(&["x1", "x2"])
            .grid(&GRID)
            .seed(seed)
            .check()
            .unwrap()
            .fit_dose(&data)
            .unwrap();
        for ((t, lo), hi) in GRID.iter().zip(&fit.lower).zip(&fit.upper) {
            covered += usize::from(*lo <= curve_line(*t) && curve_line(*t) <= *hi);
            total += 1;
        }
    }
    // 157/180 (87%) when written: the sandwich variance of the local linear fit ignores the
    // nuisances' estimation, which costs a few points of coverage at n = 1000.
    eprintln!("linear: pointwise coverage {covered}/{total}");
    assert!(covered as f64 >= 0.85 * total as f64, "{covered}/{total}");
}

/// The maximum error over the grid against the wave.
fn max_err(f: &causal_core::estimate::DoseResponseFit) -> f64 {
    GRID.iter()
        .zip(&f.theta)
        .map(|(t, th)| (th - curve_wave(*t)).abs())
        .fold(0.0, f64::max)
}

fn covered(f: &causal_core::estimate::DoseResponseFit) -> usize {
    GRID.iter()
        .enumerate()
        .filter(|(k, t)| f.lower[*k] <= curve_wave(**t) && curve_wave(**t) <= f.upper[*k])
        .count()
}

#[test]
fn doubly_robust_with_a_right_treatment_model_and_a_wrong_or_flexible_outcome_model() {
    let data = simulate(7, 2000, curve_wave);
    // The outcome model is linear in (T, X), so wrong for sin(1.5 T); the treatment model is
    // linear and right: the doubly robust curve is still right.
    let wrong_mu = DoseResponseParams::new("t", "y")
        .covariates(&["x1", "x2"])
        .grid(&GRID)
        .check()
        .unwrap()
        .fit_dose(&data)
        .unwrap();
    // A flexible outcome model (a forest) with the right treatment model.
    let forest_mu = DoseResponseParams::new("t", "y")
        .covariates(&["x1", "x2"])
        .regressor(RandomForest::new(100).unwrap().min_samples_leaf(5).seed(1))
        .treatment_regressor(LinearRegression)
        .grid(&GRID)
        .check()
        .unwrap()
        .fit_dose(&data)
        .unwrap();
    // Ignoring the confounders.
    let naive = DoseResponseParams::new("t", "y")
        .grid(&GRID)
        .check()
        .unwrap()
        .fit_dose(&data)
        .unwrap();
    for (name, f) in [
        ("wrong μ", &wrong_mu),
        ("forest μ", &forest_mu),
        ("naive", &naive),
    ] {
        eprintln!(
            "{name}: max error {:.3}, {}/9 covered, bandwidth {:.3}",
            max_err(f),
            covered(f),
            f.bandwidth
        );
    }
    // When written: wrong μ 0.138 and 6/9, forest μ 0.101 and 9/9, naive 0.471 and 2/9. The
    // wrong μ leaves more to the kernel, whose smoothing bias at the bends costs coverage.
    for f in [&wrong_mu, &forest_mu] {
        assert!(max_err(f) < 0.2, "{f:?}");
    }
    assert!(covered(&forest_mu) >= 8, "{forest_mu:?}");
    assert!(covered(&wrong_mu) >= 5, "{wrong_mu:?}");
    assert!(max_err(&naive) > 2.5 * max_err(&forest_mu), "{naive:?}");
    assert!(covered(&naive) <= 4, "{naive:?}");
}

#[test]
fn bad_settings_and_data_are_named() {
    let data = simulate(1, 200, curve_line);
    let e = |p: DoseResponseParams| match p.check() {
        Err(e) => e.to_string(),
        Ok(d) => d.fit_dose(&data).err().unwrap().to_string(),
    };
    assert!(e(DoseResponseParams::new("t", "y").folds(1)).contains("folds"));
    assert!(e(DoseResponseParams::new("t", "y").bandwidth(-1.0)).contains("-1"));
    assert!(e(DoseResponseParams::new("t", "y").covariates(&["t"])).contains("'t'"));
    assert!(e(DoseResponseParams::new("nope", "y")).contains("nope"));
    assert!(
        e(DoseResponseParams::new("t", "y")
            .grid(&[50.0])
            .bandwidth(0.01))
        .contains("50")
    );
    let constant = Dataset::new(
        vec!["t".into(), "y".into()],
        vec![vec![1.0; 20], (0..20).map(f64::from).collect()],
    )
    .unwrap();
    let err = DoseResponseParams::new("t", "y")
        .check()
        .unwrap()
        .fit_dose(&constant)
        .unwrap_err()
        .to_string();
    assert!(err.contains("'t'") && err.contains("one value"), "{err}");
}
