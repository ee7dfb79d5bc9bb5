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
        if groups.len() < 2 {
            return Err(IrmError::Environments(format!(
                "found {} environment(s); invariance needs at least 2",
                groups.len()
            )));
        }
        if let Some((l, r)) = groups.iter().find(|(_, r)| r.len() < 2) {
            return Err(IrmError::Environments(format!(
                "environment {l} has {} row(s); each needs at least 2",
                r.len()
            )));
        }
        let (labels, rows) = groups.into_iter().unzip();
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
        let labels: Vec<i64> = data.column(name)?.iter().map(|&v| v as i64).collect();
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

    /// Environment labels, sorted.
    pub fn labels(&self) -> &[i64] {
        &self.labels
    }

    /// Row indices of environment `k` (by position in [`Environments::labels`]).
    pub fn rows(&self, k: usize) -> &[usize] {
        &self.rows[k]
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
}
