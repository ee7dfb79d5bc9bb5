//! Sufficient statistics per environment and the two-sample tests of the approximate method.
//!
//! Every set test works from per-environment means and centred scatter matrices of
//! `[X_1..X_p, Y]`, so testing a subset costs `O(E·|S|³)` whatever the number of rows.
//! Scatters are centred per environment (not raw moments), which keeps residual variances free
//! of the cancellation that raw sums of squares suffer when means are large.

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ContinuousCDF, FisherSnedecor, Normal, StudentsT};
use statrs::function::beta::checked_beta_reg;

/// Means and centred scatter of one group of rows.
#[derive(Clone, Debug)]
pub(crate) struct Moments {
    /// Number of rows.
    pub n: f64,
    /// Column means (predictors then target).
    pub mean: DVector<f64>,
    /// `Σ (z - mean)(z - mean)ᵀ`.
    pub scatter: DMatrix<f64>,
}

impl Moments {
    /// Moments of the given rows of column-major data `cols` (each column full length).
    pub fn from_rows(cols: &[&[f64]], rows: &[usize]) -> Self {
        let d = cols.len();
        let n = rows.len() as f64;
        let mean = DVector::from_iterator(
            d,
            cols.iter()
                .map(|c| rows.iter().map(|&i| c[i]).sum::<f64>() / n),
        );
        // Gather the centred block row-major for a cache-friendly rank-1 accumulation.
        let mut block = vec![0.0; rows.len() * d];
        for (j, c) in cols.iter().enumerate() {
            let m = mean[j];
            for (r, &i) in rows.iter().enumerate() {
                block[r * d + j] = c[i] - m;
            }
        }
        let mut scatter = DMatrix::zeros(d, d);
        for r in 0..rows.len() {
            let z = &block[r * d..(r + 1) * d];
            for a in 0..d {
                let za = z[a];
                for b in a..d {
                    scatter[(a, b)] += za * z[b];
                }
            }
        }
        for a in 0..d {
            for b in 0..a {
                scatter[(a, b)] = scatter[(b, a)];
            }
        }
        Self { n, mean, scatter }
    }

    /// Pools groups: `n = Σ n_f`, the weighted mean, and the within plus between scatter.
    pub fn pool<'a>(parts: impl IntoIterator<Item = &'a Moments> + Clone) -> Self {
        let mut iter = parts.clone().into_iter();
        let first = iter.next().map_or(0, |m| m.mean.len());
        let mut n = 0.0;
        let mut mean = DVector::zeros(first);
        for m in parts.clone() {
            n += m.n;
            mean += &m.mean * m.n;
        }
        mean /= n;
        let mut scatter = DMatrix::zeros(first, first);
        for m in parts {
            let dm = &m.mean - &mean;
            scatter += &m.scatter + (&dm * dm.transpose()) * m.n;
        }
        Self { n, mean, scatter }
    }
}

/// Residual summary of one environment: row count, mean and sum of squares about the mean.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResidualSummary {
    pub n: f64,
    pub mean: f64,
    pub ss: f64,
}

impl ResidualSummary {
    /// Pools summaries (the "rest" group of the environment-against-rest tests).
    pub fn pool(parts: impl Iterator<Item = ResidualSummary> + Clone) -> Self {
        let n: f64 = parts.clone().map(|p| p.n).sum();
        let mean = parts.clone().map(|p| p.n * p.mean).sum::<f64>() / n;
        let ss = parts.map(|p| p.ss + p.n * (p.mean - mean).powi(2)).sum();
        Self { n, mean, ss }
    }

    /// Unbiased variance.
    pub fn var(&self) -> f64 {
        self.ss / (self.n - 1.0)
    }
}

/// Regularized incomplete beta, with invalid arguments (degenerate tests) mapped to NaN.
fn ibeta(a: f64, b: f64, x: f64) -> f64 {
    checked_beta_reg(a, b, x.clamp(0.0, 1.0)).unwrap_or(f64::NAN)
}

/// Two-sided p-value of Welch's unequal-variance t-test (as `scipy.stats.ttest_ind(equal_var=False)`).
///
/// # Formula
///
/// `t = (m₁ − m₂)/√(v₁/n₁ + v₂/n₂)`, Welch–Satterthwaite degrees of freedom
/// `ν = (v₁/n₁ + v₂/n₂)² / ((v₁/n₁)²/(n₁−1) + (v₂/n₂)²/(n₂−1))`, `p = I_{ν/(ν+t²)}(ν/2, 1/2)`.
pub(crate) fn welch_t_pvalue(a: &ResidualSummary, b: &ResidualSummary) -> f64 {
    let (va, vb) = (a.var() / a.n, b.var() / b.n);
    let se2 = va + vb;
    if se2 <= 0.0 {
        return if a.mean == b.mean { 1.0 } else { 0.0 };
    }
    let t = (a.mean - b.mean) / se2.sqrt();
    let df = se2 * se2 / (va * va / (a.n - 1.0) + vb * vb / (b.n - 1.0));
    // statrs' CDF is `½·I_{ν/(ν+t²)}(ν/2, ½)` below the mean, so doubling it is exact. It panics
    // on a NaN `t` (degenerate groups), hence the guard: NaN as before.
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) if !t.is_nan() => 2.0 * dist.cdf(-t.abs()),
        _ => f64::NAN,
    }
}

/// Lower-tail probability and upper-tail probability of `F(d1, d2)` at `f`.
pub(crate) fn f_tails(f: f64, d1: f64, d2: f64) -> (f64, f64) {
    if f <= 0.0 {
        return (0.0, 1.0);
    }
    if f.is_infinite() {
        return (1.0, 0.0);
    }
    if f.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let Ok(dist) = FisherSnedecor::new(d1, d2) else {
        return (f64::NAN, f64::NAN);
    };
    // statrs' survival function evaluates `I` at `1 − d₁f/(d₁f + d₂)`, which cancels to 0 in
    // the far upper tail; `d₂/(d₂ + d₁f)` keeps the small upper p-values causalicp reports.
    let upper = ibeta(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f));
    (dist.cdf(f), upper)
}

/// Two-sided p-value of the F-test for equal variances, `2·min(P(F ≤ f), P(F ≥ f))` with
/// `f = v₁/v₂ ~ F(n₁−1, n₂−1)` (as causalicp).
pub(crate) fn f_equal_var_pvalue(a: &ResidualSummary, b: &ResidualSummary) -> f64 {
    let (lower, upper) = f_tails(a.var() / b.var(), a.n - 1.0, b.n - 1.0);
    2.0 * lower.min(upper)
}

/// Standard normal quantile, `−√2·erfc⁻¹(2p)`.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(x: &[f64]) -> ResidualSummary {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        ResidualSummary {
            n,
            mean,
            ss: x.iter().map(|v| (v - mean).powi(2)).sum(),
        }
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy.stats.ttest_ind([1,2,3,4,5],[2,4,6,8,10,12],equal_var=False).pvalue
        let p = welch_t_pvalue(
            &summary(&[1., 2., 3., 4., 5.]),
            &summary(&[2., 4., 6., 8., 10., 12.]),
        );
        assert!((p - 0.04928433820673053).abs() < 1e-10, "{p}");
    }

    #[test]
    fn f_test_matches_scipy() {
        // F = var([1..5]) / var([2,4,..,12]) = 2.5/14 ; 2*scipy.stats.f.cdf(F, 4, 5)
        let p = f_equal_var_pvalue(
            &summary(&[1., 2., 3., 4., 5.]),
            &summary(&[2., 4., 6., 8., 10., 12.]),
        );
        assert!((p - 0.12003640088360075).abs() < 1e-10, "{p}");
    }

    #[test]
    fn normal_quantile_is_accurate() {
        assert!((normal_quantile(0.9875) - 2.241402727604947).abs() < 1e-12);
        assert!((normal_quantile(0.5)).abs() < 1e-15);
    }

    #[test]
    fn pooling_equals_direct_moments() {
        let c0 = [1.0, 2.0, 4.0, 8.0, 3.0];
        let c1 = [0.5, -1.0, 2.0, 7.0, 1.0];
        let cols: Vec<&[f64]> = vec![&c0, &c1];
        let all = Moments::from_rows(&cols, &[0, 1, 2, 3, 4]);
        let a = Moments::from_rows(&cols, &[0, 2]);
        let b = Moments::from_rows(&cols, &[1, 3, 4]);
        let pooled = Moments::pool([&a, &b]);
        assert!((pooled.scatter - all.scatter).abs().max() < 1e-12);
        assert!((pooled.mean - all.mean).abs().max() < 1e-12);
    }
}
