//! Hostile and odd input (issue 20): files nested or chained 100 000 deep end in an answer or
//! exit 2, never a crash; numeric options outside their range and a treatment that is also
//! the outcome are refused with exit 2 and a message naming the option and its range.

mod common;
use common::{assert_bad_input, causal, collider_csv, temp_file};

const DEPTH: usize = 100_000;

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

#[test]
fn deeply_nested_groups_parse_or_fail_cleanly() {
    // Balanced: one node inside 100 000 groups is a valid graph.
    let ok = temp_file(
        "hostile",
        "deep.dagitty",
        &format!("dag {{ {} -> b }}", nested("{", "a", "}", DEPTH)),
    );
    let out = causal(&["graph", "check", &ok]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["nodes"].as_u64(), v["edges"].as_u64()),
        (Some(2), Some(1))
    );

    let ok_dot = temp_file(
        "hostile",
        "deep.dot",
        &format!("digraph {{ {} -> b }}", nested("{", "a", "}", DEPTH)),
    );
    let out = causal(&["graph", "check", &ok_dot]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Unclosed: exit 2 naming the line, not a stack overflow.
    let bad = temp_file(
        "hostile",
        "open.dagitty",
        &format!("dag {{\n{}", "{".repeat(DEPTH)),
    );
    assert_bad_input(&causal(&["graph", "check", &bad]), &["line 2"]);
    let bad_dot = temp_file(
        "hostile",
        "open.dot",
        &format!("digraph {{\n{}", "{".repeat(DEPTH)),
    );
    assert_bad_input(
        &causal(&["graph", "check", &bad_dot]),
        &["line 2", "missing '}'"],
    );
}

#[test]
fn simulate_runs_a_chain_of_100000_parents() {
    let mut nodes = vec![r#"{"name":"v0"}"#.to_owned()];
    for i in 1..DEPTH {
        nodes.push(format!(
            r#"{{"name":"v{i}","parents":{{"v{}":0.5}}}}"#,
            i - 1
        ));
    }
    let spec = temp_file(
        "hostile",
        "chain.json",
        &format!(r#"{{"nodes":[{}]}}"#, nodes.join(",")),
    );
    let out = causal(&["simulate", "--scm", &spec, "--n", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap().split(',').count(), DEPTH);
    assert_eq!(lines.count(), 2);

    // The same chain closed into a cycle is refused, naming it.
    let mut cyclic = nodes.clone();
    cyclic[0] = format!(r#"{{"name":"v0","parents":{{"v{}":0.5}}}}"#, DEPTH - 1);
    let spec = temp_file(
        "hostile",
        "cycle.json",
        &format!(r#"{{"nodes":[{}]}}"#, cyclic.join(",")),
    );
    assert_bad_input(
        &causal(&["simulate", "--scm", &spec, "--n", "2"]),
        &["cycle", "v99999"],
    );
}

fn effect_args(command: &str, data: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        command,
        "--data",
        data,
        "--treatment",
        "x",
        "--outcome",
        "z",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn run(args: &[String]) -> std::process::Output {
    causal(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn refute_levels_and_counts_out_of_range_are_refused() {
    let data = temp_file("hostile", "collider.csv", &collider_csv(3));
    for alpha in ["2", "1", "-1"] {
        let out = run(&effect_args(
            "refute",
            &data,
            &["--adjust", "y", "--alpha", alpha],
        ));
        assert_bad_input(&out, &["--alpha", "(0, 1)"]);
    }
    let out = run(&effect_args(
        "refute",
        &data,
        &["--adjust", "y", "--simulations", "0"],
    ));
    assert_bad_input(&out, &["--simulations", "at least 1"]);
    let out = run(&effect_args("report", &data, &["--simulations", "0"]));
    assert_bad_input(&out, &["--simulations", "at least 1"]);
}

#[test]
fn other_numeric_options_out_of_range_are_refused() {
    let data = temp_file("hostile", "collider2.csv", &collider_csv(4));
    let cases: [(&[&str], &[&str]); 4] = [
        (&["--adjust", "y", "--level", "1.5"], &["--level", "(0, 1)"]),
        (
            &["--adjust", "y", "--method", "aipw", "--folds", "0"],
            &["--folds", "at least 1"],
        ),
        (
            &["--adjust", "y", "--bootstrap", "1"],
            &["--bootstrap", "0 (off) or at least 2"],
        ),
        (
            &["--adjust", "y", "--method", "ipw", "--clip", "0.7"],
            &["--clip", "[0, 0.5)"],
        ),
    ];
    for (extra, needles) in cases {
        assert_bad_input(&run(&effect_args("estimate", &data, extra)), needles);
    }
    let discover = |extra: &[&str]| {
        let mut a = vec!["discover", "pc", "--data", &data];
        a.extend_from_slice(extra);
        causal(&a)
    };
    assert_bad_input(&discover(&["--alpha", "1"]), &["--alpha", "(0, 1)"]);
    assert_bad_input(
        &discover(&["--bootstrap", "0"]),
        &["--bootstrap", "at least 1"],
    );
    assert_bad_input(&discover(&["--threads", "0"]), &["--threads", "at least 1"]);
    let spec = temp_file(
        "hostile",
        "two.json",
        r#"{"nodes":[{"name":"a"},{"name":"b","parents":{"a":1}}]}"#,
    );
    assert_bad_input(
        &causal(&["simulate", "--scm", &spec, "--n", "0"]),
        &["--n", "at least 1"],
    );
}

#[test]
fn treatment_equal_to_outcome_says_so() {
    let data = temp_file("hostile", "collider3.csv", &collider_csv(5));
    let mut args = effect_args("estimate", &data, &[]);
    args[4] = "z".into();
    assert_bad_input(&run(&args), &["--treatment and --outcome are both 'z'"]);
    args.extend(["--adjust".into(), "y".into()]);
    assert_bad_input(&run(&args), &["both 'z'"]);
}

#[test]
fn knowledge_errors_name_the_file_and_line() {
    let data = temp_file("hostile", "collider4.csv", &collider_csv(6));
    let k = temp_file("hostile", "bad-knowledge.txt", "addtemporal\nx 1\n");
    let out = causal(&["discover", "pc", "--data", &data, "--knowledge", &k]);
    assert_bad_input(&out, &["bad-knowledge.txt", "line 2"]);
}
