//! Grouping rows by environment.

use std::collections::BTreeMap;

use causal_core::data::Dataset;

use crate::error::{IrmError, Result};

/// Rows grouped by environment label, in increasing label order.
#[derive(Clone, Debug, PartialEq)]
pub struct Environments {
    labels: Vec<i64>,
    rows: Vec<Vec<usize>>,
}

impl Environments {
    /// Groups rows by integer labels (one per row).
    ///
    /// # Errors
    ///
    /// [`IrmError::Environments`] when there is a single environment, or an environment has
    /// fewer than 2 rows (naming it).
    pub fn from_labels(labels: &[i64]) -> Result<Self> {
        let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for (i, &l) in labels.iter().enumerate() {
            groups.entry(l).or_default().push(i);
        }
        let (labels, rows) = groups.into_iter().unzip();
        Self::validated(labels, rows)
    }

    /// Explicit groups of row indices; group `k` gets label `k`. Rows in no group are left out.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_irm::environments::Environments;
    ///
    /// let e = Environments::from_groups(6, vec![vec![0, 1, 2], vec![4, 5]])?;
    /// assert_eq!(e.labels(), &[0, 1]);
    /// assert_eq!(e.n_rows(), 5);
    /// # Ok::<(), causal_irm::IrmError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`IrmError::Environments`] for a row index `≥ n_rows`, a row in two groups, and as
    /// [`Environments::from_labels`].
    pub fn from_groups(n_rows: usize, groups: Vec<Vec<usize>>) -> Result<Self> {
        let mut seen = vec![usize::MAX; n_rows];
        for (k, g) in groups.iter().enumerate() {
            for &i in g {
                let slot = seen.get_mut(i).ok_or_else(|| {
                    IrmError::Environments(format!(
                        "group {k} names row {i}, but the data has {n_rows} rows"
                    ))
                })?;
                if *slot != usize::MAX {
                    return Err(IrmError::Environments(format!(
                        "row {i} is in both group {} and group {k}",
                        *slot
                    )));
                }
                *slot = k;
            }
        }
        let labels = (0..groups.len() as i64).collect();
        Self::validated(labels, groups)
    }

    fn validated(labels: Vec<i64>, rows: Vec<Vec<usize>>) -> Result<Self> {
        if labels.len() < 2 {
            return Err(IrmError::Environments(format!(
                "found {} environment(s); invariance needs at least 2",
                labels.len()
            )));
        }
        if let Some((l, r)) = labels.iter().zip(&rows).find(|(_, r)| r.len() < 2) {
            return Err(IrmError::Environments(format!(
                "environment {l} has {} row(s); each needs at least 2",
                r.len()
            )));
        }
        Ok(Self { labels, rows })
    }

    /// Groups the rows of a data set by its environment column.
    ///
    /// # Errors
    ///
    /// [`IrmError::Environments`] when the data set declares no environment column, and as
    /// [`Environments::from_labels`].
    pub fn from_dataset(data: &Dataset) -> Result<Self> {
        let name = data.environment_name().ok_or_else(|| {
            IrmError::Environments("the data set declares no environment column".into())
        })?;
        Self::from_column(data, name)
    }

    /// Groups the rows of a data set by the (integer-valued) column `name`.
    ///
    /// # Errors
    ///
    /// [`IrmError::Column`] for non-integer labels, and as [`Environments::from_labels`].
    pub fn from_column(data: &Dataset, name: &str) -> Result<Self> {
        let col = data.column(name)?;
        if let Some(i) = col.iter().position(|v| v.fract() != 0.0) {
            return Err(IrmError::Column {
                column: name.into(),
                message: format!(
                    "environment labels must be integers; row {} holds {}",
                    i + 1,
                    col[i]
                ),
            });
        }
        let labels: Vec<i64> = col.iter().map(|&v| v as i64).collect();
        Self::from_labels(&labels)
    }

    /// Number of environments.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always false: construction requires two environments.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of rows over all environments.
    pub fn n_rows(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    /// Environment labels, sorted.
    pub fn labels(&self) -> &[i64] {
        &self.labels
    }

    /// Row indices of environment `k` (by position in [`Environments::labels`]).
    pub fn rows(&self, k: usize) -> &[usize] {
        &self.rows[k]
    }

    /// Largest row index in any environment.
    pub(crate) fn max_row(&self) -> Option<usize> {
        self.rows.iter().flatten().copied().max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_in_label_order() {
        let e = Environments::from_labels(&[3, 1, 3, 1, 1]).unwrap();
        assert_eq!(e.labels(), &[1, 3]);
        assert_eq!(e.rows(0), &[1, 3, 4]);
        assert_eq!(e.rows(1), &[0, 2]);
    }

    #[test]
    fn rejects_single_and_tiny_environments() {
        let err = Environments::from_labels(&[0, 0, 0])
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least 2"), "{err}");
        let err = Environments::from_labels(&[0, 0, 5])
            .unwrap_err()
            .to_string();
        assert!(err.contains("environment 5 has 1 row"), "{err}");
    }

    #[test]
    fn groups_must_be_disjoint_and_in_range() {
        let err = Environments::from_groups(4, vec![vec![0, 1], vec![1, 2]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 1 is in both"), "{err}");
        let err = Environments::from_groups(4, vec![vec![0, 1], vec![2, 9]])
            .unwrap_err()
            .to_string();
        assert!(err.contains("row 9"), "{err}");
    }
}
