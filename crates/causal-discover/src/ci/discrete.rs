//! Chi-square and G-square tests for discrete data, as causal-learn's `chisq` and `gsq`.

use std::collections::HashMap;

use causal_core::data::Dataset;
use statrs::function::gamma::gamma_ur;

use super::{CiTest, check_indices};
use crate::error::{DiscoverError, Result};

/// Integer codes per column (`0..cardinality`, in sorted order of the original values).
#[derive(Clone, Debug)]
struct Codes {
    codes: Vec<Vec<u32>>,
    card: Vec<usize>,
    n_rows: usize,
}

impl Codes {
    fn new(data: &Dataset, test: &'static str) -> Result<Self> {
        let mut codes = Vec::with_capacity(data.n_cols());
        let mut card = Vec::with_capacity(data.n_cols());
        for (name, col) in data.names().iter().zip(data.columns()) {
            if let Some(&v) = col.iter().find(|v| v.fract() != 0.0) {
                return Err(DiscoverError::NotDiscrete {
                    test,
                    column: name.clone(),
                    value: v,
                });
            }
            let mut levels: Vec<i64> = col.iter().map(|&v| v as i64).collect();
            levels.sort_unstable();
            levels.dedup();
            let index: HashMap<i64, u32> = levels
                .iter()
                .enumerate()
                .map(|(k, &v)| (v, k as u32))
                .collect();
            codes.push(col.iter().map(|&v| index[&(v as i64)]).collect());
            card.push(levels.len());
        }
        Ok(Self {
            codes,
            card,
            n_rows: data.n_rows(),
        })
    }

    /// Counts per observed stratum of `z`: `(counts[s][i][j], card_x, card_y)`.
    fn table(&self, x: usize, y: usize, z: &[usize]) -> (Vec<Vec<u64>>, usize, usize) {
        let (cx, cy) = (self.card[x], self.card[y]);
        let cells = cx * cy;
        // Stratum key by mixed radix over z; strata are numbered in order of first appearance,
        // which does not change the statistic (a sum over strata).
        let mut stratum_of: HashMap<u64, usize> = HashMap::new();
        let mut counts: Vec<Vec<u64>> = Vec::new();
        for r in 0..self.n_rows {
            let mut key = 0u64;
            for &v in z {
                key = key
                    .wrapping_mul(self.card[v] as u64)
                    .wrapping_add(u64::from(self.codes[v][r]));
            }
            let s = *stratum_of.entry(key).or_insert_with(|| {
                counts.push(vec![0; cells]);
                counts.len() - 1
            });
            let cell = self.codes[x][r] as usize * cy + self.codes[y][r] as usize;
            counts[s][cell] += 1;
        }
        (counts, cx, cy)
    }

    fn p_value(&self, x: usize, y: usize, z: &[usize], g_sq: bool) -> Result<f64> {
        check_indices(self.codes.len(), x, y, z)?;
        // Mixed-radix keys must not overflow: fall back to a collision-free check.
        let log_card: f64 = z.iter().map(|&v| (self.card[v] as f64).log2()).sum();
        if log_card >= 63.0 {
            return Err(DiscoverError::InvalidParameter(format!(
                "conditioning set of {} variables has too many joint levels",
                z.len()
            )));
        }
        let (counts, cx, cy) = self.table(x, y, z);
        let mut stat = 0.0;
        let mut df: i64 = 0;
        for table in &counts {
            let row: Vec<u64> = (0..cx)
                .map(|i| (0..cy).map(|j| table[i * cy + j]).sum())
                .collect();
            let col: Vec<u64> = (0..cy)
                .map(|j| (0..cx).map(|i| table[i * cy + j]).sum())
                .collect();
            let total: u64 = row.iter().sum();
            let mut zero_rows = 0i64;
            let mut zero_cols = 0i64;
            for i in 0..cx {
                let e_row_zero = (0..cy).all(|j| row[i] * col[j] == 0);
                zero_rows += i64::from(e_row_zero);
            }
            for j in 0..cy {
                let e_col_zero = (0..cx).all(|i| row[i] * col[j] == 0);
                zero_cols += i64::from(e_col_zero);
            }
            for i in 0..cx {
                for j in 0..cy {
                    let c = table[i * cy + j] as f64;
                    let e = (row[i] as f64) * (col[j] as f64) / total as f64;
                    let e1 = if e == 0.0 { 1.0 } else { e };
                    if g_sq {
                        let mut div = c / e1;
                        if div == 0.0 {
                            div = 1.0;
                        }
                        stat += 2.0 * c * div.ln();
                    } else {
                        stat += (c - e) * (c - e) / e1;
                    }
                }
            }
            df += (cx as i64 - 1 - zero_rows) * (cy as i64 - 1 - zero_cols);
        }
        if df == 0 {
            return Ok(1.0);
        }
        Ok(chi2_sf(stat, df as f64))
    }
}

/// Survival function of the chi-square distribution.
pub(crate) fn chi2_sf(stat: f64, df: f64) -> f64 {
    if stat <= 0.0 {
        return 1.0;
    }
    gamma_ur(df / 2.0, stat / 2.0)
}

/// Pearson's chi-square test of `x ⫫ y | z` on discrete codes.
///
/// The data is stratified by the observed configurations of `z`; degrees of freedom are summed
/// over strata as `(|X| − 1 − r₀)(|Y| − 1 − c₀)`, with `r₀`, `c₀` the rows and columns whose
/// expected counts are all zero in that stratum — causal-learn's handling, matched exactly.
///
/// # Formula
///
/// `χ² = Σ_s Σ_ij (O_sij − E_sij)² / E_sij` with `E_sij = O_si· O_s·j / O_s··`, and
/// `p = P(χ²_df > χ²)`.
///
/// # Examples
///
/// ```
/// use causal_core::data::Dataset;
/// use causal_discover::ci::{ChiSquare, CiTest};
///
/// let x: Vec<f64> = (0..400).map(|i| (i % 2) as f64).collect();
/// let y: Vec<f64> = (0..400).map(|i| ((i % 2) ^ usize::from(i % 7 == 0)) as f64).collect();
/// let data = Dataset::new(vec!["x".into(), "y".into()], vec![x, y])?;
/// assert!(ChiSquare::new(&data)?.p_value(0, 1, &[])? < 1e-6);
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ChiSquare(Codes);

/// The G-square (likelihood-ratio) test of `x ⫫ y | z` on discrete codes.
///
/// Strata and degrees of freedom as [`ChiSquare`].
///
/// # Formula
///
/// `G² = 2 Σ_s Σ_ij O_sij ln(O_sij / E_sij)`, `p = P(χ²_df > G²)`.
///
/// # Examples
///
/// ```
/// use causal_core::data::Dataset;
/// use causal_discover::ci::{CiTest, GSquare};
///
/// let x: Vec<f64> = (0..400).map(|i| (i % 3) as f64).collect();
/// let y: Vec<f64> = (0..400).map(|i| (i % 5) as f64).collect();
/// let data = Dataset::new(vec!["x".into(), "y".into()], vec![x, y])?;
/// assert!(GSquare::new(&data)?.p_value(0, 1, &[])? > 0.05);
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug)]
pub struct GSquare(Codes);

impl ChiSquare {
    /// Encodes every column as integer codes.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::NotDiscrete`] naming a column with a non-integer value.
    pub fn new(data: &Dataset) -> Result<Self> {
        Ok(Self(Codes::new(data, "chisq")?))
    }
}

impl GSquare {
    /// Encodes every column as integer codes.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::NotDiscrete`] naming a column with a non-integer value.
    pub fn new(data: &Dataset) -> Result<Self> {
        Ok(Self(Codes::new(data, "gsq")?))
    }
}

impl CiTest for ChiSquare {
    fn n_vars(&self) -> usize {
        self.0.codes.len()
    }
    fn p_value(&self, x: usize, y: usize, z: &[usize]) -> Result<f64> {
        self.0.p_value(x, y, z, false)
    }
    fn name(&self) -> &'static str {
        "chisq"
    }
}

impl CiTest for GSquare {
    fn n_vars(&self) -> usize {
        self.0.codes.len()
    }
    fn p_value(&self, x: usize, y: usize, z: &[usize]) -> Result<f64> {
        self.0.p_value(x, y, z, true)
    }
    fn name(&self) -> &'static str {
        "gsq"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(cols: Vec<Vec<f64>>) -> Dataset {
        let names = (0..cols.len()).map(|i| format!("v{i}")).collect();
        Dataset::new(names, cols).unwrap()
    }

    #[test]
    fn two_by_two_matches_hand_computation() {
        // Table [[30, 10], [10, 30]]: chi2 = 20, df = 1.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for (a, b, n) in [
            (0.0, 0.0, 30),
            (0.0, 1.0, 10),
            (1.0, 0.0, 10),
            (1.0, 1.0, 30),
        ] {
            for _ in 0..n {
                x.push(a);
                y.push(b);
            }
        }
        let d = data(vec![x, y]);
        let p = ChiSquare::new(&d).unwrap().p_value(0, 1, &[]).unwrap();
        let want = gamma_ur(0.5, 10.0);
        assert!((p - want).abs() < 1e-15, "{p}");
        let g = 2.0 * (60.0 * (30.0f64 / 20.0).ln() + 20.0 * (10.0f64 / 20.0).ln());
        let pg = GSquare::new(&d).unwrap().p_value(0, 1, &[]).unwrap();
        assert!((pg - gamma_ur(0.5, g / 2.0)).abs() < 1e-15);
    }

    #[test]
    fn degrees_of_freedom_drop_empty_rows_per_stratum() {
        // In stratum z=1, x only takes value 0: that stratum has df (2-1-1)*(2-1) = 0,
        // and stratum z=0 has df 1. A perfectly dependent stratum-0 table gives a tiny p.
        let x = vec![0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        let y = vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0];
        let z = vec![0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let t = ChiSquare::new(&data(vec![x, y, z])).unwrap();
        let p = t.p_value(0, 1, &[2]).unwrap();
        // Stratum 0: [[2,0],[0,2]] -> chi2 = 4; stratum 1 contributes 0 with df 0.
        assert!((p - gamma_ur(0.5, 2.0)).abs() < 1e-15, "{p}");
    }

    #[test]
    fn continuous_data_is_rejected_with_the_column() {
        let err = ChiSquare::new(&data(vec![vec![0.0, 1.0], vec![0.5, 1.0]])).unwrap_err();
        assert!(
            err.to_string().contains("'v1'") && err.to_string().contains("0.5"),
            "{err}"
        );
    }
}
