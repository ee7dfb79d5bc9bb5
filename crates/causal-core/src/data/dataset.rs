//! The [`Dataset`] type: named, typed columns in one column-major buffer (or shared per-column
//! buffers, see [`super::storage`]), with a missing mask.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use nalgebra::{DMatrix, DMatrixView};
use serde::{Deserialize, Serialize};

use super::DataFormat;
use super::column::{ColumnKind, MissingPolicy};
use super::parse::{ParsedTable, parse_table, read_table};
use super::storage::{SharedColumn, Values};
use crate::error::{CoreError, Result};

/// Named columns of equal length: continuous, binary or categorical, with missing cells
/// marked, plus discrete and environment annotations.
///
/// The values live in one contiguous column-major `f64` buffer, or (for a table imported
/// without a copy, see [`Dataset::from_shared_columns`]) in one shared buffer per column:
/// [`Dataset::col`] is a slice of either, and [`Dataset::matrix_view`] a nalgebra view of the
/// whole buffer (built once, on first request, from shared columns). A missing
/// cell holds NaN in the buffer and is marked in the missing mask; [`Dataset::column`] refuses
/// a column with missing cells (naming it and the count), so code that has not chosen a
/// [`MissingPolicy`] never sees them.
///
/// [`Dataset::new`] validates: names are unique and non-empty, columns have equal length,
/// there is at least one row, and every value is finite. Errors name the row and column.
///
/// # Examples
///
/// ```
/// use causal_core::data::Dataset;
///
/// let d = Dataset::new(vec!["x".into(), "e".into()], vec![vec![0.5, 1.5], vec![0.0, 1.0]])?
///     .with_environment("e")?;
/// assert_eq!(d.environment_name(), Some("e"));
/// assert!(d.is_discrete("e")?);
///
/// let d = Dataset::from_text("t,y\ntreated,1.5\ncontrol,\n")?;
/// assert_eq!(d.levels("t")?, Some(&["control".to_owned(), "treated".to_owned()][..]));
/// assert_eq!(d.missing_count("y")?, 1);
/// assert!(d.column("y").is_err());
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Dataset {
    names: Vec<String>,
    n_rows: usize,
    /// Column-major values; NaN in missing cells.
    values: Values,
    kinds: Vec<ColumnKind>,
    discrete: Vec<bool>,
    /// Missing cells per column.
    missing: Vec<usize>,
    /// Column-major missing mask; empty when nothing is missing.
    mask: Vec<bool>,
    environment: Option<usize>,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

impl PartialEq for Dataset {
    /// Equal names, kinds, annotations and missing mask, and bit-equal values in the cells
    /// that are present (missing cells compare equal whatever they hold).
    fn eq(&self, other: &Self) -> bool {
        self.names == other.names
            && self.n_rows == other.n_rows
            && self.kinds == other.kinds
            && self.discrete == other.discrete
            && self.missing == other.missing
            && self.environment == other.environment
            && (0..self.n_cols()).all(|j| {
                let (a, b) = (self.col(j), other.col(j));
                (0..self.n_rows).all(|i| {
                    let k = j * self.n_rows + i;
                    let miss = self.mask.get(k).copied().unwrap_or(false);
                    miss == other.mask.get(k).copied().unwrap_or(false) && (miss || a[i] == b[i])
                })
            })
    }
}

fn kind_of(values: &[f64]) -> ColumnKind {
    let mut any = false;
    for &v in values {
        if v.is_nan() {
            continue;
        }
        if v != 0.0 && v != 1.0 {
            return ColumnKind::Continuous;
        }
        any = true;
    }
    if any {
        ColumnKind::Binary
    } else {
        ColumnKind::Continuous
    }
}

impl Dataset {
    /// Builds a data set from column names and column-major values; every value must be
    /// finite (see [`Dataset::with_missing_values`] for data with gaps). Columns of only 0 and 1
    /// are [`ColumnKind::Binary`], the others [`ColumnKind::Continuous`].
    ///
    /// # Errors
    ///
    /// [`CoreError::Empty`] with no columns or no rows, [`CoreError::Duplicate`] for a repeated
    /// name, [`CoreError::InvalidParameter`] for unequal lengths, [`CoreError::BadValue`] for a
    /// NaN or infinite value.
    pub fn new(names: Vec<String>, columns: Vec<Vec<f64>>) -> Result<Self> {
        Self::build(names, columns, false)
    }

    /// As [`Dataset::new`], but a NaN marks a missing cell (infinite values are still refused).
    ///
    /// # Errors
    ///
    /// As [`Dataset::new`].
    pub fn with_missing_values(names: Vec<String>, columns: Vec<Vec<f64>>) -> Result<Self> {
        Self::build(names, columns, true)
    }

    fn build(names: Vec<String>, columns: Vec<Vec<f64>>, allow_nan: bool) -> Result<Self> {
        if names.is_empty() {
            return Err(CoreError::Empty("the data set has no columns".into()));
        }
        if names.len() != columns.len() {
            return Err(CoreError::InvalidParameter(format!(
                "{} names for {} columns",
                names.len(),
                columns.len()
            )));
        }
        let index = build_index(&names)?;
        let n = columns[0].len();
        if n == 0 {
            return Err(CoreError::Empty("the data set has no rows".into()));
        }
        let mut missing = vec![0; names.len()];
        for ((name, col), miss) in names.iter().zip(&columns).zip(&mut missing) {
            if col.len() != n {
                return Err(CoreError::InvalidParameter(format!(
                    "column '{name}' has {} rows, expected {n}",
                    col.len()
                )));
            }
            if let Some(i) = col
                .iter()
                .position(|v| !(v.is_finite() || (allow_nan && v.is_nan())))
            {
                return Err(CoreError::BadValue {
                    row: i + 1,
                    column: name.clone(),
                    message: format!("value {} is not finite", col[i]),
                });
            }
            *miss = col.iter().filter(|v| v.is_nan()).count();
        }
        let kinds = columns.iter().map(|c| kind_of(c)).collect();
        let mut values = Vec::with_capacity(n * names.len());
        for c in &columns {
            values.extend_from_slice(c);
        }
        let mask = if missing.iter().any(|&m| m > 0) {
            values.iter().map(|v| v.is_nan()).collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            discrete: vec![false; names.len()],
            names,
            n_rows: n,
            values: Values::Matrix(values),
            kinds,
            missing,
            mask,
            environment: None,
            index,
        })
    }

    /// Builds a data set from one column-major buffer (`n_rows` values of the first column,
    /// then the second, ...), taken as it is: no second copy, and one parallel pass per column
    /// for validation, missing counts and column kinds. This is the entry for callers that
    /// already hold column buffers (the Python package's NumPy and Arrow columns).
    ///
    /// NaN marks a missing cell. `levels[j] = Some(levels)` makes column `j` categorical
    /// (and discrete) with those level names: its values must be integer codes in
    /// `0..levels.len()`. Other columns are binary (only 0 and 1) or continuous.
    ///
    /// # Errors
    ///
    /// As [`Dataset::new`]: [`CoreError::Empty`], [`CoreError::Duplicate`],
    /// [`CoreError::InvalidParameter`] when `values.len() != n_rows * names.len()` or `levels`
    /// has the wrong length, [`CoreError::BadValue`] naming the row and column of an infinite
    /// value or of a code that is not a level.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::data::Dataset;
    ///
    /// let d = Dataset::from_column_major(
    ///     vec!["x".into(), "t".into()],
    ///     2,
    ///     vec![0.5, f64::NAN, 1.0, 0.0],
    ///     vec![None, Some(vec!["a".into(), "b".into()])],
    /// )?;
    /// assert_eq!(d.missing_count("x")?, 1);
    /// assert_eq!(d.levels("t")?, Some(&["a".to_owned(), "b".to_owned()][..]));
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn from_column_major(
        names: Vec<String>,
        n_rows: usize,
        values: Vec<f64>,
        levels: Vec<Option<Vec<String>>>,
    ) -> Result<Self> {
        use rayon::prelude::*;
        let index = column_major_index(&names, n_rows, values.len(), levels.len(), "level lists")?;
        let scanned: Vec<_> = values
            .par_chunks(n_rows)
            .zip(levels.into_par_iter())
            .map(|(col, lv)| scan_column(col, lv))
            .collect();
        Self::assemble(names, index, n_rows, Values::Matrix(values), scanned)
    }

    /// As [`Dataset::from_column_major`], with each column already scanned by
    /// [`scan_column`] (a reader that scans a column right after writing it, while it is in
    /// cache, instead of a second pass over the whole buffer).
    #[cfg(feature = "parquet")]
    pub(crate) fn from_scanned_column_major(
        names: Vec<String>,
        n_rows: usize,
        values: Vec<f64>,
        scanned: Vec<ScannedColumn>,
    ) -> Result<Self> {
        let index = column_major_index(
            &names,
            n_rows,
            values.len(),
            scanned.len(),
            "scanned columns",
        )?;
        Self::assemble(names, index, n_rows, Values::Matrix(values), scanned)
    }

    /// As [`Dataset::from_column_major`], but from borrowed column slices (`columns[j]` is
    /// column `names[j]`), copied into the data set's buffer in the same parallel pass that
    /// validates them, so each value is read once from the source.
    ///
    /// # Errors
    ///
    /// As [`Dataset::from_column_major`]; [`CoreError::InvalidParameter`] names a column whose
    /// length differs from the first's.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::data::Dataset;
    ///
    /// let (x, y) = ([1.0, 2.0], [0.0, 1.0]);
    /// let d = Dataset::from_column_slices(vec!["x".into(), "y".into()], &[&x, &y], vec![None, None])?;
    /// assert_eq!(d.column("y")?, &[0.0, 1.0]);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn from_column_slices(
        names: Vec<String>,
        columns: &[&[f64]],
        levels: Vec<Option<Vec<String>>>,
    ) -> Result<Self> {
        use rayon::prelude::*;
        Self::check_columns(&names, columns, &levels)?;
        let n_rows = columns[0].len();
        let index = build_index(&names)?;
        let mut values = vec![0.0; n_rows * names.len()];
        let scanned: Vec<_> = values
            .par_chunks_mut(n_rows)
            .zip(columns.par_iter())
            .zip(levels.into_par_iter())
            .map(|((dst, src), lv)| {
                let s = scan_column(src, lv);
                dst.copy_from_slice(src);
                s
            })
            .collect();
        Self::assemble(names, index, n_rows, Values::Matrix(values), scanned)
    }

    /// As [`Dataset::from_column_slices`], but the columns are shared, not copied: the data
    /// set keeps `columns[j]` alive and [`Dataset::col`] is a slice of it. One parallel pass
    /// per column validates it and finds its missing count and kind. This is the entry for a
    /// table imported without a copy (the Python package's Arrow columns); the whole-matrix
    /// accessors ([`Dataset::values`], [`Dataset::matrix_view`]) copy the columns into one
    /// buffer on first use.
    ///
    /// # Errors
    ///
    /// As [`Dataset::from_column_slices`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use causal_core::data::{Dataset, SharedColumn};
    ///
    /// let x: SharedColumn = Arc::new(vec![1.0, f64::NAN]);
    /// let t: SharedColumn = Arc::new(vec![0.0, 1.0]);
    /// let d = Dataset::from_shared_columns(vec!["x".into(), "t".into()], vec![x, t], vec![None, None])?;
    /// assert_eq!(d.missing_count("x")?, 1);
    /// assert_eq!(d.column("t")?, &[0.0, 1.0]);
    /// assert_eq!(d.values()[2..], [0.0, 1.0]);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn from_shared_columns(
        names: Vec<String>,
        columns: Vec<SharedColumn>,
        levels: Vec<Option<Vec<String>>>,
    ) -> Result<Self> {
        use rayon::prelude::*;
        let slices: Vec<&[f64]> = columns.iter().map(|c| (**c).as_ref()).collect();
        Self::check_columns(&names, &slices, &levels)?;
        let n_rows = slices[0].len();
        let index = build_index(&names)?;
        let scanned: Vec<_> = slices
            .par_iter()
            .zip(levels.into_par_iter())
            .map(|(col, lv)| scan_column(col, lv))
            .collect();
        Self::assemble(names, index, n_rows, Values::shared(columns), scanned)
    }

    /// The shape checks of [`Dataset::from_column_slices`]: some columns, all of one
    /// non-zero length, one level list each.
    fn check_columns(
        names: &[String],
        columns: &[&[f64]],
        levels: &[Option<Vec<String>>],
    ) -> Result<()> {
        if names.is_empty() {
            return Err(CoreError::Empty("the data set has no columns".into()));
        }
        let n_rows = columns.first().map_or(0, |c| c.len());
        if n_rows == 0 {
            return Err(CoreError::Empty("the data set has no rows".into()));
        }
        if columns.len() != names.len() || levels.len() != names.len() {
            return Err(CoreError::InvalidParameter(format!(
                "{} columns and {} level lists for {} names",
                columns.len(),
                levels.len(),
                names.len()
            )));
        }
        if let Some((name, c)) = names.iter().zip(columns).find(|(_, c)| c.len() != n_rows) {
            return Err(CoreError::InvalidParameter(format!(
                "column '{name}' has {} rows, expected {n_rows}",
                c.len()
            )));
        }
        Ok(())
    }

    /// The data set from a buffer and each column's scan (`scan_column`).
    fn assemble(
        names: Vec<String>,
        index: HashMap<String, usize>,
        n_rows: usize,
        values: Values,
        scanned: Vec<ScannedColumn>,
    ) -> Result<Self> {
        use rayon::prelude::*;
        let mut missing = Vec::with_capacity(names.len());
        let mut kinds = Vec::with_capacity(names.len());
        let mut discrete = Vec::with_capacity(names.len());
        for (name, s) in names.iter().zip(scanned) {
            let (m, kind) = s.map_err(|(row, message)| CoreError::BadValue {
                row: row + 1,
                column: name.clone(),
                message,
            })?;
            missing.push(m);
            discrete.push(kind.levels().is_some());
            kinds.push(kind);
        }
        let mut mask = Vec::new();
        if missing.iter().any(|&m| m > 0) {
            mask = vec![false; n_rows * names.len()];
            mask.par_chunks_mut(n_rows)
                .enumerate()
                .filter(|(j, _)| missing[*j] > 0)
                .for_each(|(j, m)| {
                    for (m, v) in m.iter_mut().zip(values.col(j, n_rows)) {
                        *m = v.is_nan();
                    }
                });
        }
        Ok(Self {
            names,
            n_rows,
            values,
            kinds,
            discrete,
            missing,
            mask,
            environment: None,
            index,
        })
    }

    /// Parses CSV, tab- or whitespace-separated text with a header line.
    ///
    /// Accepted: a UTF-8 byte-order mark; `\n`, `\r\n` or `\r` line ends; quoted fields
    /// (commas, quotes, line breaks inside); blank lines and `#` comment lines; NumPy
    /// `savetxt`'s header `# x,y,z` (the last comment line, when the next line is all numbers
    /// with as many fields). Empty cells and `NA`, `N/A`, `NaN`, `nan`, `null` are missing
    /// values; a column with any other text becomes [`ColumnKind::Categorical`] (and discrete)
    /// with its distinct texts, sorted, as levels. Cells are trimmed.
    ///
    /// # Errors
    ///
    /// [`CoreError::Parse`] naming the line (and the row and column) for ragged rows,
    /// unclosed quotes and infinite values, plus the name errors of [`Dataset::new`].
    pub fn from_text(text: &str) -> Result<Self> {
        Self::from_parsed(parse_table(text)?)
    }

    /// Reads a data file in the format its extension names ([`DataFormat::from_path`]): text
    /// (see [`Dataset::from_text`]), or Parquet and Arrow IPC with the `parquet` feature (see
    /// `Dataset::from_parquet` and `Dataset::from_ipc`).
    ///
    /// # Errors
    ///
    /// [`CoreError::Io`] naming the path, and every error of the reader wrapped in
    /// [`CoreError::InFile`] naming the path; [`CoreError::Format`] for a Parquet or Arrow
    /// file in a build without the `parquet` feature.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        match DataFormat::from_path(path) {
            DataFormat::Text => Self::from_text_path(path),
            #[cfg(feature = "parquet")]
            DataFormat::Parquet => Self::from_parquet(path),
            #[cfg(feature = "parquet")]
            DataFormat::ArrowIpc => Self::from_ipc(path),
            #[cfg(not(feature = "parquet"))]
            format => Err(CoreError::InFile {
                path: path.display().to_string(),
                source: Box::new(CoreError::Format {
                    format: format.name(),
                    message: "this build has no Parquet or Arrow support (causal-core's \
                              `parquet` feature is off)"
                        .into(),
                }),
            }),
        }
    }

    /// Writes the data in the format its extension names ([`DataFormat::from_path`]): CSV
    /// ([`Dataset::to_csv`]) for text, Parquet or Arrow IPC with the `parquet` feature.
    ///
    /// # Errors
    ///
    /// [`CoreError::Io`] naming the path; [`CoreError::Format`] for a Parquet or Arrow file in
    /// a build without the `parquet` feature, or if the writer fails.
    pub fn write_path(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        match DataFormat::from_path(path) {
            DataFormat::Text => {
                std::fs::write(path, self.to_csv()).map_err(|source| CoreError::Io {
                    path: path.display().to_string(),
                    source,
                })
            }
            #[cfg(feature = "parquet")]
            DataFormat::Parquet => self.write_parquet(path),
            #[cfg(feature = "parquet")]
            DataFormat::ArrowIpc => self.write_ipc(path),
            #[cfg(not(feature = "parquet"))]
            format => Err(CoreError::Format {
                format: format.name(),
                message: "this build has no Parquet or Arrow support (causal-core's `parquet` \
                          feature is off)"
                    .into(),
            }),
        }
    }

    /// Reads a text data file (see [`Dataset::from_text`]), whatever its extension.
    ///
    /// # Errors
    ///
    /// [`CoreError::Io`] naming the path, and every error of [`Dataset::from_text`] wrapped in
    /// [`CoreError::InFile`] naming the path.
    pub fn from_text_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let io = |source| CoreError::Io {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let table = read_table(file, usize::try_from(len).unwrap_or(usize::MAX)).map_err(io)?;
        table
            .and_then(Self::from_parsed)
            .map_err(|e| CoreError::InFile {
                path: path.display().to_string(),
                source: Box::new(e),
            })
    }

    fn from_parsed(t: ParsedTable) -> Result<Self> {
        Self::from_column_major(t.names, t.n_rows, t.values, t.levels)
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.names.len()
    }

    /// Column names in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Position of a column.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] if there is no such column.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        self.lookup(name)
            .ok_or_else(|| CoreError::UnknownColumn(name.to_owned()))
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        if self.index.is_empty() {
            // After deserialisation the index is not populated.
            self.names.iter().position(|n| n == name)
        } else {
            self.index.get(name).copied()
        }
    }

    /// The values of a column by name (codes for a categorical column).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] if there is no such column, [`CoreError::Missing`] naming
    /// it and the count if it has missing cells (choose a [`MissingPolicy`] first).
    pub fn column(&self, name: &str) -> Result<&[f64]> {
        let j = self.index_of(name)?;
        if self.missing[j] > 0 {
            return Err(CoreError::Missing {
                column: name.to_owned(),
                count: self.missing[j],
            });
        }
        Ok(self.col(j))
    }

    /// The values of column `j`, NaN in missing cells. Panics if `j >= n_cols()`, like slice
    /// indexing.
    pub fn col(&self, j: usize) -> &[f64] {
        self.values.col(j, self.n_rows)
    }

    /// Every column as a slice, in order (NaN in missing cells).
    pub fn columns(&self) -> Vec<&[f64]> {
        (0..self.n_cols()).map(|j| self.col(j)).collect()
    }

    /// The whole column-major buffer (`n_rows × n_cols`, NaN in missing cells). For shared
    /// columns ([`Dataset::from_shared_columns`]) the buffer is a copy made on the first call
    /// and kept; code that needs only columns should use [`Dataset::col`].
    pub fn values(&self) -> &[f64] {
        self.values.flat()
    }

    /// The data as an `n_rows × n_cols` nalgebra view of the buffer, without a copy (but see
    /// [`Dataset::values`] for shared columns).
    pub fn matrix_view(&self) -> DMatrixView<'_, f64> {
        DMatrixView::from_slice(self.values(), self.n_rows, self.n_cols())
    }

    /// The data as an `n_rows × n_cols` matrix (a copy; NaN in missing cells). Shared
    /// columns are copied straight in, without building (and keeping) the buffer of
    /// [`Dataset::values`].
    pub fn to_matrix(&self) -> DMatrix<f64> {
        let mut m = DMatrix::zeros(self.n_rows, self.n_cols());
        for (j, mut c) in m.column_iter_mut().enumerate() {
            c.copy_from_slice(self.col(j));
        }
        m
    }

    /// The kind of every column, in order.
    pub fn kinds(&self) -> &[ColumnKind] {
        &self.kinds
    }

    /// The kind of a column.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`].
    pub fn kind(&self, name: &str) -> Result<&ColumnKind> {
        Ok(&self.kinds[self.index_of(name)?])
    }

    /// The level names of a categorical column (`None` for a numeric one).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`].
    pub fn levels(&self, name: &str) -> Result<Option<&[String]>> {
        Ok(self.kind(name)?.levels())
    }

    /// Refuses categorical columns of more than two levels among `names` (two-level ones are
    /// used as 0/1 codes), for code that needs numbers.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], or [`CoreError::InvalidParameter`] naming the column, its
    /// levels and the way out (one-hot encoding).
    pub fn require_numeric(&self, names: &[&str]) -> Result<()> {
        for name in names {
            if let Some(levels) = self.levels(name)?
                && levels.len() > 2
            {
                return Err(CoreError::InvalidParameter(format!(
                    "column '{name}' is categorical ({} levels: {}), but numbers are needed; \
                     one-hot encode it (Dataset::one_hot) or use a discrete method",
                    levels.len(),
                    levels.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// Replaces a categorical column by one 0/1 indicator column per level but the first
    /// (the reference level), named `name=level`, appended at the end.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], [`CoreError::InvalidParameter`] for a column that is not
    /// categorical, [`CoreError::Duplicate`] if an indicator name exists already.
    pub fn one_hot(&self, name: &str) -> Result<Self> {
        let j = self.index_of(name)?;
        let Some(levels) = self.kinds[j].levels() else {
            return Err(CoreError::InvalidParameter(format!(
                "column '{name}' is not categorical, so it has no levels to one-hot encode"
            )));
        };
        let codes = self.col(j);
        let keep: Vec<&str> = self
            .names
            .iter()
            .filter(|n| *n != name)
            .map(String::as_str)
            .collect();
        let mut out = self.select(&keep)?;
        for (k, level) in levels.iter().enumerate().skip(1) {
            let ind: Vec<f64> = codes
                .iter()
                .map(|&c| {
                    if c.is_nan() {
                        f64::NAN
                    } else {
                        f64::from(c == k as f64)
                    }
                })
                .collect();
            out = out.push_column(&format!("{name}={level}"), ind, true)?;
        }
        Ok(out)
    }

    /// Missing cells of a column.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`].
    pub fn missing_count(&self, name: &str) -> Result<usize> {
        Ok(self.missing[self.index_of(name)?])
    }

    /// Missing cells per column, in order.
    pub fn missing_counts(&self) -> &[usize] {
        &self.missing
    }

    /// Whether any cell is missing.
    pub fn has_missing(&self) -> bool {
        !self.mask.is_empty()
    }

    /// Whether the cell at row `i`, column `j` is missing. Panics out of range.
    pub fn is_missing(&self, i: usize, j: usize) -> bool {
        assert!(i < self.n_rows && j < self.n_cols(), "cell out of range");
        self.mask.get(j * self.n_rows + i).copied().unwrap_or(false)
    }

    /// The rows with no missing cell among the named columns (all columns when `names` is
    /// empty), in order.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`].
    pub fn complete_rows(&self, names: &[&str]) -> Result<Vec<usize>> {
        let cols: Vec<usize> = if names.is_empty() {
            (0..self.n_cols()).collect()
        } else {
            names
                .iter()
                .map(|n| self.index_of(n))
                .collect::<Result<_>>()?
        };
        let cols: Vec<usize> = cols.into_iter().filter(|&j| self.missing[j] > 0).collect();
        Ok((0..self.n_rows)
            .filter(|&i| cols.iter().all(|&j| !self.mask[j * self.n_rows + i]))
            .collect())
    }

    /// Refuses missing cells in the named columns (all when `names` is empty): the
    /// [`MissingPolicy::Error`] check, without a copy.
    ///
    /// # Errors
    ///
    /// [`CoreError::Missing`] naming the first column with missing cells and the count,
    /// [`CoreError::UnknownColumn`].
    pub fn require_complete(&self, names: &[&str]) -> Result<()> {
        let cols: Vec<usize> = if names.is_empty() {
            (0..self.n_cols()).collect()
        } else {
            names
                .iter()
                .map(|n| self.index_of(n))
                .collect::<Result<_>>()?
        };
        match cols.into_iter().find(|&j| self.missing[j] > 0) {
            Some(j) => Err(CoreError::Missing {
                column: self.names[j].clone(),
                count: self.missing[j],
            }),
            None => Ok(()),
        }
    }

    /// Applies a missing-value policy to the named columns (all when `names` is empty): the
    /// data unchanged when nothing there is missing; else an error
    /// ([`MissingPolicy::Error`]), the complete rows ([`MissingPolicy::DropRows`]), or the data
    /// unchanged for test-wise deletion later ([`MissingPolicy::TestWise`]).
    ///
    /// # Errors
    ///
    /// [`CoreError::Missing`] naming the first column with missing cells and the count,
    /// [`CoreError::UnknownColumn`], [`CoreError::Empty`] when no complete row is left.
    pub fn handle_missing(&self, policy: MissingPolicy, names: &[&str]) -> Result<Self> {
        let cols: Vec<usize> = if names.is_empty() {
            (0..self.n_cols()).collect()
        } else {
            names
                .iter()
                .map(|n| self.index_of(n))
                .collect::<Result<_>>()?
        };
        let Some(&first) = cols.iter().find(|&&j| self.missing[j] > 0) else {
            return Ok(self.clone());
        };
        match policy {
            MissingPolicy::Error => Err(CoreError::Missing {
                column: self.names[first].clone(),
                count: self.missing[first],
            }),
            MissingPolicy::DropRows => {
                let rows = self.complete_rows(names)?;
                if rows.is_empty() {
                    return Err(CoreError::Empty(
                        "every row has a missing value, so none is left after dropping them".into(),
                    ));
                }
                self.take_rows(&rows)
            }
            MissingPolicy::TestWise => Ok(self.clone()),
        }
    }

    /// Marks columns as discrete (categorical codes).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], or [`CoreError::BadValue`] for a non-integer value.
    pub fn with_discrete(mut self, names: &[&str]) -> Result<Self> {
        for name in names {
            let j = self.index_of(name)?;
            let col = self.col(j);
            if let Some(i) = col.iter().position(|v| v.fract() != 0.0 && !v.is_nan()) {
                return Err(CoreError::BadValue {
                    row: i + 1,
                    column: (*name).to_owned(),
                    message: format!(
                        "value {} is not an integer code, so the column cannot be discrete",
                        col[i]
                    ),
                });
            }
            self.discrete[j] = true;
        }
        Ok(self)
    }

    /// Marks as discrete every column whose values are all integers with at most
    /// `max_levels` distinct values (categorical columns are discrete already).
    pub fn infer_discrete(mut self, max_levels: usize) -> Self {
        for j in 0..self.n_cols() {
            if self.kinds[j].levels().is_some() {
                continue;
            }
            let col = self.col(j);
            if col.iter().all(|v| v.fract() == 0.0 || v.is_nan()) {
                let levels: HashSet<i64> = col
                    .iter()
                    .filter(|v| !v.is_nan())
                    .map(|&v| v as i64)
                    .collect();
                self.discrete[j] = levels.len() <= max_levels;
            }
        }
        self
    }

    /// Whether a column is marked discrete.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] if there is no such column.
    pub fn is_discrete(&self, name: &str) -> Result<bool> {
        Ok(self.discrete[self.index_of(name)?])
    }

    /// Discrete flags per column, in column order.
    pub fn discrete_flags(&self) -> &[bool] {
        &self.discrete
    }

    /// Declares the column that labels environments (it is also marked discrete).
    ///
    /// # Errors
    ///
    /// As [`Dataset::with_discrete`].
    pub fn with_environment(self, name: &str) -> Result<Self> {
        let mut d = self.with_discrete(&[name])?;
        d.environment = Some(d.index_of(name)?);
        Ok(d)
    }

    /// The environment column's name, if one was declared.
    pub fn environment_name(&self) -> Option<&str> {
        self.environment.map(|j| self.names[j].as_str())
    }

    /// Builds from parts taken from `self`: the named columns `idx`, rows `rows` (all when
    /// `None`).
    fn subset(&self, idx: &[usize], rows: Option<&[usize]>) -> Result<Self> {
        let names: Vec<String> = idx.iter().map(|&j| self.names[j].clone()).collect();
        let index = build_index(&names)?;
        let n_rows = rows.map_or(self.n_rows, <[usize]>::len);
        if n_rows == 0 {
            return Err(CoreError::Empty("the data set has no rows".into()));
        }
        let mut values = Vec::with_capacity(n_rows * idx.len());
        let mut mask = Vec::new();
        let mut missing = Vec::with_capacity(idx.len());
        for &j in idx {
            let col = self.col(j);
            match rows {
                None => values.extend_from_slice(col),
                Some(r) => values.extend(r.iter().map(|&i| col[i])),
            }
        }
        let any_missing = idx.iter().any(|&j| self.missing[j] > 0);
        if any_missing {
            mask = values.iter().map(|v| v.is_nan()).collect();
        }
        for k in 0..idx.len() {
            let count = if any_missing {
                mask[k * n_rows..(k + 1) * n_rows]
                    .iter()
                    .filter(|&&m| m)
                    .count()
            } else {
                0
            };
            missing.push(count);
        }
        if !missing.iter().any(|&m| m > 0) {
            mask.clear();
        }
        Ok(Self {
            names,
            n_rows,
            values: Values::Matrix(values),
            kinds: idx.iter().map(|&j| self.kinds[j].clone()).collect(),
            discrete: idx.iter().map(|&j| self.discrete[j]).collect(),
            missing,
            mask,
            environment: self
                .environment
                .and_then(|e| idx.iter().position(|&j| j == e)),
            index,
        })
    }

    /// A new data set with the named columns, in the given order (annotations kept).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], [`CoreError::Duplicate`].
    pub fn select(&self, names: &[&str]) -> Result<Self> {
        let idx = names
            .iter()
            .map(|n| self.index_of(n))
            .collect::<Result<Vec<_>>>()?;
        if idx.is_empty() {
            return Err(CoreError::Empty("the data set has no columns".into()));
        }
        self.subset(&idx, None)
    }

    /// A new data set with the given rows, in the given order (repeats allowed, as in a bootstrap).
    ///
    /// # Errors
    ///
    /// [`CoreError::Empty`] for no rows, [`CoreError::InvalidParameter`] for an index out of range.
    pub fn take_rows(&self, rows: &[usize]) -> Result<Self> {
        if let Some(&bad) = rows.iter().find(|&&i| i >= self.n_rows()) {
            return Err(CoreError::InvalidParameter(format!(
                "row index {bad} is out of range for {} rows",
                self.n_rows()
            )));
        }
        let idx: Vec<usize> = (0..self.n_cols()).collect();
        self.subset(&idx, Some(rows))
    }

    /// Whether the data set has a column of this name.
    pub fn has_column(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// Appends a column (not discrete; binary when it holds only 0 and 1).
    ///
    /// # Errors
    ///
    /// [`CoreError::Duplicate`] if the name exists, [`CoreError::InvalidParameter`] for a wrong
    /// length or an empty name, [`CoreError::BadValue`] for a NaN or infinite value.
    pub fn with_column(self, name: &str, values: Vec<f64>) -> Result<Self> {
        self.push_column(name, values, false)
    }

    fn push_column(mut self, name: &str, values: Vec<f64>, allow_nan: bool) -> Result<Self> {
        if self.has_column(name) {
            return Err(CoreError::Duplicate(name.to_owned()));
        }
        if name.is_empty() {
            return Err(CoreError::InvalidParameter("a column needs a name".into()));
        }
        check_column(name, &values, self.n_rows(), allow_nan)?;
        if self.index.is_empty() {
            self.index = build_index(&self.names)?;
        }
        let miss = values.iter().filter(|v| v.is_nan()).count();
        if miss > 0 && self.mask.is_empty() {
            self.mask = vec![false; self.n_rows * self.names.len()];
        }
        if !self.mask.is_empty() {
            self.mask.extend(values.iter().map(|v| v.is_nan()));
        }
        self.index.insert(name.to_owned(), self.names.len());
        self.names.push(name.to_owned());
        self.kinds.push(kind_of(&values));
        self.values.push(values);
        self.discrete.push(false);
        self.missing.push(miss);
        Ok(self)
    }

    /// Replaces the values of an existing column, keeping its annotations unless the new values
    /// are not integers (then the discrete flag is dropped). The column becomes continuous or
    /// binary by its new values, and has no missing cells.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], and the value errors of [`Dataset::with_column`].
    pub fn replace_column(mut self, name: &str, values: Vec<f64>) -> Result<Self> {
        let j = self.index_of(name)?;
        check_column(name, &values, self.n_rows(), false)?;
        if values.iter().any(|v| v.fract() != 0.0) {
            self.discrete[j] = false;
            if self.environment == Some(j) {
                self.environment = None;
            }
        }
        self.kinds[j] = kind_of(&values);
        let n = self.n_rows;
        self.values.replace(j, n, values);
        if self.missing[j] > 0 {
            self.missing[j] = 0;
            if self.missing.iter().all(|&m| m == 0) {
                self.mask.clear();
            } else {
                self.mask[j * n..(j + 1) * n].fill(false);
            }
        }
        Ok(self)
    }

    /// Checks that a column holds only 0 and 1 (a binary treatment, say).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`], [`CoreError::Missing`], or [`CoreError::BadValue`] naming
    /// the first row whose value is neither 0 nor 1, or [`CoreError::InvalidParameter`] when one
    /// of the two values never occurs.
    pub fn check_binary(&self, name: &str) -> Result<&[f64]> {
        let col = self.column(name)?;
        if let Some(i) = col.iter().position(|&v| v != 0.0 && v != 1.0) {
            return Err(CoreError::BadValue {
                row: i + 1,
                column: name.to_owned(),
                message: format!(
                    "value {} is not 0 or 1, but a binary column is required",
                    col[i]
                ),
            });
        }
        let ones = col.iter().filter(|&&v| v == 1.0).count();
        if ones == 0 || ones == col.len() {
            return Err(CoreError::InvalidParameter(format!(
                "binary column '{name}' takes only the value {}",
                if ones == 0 { 0 } else { 1 }
            )));
        }
        Ok(col)
    }

    /// Writes the data as CSV with a header, so that [`Dataset::from_text`] reads back the same
    /// data: names and texts are quoted where needed (a comma, a quote, a line break, a leading
    /// `#`, white space), numbers are printed
    /// in the shortest form that reads back bit-identical, missing cells are empty and
    /// categorical cells hold their level name.
    pub fn to_csv(&self) -> String {
        let mut out = String::with_capacity(self.n_rows * self.n_cols() * 8);
        for (j, name) in self.names.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            push_field(&mut out, name);
        }
        out.push('\n');
        let n = self.n_rows;
        for i in 0..n {
            for j in 0..self.n_cols() {
                if j > 0 {
                    out.push(',');
                }
                let v = self.col(j)[i];
                if v.is_nan() {
                    // A lone empty field would be a blank line, which readers skip.
                    if self.n_cols() == 1 {
                        out.push_str("\"\"");
                    }
                    continue;
                }
                match &self.kinds[j] {
                    ColumnKind::Categorical { levels } => push_field(&mut out, &levels[v as usize]),
                    _ => {
                        use std::fmt::Write;
                        let _ = write!(out, "{v}");
                    }
                }
            }
            out.push('\n');
        }
        out
    }
}

/// Writes one CSV field, quoted when the reader would otherwise read it differently.
fn push_field(out: &mut String, text: &str) {
    let needs = text.is_empty()
        || text.starts_with('#')
        || text.contains(|c: char| c.is_whitespace() || c == ',' || c == '"')
        || text.starts_with('\u{feff}');
    if needs {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// One column's missing count and kind, or its first bad row (0-based) and what is wrong:
/// an infinite value, or (with `levels`) a value that is not a level code.
///
/// A numeric column is read in branch-free passes over blocks (they vectorise), which
/// matters for a table shared rather than copied, where this scan is the whole cost: each
/// block counts its non-finite values with one comparison per value, and tests for 0/1 values
/// only until the first block that has another value (the first block, for continuous data).
/// Only a column with a non-finite value is read again, to count NaN and name an infinity.
/// What [`scan_column`] finds: the missing count and kind, or the 0-based row and the message
/// of the first bad value.
pub(crate) type ScannedColumn = std::result::Result<(usize, ColumnKind), (usize, String)>;

pub(crate) fn scan_column(col: &[f64], levels: Option<Vec<String>>) -> ScannedColumn {
    const BLOCK: usize = 4096;
    let Some(levels) = levels else {
        let (mut non_finite, mut binary) = (0usize, true);
        for block in col.chunks(BLOCK) {
            non_finite += block
                .iter()
                .map(|v| usize::from(!v.is_finite()))
                .sum::<usize>();
            if binary {
                // NaN passes: a missing cell does not make a 0/1 column continuous.
                binary = block
                    .iter()
                    .map(|&v| usize::from(v != 0.0 && v != 1.0 && !v.is_nan()))
                    .sum::<usize>()
                    == 0;
            }
        }
        let missing = if non_finite == 0 {
            0
        } else {
            if let Some(i) = col.iter().position(|v| v.is_infinite()) {
                return Err((i, format!("value {} is not finite", col[i])));
            }
            non_finite
        };
        // An all-missing column has no 0/1 values: continuous, as `Dataset::new`.
        let kind = if binary && missing < col.len() {
            ColumnKind::Binary
        } else {
            ColumnKind::Continuous
        };
        return Ok((missing, kind));
    };
    let mut missing = 0;
    let k = levels.len() as f64;
    for (i, &v) in col.iter().enumerate() {
        if v.is_nan() {
            missing += 1;
        } else if v.is_infinite() {
            return Err((i, format!("value {v} is not finite")));
        } else if v < 0.0 || v >= k || v.fract() != 0.0 {
            return Err((i, format!("code {v} is not one of the {k} levels")));
        }
    }
    Ok((missing, ColumnKind::Categorical { levels }))
}

/// Checks the shape of a column-major buffer of `n_values` values with `n_lists` per-column
/// entries (`what`: level lists, scanned columns) for `names` and `n_rows`, then indexes the
/// names: the shared checks of [`Dataset::from_column_major`] and its pre-scanned twin.
fn column_major_index(
    names: &[String],
    n_rows: usize,
    n_values: usize,
    n_lists: usize,
    what: &str,
) -> Result<HashMap<String, usize>> {
    if names.is_empty() {
        return Err(CoreError::Empty("the data set has no columns".into()));
    }
    if n_rows == 0 {
        return Err(CoreError::Empty("the data set has no rows".into()));
    }
    if n_values != n_rows * names.len() || n_lists != names.len() {
        return Err(CoreError::InvalidParameter(format!(
            "{n_values} values and {n_lists} {what} for {} columns of {n_rows} rows",
            names.len()
        )));
    }
    build_index(names)
}

fn build_index(names: &[String]) -> Result<HashMap<String, usize>> {
    let mut index = HashMap::with_capacity(names.len());
    for (j, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(CoreError::InvalidParameter(format!(
                "column {} has an empty name",
                j + 1
            )));
        }
        if index.insert(name.clone(), j).is_some() {
            return Err(CoreError::Duplicate(name.clone()));
        }
    }
    Ok(index)
}

fn check_column(name: &str, values: &[f64], n: usize, allow_nan: bool) -> Result<()> {
    if values.len() != n {
        return Err(CoreError::InvalidParameter(format!(
            "column '{name}' has {} rows, expected {n}",
            values.len()
        )));
    }
    if let Some(i) = values
        .iter()
        .position(|v| !(v.is_finite() || (allow_nan && v.is_nan())))
    {
        return Err(CoreError::BadValue {
            row: i + 1,
            column: name.to_owned(),
            message: format!("value {} is not finite", values[i]),
        });
    }
    Ok(())
}
