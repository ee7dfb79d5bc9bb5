//! Where a [`Dataset`](super::Dataset)'s values live: one owned column-major buffer, or one
//! shared read-only buffer per column (an imported Arrow array kept alive, say), so that a
//! table handed over from another library need not be copied.
//!
//! Copying a 10⁶ × 100 table (800 MB) into a fresh buffer costs 0.3-0.9 s on a small machine,
//! almost all of it page faults on the new memory; sharing the source's column buffers costs
//! nothing, and only the (parallel) validation scan reads the values.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A column's values held elsewhere and shared, read-only: anything that can be viewed as
/// `&[f64]` and sent between threads (a `Vec<f64>`, an Arrow `ScalarBuffer<f64>`, ...).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use causal_core::data::{Dataset, SharedColumn};
///
/// let x: SharedColumn = Arc::new(vec![0.5, 1.5, 2.5]);
/// let d = Dataset::from_shared_columns(vec!["x".into()], vec![x.clone()], vec![None])?;
/// assert_eq!(d.col(0).as_ptr(), (*x).as_ref().as_ptr()); // no copy
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub type SharedColumn = Arc<dyn AsRef<[f64]> + Send + Sync>;

/// The values of a data set (NaN in missing cells).
#[derive(Clone)]
pub(super) enum Values {
    /// One column-major buffer of `n_rows * n_cols` values.
    Matrix(Vec<f64>),
    /// One shared buffer per column; the column-major matrix is built on first request
    /// (by [`Values::flat`]) and kept.
    Columns {
        cols: Vec<SharedColumn>,
        matrix: OnceLock<Vec<f64>>,
    },
}

impl Values {
    /// Shared columns, each of `n_rows` values (the caller checked the lengths).
    pub(super) fn shared(cols: Vec<SharedColumn>) -> Self {
        Self::Columns {
            cols,
            matrix: OnceLock::new(),
        }
    }

    /// Column `j` of `n` rows. Panics if `j` is out of range, like slice indexing.
    pub(super) fn col(&self, j: usize, n: usize) -> &[f64] {
        match self {
            Self::Matrix(v) => &v[j * n..(j + 1) * n],
            Self::Columns { cols, .. } => (*cols[j]).as_ref(),
        }
    }

    /// Every value, column-major: the buffer itself, or (for shared columns) a copy made once.
    pub(super) fn flat(&self) -> &[f64] {
        match self {
            Self::Matrix(v) => v,
            Self::Columns { cols, matrix } => matrix.get_or_init(|| {
                let mut out = Vec::with_capacity(cols.iter().map(|c| (**c).as_ref().len()).sum());
                for c in cols {
                    out.extend_from_slice((**c).as_ref());
                }
                out
            }),
        }
    }

    /// Overwrites column `j` of `n` rows with `values` (of length `n`).
    pub(super) fn replace(&mut self, j: usize, n: usize, values: Vec<f64>) {
        match self {
            Self::Matrix(v) => v[j * n..(j + 1) * n].copy_from_slice(&values),
            Self::Columns { cols, matrix } => {
                cols[j] = Arc::new(values);
                *matrix = OnceLock::new();
            }
        }
    }

    /// Appends a column.
    pub(super) fn push(&mut self, values: Vec<f64>) {
        match self {
            Self::Matrix(v) => v.extend_from_slice(&values),
            Self::Columns { cols, matrix } => {
                cols.push(Arc::new(values));
                *matrix = OnceLock::new();
            }
        }
    }

    /// The values column by column, then row by row (column-major order), without building
    /// the matrix.
    fn iter(&self) -> Box<dyn Iterator<Item = f64> + '_> {
        match self {
            Self::Matrix(v) => Box::new(v.iter().copied()),
            Self::Columns { cols, .. } => {
                Box::new(cols.iter().flat_map(|c| (**c).as_ref().iter().copied()))
            }
        }
    }
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Serialised as the flat column-major list of values, whatever the storage (the format of
/// the former `Vec<f64>` field); read back as one buffer.
impl Serialize for Values {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<f64>::deserialize(d).map(Self::Matrix)
    }
}
