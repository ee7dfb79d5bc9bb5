//! causal-core's bounded L-BFGS against scipy's L-BFGS-B on the same problems: Rosenbrock with
//! and without bounds, a bounded quadratic and a small NOTEARS augmented Lagrangian. The values
//! come from `scripts/fixtures/core/lbfgs_scipy_fixture.py` (tests/fixtures/lbfgs_scipy.json); each
//! minimiser must match scipy's tight-tolerance one, and reach a value no worse than scipy's
//! default run (the settings NOTEARS uses) beyond the stopping tolerance.

use causal_core::optim::{Bound, Lbfgs};
use nalgebra::DMatrix;
use serde_json::Value;

fn fixture() -> Vec<Value> {
    let text = include_str!("fixtures/lbfgs_scipy.json");
    let v: Value = serde_json::from_str(text).unwrap();
    v["problems"].as_array().unwrap().clone()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> DMatrix<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(floats).collect();
    DMatrix::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j])
}

fn rosenbrock(x: &[f64], g: &mut [f64]) -> Result<f64, ()> {
    g.fill(0.0);
    let mut f = 0.0;
    for i in 0..x.len() - 1 {
        let (a, b) = (x[i], x[i + 1]);
        f += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
        g[i] += -400.0 * a * (b - a * a) - 2.0 * (1.0 - a);
        g[i + 1] += 200.0 * (b - a * a);
    }
    Ok(f)
}

/// NOTEARS' augmented Lagrangian on `[vec(W⁺), vec(W⁻)]` (row-major, as numpy's ravel).
fn notears(p: &Value) -> impl Fn(&[f64], &mut [f64]) -> Result<f64, ()> {
    let x = matrix(&p["data"]);
    let (lam, rho, alpha) = (
        p["lambda1"].as_f64().unwrap(),
        p["rho"].as_f64().unwrap(),
        p["alpha"].as_f64().unwrap(),
    );
    move |wpm: &[f64], g: &mut [f64]| {
        let (n, d) = (x.nrows(), x.ncols());
        let w = DMatrix::from_fn(d, d, |i, j| wpm[i * d + j] - wpm[d * d + i * d + j]);
        let r = &x - &x * &w;
        let loss = 0.5 / n as f64 * r.norm_squared();
        let gloss = -(x.transpose() * &r) / n as f64;
        let e = w.component_mul(&w).exp();
        let h = e.trace() - d as f64;
        let gh = e.transpose().component_mul(&w) * 2.0;
        let gw = gloss + gh * (rho * h + alpha);
        for i in 0..d {
            for j in 0..d {
                g[i * d + j] = gw[(i, j)] + lam;
                g[d * d + i * d + j] = -gw[(i, j)] + lam;
            }
        }
        Ok(loss + 0.5 * rho * h * h + alpha * h + lam * wpm.iter().sum::<f64>())
    }
}

fn quadratic(p: &Value) -> impl Fn(&[f64], &mut [f64]) -> Result<f64, ()> {
    let (a, b) = (matrix(&p["a"]), floats(&p["b"]));
    move |x: &[f64], g: &mut [f64]| {
        let mut f = 0.0;
        for i in 0..x.len() {
            let ax: f64 = (0..x.len()).map(|j| a[(i, j)] * x[j]).sum();
            g[i] = ax - b[i];
            f += 0.5 * x[i] * ax - b[i] * x[i];
        }
        Ok(f)
    }
}

#[test]
fn minimisers_match_scipy_lbfgsb() {
    let problems = fixture();
    assert_eq!(problems.len(), 4);
    for p in &problems {
        let name = p["name"].as_str().unwrap();
        let bounds: Vec<Bound> = p["bounds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| match b.as_str().unwrap() {
                "free" => Bound::Free,
                "nonneg" => Bound::NonNegative,
                "zero" => Bound::Zero,
                other => panic!("bound {other}"),
            })
            .collect();
        let x0 = floats(&p["x0"]);
        let solver = Lbfgs::default();
        let m = match name {
            "rosenbrock" | "rosenbrock_bounded" => solver.minimize(rosenbrock, x0, &bounds),
            "quadratic_bounded" => solver.minimize(quadratic(p), x0, &bounds),
            "notears" => solver.minimize(notears(p), x0, &bounds),
            other => panic!("problem {other}"),
        }
        .unwrap();
        let tight = floats(&p["scipy_tight"]["x"]);
        let err =
            m.x.iter()
                .zip(&tight)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
        assert!(err < 1e-4, "{name}: {:?} vs scipy {tight:?}", m.x);
        // Bounds hold exactly, and active bounds are hit exactly (as scipy's projection does).
        for ((v, b), t) in m.x.iter().zip(&bounds).zip(&tight) {
            match b {
                Bound::Zero => assert_eq!(*v, 0.0, "{name}"),
                Bound::NonNegative if *t == 0.0 => assert_eq!(*v, 0.0, "{name}"),
                Bound::NonNegative => assert!(*v >= 0.0, "{name}"),
                Bound::Free => {}
            }
        }
        let default = p["scipy_default"]["value"].as_f64().unwrap();
        assert!(
            m.value <= default + 1e-8 * default.abs().max(1.0),
            "{name}: value {} vs scipy's {default}",
            m.value
        );
    }
}
