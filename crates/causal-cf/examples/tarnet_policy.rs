//! Individual treatment effects with TARNet and DragonNet on simulated confounded data whose
//! true effects are known, then the doubly-robust value of a treat-if-benefit policy.
//!
//! Run with `cargo run --release -p causal-cf --example tarnet_policy`.

use causal_cf::CfError;
use causal_cf::data::{IteSample, Truth, holdout_split};
use causal_cf::metrics::{ate_error, sqrt_pehe};
use causal_cf::models::{FitOptions, ModelKind, fit_model_with};
use causal_cf::policy::{dr_policy_value, threshold_policy, true_policy_value};
use causal_core::data::{ColumnRoles, Dataset};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// x ~ N(0, I₅); treatment more likely when x₀ is high (confounding);
/// μ₀(x) = x₀ + 0.5 x₁, τ(x) = 1 + x₂ (heterogeneous), noise sd 0.5.
fn simulate(n: usize, seed: u64) -> Result<IteSample, CfError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut cols, mut t, mut y) = (vec![Vec::new(); 5], vec![], vec![]);
    let (mut mu0, mut mu1) = (vec![], vec![]);
    for _ in 0..n {
        let x: Vec<f64> = (0..5).map(|_| StandardNormal.sample(&mut rng)).collect();
        let p = 1.0 / (1.0 + (-1.5 * x[0]).exp());
        let ti = f64::from(u8::from(rng.random_bool(p)));
        let (m0, m1) = (x[0] + 0.5 * x[1], x[0] + 0.5 * x[1] + 1.0 + x[2]);
        let noise: f64 = StandardNormal.sample(&mut rng);
        y.push(if ti == 1.0 { m1 } else { m0 } + 0.5 * noise);
        t.push(ti);
        mu0.push(m0);
        mu1.push(m1);
        for (c, v) in cols.iter_mut().zip(x) {
            c.push(v);
        }
    }
    let covariates: Vec<String> = (0..5).map(|j| format!("x{j}")).collect();
    let mut names = covariates.clone();
    names.extend(["t".to_owned(), "y".to_owned()]);
    cols.extend([t, y]);
    let roles = ColumnRoles::new()
        .treatment("t")
        .outcome("y")
        .covariates(covariates);
    let truth = Truth {
        mu0,
        mu1,
        y_cf: None,
    };
    IteSample::new(Dataset::new(names, cols)?, roles, truth)
}

fn main() -> Result<(), CfError> {
    let data = simulate(2_000, 1)?;
    let (fit_rows, test_rows) = holdout_split(data.n(), 0.2, 2)?;
    let (train_rows, valid_rows) = holdout_split(fit_rows.len(), 0.25, 3)?;
    let pick = |rows: &[usize]| rows.iter().map(|&i| fit_rows[i]).collect::<Vec<_>>();
    let train = data.take_rows(&pick(&train_rows))?;
    let valid = data.take_rows(&pick(&valid_rows))?;
    let test = data.take_rows(&test_rows)?;
    let (roles, truth) = (data.roles(), test.true_ite());
    let options = FitOptions {
        seed: 7,
        quiet: true,
        ..FitOptions::default()
    };

    for kind in [ModelKind::Tarnet, ModelKind::DragonNet] {
        let model = fit_model_with(kind, train.data(), roles, Some(valid.data()), &options)?;
        let po = model.predict(test.data(), roles)?;
        let cate = po.cate();
        println!(
            "{:<10} held-out √PEHE {:.3}, ε_ATE {:.3} ({} epochs)",
            model.name(),
            sqrt_pehe(&truth, &cate)?,
            ate_error(&truth, &cate)?,
            model.history().epochs()
        );
        // Treat when the predicted benefit exceeds a cost of 1.
        let Some(e) = model.propensity(test.data(), roles)? else {
            continue;
        };
        let pi = threshold_policy(&cate, 1.0);
        let t = test.truth();
        let v = true_policy_value(&pi, &t.mu0, &t.mu1)?;
        let (tt, ty) = (test.treatment()?, test.outcome()?);
        let dr = dr_policy_value(&pi, tt, ty, &po.y0, &po.y1, &e, 0.01)?;
        println!(
            "  policy τ̂ > 1 treats {} of {}: true value {v:.3}, DR estimate {:.3} ± {:.3}",
            pi.iter().filter(|&&p| p).count(),
            pi.len(),
            dr.value,
            dr.se
        );
    }
    Ok(())
}
