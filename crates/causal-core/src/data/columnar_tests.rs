//! Tests of the Parquet and Arrow IPC readers and writers: round trips against the CSV reader
//! of the same table, Arrow type mapping on hand-built record batches, and the errors.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::types::Int8Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float32Array, Float64Array, Int8Array,
    Int32Array, Int64Array, LargeStringArray, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ArrowReaderMetadata;
use parquet::file::properties::WriterProperties;

use super::*;
use crate::error::CoreError;

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "causal-core-columnar-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The CSV reader's view of a table with nulls, a text column, a binary column and a quoted
/// name: the reference that the columnar formats must reproduce.
const TABLE: &str =
    "\"x, y\",t,b,g\n1.5,treated,1,\n-2.25,control,0,3\n,treated,1,4.125\n7e-3,,0,5\n";

#[test]
fn parquet_and_ipc_round_trip_equal_the_csv_reading() {
    let reference = Dataset::from_text(TABLE).unwrap();
    assert_eq!(reference.missing_counts(), &[1, 1, 0, 1]);
    assert_eq!(reference.kinds()[2], ColumnKind::Binary);
    let dir = scratch("round-trip");
    for file in [
        "t.parquet",
        "t.pq",
        "t.arrow",
        "t.feather",
        "t.ipc",
        "t.csv",
    ] {
        let path = dir.join(file);
        reference.write_path(&path).unwrap();
        let back = Dataset::from_path(&path).unwrap();
        assert_eq!(back, reference, "{file}");
        assert_eq!(
            back.levels("t").unwrap(),
            Some(&["control".to_owned(), "treated".to_owned()][..]),
            "{file}"
        );
        assert!(back.is_discrete("t").unwrap() && !back.is_discrete("g").unwrap());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn arrow_types_map_to_kinds_across_batches() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("i01", DataType::Int32, false),
        Field::new("i64", DataType::Int64, true),
        Field::new("f32", DataType::Float32, true),
        Field::new("flag", DataType::Boolean, true),
        Field::new(
            "dict",
            DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)),
            true,
        ),
        Field::new("large", DataType::LargeUtf8, false),
    ]));
    let batch = |i01: Vec<i32>,
                 i64s: Vec<Option<i64>>,
                 f32s: Vec<Option<f32>>,
                 flags: Vec<Option<bool>>,
                 dict: Vec<Option<i8>>,
                 large: Vec<&str>| {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(i01)),
            Arc::new(Int64Array::from(i64s)),
            Arc::new(Float32Array::from(f32s)),
            Arc::new(BooleanArray::from(flags)),
            // One dictionary for every batch: the IPC file format refuses replacing it.
            Arc::new(
                DictionaryArray::<Int8Type>::try_new(
                    Int8Array::from(dict),
                    Arc::new(StringArray::from(vec!["zeta", "alpha", "unused"])),
                )
                .unwrap(),
            ),
            Arc::new(LargeStringArray::from(large)),
        ];
        RecordBatch::try_new(schema.clone(), columns).unwrap()
    };
    let batches = [
        batch(
            vec![0, 1],
            vec![Some(-3), None],
            vec![Some(0.5), Some(f32::NAN)],
            vec![Some(true), None],
            vec![Some(0), None],
            vec!["b", "a"],
        ),
        batch(
            vec![1],
            vec![Some(40)],
            vec![None],
            vec![Some(false)],
            vec![Some(1)],
            vec!["b"],
        ),
    ];
    let d = Dataset::from_record_batches(&schema, &batches).unwrap();
    assert_eq!(d.n_rows(), 3);
    let kinds: Vec<&str> = d.kinds().iter().map(ColumnKind::name).collect();
    assert_eq!(
        kinds,
        [
            "binary",
            "continuous",
            "continuous",
            "binary",
            "categorical",
            "categorical"
        ]
    );
    assert_eq!(d.column("i01").unwrap(), &[0.0, 1.0, 1.0]);
    // Nulls and a float NaN are missing cells.
    assert_eq!(d.missing_counts(), &[0, 1, 2, 1, 1, 0]);
    assert_eq!(d.col(1)[0], -3.0);
    assert_eq!(d.col(1)[2], 40.0);
    assert_eq!(d.col(2)[0], 0.5);
    assert_eq!(d.col(3)[2], 0.0);
    // Levels are the values used (not the unused dictionary entry), sorted; codes index them.
    assert_eq!(
        d.levels("dict").unwrap(),
        Some(&["alpha".to_owned(), "zeta".to_owned()][..])
    );
    assert_eq!(d.col(4)[0], 1.0);
    assert!(d.is_missing(1, 4));
    assert_eq!(d.col(4)[2], 0.0);
    assert_eq!(d.column("large").unwrap(), &[1.0, 0.0, 1.0]);

    // The same batches through an IPC file on disk read back the same.
    let dir = scratch("types");
    let path = dir.join("t.arrow");
    let mut w =
        arrow_ipc::writer::FileWriter::try_new(std::fs::File::create(&path).unwrap(), &schema)
            .unwrap();
    for b in &batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
    assert_eq!(Dataset::from_path(&path).unwrap(), d);
    // And as a stream (`.arrows`).
    let path = dir.join("t.arrows");
    let mut w =
        arrow_ipc::writer::StreamWriter::try_new(std::fs::File::create(&path).unwrap(), &schema)
            .unwrap();
    for b in &batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
    assert_eq!(Dataset::from_path(&path).unwrap(), d);
    // And as Parquet in row groups of one row and pages of one row, so that every column
    // (read one at a time) spans several row groups and the text columns' codes follow them.
    let path = dir.join("t.parquet");
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(1))
        .set_data_page_row_count_limit(1)
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        schema.clone(),
        Some(props),
    )
    .unwrap();
    for b in &batches {
        w.write(b).unwrap();
    }
    w.close().unwrap();
    let meta = ArrowReaderMetadata::load(&std::fs::File::open(&path).unwrap(), Default::default())
        .unwrap();
    assert_eq!(meta.metadata().num_row_groups(), 3);
    assert_eq!(Dataset::from_path(&path).unwrap(), d);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unsupported_types_infinities_and_corrupt_files_are_named() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("x", DataType::Float64, false),
        Field::new("day", DataType::Date32, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Float64Array::from(vec![1.0])) as ArrayRef,
            Arc::new(Date32Array::from(vec![19_000])),
        ],
    )
    .unwrap();
    let dir = scratch("errors");
    let path = dir.join("dates.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        schema.clone(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let err = Dataset::from_path(&path).unwrap_err().to_string();
    assert!(
        err.contains("dates.parquet") && err.contains("column 'day'") && err.contains("Date32"),
        "{err}"
    );

    let inf = Dataset::from_record_batches(
        &Schema::new(vec![Field::new("v", DataType::Float64, false)]),
        &[RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("v", DataType::Float64, false)])),
            vec![Arc::new(Float64Array::from(vec![1.0, f64::INFINITY])) as ArrayRef],
        )
        .unwrap()],
    )
    .unwrap_err();
    assert!(
        matches!(&inf, CoreError::BadValue { row: 2, column, .. } if column == "v"),
        "{inf}"
    );

    for name in ["junk.parquet", "junk.arrow"] {
        let path = dir.join(name);
        std::fs::write(&path, "x,y\n1,2\n").unwrap();
        let err = Dataset::from_path(&path).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(name) && text.contains("not a readable"),
            "{text}"
        );
    }
    let err = Dataset::from_path(dir.join("absent.parquet"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("absent.parquet"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn formats_follow_the_extension() {
    use std::path::Path;
    for (file, format) in [
        ("a.csv", DataFormat::Text),
        ("a.TSV", DataFormat::Text),
        ("a.tab", DataFormat::Text),
        ("noext", DataFormat::Text),
        ("a.parquet", DataFormat::Parquet),
        ("a.PQ", DataFormat::Parquet),
        ("a.arrow", DataFormat::ArrowIpc),
        ("a.ipc", DataFormat::ArrowIpc),
        ("a.feather", DataFormat::ArrowIpc),
    ] {
        assert_eq!(DataFormat::from_path(Path::new(file)), format, "{file}");
        assert!(format.is_available());
    }
    // Text columns stay text: a string column of digits is categorical, not numeric.
    let d = Dataset::from_record_batches(
        &Schema::new(vec![Field::new("s", DataType::Utf8, false)]),
        &[RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8, false)])),
            vec![Arc::new(StringArray::from(vec!["10", "9"])) as ArrayRef],
        )
        .unwrap()],
    )
    .unwrap();
    assert_eq!(
        d.levels("s").unwrap(),
        Some(&["10".to_owned(), "9".to_owned()][..])
    );
}

#[test]
fn a_float_column_in_one_batch_is_shared_not_copied() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("x", DataType::Float64, true),
        Field::new("y", DataType::Float64, true),
        Field::new("i", DataType::Int32, false),
    ]));
    // A slice at an offset, as pyarrow hands over a sliced table.
    let x = Float64Array::from(vec![9.0, 0.5, 1.0, -2.0]).slice(1, 3);
    let y = Float64Array::from(vec![Some(1.0), None, Some(3.0)]);
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(x.clone()),
        Arc::new(y),
        Arc::new(Int32Array::from(vec![0, 1, 1])),
    ];
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let d = Dataset::from_record_batches(&schema, std::slice::from_ref(&batch)).unwrap();
    assert_eq!(d.col(0).as_ptr(), x.values().as_ptr(), "x is shared");
    assert_eq!(d.col(0), &[0.5, 1.0, -2.0]);
    // Nulls (copied, NaN where null) and other types (converted) are correct beside it.
    assert_eq!(d.missing_counts(), &[0, 1, 0]);
    assert_eq!(d.col(1)[2], 3.0);
    assert_eq!(d.column("i").unwrap(), &[0.0, 1.0, 1.0]);
    assert_eq!(d.kinds()[2], ColumnKind::Binary);
    let want = Dataset::with_missing_values(
        vec!["x".into(), "y".into(), "i".into()],
        vec![
            vec![0.5, 1.0, -2.0],
            vec![1.0, f64::NAN, 3.0],
            vec![0.0, 1.0, 1.0],
        ],
    )
    .unwrap();
    assert_eq!(d, want);
    assert_eq!(d.values()[..3], [0.5, 1.0, -2.0]);
    // A batch that does not match the schema is refused.
    let short = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)])),
        vec![Arc::new(x) as ArrayRef],
    )
    .unwrap();
    let err = Dataset::from_record_batches(&schema, &[short]).unwrap_err();
    assert!(err.to_string().contains("1 columns"), "{err}");
}
