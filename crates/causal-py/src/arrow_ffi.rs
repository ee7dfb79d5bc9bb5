//! The Arrow C stream interface from Python: a table's `__arrow_c_stream__` PyCapsule taken
//! over as an arrow-rs stream reader. The one place in the crate that needs `unsafe` (a raw
//! pointer out of a capsule).

#![allow(unsafe_code)]

use std::ffi::CStr;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::error;

/// The capsule name the Arrow PyCapsule interface gives a C stream.
const STREAM_CAPSULE: &CStr = c"arrow_array_stream";

/// The record batches of `table` (any object with `__arrow_c_stream__`: a pyarrow Table,
/// RecordBatch or RecordBatchReader, a polars DataFrame, ...), read without copying.
///
/// # Errors
///
/// `ValueError` when the object returns no stream capsule or arrow-rs refuses the stream.
pub fn stream_reader(table: &Bound<'_, PyAny>) -> PyResult<RecordBatchStreamReader> {
    let capsule = table.call_method0("__arrow_c_stream__")?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| error::value_error("__arrow_c_stream__ did not return a PyCapsule"))?;
    let ptr = capsule.pointer_checked(Some(STREAM_CAPSULE))?;
    // SAFETY: a capsule named "arrow_array_stream" holds a valid, initialised
    // `ArrowArrayStream` (the PyCapsule interface's contract), alive while `capsule` is;
    // `from_raw` moves it out and leaves a released stream behind, which the capsule's
    // destructor skips, so the stream is released exactly once (by the reader).
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr().cast()) };
    RecordBatchStreamReader::try_new(stream)
        .map_err(|e| error::value_error(format!("could not read the Arrow stream: {e}")))
}
