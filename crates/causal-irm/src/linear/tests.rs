//! The analytic gradient against finite differences, the moment formulas against the raw data,
//! and Adam's first step.

use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::fit::{Adam, Moments, Scratch, objective};

fn normal(rng: &mut ChaCha8Rng, r: usize, c: usize) -> DMatrix<f64> {
    DMatrix::from_fn(r, c, |_, _| StandardNormal.sample(rng))
}

/// Two environments of raw data with different scales, a random `Φ` and a random dummy `w`
/// (not ones, so the `w` factors of the gradient are exercised).
fn setup(d: usize) -> (Vec<(DMatrix<f64>, DVector<f64>)>, Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let envs = (0..2)
        .map(|e| {
            let x = normal(&mut rng, 50, d) * (1.0 + e as f64);
            let y = &x * normal(&mut rng, d, 1).column(0) + normal(&mut rng, 50, 1).column(0);
            (x, y)
        })
        .collect();
    let phi = normal(&mut rng, d, d).as_slice().to_vec();
    let w = normal(&mut rng, d, 1).as_slice().to_vec();
    (envs, phi, w)
}

fn value(m: &[Moments], phi: &[f64], w: &[f64], reg: f64) -> f64 {
    let d = w.len();
    let (r, p) = objective(m, phi, w, reg, &mut vec![0.0; d * d], &mut Scratch::new(d));
    reg * r + (1.0 - reg) * p
}

#[test]
fn gradient_matches_central_differences() {
    let d = 4;
    let (envs, phi, w) = setup(d);
    let m: Vec<Moments> = envs.iter().map(|(x, y)| Moments::new(x, y)).collect();
    for reg in [0.0, 0.3, 1.0] {
        let mut grad = vec![0.0; d * d];
        objective(&m, &phi, &w, reg, &mut grad, &mut Scratch::new(d));
        for k in 0..d * d {
            let h = 1e-5;
            let (mut up, mut down) = (phi.clone(), phi.clone());
            up[k] += h;
            down[k] -= h;
            let fd = (value(&m, &up, &w, reg) - value(&m, &down, &w, reg)) / (2.0 * h);
            assert!(
                (fd - grad[k]).abs() <= 1e-6 * (1.0 + fd.abs()),
                "reg {reg}, entry {k}: analytic {} vs finite difference {fd}",
                grad[k]
            );
        }
    }
}

/// The risk `mean (xΦw − y)²` and the penalty `mean_j (∂risk/∂w_j)²` computed from the raw
/// rows, the latter by central differences in `w`, equal the moment formulas.
#[test]
fn moments_give_the_raw_risk_and_penalty() {
    let d = 3;
    let (envs, phi, w) = setup(d);
    let phi_m = DMatrix::from_row_slice(d, d, &phi);
    let raw_risk = |x: &DMatrix<f64>, y: &DVector<f64>, w: &[f64]| {
        (x * &phi_m * DVector::from_column_slice(w) - y).norm_squared() / y.len() as f64
    };
    for (x, y) in &envs {
        let m = [Moments::new(x, y)];
        let (risk, penalty) = objective(
            &m,
            &phi,
            &w,
            0.5,
            &mut vec![0.0; d * d],
            &mut Scratch::new(d),
        );
        let want = raw_risk(x, y, &w);
        assert!((risk - want).abs() < 1e-9 * want, "{risk} vs {want}");
        let g2: f64 = (0..d)
            .map(|j| {
                let h = 1e-5;
                let (mut up, mut down) = (w.clone(), w.clone());
                up[j] += h;
                down[j] -= h;
                ((raw_risk(x, y, &up) - raw_risk(x, y, &down)) / (2.0 * h)).powi(2)
            })
            .sum();
        let want = g2 / d as f64;
        assert!((penalty - want).abs() < 1e-6 * want, "{penalty} vs {want}");
    }
}

/// From zero moments Adam's first step is `lr·g/(|g| + ε)` per coordinate, whatever `g`'s scale.
#[test]
fn adam_first_step_is_lr_times_sign() {
    let mut p = vec![1.0, 1.0, 1.0];
    let g = [1e3, -2e-3, 0.0];
    Adam::new(0.1, 3).step(&mut p, &g);
    assert!((p[0] - 0.9).abs() < 1e-9);
    assert!((p[1] - 1.1).abs() < 1e-5);
    assert_eq!(p[2], 1.0);
}
