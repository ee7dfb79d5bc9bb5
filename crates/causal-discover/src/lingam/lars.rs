//! The lasso path by least-angle regression (Efron et al. 2004, with the lasso drop step) and
//! the BIC choice along it, as scikit-learn's `LassoLarsIC(criterion="bic")` which the `lingam`
//! package uses to prune DirectLiNGAM's regressions.

use nalgebra::{DMatrix, DVector};

/// Coefficients chosen by BIC on the lasso path of centred `y` on centred `x` (columns).
///
/// # Formula
///
/// For each knot `k` of the path, `BIC_k = n ln(2π σ̂²) + RSS_k / σ̂² + ln(n) df_k`, where `σ̂²`
/// is the OLS residual variance `RSS_ols / (n - p - 1)` and `df_k` the number of non-zero
/// coefficients; the knot with the smallest value wins (the first on ties).
pub(crate) fn lasso_lars_bic(x: &DMatrix<f64>, y: &DVector<f64>) -> DVector<f64> {
    let (n, p) = x.shape();
    let path = lars_lasso_path(x, y);
    let ols_rss = {
        let gram = x.transpose() * x;
        let beta = gram
            .clone()
            .svd(true, true)
            .solve(&(x.transpose() * y), 1e-12)
            .unwrap_or_else(|_| DVector::zeros(p));
        (y - x * beta).norm_squared()
    };
    let dof = n as f64 - p as f64 - 1.0;
    let noise = if dof > 0.0 { ols_rss / dof } else { f64::NAN };
    let mut best: Option<(f64, &DVector<f64>)> = None;
    for coef in &path {
        let rss = (y - x * coef).norm_squared();
        let df = coef.iter().filter(|c| c.abs() > f64::EPSILON).count() as f64;
        let crit = n as f64 * (2.0 * std::f64::consts::PI * noise).ln()
            + rss / noise
            + (n as f64).ln() * df;
        if best.is_none_or(|(b, _)| crit < b) {
            best = Some((crit, coef));
        }
    }
    best.map(|(_, c)| c.clone())
        .unwrap_or_else(|| DVector::zeros(p))
}

/// The coefficient vectors at the knots of the lasso path, from all-zero to least squares.
pub(crate) fn lars_lasso_path(x: &DMatrix<f64>, y: &DVector<f64>) -> Vec<DVector<f64>> {
    let p = x.ncols();
    let gram = x.transpose() * x;
    let xy = x.transpose() * y;
    let mut beta = DVector::<f64>::zeros(p);
    let mut path = vec![beta.clone()];
    let mut active: Vec<usize> = Vec::new();
    let mut drop = false;
    let tiny = f64::from(f32::MIN_POSITIVE);
    for _ in 0..(8 * p + 8) {
        let corr = &xy - &gram * &beta;
        let inactive: Vec<usize> = (0..p).filter(|j| !active.contains(j)).collect();
        if inactive.is_empty() {
            break;
        }
        // The maximal absolute correlation (shared by the active set at a knot); the next
        // variable to enter is the inactive one attaining it (the first, as numpy's argmax).
        let c = corr.amax();
        let c_idx = inactive.iter().copied().fold(inactive[0], |b, j| {
            if corr[j].abs() > corr[b].abs() { j } else { b }
        });
        if c <= 100.0 * f64::EPSILON * xy.amax().max(1.0) {
            break;
        }
        if !drop {
            active.push(c_idx);
        }
        drop = false;
        let inactive: Vec<usize> = (0..p).filter(|j| !active.contains(j)).collect();
        let k = active.len();
        let signs = DVector::from_fn(k, |a, _| corr[active[a]].signum());
        let g_aa = DMatrix::from_fn(k, k, |a, b| gram[(active[a], active[b])]);
        let Some(w) = g_aa.clone().cholesky().map(|ch| ch.solve(&signs)) else {
            break;
        };
        let aa = 1.0 / signs.dot(&w).sqrt();
        let w = w * aa;
        let mut dir = DVector::<f64>::zeros(p);
        for (a, &j) in active.iter().enumerate() {
            dir[j] = w[a];
        }
        let eq = &gram * &dir;
        let min_pos = |v: f64| if v > 0.0 { v } else { f64::INFINITY };
        let mut gamma = c / aa;
        for &j in &inactive {
            gamma = gamma
                .min(min_pos((c - corr[j]) / (aa - eq[j] + tiny)))
                .min(min_pos((c + corr[j]) / (aa + eq[j] + tiny)));
        }
        let mut dropped: Option<usize> = None;
        for (a, &j) in active.iter().enumerate() {
            let z = min_pos(-beta[j] / (w[a] + tiny));
            if z < gamma {
                gamma = z;
                dropped = Some(j);
            }
        }
        beta += dir * gamma;
        if let Some(j) = dropped {
            beta[j] = 0.0;
            active.retain(|&v| v != j);
            drop = true;
        }
        path.push(beta.clone());
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_ends_at_least_squares_and_bic_drops_a_null_predictor() {
        // y = 2 a + noise-like b-independent term; c is unrelated.
        let n = 200;
        let a: Vec<f64> = (0..n)
            .map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0)
            .collect();
        let c: Vec<f64> = (0..n)
            .map(|i| ((i * 53) % 97) as f64 / 48.0 - 1.0)
            .collect();
        let e: Vec<f64> = (0..n)
            .map(|i| ((i * 71) % 89) as f64 / 440.0 - 0.1)
            .collect();
        let centre = |v: Vec<f64>| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            v.into_iter().map(|x| x - m).collect::<Vec<_>>()
        };
        let (a, c, e) = (centre(a), centre(c), centre(e));
        let x = DMatrix::from_fn(n, 2, |i, j| if j == 0 { a[i] } else { c[i] });
        let y = DVector::from_fn(n, |i, _| 2.0 * a[i] + e[i]);
        let path = lars_lasso_path(&x, &y);
        let ols = (x.transpose() * &x).try_inverse().unwrap() * x.transpose() * &y;
        assert!((path.last().unwrap() - &ols).amax() < 1e-8);
        assert_eq!(path[0], DVector::zeros(2));
        let chosen = lasso_lars_bic(&x, &y);
        assert!(chosen[0] > 1.5);
    }
}
