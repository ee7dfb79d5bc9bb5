//! `causal discover notears-mlp --prior g.dot --prior-weight W` on a seeded nonlinear chain
//! a → b → c where NOTEARS-MLP alone keeps a spurious a → c: the correct prior (DOT, default
//! weight) removes it, a reversed prior at the same small weight does not override the true
//! edges, per-edge confidences (DOT attribute, JSON field) set the charges, a seeded rerun
//! prints identical bytes, and bad priors exit 2 naming the node, the edge or the option.

#![cfg(feature = "torch")]

use std::process::{Command, Output};

mod common;
use common::{assert_bad_input, json, pseudo_uniform, temp_file};

/// Runs `causal discover notears-mlp --data DATA --seed 0 --quiet EXTRA...` on one LibTorch
/// thread (the fits are tiny; threads only fight on a busy test machine).
fn notears_mlp(data: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_causal"))
        .args([
            "discover",
            "notears-mlp",
            "--data",
            data,
            "--seed",
            "0",
            "--quiet",
        ])
        .args(extra)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .expect("the causal binary runs")
}

/// 300 rows of a → b → c: b = 2 tanh(1.5 a) + 0.5 e, c = 2 sin(1.5 b) + 0.5 e, with standard
/// normal a and e drawn by Box–Muller from the tests' pseudo-uniform stream.
fn chain() -> String {
    let mut u = pseudo_uniform(7);
    let mut normal = move || {
        let (u1, u2) = (u() + 0.5, u() + 0.5);
        (-2.0 * (1.0 - u1).ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    let mut s = String::from("a,b,c\n");
    for _ in 0..300 {
        let a = normal();
        let b = 2.0 * (1.5 * a).tanh() + 0.5 * normal();
        let c = 2.0 * (1.5 * b).sin() + 0.5 * normal();
        s.push_str(&format!("{a},{b},{c}\n"));
    }
    s
}

fn edges(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(
                (e["from_mark"].as_str(), e["to_mark"].as_str()),
                (Some("tail"), Some("arrow"))
            );
            (
                e["from"].as_str().unwrap().to_owned(),
                e["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_correct_prior_fixes_the_spurious_edge_and_a_wrong_one_does_not_override_the_data() {
    let data = temp_file("prior", "chain.csv", &chain());
    let alone = json(&notears_mlp(&data, &[]));
    assert_eq!(edges(&alone), pairs(&[("a", "b"), ("a", "c"), ("b", "c")]));

    let right = temp_file("prior", "right.dot", "digraph { a -> b; b -> c }\n");
    let first = notears_mlp(&data, &["--prior", &right]);
    assert_eq!(edges(&json(&first)), pairs(&[("a", "b"), ("b", "c")]));
    let again = notears_mlp(&data, &["--prior", &right]);
    assert_eq!(first.stdout, again.stdout, "same seed, same bytes");

    // The reversed chain at the same weight (the default, 0.03, given explicitly).
    let wrong = temp_file("prior", "wrong.dot", "digraph { c -> b; b -> a }\n");
    let v = json(&notears_mlp(
        &data,
        &["--prior", &wrong, "--prior-weight", "0.03"],
    ));
    assert_eq!(edges(&v), pairs(&[("a", "b"), ("b", "c")]));
}

#[test]
fn edge_confidences_come_from_dot_attributes_and_json_fields() {
    let data = temp_file("prior-conf", "chain.csv", &chain());
    // Every edge certain, a -> c included: nothing is charged, so a -> c stays.
    let sure = temp_file(
        "prior-conf",
        "sure.json",
        r#"{"nodes":["a","b","c"],"edges":[{"from":"a","to":"b"},{"from":"b","to":"c"},
            {"from":"a","to":"c","confidence":1.0}]}"#,
    );
    let v = json(&notears_mlp(&data, &["--prior", &sure]));
    assert_eq!(edges(&v), pairs(&[("a", "b"), ("a", "c"), ("b", "c")]));
    // Confidence 0 charges a -> c as an absent edge: it goes.
    let doubted = temp_file(
        "prior-conf",
        "doubted.dot",
        "digraph { a -> b [confidence=1]; b -> c; a -> c [confidence=0] }\n",
    );
    let v = json(&notears_mlp(&data, &["--prior", &doubted]));
    assert_eq!(edges(&v), pairs(&[("a", "b"), ("b", "c")]));
}

#[test]
fn bad_priors_exit_2_naming_the_problem() {
    let data = temp_file("prior-bad", "chain.csv", &chain());
    let stray = temp_file(
        "prior-bad",
        "stray.dot",
        "digraph { a -> b; b -> c; q -> c }\n",
    );
    assert_bad_input(
        &notears_mlp(&data, &["--prior", &stray]),
        &["node 'q'", "stray.dot"],
    );
    let short = temp_file("prior-bad", "short.dot", "digraph { a -> b }\n");
    assert_bad_input(&notears_mlp(&data, &["--prior", &short]), &["column 'c'"]);
    let over = temp_file(
        "prior-bad",
        "over.dot",
        "digraph {\n a -> b\n b -> c [confidence=1.5]\n}\n",
    );
    assert_bad_input(
        &notears_mlp(&data, &["--prior", &over]),
        &["line 3", "edge b -> c", "1.5"],
    );
    let undirected = temp_file(
        "prior-bad",
        "cpdag.dot",
        "digraph { a -> b [dir=none]; c }\n",
    );
    assert_bad_input(
        &notears_mlp(&data, &["--prior", &undirected]),
        &["'a' and 'b'", "not directed"],
    );
    assert_bad_input(
        &notears_mlp(&data, &["--prior", &short, "--prior-weight", "-1"]),
        &["--prior-weight"],
    );
    assert_bad_input(
        &notears_mlp(&data, &["--prior-weight", "0.1"]),
        &["needs --prior"],
    );
    let pc = common::causal(&["discover", "pc", "--data", &data, "--prior", &short]);
    assert_bad_input(&pc, &["notears-mlp only"]);
}
