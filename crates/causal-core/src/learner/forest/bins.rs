//! Feature binning: each feature's training values fall into at most `max_bins` ordered bins
//! (4096 by default, 65 536 at most), so that a split search scans a histogram rather than
//! sorting the node's rows.

use nalgebra::DMatrix;

/// The most bins a feature can get (its codes are two bytes).
pub(crate) const MAX_BINS: usize = 1 << 16;

/// The binned training rows: `codes[j * rows + r]` is the bin of training row `r` in feature
/// `j`, and `thresholds[j][b]` the value that separates bin `b` from bin `b + 1`.
pub(super) struct Binned {
    pub(super) rows: usize,
    pub(super) codes: Vec<u16>,
    pub(super) thresholds: Vec<Vec<f64>>,
}

impl Binned {
    /// Bins the rows `rows` of every column of `x`.
    ///
    /// A feature with at most `max_bins` distinct training values gets one bin per value, and
    /// its thresholds are the midpoints between consecutive values: the candidate splits of
    /// exact CART (scikit-learn's trees). A feature with more gets `max_bins` bins of about
    /// equal counts, cut at midpoints between distinct values, as scikit-learn's
    /// `HistGradientBoostingRegressor` and LightGBM bin. `max_bins` is clamped to
    /// `2..=65 536`.
    pub(super) fn new(x: &DMatrix<f64>, rows: &[usize], max_bins: usize) -> Self {
        let max_bins = max_bins.clamp(2, MAX_BINS);
        let m = rows.len();
        let mut codes = Vec::with_capacity(m * x.ncols());
        let mut thresholds = Vec::with_capacity(x.ncols());
        let mut sorted = Vec::with_capacity(m);
        for j in 0..x.ncols() {
            let col = x.column(j);
            sorted.clear();
            sorted.extend(rows.iter().map(|&i| col[i]));
            sorted.sort_unstable_by(f64::total_cmp);
            let cuts = cut_points(&sorted, max_bins);
            codes.extend(rows.iter().map(|&i| {
                // The number of thresholds below the value: below 65 536, so it fits two bytes.
                cuts.partition_point(|t| *t < col[i]) as u16
            }));
            thresholds.push(cuts);
        }
        Self {
            rows: m,
            codes,
            thresholds,
        }
    }

    /// The codes of feature `j`, by training row.
    pub(super) fn feature(&self, j: usize) -> &[u16] {
        &self.codes[j * self.rows..(j + 1) * self.rows]
    }

    /// The number of bins of feature `j`.
    pub(super) fn bins(&self, j: usize) -> usize {
        self.thresholds[j].len() + 1
    }
}

/// At most `max_bins - 1` increasing thresholds for sorted values: every midpoint between
/// distinct values when there are few, else the midpoints at the 1/B, 2/B, … count quantiles
/// (B = `max_bins`, skipping any inside a run of equal values).
fn cut_points(sorted: &[f64], max_bins: usize) -> Vec<f64> {
    let mut distinct: Vec<f64> = Vec::new();
    for &v in sorted {
        if distinct.last() != Some(&v) {
            distinct.push(v);
            if distinct.len() > max_bins {
                break;
            }
        }
    }
    if distinct.len() <= max_bins {
        return distinct.windows(2).map(|w| midpoint(w[0], w[1])).collect();
    }
    let m = sorted.len();
    let mut cuts: Vec<f64> = Vec::with_capacity(max_bins - 1);
    for q in 1..max_bins {
        let i = q * m / max_bins;
        // The first row at or after the quantile whose value differs from its predecessor.
        let Some(k) = (i.max(1)..m).find(|&k| sorted[k] != sorted[k - 1]) else {
            break;
        };
        let t = midpoint(sorted[k - 1], sorted[k]);
        if cuts.last().is_none_or(|&last| t > last) {
            cuts.push(t);
        }
    }
    cuts
}

/// The midpoint of `a < b`; `a` itself when rounding would put it at `b` (scikit-learn's rule),
/// so that `a` goes left and `b` right of it.
fn midpoint(a: f64, b: f64) -> f64 {
    let t = a / 2.0 + b / 2.0;
    if t >= b || !t.is_finite() { a } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_values_get_exact_midpoints_and_codes_split_at_them() {
        let x = DMatrix::from_column_slice(6, 1, &[3.0, 1.0, 2.0, 2.0, 1.0, 5.0]);
        let b = Binned::new(&x, &[0, 1, 2, 3, 4, 5], 256);
        assert_eq!(b.thresholds[0], vec![1.5, 2.5, 4.0]);
        assert_eq!(b.feature(0), &[2, 0, 1, 1, 0, 3]);
        // Only the training rows are binned, in their order.
        let b = Binned::new(&x, &[5, 1], 256);
        assert_eq!(b.thresholds[0], vec![3.0]);
        assert_eq!(b.feature(0), &[1, 0]);
    }

    #[test]
    fn many_values_get_256_bins_of_about_equal_counts() {
        let values: Vec<f64> = (0..10_000).map(|i| f64::from(i * 7919 % 10_007)).collect();
        let x = DMatrix::from_column_slice(values.len(), 1, &values);
        let rows: Vec<usize> = (0..values.len()).collect();
        // Enough bins for every value: every midpoint.
        assert_eq!(Binned::new(&x, &rows, 20_000).bins(0), 10_000);
        let b = Binned::new(&x, &rows, 256);
        assert_eq!(b.bins(0), 256);
        assert!(b.thresholds[0].windows(2).all(|w| w[0] < w[1]));
        let mut counts = [0usize; 256];
        for &c in b.feature(0) {
            counts[usize::from(c)] += 1;
        }
        let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(*lo >= 38 && *hi <= 41, "bin counts {lo}..{hi}");
        // A code says on which side of every threshold the value lies.
        for (r, &c) in b.feature(0).iter().enumerate() {
            let t = &b.thresholds[0];
            let c = usize::from(c);
            assert!(c == 0 || values[r] > t[c - 1]);
            assert!(c == t.len() || values[r] <= t[c]);
        }
    }

    #[test]
    fn a_run_of_equal_values_is_never_cut() {
        let mut values = vec![0.0; 5000];
        values.extend((0..1000).map(f64::from));
        let x = DMatrix::from_column_slice(values.len(), 1, &values);
        let rows: Vec<usize> = (0..values.len()).collect();
        let b = Binned::new(&x, &rows, 256);
        let zero_codes: Vec<u16> = b.feature(0)[..5000].to_vec();
        assert!(zero_codes.iter().all(|&c| c == 0));
        assert!(b.thresholds[0][0] > 0.0 && b.thresholds[0][0] < 1.0);
    }
}
