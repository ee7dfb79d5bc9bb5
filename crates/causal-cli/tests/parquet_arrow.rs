//! Parquet and Arrow IPC files reach the commands as their CSV twins do: the same table in
//! each format gives byte-identical JSON, and a bad columnar file is named in the error.
#![cfg(feature = "parquet")]

mod common;
use causal::core::data::Dataset;
use common::{assert_bad_input, causal, collider_csv, pseudo_uniform, temp_dir, temp_file};

const TAG: &str = "parquet-arrow";

/// Writes `csv` as CSV and in the format of `ext`, through the library's writer, and returns
/// both paths.
fn twins(name: &str, csv: &str, ext: &str) -> (String, String) {
    let text = temp_file(TAG, &format!("{name}.csv"), csv);
    let columnar = temp_dir(TAG).join(format!("{name}.{ext}"));
    Dataset::from_text(csv)
        .unwrap()
        .write_path(&columnar)
        .unwrap();
    (text, columnar.display().to_string())
}

/// The stdout of a run that must have succeeded.
fn stdout(args: &[&str]) -> String {
    let out = causal(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn discover_pc_on_parquet_equals_the_csv() {
    let (csv, parquet) = twins("collider", &collider_csv(21), "parquet");
    let a = stdout(&["discover", "pc", "--data", &csv]);
    let b = stdout(&["discover", "pc", "--data", &parquet]);
    assert_eq!(a, b);
    // The collider is found, so the comparison is of a real result.
    let g: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(g["edges"].as_array().unwrap().len(), 2, "{g}");
}

#[test]
fn estimate_on_arrow_ipc_equals_the_csv() {
    let mut u = pseudo_uniform(5);
    let mut csv = String::from("W,T,Y\n");
    for _ in 0..400 {
        let w = 2.0 * u();
        let t = f64::from(w + u() > 0.0);
        let y = 2.0 * t + 1.5 * w + 0.2 * u();
        csv.push_str(&format!("{w},{t},{y}\n"));
    }
    for ext in ["arrow", "feather"] {
        let (text, ipc) = twins("confounded", &csv, ext);
        let args = |data: &str| {
            stdout(&[
                "estimate",
                "--data",
                data,
                "--treatment",
                "T",
                "--outcome",
                "Y",
                "--adjust",
                "W",
            ])
        };
        let (a, b) = (args(&text), args(&ipc));
        assert_eq!(a, b, "{ext}");
        let est: serde_json::Value = serde_json::from_str(&b).unwrap();
        assert!((est["ate"].as_f64().unwrap() - 2.0).abs() < 0.1, "{est}");
    }
}

#[test]
fn bad_columnar_files_name_the_file_and_column() {
    let junk = temp_file(TAG, "junk.parquet", "x,y\n1,2\n");
    assert_bad_input(
        &causal(&["discover", "pc", "--data", &junk]),
        &["junk.parquet", "Parquet"],
    );
    // A text column of three categories is refused by name, as in a CSV file.
    let (_, parquet) = twins("text", "a,c\n1,red\n2,green\n3,blue\n", "pq");
    assert_bad_input(
        &causal(&["discover", "pc", "--data", &parquet]),
        &["text.pq", "'c'", "3 categories"],
    );
}
