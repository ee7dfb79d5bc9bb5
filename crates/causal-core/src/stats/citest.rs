//! Conditional-independence tests: Fisher's z on partial correlations for continuous data and
//! Pearson's chi-square, summed over strata, for discrete data.

use std::collections::HashMap;

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::data::{Dataset, MissingPolicy};
use crate::error::{CoreError, Result};

/// Which conditional-independence test to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiTestKind {
    /// Fisher's z transform of the partial correlation (Gaussian data).
    FisherZ,
    /// Pearson's chi-square on the contingency tables within each stratum (discrete data).
    ChiSquare,
}

/// The outcome of one test of `x ⊥ y | given`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CiTestResult {
    /// First variable.
    pub x: String,
    /// Second variable.
    pub y: String,
    /// Conditioning set.
    pub given: Vec<String>,
    /// The test used.
    pub test: CiTestKind,
    /// Partial correlation (Fisher z only).
    pub estimate: Option<f64>,
    /// The test statistic (|z| or X²).
    pub statistic: f64,
    /// Degrees of freedom (chi-square only).
    pub df: Option<f64>,
    /// Unadjusted p-value.
    pub p_value: f64,
}

/// Fisher's z test of zero partial correlation between `x` and `y` given `given`.
///
/// The one Fisher-z implementation of causal-rs: causal-discover's cached-correlation test
/// calls [`partial_correlation`] and [`fisher_z_p_value`] too.
///
/// # Formula
///
/// `r` the partial correlation of `x` and `y` given `given` (see [`partial_correlation`]);
/// `z = atanh(r) √(n − |given| − 3)`, two-sided normal p-value (see [`fisher_z_p_value`]).
///
/// # Errors
///
/// [`CoreError::UnknownColumn`], [`CoreError::InvalidParameter`] when `n ≤ |given| + 3`,
/// [`CoreError::Collinear`] for a constant or redundant column.
pub fn fisher_z_test(data: &Dataset, x: &str, y: &str, given: &[&str]) -> Result<CiTestResult> {
    let mut names = vec![x, y];
    names.extend_from_slice(given);
    let cols = names
        .iter()
        .map(|n| data.column(n))
        .collect::<Result<Vec<_>>>()?;
    let n = data.n_rows();
    if n <= given.len() + 3 {
        return Err(CoreError::InvalidParameter(format!(
            "{n} rows are too few for a Fisher z test given {} variables",
            given.len()
        )));
    }
    let k = cols.len();
    let means: Vec<f64> = cols.iter().map(|c| super::mean(c)).collect();
    let mut cov = DMatrix::zeros(k, k);
    for a in 0..k {
        for b in a..k {
            let v: f64 = cols[a]
                .iter()
                .zip(cols[b].iter())
                .map(|(u, w)| (u - means[a]) * (w - means[b]))
                .sum();
            cov[(a, b)] = v;
            cov[(b, a)] = v;
        }
    }
    for a in 0..k {
        if cov[(a, a)] <= 0.0 {
            return Err(CoreError::Collinear {
                column: names[a].to_owned(),
                with: vec!["intercept (it is constant)".into()],
            });
        }
    }
    let corr = DMatrix::from_fn(k, k, |a, b| {
        cov[(a, b)] / (cov[(a, a)] * cov[(b, b)]).sqrt()
    });
    let z: Vec<usize> = (2..k).collect();
    let r = partial_correlation(&corr, 0, 1, &z)?.ok_or_else(|| CoreError::Collinear {
        column: names[k - 1].to_owned(),
        with: names[..k - 1].iter().map(|s| (*s).to_owned()).collect(),
    })?;
    let (statistic, p_value) = fisher_z_p_value(r, n, given.len())?;
    Ok(CiTestResult {
        x: x.to_owned(),
        y: y.to_owned(),
        given: given.iter().map(|s| (*s).to_owned()).collect(),
        test: CiTestKind::FisherZ,
        estimate: Some(r),
        statistic,
        df: None,
        p_value,
    })
}

/// [`fisher_z_test`] under a missing-value policy: [`MissingPolicy::Error`] refuses missing
/// cells in the tested columns, [`MissingPolicy::DropRows`] first drops every row with a
/// missing cell in any column of `data`, and [`MissingPolicy::TestWise`] uses the rows complete
/// in `x`, `y` and `given` only, with `n` their number (causal-learn's `mv_fisherz`).
///
/// # Errors
///
/// As [`fisher_z_test`]; [`CoreError::Missing`] under [`MissingPolicy::Error`];
/// [`CoreError::Empty`] when no complete row is left.
pub fn fisher_z_test_missing(
    data: &Dataset,
    x: &str,
    y: &str,
    given: &[&str],
    policy: MissingPolicy,
) -> Result<CiTestResult> {
    match policy {
        MissingPolicy::Error => fisher_z_test(data, x, y, given),
        MissingPolicy::DropRows => fisher_z_test(
            &data.handle_missing(MissingPolicy::DropRows, &[])?,
            x,
            y,
            given,
        ),
        MissingPolicy::TestWise => {
            let mut names = vec![x, y];
            names.extend_from_slice(given);
            let sub = data
                .select(&names)?
                .handle_missing(MissingPolicy::DropRows, &[])?;
            fisher_z_test(&sub, x, y, given)
        }
    }
}

/// The partial correlation of variables `x` and `y` given `z`, all indices into the
/// correlation matrix `corr`; `Ok(None)` when their sub-matrix is singular (a Cholesky pivot
/// `≤ 1e-12`: perfect collinearity).
///
/// Only the `(|z| + 2)²` sub-matrix is read, so with a cached `corr` a test costs
/// `O(|z|³)` whatever the number of rows.
///
/// # Formula
///
/// Cholesky factor `L` of the sub-matrix ordered `(z.., x, y)`: its last 2×2 block
/// `[[a, 0], [b, c]]` factors the Schur complement, so `r = b / √(b² + c²)`
/// (equal to `−P₀₁ / √(P₀₀ P₁₁)` for `P` the inverse of the `(x, y, z)` sub-matrix).
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] if `corr` is not square, an index is out of range, or
/// `x == y`.
///
/// # Examples
///
/// ```
/// use causal_core::stats::partial_correlation;
/// use nalgebra::DMatrix;
///
/// let corr = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.5, 0.5, 1.0, 0.25, 0.5, 0.25, 1.0]);
/// // r(0,1 | 2) = (0.5 - 0.5 * 0.25) / sqrt((1 - 0.25) * (1 - 0.0625)).
/// let want = 0.375 / (0.75f64 * 0.9375).sqrt();
/// let r = partial_correlation(&corr, 0, 1, &[2])?.unwrap();
/// assert!((r - want).abs() < 1e-14);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn partial_correlation(
    corr: &DMatrix<f64>,
    x: usize,
    y: usize,
    z: &[usize],
) -> Result<Option<f64>> {
    let d = corr.nrows();
    if corr.ncols() != d {
        return Err(CoreError::InvalidParameter(format!(
            "correlation matrix is {}x{}",
            d,
            corr.ncols()
        )));
    }
    if x == y || [x, y].iter().chain(z).any(|&v| v >= d) {
        return Err(CoreError::InvalidParameter(format!(
            "partial correlation of {x} and {y} given {z:?} in a {d}-variable matrix"
        )));
    }
    let vars: Vec<usize> = z.iter().copied().chain([x, y]).collect();
    let m = vars.len();
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let mut s = corr[(vars[i], vars[j])];
            for k in 0..j {
                s -= l[i * m + k] * l[j * m + k];
            }
            if i == j {
                if s <= 1e-12 {
                    return Ok(None);
                }
                l[i * m + i] = s.sqrt();
            } else {
                l[i * m + j] = s / l[j * m + j];
            }
        }
    }
    let b = l[(m - 1) * m + (m - 2)];
    let c = l[(m - 1) * m + (m - 1)];
    Ok(Some(b / (b * b + c * c).sqrt()))
}

/// Fisher's z statistic `|T|` and its two-sided p-value for a partial correlation `r` from
/// `n` rows given `k` variables, exactly as causal-learn's `fisherz` (which clips `|r| ≥ 1`
/// to `1 − ε`).
///
/// # Formula
///
/// `Z = ½ ln((1 + r) / (1 − r))`, `T = √(n − k − 3) |Z|`, `p = 2 (1 − Φ(T))`.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] when `n ≤ k + 3` or `r` is not finite.
pub fn fisher_z_p_value(r: f64, n: usize, k: usize) -> Result<(f64, f64)> {
    if n <= k + 3 || !r.is_finite() {
        return Err(CoreError::InvalidParameter(format!(
            "Fisher z needs n > k + 3 and a finite r (n = {n}, k = {k}, r = {r})"
        )));
    }
    let r = if r.abs() >= 1.0 {
        (1.0 - f64::EPSILON) * r.signum()
    } else {
        r
    };
    let zstat = 0.5 * ((1.0 + r) / (1.0 - r)).ln();
    let t = ((n - k - 3) as f64).sqrt() * zstat.abs();
    Ok((t, super::normal_p_value(t)))
}

/// Pearson's chi-square test of `x ⊥ y | given` for discrete columns (integer codes).
///
/// # Formula
///
/// Within each stratum of `given`, `X² = Σ (O − E)² / E` over the `x × y` table with
/// `E = row·col/total`, on `(r − 1)(c − 1)` degrees of freedom counting only observed levels;
/// statistics and degrees of freedom add over strata.
///
/// # Errors
///
/// [`CoreError::UnknownColumn`], [`CoreError::BadValue`] for a non-integer value.
pub fn chi_square_test(data: &Dataset, x: &str, y: &str, given: &[&str]) -> Result<CiTestResult> {
    let code = |name: &str| -> Result<Vec<i64>> {
        let col = data.column(name)?;
        col.iter()
            .enumerate()
            .map(|(i, &v)| {
                if v.fract() == 0.0 {
                    Ok(v as i64)
                } else {
                    Err(CoreError::BadValue {
                        row: i + 1,
                        column: name.to_owned(),
                        message: format!(
                            "value {v} is not an integer code, so the chi-square test cannot use it"
                        ),
                    })
                }
            })
            .collect()
    };
    let xs = code(x)?;
    let ys = code(y)?;
    let gs = given.iter().map(|g| code(g)).collect::<Result<Vec<_>>>()?;
    let mut strata: HashMap<Vec<i64>, HashMap<(i64, i64), f64>> = HashMap::new();
    for i in 0..xs.len() {
        let key: Vec<i64> = gs.iter().map(|g| g[i]).collect();
        *strata
            .entry(key)
            .or_default()
            .entry((xs[i], ys[i]))
            .or_default() += 1.0;
    }
    let mut stat = 0.0;
    let mut df = 0.0;
    for table in strata.values() {
        let mut rows: HashMap<i64, f64> = HashMap::new();
        let mut cols: HashMap<i64, f64> = HashMap::new();
        let mut total = 0.0;
        for (&(a, b), &c) in table {
            *rows.entry(a).or_default() += c;
            *cols.entry(b).or_default() += c;
            total += c;
        }
        if rows.len() < 2 || cols.len() < 2 {
            continue;
        }
        for (&a, &ra) in &rows {
            for (&b, &cb) in &cols {
                let e = ra * cb / total;
                let o = table.get(&(a, b)).copied().unwrap_or(0.0);
                stat += (o - e) * (o - e) / e;
            }
        }
        df += ((rows.len() - 1) * (cols.len() - 1)) as f64;
    }
    let p_value = if df > 0.0 {
        let dist = ChiSquared::new(df)
            .map_err(|e| CoreError::Numerical(format!("chi-square with {df} df: {e}")))?;
        1.0 - dist.cdf(stat)
    } else {
        1.0
    };
    Ok(CiTestResult {
        x: x.to_owned(),
        y: y.to_owned(),
        given: given.iter().map(|s| (*s).to_owned()).collect(),
        test: CiTestKind::ChiSquare,
        estimate: None,
        statistic: stat,
        df: Some(df),
        p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fisher_z_partial_correlation_matches_closed_form() {
        // Residual correlation of x and y given z computed by hand from the three pairwise ones.
        let z = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let x = [1.2, 1.9, 3.3, 3.8, 5.4, 5.9, 7.1, 8.3];
        let y = [0.7, 2.4, 2.9, 4.3, 4.8, 6.5, 6.8, 8.1];
        let d = Dataset::new(
            vec!["x".into(), "y".into(), "z".into()],
            vec![x.to_vec(), y.to_vec(), z.to_vec()],
        )
        .unwrap();
        let corr = |a: &[f64], b: &[f64]| {
            let ma = super::super::mean(a);
            let mb = super::super::mean(b);
            let sab: f64 = a.iter().zip(b).map(|(u, v)| (u - ma) * (v - mb)).sum();
            let saa: f64 = a.iter().map(|u| (u - ma).powi(2)).sum();
            let sbb: f64 = b.iter().map(|v| (v - mb).powi(2)).sum();
            sab / (saa * sbb).sqrt()
        };
        let (rxy, rxz, ryz) = (corr(&x, &y), corr(&x, &z), corr(&y, &z));
        let want = (rxy - rxz * ryz) / ((1.0 - rxz * rxz) * (1.0 - ryz * ryz)).sqrt();
        let got = fisher_z_test(&d, "x", "y", &["z"]).unwrap();
        assert!((got.estimate.unwrap() - want).abs() < 1e-12);
        assert!(got.p_value > 0.0 && got.p_value <= 1.0);
    }

    #[test]
    fn test_wise_fisher_z_uses_the_rows_complete_in_the_tested_columns() {
        // x and y are complete in rows 0..6; w misses row 1, x misses row 6.
        let nan = f64::NAN;
        let d = Dataset::with_missing_values(
            vec!["x".into(), "y".into(), "w".into()],
            vec![
                vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, nan],
                vec![2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 1.0],
                vec![0.3, nan, 0.1, 0.9, 0.4, 0.2, 0.5],
            ],
        )
        .unwrap();
        // By hand on rows 0..6: Sxy = 14.5, Sxx = Syy = 17.5, so r = 29/35, n = 6.
        let r: f64 = 29.0 / 35.0;
        let z = r.atanh() * 3f64.sqrt();
        let p = 2.0 * (1.0 - statrs::distribution::Normal::standard().cdf(z));
        let got = fisher_z_test_missing(&d, "x", "y", &[], MissingPolicy::TestWise).unwrap();
        assert!((got.estimate.unwrap() - r).abs() < 1e-12);
        assert!(
            (got.statistic - z).abs() < 1e-12,
            "{} vs {z}",
            got.statistic
        );
        assert!((got.p_value - p).abs() < 1e-12);
        // Listwise deletion also drops row 1 (w is missing there): n = 5, another r.
        let lw = fisher_z_test_missing(&d, "x", "y", &[], MissingPolicy::DropRows).unwrap();
        let five = fisher_z_test(&d.take_rows(&[0, 2, 3, 4, 5]).unwrap(), "x", "y", &[]).unwrap();
        assert_eq!(lw, five);
        assert_ne!(lw.estimate, got.estimate);
        // The default refuses, naming the column and the count.
        let err = fisher_z_test_missing(&d, "x", "y", &[], MissingPolicy::Error)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'x'") && err.contains("1 missing"), "{err}");
    }

    #[test]
    fn chi_square_matches_a_two_by_two_table() {
        // Table [[10, 20], [30, 40]]: X² = 0.79365... (R: chisq.test(correct = FALSE)).
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for (a, b, c) in [(0, 0, 10), (0, 1, 20), (1, 0, 30), (1, 1, 40)] {
            for _ in 0..c {
                xs.push(a as f64);
                ys.push(b as f64);
            }
        }
        let d = Dataset::new(vec!["x".into(), "y".into()], vec![xs, ys]).unwrap();
        let r = chi_square_test(&d, "x", "y", &[]).unwrap();
        assert!(
            (r.statistic - 0.793_650_793_650_793_6).abs() < 1e-12,
            "{}",
            r.statistic
        );
        assert_eq!(r.df, Some(1.0));
        assert!(
            (r.p_value - 0.372_998_483_613_487).abs() < 1e-10,
            "{}",
            r.p_value
        );
    }
}
