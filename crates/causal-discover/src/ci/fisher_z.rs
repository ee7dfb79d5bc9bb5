//! Fisher-z test of zero partial correlation, from a cached correlation matrix.

use causal_core::data::Dataset;
use causal_core::stats;
use nalgebra::DMatrix;

use super::{CiTest, check_indices};
use crate::error::{DiscoverError, Result};

/// Fisher-z test of zero partial correlation for (approximately) linear-Gaussian data.
///
/// The correlation matrix is computed once, in [`FisherZ::new`]; each call then only factors the
/// `(k + 2) × (k + 2)` sub-matrix of `x`, `y` and the `k` conditioning variables, so its cost does
/// not depend on the number of rows.
///
/// # Formula
///
/// With `r` the partial correlation of `x` and `y` given `z` and `n` rows,
/// `Z = ½ ln((1 + r) / (1 − r))`, `T = √(n − |z| − 3) |Z|` and `p = 2 (1 − Φ(T))`,
/// exactly as causal-learn's `fisherz` (including its clipping of `|r| ≥ 1`). The arithmetic is
/// causal-core's ([`stats::partial_correlation`], [`stats::fisher_z_p_value`]), shared with
/// [`stats::fisher_z_test`]; this type adds the cached correlation matrix.
///
/// # Examples
///
/// ```
/// use causal_core::data::Dataset;
/// use causal_discover::ci::{CiTest, FisherZ};
///
/// // x -> m -> y: x and y are dependent, but independent given m.
/// let x: Vec<f64> = (0..200).map(|i| ((i * 37) % 101) as f64 / 50.0 - 1.0).collect();
/// let m: Vec<f64> = x.iter().enumerate().map(|(i, v)| v + ((i * 53) % 97) as f64 / 97.0).collect();
/// let y: Vec<f64> = m.iter().enumerate().map(|(i, v)| v + ((i * 71) % 89) as f64 / 89.0).collect();
/// let data = Dataset::new(vec!["x".into(), "m".into(), "y".into()], vec![x, m, y])?;
/// let test = FisherZ::new(&data)?;
/// assert!(test.p_value(0, 2, &[])? < 0.01);
/// assert!(test.p_value(0, 2, &[1])? > 0.01);
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug)]
pub struct FisherZ {
    corr: DMatrix<f64>,
    n_rows: usize,
    names: Vec<String>,
}

impl FisherZ {
    /// Computes the correlation matrix of the data.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::ConstantColumn`] naming a column with zero variance,
    /// [`DiscoverError::TooFewRows`] for fewer than 4 rows.
    pub fn new(data: &Dataset) -> Result<Self> {
        let n = data.n_rows();
        if n < 4 {
            return Err(DiscoverError::TooFewRows {
                test: "fisherz",
                needed: 3,
                rows: n,
            });
        }
        let d = data.n_cols();
        // The centred copy is written once (no zero fill first).
        let mut centred = Vec::with_capacity(n * d);
        for col in data.columns() {
            let mean = col.iter().sum::<f64>() / n as f64;
            centred.extend(col.iter().map(|v| v - mean));
        }
        let x = DMatrix::from_vec(n, d, centred);
        let gram = gram_upper(&x);
        let ss: Vec<f64> = (0..d).map(|j| gram[(j, j)]).collect();
        for (j, &s) in ss.iter().enumerate() {
            if s <= 0.0 || !s.is_finite() {
                return Err(DiscoverError::ConstantColumn(data.names()[j].clone()));
            }
        }
        let mut corr = DMatrix::identity(d, d);
        for i in 0..d {
            for j in i + 1..d {
                let r = (gram[(i, j)] / (ss[i].sqrt() * ss[j].sqrt())).clamp(-1.0, 1.0);
                corr[(i, j)] = r;
                corr[(j, i)] = r;
            }
        }
        Self::from_correlation(corr, n, data.names().to_vec())
    }

    /// Builds the test from a correlation matrix computed elsewhere and its sample size.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] if the matrix is not square, does not match the names,
    /// or has a non-finite entry.
    pub fn from_correlation(corr: DMatrix<f64>, n_rows: usize, names: Vec<String>) -> Result<Self> {
        if corr.nrows() != corr.ncols() || corr.nrows() != names.len() {
            return Err(DiscoverError::InvalidParameter(format!(
                "correlation matrix is {}x{} for {} names",
                corr.nrows(),
                corr.ncols(),
                names.len()
            )));
        }
        if corr.iter().any(|v| !v.is_finite()) {
            return Err(DiscoverError::InvalidParameter(
                "correlation matrix has a non-finite entry".into(),
            ));
        }
        Ok(Self {
            corr,
            n_rows,
            names,
        })
    }

    /// The cached correlation matrix.
    pub fn correlation(&self) -> &DMatrix<f64> {
        &self.corr
    }

    /// Number of rows of the data.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The partial correlation of `x` and `y` given `z`.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::Singular`] naming the variables if their correlation sub-matrix is
    /// singular (perfect collinearity), and index errors.
    pub fn partial_correlation(&self, x: usize, y: usize, z: &[usize]) -> Result<f64> {
        check_indices(self.names.len(), x, y, z)?;
        stats::partial_correlation(&self.corr, x, y, z)?.ok_or_else(|| {
            let vars: Vec<usize> = z.iter().copied().chain([x, y]).collect();
            self.singular(&vars)
        })
    }

    fn singular(&self, vars: &[usize]) -> DiscoverError {
        let mut names: Vec<String> = vars.iter().map(|&v| self.names[v].clone()).collect();
        names.sort();
        DiscoverError::Singular(names)
    }
}

impl CiTest for FisherZ {
    fn n_vars(&self) -> usize {
        self.names.len()
    }

    fn p_value(&self, x: usize, y: usize, z: &[usize]) -> Result<f64> {
        if self.n_rows <= z.len() + 3 {
            return Err(DiscoverError::TooFewRows {
                test: "fisherz",
                needed: z.len() + 3,
                rows: self.n_rows,
            });
        }
        let r = self.partial_correlation(x, y, z)?;
        Ok(stats::fisher_z_p_value(r, self.n_rows, z.len())?.1)
    }

    fn name(&self) -> &'static str {
        "fisherz"
    }

    /// A Fisher-z test on the cached correlation matrix is a small solve (well under a
    /// microsecond at low depth): thousands make one task worth a thread.
    fn tests_per_task(&self) -> usize {
        2048
    }
}

/// Columns per block of the Gram matrix (at most): one block pair is one matrix product, big
/// enough to run at the product's full speed and small enough to give two threads work at
/// d = 50.
const GRAM_BLOCK: usize = 16;

/// The upper triangle (diagonal included) of `xᵀx` for a column-major `x`; below the diagonal
/// only the diagonal blocks are filled (the callers read the upper triangle alone).
///
/// This is most of PC's work when the graph is sparse. The columns are cut into near-equal
/// blocks; each block row is one task (rayon) that transposes its columns once and multiplies
/// them with the blocks on and right of the diagonal. The blocks below the diagonal, which the
/// correlations do not read, are not computed. Every product is nalgebra's cache-blocked,
/// vectorised one (matrixmultiply, taken when all dimensions exceed 5, hence blocks of at least
/// 6 columns), which sums each entry over the rows in the same order whatever the block: the
/// result is the same bits as the whole product `xᵀx` and does not depend on the thread count.
fn gram_upper(x: &DMatrix<f64>) -> DMatrix<f64> {
    use rayon::prelude::*;
    let d = x.ncols();
    let n_blocks = d.div_ceil(GRAM_BLOCK).max(1);
    let bounds: Vec<usize> = (0..=n_blocks).map(|b| b * d / n_blocks).collect();
    let rows: Vec<Vec<DMatrix<f64>>> = (0..n_blocks)
        .into_par_iter()
        .map(|bi| {
            let (i0, i1) = (bounds[bi], bounds[bi + 1]);
            let at = x.columns(i0, i1 - i0).transpose();
            (bi..n_blocks)
                .map(|bj| &at * x.columns(bounds[bj], bounds[bj + 1] - bounds[bj]))
                .collect()
        })
        .collect();
    let mut gram = DMatrix::<f64>::zeros(d, d);
    for (bi, row) in rows.iter().enumerate() {
        for (c, bj) in row.iter().zip(bi..) {
            gram.view_mut((bounds[bi], bounds[bj]), c.shape())
                .copy_from(c);
        }
    }
    gram
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(cols: Vec<Vec<f64>>) -> Dataset {
        let names = (0..cols.len()).map(|i| format!("v{i}")).collect();
        Dataset::new(names, cols).unwrap()
    }

    #[test]
    fn partial_correlation_matches_inverse_formula() {
        let corr = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.3, 0.5, 1.0, 0.4, 0.3, 0.4, 1.0]);
        let t =
            FisherZ::from_correlation(corr.clone(), 100, vec!["a".into(), "b".into(), "c".into()])
                .unwrap();
        let inv = corr.try_inverse().unwrap();
        let want = -inv[(0, 1)] / (inv[(0, 0)] * inv[(1, 1)]).sqrt();
        let got = t.partial_correlation(0, 1, &[2]).unwrap();
        assert!((got - want).abs() < 1e-14, "{got} vs {want}");
        let marginal = t.partial_correlation(0, 1, &[]).unwrap();
        assert!((marginal - 0.5).abs() < 1e-15);
        // p-value of r = 0.5 at n = 100: T = sqrt(97) * atanh(0.5).
        let tt = 97f64.sqrt() * 0.5f64.atanh();
        let p = t.p_value(0, 1, &[]).unwrap();
        assert!((p - stats::normal_p_value(tt)).abs() < 1e-15);
        // scipy: 2 * (1 - norm.cdf(sqrt(97) * arctanh(0.5))).
        assert!((p - 6.301_134_014_563_559e-8).abs() < 1e-15, "{p:e}");
        assert!(p < 1e-5);
    }

    #[test]
    fn constant_and_collinear_columns_are_named() {
        let err = FisherZ::new(&data(vec![vec![1.0, 2.0, 3.0, 5.0], vec![2.0; 4]])).unwrap_err();
        assert_eq!(err.to_string(), "column 'v1' is constant");
        let a = vec![1.0, 2.0, 3.0, 5.0, 4.0, 0.0];
        let b = vec![0.3, -1.0, 2.0, 0.5, 0.1, 0.9];
        let c: Vec<f64> = a.iter().zip(&b).map(|(x, y)| 2.0 * x - y).collect();
        let t = FisherZ::new(&data(vec![a, b, c])).unwrap();
        let err = t.p_value(0, 1, &[2]).unwrap_err();
        assert!(matches!(err, DiscoverError::Singular(_)), "{err}");
        assert!(err.to_string().contains("v2"), "{err}");
    }

    #[test]
    fn too_few_rows_is_an_error() {
        assert!(matches!(
            FisherZ::new(&data(vec![vec![1.0, 2.0, 4.0], vec![0.0, 1.0, 3.0]])),
            Err(DiscoverError::TooFewRows { .. })
        ));
        let t = FisherZ::new(&data(vec![
            vec![1.0, 2.0, 4.0, 0.5],
            vec![0.0, 1.0, 3.0, 1.0],
            vec![0.0, 3.0, 1.0, 2.0],
        ]))
        .unwrap();
        assert!(t.p_value(0, 1, &[]).is_ok());
        assert!(matches!(
            t.p_value(0, 1, &[2]),
            Err(DiscoverError::TooFewRows { .. })
        ));
    }
    #[test]
    fn gram_upper_is_the_whole_product_bit_for_bit() {
        // Shapes on both sides of the block size and of nalgebra's small-matrix threshold.
        for (n, d) in [
            (4, 1),
            (5, 3),
            (6, 6),
            (40, 7),
            (300, 16),
            (301, 17),
            (97, 33),
            (500, 50),
        ] {
            let mut state = (n * 31 + d) as u64;
            let x = DMatrix::from_fn(n, d, |_, _| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 11) as f64 / (1u64 << 53) as f64 - 0.3
            });
            let whole = x.transpose() * &x;
            let upper = gram_upper(&x);
            for j in 0..d {
                for i in 0..=j {
                    let (got, want) = (upper[(i, j)], whole[(i, j)]);
                    assert_eq!(got.to_bits(), want.to_bits(), "n={n} d={d} ({i},{j})");
                }
            }
        }
    }
}
