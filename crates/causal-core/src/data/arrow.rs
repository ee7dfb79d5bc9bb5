//! Arrow record batches to and from a [`Dataset`] (the `arrow` feature).
//!
//! Arrow types map to column kinds by type, not by content: integers and floats become
//! continuous columns (binary when every value is 0 or 1, as in the CSV reader), booleans
//! binary 0/1, and strings (plain, large, view or dictionary-encoded) categorical with their
//! distinct values, sorted, as levels. Nulls, and NaN in a float column, are missing cells.
//! Any other type (dates, timestamps, decimals, nested types) is refused with an error naming
//! the column and its type.
//!
//! [`Dataset::from_record_batches`] shares a `Float64` column without nulls that sits in one
//! batch (the common case for a table handed over from pyarrow or polars) instead of copying
//! it; other columns are converted, in parallel across columns.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use rayon::prelude::*;

use super::column::ColumnKind;
use super::{Dataset, SharedColumn};
use crate::error::{CoreError, Result};

/// Whether a column of this type is read as text (categorical), as numbers, or refused.
pub(super) fn is_text(field: &Field) -> Result<bool> {
    match field.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(true),
        DataType::Dictionary(_, v)
            if matches!(
                v.as_ref(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            Ok(true)
        }
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64 => Ok(false),
        other => Err(CoreError::BadColumn {
            column: field.name().clone(),
            message: format!(
                "Arrow type {other} is not supported (a data set holds numbers, booleans and \
                 text); convert the column to one of those"
            ),
        }),
    }
}

/// Writes a numeric or boolean array into `out` as `f64`, NaN where null.
pub(super) fn fill_numbers(a: &dyn Array, out: &mut [f64]) {
    macro_rules! cast {
        ($t:ty) => {
            for (o, &v) in out.iter_mut().zip(a.as_primitive::<$t>().values().iter()) {
                *o = v as f64;
            }
        };
    }
    match a.data_type() {
        DataType::Float64 => out.copy_from_slice(a.as_primitive::<Float64Type>().values()),
        DataType::Float32 => cast!(Float32Type),
        DataType::Float16 => {
            for (o, &v) in out
                .iter_mut()
                .zip(a.as_primitive::<Float16Type>().values().iter())
            {
                *o = f64::from(v);
            }
        }
        DataType::Int8 => cast!(Int8Type),
        DataType::Int16 => cast!(Int16Type),
        DataType::Int32 => cast!(Int32Type),
        DataType::Int64 => cast!(Int64Type),
        DataType::UInt8 => cast!(UInt8Type),
        DataType::UInt16 => cast!(UInt16Type),
        DataType::UInt32 => cast!(UInt32Type),
        DataType::UInt64 => cast!(UInt64Type),
        DataType::Boolean => {
            let b = a.as_boolean();
            for (i, o) in out.iter_mut().enumerate() {
                *o = if b.value(i) { 1.0 } else { 0.0 };
            }
        }
        // `is_text` let only the types above and Null through.
        _ => out.fill(f64::NAN),
    }
    if let Some(nulls) = a.logical_nulls() {
        for (i, o) in out.iter_mut().enumerate() {
            if nulls.is_null(i) {
                *o = f64::NAN;
            }
        }
    }
}

/// A text column being read: codes in order of first appearance, turned into sorted level
/// codes at the end.
#[derive(Default)]
pub(super) struct TextColumn {
    /// One code per row; `u32::MAX` for a null.
    codes: Vec<u32>,
    lookup: HashMap<String, u32>,
    seen: Vec<String>,
}

impl TextColumn {
    fn push(&mut self, text: Option<&str>) {
        let code = match text {
            None => u32::MAX,
            Some(s) => match self.lookup.get(s) {
                Some(&c) => c,
                None => {
                    let c = self.seen.len() as u32;
                    self.lookup.insert(s.to_owned(), c);
                    self.seen.push(s.to_owned());
                    c
                }
            },
        };
        self.codes.push(code);
    }

    pub(super) fn extend(&mut self, a: &dyn Array) {
        match a.data_type() {
            DataType::Utf8 => a.as_string::<i32>().iter().for_each(|t| self.push(t)),
            DataType::LargeUtf8 => a.as_string::<i64>().iter().for_each(|t| self.push(t)),
            DataType::Utf8View => a.as_string_view().iter().for_each(|t| self.push(t)),
            DataType::Dictionary(..) => {
                let d = a.as_any_dictionary();
                let values = d.values();
                let mut texts = TextColumn::default();
                texts.extend(values.as_ref());
                let keys = d.normalized_keys();
                let nulls = a.logical_nulls();
                for (i, &k) in keys.iter().enumerate() {
                    let null = nulls.as_ref().is_some_and(|n| n.is_null(i));
                    let code = texts.codes.get(k).copied().unwrap_or(u32::MAX);
                    let text =
                        (!null && code != u32::MAX).then(|| texts.seen[code as usize].as_str());
                    self.push(text);
                }
            }
            // `is_text` let only string types through.
            _ => self.codes.extend(std::iter::repeat_n(u32::MAX, a.len())),
        }
    }

    /// Sorted levels, and each row's level code (NaN when null) written into `out`.
    pub(super) fn finish(self, out: &mut [f64]) -> Vec<String> {
        let mut order: Vec<u32> = (0..self.seen.len() as u32).collect();
        order.sort_by(|&a, &b| self.seen[a as usize].cmp(&self.seen[b as usize]));
        let mut rank = vec![0.0; order.len()];
        for (r, &c) in order.iter().enumerate() {
            rank[c as usize] = r as f64;
        }
        for (o, &c) in out.iter_mut().zip(&self.codes) {
            *o = if c == u32::MAX {
                f64::NAN
            } else {
                rank[c as usize]
            };
        }
        let mut seen: Vec<Option<String>> = self.seen.into_iter().map(Some).collect();
        order
            .iter()
            .map(|&c| seen[c as usize].take().unwrap_or_default())
            .collect()
    }
}

impl Dataset {
    /// Builds a data set from Arrow record batches of one schema.
    ///
    /// Types map to kinds by type, not content: integers and floats become continuous columns
    /// (binary when every value is 0 or 1, as in the CSV reader), booleans binary, strings
    /// (plain, large, view or dictionary-encoded) categorical with their distinct values,
    /// sorted, as levels (no trimming, and a string "NA" is a level: only nulls are missing).
    /// Nulls, and NaN in a float column, are missing cells.
    ///
    /// # Errors
    ///
    /// [`CoreError::BadColumn`] naming a column of an unsupported type,
    /// [`CoreError::BadValue`] for an infinite value, [`CoreError::Format`] for batches that
    /// do not match the schema, and the name errors of [`Dataset::new`].
    pub fn from_record_batches(schema: &Schema, batches: &[RecordBatch]) -> Result<Self> {
        let fields = schema.fields();
        let text: Vec<bool> = fields.iter().map(|f| is_text(f)).collect::<Result<_>>()?;
        if let Some(b) = batches.iter().find(|b| b.num_columns() != fields.len()) {
            return Err(CoreError::Format {
                format: "Arrow",
                message: format!(
                    "a record batch has {} columns, but the schema {}",
                    b.num_columns(),
                    fields.len()
                ),
            });
        }
        let n_rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let (columns, levels): (Vec<SharedColumn>, Vec<Option<Vec<String>>>) = (0..fields.len())
            .into_par_iter()
            .map(|j| {
                let chunks: Vec<&ArrayRef> = batches
                    .iter()
                    .map(|b| b.column(j))
                    .filter(|a| !a.is_empty())
                    .collect();
                column_of_chunks(&chunks, n_rows, text[j])
            })
            .unzip();
        let names = fields.iter().map(|f| f.name().clone()).collect();
        Self::from_shared_columns(names, columns, levels)
    }

    /// The data as one Arrow record batch: continuous and binary columns as nullable
    /// `Float64`, categorical ones as nullable `Utf8` holding their level names; missing
    /// cells are nulls.
    ///
    /// # Errors
    ///
    /// [`CoreError::Format`] if Arrow refuses the batch (it does not for a valid data set).
    pub fn to_record_batch(&self) -> Result<RecordBatch> {
        let mut fields = Vec::with_capacity(self.n_cols());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.n_cols());
        for (j, name) in self.names().iter().enumerate() {
            let col = self.col(j);
            match &self.kinds()[j] {
                ColumnKind::Categorical { levels } => {
                    fields.push(Field::new(name, DataType::Utf8, true));
                    let cells = col
                        .iter()
                        .map(|v| (!v.is_nan()).then(|| levels[*v as usize].as_str()));
                    arrays.push(Arc::new(StringArray::from_iter(cells)));
                }
                _ => {
                    fields.push(Field::new(name, DataType::Float64, true));
                    let array = if col.iter().any(|v| v.is_nan()) {
                        Float64Array::from_iter(col.iter().map(|v| (!v.is_nan()).then_some(*v)))
                    } else {
                        Float64Array::from(col.to_vec())
                    };
                    arrays.push(Arc::new(array));
                }
            }
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| CoreError::Format {
            format: "Arrow",
            message: e.to_string(),
        })
    }
}

/// One column from its non-empty chunks (`n_rows` values in all): shared when it is a single
/// `Float64` chunk without nulls, else converted into a new buffer (NaN where null); a text
/// column becomes level codes and its sorted levels.
fn column_of_chunks(
    chunks: &[&ArrayRef],
    n_rows: usize,
    text: bool,
) -> (SharedColumn, Option<Vec<String>>) {
    if text {
        let mut t = TextColumn::default();
        for a in chunks {
            t.extend(a.as_ref());
        }
        let mut out = vec![0.0; n_rows];
        let levels = t.finish(&mut out);
        return (Arc::new(out), Some(levels));
    }
    if let [a] = chunks
        && a.data_type() == &DataType::Float64
        && a.logical_null_count() == 0
    {
        return (
            Arc::new(a.as_primitive::<Float64Type>().values().clone()),
            None,
        );
    }
    let mut out = vec![0.0; n_rows];
    let mut row = 0;
    for a in chunks {
        fill_numbers(a.as_ref(), &mut out[row..row + a.len()]);
        row += a.len();
    }
    (Arc::new(out), None)
}
