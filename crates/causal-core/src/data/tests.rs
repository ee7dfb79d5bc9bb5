//! Unit tests of [`Dataset`](super::Dataset): construction, reading, missing values, kinds.

use super::*;
use crate::error::CoreError;

#[test]
fn whitespace_data_round_trips_through_csv() {
    let d = Dataset::from_text("a b c\n1 2 3\n4 5 6\n").unwrap();
    assert_eq!(d.n_rows(), 2);
    assert_eq!(d.n_cols(), 3);
    let again = Dataset::from_text(&d.to_csv()).unwrap();
    assert_eq!(d, again);
}

#[test]
fn nan_cells_are_missing_and_named_with_their_count() {
    let d = Dataset::from_text("x,y\n1,2\n3,NaN\n5,\n").unwrap();
    assert_eq!(d.missing_counts(), &[0, 2]);
    assert!(d.is_missing(1, 1) && !d.is_missing(0, 1));
    let err = d.column("y").unwrap_err().to_string();
    assert!(err.contains("'y'") && err.contains("2 missing"), "{err}");
    let err = d
        .handle_missing(MissingPolicy::Error, &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("'y'") && err.contains("2 missing"), "{err}");
    let dropped = d.handle_missing(MissingPolicy::DropRows, &[]).unwrap();
    assert_eq!(dropped.column("x").unwrap(), &[1.0]);
    assert!(!dropped.has_missing());
    // Only the named columns count.
    assert_eq!(d.handle_missing(MissingPolicy::Error, &["x"]).unwrap(), d);
    assert_eq!(d.complete_rows(&["x", "y"]).unwrap(), vec![0]);
    // Values a caller builds must still be finite.
    let err = Dataset::new(vec!["y".into()], vec![vec![1.0, f64::NAN]])
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 2") && err.contains("'y'"), "{err}");
}

#[test]
fn text_columns_are_categorical_with_sorted_levels() {
    let d = Dataset::from_text("t,c,y\ntreated,fr,1\ncontrol,de,2\ntreated,us,3\n").unwrap();
    assert_eq!(d.levels("t").unwrap().unwrap(), ["control", "treated"]);
    assert_eq!(d.column("t").unwrap(), &[1.0, 0.0, 1.0]);
    assert!(d.is_discrete("c").unwrap());
    assert_eq!(d.kind("y").unwrap(), &ColumnKind::Continuous);
    assert!(d.require_numeric(&["t", "y"]).is_ok());
    let err = d.require_numeric(&["c"]).unwrap_err().to_string();
    assert!(err.contains("'c'") && err.contains("de, fr, us"), "{err}");
    let h = d.one_hot("c").unwrap();
    assert_eq!(h.names(), ["t", "y", "c=fr", "c=us"]);
    assert_eq!(h.column("c=fr").unwrap(), &[1.0, 0.0, 0.0]);
    assert_eq!(h.column("c=us").unwrap(), &[0.0, 0.0, 1.0]);
    assert!(d.one_hot("y").is_err());
    // A round trip keeps the levels.
    assert_eq!(Dataset::from_text(&d.to_csv()).unwrap(), d);
}

#[test]
fn binary_columns_are_recognised() {
    let d = Dataset::from_text("t,y\n0,1.5\n1,2\n").unwrap();
    assert_eq!(d.kinds(), &[ColumnKind::Binary, ColumnKind::Continuous]);
}

#[test]
fn non_number_makes_a_text_column_and_inf_is_refused() {
    let d = Dataset::from_text("x,y\n1,abc\n").unwrap();
    assert_eq!(d.levels("y").unwrap().unwrap(), ["abc"]);
    let err = Dataset::from_text("x,y\n1,2\n3,-inf\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3") && err.contains("'y'"), "{err}");
}

#[test]
fn duplicate_and_empty_are_rejected() {
    assert!(matches!(
        Dataset::from_text("x,x\n1,2\n"),
        Err(CoreError::Duplicate(n)) if n == "x"
    ));
    assert!(matches!(
        Dataset::from_text("x,y\n"),
        Err(CoreError::Empty(_))
    ));
    assert!(matches!(Dataset::from_text(""), Err(CoreError::Empty(_))));
}

#[test]
fn unknown_column_is_named() {
    let d = Dataset::from_text("x\n1\n").unwrap();
    assert_eq!(d.column("z").unwrap_err().to_string(), "unknown column 'z'");
}

#[test]
fn file_errors_name_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("causal-core-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ragged.csv");
    std::fs::write(&path, "a,b\n1,2\n3\n").unwrap();
    let err = Dataset::from_path(&path).unwrap_err().to_string();
    assert!(
        err.contains("ragged.csv") && err.contains("line 3"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn discrete_inference_and_selection() {
    let d = Dataset::from_text("x,t,e\n0.5,0,1\n1.5,1,2\n2.5,1,1\n")
        .unwrap()
        .infer_discrete(10)
        .with_environment("e")
        .unwrap();
    assert_eq!(d.discrete_flags(), &[false, true, true]);
    let s = d.select(&["e", "x"]).unwrap();
    assert_eq!(s.environment_name(), Some("e"));
    assert_eq!(s.discrete_flags(), &[true, false]);
    let r = d.take_rows(&[2, 2, 0]).unwrap();
    assert_eq!(r.column("x").unwrap(), &[2.5, 2.5, 0.5]);
    assert!(d.take_rows(&[3]).is_err());
    assert!(d.with_discrete(&["x"]).is_err());
}

#[test]
fn columns_are_added_replaced_and_checked_binary() {
    let d = Dataset::from_text("t,y\n0,1.5\n1,2.5\n").unwrap();
    let d = d.with_column("u", vec![3.0, 4.0]).unwrap();
    assert_eq!(d.column("u").unwrap(), &[3.0, 4.0]);
    assert!(d.clone().with_column("u", vec![1.0, 1.0]).is_err());
    assert!(d.clone().with_column("v", vec![1.0]).is_err());
    assert!(d.clone().with_column("v", vec![1.0, f64::NAN]).is_err());
    assert!(d.check_binary("t").is_ok());
    let err = d.check_binary("y").unwrap_err().to_string();
    assert!(err.contains("row 1") && err.contains("'y'"), "{err}");
    let d = d.replace_column("t", vec![1.0, 1.0]).unwrap();
    assert!(
        d.check_binary("t")
            .unwrap_err()
            .to_string()
            .contains("only the value 1")
    );
    assert!(d.replace_column("zz", vec![1.0, 1.0]).is_err());
}

#[test]
fn matrix_is_a_view_of_the_column_major_buffer() {
    let d = Dataset::from_text("x,y\n1,2\n3,4\n").unwrap();
    let m = d.to_matrix();
    assert_eq!(m[(1, 0)], 3.0);
    assert_eq!(m[(0, 1)], 2.0);
    let v = d.matrix_view();
    assert_eq!(v[(1, 1)], 4.0);
    assert_eq!(d.values(), &[1.0, 3.0, 2.0, 4.0]);
    assert_eq!(d.col(1).as_ptr(), d.values()[2..].as_ptr());
}

#[test]
fn awkward_names_and_single_missing_column_round_trip() {
    let d = Dataset::with_missing_values(
        vec!["a,b".into(), "#c".into(), " d ".into(), "e\"f".into()],
        vec![
            vec![1.0, 0.1 + 0.2],
            vec![-0.0, 1e-300],
            vec![f64::NAN, 2.0],
            vec![3.0, f64::MAX],
        ],
    )
    .unwrap();
    let again = Dataset::from_text(&d.to_csv()).unwrap();
    assert_eq!(again, d);
    let one = Dataset::with_missing_values(vec!["y".into()], vec![vec![f64::NAN, 1.5]]).unwrap();
    assert_eq!(Dataset::from_text(&one.to_csv()).unwrap(), one);
}

mod round_trip {
    use proptest::prelude::*;

    use super::super::Dataset;

    /// Any finite f64, by its bits (so subnormals, -0.0 and extremes come up).
    fn finite() -> impl Strategy<Value = f64> {
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("finite", |v| v.is_finite())
    }

    fn name() -> impl Strategy<Value = String> {
        // Commas, quotes, '#', spaces at the ends, tabs and non-ASCII letters.
        "[ #a-zA-Z0-9,\"é\t_]{1,8}".prop_filter("not blank", |s| !s.trim().is_empty())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Any text either reads or gives an error; the reader never panics.
        #[test]
        fn reading_any_text_never_panics(text in "[a-c0-9 ,.\"#\t\r\n\u{feff}é-]{0,60}") {
            if let Ok(d) = Dataset::from_text(&text) {
                prop_assert!(d.n_rows() > 0 && d.n_cols() > 0);
                let _ = d.to_csv();
            }
        }

        /// `to_csv` then `from_text` gives back the same data set, values bit for bit.
        #[test]
        fn csv_write_then_read_is_exact(
            names in proptest::collection::hash_set(name(), 1..5),
            rows in 1usize..6,
            seed in proptest::collection::vec(prop_oneof![4 => finite(), 1 => Just(f64::NAN)], 30),
        ) {
            let names: Vec<String> = names.into_iter().collect();
            let columns: Vec<Vec<f64>> = (0..names.len())
                .map(|j| (0..rows).map(|i| seed[(j * rows + i) % seed.len()]).collect())
                .collect();
            let d = Dataset::with_missing_values(names, columns).unwrap();
            let text = d.to_csv();
            let back = Dataset::from_text(&text).map_err(|e| TestCaseError::fail(format!("{e} in {text:?}")))?;
            prop_assert_eq!(back.names(), d.names());
            for j in 0..d.n_cols() {
                for (a, b) in d.col(j).iter().zip(back.col(j)) {
                    prop_assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "{a} vs {b} in {text:?}");
                }
            }
            prop_assert_eq!(back, d);
        }
    }
}

#[test]
fn from_column_major_equals_new_and_validates() {
    let cols = vec![vec![0.5, 2.0, -1.0], vec![0.0, 1.0, 1.0]];
    let names = vec!["x".to_owned(), "t".to_owned()];
    let want = Dataset::new(names.clone(), cols.clone()).unwrap();
    let got =
        Dataset::from_column_major(names.clone(), 3, cols.concat(), vec![None, None]).unwrap();
    assert_eq!(got, want);
    assert_eq!(got.kinds(), &[ColumnKind::Continuous, ColumnKind::Binary]);

    // NaN is missing, as with `with_missing_values`.
    let gappy = vec![vec![0.5, f64::NAN, -1.0], vec![0.0, 1.0, 1.0]];
    let want = Dataset::with_missing_values(names.clone(), gappy.clone()).unwrap();
    let got =
        Dataset::from_column_major(names.clone(), 3, gappy.concat(), vec![None, None]).unwrap();
    assert_eq!(got, want);
    assert_eq!(got.missing_count("x").unwrap(), 1);

    // Categorical codes must index the levels; the error names row and column.
    let levels = Some(vec!["a".to_owned(), "b".to_owned()]);
    let d = Dataset::from_column_major(
        names.clone(),
        3,
        vec![0.5, 2.0, -1.0, 1.0, 0.0, 1.0],
        vec![None, levels.clone()],
    )
    .unwrap();
    assert!(d.is_discrete("t").unwrap());
    assert_eq!(d.levels("t").unwrap().unwrap(), ["a", "b"]);
    let err = Dataset::from_column_major(
        names.clone(),
        3,
        vec![0.5, 2.0, -1.0, 1.0, 2.0, 1.0],
        vec![None, levels],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("row 2") && err.contains("'t'"), "{err}");
    let err = Dataset::from_column_major(
        names.clone(),
        3,
        vec![0.5, f64::INFINITY, -1.0, 1.0, 0.0, 1.0],
        vec![None, None],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("'x'") && err.contains("not finite"), "{err}");
    assert!(Dataset::from_column_major(names.clone(), 3, vec![0.0; 5], vec![None, None]).is_err());

    // From borrowed slices: the same data set, and ragged columns are named.
    let got = Dataset::from_column_slices(names.clone(), &[&gappy[0], &gappy[1]], vec![None, None])
        .unwrap();
    assert_eq!(
        got,
        Dataset::with_missing_values(names.clone(), gappy.clone()).unwrap()
    );
    let err = Dataset::from_column_slices(names, &[&gappy[0], &[1.0]], vec![None, None])
        .unwrap_err()
        .to_string();
    assert!(err.contains("column 't' has 1 rows"), "{err}");
}

#[test]
fn shared_columns_equal_the_copied_data_set_and_stay_shared() {
    use std::sync::Arc;
    let names = vec!["x".to_owned(), "t".to_owned()];
    let gappy = vec![vec![0.5, f64::NAN, -1.0], vec![0.0, 1.0, 1.0]];
    let cols: Vec<SharedColumn> = gappy.iter().map(|c| Arc::new(c.clone()) as _).collect();
    let d = Dataset::from_shared_columns(names.clone(), cols.clone(), vec![None, None]).unwrap();
    let want = Dataset::with_missing_values(names.clone(), gappy.clone()).unwrap();
    assert_eq!(d, want);
    assert_eq!(d.kinds(), want.kinds());
    assert!(d.is_missing(1, 0) && !d.is_missing(1, 1));
    // No copy: each column is the shared buffer itself.
    assert_eq!(d.col(1).as_ptr(), (*cols[1]).as_ref().as_ptr());
    // The whole-matrix accessors build the column-major buffer on request.
    assert_eq!(d.values()[3..], [0.0, 1.0, 1.0]);
    assert_eq!(d.matrix_view()[(2, 0)], -1.0);
    assert_eq!(d.to_matrix().column(1), want.to_matrix().column(1));
    // Edits, selections and serialisation behave as on the copied data set.
    let edited = d.clone().replace_column("t", vec![2.0, 3.0, 4.0]).unwrap();
    assert_eq!(edited.column("t").unwrap(), &[2.0, 3.0, 4.0]);
    assert_eq!(edited.values()[3..], [2.0, 3.0, 4.0]);
    assert_eq!(d.col(1), &[0.0, 1.0, 1.0], "the original is untouched");
    let grown = d.clone().with_column("z", vec![1.0, 2.0, 3.0]).unwrap();
    assert_eq!(
        grown,
        want.clone().with_column("z", vec![1.0, 2.0, 3.0]).unwrap()
    );
    assert_eq!(d.select(&["t"]).unwrap(), want.select(&["t"]).unwrap());
    assert_eq!(d.to_csv(), want.to_csv());
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(json, serde_json::to_string(&want).unwrap());
    // Shape and value errors are those of the copying constructors.
    let err = Dataset::from_shared_columns(
        names.clone(),
        vec![cols[0].clone(), Arc::new(vec![1.0])],
        vec![None, None],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("column 't' has 1 rows"), "{err}");
    let err = Dataset::from_shared_columns(
        names,
        vec![cols[0].clone(), Arc::new(vec![0.0, f64::INFINITY, 1.0])],
        vec![None, None],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("'t'") && err.contains("row 2"), "{err}");
}
