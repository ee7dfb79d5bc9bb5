//! Tables in: [`arrow_dataset`] imports any table with the Arrow C stream interface (pyarrow,
//! polars) without copying its float columns, [`dataset`] builds a core [`Dataset`] from
//! `float64` column buffers (pandas, NumPy), and [`Data`] holds it on the Python side.

use std::borrow::Cow;

use arrow_array::{RecordBatch, RecordBatchReader};
use causal_core::data::{Dataset, MissingPolicy};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::error;

/// A table in causal-rs's column-major layout (a core `Dataset`), made by
/// `causal_rs.dataset(...)` from a pandas, polars or pyarrow table or a NumPy array.
///
/// Example:
///     >>> import numpy as np, causal_rs
///     >>> d = causal_rs.dataset(np.array([[0.0, 1.5], [1.0, 2.5]]), names=["t", "y"])
///     >>> d.names, d.n_rows, d.kinds
///     (['t', 'y'], 2, ['binary', 'continuous'])
#[pyclass(module = "causal_rs", frozen)]
pub struct Data {
    pub(crate) inner: Dataset,
}

#[pymethods]
impl Data {
    /// Column names, in order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names().to_vec()
    }

    /// Number of rows.
    #[getter]
    fn n_rows(&self) -> usize {
        self.inner.n_rows()
    }

    /// Number of columns.
    #[getter]
    fn n_cols(&self) -> usize {
        self.inner.n_cols()
    }

    /// Each column's kind: `continuous`, `binary` or `categorical`.
    #[getter]
    fn kinds(&self) -> Vec<&'static str> {
        self.inner.kinds().iter().map(|k| k.name()).collect()
    }

    /// Missing cells per column.
    #[getter]
    fn missing(&self) -> Vec<usize> {
        self.inner.missing_counts().to_vec()
    }

    /// The level names of a categorical column, else `None`.
    fn levels(&self, name: &str) -> PyResult<Option<Vec<String>>> {
        Ok(self
            .inner
            .levels(name)
            .map_err(error::core)?
            .map(<[_]>::to_vec))
    }

    /// One column's values (level codes for a categorical column; NaN where missing).
    fn column<'py>(
        &self,
        py: Python<'py>,
        name: &str,
    ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
        let j = self.inner.index_of(name).map_err(error::core)?;
        Ok(numpy::PyArray1::from_slice(py, self.inner.col(j)))
    }

    fn __len__(&self) -> usize {
        self.inner.n_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "Data({} rows x {} columns: {})",
            self.inner.n_rows(),
            self.inner.n_cols(),
            self.inner.names().join(", ")
        )
    }
}

impl Data {
    /// The data set with `policy` applied to its missing cells (`error` refuses them, naming
    /// the column; `drop-rows` drops the incomplete rows).
    pub fn prepared(&self, missing: &str) -> PyResult<Cow<'_, Dataset>> {
        let policy = MissingPolicy::from_name(missing).map_err(error::core)?;
        if !self.inner.has_missing() {
            return Ok(Cow::Borrowed(&self.inner));
        }
        self.inner
            .handle_missing(policy, &[])
            .map(Cow::Owned)
            .map_err(error::core)
    }
}

/// Builds a [`Data`] from column buffers: `columns[j]` holds column `names[j]` as `float64`
/// (NaN where missing), `levels[j]` the level names of a categorical column (its values are
/// then the codes), else `None`.
///
/// The buffers are read in place and copied once, in parallel, into the data set's single
/// column-major buffer; no Python object is made per cell.
#[pyfunction]
#[pyo3(signature = (names, columns, levels))]
pub fn dataset(
    names: Vec<String>,
    columns: Vec<PyReadonlyArray1<'_, f64>>,
    levels: Vec<Option<Vec<String>>>,
) -> PyResult<Data> {
    if names.len() != columns.len() {
        return Err(error::value_error(format!(
            "{} names for {} columns",
            names.len(),
            columns.len()
        )));
    }
    let mut slices = Vec::with_capacity(columns.len());
    for (name, c) in names.iter().zip(&columns) {
        slices.push(
            c.as_slice()
                .map_err(|_| error::value_error(format!("column '{name}' is not contiguous")))?,
        );
    }
    // One parallel pass copies and validates each column (the slices are NumPy memory kept
    // alive, and read-only borrowed, by `columns` for the whole call).
    let inner = Dataset::from_column_slices(names, &slices, levels).map_err(error::core)?;
    Ok(Data { inner })
}

/// Builds a [`Data`] of numeric columns from one 2-D `float64` array (rows × columns, NaN
/// where missing), in any memory order: what a pandas DataFrame of numeric columns hands over
/// as one `to_numpy()` view, without a Python call per column.
///
/// The array is copied once into the data set's column-major buffer: a straight copy from
/// Fortran order, a blocked transpose from C order, element by element otherwise.
#[pyfunction]
pub fn dataset_matrix(
    py: Python<'_>,
    names: Vec<String>,
    matrix: PyReadonlyArray2<'_, f64>,
) -> PyResult<Data> {
    let a = matrix.as_array();
    let (n, d) = a.dim();
    if names.len() != d {
        return Err(error::value_error(format!(
            "{} names for {d} columns",
            names.len()
        )));
    }
    let values = py.detach(|| column_major(&a));
    let inner = Dataset::from_column_major(names, n, values, vec![None; d]).map_err(error::core)?;
    Ok(Data { inner })
}

/// Rows of a C-order array transposed together: a block of them fits in the L1 cache, so each
/// source line is read once while the columns are written.
const TRANSPOSE_ROWS: usize = 64;

/// The column-major copy of a rows × columns array view.
fn column_major(a: &numpy::ndarray::ArrayView2<'_, f64>) -> Vec<f64> {
    let (n, d) = a.dim();
    if n == 0 || d == 0 {
        // Empty: the data set's constructor names what is missing.
        return Vec::new();
    }
    if let Some(src) = a.t().as_slice() {
        // Fortran order: the memory already is column-major.
        return src.to_vec();
    }
    let mut out = vec![0.0; n * d];
    if let Some(src) = a.as_slice() {
        for r0 in (0..n).step_by(TRANSPOSE_ROWS) {
            let r1 = (r0 + TRANSPOSE_ROWS).min(n);
            for (j, col) in out.chunks_exact_mut(n).enumerate() {
                for (i, o) in col[r0..r1].iter_mut().enumerate() {
                    *o = src[(r0 + i) * d + j];
                }
            }
        }
    } else {
        for (col, src) in out.chunks_exact_mut(n).zip(a.columns()) {
            for (o, v) in col.iter_mut().zip(src) {
                *o = *v;
            }
        }
    }
    out
}

/// Builds a [`Data`] from any object with the Arrow PyCapsule stream interface
/// (`__arrow_c_stream__`: a pyarrow Table, RecordBatch or RecordBatchReader, a polars
/// DataFrame, ...), renaming the columns to `names` when given.
///
/// The record batches are imported through the Arrow C data interface: a `float64` column
/// without nulls in a single chunk is shared, not copied (the data set keeps the Arrow buffer
/// alive); other columns are converted in Rust, in parallel across columns, with nulls as
/// missing cells and text or dictionary columns as categorical. No Python object is made per
/// cell, and the scan runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (table, names=None))]
pub fn arrow_dataset(
    py: Python<'_>,
    table: &Bound<'_, PyAny>,
    names: Option<Vec<String>>,
) -> PyResult<Data> {
    let reader = crate::arrow_ffi::stream_reader(table)?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<RecordBatch>, _>>()
        .map_err(|e| error::value_error(format!("could not read the Arrow stream: {e}")))?;
    let schema = match names {
        None => schema,
        Some(names) => {
            if names.len() != schema.fields().len() {
                return Err(error::value_error(format!(
                    "{} names for {} columns",
                    names.len(),
                    schema.fields().len()
                )));
            }
            let fields: Vec<_> = schema
                .fields()
                .iter()
                .zip(names)
                .map(|(f, n)| f.as_ref().clone().with_name(n))
                .collect();
            std::sync::Arc::new(arrow_schema::Schema::new(fields))
        }
    };
    let inner = py
        .detach(|| Dataset::from_record_batches(&schema, &batches))
        .map_err(error::core)?;
    Ok(Data { inner })
}
