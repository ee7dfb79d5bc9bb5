//! DirectLiNGAM's causal-order search with the pairwise likelihood-ratio measure
//! (Hyvärinen & Smith 2013), the `lingam` package's default `measure="pwling"`.

use rayon::prelude::*;

/// Maximum-entropy approximation of the differential entropy of a standardised variable
/// (Hyvärinen 1998), as `lingam`'s `_entropy`.
fn entropy(u: &[f64]) -> f64 {
    const K1: f64 = 79.047;
    const K2: f64 = 7.4129;
    const GAMMA: f64 = 0.37457;
    let n = u.len() as f64;
    let (mut a, mut b) = (0.0, 0.0);
    for &v in u {
        a += v.cosh().ln();
        b += v * (-(v * v) / 2.0).exp();
    }
    (1.0 + (2.0 * std::f64::consts::PI).ln()) / 2.0
        - K1 * (a / n - GAMMA).powi(2)
        - K2 * (b / n).powi(2)
}

fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    (m, v.sqrt())
}

fn standardise(x: &[f64]) -> Vec<f64> {
    let (m, s) = mean_std(x);
    x.iter().map(|v| (v - m) / s).collect()
}

/// Divided by the population standard deviation (not re-centred, as `lingam` does).
fn unit_scale(x: &[f64]) -> Vec<f64> {
    let (_, s) = mean_std(x);
    x.iter().map(|v| v / s).collect()
}

/// `xi` minus its least-squares projection on `xj` (population moments).
pub(crate) fn residual(xi: &[f64], xj: &[f64]) -> Vec<f64> {
    let n = xi.len() as f64;
    let (mi, _) = mean_std(xi);
    let (mj, sj) = mean_std(xj);
    let cov = xi
        .iter()
        .zip(xj)
        .map(|(a, b)| (a - mi) * (b - mj))
        .sum::<f64>()
        / n;
    let beta = cov / (sj * sj);
    xi.iter().zip(xj).map(|(a, b)| a - beta * b).collect()
}

/// `H(xj) + H(r_i|j / sd) - H(xi) - H(r_j|i / sd)`: positive when `xi -> xj` is the likelier
/// direction.
fn diff_mutual_info(xi: &[f64], xj: &[f64], hi: f64, hj: f64) -> f64 {
    let ri = residual(xi, xj);
    let rj = residual(xj, xi);
    (hj + entropy(&unit_scale(&ri))) - (hi + entropy(&unit_scale(&rj)))
}

/// The most exogenous of the `candidates`, judged against all of `remaining` (the column data
/// are the current residualised variables). `None` if `candidates` is empty.
pub(crate) fn most_exogenous(
    cols: &[Vec<f64>],
    remaining: &[usize],
    candidates: &[usize],
) -> Option<usize> {
    if candidates.len() <= 1 {
        return candidates.first().copied();
    }
    let std: Vec<(usize, Vec<f64>)> = remaining
        .iter()
        .map(|&i| (i, standardise(&cols[i])))
        .collect();
    let h: Vec<f64> = std.iter().map(|(_, v)| entropy(v)).collect();
    let pos = |i: usize| remaining.iter().position(|&r| r == i).unwrap_or(0);
    // One measure per unordered pair; diff(j, i) = -diff(i, j).
    let pairs: Vec<(usize, usize)> = (0..remaining.len())
        .flat_map(|a| (a + 1..remaining.len()).map(move |b| (a, b)))
        .filter(|&(a, b)| candidates.contains(&remaining[a]) || candidates.contains(&remaining[b]))
        .collect();
    let diffs: Vec<f64> = pairs
        .par_iter()
        .map(|&(a, b)| diff_mutual_info(&std[a].1, &std[b].1, h[a], h[b]))
        .collect();
    let k = remaining.len();
    let mut diff = vec![0.0; k * k];
    for (&(a, b), &v) in pairs.iter().zip(&diffs) {
        diff[a * k + b] = v;
        diff[b * k + a] = -v;
    }
    let mut best: Option<(f64, usize)> = None;
    for &i in candidates {
        let a = pos(i);
        let m: f64 = (0..k)
            .filter(|&b| b != a)
            .map(|b| diff[a * k + b].min(0.0).powi(2))
            .sum();
        if best.is_none_or(|(bm, _)| -m > bm) {
            best = Some((-m, i));
        }
    }
    best.map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_entropy_is_near_its_closed_form() {
        // A standardised uniform grid is far from Gaussian: its entropy is below the maximum.
        let n = 10_000;
        let u = standardise(&(0..n).map(|i| i as f64).collect::<Vec<_>>());
        let max = (1.0 + (2.0 * std::f64::consts::PI).ln()) / 2.0;
        assert!(entropy(&u) < max);
    }

    #[test]
    fn residual_is_uncorrelated() {
        let x = [1.0, 2.0, 3.0, 4.0, 6.0];
        let y = [2.0, 1.0, 4.0, 3.0, 7.0];
        let r = residual(&y, &x);
        let (mx, _) = mean_std(&x);
        let c: f64 = r.iter().zip(&x).map(|(a, b)| a * (b - mx)).sum();
        assert!(c.abs() < 1e-12);
    }
}
