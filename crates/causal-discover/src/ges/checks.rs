//! Input checks shared by the score-based and functional methods (GES, LiNGAM, NOTEARS):
//! each names the offending column.

use causal_core::data::Dataset;
use nalgebra::DMatrix;

use crate::error::{DiscoverError, Result};

/// Relative residual variance below which a column counts as a linear combination of others.
const COLLINEAR_TOL: f64 = 1e-10;

/// Column means and the `d × d` covariance (divisor `n`, as numpy's `ddof=0`).
pub(crate) fn covariance(data: &Dataset) -> (Vec<f64>, DMatrix<f64>) {
    let n = data.n_rows() as f64;
    let d = data.n_cols();
    let means: Vec<f64> = data
        .columns()
        .iter()
        .map(|c| c.iter().sum::<f64>() / n)
        .collect();
    let centred: Vec<Vec<f64>> = data
        .columns()
        .iter()
        .zip(&means)
        .map(|(c, m)| c.iter().map(|v| v - m).collect())
        .collect();
    let mut cov = DMatrix::zeros(d, d);
    for a in 0..d {
        for b in a..d {
            let s: f64 = centred[a].iter().zip(&centred[b]).map(|(x, y)| x * y).sum();
            cov[(a, b)] = s / n;
            cov[(b, a)] = s / n;
        }
    }
    (means, cov)
}

/// Fails on a constant column or on a column that is a linear combination of earlier ones
/// (a singular correlation matrix), naming the columns; returns the covariance otherwise.
///
/// Also fails when there are fewer than `min_rows` rows.
pub(crate) fn continuous_covariance(
    data: &Dataset,
    method: &'static str,
    min_rows: usize,
) -> Result<DMatrix<f64>> {
    if data.n_rows() < min_rows {
        return Err(DiscoverError::TooFewRows {
            test: method,
            rows: data.n_rows(),
            needed: min_rows - 1,
        });
    }
    let (_, cov) = covariance(data);
    let d = cov.nrows();
    let names = data.names();
    for j in 0..d {
        let scale = data
            .col(j)
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1.0);
        if cov[(j, j)] <= 1e-14 * scale * scale {
            return Err(DiscoverError::ConstantColumn(names[j].clone()));
        }
    }
    let sd: Vec<f64> = (0..d).map(|j| cov[(j, j)].sqrt()).collect();
    let corr = DMatrix::from_fn(d, d, |a, b| cov[(a, b)] / (sd[a] * sd[b]));
    // Incremental Cholesky: a tiny pivot at k means column k is spanned by columns 0..k.
    let mut l = DMatrix::<f64>::zeros(d, d);
    for k in 0..d {
        for m in 0..k {
            let s: f64 = (0..m).map(|t| l[(k, t)] * l[(m, t)]).sum();
            l[(k, m)] = (corr[(k, m)] - s) / l[(m, m)];
        }
        let resid = corr[(k, k)] - (0..k).map(|t| l[(k, t)].powi(2)).sum::<f64>();
        if resid <= COLLINEAR_TOL {
            let others = spanning_columns(&corr, k);
            let mut cols: Vec<String> = others.into_iter().map(|i| names[i].clone()).collect();
            cols.push(names[k].clone());
            return Err(DiscoverError::Singular(cols));
        }
        l[(k, k)] = resid.sqrt();
    }
    Ok(cov)
}

/// The earlier columns with a non-negligible coefficient when column `k` is regressed on
/// columns `0..k` (least squares through the pseudo-inverse).
fn spanning_columns(corr: &DMatrix<f64>, k: usize) -> Vec<usize> {
    let a = corr.view((0, 0), (k, k)).into_owned();
    let b = corr.view((0, k), (k, 1)).into_owned();
    let coef = a
        .svd(true, true)
        .solve(&b, 1e-12)
        .unwrap_or_else(|_| DMatrix::zeros(k, 1));
    (0..k).filter(|&i| coef[(i, 0)].abs() > 1e-6).collect()
}

/// Integer codes `0..r` per column (sorted distinct values) and the level counts `r`, or
/// an error naming the first column with a non-integer value.
pub(crate) fn discrete_codes(
    data: &Dataset,
    method: &'static str,
) -> Result<(Vec<Vec<u32>>, Vec<usize>)> {
    let mut codes = Vec::with_capacity(data.n_cols());
    let mut levels = Vec::with_capacity(data.n_cols());
    for (name, col) in data.names().iter().zip(data.columns()) {
        if let Some(row) = col.iter().position(|v| v.fract() != 0.0) {
            return Err(DiscoverError::NotDiscrete {
                test: method,
                column: name.clone(),
                value: col[row],
            });
        }
        let mut vals: Vec<i64> = col.iter().map(|&v| v as i64).collect();
        vals.sort_unstable();
        vals.dedup();
        codes.push(
            col.iter()
                .map(|&v| vals.binary_search(&(v as i64)).unwrap_or(0) as u32)
                .collect(),
        );
        levels.push(vals.len());
    }
    Ok((codes, levels))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(cols: Vec<Vec<f64>>) -> Dataset {
        let names = (0..cols.len()).map(|i| format!("c{i}")).collect();
        Dataset::new(names, cols).unwrap()
    }

    #[test]
    fn constant_column_is_named() {
        let d = ds(vec![vec![1.0, 2.0, 3.0], vec![5.0, 5.0, 5.0]]);
        let e = continuous_covariance(&d, "t", 1).unwrap_err();
        assert!(e.to_string().contains("'c1'"), "{e}");
    }

    #[test]
    fn collinear_columns_are_named() {
        let a = vec![1.0, 2.0, 4.0, 3.0, 7.0];
        let b = vec![0.5, -1.0, 2.0, 1.0, 0.0];
        let c: Vec<f64> = a.iter().zip(&b).map(|(x, y)| 2.0 * x - y).collect();
        let e = continuous_covariance(&ds(vec![a, b, c]), "t", 1).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("c0, c1, c2") && msg.contains("collinear"),
            "{msg}"
        );
    }

    #[test]
    fn continuous_values_are_not_discrete() {
        let e = discrete_codes(&ds(vec![vec![0.0, 1.0], vec![0.0, 0.5]]), "t").unwrap_err();
        assert!(e.to_string().contains("'c1'"), "{e}");
        let (codes, levels) = discrete_codes(&ds(vec![vec![3.0, -1.0, 3.0]]), "t").unwrap();
        assert_eq!(codes[0], vec![1, 0, 1]);
        assert_eq!(levels, vec![2]);
    }
}
