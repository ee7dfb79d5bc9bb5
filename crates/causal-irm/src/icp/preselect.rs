//! Pre-selection of a few predictors before ICP enumerates subsets (as R's `InvariantCausalPrediction`
//! does with `selection = "lasso"` or `"boosting"`): the first `k` variables to enter a lasso path
//! or an L2-boosting path on the pooled, standardised data.

/// Standardised copies of the predictor columns (zero mean, unit variance) and the centred target.
fn standardise(xs: &[Vec<f64>], y: &[f64]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = y.len() as f64;
    let z = xs
        .iter()
        .map(|c| {
            let m = c.iter().sum::<f64>() / n;
            let sd = (c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt();
            let sd = if sd > 0.0 { sd } else { 1.0 };
            c.iter().map(|v| (v - m) / sd).collect()
        })
        .collect();
    let my = y.iter().sum::<f64>() / n;
    (z, y.iter().map(|v| v - my).collect())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Appends the variables that never entered, by decreasing |correlation| with `y`, ties by index.
fn complete(mut order: Vec<usize>, z: &[Vec<f64>], y: &[f64], k: usize) -> Vec<usize> {
    let mut rest: Vec<(usize, f64)> = (0..z.len())
        .filter(|j| !order.contains(j))
        .map(|j| (j, dot(&z[j], y).abs()))
        .collect();
    rest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    order.extend(rest.into_iter().map(|(j, _)| j));
    order.truncate(k);
    order
}

/// Order of entry along the lasso path (coordinate descent with warm starts over 100
/// log-spaced penalties from `λ_max` down to `λ_max/1000`), truncated to `k`.
///
/// # Formula
///
/// At each penalty, minimises `(1/2n)‖y − Zβ‖² + λ‖β‖₁` on standardised `Z`.
pub(crate) fn lasso_order(xs: &[Vec<f64>], y: &[f64], k: usize) -> Vec<usize> {
    let (z, y) = standardise(xs, y);
    let n = y.len() as f64;
    let p = z.len();
    let lambda_max = (0..p).map(|j| dot(&z[j], &y).abs() / n).fold(0.0, f64::max);
    let mut order = Vec::new();
    if lambda_max <= 0.0 {
        return complete(order, &z, &y, k);
    }
    let mut beta = vec![0.0; p];
    let mut resid = y.clone();
    let steps = 100;
    for s in 1..=steps {
        let lambda = lambda_max * (1e-3f64).powf(s as f64 / steps as f64);
        for _sweep in 0..200 {
            let mut max_change: f64 = 0.0;
            for j in 0..p {
                let zj = &z[j];
                let rho = dot(zj, &resid) / n + beta[j];
                let new = rho.signum() * (rho.abs() - lambda).max(0.0);
                let delta = new - beta[j];
                if delta != 0.0 {
                    for (r, v) in resid.iter_mut().zip(zj) {
                        *r -= delta * v;
                    }
                    beta[j] = new;
                    max_change = max_change.max(delta.abs());
                }
            }
            if max_change < 1e-7 {
                break;
            }
        }
        // Variables entering at the same penalty are ordered by coefficient size, then index.
        let mut entered: Vec<usize> = (0..p)
            .filter(|&j| beta[j] != 0.0 && !order.contains(&j))
            .collect();
        entered.sort_by(|&a, &b| beta[b].abs().total_cmp(&beta[a].abs()).then(a.cmp(&b)));
        order.extend(entered);
        if order.len() >= k {
            break;
        }
    }
    complete(order, &z, &y, k)
}

/// Order of first selection by componentwise L2 boosting (step 0.1, up to 1000 iterations),
/// truncated to `k`.
pub(crate) fn boosting_order(xs: &[Vec<f64>], y: &[f64], k: usize) -> Vec<usize> {
    let (z, y) = standardise(xs, y);
    let norms: Vec<f64> = z.iter().map(|c| dot(c, c)).collect();
    let mut resid = y.clone();
    let mut order = Vec::new();
    for _ in 0..1000 {
        let mut best = None;
        let mut best_gain = 0.0;
        for (j, c) in z.iter().enumerate() {
            if norms[j] <= 0.0 {
                continue;
            }
            let g = dot(c, &resid);
            let gain = g * g / norms[j];
            if gain > best_gain {
                best_gain = gain;
                best = Some((j, g / norms[j]));
            }
        }
        let Some((j, coef)) = best else { break };
        if !order.contains(&j) {
            order.push(j);
            if order.len() >= k {
                break;
            }
        }
        for (r, v) in resid.iter_mut().zip(&z[j]) {
            *r -= 0.1 * coef * v;
        }
    }
    complete(order, &z, &y, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Vec<Vec<f64>>, Vec<f64>) {
        // y = 3 x2 + 1 x0 + tiny noise-like term; x1, x3 irrelevant.
        let n = 50;
        let x: Vec<Vec<f64>> = (0..4)
            .map(|j| {
                (0..n)
                    .map(|i| (((i * (j + 3) * 7919) % 101) as f64) / 50.0 - 1.0)
                    .collect()
            })
            .collect();
        let y = (0..n)
            .map(|i| 3.0 * x[2][i] + 1.0 * x[0][i] + 0.01 * ((i % 7) as f64))
            .collect();
        (x, y)
    }

    #[test]
    fn lasso_enters_strongest_first() {
        let (x, y) = data();
        let order = lasso_order(&x, &y, 2);
        assert_eq!(order[0], 2);
        assert_eq!(order.len(), 2);
    }

    #[test]
    fn boosting_enters_strongest_first() {
        let (x, y) = data();
        let order = boosting_order(&x, &y, 3);
        assert_eq!(order[0], 2);
        assert_eq!(order.len(), 3);
    }
}
