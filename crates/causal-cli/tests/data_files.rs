//! Data files as real tools write them reach every command intact: a UTF-8 byte-order mark,
//! NumPy's `# x,y,z` header, `\r`-only line ends, quoted names with commas; and a file the
//! reader refuses is named in the error, with the line.

mod common;
use common::{assert_bad_input, causal, collider_csv, json, pseudo_uniform, temp_file};

const TAG: &str = "data-files";

/// The node names of `causal discover pc` on `file`.
fn pc_nodes(file: &str) -> Vec<String> {
    let g = json(&causal(&["discover", "pc", "--data", file]));
    g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect()
}

/// 400 rows of a confounded binary treatment: W -> T, W -> Y, T -> Y with effect 2.
fn confounded_csv() -> String {
    let mut u = pseudo_uniform(11);
    let mut s = String::from("W,T,Y\n");
    for _ in 0..400 {
        let w = 2.0 * u();
        let t = f64::from(w + u() > 0.0);
        let y = 2.0 * t + 1.5 * w + 0.2 * u();
        s.push_str(&format!("{w},{t},{y}\n"));
    }
    s
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_name() {
    let file = temp_file(TAG, "bom.csv", &format!("\u{feff}{}", confounded_csv()));
    let nodes = pc_nodes(&file);
    assert_eq!(nodes, ["W", "T", "Y"]);
    assert!(nodes.iter().all(|n| !n.contains('\u{feff}')));
    let est = json(&causal(&[
        "estimate",
        "--data",
        &file,
        "--treatment",
        "T",
        "--outcome",
        "Y",
        "--adjust",
        "W",
    ]));
    let ate = est["ate"].as_f64().unwrap();
    assert!((ate - 2.0).abs() < 0.1, "{est}");
}

#[test]
fn a_numpy_savetxt_header_is_the_header() {
    // np.savetxt(f, a, delimiter=",", header="x,y,z") writes "# x,y,z" first.
    let csv = collider_csv(3);
    let body = csv.split_once('\n').unwrap().1;
    let file = temp_file(TAG, "savetxt.csv", &format!("# x,y,z\n{body}"));
    assert_eq!(pc_nodes(&file), ["x", "y", "z"]);
}

#[test]
fn carriage_return_only_line_ends_are_read() {
    let file = temp_file(TAG, "cr.csv", &collider_csv(5).replace('\n', "\r"));
    let g = json(&causal(&["discover", "pc", "--data", &file]));
    assert_eq!(g["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(g["edges"].as_array().unwrap().len(), 2, "{g}");
}

#[test]
fn quoted_names_with_commas_are_one_column() {
    let csv = collider_csv(9).replacen("x,y,z", "\"x, first\",y,\"z \"\"last\"\"\"", 1);
    let file = temp_file(TAG, "quoted.csv", &csv);
    assert_eq!(pc_nodes(&file), ["x, first", "y", "z \"last\""]);
}

#[test]
fn simulate_writes_a_name_with_a_comma_that_reads_back() {
    let scm = temp_file(
        TAG,
        "comma-scm.json",
        r#"{"nodes": [
          {"name": "a,b", "type": "gaussian", "sd": 1.0},
          {"name": "c", "type": "gaussian", "sd": 1.0, "parents": {"a,b": 2.0}}
        ]}"#,
    );
    let out = causal(&["simulate", "--scm", &scm, "--n", "300", "--seed", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("\"a,b\",c\n"), "{}", &csv[..40]);
    let file = temp_file(TAG, "comma.csv", &csv);
    let g = json(&causal(&["discover", "pc", "--data", &file]));
    assert_eq!(g["nodes"], serde_json::json!(["a,b", "c"]));
    assert_eq!(g["edges"].as_array().unwrap().len(), 1, "{g}");
}

#[test]
fn reader_errors_name_the_file_and_line() {
    let file = temp_file(TAG, "ragged.csv", "a,b\n1,2\n3\n");
    let out = causal(&["discover", "pc", "--data", &file]);
    assert_bad_input(&out, &["ragged.csv", "line 3", "row 2"]);
    let file = temp_file(TAG, "inf.csv", "a,b\n1,2\n3,inf\n");
    let out = causal(&["discover", "pc", "--data", &file]);
    assert_bad_input(&out, &["inf.csv", "line 3", "'b'"]);
}

#[test]
fn missing_cells_and_many_categories_are_refused_by_name() {
    let file = temp_file(TAG, "gaps.csv", "a,b\n1,2\n,3\n2,NA\n4,\n");
    let out = causal(&["discover", "pc", "--data", &file]);
    assert_bad_input(&out, &["gaps.csv", "column 'a'", "1 missing"]);
    let file = temp_file(TAG, "text.csv", "a,c\n1,fr\n2,de\n3,us\n");
    let out = causal(&["discover", "pc", "--data", &file]);
    assert_bad_input(&out, &["text.csv", "column 'c'", "de, fr, us"]);
}
