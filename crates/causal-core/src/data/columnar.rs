//! Parquet and Arrow IPC files for [`Dataset`] (the `parquet` feature), through the `parquet`
//! and `arrow-*` crates; the Arrow types map to column kinds as in [`super::arrow`]. The
//! writers store continuous and binary columns as nullable `Float64` and categorical ones as
//! nullable `Utf8` ([`Dataset::to_record_batch`]), so a table read back is equal.

use std::fs::File;
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;

use super::Dataset;
use super::arrow::{TextColumn, fill_numbers, is_text};
use super::dataset::scan_column;
use crate::error::{CoreError, Result};

const PARQUET: &str = "Parquet";
const IPC: &str = "Arrow IPC";

fn format_error(format: &'static str) -> impl Fn(String) -> CoreError {
    move |message| CoreError::Format { format, message }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> CoreError + '_ {
    move |source| CoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Builds a data set from record batches of one schema holding `n_rows` rows in all, writing
/// each numeric column straight into its place in the column-major buffer.
fn gather(
    schema: &Schema,
    n_rows: usize,
    batches: impl Iterator<Item = std::result::Result<RecordBatch, ArrowError>>,
    format: &'static str,
) -> Result<Dataset> {
    let fields = schema.fields();
    let text: Vec<bool> = fields.iter().map(|f| is_text(f)).collect::<Result<_>>()?;
    let n_cols = fields.len();
    let mut values = vec![0.0; n_rows * n_cols];
    let mut texts: Vec<Option<TextColumn>> =
        text.iter().map(|&t| t.then(TextColumn::default)).collect();
    let mut row = 0;
    for batch in batches {
        let batch = batch.map_err(|e| format_error(format)(e.to_string()))?;
        let m = batch.num_rows();
        if row + m > n_rows || batch.num_columns() != n_cols {
            return Err(format_error(format)(format!(
                "a record batch does not fit the file's schema of {n_cols} columns and {n_rows} rows"
            )));
        }
        for (j, a) in batch.columns().iter().enumerate() {
            match &mut texts[j] {
                Some(t) => t.extend(a.as_ref()),
                None => fill_numbers(a.as_ref(), &mut values[j * n_rows + row..][..m]),
            }
        }
        row += m;
    }
    if row != n_rows {
        return Err(format_error(format)(format!(
            "the file says {n_rows} rows but holds {row}"
        )));
    }
    let mut levels = Vec::with_capacity(n_cols);
    for (j, t) in texts.into_iter().enumerate() {
        levels.push(t.map(|t| t.finish(&mut values[j * n_rows..(j + 1) * n_rows])));
    }
    let names = fields.iter().map(|f| f.name().clone()).collect();
    Dataset::from_column_major(names, n_rows, values, levels)
}

impl Dataset {
    /// Reads a Parquet file (snappy, zstd or uncompressed).
    ///
    /// # Errors
    ///
    /// [`CoreError::Io`] naming the path; [`CoreError::Format`], [`CoreError::BadColumn`] and
    /// the value errors of [`Dataset::from_record_batches`], wrapped in [`CoreError::InFile`].
    pub fn from_parquet(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(io_error(path))?;
        in_file(path, || {
            let bad = |e: parquet::errors::ParquetError| format_error(PARQUET)(e.to_string());
            let meta =
                ArrowReaderMetadata::load(&file, ArrowReaderOptions::default()).map_err(bad)?;
            let n_rows = usize::try_from(meta.metadata().file_metadata().num_rows())
                .map_err(|_| format_error(PARQUET)("negative row count".into()))?;
            let schema: SchemaRef = meta.schema().clone();
            let text: Vec<bool> = schema
                .fields()
                .iter()
                .map(|f| is_text(f))
                .collect::<Result<_>>()?;
            // Columns are read in parallel, each in one batch of all its rows, copied into its
            // place in one column-major buffer and scanned (missing count, kind) while it is
            // still in cache; the result does not depend on the thread count. A column's
            // decoded array is freed before that thread reads the next, so the allocator
            // reuses its memory. (Reading all columns in row batches took 1.6x polars' time,
            // keeping each column's array to share it without a copy 1.65x, since every array
            // pays fresh page faults; copying plain pages straight into the buffer, without
            // arrow's array, saved nothing.)
            let mut values = vec![0.0; n_rows * text.len()];
            let scanned: Vec<Result<_>> = values
                .par_chunks_mut(n_rows.max(1))
                .zip(text.par_iter())
                .enumerate()
                .map(|(j, (out, &is_text))| {
                    // A handle of its own: clones of one handle share its file offset.
                    let file = File::open(path).map_err(io_error(path))?;
                    let levels =
                        read_with_arrow(file, &meta, j, is_text, schema.field(j).name(), out)?;
                    Ok(scan_column(out, levels))
                })
                .collect();
            // The first column's error, whatever the thread count.
            let scanned = scanned.into_iter().collect::<Result<Vec<_>>>()?;
            let names = schema.fields().iter().map(|f| f.name().clone()).collect();
            Dataset::from_scanned_column_major(names, n_rows, values, scanned)
        })
    }

    /// Reads an Arrow IPC file (Feather v2), or an Arrow IPC stream.
    ///
    /// # Errors
    ///
    /// As [`Dataset::from_parquet`].
    pub fn from_ipc(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(io_error(path))?;
        in_file(path, || {
            let bad = |e: ArrowError| format_error(IPC)(e.to_string());
            let (schema, batches) = match arrow_ipc::reader::FileReader::try_new(file, None) {
                Ok(reader) => {
                    let schema = reader.schema();
                    (schema, reader.collect::<std::result::Result<Vec<_>, _>>())
                }
                Err(file_err) => {
                    // Not the file format: try the stream format, else report the file error.
                    let file = File::open(path).map_err(io_error(path))?;
                    let reader = arrow_ipc::reader::StreamReader::try_new(
                        std::io::BufReader::new(file),
                        None,
                    )
                    .map_err(|_| bad(file_err))?;
                    let schema = reader.schema();
                    (schema, reader.collect::<std::result::Result<Vec<_>, _>>())
                }
            };
            let batches = batches.map_err(bad)?;
            let n_rows = batches.iter().map(RecordBatch::num_rows).sum();
            gather(&schema, n_rows, batches.into_iter().map(Ok), IPC)
        })
    }

    /// Writes the data as a Parquet file (snappy-compressed; column types as
    /// [`Dataset::to_record_batch`]).
    ///
    /// # Errors
    ///
    /// [`CoreError::Io`] naming the path, [`CoreError::Format`] if the writer fails.
    pub fn write_parquet(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let batch = self.to_record_batch()?;
        let file = File::create(path).map_err(io_error(path))?;
        let bad = |e: parquet::errors::ParquetError| format_error(PARQUET)(e.to_string());
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(bad)?;
        writer.write(&batch).map_err(bad)?;
        writer.close().map_err(bad)?;
        Ok(())
    }

    /// Writes the data as an Arrow IPC file (Feather v2; column types as
    /// [`Dataset::to_record_batch`]).
    ///
    /// # Errors
    ///
    /// As [`Dataset::write_parquet`].
    pub fn write_ipc(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let batch = self.to_record_batch()?;
        let file = File::create(path).map_err(io_error(path))?;
        let bad = |e: ArrowError| format_error(IPC)(e.to_string());
        let mut writer =
            arrow_ipc::writer::FileWriter::try_new(file, &batch.schema()).map_err(bad)?;
        writer.write(&batch).map_err(bad)?;
        writer.finish().map_err(bad)?;
        Ok(())
    }
}

/// Runs a read, naming the file in any error that does not already name it.
fn in_file<T>(path: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    read().map_err(|e| match e {
        e @ CoreError::Io { .. } => e,
        e => CoreError::InFile {
            path: path.display().to_string(),
            source: Box::new(e),
        },
    })
}

/// The error for a column that holds more or fewer rows than the file says.
fn row_count_error(name: &str, expected: usize, found: usize) -> CoreError {
    format_error(PARQUET)(if found > expected {
        format!("column '{name}' holds more than the file's {expected} rows")
    } else {
        format!("the file says {expected} rows but column '{name}' holds {found}")
    })
}

/// Reads column `j` (named `name`) through arrow's reader into `out`, in one batch of all its
/// rows: numbers (NaN where null), or a text column's level codes, whose levels it returns.
fn read_with_arrow(
    file: File,
    meta: &ArrowReaderMetadata,
    j: usize,
    is_text: bool,
    name: &str,
    out: &mut [f64],
) -> Result<Option<Vec<String>>> {
    let bad = |e: parquet::errors::ParquetError| format_error(PARQUET)(e.to_string());
    let n_rows = out.len();
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone())
        .with_projection(ProjectionMask::roots(meta.parquet_schema(), [j]))
        .with_batch_size(n_rows.max(1))
        .build()
        .map_err(bad)?;
    let mut texts = is_text.then(TextColumn::default);
    let mut row = 0;
    for batch in reader {
        let batch = batch.map_err(|e| format_error(PARQUET)(e.to_string()))?;
        let m = batch.num_rows();
        if row + m > n_rows || batch.num_columns() != 1 {
            return Err(row_count_error(name, n_rows, row + m));
        }
        match &mut texts {
            Some(t) => t.extend(batch.column(0).as_ref()),
            None => fill_numbers(batch.column(0).as_ref(), &mut out[row..row + m]),
        }
        row += m;
    }
    if row != n_rows {
        return Err(row_count_error(name, n_rows, row));
    }
    Ok(texts.map(|t| t.finish(out)))
}
